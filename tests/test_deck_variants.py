"""What learners type for the bundled short answers and cloze deletions is graded right.

tests/deck_variants.yaml lists, for every short answer and cloze deletion of the
bundled banks, the natural correct answers (the documents' own wording, plurals,
articles, possessives) and the tempting wrong ones. Entries marked
``needs: lenient`` are right only because of the lenient matcher (leading
articles ignored, plural and possessive folded, small typos forgiven); they
must pass like the rest, and the bank must not list them (the matcher, not a
pile of spellings, accepts them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from hoquiz.banks.loader import load_banks
from hoquiz.model import Bank, Cloze, Question, Short
from hoquiz.study.grading import Grade, Presentation, grade
from hoquiz.text import normalize

VARIANTS = Path(__file__).with_name("deck_variants.yaml")


class Case(NamedTuple):
    question: str
    cloze: int | None
    typed: str
    correct: bool
    lenient: bool


def _cases() -> list[Case]:
    entries: list[dict[str, Any]] = yaml.safe_load(VARIANTS.read_text(encoding="utf-8"))
    cases = []
    for entry in entries:
        for key, correct in (("accept", True), ("reject", False)):
            for item in entry.get(key, []):
                text, needs = (
                    (item["text"], item.get("needs")) if isinstance(item, dict) else (item, None)
                )
                cases.append(
                    Case(
                        entry["question"],
                        entry.get("cloze"),
                        str(text),
                        correct,
                        needs == "lenient",
                    )
                )
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def questions() -> dict[str, Question]:
    banks: list[Bank] = load_banks([])
    return {f"{b.id}/{q.id}": q for b in banks for q in b.questions}


def _case_id(case: Case) -> str:
    where = case.question + (f"/c{case.cloze}" if case.cloze else "")
    return f"{where}:{'accept' if case.correct else 'reject'}:{case.typed}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_variant_is_graded_as_listed(questions: dict[str, Question], case: Case) -> None:
    question = questions[case.question]
    shown = Presentation.natural(question, case.cloze)
    result = grade(question, shown, case.typed)
    assert isinstance(result, Grade), result
    assert result.correct is case.correct, f"{case.typed!r} for {case.question}"


@pytest.mark.parametrize("case", [c for c in CASES if c.lenient], ids=_case_id)
def test_lenient_variants_are_left_to_the_matcher(
    questions: dict[str, Question], case: Case
) -> None:
    question = questions[case.question]
    if isinstance(question, Short):
        written = {normalize(a) for a in question.accept}
    else:
        assert isinstance(question, Cloze)
        written = {normalize(d.answer) for d in question.deletions if d.number == case.cloze}
    assert normalize(case.typed) not in written


def test_every_short_answer_and_cloze_deletion_has_variants(
    questions: dict[str, Question],
) -> None:
    listed = {(c.question, c.cloze) for c in CASES}
    wanted = set()
    for key, q in questions.items():
        if isinstance(q, Short):
            wanted.add((key, None))
        elif isinstance(q, Cloze):
            wanted.update((key, n) for n in q.numbers)
    assert wanted - listed == set(), "no variants listed"
    assert listed - wanted == set(), "variants for a question that is gone"


def test_each_listed_answer_has_wrong_answers_too() -> None:
    rejected = {(c.question, c.cloze) for c in CASES if not c.correct}
    accepted = {(c.question, c.cloze) for c in CASES if c.correct}
    assert accepted == rejected
