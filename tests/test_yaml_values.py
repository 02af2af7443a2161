"""What a YAML scalar means in a bank: the YAML 1.2 core schema, numbers in decimal.

Scalars a bank cannot mean are each a located line, never a traceback; a
scalar YAML 1.1 would read as a number or boolean is text, kept as written
where text is expected and a located error naming what to write where a
number or boolean is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MakeBank

from hoquiz.banks.loader import load_banks, load_sources_file
from hoquiz.cli import cli
from hoquiz.model import MCQ, Match, Numeric, Short, TrueFalse

BANK = "id: y\ntitle: {title}\nquestions: []\n"
SRC = "    source: {doc: doc, section: Intro}\n"


def question(qtype: str, *lines: str) -> str:
    """A bank of one question whose ``lines`` start at line 6."""
    body = "".join(f"    {line}\n" for line in lines)
    return (
        f"id: y\ntitle: T\nquestions:\n  - id: q\n    type: {qtype}\n{body}"
        f"    explanation: E.\n{SRC}"
    )


def validate(path: Path) -> list[str]:
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    return result.stderr.splitlines()


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("!!int abc", "'abc' cannot be read as !!int: remove the tag or fix the value"),
        ("!!bool maybe", "'maybe' cannot be read as !!bool: remove the tag or fix the value"),
        ("!!float x", "'x' cannot be read as !!float: remove the tag or fix the value"),
        ("!!int 0777", "'0777' cannot be read as !!int: remove the tag or fix the value"),
        ("!!int 0x10", "'0x10' cannot be read as !!int: remove the tag or fix the value"),
        ("!!bool yes", "'yes' cannot be read as !!bool: remove the tag or fix the value"),
        ("!!null x", "'x' cannot be read as !!null: remove the tag or fix the value"),
        ("!!timestamp 2025-02-30", "'2025-02-30' is not a valid date (write YYYY-MM-DD)"),
        ("1" * 1001, "this number has 1001 digits; no bank value needs so many"),
    ],
)
def test_bad_scalar_is_located(make_bank: MakeBank, title: str, message: str) -> None:
    result = CliRunner().invoke(cli, ["validate", str(make_bank(BANK.format(title=title)))])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"bank.yaml:2:8: {message}", "1 problem in 1 file"]


def test_a_date_shaped_title_is_text(make_bank: MakeBank) -> None:
    """Timestamps are not resolved implicitly: `title: 2025-13-01` is the text written."""
    path = make_bank(
        question("flashcard", "front: 2025-13-01", "back: 2025-02-30").replace(
            "title: T", "title: 2025-13-01"
        )
    )
    (bank,) = load_banks([path])
    assert bank.title == "2025-13-01"
    assert bank.questions[0].stem == "2025-13-01"


SOURCE = "sources:\n  - id: d\n    title: T\n    kind: k\n    date: {date}\n"


def test_bad_date_in_sources_is_located(make_bank: MakeBank) -> None:
    path = make_bank(BANK.format(title="T"), sources=SOURCE.format(date="2025-02-29"))
    assert "sources.yaml:5:11: '2025-02-29' is not a valid date (write YYYY-MM-DD)" in validate(
        path
    )


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("2025-08-07", "2025-08-07"),
        ('"2025-08-07"', "2025-08-07"),
        ("2025-08-07 10:30:00", "2025-08-07T10:30:00"),
        ("August 2025", "August 2025"),
        ("'2025'", "2025"),
    ],
)
def test_source_dates(tmp_path: Path, written: str, kept: str) -> None:
    """A date-shaped `date` is read as YAML 1.1 reads a timestamp; other text is kept."""
    (tmp_path / "sources.yaml").write_text(SOURCE.format(date=written), encoding="utf-8")
    sources, problems = load_sources_file(tmp_path / "sources.yaml")
    assert problems == []
    assert sources["d"].date == kept


def test_a_quoted_impossible_date_is_refused_too(make_bank: MakeBank) -> None:
    path = make_bank(BANK.format(title="T"), sources=SOURCE.format(date="'2025-02-29'"))
    assert "sources.yaml:5:11: '2025-02-29' is not a valid date (write YYYY-MM-DD)" in validate(
        path
    )


def test_merge_tag_on_a_key_is_located(make_bank: MakeBank) -> None:
    result = CliRunner().invoke(cli, ["validate", str(make_bank("? !!merge x\n: 1\n"))])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith("bank.yaml:2:3: ")


def test_a_plain_merge_key_is_refused(make_bank: MakeBank) -> None:
    """`<<` is text to the core schema, but a YAML 1.1 reader would merge: refused."""
    lines = validate(make_bank("id: y\n<<: {title: T}\nquestions: []\n"))
    assert lines == ["bank.yaml:2:1: YAML merge keys (<<) are not supported", "1 problem in 1 file"]


# -- where a number or a boolean is expected ----------------------------------------------


def _text(written: str, how: str, instead: str) -> str:
    return f"{written} is text in hoquiz banks ({how}); write {instead}"


NUMBERS = [
    ("0777", _text("0777", "YAML 1.1 reads it as octal 511", "777")),
    ("012", _text("012", "YAML 1.1 reads it as octal 10", "12")),
    ("-012", _text("-012", "YAML 1.1 reads it as octal -10", "-12")),
    ("09", _text("09", "a whole number does not start with 0", "9")),
    ("0x10", _text("0x10", "YAML reads it as hexadecimal 16", "16")),
    ("0o17", _text("0o17", "YAML 1.2 reads it as octal 15", "15")),
    ("0b101", _text("0b101", "YAML reads it as binary 5", "5")),
    (
        "1:30",
        _text("1:30", "YAML 1.1 reads it as 90, in base 60", "90 or the decimal number you mean"),
    ),
    ("1_000", _text("1_000", "YAML 1.1 reads it as 1000", "1000")),
    (".inf", _text(".inf", "YAML reads it as infinity", "a finite decimal number")),
    (".NaN", _text(".NaN", "YAML reads it as not-a-number", "a finite decimal number")),
]


@pytest.mark.parametrize(("written", "message"), NUMBERS)
def test_numeric_answer_that_yaml_1_1_reads_otherwise(
    make_bank: MakeBank, written: str, message: str
) -> None:
    path = make_bank(question("numeric", "prompt: P", f"answer: {written}"))
    assert validate(path) == [f"bank.yaml:7:13: answer: {message}", "1 problem in 1 file"]


@pytest.mark.parametrize(("written", "message"), NUMBERS[:2])
def test_tolerance_that_yaml_1_1_reads_otherwise(
    make_bank: MakeBank, written: str, message: str
) -> None:
    path = make_bank(question("numeric", "prompt: P", "answer: 3", f"tolerance: {written}"))
    assert validate(path) == [f"bank.yaml:8:16: tolerance: {message}", "1 problem in 1 file"]


@pytest.mark.parametrize(("written", "message"), [NUMBERS[0], NUMBERS[4], NUMBERS[7]])
def test_revision_that_yaml_1_1_reads_otherwise(
    make_bank: MakeBank, written: str, message: str
) -> None:
    path = make_bank(question("flashcard", "front: F", "back: B", f"revision: {written}"))
    assert validate(path) == [f"bank.yaml:8:15: revision: {message}", "1 problem in 1 file"]


@pytest.mark.parametrize(
    ("written", "reads"),
    [
        ("yes", "true"),
        ("no", "false"),
        ("on", "true"),
        ("off", "false"),
        ("y", "true"),
        ("n", "false"),
        ("Yes", "true"),
        ("OFF", "false"),
    ],
)
def test_true_false_answer_that_yaml_1_1_reads_as_a_boolean(
    make_bank: MakeBank, written: str, reads: str
) -> None:
    path = make_bank(question("true_false", "prompt: P", f"answer: {written}"))
    message = _text(written, f"YAML 1.1 reads it as {reads}", "true or false")
    assert validate(path) == [f"bank.yaml:7:13: answer: {message}", "1 problem in 1 file"]


@pytest.mark.parametrize(("written", "value"), [("True", True), ("FALSE", False)])
def test_core_schema_booleans(make_bank: MakeBank, written: str, value: bool) -> None:
    (bank,) = load_banks([make_bank(question("true_false", "prompt: P", f"answer: {written}"))])
    assert isinstance(bank.questions[0], TrueFalse)
    assert bank.questions[0].answer is value


@pytest.mark.parametrize(
    ("written", "value"),
    [("1e3", 1000.0), ("1.5e-3", 0.0015), ("2E2", 200.0), ("+5", 5.0), ("-0", 0.0), (".5", 0.5)],
)
def test_decimal_numbers(make_bank: MakeBank, written: str, value: float) -> None:
    """`1e3` is a number in YAML 1.2 (YAML 1.1 wants `1.0e+3`)."""
    (bank,) = load_banks([make_bank(question("numeric", "prompt: P", f"answer: {written}"))])
    assert isinstance(bank.questions[0], Numeric)
    assert bank.questions[0].answer == value


# -- where text is expected: kept as written ----------------------------------------------


def test_choices_that_yaml_1_1_reads_as_booleans_stay_text(make_bank: MakeBank) -> None:
    path = make_bank(question("mcq", "prompt: 012", "choices: [no, yes, off, 0x10]", "answer: no"))
    (bank,) = load_banks([path])
    mcq = bank.questions[0]
    assert isinstance(mcq, MCQ)
    assert mcq.prompt == "012"
    assert [c.text for c in mcq.choices] == ["no", "yes", "off", "0x10"]
    assert mcq.answer == 0


def test_accepted_answers_and_pairs_stay_text(make_bank: MakeBank) -> None:
    short = question("short", "prompt: P", "accept: [0777, 1:30, 1_000, .inf, ~x]")
    match = question("match", "prompt: P", "pairs: [[yes, on], [no, off]]").replace(
        "id: q\n", "id: m\n"
    )
    path = make_bank(short + match.split("questions:\n", 1)[1])
    (bank,) = load_banks([path])
    first, second = bank.questions
    assert isinstance(first, Short) and isinstance(second, Match)
    assert first.accept == ("0777", "1:30", "1_000", ".inf", "~x")
    assert second.pairs == (("yes", "on"), ("no", "off"))


def test_a_number_where_text_is_expected_is_still_refused(make_bank: MakeBank) -> None:
    path = make_bank(question("flashcard", "front: 1e3", "back: B"))
    assert validate(path) == [
        "bank.yaml:6:12: 'front' must be text, not 1000.0 (quote it to make it text)",
        "1 problem in 1 file",
    ]
