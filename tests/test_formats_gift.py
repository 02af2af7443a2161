"""GIFT: export checked by gift-pegjs, import of Moodle's examples, round trips, the CLI."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.synth import write_synthetic_bank
from hoquiz.banks.loader import load_banks
from hoquiz.cli import cli
from hoquiz.formats.gift import GiftExporter, GiftImporter, escape
from hoquiz.model import (
    MCQ,
    Bank,
    Cloze,
    Flashcard,
    Match,
    Multi,
    Numeric,
    Question,
    Short,
    TrueFalse,
)
from tests.conftest import ALL_TYPES_BANK, MakeBank
from tests.formats_support import FIXTURES, as_model, comparable, gift_pegjs, questions, squash

# -- export --------------------------------------------------------------------------


def test_escape_backslashes_every_special_character() -> None:
    assert escape(r"a~b=c#d{e}f:g\h") == r"a\~b\=c\#d\{e\}f\:g\\h"
    assert escape("line one\nline two") == r"line one\nline two"
    assert escape("<b> & %") == "&lt;b&gt; &amp; %"
    assert escape("%50 of cases") == r"&\#37;50 of cases"


def test_export_of_every_type(make_bank: MakeBank) -> None:
    exported = GiftExporter().export(load_banks([make_bank(ALL_TYPES_BANK)]))
    text = exported.data.decode()
    assert text.startswith("$CATEGORY: $course$/top/All types\n\n")
    assert (
        "// [id:all-types/q-mcq]\n"
        "::q-mcq::Which study first? {\n"
        "=Radiography\n"
        "~MRI#Later.\n"
        "~Bone scan\n"
        "####Plain films first.\\nSource\\: A reference document, section “Imaging”\n"
        "}\n"
    ) in text
    assert "::q-multi::Which apply? {\n~%50%Hip\n~%50%Elbow\n~%-100%Nose\n" in text
    assert "::q-num::Weeks? {#3:0.5####About three." in text
    assert "::q-cloze-c2::Radiography shows {=mature bone####Maturity." in text
    assert [str(s) for s in exported.skipped] == [
        "all-types/q-order: order questions have no GIFT form; skipped"
    ]
    assert exported.questions == 8
    assert GiftExporter().export(load_banks([Path("bank.yaml")])).data == exported.data


# Types GIFT holds (order has no GIFT form).
GIFT_TYPES = ("mcq", "multi", "true_false", "short", "numeric", "cloze", "flashcard", "match")

# What gift-pegjs must read for each hoquiz type.
PEGJS_TYPE = {
    "mcq": "MC",
    "multi": "MC",
    "true_false": "TF",
    "short": "Short",
    "numeric": "Numerical",
    "cloze": "Short",
    "flashcard": "Essay",
    "match": "Matching",
}


def _check_with_pegjs(banks: list[Bank], tmp_path: Path) -> int:
    path = tmp_path / "export.gift"
    path.write_bytes(GiftExporter().export(banks).data)
    parsed = [q for q in gift_pegjs(path) if q["type"] != "Category"]
    by_id: dict[str, list[dict[str, Any]]] = {}
    for item in parsed:
        by_id.setdefault(item["id"], []).append(item)
    checked = 0
    for bank in banks:
        for question in bank.questions:
            if question.type == "order":
                assert f"{bank.id}/{question.id}" not in by_id
                continue
            items = by_id[f"{bank.id}/{question.id}"]
            for item in items:
                assert item["type"] == PEGJS_TYPE[question.type], (question.id, item)
                _check_answers(question, item)
                checked += 1
    return checked


def _text(value: dict[str, Any]) -> str:
    return squash(html.unescape(value["text"]))


def _check_answers(question: Question, item: dict[str, Any]) -> None:
    match question:
        case MCQ() | Multi():
            assert [_text(c["text"]) for c in item["choices"]] == [
                squash(c.text) for c in question.choices
            ]
            keys = {question.answer} if isinstance(question, MCQ) else set(question.answer)
            if isinstance(question, MCQ):
                right = [i for i, c in enumerate(item["choices"]) if c["isCorrect"]]
            else:
                right = [i for i, c in enumerate(item["choices"]) if (c["weight"] or 0) > 0]
            assert set(right) == keys
        case TrueFalse():
            assert item["isTrue"] is question.answer
        case Short():
            assert [_text(c["text"]) for c in item["choices"]] == [
                squash(a) for a in question.accept
            ]
        case Numeric():
            (choice,) = item["choices"] if isinstance(item["choices"], list) else [item]
            value = choice["text"] if "text" in choice else item["choices"]
            assert value["number"] == pytest.approx(question.answer)
            assert value["range"] == pytest.approx(question.tolerance)
        case Cloze():
            answers = {squash(d.answer) for d in question.deletions}
            assert _text(item["choices"][0]["text"]) in answers
        case Flashcard():
            assert _text(item["stem"]) == squash(question.front)
            assert _text(item["globalFeedback"]).startswith(f"Answer: {squash(question.back)}")
        case Match():
            assert [
                (_text(p["subquestion"]), squash(p["subanswer"])) for p in item["matchPairs"]
            ] == [(squash(a), squash(b)) for a, b in question.pairs]


def test_bundled_decks_parse_with_gift_pegjs(tmp_path: Path) -> None:
    banks = load_banks([])
    assert _check_with_pegjs(banks, tmp_path) > 180


def test_synthetic_10000_question_bank_parses_with_gift_pegjs(tmp_path: Path) -> None:
    banks = load_banks([write_synthetic_bank(tmp_path / "synthetic.yaml", n=10_000)])
    assert _check_with_pegjs(banks, tmp_path) > 8_800


def test_special_characters_survive_gift_pegjs(make_bank: MakeBank, tmp_path: Path) -> None:
    bank = make_bank(
        """
        id: specials
        title: "Specials: {braces} / slashes"
        questions:
          - id: tricky
            type: mcq
            prompt: 'Which of ~ = # { } : \\ <b> & reads back literally?'
            choices: ['a ~ b', 'c = d', 'e # f', '{g}', 'h: i', '\\j', '<k> & l', '%50 m']
            answer: '{g}'
            explanation: "All of them: each is escaped once."
            source: {doc: other, section: Any}
        """
    )
    assert _check_with_pegjs(load_banks([bank]), tmp_path) == 1


# -- import --------------------------------------------------------------------------


def _import(name: str) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    path = FIXTURES / name
    imported = GiftImporter().parse(path.read_text(encoding="utf-8"), name)
    questions = imported.bank["questions"]
    return questions, [str(p) for p in imported.problems], [str(w) for w in imported.warnings]


def test_imports_the_examples_of_moodles_gift_documentation() -> None:
    questions, problems, warnings = _import("moodle-doc-examples.gift")
    assert problems == []
    assert warnings == [
        "moodle-doc-examples.gift:72:1: a description (no answer block) is not imported"
    ]
    assert [(q["id"], q["type"]) for q in questions] == [
        ("q1", "true_false"),
        ("q2", "mcq"),
        ("q3", "short"),
        ("q4", "match"),
        ("q5", "numeric"),
        ("q6", "numeric"),
        ("q7", "numeric"),
        ("q8", "flashcard"),
        ("who-s-buried-in-grant-s", "mcq"),
        ("grant-is-in-grant-s-tomb", "mcq"),
        ("grant-is-buried-in-grant-s", "true_false"),
        ("the-sun-rises-in-the-east", "true_false"),
        ("who-s-buried-in-grant-s-2", "short"),
        ("two-plus-two-equals", "short"),
        ("which-answer-equals-5", "mcq"),
        ("what-two-people-are-entombed-in", "multi"),
        ("match-the-following-countries-with-their", "match"),
        ("kanji-origin", "short"),
        ("jesus-hometown", "mcq"),
    ]
    by_id = {q["id"]: q for q in questions}
    assert by_id["q2"]["choices"][0] == {"text": "yellow", "feedback": "right; good!"}
    assert by_id["q5"]["answer"] == 3 and by_id["q5"]["tolerance"] == 2
    assert by_id["q6"]["answer"] == 3 and by_id["q6"]["tolerance"] == 2
    assert by_id["q7"] == {
        "id": "q7",
        "type": "numeric",
        "prompt": "When was Ulysses S. Grant born?",
        "answer": 1822,
    }
    assert by_id["grant-is-in-grant-s-tomb"]["prompt"] == "Grant is _____ in Grant's tomb."
    assert by_id["which-answer-equals-5"]["answer"] == "= 2 + 3"
    assert by_id["what-two-people-are-entombed-in"]["answer"] == ["Grant", "Grant's wife"]
    assert by_id["kanji-origin"]["explanation"] == (
        "Japanese characters were adapted from Chinese characters."
    )
    assert by_id["jesus-hometown"]["answer"] == "Nazareth"
    assert by_id["jesus-hometown"]["tags"] == ["harry"]


def test_every_broken_question_is_reported_with_its_position() -> None:
    questions, problems, _ = _import("broken.gift")
    assert problems == [
        "broken.gift:1:43: answer block '{' is not closed by '}'",
        "broken.gift:3:36: no correct answer: mark one with = or a weight above 0%",
        "broken.gift:5:35: not a number answer: 'abc'",
        "broken.gift:9:40: weight 150% is not between -100% and 100%",
    ]
    assert [q["id"] for q in questions] == ["fine"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_questions_or_located_problems(text: str) -> None:
    imported = GiftImporter().parse(text, "any.gift")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for problem in (*imported.problems, *imported.warnings):
        assert 1 <= problem.line <= len(lines)
        assert 1 <= problem.column <= len(lines[problem.line - 1]) + 1


# -- round trip ----------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(questions(GIFT_TYPES))
def test_round_trip_keeps_what_gift_holds(question: Question) -> None:
    bank = Bank(id="b", title="B", questions=(question,), path=Path("b.yaml"), sources={})
    text = GiftExporter().export([bank]).data.decode()
    imported = GiftImporter().parse(text, "b.gift")
    assert imported.problems == ()
    (data,) = imported.bank["questions"]
    expected = comparable(question)
    if isinstance(question, Multi):
        expected["answer"] = list(question.answer)
    if isinstance(question, Numeric):
        expected["unit"] = None
    assert as_model(data) == expected
    assert data["explanation"] == squash(question.explanation)


# -- the command line ---------------------------------------------------------------


def test_import_writes_a_bank_that_validates_and_lint_lists_placeholders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("quiz.gift").write_text(
        (FIXTURES / "moodle-doc-examples.gift").read_text(encoding="utf-8"), encoding="utf-8"
    )
    runner = CliRunner()
    done = runner.invoke(cli, ["import", "quiz.gift", "-o", "grant.yaml"])
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines() == [
        "Wrote sources.yaml (a placeholder source to complete)",
        "Wrote grant.yaml: 19 questions, 37 placeholders to complete (see hoquiz lint)",
    ]
    assert done.stderr == "quiz.gift:72:1: a description (no answer block) is not imported\n"
    assert runner.invoke(cli, ["validate", "grant.yaml"]).exit_code == 0
    lint = runner.invoke(cli, ["lint", "grant.yaml", "--rule", "import-placeholder"])
    assert lint.exit_code == 1
    assert lint.stderr.splitlines()[-1] == "37 warnings in 1 file"
    assert (
        "grant.yaml:10:18: explanation is a placeholder from hoquiz import; write it "
        "[import-placeholder]" in lint.stderr
    )
    first = Path("grant.yaml").read_bytes()

    again = runner.invoke(cli, ["import", "quiz.gift", "-o", "grant.yaml", "--source", "to-cite"])
    assert again.exit_code == 2
    assert "grant.yaml already exists; use --force to replace it" in again.stderr
    forced = runner.invoke(
        cli, ["import", "quiz.gift", "-o", "grant.yaml", "--source", "to-cite", "--force"]
    )
    assert forced.exit_code == 0, forced.output
    assert Path("grant.yaml").read_bytes() == first  # same file, same ids, same bytes


def test_import_of_a_broken_file_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("broken.gift").write_text((FIXTURES / "broken.gift").read_text(encoding="utf-8"))
    done = CliRunner().invoke(cli, ["import", "broken.gift", "-o", "out.yaml"])
    assert done.exit_code == 1
    assert done.stderr.splitlines() == [
        "broken.gift:1:43: answer block '{' is not closed by '}'",
        "broken.gift:3:36: no correct answer: mark one with = or a weight above 0%",
        "broken.gift:5:35: not a number answer: 'abc'",
        "broken.gift:9:40: weight 150% is not between -100% and 100%",
        "4 problems in 1 file",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.gift"]


def test_export_lists_what_gift_cannot_hold_and_strict_refuses(make_bank: MakeBank) -> None:
    bank = make_bank(ALL_TYPES_BANK)
    runner = CliRunner()
    done = runner.invoke(cli, ["export", str(bank), "--format", "gift"])
    assert done.exit_code == 0, done.output
    assert done.stderr == "all-types/q-order: order questions have no GIFT form; skipped\n"
    assert done.stdout == "Wrote hoquiz.gift: 8 questions, 1 question skipped (listed above)\n"
    strict = runner.invoke(
        cli, ["export", str(bank), "--format", "gift", "-o", "s.gift", "--strict"]
    )
    assert strict.exit_code == 1
    assert strict.stderr.splitlines() == [
        "Error: all-types/q-order: order questions have no GIFT form; skipped",
        "1 question cannot be written as gift (--strict); nothing written",
    ]
    assert not Path("s.gift").exists()


def test_html_format_crlf_and_escapes_are_read() -> None:
    text = (
        "// from a Windows editor\r\n"
        "::Format::[html]<p>Which is <b>bold</b>&nbsp;\\{here\\}?</p>{\r\n"
        "  =<i>This</i> one#<p>Yes.</p>\r\n"
        "  ~That one\r\n"
        "}\r\n"
    )
    imported = GiftImporter().parse(text, "win.gift")
    assert imported.problems == ()
    assert imported.bank["questions"] == [
        {
            "id": "format",
            "type": "mcq",
            "prompt": "Which is bold {here}?",
            "choices": [{"text": "This one", "feedback": "Yes."}, "That one"],
            "answer": "This one",
        }
    ]


def test_bundled_decks_round_trip_through_gift() -> None:
    banks = load_banks([])
    imported = GiftImporter().parse(GiftExporter().export(banks).data.decode(), "decks.gift")
    assert imported.problems == () and imported.warnings == ()
    by_id = {q["id"]: q for q in imported.bank["questions"]}
    compared = 0
    for question in (q for b in banks for q in b.questions):
        if question.type in ("order", "cloze"):  # no GIFT form; one question per blank
            continue
        expected = comparable(question)
        if isinstance(question, Multi):
            expected["answer"] = list(question.answer)
        if isinstance(question, Numeric):
            expected["unit"] = None  # GIFT has no units
        assert as_model(by_id[question.id]) == expected, question.id
        compared += 1
    assert compared > 170
