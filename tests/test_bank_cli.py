"""CLI tests for the bank commands: validate, list, show, schema, new."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import ALL_TYPES_BANK, MakeBank
from jsonschema import Draft202012Validator

from hoquiz.banks.scaffold import STARTER_SOURCES
from hoquiz.banks.yamlio import parse
from hoquiz.cli import cli


def hoquiz(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, list(map(str, args)))


def flashcard(qid: str, tags: str = "[]") -> str:
    return (
        f"  - id: {qid}\n    type: flashcard\n    front: F {qid}\n    back: B\n"
        f"    explanation: E\n    source: {{doc: doc, section: Intro}}\n    tags: {tags}\n"
    )


# -- validate ---------------------------------------------------------------------------


def test_validate_ok(make_bank: MakeBank) -> None:
    result = hoquiz("validate", make_bank(ALL_TYPES_BANK))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "1 bank, 9 questions OK\n", "")


def test_validate_problems_exit_1(make_bank: MakeBank) -> None:
    result = hoquiz("validate", make_bank(ALL_TYPES_BANK.replace("answer: true", "answer: yes!")))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        "bank.yaml:28:13: a true_false answer must be true or false (unquoted), not 'yes!'",
        "1 problem in 1 file",
    ]


def test_validate_usage_error_exit_2(make_bank: MakeBank) -> None:
    result = hoquiz("validate", "missing-folder")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: no such file or folder: missing-folder\n",
    )


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The bank files validate parses (one by one, or all of them: "*")."""
    import hoquiz.banks.loader

    calls: list[str] = []
    one, every = hoquiz.banks.loader.load_bank_file, hoquiz.banks.loader.scan_banks

    def load_bank_file(file: Path) -> object:
        calls.append(file.name)
        return one(file)

    def scan_banks(paths: list[Path], keep: object) -> object:
        calls.append("*")
        return every(paths, keep)  # type: ignore[arg-type]

    monkeypatch.setattr(hoquiz.banks.loader, "load_bank_file", load_bank_file)
    monkeypatch.setattr(hoquiz.banks.loader, "scan_banks", scan_banks)
    return calls


def test_validate_parses_only_what_changed_since_it_was_found_valid(
    make_bank: MakeBank, parsed: list[str]
) -> None:
    make_bank(ALL_TYPES_BANK, "banks/a.yaml")
    make_bank(ALL_TYPES_BANK.replace("id: all-types", "id: other"), "banks/b.yaml")
    ok = (0, "2 banks, 18 questions OK\n", "")
    result = hoquiz("validate", "banks")
    assert (result.exit_code, result.stdout, result.stderr) == ok
    assert sorted(parsed) == ["a.yaml", "b.yaml"]
    parsed.clear()
    result = hoquiz("validate", "banks")
    assert (result.exit_code, result.stdout, result.stderr) == ok
    assert parsed == []  # both unchanged: answered from the bank cache
    bank = Path("banks/b.yaml")
    bank.write_text(bank.read_text(encoding="utf-8").replace("answer: true", "answer: yes!"))
    for _ in range(2):  # a problem is never cached: reported again, located
        result = hoquiz("validate", "banks")
        assert result.exit_code == 1
        assert result.stderr.splitlines()[-1] == "1 problem in 1 file"
        assert result.stderr.startswith("banks/b.yaml:28:13: a true_false answer must be")
    parsed.clear()
    assert hoquiz("validate", "--no-cache", "banks").exit_code == 1
    assert parsed == ["*"]  # every file parsed


def test_validate_reports_a_bank_id_twice_from_the_cache(
    make_bank: MakeBank, parsed: list[str]
) -> None:
    make_bank(ALL_TYPES_BANK, "banks/a.yaml")
    assert hoquiz("validate", "banks").exit_code == 0
    make_bank(ALL_TYPES_BANK, "banks/b.yaml")  # the same bank id as a.yaml
    result = hoquiz("validate", "banks")
    assert result.exit_code == 1
    assert "duplicate bank id 'all-types' (also in banks/a.yaml)" in result.stderr


def test_validate_help() -> None:
    result = hoquiz("validate", "--help")
    assert result.exit_code == 0
    assert "Exit status: 0 all valid, 1 problems found, 2 usage error." in " ".join(
        result.stdout.split()
    )


def test_python_m_hoquiz_validate(make_bank: MakeBank) -> None:
    good = make_bank(ALL_TYPES_BANK)
    bad = make_bank(ALL_TYPES_BANK.replace("id: all-types", "id: Bad"), "bad/bank.yaml")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}

    def run(*args: Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "hoquiz", "validate", *map(str, args)]
        return subprocess.run(command, capture_output=True, text=True, env=env, check=False)

    ok = run(good)
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "1 bank, 9 questions OK\n", "")
    failed = run(bad)
    assert failed.returncode == 1
    assert failed.stderr.splitlines() == [
        f"{bad}:1:5: 'id' 'Bad' is not a slug: use lowercase letters, digits and '-' only "
        "(e.g. 'bad')",
        "1 problem in 1 file",
    ]


