"""The values the progress database holds and returns, and their conversion from rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from hoquiz.errors import StoreError
from hoquiz.store.times import MAX_MS, MIN_MS, from_ms, to_ms
from hoquiz.study.modes import Mode
from hoquiz.study.scheduling import PHASES, CardState, Phase, Rating

MODES = tuple(Mode)


class BadRow(StoreError):
    """A row holds a value no hoquiz writes; the store adds the database's name."""


def indexes_text(indexes: tuple[int, ...] | None) -> str | None:
    """Option indexes as the JSON array the review log stores: ``[2,0,1]``."""
    return None if indexes is None else "[" + ",".join(str(int(i)) for i in indexes) + "]"


def indexes_from(text: str | None) -> tuple[int, ...] | None:
    """The inverse of :func:`indexes_text`."""
    if text is None:
        return None
    inside = text.strip()[1:-1]
    return tuple(int(part) for part in inside.split(",")) if inside.strip() else ()


class CardRef(NamedTuple):
    """A card as the banks define it: its key, where it comes from, its revision."""

    key: str
    bank_id: str
    question_id: str
    cloze: int | None
    revision: int


class StoredCard(NamedTuple):
    """A card's row: its schedule (``None`` while new) and the revision it is for."""

    id: int
    key: str
    bank_id: str
    question_id: str
    cloze: int | None
    revision: int
    schedule: CardState | None
    introduced: dt.datetime | None

    def schedule_for(self, revision: int) -> CardState | None:
        """The schedule, or ``None`` if the question's revision was raised since."""
        return self.schedule if revision <= self.revision else None


class CardSummary(NamedTuple):
    """What queue building needs of a card, cheap to load for every card."""

    revision: int
    state: Phase
    due_ms: int | None
    introduced_ms: int | None
    lapses: int


class Answer(NamedTuple):
    """One graded answer, as logged.

    ``chosen`` and ``shown`` are option indexes in the bank's order: the
    options the learner picked (mcq, multi), placed (order: the items in the
    order given) or paired (match: the right side given for each left), and
    the order the options were shown in. ``None`` for types without options.
    """

    reviewed_at: dt.datetime
    rating: Rating
    correct: bool
    given: str
    duration_ms: int
    mode: Mode
    chosen: tuple[int, ...] | None = None
    shown: tuple[int, ...] | None = None
    overridden: bool = False  # graded wrong, judged right by the learner


class Recorded(NamedTuple):
    """A committed answer, as :meth:`Store.undo` needs it to take it back.

    Attributes:
        card: the card's row as committed.
        log_id: the review-log row of the answer.
        previous: the card's row before the answer, column by column (``None``:
            there was none); opaque outside the store.
    """

    card: StoredCard
    log_id: int
    previous: tuple[Any, ...] | None


class LoggedReview(NamedTuple):
    """A review-log row joined with its card."""

    card_key: str
    bank_id: str
    reviewed_at: dt.datetime
    rating: Rating
    correct: bool
    mode: Mode
    state_before: Phase
    duration_ms: int
    answer: str
    revision: int
    chosen: tuple[int, ...] | None = None  # None: not logged, or no options
    shown: tuple[int, ...] | None = None
    overridden: bool = False


CARD_COLUMNS = (
    "id, card_key, bank_id, question_id, cloze, revision, state, step, stability, "
    "difficulty, due, last_review, reps, lapses, introduced"
)


def stored_card(row: tuple[Any, ...]) -> StoredCard:
    (cid, key, bank_id, question_id, cloze, revision, state, step, stability, difficulty,
     due, last_review, reps, lapses, introduced) = row  # fmt: skip
    schedule = None
    if state != Phase.NEW and due is not None:
        schedule = CardState.from_dict(
            {
                "state": state,
                "step": step,
                "stability": stability,
                "difficulty": difficulty,
                "due": from_ms(int(due)),
                "last_review": None if last_review is None else from_ms(int(last_review)),
                "reps": reps,
                "lapses": lapses,
            }
        )
    return StoredCard(
        id=int(cid),
        key=str(key),
        bank_id=str(bank_id),
        question_id=str(question_id),
        cloze=None if cloze is None else int(cloze),
        revision=int(revision),
        schedule=schedule,
        introduced=None if introduced is None else from_ms(int(introduced)),
    )


