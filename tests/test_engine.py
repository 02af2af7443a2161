"""The quiz engine driven step by step, no terminal: what it returns, what the store holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from quiz_banks import ALPHA, Clock, NoShuffle, tf_bank, write_banks

from hoquiz.banks.loader import load_banks
from hoquiz.store import Store
from hoquiz.study.engine import Answered, Asked, Intro, Quiz
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
    assert quiz.intro == Intro(Mode.REVIEW, 1, 2, 0, 2, 0, 20)

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
    assert second.total == 3  # q1 is back in a learning step
    quiz.skip()

    clock.advance(minutes=2)
    again = quiz.next()
    assert again is not None and (again.card.key, again.number) == ("a/q1", 3)
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
    with pytest.raises(NotImplementedError):
        quiz.undo()
