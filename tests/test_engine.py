"""The quiz engine driven step by step, no terminal: what it returns, what the store holds."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from quiz_banks import ALPHA, Clock, NoShuffle, tf_bank, write_banks

from hoquiz.banks.loader import load_banks
from hoquiz.store import Store
from hoquiz.study.engine import Answered, Asked, Intro, NotAvailable, Quiz
from hoquiz.study.grading import Unparseable
from hoquiz.study.modes import Mode
from hoquiz.study.planning import study_cards
from hoquiz.study.scheduling import Phase, Rating, Scheduler

T0 = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "progress.db") as opened:
        yield opened


def quiz_of(
    tmp_path: Path, store: Store, clock: Clock, mode: Mode = Mode.REVIEW, **banks: str
) -> Quiz:
    cards = study_cards(load_banks([write_banks(tmp_path / "banks", **banks)]))
    return Quiz(
        cards=cards,
        store=store,
        scheduler=Scheduler(fuzz=False),
        rng=NoShuffle(0),
        clock=clock,
        mode=mode,
    )


def test_a_review_step_by_step(tmp_path: Path, store: Store) -> None:
    clock = Clock(T0)
    quiz = quiz_of(tmp_path, store, clock, a=tf_bank("a", 2))
    assert quiz.intro == Intro(Mode.REVIEW, 1, 2, 0, 2, 0, 20, 2, 20, None, T0)

    first = quiz.next()
    assert isinstance(first, Asked)
    assert (first.card.key, first.number, first.total) == ("a/q1", 1, 2)
    clock.advance(seconds=4)
    assert quiz.submit("maybe") == Unparseable("type t or f (true/false, y/n)")
    assert store.summaries() == {}  # not an answer: nothing recorded
    wrong = quiz.submit("f")
    assert isinstance(wrong, Answered)
    assert (wrong.grade.correct, wrong.grade.rating, wrong.feedback) == (False, Rating.AGAIN, True)
    assert wrong.schedule is not None and wrong.schedule.due == T0 + dt.timedelta(seconds=64)
    (logged,) = store.reviews()
    assert (logged.card_key, logged.answer, logged.duration_ms) == ("a/q1", "false", 4000)

    second = quiz.next()
    assert second is not None and second.card.key == "a/q2"
    assert (second.number, second.total) == (2, 2)  # q1 coming back adds no card
    quiz.skip()

    clock.advance(minutes=2)
    again = quiz.next()
    assert again is not None and (again.card.key, again.number, again.again) == ("a/q1", 2, True)
    right = quiz.submit("t +")
    assert isinstance(right, Answered) and right.grade.rating == Rating.EASY
    assert quiz.next() is None

    result = quiz.finish()
    assert (result.answered, result.correct, result.skipped) == (2, 1, 1)
    assert result.ended == T0 + dt.timedelta(minutes=2, seconds=4)
    card = store.card("a/q1")
    assert card is not None and card.schedule is not None and card.schedule.state == Phase.REVIEW
    assert [r.rating for r in store.reviews()] == [Rating.AGAIN, Rating.EASY]
    assert quiz.history == [wrong, right]


def test_flashcards_are_rated_and_exams_keep_feedback(tmp_path: Path, store: Store) -> None:
    clock = Clock(T0)
    quiz = quiz_of(tmp_path, store, clock, alpha=ALPHA)
    while (asked := quiz.next()) is not None and not asked.card.question.self_graded:
        quiz.skip()
    assert asked is not None and asked.card.key == "alpha/define"
    assert quiz.rate("maybe") == Unparseable("rate your recall: 1 again, 2 hard, 3 good, 4 easy")
    rated = quiz.rate("hard", attempt="")
    assert isinstance(rated, Answered)
    assert (rated.grade.correct, rated.grade.given) == (True, "(rated hard)")

    exam = quiz_of(tmp_path / "exam", store, clock, Mode.EXAM, a=tf_bank("a", 1))
    shown = exam.next()
    assert shown is not None
    answered = exam.submit("f")
    assert isinstance(answered, Answered) and not answered.feedback and answered.schedule is None
    result = exam.finish()
    assert [m.given for m in result.missed] == ["false"]


def test_steps_out_of_order_are_refused(tmp_path: Path, store: Store) -> None:
    quiz = quiz_of(tmp_path, store, Clock(T0), a=tf_bank("a", 1))
    with pytest.raises(RuntimeError, match="call next"):
        quiz.submit("t")
    assert quiz.next() is not None
    with pytest.raises(NotAvailable, match="nothing to undo"):
        quiz.undo()


# -- undo and override ------------------------------------------------------------------


def dump(store: Store) -> list[str]:
    """The whole database as SQL: equal dumps, equal databases."""
    raw = sqlite3.connect(store.path)
    try:
        return list(raw.iterdump())
    finally:
        raw.close()


def test_undo_puts_the_database_back_and_asks_again(tmp_path: Path, store: Store) -> None:
    clock = Clock(T0)
    quiz = quiz_of(tmp_path, store, clock, alpha=ALPHA)
    first = quiz.next()
    assert first is not None and first.card.key == "alpha/gene"
    quiz.submit("a")  # right: alpha/gene is learning, due in 10 minutes
    before = dump(store)
    clock.advance(minutes=1)
    second = quiz.next()
    assert second is not None and second.card.key == "alpha/sites"
    answered = quiz.submit("a")  # wrong
    assert isinstance(answered, Answered) and not answered.grade.correct
    third = quiz.next()
    assert third is not None and (third.card.key, third.number) == ("alpha/bone", 3)

    again = quiz.undo()  # at the prompt of the third question
    assert dump(store) == before
    assert (again.card.key, again.shown, again.number) == ("alpha/sites", second.shown, 2)
    assert (quiz.result.answered, quiz.result.correct) == (1, 1)
    assert quiz.submit("a b") == quiz.history[-1]  # answered again, right this time
    after = quiz.next()  # the third question was put back, not lost
    assert after is not None and (after.card.key, after.number) == ("alpha/bone", 3)
    assert [r.answer for r in store.reviews()] == ["a) ACVR1", "a b"]


def test_undo_twice_takes_back_two_answers(tmp_path: Path, store: Store) -> None:
    quiz = quiz_of(tmp_path, store, Clock(T0), a=tf_bank("a", 3))
    empty = dump(store)
    for _ in range(2):
        assert quiz.next() is not None
        quiz.submit("t")
    assert quiz.undo().card.key == "a/q2"
    assert quiz.undo().card.key == "a/q1"
    assert dump(store) == empty
    with pytest.raises(NotAvailable, match="nothing to undo"):
        quiz.undo()
    assert quiz.submit("t") is not None
    assert [a.card.key for a in (quiz.next(), quiz.next()) if a] == ["a/q2", "a/q3"]


def test_override_counts_a_wrong_answer_as_good(tmp_path: Path, store: Store) -> None:
    clock = Clock(T0)
    quiz = quiz_of(tmp_path, store, clock, alpha=ALPHA)
    quiz.next()
    wrong = quiz.submit("b")
    assert isinstance(wrong, Answered) and wrong.schedule is not None
    assert wrong.schedule.due == T0 + dt.timedelta(minutes=1)  # again: a 1-minute step
    right = quiz.override()
    assert (right.grade.correct, right.grade.rating, right.overridden) == (True, Rating.GOOD, True)
    assert right.schedule is not None and right.schedule.due == T0 + dt.timedelta(minutes=10)
    [logged] = store.reviews()
    assert (logged.answer, logged.rating, logged.correct, logged.overridden) == (
        "b) BMP4", Rating.GOOD, True, True,
    )  # fmt: skip
    assert (quiz.result.answered, quiz.result.correct) == (1, 1)
    with pytest.raises(NotAvailable, match="graded right already"):
        quiz.override()
    # The learning queue holds the card once, at its Good step.
    clock.advance(minutes=30)
    keys = []
    while (asked := quiz.next()) is not None:
        keys.append(asked.card.key)
        quiz.skip()
    assert keys.count("alpha/gene") == 1 and keys[0] == "alpha/gene"


def test_undo_and_override_after_a_flashcard_rating(tmp_path: Path, store: Store) -> None:
    flashcard = """\
