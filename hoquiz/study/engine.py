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
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple, TypeVar, assert_never

from hoquiz.store import Answer, Recorded, from_ms, to_ms
from hoquiz.study.days import LOCAL_DAYS, Days
from hoquiz.study.grading import Grade, Presentation, Unparseable, grade, self_rating
from hoquiz.study.modes import Mode
from hoquiz.study.planning import (
    DEFAULT_EXAM_LENGTH,
    LEARN_AHEAD,
    Deck,
    Plan,
    StudyCard,
    is_new,
    next_due_ms,
    plan_cram,
    plan_exam,
    plan_from_store,
    plan_review,
    present,
)
from hoquiz.study.scheduling import LEECH_LAPSES, CardState, Rating
from hoquiz.study.settings import DEFAULT_NEW_PER_DAY

if TYPE_CHECKING:
    from hoquiz.store import CardSummary, Store
    from hoquiz.study.scheduling import Scheduler

Clock = Callable[[], dt.datetime]
T = TypeVar("T")


class Intro(NamedTuple):
    """What a session holds when it starts."""

    mode: Mode
    banks: int  # banks the selected cards come from
    queued: int  # cards planned
    due: int  # of them, due reviews (review mode)
    new: int  # of them, new cards (review mode)
    learning: int  # cards in learning steps that may come back during the session
    new_allowance: int  # new cards still allowed today (review mode)
    new_waiting: int = 0  # new cards of the selection, shown now or not (review mode)
    new_per_day: int = DEFAULT_NEW_PER_DAY  # the day's allowance of new cards
    next_due: dt.datetime | None = None  # the earliest due time of the scheduled cards
    started: dt.datetime | None = None  # when the session started

    @property
    def empty(self) -> bool:
        return not self.queued and not self.learning


class Asked(NamedTuple):
    """The card to show now, in the option order to show it, and its place in the session.

    Attributes:
        number: how many of the session's cards have been shown, this one included.
        total: the session's cards (planned at the start; it never grows).
        again: the card was shown before in this session (a learning step).
    """

    card: StudyCard
    shown: Presentation
    number: int
    total: int
    again: bool = False


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
    leech: bool = False  # this answer made the card a leech (LEECH_LAPSES lapses)
    overridden: bool = False  # graded wrong, then judged right by the learner


class NotAvailable(Exception):
    """An undo or override that cannot be done now; the message says why, for the learner."""


