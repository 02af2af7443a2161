"""The order of new cards: every type early, each keeping its share, banks in turn."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from hoquiz.banks.loader import load_banks
from hoquiz.banks.paths import bundled_decks_dir
from hoquiz.study.interleave import MIN_TYPES, WINDOW, interleave
from hoquiz.study.planning import plan_review, study_cards

Item = tuple[str, str, int]  # (type, bank, position in the bank)

KINDS = ("mcq", "multi", "true_false", "short", "numeric", "cloze", "flashcard", "order", "match")


def order(items: list[Item]) -> list[Item]:
    return list(interleave(items, kind=lambda i: i[0], group=lambda i: i[1]))


@st.composite
def selections(draw: st.DrawFn) -> list[Item]:
    """Banks of skewed type mixes (one type may dominate), in file order."""
    items: list[Item] = []
    for bank in range(draw(st.integers(1, 4))):
        kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=120))
        items += [(k, f"bank{bank}", n) for n, k in enumerate(kinds)]
    return items


@given(selections())
@settings(max_examples=300, deadline=None)
def test_any_twenty_consecutive_new_cards_show_five_types(items: list[Item]) -> None:
    ordered = order(items)
    assert sorted(ordered) == sorted(items)  # a reordering: nothing lost or repeated
    for start in range(len(ordered) - WINDOW + 1):
        run = {kind for kind, _, _ in ordered[start : start + WINDOW]}
        still_to_come = {kind for kind, _, _ in ordered[start:]}
        assert len(run) >= min(MIN_TYPES, len(still_to_come)), (start, ordered)


@given(selections())
@settings(max_examples=100, deadline=None)
def test_a_bank_s_questions_of_one_type_keep_their_file_order(items: list[Item]) -> None:
    ordered = order(items)
    assert order(items) == ordered  # the same every time
    for kind in KINDS:
        for bank in {b for _, b, _ in items}:
            positions = [n for k, b, n in ordered if (k, b) == (kind, bank)]
            assert positions == sorted(positions)


def test_one_type_takes_the_banks_in_turn() -> None:
    items = [("mcq", "a", 1), ("mcq", "a", 2), ("mcq", "a", 3), ("mcq", "b", 1), ("mcq", "c", 1)]
    assert order(items) == [
        ("mcq", "a", 1), ("mcq", "b", 1), ("mcq", "c", 1), ("mcq", "a", 2), ("mcq", "a", 3),
    ]  # fmt: skip


def test_types_keep_their_share_all_the_way_through() -> None:
    # 12 mcq and 4 of each other type: every quarter has 3 mcq and 1 of each other.
    items = [("mcq", "a", n) for n in range(12)]
    items += [(k, "a", n) for k in ("short", "order", "match", "cloze") for n in range(4)]
    ordered = order(items)
    for quarter in range(4):
        counts = Counter(k for k, _, _ in ordered[quarter * 7 : quarter * 7 + 7])
        assert counts == {"mcq": 3, "short": 1, "order": 1, "match": 1, "cloze": 1}


def test_a_first_week_of_the_bundled_decks_shows_every_type() -> None:
    cards = study_cards(load_banks([bundled_decks_dir()]))
    now = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    day_one = plan_review(cards, {}, now, new_per_day=20).queue
    kinds = Counter(card.kind for card in day_one)
    assert set(kinds) == set(KINDS)  # all nine types on the first day
    assert kinds["mcq"] <= 8
    assert len({card.bank.id for card in day_one}) == 9  # every bank too