id: f
title: F
questions:
  - id: define
    type: flashcard
    front: Define heterotopic ossification.
    back: Bone forming where bone should not be.
    explanation: Lamellar bone in soft tissue.
    source: {doc: guide, section: Causes}
"""
    quiz = quiz_of(tmp_path, store, Clock(T0), f=flashcard)
    empty = dump(store)
    asked = quiz.next()
    assert asked is not None and asked.card.key == "f/define"
    forgot = quiz.rate("1", "no idea")
    assert isinstance(forgot, Answered) and forgot.grade.rating == Rating.AGAIN
    assert quiz.undo().card.key == "f/define"
    assert dump(store) == empty
    quiz.rate("again")
    judged = quiz.override()
    assert (judged.grade.rating, judged.grade.given) == (Rating.GOOD, "(rated again)")
    [logged] = store.reviews()
    assert (logged.rating, logged.overridden) == (Rating.GOOD, True)


def test_an_exam_has_undo_but_no_override(tmp_path: Path, store: Store) -> None:
    quiz = quiz_of(tmp_path, store, Clock(T0), Mode.EXAM, a=tf_bank("a", 3))
    quiz.next()
    quiz.submit("f")
    skipped = quiz.next()
    assert skipped is not None
    quiz.skip()
    with pytest.raises(NotAvailable, match="an exam shows no verdicts"):
        quiz.override()
    quiz.next()
    quiz.undo()
    assert (quiz.result.answered, quiz.result.exam_results, len(quiz.result.missed)) == (
        0, [(skipped.card, False)], 1,
    )  # fmt: skip  # the skip stays; the answer is gone


def test_a_fourth_lapse_is_announced_as_a_leech(tmp_path: Path, store: Store) -> None:
    clock = Clock(T0)
    leeches = []
    for n in range(6):
        quiz = quiz_of(tmp_path / str(n), store, clock, a=tf_bank("a", 1))
        while quiz.next() is not None:
            answered = quiz.submit("t")  # graduate to review
            assert isinstance(answered, Answered)
        clock.advance(days=60)
        quiz = quiz_of(tmp_path / f"{n}-lapse", store, clock, a=tf_bank("a", 1))
        assert quiz.next() is not None
        lapse = quiz.submit("f")
        assert isinstance(lapse, Answered)
        leeches.append(lapse.leech)
        clock.advance(minutes=30)
    assert leeches == [False, False, False, True, True, True]  # from the fourth lapse on


def test_undo_and_override_while_the_card_itself_is_back(tmp_path: Path, store: Store) -> None:
    # Wrong, so back in a minute: with nothing else left it is asked again at once.
    quiz = quiz_of(tmp_path, store, Clock(T0), a=tf_bank("a", 1))
    assert quiz.next() is not None
    quiz.submit("f")
    repeat = quiz.next()
    assert repeat is not None and repeat.again
    assert quiz.undo().card.key == "a/q1"  # the answer, not its repeat, is asked
    quiz.submit("t")  # a 10-minute step
    assert quiz.next() is not None
    quiz.submit("t")  # graduated: days away
    assert quiz.next() is None  # no stale repeat from the undone answer

    other = quiz_of(tmp_path / "2", store, Clock(T0), b=tf_bank("b", 1))
    assert other.next() is not None
    other.submit("f")
    assert other.next() is not None  # the repeat of the wrong answer
    other.override()
    assert other.current is None  # its repeat is over: it is now at Good's 10-minute step
    again = other.next()
    assert again is not None and again.card.key == "b/q1"
    other.submit("t")
    assert other.next() is None