# -- list -----------------------------------------------------------------------------------


def two_banks(make_bank: MakeBank) -> None:
    make_bank(ALL_TYPES_BANK, "a.yaml")
    make_bank(
        "id: small\ntitle: Small bank\ntags: [ignored-here]\nquestions:\n"
        + flashcard("one", "[imaging, core]")
        + flashcard("two", "[imaging]"),
        "b.yaml",
    )


def test_list(make_bank: MakeBank) -> None:
    two_banks(make_bank)
    result = hoquiz("list", ".")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "all-types  All types  (9 questions)",
        "  types: cloze 1, flashcard 1, match 1, mcq 1, multi 1, numeric 1, order 1, short 1, "
        "true_false 1",
        "  tags:  joints 1",
        "small  Small bank  (2 questions)",
        "  types: flashcard 2",
        "  tags:  core 1, imaging 2",
        "2 banks, 11 questions",
    ]


def test_list_json(make_bank: MakeBank) -> None:
    two_banks(make_bank)
    result = hoquiz("list", "--json", ".")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {
            "id": "all-types",
            "title": "All types",
            "deck": "HO::All types",
            "path": "a.yaml",
            "questions": 9,
            "by_type": {
                t: 1
                for t in sorted(
                    [
                        "mcq",
                        "multi",
                        "true_false",
                        "short",
                        "numeric",
                        "cloze",
                        "flashcard",
                        "order",
                        "match",
                    ]
                )
            },
            "by_tag": {"joints": 1},
        },
        {
            "id": "small",
            "title": "Small bank",
            "deck": "Small bank",
            "path": "b.yaml",
            "questions": 2,
            "by_type": {"flashcard": 2},
            "by_tag": {"core": 1, "imaging": 2},
        },
    ]


def test_list_one_bank_is_singular(make_bank: MakeBank) -> None:
    path = make_bank("id: s\ntitle: S\nquestions:\n" + flashcard("one"))
    assert hoquiz("list", path).stdout.splitlines() == [
        "s  S  (1 question)",
        "  types: flashcard 1",
        "1 bank, 1 question",
    ]


def test_list_of_invalid_banks_reports_problems(make_bank: MakeBank) -> None:
    result = hoquiz("list", make_bank("id: s\ntitle: S\nquestions: []\n"))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == "bank.yaml:3:12: bank has no questions"


