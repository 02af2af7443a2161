"""Values too large for the store, Anki or a float, and questions with too many options.

Each is refused by the validator with a located line, so quiz, show and
export report the same line and never crash.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import MakeBank
from jsonschema import Draft202012Validator

from hoquiz.banks.loader import load_banks
from hoquiz.banks.schema import bank_schema
from hoquiz.banks.yamlio import parse
from hoquiz.cli import cli
from hoquiz.model import invariants as rules
from hoquiz.render import LETTERS

SRC = "    source: {doc: doc, section: Intro}\n"


def question(qtype: str, *lines: str) -> str:
    """A bank of one question (id y/q) whose ``lines`` start at line 6."""
    body = "".join(f"    {line}\n" for line in lines)
    return (
        f"id: y\ntitle: T\nquestions:\n  - id: q\n    type: {qtype}\n{body}"
        f"    explanation: E.\n{SRC}"
    )


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


NINES = "9" * 400
TOO_LARGE = [
    (
        ("flashcard", "front: F", "back: B", "revision: 99999999999999999999"),
        "bank.yaml:8:15: 'revision' must be a whole number from 1 to 2147483647, "
        "not 99999999999999999999",
    ),
    (
        ("flashcard", "front: F", "back: B", "revision: 2147483648"),
        "bank.yaml:8:15: 'revision' must be a whole number from 1 to 2147483647, not 2147483648",
    ),
    (
        ("cloze", "text: '{{c99999999999999999999::x}}'"),
        "bank.yaml:6:11: cloze numbers go from 1 to 500, not c99999999999999999999",
    ),
    (
        ("cloze", "text: '{{c501::x}}'"),
        "bank.yaml:6:11: cloze numbers go from 1 to 500, not c501",
    ),
    (
        ("cloze", f"text: '{{{{c{'9' * 5000}::x}}}}'"),
        "bank.yaml:6:11: cloze numbers go from 1 to 500, not c999999999999...",
    ),
    (
        ("numeric", "prompt: P", f"answer: {NINES}"),
        "bank.yaml:7:13: 'answer' must lie between -1e15 and 1e15, not a number of 400 digits",
    ),
    (
        ("numeric", "prompt: P", "answer: 1e400"),
        "bank.yaml:7:13: 'answer' must lie between -1e15 and 1e15, not inf",
    ),
    (
        ("numeric", "prompt: P", "answer: -1.5e16"),
        "bank.yaml:7:13: 'answer' must lie between -1e15 and 1e15, not -1.5e+16",
    ),
    (
        ("numeric", "prompt: P", "answer: 1", f"tolerance: {NINES}.5"),
        "bank.yaml:8:16: 'tolerance' must lie between -1e15 and 1e15, not inf",
    ),
]


@pytest.mark.parametrize(("lines", "message"), TOO_LARGE)
@pytest.mark.parametrize(
    "command",
    [
        ("validate", "bank.yaml"),
        ("show", "y/q", "bank.yaml"),
        ("quiz", "bank.yaml", "--db", "q.db"),
        ("export", "bank.yaml", "-o", "out.apkg"),
        ("export", "bank.yaml", "--format", "gift", "-o", "out.gift"),
    ],
)
def test_too_large_a_value_is_refused_by_every_command(
    make_bank: MakeBank, lines: tuple[str, ...], message: str, command: tuple[str, ...]
) -> None:
    make_bank(question(*lines))
    result = invoke(*command)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert message in result.stderr.splitlines()
    assert not Path("out.apkg").exists() and not Path("out.gift").exists()


@pytest.mark.parametrize(
    "lines",
    [
        ("flashcard", "front: F", "back: B", "revision: 2147483647"),
        ("cloze", "text: '{{c500::x}} {{c1::y}}'"),
        ("numeric", "prompt: P", "answer: -1e15", "tolerance: 1e15"),
    ],
)
def test_the_largest_values_allowed(make_bank: MakeBank, lines: tuple[str, ...]) -> None:
    make_bank(question(*lines))
    assert invoke("validate", "bank.yaml").exit_code == 0
    assert invoke("export", "bank.yaml", "-o", "out.apkg").exit_code == 0


def test_the_digits_limit_of_a_yaml_number() -> None:
    _, problems = parse("a: " + "1" * 1001 + "\n", "f.yaml")
    assert [str(p) for p in problems] == [
        "f.yaml:1:4: this number has 1001 digits; no bank value needs so many"
    ]


# -- at most 26 options --------------------------------------------------------------------


def options(count: int) -> str:
    return "[" + ", ".join(f"o{i}" for i in range(count)) + "]"


def pairs(count: int) -> str:
    return "[" + ", ".join(f"[l{i}, r{i}]" for i in range(count)) + "]"


def test_the_letters_are_the_limit() -> None:
    assert len(LETTERS) == rules.MAX_OPTIONS == 26


def _at_27th(what: str) -> str:
    return (
        f"a question has at most 26 {what} (lettered a to z); this is number 27: split the question"
    )


@pytest.mark.parametrize(
    ("lines", "line"),
    [
        (("mcq", "prompt: P", f"choices: {options(27)}", "answer: o0"), "bank.yaml:7:135: "),
        (("multi", "prompt: P", f"choices: {options(27)}", "answer: [o0]"), "bank.yaml:7:135: "),
        (("order", "prompt: P", f"items: {options(27)}"), "bank.yaml:7:133: "),
        (("match", "prompt: P", f"pairs: {pairs(27)}"), "bank.yaml:7:305: "),
    ],
)
def test_a_27th_option_is_refused_where_it_is(
    make_bank: MakeBank, lines: tuple[str, ...], line: str
) -> None:
    make_bank(question(*lines))
    what = {"mcq": "choices", "multi": "choices", "order": "items", "match": "pairs"}[lines[0]]
    for command in (("validate", "bank.yaml"), ("show", "y/q", "bank.yaml")):
        result = invoke(*command)
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [line + _at_27th(what), "1 problem in 1 file"]
    text = Path("bank.yaml").read_text(encoding="utf-8")
    column = int(line.split(":")[2])
    assert text.splitlines()[6][column - 1 :].startswith(("o26", "[l26"))


def test_the_schema_has_the_same_limit(make_bank: MakeBank) -> None:
    validator = Draft202012Validator(bank_schema())
    for count, valid in ((26, True), (27, False)):
        path = make_bank(question("order", "prompt: P", f"items: {options(count)}"))
        data, _ = parse(path.read_text(encoding="utf-8"), str(path))
        assert validator.is_valid(data) is valid


TWENTY_SIX = [
    ("mcq", "prompt: P", f"choices: {options(26)}", "answer: o25"),
    ("order", "prompt: P", f"items: {options(26)}"),
    ("match", "prompt: P", f"pairs: {pairs(26)}"),
]


@pytest.mark.parametrize("lines", TWENTY_SIX)
def test_26_options_show_and_quiz(make_bank: MakeBank, lines: tuple[str, ...]) -> None:
    make_bank(question(*lines))
    shown = invoke("show", "y/q", "bank.yaml")
    assert shown.exit_code == 0, shown.output
    assert "  z) " in shown.stdout
    answer = {
        "mcq": "z",
        "order": " ".join(LETTERS),
        "match": " ".join(f"{n + 1}{letter}" for n, letter in enumerate(LETTERS)),
    }[lines[0]]
    quiz = CliRunner().invoke(
        cli, ["quiz", "bank.yaml", "--db", "q.db", "--mode", "cram"], input=f"{answer}\nq\n"
    )
    assert quiz.exit_code == 0, quiz.output
    assert "  z) " in quiz.stdout and "answered: 1" in quiz.stdout


@pytest.mark.parametrize("fmt", ["apkg", "gift", "moodle-xml", "qti", "aiken", "csv"])
def test_26_options_export(make_bank: MakeBank, fmt: str) -> None:
    bank = question(*TWENTY_SIX[0])
    for lines, qid in ((TWENTY_SIX[1], "o"), (TWENTY_SIX[2], "m")):
        bank += question(*lines).split("questions:\n", 1)[1].replace("id: q\n", f"id: {qid}\n", 1)
    make_bank(bank)
    assert len(load_banks([Path("bank.yaml")])[0].questions) == 3
    result = invoke("export", "bank.yaml", "--format", fmt, "-o", f"out.{fmt}")
    assert result.exit_code == 0, result.output
    assert Path(f"out.{fmt}").stat().st_size > 0
    if fmt == "aiken":
        assert "Z. o" in Path("out.aiken").read_text(encoding="utf-8")