class _Done(NamedTuple):
    """A recorded answer and what undoing it must put back."""

    asked: Asked
    answered: Answered
    answer: Answer
    recorded: Recorded
    due_before: int | None  # the card's due time (ms) before the answer, for next_due
    requeued: tuple[dt.datetime, int, StudyCard] | None  # its entry in the learning heap


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
        days: when study days start (the new-card allowance).
    """

    # A plain class, not a dataclass: building dataclasses costs start-up time.
    def __init__(
        self,
        *,
        cards: Sequence[StudyCard] | Deck,
        store: Store,
        scheduler: Scheduler,
        rng: random.Random,
        clock: Clock,
        mode: Mode = Mode.REVIEW,
        new_per_day: int = DEFAULT_NEW_PER_DAY,
        limit: int | None = None,
        days: Days = LOCAL_DAYS,
    ) -> None:
        self.mode = Mode(mode)  # ValueError for an unknown mode
        self.cards = cards
        self.store = store
        self.scheduler = scheduler
        self.rng = rng
        self.clock = clock
        self.new_per_day = new_per_day
        self.limit = limit
        self.days = days
        self._done: list[_Done] = []  # what undo takes back, the latest last
        started = clock()
        # A deck in review mode is planned from indexed queries; the due times of
        # its cards are read from the store when needed, never all at start.
        self._indexed = isinstance(cards, Deck) and self.mode == Mode.REVIEW
        if isinstance(cards, Deck) and self._indexed:
            self._dues: dict[str, int] = {}
            plan, first_due = plan_from_store(
                cards, store, started, new_per_day=new_per_day, limit=limit, days=days
            )
            next_due = None if first_due is None else from_ms(first_due)
            banks = len(cards.bank_ids)
        else:
            summaries = store.summaries()
            self._dues = {
                c.key: s.due_ms
                for c in cards
                if (s := summaries.get(c.key)) is not None
                and not is_new(c, s)
                and s.due_ms is not None
            }
            plan = self._plan(started, summaries)
            next_due = self._next_due()
            banks = len({c.bank.id for c in cards})
        self.result = SessionResult(self.mode, started)
        self.intro = Intro(
            self.mode,
            banks,
            len(plan.queue),
            plan.due,
            plan.new,
            len(plan.learning),
            plan.new_allowance,
            plan.new_waiting,
            new_per_day,
            next_due,
            started,
        )
        self._queue = _Queue(plan.queue)
        self._learning = [(due, n, card) for n, (due, card) in enumerate(plan.learning)]
        heapq.heapify(self._learning)
        self._serial = len(self._learning)
        self._total = len(plan.queue) + len(plan.learning)
        self._seen: set[str] = set()
        self._current: Asked | None = None
        self._came_from: tuple[dt.datetime, int, StudyCard] | None = None  # None: the queue
        self._asked_at = started

    def _plan(self, now: dt.datetime, summaries: dict[str, CardSummary]) -> Plan:
        cards = self.cards.cards() if isinstance(self.cards, Deck) else self.cards
        match self.mode:
            case Mode.REVIEW:
                return plan_review(
                    cards,
                    summaries,
                    now,
                    new_per_day=self.new_per_day,
                    limit=self.limit,
                    days=self.days,
                )
            case Mode.CRAM:
                return plan_cram(cards, self.rng, limit=self.limit)
            case Mode.EXAM:
                return plan_exam(cards, self.rng, limit=self.limit or DEFAULT_EXAM_LENGTH)
            case _:
                assert_never(self.mode)

    # -- stepping ---------------------------------------------------------------

    @property
    def current(self) -> Asked | None:
        """The card being asked, if any (an override can end its asking: call :meth:`next`)."""
        return self._current

    @property
    def history(self) -> list[Answered]:
        """The answers recorded in this session and not undone, oldest first."""
        return [done.answered for done in self._done]

    def next(self) -> Asked | None:
        """The next card to show (``None``: the session is over); its answer time starts now."""
        card = self._next_card(self.clock())
        if card is None:
            self._current = None
            return None
        again = card.key in self._seen
        self._seen.add(card.key)
        shown = present(card, self.rng)
        self._current = Asked(card, shown, len(self._seen), self._total, again)
        self._asked_at = self.clock()
        return self._current

    def _next_card(self, now: dt.datetime) -> StudyCard | None:
        learning = self._learning
        self._came_from = None
        if learning and (
            learning[0][0] <= now or (not self._queue and learning[0][0] <= now + LEARN_AHEAD)
        ):
            self._came_from = heapq.heappop(learning)
            return self._came_from[2]
        if self._queue:
            return self._queue.popleft()
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

    def undo(self) -> Asked:
        """Take back the latest answer still recorded, and ask its question again.

        Its review-log row is deleted and the card's row restored as it was,
        in one transaction; the session forgets the answer (score, learning
        queue, next due). A card being asked meanwhile goes back where it
        came from, to be asked after.

        Raises:
            NotAvailable: no answer of this session is left to undo.
            StoreError: another session answered the card since.
        """
        if not self._done:
            raise NotAvailable("nothing to undo: no answer of this session is left")
        done = self._done[-1]
        self.store.undo(done.recorded)
        self._done.pop()
        result = self.result
        result.answered -= 1
        result.correct -= int(done.answered.grade.correct)
        if self.mode == Mode.EXAM:  # its entries, the latest of its card (skips may follow)
            card = done.asked.card
            _remove_last(result.exam_results, lambda entry: entry[0] is card)
            _remove_last(result.missed, lambda miss: miss.card is card)
        self._put_back()  # first: it may be the very step the undone answer queued
        self._unqueue(done.requeued)
        key = done.asked.card.key
        if done.due_before is None:
            self._dues.pop(key, None)
        else:
            self._dues[key] = done.due_before
        self._seen.add(key)
        self._current = done.asked._replace(number=len(self._seen))
        self._came_from = None
        self._asked_at = self.clock()
        return self._current

    def override(self) -> Answered:
        """Count the latest answer, graded wrong, as right: rated Good, as if typed so.

        The log keeps the answer as typed, marked overridden; in review mode the
        schedule is computed again from the card's state before the answer, as
        for a Good rating at the time it was given. Done in one transaction.

        Raises:
            NotAvailable: nothing to override (no answer yet, the latest was
                graded right, or an exam, which shows no verdicts).
            StoreError: another session answered the card since.
        """
        if self.mode == Mode.EXAM:
            raise NotAvailable("an exam shows no verdicts to override; u takes an answer back")
        if not self._done:
            raise NotAvailable("nothing to override: no answer of this session yet")
        done = self._done[-1]
        if done.answered.grade.correct:
            raise NotAvailable("your latest answer was graded right already")
        verdict = done.answered.grade._replace(correct=True, rating=Rating.GOOD, detail=None)
        answer = done.answer._replace(rating=Rating.GOOD, correct=True, overridden=True)
        if self._current is not None and self._came_from is done.requeued:
            self._current = None  # being asked again for the verdict overridden: not now
        self._unqueue(done.requeued)
        if done.due_before is None:
            self._dues.pop(done.asked.card.key, None)
        else:
            self._dues[done.asked.card.key] = done.due_before
        self._done.pop()
        self.result.correct += 1
        return self._commit(done.asked, verdict, answer, replacing=done.recorded)

    def _put_back(self) -> None:
        """Return the card being asked to where it came from (it is asked later)."""
        current = self._current
        if current is None:
            return
        if self._came_from is not None:
            heapq.heappush(self._learning, self._came_from)
        else:
            self._queue.appendleft(current.card)
        if not current.again:
            self._seen.discard(current.card.key)
        self._current = None

    def _unqueue(self, entry: tuple[dt.datetime, int, StudyCard] | None) -> None:
        if entry is not None and entry in self._learning:
            self._learning.remove(entry)
            heapq.heapify(self._learning)

    def finish(self, *, interrupted: bool = False) -> SessionResult:
        """End the session: when it ended and when the next card is due."""
        self._current = None
        result = self.result
        result.interrupted = interrupted
        result.ended = self.clock()
        result.next_due = self._next_due()
        return result

    def _next_due(self) -> dt.datetime | None:
        """The earliest due time of the selected cards' schedules."""
        cards = self.cards
        if isinstance(cards, Deck) and self._indexed:
            due_ms = next_due_ms(cards, self.store)
            return None if due_ms is None else from_ms(due_ms)
        return from_ms(min(self._dues.values())) if self._dues else None

    # -- recording --------------------------------------------------------------

    def _asking(self) -> Asked:
        if self._current is None:
            raise RuntimeError("no card is being asked: call next() first")
        return self._current

    def _answer(self, asked: Asked, verdict: Grade) -> Answered:
        self._current = None
        answered_at = self.clock()
        duration = (answered_at - self._asked_at) // dt.timedelta(milliseconds=1)
        options = asked.card.question.option_count > 0
        answer = Answer(
            answered_at,
            verdict.rating,
            verdict.correct,
            verdict.given,
            duration,
            self.mode,
            chosen=verdict.chosen if options else None,
            shown=asked.shown.order if options else None,
        )
        result = self.result
        result.answered += 1
        result.correct += int(verdict.correct)
        if self.mode == Mode.EXAM:
            result.exam_results.append((asked.card, verdict.correct))
            if not verdict.correct:
                result.missed.append(Missed(asked.card, asked.shown, verdict.given, verdict.chosen))
        return self._commit(asked, verdict, answer)

    def _commit(
        self, asked: Asked, verdict: Grade, answer: Answer, replacing: Recorded | None = None
    ) -> Answered:
        """Record ``answer`` (in place of ``replacing``) and queue the card's next step."""
        card = asked.card
        lapses_before: list[int] = []
        if self.mode == Mode.REVIEW:
            scheduler = self.scheduler

            def reschedule(before: CardState | None) -> CardState | None:
                lapses_before.append(before.lapses if before else 0)
                return scheduler.review(before, verdict.rating, answer.reviewed_at)

        else:

            def reschedule(before: CardState | None) -> CardState | None:
                return None

        recorded = self.store.record_answer(card.ref, answer, reschedule, replacing=replacing)
        due_before = self._dues.get(card.key)
        schedule = recorded.card.schedule_for(card.revision)
        if schedule is not None:
            self._dues[card.key] = to_ms(schedule.due)
        if self.mode != Mode.REVIEW:
            schedule = None
        requeued = None
        if schedule is not None and schedule.state.in_steps:
            requeued = (schedule.due, self._serial, card)
            heapq.heappush(self._learning, requeued)
            self._serial += 1
        leech = (
            schedule is not None
            and schedule.lapses >= LEECH_LAPSES
            and schedule.lapses > lapses_before[0]
        )
        answered = Answered(
            card,
            asked.shown,
            verdict,
            schedule,
            answer.reviewed_at,
            self.mode != Mode.EXAM,
            leech,
            answer.overridden,
        )
        self._done.append(_Done(asked, answered, answer, recorded, due_before, requeued))
        return answered


class _Queue:
    """The cards still to show, read from the plan's queue as they are reached (a deck's
    queue makes each card object then), and the cards put back in front of it."""

    def __init__(self, cards: Sequence[StudyCard]) -> None:
        self._cards = cards
        self._next = 0
        self._front: list[StudyCard] = []  # the latest put back last

    def __bool__(self) -> bool:
        return bool(self._front) or self._next < len(self._cards)

    def popleft(self) -> StudyCard:
        if self._front:
            return self._front.pop()
        card = self._cards[self._next]
        self._next += 1
        return card

    def appendleft(self, card: StudyCard) -> None:
        self._front.append(card)


def _remove_last(items: list[T], belongs: Callable[[T], bool]) -> None:
    for i in range(len(items) - 1, -1, -1):
        if belongs(items[i]):
            del items[i]
            return
