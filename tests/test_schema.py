"""The JSON Schema agrees with the validator on structure, and docs/ holds its current text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ALL_TYPES_BANK, TEST_SOURCES
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator
from test_loader_fuzz import mutated

from hoquiz.banks.loader import bundled_decks_dir, discover, load_banks
from hoquiz.banks.scaffold import write_starter_bank
from hoquiz.banks.schema import bank_schema
from hoquiz.banks.yamlio import parse
from hoquiz.cli import cli
from hoquiz.errors import BankError

DOCS_SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "bank.schema.json"
VALIDATOR = Draft202012Validator(bank_schema())


def data_of(text: str) -> Any:
    data, problems = parse(text, "test")
    assert not problems
    return data


def schema_errors(text: str) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(data_of(text))]


def loads(tmp_path: Path, text: str) -> bool:
    """Whether the loader accepts ``text`` as a bank."""
    (tmp_path / "sources.yaml").write_text(TEST_SOURCES, encoding="utf-8")
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_banks([path])
    except BankError:
        return False
    return True


def test_schema_is_valid_draft_2020_12() -> None:
    schema = bank_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_docs_copy_is_the_current_schema() -> None:
    """docs/bank.schema.json is `hoquiz schema` output: regenerate it with
    `hoquiz schema > docs/bank.schema.json` when the format changes."""
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert DOCS_SCHEMA.read_text(encoding="utf-8") == result.stdout


# -- valid banks pass -------------------------------------------------------------------


@pytest.mark.parametrize("path", discover([bundled_decks_dir()]), ids=lambda p: p.name)
def test_every_bundled_bank_passes(path: Path) -> None:
    assert schema_errors(path.read_text(encoding="utf-8")) == []


def test_the_all_types_bank_passes() -> None:
    assert schema_errors(ALL_TYPES_BANK) == []


def test_the_starter_bank_passes(tmp_path: Path) -> None:
    path = tmp_path / "starter.yaml"
    write_starter_bank(path, namespace="abc123")
    assert schema_errors(path.read_text(encoding="utf-8")) == []


def test_a_minimal_bank_passes() -> None:
    text = (
        "id: t\ntitle: T\nquestions:\n  - id: q\n    type: flashcard\n    front: F\n"
        "    back: B\n    explanation: E\n    source: {doc: doc, section: Intro}\n"
    )
    assert schema_errors(text) == []


# -- structurally invalid banks fail (and the validator rejects them too) -----------------

# (name, text to replace in ALL_TYPES_BANK, replacement)
INVALID = [
    ("unknown bank key", "tags: [sample]", "tags: [sample]\nauthor: Me"),
    ("unknown question key", "    prompt: Which study first?", "    promt: Which study first?"),
    ("key of another type", "    front: Front", "    front: Front\n    answer: Back"),
    ("missing bank title", "title: All types\n", ""),
    ("missing explanation", "    explanation: Self-graded.\n", ""),
    ("missing type", "    type: flashcard\n", ""),
    ("unknown type", "type: flashcard", "type: flash"),
    ("title not text", "title: All types", "title: 42"),
    ("empty text", "front: Front", "front: ''"),
    ("questions not a list", "questions:\n", "questions: 3\nx:\n"),
    ("no questions", "questions:\n", "questions: []\nold:\n"),
    ("bad bank slug", "id: all-types", "id: All Types"),
    ("bad question slug", "id: q-mcq", "id: q_mcq"),
    ("numeric id", "id: q-mcq", "id: 12"),
    ("revision 0", "revision: 2", "revision: 0"),
    ("revision not whole", "revision: 2", "revision: 2.5"),
    ("negative tolerance", "tolerance: 0.5", "tolerance: -0.5"),
    ("numeric answer as text", "answer: 3\n", "answer: 3 weeks\n"),
    ("true_false answer as text", "answer: true", "answer: 'true'"),
    ("mcq answer as a list", "answer: Radiography", "answer: [Radiography]"),
    ("multi answer not a list", "answer: [Hip, Elbow]", "answer: Hip"),
    ("multi answer empty", "answer: [Hip, Elbow]", "answer: []"),
    ("one choice", ", {text: MRI, feedback: Later.}, Bone scan]", "]"),
    ("choice mapping without text", "{text: MRI, feedback: Later.}", "{feedback: Later.}"),
    ("choice mapping unknown key", "{text: MRI, feedback: Later.}", "{text: MRI, note: Later.}"),
    ("choice a number", "Bone scan]", "3]"),
    ("accept empty", 'accept: [indomethacin, "indometacin"]', "accept: []"),
    (
        "cloze without deletion",
        'text: "{{c1::Radiography::imaging}} shows {{c2::mature bone}}."',
        "text: No deletion.",
    ),
    ("one order item", "items: [First, Second, Third]", "items: [First]"),
    ("duplicate order items", "items: [First, Second, Third]", "items: [First, First]"),
    ("pair of three", "      - [b, y]", "      - [b, y, z]"),
    ("one pair", "      - [b, y]\n", ""),
    ("source not a mapping", "source: {doc: other, section: Any}", "source: other"),
    ("source unknown key", "source: {doc: other, section: Any}", "source: {doc: other, part: Any}"),
    ("tags not a list", "tags: [joints]", "tags: joints"),
    ("deck with an empty part", "deck: HO::All types", "deck: HO::::All types"),
]


@pytest.mark.parametrize(("name", "old", "new"), INVALID, ids=[case[0] for case in INVALID])
def test_structurally_invalid_bank_fails(tmp_path: Path, name: str, old: str, new: str) -> None:
    assert ALL_TYPES_BANK.count(old) == 1, name
    text = ALL_TYPES_BANK.replace(old, new)
    assert schema_errors(text), f"the schema accepts: {name}"
    assert not loads(tmp_path, text), f"the validator accepts: {name}"


# -- the schema is never stricter than the validator ------------------------------------------

LINES = ALL_TYPES_BANK.splitlines(keepends=True)


@settings(
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutated())
def test_banks_the_validator_accepts_pass_the_schema(tmp_path: Path, text: str) -> None:
    data, problems = parse(text, "t")
    if problems or not loads(tmp_path, text):
        return
    assert [e.message for e in VALIDATOR.iter_errors(data)] == []


@pytest.mark.parametrize("index", range(len(LINES)))
def test_dropping_a_line_never_makes_the_schema_stricter(tmp_path: Path, index: int) -> None:
    text = "".join(LINES[:index] + LINES[index + 1 :])
    data, problems = parse(text, "t")
    if problems or not loads(tmp_path, text):
        return
    assert [e.message for e in VALIDATOR.iter_errors(data)] == []


def test_top_level_list_fails(tmp_path: Path) -> None:
    text = "- " + ALL_TYPES_BANK.replace("\n", "\n  ")
    assert schema_errors(text) == [f"{data_of(text)!r} is not of type 'object'"]
    assert not loads(tmp_path, text)


def test_the_schema_lists_every_question_type() -> None:
    schema = bank_schema()
    question = schema["$defs"]["question"]
    types = [v["if"]["properties"]["type"]["const"] for v in question["allOf"]]
    assert types == question["properties"]["type"]["enum"]
    assert json.loads(json.dumps(schema)) == schema  # plain JSON data