def test_list_bundled_decks_as_json() -> None:
    result = hoquiz("list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows and all(sum(r["by_type"].values()) == r["questions"] for r in rows)


# -- show -------------------------------------------------------------------------------------

SHOWN = {
    "q-mcq": [
        "[all-types/q-mcq] mcq",
        "Which study first?",
        "  a) MRI",
        "  b) Bone scan",
        "  c) Radiography",
        "",
        "Answer: c) Radiography",
        "Feedback on a) MRI: Later.",
        "Explanation: Plain films first.",
        "Source: A reference document, section \u201cImaging\u201d",
    ],
    "q-multi": [
        "[all-types/q-multi] multi",
        "Which apply?",
        "(select all that apply)",
        "  a) Nose",
        "  b) Elbow",
        "  c) Hip",
        "",
        "Answer: b) Elbow; c) Hip",
        "Explanation: Joints.",
        "Source: A reference document, section \u201cIntro\u201d",
    ],
    "q-tf": [
        "[all-types/q-tf] true_false",
        "HO is bone in soft tissue.",
        "(true or false)",
        "",
        "Answer: true",
        "Explanation: By definition.",
        "Source: Another document, section \u201cAny\u201d",
    ],
    "q-short": [
        "[all-types/q-short] short",
        "Name the drug.",
        "",
        "Answer: indomethacin / indometacin",
        "Explanation: An NSAID.",
        "Source: A reference document, section \u201cIntro\u201d",
    ],
    "q-num": [
        "[all-types/q-num] numeric",
        "Weeks? (in weeks)",
        "",
        "Answer: 3 weeks (\u00b1 0.5)",
        "Explanation: About three.",
        "Source: A reference document, section \u201cIntro\u201d",
    ],
    "q-cloze": [
        "[all-types/q-cloze] cloze, card c1",
        "[imaging] shows mature bone.",
        "",
        "Answer: Radiography  (Radiography shows mature bone.)",
        "[all-types/q-cloze] cloze, card c2",
        "Radiography shows [...].",
        "",
        "Answer: mature bone  (Radiography shows mature bone.)",
        "Explanation: Maturity.",
        "Source: A reference document, section \u201cImaging\u201d",
    ],
    "q-flash": [
        "[all-types/q-flash] flashcard",
        "Front",
        "",
        "Answer: Back",
        "Explanation: Self-graded.",
        "Source: A reference document, section \u201cIntro\u201d",
    ],
    "q-order": [
        "[all-types/q-order] order",
        "Order these.",
        "  a) Third",
        "  b) Second",
        "  c) First",
        "",
        "Answer: c b a: First \u2192 Second \u2192 Third",
        "Explanation: In order.",
        "Source: A reference document, section \u201cIntro\u201d",
    ],
    "q-match": [
        "[all-types/q-match] match",
        "Match.",
        "  1. a",
        "  2. b",
        "  a) y",
        "  b) x",
        "",
        "Answer: 1b (a = x)  2a (b = y)",
        "Explanation: Pairs.",
        "Source: A reference document, section \u201cIntro\u201d",
    ],
}


@pytest.mark.parametrize("qid", list(SHOWN))
def test_show_every_type(make_bank: MakeBank, qid: str) -> None:
    path = make_bank(ALL_TYPES_BANK)
    result = hoquiz("show", f"all-types/{qid}", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == SHOWN[qid]


@pytest.mark.parametrize(
    ("qid", "typed", "code", "output"),
    [
        ("q-short", "Indomethacin", 0, "Correct."),
        ("q-short", "indomethicin", 0, "Correct, but check the spelling: indomethacin"),
        ("q-short", "ibuprofen", 1, "Incorrect. You answered: ibuprofen"),
        ("q-num", "3.5 wk", 0, "Correct (accepted 2.5 to 3.5 weeks)."),
        ("q-num", "5", 1, "Incorrect. You answered: 5 weeks (accepted 2.5 to 3.5 weeks)"),
        ("q-num", "soon", 1, "Not an answer: type a number, optionally followed by weeks"),
        ("q-cloze", "the mature bones", 0,
         'c1: Incorrect. You answered: the mature bones\n'
         'c2: Correct (accepted "mature bone"; you typed "the mature bones")'),
    ],
)  # fmt: skip
def test_show_answer_prints_the_quiz_verdict(
    make_bank: MakeBank, qid: str, typed: str, code: int, output: str
) -> None:
    result = hoquiz("show", f"all-types/{qid}", make_bank(ALL_TYPES_BANK), "--answer", typed)
    assert (result.exit_code, result.stdout) == (code, output + "\n")


def test_show_answer_uses_the_letters_show_prints(make_bank: MakeBank) -> None:
    path = make_bank(ALL_TYPES_BANK)
    lines = hoquiz("show", "all-types/q-mcq", path).stdout.splitlines()
    letter = next(line for line in lines if line.endswith(") Radiography")).strip()[0]
    result = hoquiz("show", "all-types/q-mcq", path, "--answer", letter)
    assert (result.exit_code, result.stdout) == (0, "Correct.\n")


def test_show_answer_on_a_flashcard_is_a_usage_error(make_bank: MakeBank) -> None:
    result = hoquiz("show", "all-types/q-flash", make_bank(ALL_TYPES_BANK), "--answer", "x")
    assert result.exit_code == 2
    assert "a flashcard is self-graded: --answer does not apply" in result.stderr


def test_show_never_lists_order_items_in_answer_order(make_bank: MakeBank) -> None:
    items = ", ".join(f"step {i}" for i in range(2))
    path = make_bank(ALL_TYPES_BANK.replace("items: [First, Second, Third]", f"items: [{items}]"))
    lines = hoquiz("show", "all-types/q-order", path).stdout.splitlines()
    assert lines[2:4] == ["  a) step 1", "  b) step 0"]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("all-types", "expected BANK_ID/QUESTION_ID such as imaging/first-study, got 'all-types'"),
        (
            "all-types/",
            "expected BANK_ID/QUESTION_ID such as imaging/first-study, got 'all-types/'",
        ),
        ("/q-mcq", "expected BANK_ID/QUESTION_ID such as imaging/first-study, got '/q-mcq'"),
        ("all-type/q-mcq", "no bank with id 'all-type' (did you mean 'all-types'?)"),
        ("nothing/q-mcq", "no bank with id 'nothing'"),
        ("all-types/q-mc", "bank 'all-types' has no question 'q-mc' (did you mean 'q-mcq'?)"),
        ("all-types/zzz", "bank 'all-types' has no question 'zzz'"),
    ],
)
def test_show_errors_exit_2(make_bank: MakeBank, ref: str, message: str) -> None:
    result = hoquiz("show", ref, make_bank(ALL_TYPES_BANK))
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"Error: {message}\n")


