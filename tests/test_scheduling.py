"""The FSRS layer: pinned time, fuzzing off."""

from __future__ import annotations

import datetime as dt

import pytest

from hoquiz.study.scheduling import CardState, Phase, Rating, Scheduler, describe_interval

T0 = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)


def graduate(scheduler: Scheduler, start: dt.datetime = T0) -> CardState:
    """A new card answered Good twice, ten minutes apart: now in review."""
    card = scheduler.review(None, Rating.GOOD, start)
    card = scheduler.review(card, Rating.GOOD, card.due)
    assert card.state == Phase.REVIEW
    return card


def test_new_card_learning_steps() -> None:
    s = Scheduler(fuzz=False)
    again = s.review(None, Rating.AGAIN, T0)
    assert (again.state, again.step, again.due - T0) == (Phase.LEARNING, 0, MIN)
    good = s.review(None, Rating.GOOD, T0)
    assert (good.state, good.step, good.due - T0) == (Phase.LEARNING, 1, 10 * MIN)
    easy = s.review(None, Rating.EASY, T0)
    assert easy.state == Phase.REVIEW and easy.step is None
    assert easy.due - T0 >= DAY
    assert (good.reps, good.lapses, good.last_review) == (1, 0, T0)


def test_graduating_then_a_lapse() -> None:
    s = Scheduler(fuzz=False)
    card = graduate(s)
    assert card.due - card.last_review >= DAY  # type: ignore[operator]
    lapsed = s.review(card, Rating.AGAIN, card.due)
    assert (lapsed.state, lapsed.due - card.due, lapsed.lapses, lapsed.reps) == (
        Phase.RELEARNING,
        10 * MIN,
        1,
        3,
    )
    # Relearning "again" is not another lapse.
    again = s.review(lapsed, Rating.AGAIN, lapsed.due)
    assert again.lapses == 1


def test_ratings_order_intervals() -> None:
    s = Scheduler(fuzz=False)
    card = graduate(s)
    later = card.due + 2 * DAY
    intervals = [
        s.review(card, r, later).due - later for r in (Rating.HARD, Rating.GOOD, Rating.EASY)
    ]
    assert intervals == sorted(intervals) and len(set(intervals)) == 3


def test_higher_retention_means_shorter_intervals() -> None:
    loose, strict = Scheduler(0.8, fuzz=False), Scheduler(0.95, fuzz=False)
    a, b = graduate(loose), graduate(strict)
    assert (a.due - T0) > (b.due - T0)


def test_no_fuzz_is_deterministic_and_fuzz_can_vary() -> None:
    plain = [graduate(Scheduler(fuzz=False)) for _ in range(5)]
    assert len({c.due for c in plain}) == 1
    s = Scheduler(fuzz=True)
    card = graduate(Scheduler(fuzz=False))
    long_wait = card.due + 30 * DAY
    dues = {s.review(card, Rating.GOOD, long_wait).due for _ in range(40)}
    assert len(dues) > 1


def test_round_trip_through_dict() -> None:
    card = graduate(Scheduler(fuzz=False))
    assert CardState.from_dict(card.to_dict()) == card
    data = card.to_dict()
    assert set(data) == {
        "state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses",
    }  # fmt: skip


def test_times_are_utc() -> None:
    s = Scheduler(fuzz=False)
    paris = dt.timezone(dt.timedelta(hours=1))
    card = s.review(None, Rating.GOOD, T0.astimezone(paris))
    assert card.due.tzinfo == dt.UTC and card.due == T0 + 10 * MIN
    with pytest.raises(ValueError, match="timezone-aware"):
        s.review(None, Rating.GOOD, dt.datetime(2025, 1, 1))


def test_bad_retention() -> None:
    with pytest.raises(ValueError):
        Scheduler(1.0)


def test_retrievability() -> None:
    s = Scheduler(fuzz=False)
    assert s.retrievability(None, T0) == 0.0
    card = graduate(s)
    assert s.retrievability(card, card.due) == pytest.approx(0.9, abs=0.02)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (dt.timedelta(seconds=30), "in under a minute"),
        (dt.timedelta(0), "now"),
        (dt.timedelta(minutes=1), "in 1 minute"),
        (dt.timedelta(minutes=10), "in 10 minutes"),
        (dt.timedelta(hours=5), "in 5 hours"),
        (dt.timedelta(days=1), "in 1 day"),
        (dt.timedelta(days=12), "in 12 days"),
        (dt.timedelta(days=90), "in 3 months"),
        (dt.timedelta(days=1000), "in 3 years"),
        (dt.timedelta(days=-2), "now"),
    ],
)
def test_describe_interval(delta: dt.timedelta, text: str) -> None:
    assert describe_interval(delta) == text
