"""The review queue planned from indexed queries is the one the pure planner gives."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from quiz_banks import ALPHA, BETA, tf_bank, write_banks

from hoquiz.banks.cache import index_banks
from hoquiz.banks.loader import load_banks
from hoquiz.store import Answer, CardRef, Store, to_ms
from hoquiz.study.days import Days
from hoquiz.study.planning import (
    LEARN_AHEAD,
    Deck,
    Plan,
    plan_from_store,
    plan_review,
    study_cards,
)
from hoquiz.study.scheduling import CardState, Phase

T0 = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)
DAYS = Days(4, dt.UTC)


def fill(store: Store, keys: list[CardRef], rng: random.Random, odd: float = 0.1) -> None:
    """Random schedules (and a few rows of removed questions and older revisions).

    ``odd``: how often a card is left new, answered in cram mode or scheduled at an
    older revision (each); 0 studies every card through.
    """
    with store.batch():
        for ref in keys:
            if rng.random() < 4 * odd:
                continue
            state = rng.choice([Phase.LEARNING, Phase.REVIEW, Phase.RELEARNING])
            due = T0 + dt.timedelta(minutes=rng.randint(-3000, 3000))
            at = T0 - dt.timedelta(hours=rng.randint(0, 40))
            step = None if state == Phase.REVIEW else 0
            schedule = CardState(state, step, 3.0, 5.0, due, at, 1, rng.randint(0, 5))
            cram = rng.random() < odd
            store.record(
                ref._replace(revision=ref.revision - (rng.random() < odd)),
                Answer(at, 3, True, "x", 100, "cram" if cram else "review"),
                (lambda before: None) if cram else (lambda before, s=schedule: s),
            )


def assert_same_plan(plan: Plan, expected: Plan) -> None:
    """The same cards in the same order, the same learning cards, the same counts."""
    assert [c.key for c in plan.queue] == [c.key for c in expected.queue]
    assert [(d, c.key) for d, c in plan.learning] == [(d, c.key) for d, c in expected.learning]
    assert plan[2:] == expected[2:]


@pytest.mark.parametrize("seed", range(12))
def test_indexed_plan_is_the_pure_plan(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    folder = write_banks(
        tmp_path / "banks",
        alpha=ALPHA,
        beta=BETA,
        gamma=tf_bank("gamma", rng.randint(1, 30), revision=rng.randint(1, 2)),
        delta=tf_bank("delta", rng.randint(1, 30)),
    )
    banks = load_banks([folder])
    cards = study_cards(banks)
    refs = [c.ref for c in cards] + [CardRef("gamma/gone", "gamma", "gone", None, 1)]
    with Store.open(tmp_path / "p.db") as store:
        odd = rng.choice([0.1, 0.0])  # 0: banks studied through
        fill(store, refs, rng, odd)
        summaries = store.summaries()
        seen: list[tuple[int, int, int]] = []
        for new_per_day, limit in ((20, None), (rng.randint(0, 40), rng.choice([None, 3, 9]))):
            now = T0 + dt.timedelta(minutes=rng.randint(-60, 600))
            expected = plan_review(
                cards, summaries, now, new_per_day=new_per_day, limit=limit, days=DAYS
            )
            plans = []
            for read_ahead in (False, True):
                if read_ahead:
                    minutes = dt.timedelta(minutes=rng.randint(0, 5))
                    store.read_ahead(to_ms(now + LEARN_AHEAD + minutes))
                deck = Deck(index_banks(banks))
                plan, _ = plan_from_store(
                    deck, store, now, new_per_day=new_per_day, limit=limit, days=DAYS
                )
                plans.append(plan)
            planned, ahead = plans
            for plan in (planned, ahead):
                assert_same_plan(plan, expected)
            seen.append((planned.due, planned.new, len(planned.learning)))
    if odd:
        assert any(due and new for due, new, _ in seen)
    else:  # every card scheduled, the banks studied through: no new card
        assert all(due and not new for due, new, _ in seen)


def test_a_session_on_a_deck_starts_and_ends_as_on_a_card_list(tmp_path: Path) -> None:
    from quiz_banks import Clock, NoShuffle

    from hoquiz.study.engine import Quiz
    from hoquiz.study.grading import Unparseable
    from hoquiz.study.scheduling import Scheduler

    rng = random.Random(5)
    banks = load_banks([write_banks(tmp_path / "banks", alpha=ALPHA, beta=BETA)])
    cards = study_cards(banks)
    with Store.open(tmp_path / "p.db") as store:
        fill(store, [c.ref for c in cards], rng)
        quizzes = [
            Quiz(
                cards=selection,
                store=store,
                scheduler=Scheduler(fuzz=False),
                rng=NoShuffle(0),
                clock=Clock(T0),
                days=DAYS,
            )
            for selection in (cards, Deck(index_banks(banks)))
        ]
        assert quizzes[0].intro == quizzes[1].intro
        assert quizzes[1].intro.next_due is not None
        asked = quizzes[1].next()
        assert asked is not None
        if asked.card.question.self_graded:
            quizzes[1].rate("3")
        else:
            for text in ("a", "t", "1", "1a 2b 3c", "a b c", "word"):
                if not isinstance(quizzes[1].submit(text), Unparseable):
                    break
        done = quizzes[1].finish()
        after = Quiz(
            cards=cards, store=store, scheduler=Scheduler(), rng=NoShuffle(0), clock=Clock(T0)
        )
        assert done.answered == 1 and done.next_due == after.intro.next_due


def test_what_is_read_ahead_is_what_the_queries_read(tmp_path: Path) -> None:
    rng = random.Random(3)
    banks = load_banks([write_banks(tmp_path / "banks", alpha=ALPHA, beta=BETA)])
    cards = study_cards(banks)
    db = tmp_path / "p.db"
    with Store.open(db) as store:
        fill(store, [c.ref for c in cards] + [CardRef("gone/q", "gone", "q", None, 1)], rng)
    until = to_ms(T0 + dt.timedelta(hours=30))
    ids = ["alpha", "beta", "nowhere"]
    with Store.open(db) as store:
        due = list(store.scheduled_until(ids, until))
        keys = store.scheduled_keys(ids)
        assert due and keys
        store.read_ahead(until)
        assert list(store.scheduled_until(ids, until - 3_600_000)) == [
            row for row in due if row[3] <= until - 3_600_000
        ]
        assert store.scheduled_keys(ids) == keys
        assert list(store.scheduled_until(ids, until)) == due  # read again: used once
        store.read_ahead(until)
        assert list(store.scheduled_until(["beta"], until)) == [r for r in due if "beta/" in r[0]]
    opening = Store.opening(db, until)
    with opening.store() as store:
        assert list(store.scheduled_until(ids, until)) == due
        assert store.scheduled_keys(ids) == keys
    # Cards due at the same time come in key order.
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE cards SET due = ? WHERE id % 3 = 0 AND due IS NOT NULL", (until - 1,))
    raw.close()
    with Store.open(db) as store:
        due = list(store.scheduled_until(ids, until))
        assert [row[0] for row in due if row[3] == until - 1] == sorted(
            row[0] for row in due if row[3] == until - 1
        )
        store.read_ahead(until)
        assert list(store.scheduled_until(ids, until)) == due
    # A key no hoquiz writes (with a line break) is read as it is, row by row.
    with sqlite3.connect(db) as raw:
        raw.execute(
            "UPDATE cards SET card_key = card_key || char(10) || 'x' WHERE card_key = ?",
            (due[0][0],),
        )
    raw.close()
    with Store.open(db) as store:
        due, keys = list(store.scheduled_until(ids, until)), store.scheduled_keys(ids)
        assert any("\n" in row[0] for row in due)
        store.read_ahead(until)
        assert (list(store.scheduled_until(ids, until)), store.scheduled_keys(ids)) == (due, keys)


def test_the_quiz_reads_ahead_past_the_learning_cards_a_session_may_show() -> None:
    from hoquiz.cli.study import READ_AHEAD_MS

    assert LEARN_AHEAD // dt.timedelta(milliseconds=1) + 60_000 <= READ_AHEAD_MS


@given(st.lists(st.sampled_from(["mcq", "cloze", "short", "order"]), max_size=60))
def test_a_new_banks_cards_are_queued_by_type_in_bank_order(kinds: list[str]) -> None:
    from hoquiz.banks.cache import KIND_OF_CODE
    from hoquiz.study.planning import _queues_by_kind

    code_of = {kind: code for code, kind in KIND_OF_CODE.items()}
    expected: dict[str, list[tuple[int, int]]] = {}
    for i, kind in enumerate(kinds):
        expected.setdefault(kind, []).append((7, i))
    queued = _queues_by_kind(7, "".join(code_of[kind] for kind in kinds))
    assert [kind for kind, _ in queued] == list(expected)  # in the order they first come
    for (_, queue), wanted in zip(queued, expected.values(), strict=True):
        assert len(queue) == len(wanted)
        taken = [queue.popleft() for _ in range(len(wanted))]
        assert taken == wanted and len(queue) == 0
        with pytest.raises(IndexError):
            queue.popleft()


@pytest.mark.parametrize("seed", range(6))
def test_banks_studied_through_plan_as_card_by_card(
    tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every due card of a bank studied through: the plan comes from slices of the columns
    read (no look at each card's key), and is the same plan, cloze siblings left out."""
    import bisect
    from types import SimpleNamespace

    import hoquiz.study.planning as planning

    cuts: list[int] = []

    def spied(values: list[int], x: int) -> int:
        cuts.append(x)
        return bisect.bisect_right(values, x)

    monkeypatch.setattr(planning, "bisect", SimpleNamespace(bisect_right=spied))
    rng = random.Random(seed)
    folder = write_banks(
        tmp_path / "banks",
        alpha=ALPHA,
        beta=BETA,
        gamma=tf_bank("gamma", rng.randint(1, 40), revision=rng.randint(1, 2)),
        delta=tf_bank("delta", rng.randint(1, 40)),
    )
    banks = load_banks([folder])
    cards = study_cards(banks)
    assert any(c.cloze for c in cards)
    with Store.open(tmp_path / "p.db") as store:
        fill(store, [c.ref for c in cards], rng, odd=0.0)
        summaries = store.summaries()
        for limit in (None, rng.randint(1, 9)):
            now = T0 + dt.timedelta(minutes=rng.randint(-600, 600))
            expected = plan_review(cards, summaries, now, new_per_day=20, limit=limit, days=DAYS)
            store.read_ahead(to_ms(now + LEARN_AHEAD))
            plan, first_due = plan_from_store(
                Deck(index_banks(banks)), store, now, new_per_day=20, limit=limit, days=DAYS
            )
            assert_same_plan(plan, expected)
            assert first_due == min(s.due_ms for s in summaries.values() if s.due_ms is not None)
    assert cuts  # the columns' path was taken
