"""The quiz engine: a session as a state machine with no I/O of its own.

A front end (the terminal quiz, a test, some day a web page) drives a
:class:`Quiz` step by step and renders the plain values it returns::

    quiz = Quiz(cards=..., store=..., scheduler=..., rng=..., clock=...)
    quiz.intro                      # what the session holds
    while (asked := quiz.next()) is not None:
        ...                         # show asked.card as asked.shown
        quiz.submit(text)           # or quiz.rate(text) (flashcards), quiz.skip()
    result = quiz.finish()

The store, the clock and the random source are parameters; every graded
answer is recorded (committed) by :meth:`Quiz.submit` or :meth:`Quiz.rate`
before it returns.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple, assert_never

from hoquiz.store import Answer, from_ms, to_ms
from hoquiz.study.grading import Grade, Presentation, Unparseable, grade, self_rating
from hoquiz.study.modes import Mode
from hoquiz.study.planning import (
    DEFAULT_EXAM_LENGTH,
    DEFAULT_NEW_PER_DAY,
    LEARN_AHEAD,
    Plan,
    StudyCard,
    is_new,
    plan_cram,
    plan_exam,
    plan_review,
    present,
)
from hoquiz.study.scheduling import CardState, Rating

if TYPE_CHECKING:
    from hoquiz.store import CardSummary, Store
    from hoquiz.study.scheduling import Scheduler

Clock = Callable[[], dt.datetime]


class Intro(NamedTuple):
    """What a session holds when it starts."""

    mode: Mode
    banks: int  # banks the selected cards come from
    queued: int  # cards planned
    due: int  # of them, due reviews (review mode)
    new: int  # of them, new cards (review mode)
    learning: int  # cards in learning steps that may come back during the session
    new_allowance: int  # new cards still allowed today (review mode)

    @property
    def empty(self) -> bool:
        return not self.queued and not self.learning


class Asked(NamedTuple):
    """The card to show now, in the option order to show it, and its place in the session."""

    card: StudyCard
    shown: Presentation
    number: int
    total: int


class Answered(NamedTuple):
    """A graded and recorded answer.

    Attributes:
        schedule: the card's new schedule (review mode), else ``None``.
        at: when it was answered.
        feedback: whether to show the verdict now (not in exam mode).
    """

    card: StudyCard
    shown: Presentation
    grade: Grade
    schedule: CardState | None
    at: dt.datetime
    feedback: bool


class Missed(NamedTuple):
    """An exam question not answered correctly, for the report."""

    card: StudyCard
    shown: Presentation
    given: str | None  # None: skipped
    chosen: tuple[int, ...] = ()


class SessionResult:
    """What happened in a session; the CLI turns ``interrupted`` into exit status 130."""

    def __init__(self, mode: Mode, started: dt.datetime) -> None:
        self.mode = mode
        self.started = started
        self.ended = started
        self.answered = 0
        self.correct = 0
        self.skipped = 0
        self.interrupted = False
        self.next_due: dt.datetime | None = None
        self.exam_results: list[tuple[StudyCard, bool]] = []
        self.missed: list[Missed] = []


class Quiz:
    """One quiz session over ``cards``: plans at once, then answers :meth:`next` and the rest.

    Args:
        cards: the selected cards (see :func:`hoquiz.study.planning.study_cards`).
        store: the progress database.
        scheduler: FSRS, for review mode.
        rng: shuffles options (and draws cram and exam questions).
        clock: the current time, timezone-aware.
        mode: review, cram or exam.
        new_per_day: review mode's daily allowance of new cards.
        limit: the most cards to show (exam: the number of questions).
    """

    # A plain class, not a dataclass: building dataclasses costs start-up time.
    def __init__(
        self,
        *,
        cards: Sequence[StudyCard],
        store: Store,
        scheduler: Scheduler,
        rng: random.Random,
        clock: Clock,
        mode: Mode = Mode.REVIEW,
        new_per_day: int = DEFAULT_NEW_PER_DAY,
        limit: int | None = None,
    ) -> None:
        self.mode = Mode(mode)  # ValueError for an unknown mode
        self.cards = cards
        self.store = store
        self.scheduler = scheduler
        self.rng = rng
        self.clock = clock
        self.new_per_day = new_per_day
        self.limit = limit
        self.history: list[Answered] = []  # what undo will take back
        started = clock()
        summaries = store.summaries()
        self._dues = {
            c.key: s.due_ms
            for c in cards
            if (s := summaries.get(c.key)) is not None and not is_new(c, s) and s.due_ms is not None
        }
        plan = self._plan(started, summaries)
        self.result = SessionResult(self.mode, started)
        self.intro = Intro(
            self.mode,
            len({c.bank.id for c in cards}),
            len(plan.queue),
            plan.due,
            plan.new,
            len(plan.learning),
            plan.new_allowance,
        )
        self._queue = deque(plan.queue)
        self._learning = [(due, n, card) for n, (due, card) in enumerate(plan.learning)]
        heapq.heapify(self._learning)
        self._serial = len(self._learning)
        self._shown = 0
        self._current: Asked | None = None
        self._asked_at = started

    def _plan(self, now: dt.datetime, summaries: dict[str, CardSummary]) -> Plan:
        match self.mode:
            case Mode.REVIEW:
                return plan_review(
                    self.cards, summaries, now, new_per_day=self.new_per_day, limit=self.limit
                )
            case Mode.CRAM:
                return plan_cram(self.cards, self.rng, limit=self.limit)
            case Mode.EXAM:
                return plan_exam(self.cards, self.rng, limit=self.limit or DEFAULT_EXAM_LENGTH)
            case _:
                assert_never(self.mode)

    # -- stepping ---------------------------------------------------------------

    def next(self) -> Asked | None:
        """The next card to show (``None``: the session is over); its answer time starts now."""
        card = self._next_card(self.clock())
        if card is None:
            self._current = None
            return None
        self._shown += 1
        total = self._shown + len(self._queue) + len(self._learning)
        self._current = Asked(card, present(card, self.rng), self._shown, total)
        self._asked_at = self.clock()
        return self._current

    def _next_card(self, now: dt.datetime) -> StudyCard | None:
        learning = self._learning
        if learning and learning[0][0] <= now:
            return heapq.heappop(learning)[2]
        if self._queue:
            return self._queue.popleft()
        if learning and learning[0][0] <= now + LEARN_AHEAD:
            return heapq.heappop(learning)[2]
        return None

    def submit(self, text: str) -> Answered | Unparseable:
        """Grade and record what was typed for the current (not self-graded) card.

        Unparseable input is not an answer: nothing is recorded, the card stays.
        """
        asked = self._asking()
        verdict = grade(asked.card.question, asked.shown, text)
        if isinstance(verdict, Unparseable):
            return verdict
        return self._answer(asked, verdict)

    def rate(self, text: str, attempt: str = "") -> Answered | Unparseable:
        """Record a self-graded card's rating (``1``-``4`` or a word); ``attempt`` is what the
        learner typed before revealing the answer, if anything."""
        asked = self._asking()
        rating = self_rating(text)
        if isinstance(rating, Unparseable):
            return rating
        given = attempt.strip() or f"(rated {rating.label})"
        return self._answer(asked, Grade(rating != Rating.AGAIN, rating, given))

    def skip(self) -> None:
        """Leave the current card ungraded (an exam counts it as missed)."""
        asked = self._asking()
        self._current = None
        self.result.skipped += 1
        if self.mode == Mode.EXAM:
            self.result.exam_results.append((asked.card, False))
            self.result.missed.append(Missed(asked.card, asked.shown, None))

    def undo(self) -> Answered:
        """Take back the last recorded answer (not available yet)."""
        raise NotImplementedError("undo is not available yet")

    def finish(self, *, interrupted: bool = False) -> SessionResult:
        """End the session: when it ended and when the next card is due."""
        self._current = None
        result = self.result
        result.interrupted = interrupted
        result.ended = self.clock()
        result.next_due = from_ms(min(self._dues.values())) if self._dues else None
        return result

    # -- recording --------------------------------------------------------------

    def _asking(self) -> Asked:
        if self._current is None:
            raise RuntimeError("no card is being asked: call next() first")
        return self._current

    def _answer(self, asked: Asked, verdict: Grade) -> Answered:
        self._current = None
        answered_at = self.clock()
        schedule = self._record(asked.card, asked.shown, verdict, answered_at)
        result = self.result
        result.answered += 1
        result.correct += int(verdict.correct)
        exam = self.mode == Mode.EXAM
        if exam:
            result.exam_results.append((asked.card, verdict.correct))
            if not verdict.correct:
                result.missed.append(Missed(asked.card, asked.shown, verdict.given, verdict.chosen))
        elif schedule is not None and schedule.state.in_steps:
            heapq.heappush(self._learning, (schedule.due, self._serial, asked.card))
            self._serial += 1
        answered = Answered(asked.card, asked.shown, verdict, schedule, answered_at, not exam)
        self.history.append(answered)
        return answered

    def _record(
        self, card: StudyCard, shown: Presentation, verdict: Grade, answered: dt.datetime
    ) -> CardState | None:
        duration = (answered - self._asked_at) // dt.timedelta(milliseconds=1)
        options = card.question.option_count > 0
        answer = Answer(
            answered,
            verdict.rating,
            verdict.correct,
            verdict.given,
            duration,
            self.mode,
            chosen=verdict.chosen if options else None,
            shown=shown.order if options else None,
        )
        if self.mode == Mode.REVIEW:
            scheduler = self.scheduler

            def reschedule(before: CardState | None) -> CardState | None:
                return scheduler.review(before, verdict.rating, answered)

        else:

            def reschedule(before: CardState | None) -> CardState | None:
                return None

        stored = self.store.record(card.ref, answer, reschedule)
        schedule = stored.schedule_for(card.revision)
        if schedule is not None:
            self._dues[card.key] = to_ms(schedule.due)
        return schedule if self.mode == Mode.REVIEW else None
