"""Every question type is complete: documented, scaffolded, loadable, in the schema and in Anki.

A new type added to ``hoquiz.model.AnyQuestion`` makes mypy name each place
to extend (every ``match`` over the types ends in ``assert_never``); these
tests catch what a type checker cannot: prose, examples and data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest
from click.testing import CliRunner

from hoquiz.banks.loader import load_banks
from hoquiz.cli import cli
from hoquiz.formats.anki_notes import NOTE_TYPES, note_type
from hoquiz.model import QUESTION_CLASSES, QUESTION_TYPES, AnyQuestion, QuestionKind

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_union_the_kinds_and_the_class_list_agree() -> None:
    assert get_args(AnyQuestion) == QUESTION_CLASSES
    assert get_args(QuestionKind) == QUESTION_TYPES
    assert [cls.type for cls in QUESTION_CLASSES] == list(QUESTION_TYPES)


@pytest.mark.parametrize("cls", QUESTION_CLASSES, ids=QUESTION_TYPES)
def test_each_type_states_its_facts(cls: type[AnyQuestion]) -> None:
    assert cls.yaml_keys and cls.answer_help
    assert cls.stem_key in cls.yaml_keys
    assert not set(cls.yaml_keys) & set(cls.yaml_optional)


@pytest.mark.parametrize("kind", QUESTION_TYPES)
def test_each_type_is_documented(kind: str) -> None:
    text = (DOCS / "bank-format.md").read_text(encoding="utf-8")
    assert f"### `{kind}`" in text


def test_the_starter_bank_has_one_loadable_example_of_each_type(tmp_path: Path) -> None:
    bank_file = tmp_path / "starter.yaml"
    result = CliRunner().invoke(cli, ["new", str(bank_file)])
    assert result.exit_code == 0, result.output
    (bank,) = load_banks([bank_file])  # the loader builds every type
    assert [q.type for q in bank.questions] == list(QUESTION_TYPES)
    assert [type(q) for q in bank.questions] == list(QUESTION_CLASSES)


def test_the_json_schema_has_a_branch_for_each_type() -> None:
    schema = json.loads(CliRunner().invoke(cli, ["schema"]).stdout)
    question = schema["$defs"]["question"]
    assert question["properties"]["type"]["enum"] == list(QUESTION_TYPES)
    branches = [variant["if"]["properties"]["type"]["const"] for variant in question["allOf"]]
    assert branches == list(QUESTION_TYPES)
    for variant, cls in zip(question["allOf"], QUESTION_CLASSES, strict=True):
        properties = variant["then"]["properties"]
        assert set(cls.yaml_keys) <= set(properties)
        assert all(value is not None for value in properties.values())


def test_each_type_has_its_own_anki_note_type() -> None:
    assert list(NOTE_TYPES) == list(QUESTION_TYPES)
    assert [note_type(kind) for kind in QUESTION_TYPES] == list(NOTE_TYPES.values())
    assert len({nt.model_id for nt in NOTE_TYPES.values()}) == len(QUESTION_TYPES)


def test_questions_compare_hash_and_show_by_every_field_as_dataclasses_do() -> None:
    # Written once on Question rather than generated per type: the same behaviour.
    import dataclasses

    bank = load_banks([Path(__file__).resolve().parents[1] / "decks"])
    questions = [q for b in bank for q in b.questions]
    by_type = {type(q): q for q in questions}
    assert set(by_type) == set(QUESTION_CLASSES)
    for question in by_type.values():
        twin = dataclasses.replace(question)
        assert twin == question and hash(twin) == hash(question) and twin is not question
        for f in dataclasses.fields(question):
            changed = dataclasses.replace(question, **{f.name: object()})
            assert changed != question, f.name
        names = [f.name for f in dataclasses.fields(question)]
        inside = ", ".join(f"{n}={getattr(question, n)!r}" for n in names)
        assert repr(question) == f"{type(question).__name__}({inside})"
    mcq, multi = by_type[QUESTION_CLASSES[0]], by_type[QUESTION_CLASSES[1]]
    assert mcq != multi and mcq != (mcq.id,) and len(set(questions)) == len(questions)
