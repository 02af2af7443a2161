"""Aiken (mcq only) and the flashcard CSV layout: exact output, import, round trips."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from hoquiz.banks.loader import load_banks
from hoquiz.cli import cli
from hoquiz.formats.aiken import AikenExporter, AikenImporter
from hoquiz.formats.csv_format import CsvExporter, CsvImporter
from hoquiz.formats.moodle_xml import MoodleXmlImporter
from hoquiz.model import MCQ, Bank, Flashcard, Question
from tests.conftest import ALL_TYPES_BANK, MakeBank
from tests.formats_support import FIXTURES, as_model, comparable, questions, squash


def test_aiken_export_writes_mcqs_and_lists_the_rest(make_bank: MakeBank) -> None:
    exported = AikenExporter().export(load_banks([make_bank(ALL_TYPES_BANK)]))
    assert exported.data.decode() == (
        "Which study first?\nA. MRI\nB. Bone scan\nC. Radiography\nANSWER: C\n"
    )
    assert [str(s) for s in exported.skipped] == [
        f"all-types/{q}: {t} questions have no Aiken form (mcq only); skipped"
        for q, t in (
            ("q-multi", "multi"),
            ("q-tf", "true_false"),
            ("q-short", "short"),
            ("q-num", "numeric"),
            ("q-cloze", "cloze"),
            ("q-flash", "flashcard"),
            ("q-order", "order"),
            ("q-match", "match"),
        )
    ]


def test_aiken_import_and_its_located_errors() -> None:
    sample = AikenImporter().parse((FIXTURES / "sample.aiken").read_text(), "sample.aiken")
    assert sample.problems == ()
    assert sample.bank["questions"][1] == {
        "id": "which-gas-do-plants-take-in",
        "type": "mcq",
        "prompt": "Which gas do plants take in for photosynthesis?",
        "choices": ["Oxygen", "Carbon dioxide", "Nitrogen", "Helium"],
        "answer": "Carbon dioxide",
    }
    broken = AikenImporter().parse((FIXTURES / "broken.aiken").read_text(), "broken.aiken")
    assert [str(p) for p in broken.problems] == [
        "broken.aiken:1:1: question has no 'ANSWER: <letter>' line",
        "broken.aiken:8:9: answer 'C' is not one of the choice letters A, B",
        "broken.aiken:10:1: question needs at least 2 choices (A. ..., B. ...)",
    ]
    assert [q["id"] for q in broken.bank["questions"]] == ["a-fine-question"]


@settings(max_examples=150, deadline=None)
@given(questions(("mcq",)))
def test_aiken_round_trip_keeps_prompt_choices_and_key(question: Question) -> None:
    assert isinstance(question, MCQ)
    bank = Bank(id="b", title="B", questions=(question,), path=Path("b.yaml"), sources={})
    imported = AikenImporter().parse(AikenExporter().export([bank]).data.decode(), "b.txt")
    assert imported.problems == ()
    (data,) = imported.bank["questions"]
    assert squash(data["prompt"]) == squash(question.prompt)
    assert sorted(data["choices"]) == sorted(squash(c.text) for c in question.choices)
    assert data["answer"] == squash(question.choices[question.answer].text)


def test_csv_export_has_one_row_per_card(make_bank: MakeBank) -> None:
    exported = CsvExporter().export(load_banks([make_bank(ALL_TYPES_BANK)]))
    rows = list(csv.reader(io.StringIO(exported.data.decode(), newline="")))
    assert rows[0] == ["front", "back", "id", "explanation", "tags"]
    assert [r[2] for r in rows[1:]] == [
        "q-mcq",
        "q-multi",
        "q-tf",
        "q-short",
        "q-num",
        "q-cloze-c1",
        "q-cloze-c2",
        "q-flash",
        "q-order",
        "q-match",
    ]
    assert rows[1] == [
        "Which study first?\n  a) MRI\n  b) Bone scan\n  c) Radiography",
        "c) Radiography",
        "q-mcq",
        "Plain films first.",
        "sample",
    ]
    assert rows[6][:2] == [
        "[imaging] shows mature bone.",
        "Radiography  (Radiography shows mature bone.)",
    ]
    assert exported.skipped == ()


def test_csv_import_and_its_located_errors() -> None:
    cards = CsvImporter().parse((FIXTURES / "cards.csv").read_text(), "cards.csv")
    assert cards.problems == ()
    assert cards.bank["questions"] == [
        {
            "id": "peru",
            "type": "flashcard",
            "front": "Capital of Peru",
            "back": "Lima",
            "explanation": "Lima, on the Pacific coast, has been the capital since 1535.",
            "tags": ["capitals", "americas"],
        },
        {
            "id": "a-front-with-a-comma-and",
            "type": "flashcard",
            "front": "A front with a comma, and\na line break",
            "back": "Its back",
        },
        {
            "id": "capital-of-kenya",
            "type": "flashcard",
            "front": "Capital of Kenya",
            "back": "Nairobi",
            "tags": ["capitals"],
        },
    ]
    broken = CsvImporter().parse((FIXTURES / "broken.csv").read_text(), "broken.csv")
    assert [str(p) for p in broken.problems] == [
        "broken.csv:2:2: empty back",
        "broken.csv:3:1: CSV error: unexpected end of data",
    ]
    header = CsvImporter().parse("question,answer\nA,B\n", "q.csv")
    assert [str(p) for p in header.problems] == [
        "q.csv:1:1: the header row must name the columns front and back "
        "(optional: id, explanation, tags); missing: front, back"
    ]


@settings(max_examples=150, deadline=None)
@given(questions(("flashcard",)))
def test_csv_round_trip_keeps_flashcards(question: Question) -> None:
    assert isinstance(question, Flashcard)
    bank = Bank(id="b", title="B", questions=(question,), path=Path("b.yaml"), sources={})
    imported = CsvImporter().parse(CsvExporter().export([bank]).data.decode(), "b.csv")
    assert imported.problems == ()
    (data,) = imported.bank["questions"]
    assert as_model(data) == comparable(question)
    assert data["explanation"] == squash(question.explanation)


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml", "qti", "aiken", "csv"])
def test_bundled_decks_export_to_every_format_reproducibly(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(cli, ["export", "--format", fmt, "-o", "one"])
    second = runner.invoke(cli, ["export", "--format", fmt, "-o", "two"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    assert first.stdout.startswith("Wrote one: ")
    assert Path("one").read_bytes() == Path("two").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one", "two"]  # no temporary left


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_questions_or_located_problems(text: str) -> None:
    for importer in (AikenImporter(), CsvImporter(), MoodleXmlImporter()):
        imported = importer.parse(text, "any")
        for problem in (*imported.problems, *imported.warnings):
            assert problem.line >= 1 and problem.column >= 1


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="<>/=\"' quiz question type text name answer fraction{}:~#", max_size=200))
def test_any_xml_gives_questions_or_located_problems(text: str) -> None:
    imported = MoodleXmlImporter().parse(f"<quiz>{text}</quiz>", "any.xml")
    for problem in (*imported.problems, *imported.warnings):
        assert problem.line >= 1 and problem.column >= 1
