"""Moodle XML: a hand-checked sample, well-formed by lxml, round trips, import of a Moodle file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from benchmarks.synth import write_synthetic_bank
from hoquiz.banks.loader import load_banks
from hoquiz.cli import cli
from hoquiz.formats.moodle_xml import MoodleXmlExporter, MoodleXmlImporter, escape_embedded
from hoquiz.model import Bank, Cloze, Multi, Question
from tests.conftest import ALL_TYPES_BANK, MakeBank
from tests.formats_support import FIXTURES, as_model, comparable, questions

etree = pytest.importorskip("lxml.etree", reason="lxml is a test dependency ('.[test]')")

ALL_TYPES = ("mcq", "multi", "true_false", "short", "numeric", "flashcard", "order", "match")


def test_export_matches_the_hand_checked_sample(make_bank: MakeBank) -> None:
    exported = MoodleXmlExporter().export(load_banks([make_bank(ALL_TYPES_BANK)]))
    assert exported.data == (FIXTURES / "all-types.moodle.xml").read_bytes()
    assert exported.skipped == ()
    assert exported.questions == 9


def test_embedded_answers_escape_moodles_special_characters() -> None:
    assert escape_embedded('a}b#c~d/e"f\\g') == 'a\\}b\\#c\\~d\\/e\\"f\\\\g'


def _well_formed(data: bytes) -> Any:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == "quiz"
    return root


def test_bundled_and_synthetic_exports_are_well_formed(tmp_path: Path) -> None:
    for banks in (
        load_banks([]),
        load_banks([write_synthetic_bank(tmp_path / "synthetic.yaml", n=10_000)]),
    ):
        root = _well_formed(MoodleXmlExporter().export(banks).data)
        questions_out = [q for q in root.findall("question") if q.get("type") != "category"]
        assert len(questions_out) == sum(len(b.questions) for b in banks)


def _round_trip(banks: list[Bank]) -> list[dict[str, Any]]:
    text = MoodleXmlExporter().export(banks).data.decode()
    imported = MoodleXmlImporter().parse(text, "export.xml")
    assert imported.problems == ()
    assert imported.warnings == ()
    return imported.bank["questions"]


def _expected(question: Question) -> dict[str, Any]:
    expected = comparable(question)
    if isinstance(question, Multi):
        expected["answer"] = list(question.answer)
    if isinstance(question, Cloze):
        # Moodle numbers its blanks 1, 2, ... and has no hints.
        expected["text"] = _renumbered(question)
        expected.pop("deletions", None)
    return expected


def _renumbered(question: Cloze) -> str:
    out, pos = [], 0
    for n, d in enumerate(question.deletions, start=1):
        out.append(question.text[pos : d.start] + f"{{{{c{n}::{d.answer}}}}}")
        pos = d.end
    return " ".join(("".join(out) + question.text[pos:]).split())


def test_bundled_decks_round_trip(tmp_path: Path) -> None:
    banks = load_banks([])
    imported = _round_trip(banks)
    originals = [q for b in banks for q in b.questions]
    assert len(imported) == len(originals)
    for question, data in zip(originals, imported, strict=True):
        assert as_model(data) == _expected(question), question.id
        assert data["id"] == question.id


@settings(max_examples=200, deadline=None)
@given(questions(("cloze", *ALL_TYPES)))
def test_round_trip_keeps_what_moodle_xml_holds(question: Question) -> None:
    bank = Bank(id="b", title="B", questions=(question,), path=Path("b.yaml"), sources={})
    (data,) = _round_trip([bank])
    assert as_model(data) == _expected(question)


def test_imports_a_moodle_export() -> None:
    path = FIXTURES / "moodle-sample.xml"
    imported = MoodleXmlImporter().parse(path.read_text(encoding="utf-8"), "moodle-sample.xml")
    assert imported.problems == ()
    assert [str(w) for w in imported.warnings] == [
        "moodle-sample.xml:128:3: embedded MULTICHOICE answer 2 becomes a typed blank",
        "moodle-sample.xml:134:3: Moodle 'description' questions are not imported",
        "moodle-sample.xml:140:3: Moodle 'calculated' questions are not imported",
    ]
    assert imported.bank["title"] == "Capitals"
    by_id = {q["id"]: q for q in imported.bank["questions"]}
    assert list(by_id) == [
        "capital-of-france",
        "capitals-on-rivers",
        "canberra",
        "capital-of-japan",
        "founding-of-washington",
        "countries-and-capitals",
        "why-capitals-move",
        "nile-capitals",
    ]
    assert by_id["capital-of-france"] == {
        "id": "capital-of-france",
        "type": "mcq",
        "prompt": "What is the capital of France?",
        "choices": [
            {"text": "Paris", "feedback": "Yes."},
            {"text": "Lyon", "feedback": "Second city & not the capital."},
            "Marseille",
        ],
        "answer": "Paris",
        "explanation": "Paris has been the capital since 987.",
        "tags": ["europe", "capitals"],
    }
    assert by_id["capitals-on-rivers"]["answer"] == ["Vienna", "Budapest"]
    assert by_id["capital-of-japan"]["accept"] == ["Tokyo", "Tōkyō"]  # Edo is 50%: not kept
    assert by_id["founding-of-washington"]["unit"] == "AD"
    assert by_id["countries-and-capitals"]["pairs"] == [
        ["Canada", "Ottawa"],
        ["Kenya", "Nairobi"],
        ["Peru", "Lima"],
    ]
    assert by_id["why-capitals-move"]["back"] == "Security, growth of the interior, a fresh start."
    assert by_id["nile-capitals"]["text"] == (
        "Cairo lies on the {{c1::Nile}}, and Khartoum where the {{c2::Blue and White}} Nile meet."
    )


def test_malformed_xml_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("bad.xml").write_text("<quiz>\n  <question type='truefalse'>\n</quiz>\n")
    Path("entities.xml").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY a "aaaa">]>\n<quiz>&a;</quiz>\n'
    )
    done = CliRunner().invoke(cli, ["import", "bad.xml", "entities.xml", "-o", "out.yaml"])
    assert done.exit_code == 1
    assert done.stderr.splitlines() == [
        "bad.xml:3:3: XML syntax error: mismatched tag",
        "entities.xml:2:28: entity declarations are not allowed",
        "2 problems in 2 files",
    ]
    assert not Path("out.yaml").exists()


def test_imported_moodle_file_validates_and_lints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("geo.xml").write_bytes((FIXTURES / "moodle-sample.xml").read_bytes())
    runner = CliRunner()
    done = runner.invoke(cli, ["import", "geo.xml", "-o", "geo.yaml", "--bank-id", "geography"])
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[-1] == (
        "Wrote geo.yaml: 8 questions, 15 placeholders to complete (see hoquiz lint)"
    )
    assert runner.invoke(cli, ["validate", "geo.yaml"]).exit_code == 0
    shown = runner.invoke(cli, ["show", "geography/capital-of-france", "geo.yaml"])
    assert shown.exit_code == 0, shown.output
    assert "What is the capital of France?" in shown.stdout
