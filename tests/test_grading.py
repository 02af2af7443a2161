"""Grading typed answers, type by type."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quiz_banks import ALPHA, write_banks

from hoquiz.banks.loader import load_banks
from hoquiz.model import Bank, Flashcard, Question
from hoquiz.study.grading import (
    Grade,
    Presentation,
    Unparseable,
    grade,
    parse_number,
    self_rating,
)
from hoquiz.study.scheduling import Rating


@pytest.fixture(scope="module")
def alpha(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    folder = write_banks(tmp_path_factory.mktemp("banks"), alpha=ALPHA)
    return load_banks([folder])[0]


def q(bank: Bank, question_id: str) -> Question:
    question = bank.question(question_id)
    assert question is not None
    return question


def graded(bank: Bank, question_id: str, typed: str, **shown: object) -> Grade:
    question = q(bank, question_id)
    presentation = Presentation(**shown) if shown else Presentation.natural(question)  # type: ignore[arg-type]
    result = grade(question, presentation, typed)
    assert isinstance(result, Grade), result
    return result


def hint(bank: Bank, question_id: str, typed: str, **shown: object) -> str:
    question = q(bank, question_id)
    presentation = Presentation(**shown) if shown else Presentation.natural(question)  # type: ignore[arg-type]
    result = grade(question, presentation, typed)
    assert isinstance(result, Unparseable), result
    return result.hint


# -- mcq ---------------------------------------------------------------------------


def test_mcq_letter_or_number_in_the_shown_order(alpha: Bank) -> None:
    # Shown as a) NOG  b) ACVR1  c) BMP4
    shown = {"order": (2, 0, 1)}
    assert graded(alpha, "gene", "b", **shown).correct
    assert graded(alpha, "gene", "2", **shown).correct
    assert graded(alpha, "gene", " B ", **shown).correct
    wrong = graded(alpha, "gene", "c", **shown)
    assert (wrong.correct, wrong.rating, wrong.given) == (False, Rating.AGAIN, "c) BMP4")
    assert wrong.chosen == (1,)


def test_mcq_unparseable_gives_a_hint(alpha: Bank) -> None:
    assert hint(alpha, "gene", "d") == "type one letter, a to c (or its number, 1 to 3)"
    assert hint(alpha, "gene", "acvr1") == "type one letter, a to c (or its number, 1 to 3)"
    assert hint(alpha, "gene", "   ") == "type one letter, a to c (or its number, 1 to 3)"


def test_hard_and_easy_marks(alpha: Bank) -> None:
    assert graded(alpha, "gene", "a +").rating == Rating.EASY
    assert graded(alpha, "gene", "a+").rating == Rating.EASY
    assert graded(alpha, "gene", "a -").rating == Rating.HARD
    assert graded(alpha, "gene", "a").rating == Rating.GOOD
    # A wrong answer is "again" whatever the mark.
    assert graded(alpha, "gene", "b +").rating == Rating.AGAIN
    assert graded(alpha, "drug", "indomethacin +").rating == Rating.EASY
    assert graded(alpha, "dose", "7 -").rating == Rating.HARD


# -- multi ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["a b", "a,b", "a, b", "b a", "ab", "1 2", "A B"])
def test_multi_accepts_letters_separated_by_spaces_or_commas(alpha: Bank, typed: str) -> None:
    assert graded(alpha, "sites", typed).correct


def test_multi_partial_answers_are_wrong_with_a_detail(alpha: Bank) -> None:
    missing = graded(alpha, "sites", "a")
    assert (missing.correct, missing.detail) == (False, "1 of 2 right choices")
    extra = graded(alpha, "sites", "a b c")
    assert (extra.correct, extra.detail) == (False, "2 of 2 right choices, 1 wrong")
    assert extra.given == "a b c"
    assert set(extra.chosen) == {0, 1, 2}


def test_multi_unparseable(alpha: Bank) -> None:
    expected = "type every right letter (a to c), separated by spaces or commas"
    assert hint(alpha, "sites", "a z") == expected
    assert hint(alpha, "sites", "hip") == expected


# -- true/false ------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "ok"), [("t", True), ("True", True), ("y", True),
                                           ("yes", True), ("f", False), ("FALSE", False),
                                           ("n", False), ("no.", False)])  # fmt: skip
def test_true_false_words(alpha: Bank, typed: str, ok: bool) -> None:
    assert graded(alpha, "bone", typed).correct is ok


def test_true_false_unparseable(alpha: Bank) -> None:
    assert hint(alpha, "bone", "maybe") == "type t or f (true/false, y/n)"


# -- short -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["indomethacin", " INDOMETHACIN ", "Indométacine", "indometacine!"]
)
def test_short_normalised_matching(alpha: Bank, typed: str) -> None:
    assert graded(alpha, "drug", typed).correct


def test_short_wrong_and_unparseable(alpha: Bank) -> None:
    wrong = graded(alpha, "drug", "ibuprofen")
    assert (wrong.correct, wrong.given) == (False, "ibuprofen")
    assert hint(alpha, "drug", "?!") == "type your answer in words"


# -- numeric ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["7", "7.4", "6.5", "7,5", "7 Gy", "7gy", "+7.0", "7e0"])
def test_numeric_within_tolerance_unit_optional(alpha: Bank, typed: str) -> None:
    assert graded(alpha, "dose", typed).correct


def test_numeric_outside_tolerance(alpha: Bank) -> None:
    wrong = graded(alpha, "dose", "7.6 Gy")
    assert (wrong.correct, wrong.given) == (False, "7.6 Gy")


def test_numeric_unparseable(alpha: Bank) -> None:
    assert hint(alpha, "dose", "seven") == "type a number, optionally followed by Gy"
    assert hint(alpha, "dose", "7 mg") == "give the number in Gy (the unit is optional)"


def test_parse_number() -> None:
    assert parse_number("1,000 mg") == (1000.0, "mg")
    assert parse_number("2,5") == (2.5, "")
    assert parse_number("-0.25%") == (-0.25, "%")
    assert parse_number(".5") == (0.5, "")
    assert parse_number("abc") is None
    assert parse_number("1e999") is None


# -- cloze -----------------------------------------------------------------------------


def test_cloze_grades_the_active_deletion(alpha: Bank) -> None:
    assert graded(alpha, "fop", "acvr1", cloze=1).correct
    assert graded(alpha, "fop", "R206H", cloze=2).correct
    assert graded(alpha, "fop", " r206h. ", cloze=2).correct
    assert not graded(alpha, "fop", "ACVR1", cloze=2).correct
    assert hint(alpha, "fop", "...", cloze=1) == "type the missing text"


# -- order -----------------------------------------------------------------------------


def test_order_letters_in_the_right_order(alpha: Bank) -> None:
    # Shown as a) Bone  b) Inflammation  c) Cartilage: the right order is b c a.
    shown = {"order": (2, 0, 1)}
    assert graded(alpha, "stages", "b c a", **shown).correct
    assert graded(alpha, "stages", "bca", **shown).correct
    assert graded(alpha, "stages", "b,c,a", **shown).correct
    wrong = graded(alpha, "stages", "c b a", **shown)
    assert (wrong.correct, wrong.detail) == (False, "1 of 3 in the right place")


def test_order_needs_every_letter_once(alpha: Bank) -> None:
    expected = "type all 3 letters (a to c) in the right order, each once"
    assert hint(alpha, "stages", "a b", order=(0, 1, 2)) == expected
    assert hint(alpha, "stages", "a a b", order=(0, 1, 2)) == expected


# -- match -----------------------------------------------------------------------------


def test_match_pairs(alpha: Bank) -> None:
    # Rights shown as a) COX-2 inhibitor  b) NSAID  c) Bisphosphonate
    shown = {"order": (2, 0, 1)}
    assert graded(alpha, "pairs", "1b 2c 3a", **shown).correct
    assert graded(alpha, "pairs", "3a, 1b, 2c", **shown).correct
    assert graded(alpha, "pairs", "1-b 2=c 3:a", **shown).correct
    assert graded(alpha, "pairs", "b c a", **shown).correct
    wrong = graded(alpha, "pairs", "1c 2b 3a", **shown)
    assert (wrong.correct, wrong.detail, wrong.given) == (False, "1 of 3 pairs right", "1c 2b 3a")


def test_match_unparseable(alpha: Bank) -> None:
    expected = "pair every number with a letter (a to c), written like 1? 2? 3?"
    assert hint(alpha, "pairs", "1b 2c") == expected
    assert hint(alpha, "pairs", "1b 1c 3a") == expected
    assert hint(alpha, "pairs", "4a 1b 2c") == expected
    assert hint(alpha, "pairs", "indomethacin") == expected


# -- flashcards ----------------------------------------------------------------------------


def test_self_rating() -> None:
    assert [self_rating(k) for k in ("1", "2", "3", "4", " 3 ", "easy", "g")] == [
        Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY, Rating.GOOD, Rating.EASY, Rating.GOOD,
    ]  # fmt: skip
    assert self_rating("5") == Unparseable("rate your recall: 1 again, 2 hard, 3 good, 4 easy")


def test_flashcards_are_not_graded_from_text(alpha: Bank) -> None:
    card = q(alpha, "define")
    assert isinstance(card, Flashcard)
    assert grade(card, Presentation(), "") == Unparseable("press Enter to reveal the answer")
    with pytest.raises(TypeError):
        grade(card, Presentation(), "bone")


# -- any input -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(typed=st.text(max_size=30), which=st.sampled_from(
    ["gene", "sites", "bone", "drug", "dose", "fop", "stages", "pairs"]))  # fmt: skip
def test_any_input_gives_a_grade_or_a_hint(tmp_path_factory: pytest.TempPathFactory,
                                           typed: str, which: str) -> None:  # fmt: skip
    bank = _cached_alpha(tmp_path_factory)
    question = q(bank, which)
    result = grade(question, Presentation.natural(question), typed)
    assert isinstance(result, (Grade, Unparseable))
    if isinstance(result, Unparseable):
        assert result.hint and "\n" not in result.hint


_ALPHA: list[Bank] = []


def _cached_alpha(factory: pytest.TempPathFactory) -> Bank:
    if not _ALPHA:
        folder = write_banks(Path(factory.mktemp("hyp")), alpha=ALPHA)
        _ALPHA.append(load_banks([folder])[0])
    return _ALPHA[0]