def test_show_of_an_invalid_bank_reports_its_problems(make_bank: MakeBank) -> None:
    path = make_bank(ALL_TYPES_BANK.replace("revision: 2", "revision: 0"))
    result = hoquiz("show", "all-types/q-mcq", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "bank.yaml:31:15: 'revision' must be a whole number from 1 to 2147483647, not 0",
        "1 problem in 1 file",
    ]


def test_show_a_bundled_question() -> None:
    bank = json.loads(hoquiz("list", "--json").stdout)[0]
    missing = hoquiz("show", f"{bank['id']}/no-such-question")
    assert missing.exit_code == 2
    assert missing.stderr.startswith(
        f"Error: bank '{bank['id']}' has no question 'no-such-question'"
    )


# -- schema -------------------------------------------------------------------------------------


def test_schema_prints_a_draft_2020_12_schema() -> None:
    result = hoquiz("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["id", "title", "questions"]


def test_schema_help_says_how_editors_use_it() -> None:
    help_text = " ".join(hoquiz("schema", "--help").stdout.split())
    assert "# yaml-language-server: $schema=bank.schema.json" in help_text


# -- new ------------------------------------------------------------------------------------------


def test_new_writes_a_valid_bank_and_a_sources_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "course"
    folder.mkdir()
    monkeypatch.chdir(folder)
    result = hoquiz("new", "hand_injuries.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "wrote hand_injuries.yaml",
        "wrote sources.yaml (declare your reference documents there)",
        "next: edit it, then run `hoquiz validate hand_injuries.yaml`",
    ]
    written = (folder / "sources.yaml").read_text(encoding="utf-8")
    namespace = re.search(r"^namespace: ([0-9a-f]{12})$", written, re.MULTILINE)
    assert namespace is not None, written
    assert written == STARTER_SOURCES.format(namespace=namespace[1])
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.chdir(other)
    assert hoquiz("new", "hand_injuries.yaml").exit_code == 0
    assert namespace[1] not in (other / "sources.yaml").read_text(encoding="utf-8")
    monkeypatch.chdir(folder)
    validated = hoquiz("validate", "hand_injuries.yaml")
    assert validated.stdout == "1 bank, 9 questions OK\n", validated.output
    listed = json.loads(hoquiz("list", "--json", "hand_injuries.yaml").stdout)
    assert listed[0]["id"] == "hand-injuries"
    assert listed[0]["title"] == "Hand injuries"
    assert len(listed[0]["by_type"]) == 9
    data, problems = parse((folder / "hand_injuries.yaml").read_text(encoding="utf-8"), "x")
    assert problems == []
    schema = json.loads(hoquiz("schema").stdout)
    assert list(Draft202012Validator(schema).iter_errors(data)) == []


def test_new_uses_the_sources_yaml_it_finds(make_bank: MakeBank) -> None:
    make_bank(ALL_TYPES_BANK)  # and sources.yaml, whose first source is `doc`
    Path("topic").mkdir()
    before = Path("sources.yaml").read_text(encoding="utf-8")
    result = hoquiz("new", "topic/starter.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "wrote topic/starter.yaml",
        "next: edit it, then run `hoquiz validate topic/starter.yaml`",
    ]
    assert not Path("topic/sources.yaml").exists()
    assert Path("sources.yaml").read_text(encoding="utf-8") == before
    text = Path("topic/starter.yaml").read_text(encoding="utf-8")
    assert 'source: {doc: doc, section: "Intro"}' in text
    assert hoquiz("validate", ".").stdout == "2 banks, 18 questions OK\n"


def test_new_refuses_to_overwrite(make_bank: MakeBank) -> None:
    path = make_bank(ALL_TYPES_BANK)
    result = hoquiz("new", path)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "Error: bank.yaml already exists; hoquiz new never overwrites a file\n"
    assert path.read_text(encoding="utf-8") == ALL_TYPES_BANK


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("notes.txt", 2, "notes.txt: a bank file name ends in .yaml or .yml"),
        ("sources.yaml", 2, "sources.yaml: that name is reserved for the sources file"),
        ("nowhere/bank.yaml", 1, "cannot write nowhere/bank.yaml: folder nowhere does not exist"),
    ],
)
def test_new_refuses_bad_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, code: int, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = hoquiz("new", name)
    assert (result.exit_code, result.stderr) == (code, f"Error: {message}\n")
    assert list(tmp_path.iterdir()) == []


def test_new_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert hoquiz("new", "a.yaml").exit_code == 0
    assert hoquiz("new", "a.yaml").exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "sources.yaml"]


def test_new_in_an_unwritable_place_is_one_clean_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = hoquiz("new", tmp_path / "x.yaml")
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot write {tmp_path / 'sources.yaml'}: permission denied\n"
    assert list(tmp_path.iterdir()) == []