def schedule_values(state: CardState | None) -> tuple[object, ...]:
    if state is None:
        return (Phase.NEW, None, None, None, None, None, 0, 0)
    data = state.to_dict()
    return (
        data["state"],
        data["step"],
        data["stability"],
        data["difficulty"],
        to_ms(data["due"]),
        None if data["last_review"] is None else to_ms(data["last_review"]),
        data["reps"],
        data["lapses"],
    )


def _whole(value: object, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def logged_review(row: tuple[Any, ...]) -> LoggedReview:
    """A review-log row joined with its card's key and bank (the columns of ``reviews``).

    Raises:
        BadRow: a value no hoquiz writes, named with the card.
    """
    (key, bank_id, at, rating, correct, mode, before, duration, given, revision,
     chosen, shown, overridden) = row  # fmt: skip
    checks = (
        ("reviewed_at", at, _whole(at, MIN_MS, MAX_MS)),
        ("rating", rating, _whole(rating, Rating.AGAIN, Rating.EASY)),
        ("mode", mode, mode in MODES),
        ("state_before", before, _whole(before, 0, len(PHASES) - 1)),
        ("duration_ms", duration, _whole(duration, 0, 2**63 - 1)),
        ("revision", revision, _whole(revision, 0, 2**63 - 1)),
        ("answer", given, type(given) is str),
    )
    for name, value, valid in checks:
        if not valid:
            raise BadRow(
                f"card {key} has a logged answer with {name} {value!r}, which no hoquiz writes"
            )
    try:
        indexes = indexes_from(chosen), indexes_from(shown)
    except (ValueError, AttributeError, TypeError):
        raise BadRow(
            f"card {key} has a logged answer with options {chosen!r} {shown!r}, "
            "which no hoquiz writes"
        ) from None
    return LoggedReview(
        str(key), str(bank_id), from_ms(at), Rating(rating), bool(correct), Mode(mode),
        PHASES[before], duration, given, revision, *indexes, bool(overridden),
    )  # fmt: skip


class BankCards(NamedTuple):
    """A bank's card keys and their questions' revisions, for :meth:`Store.study_totals`.

    Most questions of a bank share one revision (``base``); ``raised`` holds
    only the keys whose revision differs.

    Attributes:
        keys: every card key of the bank.
        base: the revision of the keys not in ``raised``.
        raised: per key, a revision other than ``base``.
    """

    keys: frozenset[str]
    base: int
    raised: Mapping[str, int]

    def revision(self, key: str) -> int | None:
        """The revision of the question of card ``key`` (``None``: not a card of the bank)."""
        if key not in self.keys:
            return None
        return self.raised.get(key, self.base)

    @property
    def top(self) -> int:
        """The highest revision of the bank's questions."""
        return max(self.base, *self.raised.values()) if self.raised else self.base

    @classmethod
    def of(cls, revisions: Mapping[str, int]) -> BankCards:
        """From every card key's revision."""
        base = min(revisions.values(), default=1)
        raised = {key: r for key, r in revisions.items() if r != base}
        return cls(frozenset(revisions), base, raised)


class TotalsCutoffs(NamedTuple):
    """When the statistics' periods start (see :meth:`Store.study_totals`)."""

    now: dt.datetime
    day_start: dt.datetime
    retention_since: dt.datetime
    leech_lapses: int
    forecast_days: int
    day_starts: Sequence[dt.datetime] | None = None


class StudyTotals(NamedTuple):
    """What ``hoquiz stats`` counts, aggregated in SQL over the loaded banks' cards.

    Attributes:
        states: per bank id, (new, learning, review, due now) cards.
        forecast: per day from today (0) on, the scheduled cards due that day
            (overdue ones count today).
        leeches: (card key, lapses) of scheduled cards with many lapses.
        reviews: per bank id of the card, (answers in all, answers today).
        retention: per bank id of the stored card, (review-mode answers to cards in
            review since the cut-off, those not rated again).
    """

    states: dict[str, tuple[int, int, int, int]]
    forecast: dict[int, int]
    leeches: list[tuple[str, int]]
    reviews: dict[str, tuple[int, int]]
    retention: dict[str, tuple[int, int]]
