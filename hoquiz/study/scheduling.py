"""FSRS scheduling: a thin layer over the ``fsrs`` package (its only importer).

Time is always passed in (timezone-aware, converted to UTC) and fuzzing can
be turned off, so tests pin every interval. ``fsrs`` itself is imported on
the first review, off the quiz's start-up path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from hoquiz.errors import StoreError
from hoquiz.text import plural

if TYPE_CHECKING:
    import fsrs

DEFAULT_RETENTION = 0.9
# A card lapsed this many times is a leech: the quiz says so, stats lists it.
LEECH_LAPSES = 4


class Rating(IntEnum):
    """How well a card was recalled: fsrs's ``Rating`` values, as the review log stores them."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        """The word a learner types and reads: "again", "hard", "good", "easy"."""
        return self.name.lower()

    @property
    def marked(self) -> bool:
        """HARD or EASY: a right answer the learner marked as such."""
        return self in (Rating.HARD, Rating.EASY)


class Phase(IntEnum):
    """Where a card is in its schedule: fsrs's ``State`` values, plus NEW (never scheduled)."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3

    @property
    def in_steps(self) -> bool:
        """Learning or relearning: the card comes back within minutes."""
        return self in (Phase.LEARNING, Phase.RELEARNING)


PHASES = tuple(Phase)
"""``PHASES[n]`` is ``Phase(n)``, without the enum lookup (for rows read in bulk)."""


def utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC (fsrs insists on ``timezone.utc``).

    Raises:
        ValueError: ``moment`` is naive: its time zone would be a guess.
    """
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class CardState:
    """Where one card stands in its schedule.

    Attributes:
        state: LEARNING, REVIEW or RELEARNING (a new card has no CardState).
        step: the learning or relearning step, ``None`` in REVIEW.
        stability: FSRS stability in days.
        difficulty: FSRS difficulty, 1 to 10.
        due: when the card is next due (UTC).
        last_review: when it was last reviewed (UTC).
        reps: reviews that changed the schedule.
        lapses: times a REVIEW card was forgotten (rated again).
    """

    state: Phase
    step: int | None
    stability: float | None
    difficulty: float | None
    due: dt.datetime
    last_review: dt.datetime | None
    reps: int = 0
    lapses: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain values for storage; times as aware UTC datetimes."""
        return {
            "state": self.state,
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": self.due,
            "last_review": self.last_review,
            "reps": self.reps,
            "lapses": self.lapses,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CardState:
        """The inverse of :meth:`to_dict`."""
        last = data["last_review"]
        return cls(
            state=PHASES[int(data["state"])],
            step=None if data["step"] is None else int(data["step"]),
            stability=None if data["stability"] is None else float(data["stability"]),
            difficulty=None if data["difficulty"] is None else float(data["difficulty"]),
            due=utc(data["due"]),
            last_review=None if last is None else utc(last),
            reps=int(data.get("reps", 0)),
            lapses=int(data.get("lapses", 0)),
        )


class Scheduler:
    """Decides when a card comes back, given a rating.

    Args:
        desired_retention: the probability of recall FSRS aims for at the due
            time (0.9 by default; higher means more reviews).
        fuzz: spread review intervals a little so cards learnt together do not
            stay together; tests turn it off.
        parameters: FSRS model weights (fsrs's defaults when ``None``).
    """

    def __init__(
        self,
        desired_retention: float = DEFAULT_RETENTION,
        *,
        fuzz: bool = True,
        parameters: tuple[float, ...] | None = None,
    ) -> None:
        if not 0 < desired_retention < 1:
            raise ValueError("desired retention must be between 0 and 1")
        self.desired_retention = desired_retention
        self.fuzz = fuzz
        self.parameters = parameters
        self._fsrs: fsrs.Scheduler | None = None

    def _scheduler(self) -> fsrs.Scheduler:
        if self._fsrs is None:
            import fsrs

            kwargs: dict[str, Any] = {}
            if self.parameters is not None:
                kwargs["parameters"] = self.parameters
            self._fsrs = fsrs.Scheduler(
                desired_retention=self.desired_retention, enable_fuzzing=self.fuzz, **kwargs
            )
        return self._fsrs

    def identity(self) -> str:
        """What stored states made by this scheduler mean, as JSON: fsrs's release and weights.

        Two schedulers with the same identity read a card's stability, difficulty
        and due date alike. The release is major.minor: dependency bounds keep
        fsrs below its next minor, and patch releases do not change the model.
        Desired retention is left out: it sets future intervals, not what a
        stored state means.
        """
        import json

        release = ".".join(fsrs_version().split(".")[:2])
        # fsrs's defaults are a fact of its release: named, not copied, so the quiz's
        # start-up does not import fsrs.
        weights: str | list[float] = (
            "default" if self.parameters is None else [round(float(w), 6) for w in self.parameters]
        )
        return json.dumps({"fsrs": release, "parameters": weights}, separators=(",", ":"))

    def review(self, state: CardState | None, rating: Rating, now: dt.datetime) -> CardState:
        """The card's state after being rated ``rating`` (AGAIN..EASY) at ``now``.

        ``state`` is ``None`` for a card never reviewed (or reset).
        """
        import fsrs

        now = utc(now)
        card = _to_fsrs(state, now)
        reviewed, _ = self._scheduler().review_card(card, fsrs.Rating(rating), now)
        lapsed = state is not None and state.state == Phase.REVIEW and rating == Rating.AGAIN
        after = _from_fsrs(reviewed)
        return replace(
            after,
            reps=(state.reps if state else 0) + 1,
            lapses=(state.lapses if state else 0) + int(lapsed),
        )

    def retrievability(self, state: CardState | None, now: dt.datetime) -> float:
        """The predicted probability of recalling the card at ``now`` (0 for new)."""
        if state is None:
            return 0.0
        return float(self._scheduler().get_card_retrievability(_to_fsrs(state, now), utc(now)))


def fsrs_version() -> str:
    """The installed fsrs release, without importing fsrs.

    Read from the name of its ``fsrs-X.Y.Z.dist-info`` folder next to the
    package (importing :mod:`importlib.metadata` costs more than the rest of
    a quiz's start-up); from the package metadata when that is not one folder.
    """
    import importlib.util
    import os

    spec = importlib.util.find_spec("fsrs")
    if spec is not None and spec.origin is not None:
        folder = os.path.dirname(os.path.dirname(spec.origin))
        try:
            found = [
                name
                for name in os.listdir(folder)
                if name.startswith("fsrs-") and name.endswith(".dist-info")
            ]
        except OSError:
            found = []
        if len(found) == 1:
            return found[0][len("fsrs-") : -len(".dist-info")]
    import importlib.metadata

    return importlib.metadata.version("fsrs")


def _to_fsrs(state: CardState | None, now: dt.datetime) -> fsrs.Card:
    import fsrs

    if state is None:
        # card_id is only a label inside fsrs; passing one avoids its 1 ms sleep.
        return fsrs.Card(card_id=0, state=fsrs.State.Learning, step=0, due=utc(now))
    return fsrs.Card(
        card_id=0,
        state=fsrs.State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due,
        last_review=state.last_review,
    )


def _from_fsrs(card: fsrs.Card) -> CardState:
    return CardState(
        state=PHASES[int(card.state)],
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=utc(card.due),
        last_review=None if card.last_review is None else utc(card.last_review),
    )


def describe_interval(delta: dt.timedelta) -> str:
    """``delta`` in words a learner reads at a glance: "in 10 minutes", "in 3 days"."""
    seconds = round(delta.total_seconds())  # stored times are whole milliseconds
    if seconds <= 0:
        return "now"
    if seconds < 60:
        return "in under a minute"
    units = (("day", 86400), ("hour", 3600), ("minute", 60))
    for name, size in units:
        if seconds >= size:
            count = round(seconds / size)
            if name == "day" and count >= 60:
                months = round(seconds / (86400 * 30.44))
                if months >= 24:
                    years = round(seconds / (86400 * 365.25))
                    return f"in {years} years"
                return f"in {months} months"
            return f"in {plural(count, name)}"
    return "now"  # pragma: no cover


def scheduler_change(recorded: str, current: str) -> str | None:
    """How the scheduler ``current`` differs from the ``recorded`` one (``None``: it does not)."""
    if recorded == current:
        return None
    import json

    try:
        before, now = json.loads(recorded), json.loads(current)
        if before["fsrs"] != now["fsrs"]:
            return f"fsrs {before['fsrs']}, and this hoquiz schedules with fsrs {now['fsrs']}"
        return f"other FSRS parameters than this hoquiz uses (fsrs {now['fsrs']})"
    except (ValueError, KeyError, TypeError):
        return "a scheduler this hoquiz does not recognise"


class SchedulerRecord(Protocol):
    """Where the identity of the scheduler behind stored states is kept (the store)."""

    path: Path

    def scheduler(self) -> str | None: ...

    def set_scheduler(self, identity: str) -> None: ...


def use_scheduler(record: SchedulerRecord, scheduler: Scheduler, *, adopt: bool = False) -> None:
    """Check that ``scheduler`` reads the stored states as they were made; record it if new.

    A database without a record (new, or from a hoquiz before records) takes
    ``scheduler``'s. With ``adopt`` a different recorded scheduler is replaced:
    the stored states are kept as they are and reviewed by ``scheduler`` from now on.

    Raises:
        StoreError: the states were made by another scheduler and ``adopt`` is off;
            nothing was written.
    """
    current = scheduler.identity()
    recorded = record.scheduler()
    if recorded is None or adopt:
        if recorded != current:
            record.set_scheduler(current)
        return
    change = scheduler_change(recorded, current)
    if change is not None:
        raise StoreError(
            f"the schedules in {record.path} were made with {change}; an upgrade "
            "would read them differently. Run `hoquiz quiz --adopt-scheduler` to go on "
            "with this version (stored states are kept and rescheduled from now on), "
            "or install the fsrs release they were made with"
        )
