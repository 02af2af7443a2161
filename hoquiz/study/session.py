"""The quiz loop: which card comes when, asking, grading, recording.

I/O is passed in: a :class:`Console` reads lines and shows text, a clock
gives the time (UTC), a ``random.Random`` shuffles. Queue building
(:func:`plan_review`, :func:`plan_cram`, :func:`plan_exam`) is pure.

Rules, by mode:

* review: due cards first, most overdue first; then new cards, interleaved
  across banks, up to the daily allowance (``new_per_day`` minus the cards of
  the selection first studied today, UTC); cards in learning steps come back
  within the session when due (or up to :data:`LEARN_AHEAD` early once
  nothing else is left).
* cram: every selected question in random order; answers are logged, the
  schedule is not touched.
* exam: ``limit`` questions drawn at random (flashcards excluded, as they
  are self-graded), no feedback until the end, then a report.

In every mode a session shows at most one card per question, so cloze
siblings (which reveal each other's answers) never meet.
"""

import datetime as dt
import heapq
import random
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol

from hoquiz.model import Bank, Flashcard, Match, Order, Question, card_key, question_cards
from hoquiz.render import (
    answer_text,
    natural_order,
    option_feedback,
    question_text,
    source_text,
)
from hoquiz.store import Answer, CardRef, CardSummary, from_ms, to_ms
from hoquiz.study.grading import Grade, Presentation, Unparseable, grade, self_rating
from hoquiz.study.scheduling import (
    AGAIN,
    EASY,
    HARD,
    LEARNING,
    NEW,
    RATING_NAMES,
    RELEARNING,
    CardState,
    describe_interval,
)
from hoquiz.text import plural

if TYPE_CHECKING:
    from hoquiz.banks.cache import BankIndex
    from hoquiz.store import Store
    from hoquiz.study.scheduling import Scheduler

MODES = ("review", "cram", "exam")
LEARN_AHEAD = dt.timedelta(minutes=20)
DEFAULT_NEW_PER_DAY = 20
DEFAULT_EXAM_LENGTH = 20

Clock = Callable[[], dt.datetime]


class Console(Protocol):
    """Where a session reads answers and shows text."""

    def show(self, text: str = "", style: str | None = None) -> None:
        """Print ``text`` and a newline; ``style`` is a hint: title, good, bad, dim, key."""

    def ask(self, prompt: str) -> str | None:
        """Show ``prompt`` and read one line; ``None`` at end of input.

        Ctrl-C raises ``KeyboardInterrupt``.
        """


class StudyCard:
    """One card of a loaded question: a cloze question makes one per deletion number.

    Queue building reads only the fields; :attr:`question` may be a pickle
    from the bank cache, unpickled the first time the card is shown.
    """

    __slots__ = ("_question", "bank", "cloze", "key", "kind", "question_id", "revision")

    def __init__(
        self,
        bank: Bank,
        question_id: str,
        kind: str,
        revision: int,
        cloze: int | None,
        key: str,
        question: Question | bytes,
    ) -> None:
        self.bank = bank
        self.question_id = question_id
        self.kind = kind
        self.revision = revision
        self.cloze = cloze
        self.key = key
        self._question = question

    @property
    def question(self) -> Question:
        question = self._question
        if isinstance(question, bytes):
            from hoquiz.banks.cache import materialize

            question = self._question = materialize(question)
        return question

    @property
    def sibling_of(self) -> tuple[str, str]:
        """The question this card belongs to: cards sharing it are siblings."""
        return (self.bank.id, self.question_id)

    @property
    def ref(self) -> CardRef:
        return CardRef(self.key, self.bank.id, self.question_id, self.cloze, self.revision)

    def __repr__(self) -> str:
        return f"StudyCard({self.key!r})"


def study_cards(banks: Iterable[Bank]) -> list[StudyCard]:
    """Every card of ``banks``, in bank and question order."""
    return [
        StudyCard(bank, question.id, question.type, question.revision, cloze, key, question)
        for bank in banks
        for question in bank.questions
        for key, cloze in question_cards(bank, question)
    ]


def indexed_cards(index: "BankIndex") -> list[StudyCard]:
    """Every card of a bank index (see :mod:`hoquiz.banks.cache`), questions left unread."""
    cards = []
    for bank, rows in index:
        for question_id, kind, revision, _, clozes, question in rows:
            for n in clozes or (None,):
                key = card_key(bank.id, question_id, n)
                cards.append(StudyCard(bank, question_id, kind, revision, n, key, question))
    return cards


class Plan(NamedTuple):
    """A session's cards.

    Attributes:
        queue: the cards to show, in order.
        learning: cards in learning steps, not yet due, that may come back
            in this session: ``(due, card)``.
        due: how many of ``queue`` are due reviews.
        new: how many of ``queue`` are new cards.
        new_allowance: new cards still allowed today.
    """

    queue: tuple[StudyCard, ...]
    learning: tuple[tuple[dt.datetime, StudyCard], ...] = ()
    due: int = 0
    new: int = 0
    new_allowance: int = 0


def _is_new(card: StudyCard, summary: CardSummary | None) -> bool:
    return (
        summary is None
        or summary.state == NEW
        or summary.due_ms is None
        or summary.revision < card.revision
    )


def start_of_day(now: dt.datetime) -> dt.datetime:
    """Midnight UTC of ``now``'s day: the new-card allowance resets then."""
    now = now.astimezone(dt.UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def plan_review(
    cards: Sequence[StudyCard],
    summaries: dict[str, CardSummary],
    now: dt.datetime,
    *,
    new_per_day: int = DEFAULT_NEW_PER_DAY,
    limit: int | None = None,
) -> Plan:
    """The review queue: due cards (most overdue first), then today's new cards.

    New cards are interleaved across banks (one from each in turn, in bank
    order). A question already in the session buries its other cards.
    """
    now_ms = to_ms(now)
    day_ms = to_ms(start_of_day(now))
    ahead_ms = now_ms + LEARN_AHEAD // dt.timedelta(milliseconds=1)
    due: list[tuple[int, str, StudyCard]] = []
    waiting: list[tuple[int, str, StudyCard]] = []
    fresh: dict[str, list[StudyCard]] = {}
    introduced_today = 0
    for card in cards:
        summary = summaries.get(card.key)
        if _is_new(card, summary):
            fresh.setdefault(card.bank.id, []).append(card)
            continue
        assert summary is not None and summary.due_ms is not None
        if summary.introduced_ms is not None and summary.introduced_ms >= day_ms:
            introduced_today += 1
        if summary.due_ms <= now_ms:
            due.append((summary.due_ms, card.key, card))
        elif summary.state in (LEARNING, RELEARNING) and summary.due_ms <= ahead_ms:
            waiting.append((summary.due_ms, card.key, card))
    due.sort(key=lambda item: item[:2])
    waiting.sort(key=lambda item: item[:2])
    in_session: set[tuple[str, str]] = set()
    queue: list[StudyCard] = []
    for _, _, card in due:
        if card.sibling_of not in in_session:
            in_session.add(card.sibling_of)
            queue.append(card)
    learning: list[tuple[dt.datetime, StudyCard]] = []
    for due_ms, _, card in waiting:
        if card.sibling_of not in in_session:
            in_session.add(card.sibling_of)
            learning.append((from_ms(due_ms), card))
    if limit is not None:
        queue = queue[:limit]
    due_count = len(queue)
    allowance = max(0, new_per_day - introduced_today)
    room = allowance if limit is None else min(allowance, max(0, limit - due_count))
    new_cards: list[StudyCard] = []
    for card in _round_robin(list(fresh.values())):
        if len(new_cards) >= room:
            break
        if card.sibling_of not in in_session:
            in_session.add(card.sibling_of)
            new_cards.append(card)
    return Plan(tuple(queue + new_cards), tuple(learning), due_count, len(new_cards), allowance)


def _round_robin(groups: list[list[StudyCard]]) -> Iterable[StudyCard]:
    longest = max((len(g) for g in groups), default=0)
    for i in range(longest):
        for group in groups:
            if i < len(group):
                yield group[i]


def _one_per_question(cards: Sequence[StudyCard], rng: random.Random) -> list[StudyCard]:
    by_question: dict[tuple[str, str], list[StudyCard]] = {}
    for card in cards:
        by_question.setdefault(card.sibling_of, []).append(card)
    return [group[rng.randrange(len(group))] for group in by_question.values()]


def plan_cram(cards: Sequence[StudyCard], rng: random.Random, *, limit: int | None = None) -> Plan:
    """Every selected question once (a random card of each), in random order."""
    chosen = _one_per_question(cards, rng)
    rng.shuffle(chosen)
    return Plan(tuple(chosen[:limit] if limit is not None else chosen))


def plan_exam(
    cards: Sequence[StudyCard], rng: random.Random, *, limit: int = DEFAULT_EXAM_LENGTH
) -> Plan:
    """``limit`` questions drawn at random; flashcards are left out (self-graded)."""
    gradable = [c for c in cards if c.kind != Flashcard.type]
    chosen = _one_per_question(gradable, rng)
    return Plan(tuple(rng.sample(chosen, min(limit, len(chosen)))))


def present(card: StudyCard, rng: random.Random) -> Presentation:
    """A shuffled option order (never the answer order for order and match questions)."""
    order = natural_order(card.question)
    if len(order) > 1:
        for _ in range(20):
            rng.shuffle(order)
            if not isinstance(card.question, (Order, Match)) or order != sorted(order):
                break
    return Presentation(tuple(order), card.cloze)


# -- the session --------------------------------------------------------------


class Missed(NamedTuple):
    """An exam question not answered correctly, for the report."""

    card: StudyCard
    shown: Presentation
    given: str | None  # None: skipped
    chosen: tuple[int, ...] = ()


class SessionResult:
    """What happened in a session; the CLI turns ``interrupted`` into exit status 130."""

    def __init__(self, mode: str, started: dt.datetime) -> None:
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


class _Quit(Exception):
    """The learner typed q, or input ended."""


HELP_COMMON = [
    "  s      skip this question (not graded)",
    "  q      quit; every answer so far is saved",
    "  ?      this help",
]
TYPE_HELP = {
    "mcq": "type the letter of the best answer (or its number)",
    "multi": "type every right letter, separated by spaces or commas: a c",
    "true_false": "type t or f (true/false, y/n also work)",
    "short": "type the answer in words; case, accents and punctuation do not matter",
    "numeric": "type a number; the unit is optional",
    "cloze": "type the text hidden by [...]",
    "flashcard": "press Enter to see the answer, then rate your recall 1-4",
    "order": "type all the letters in the right order: c a b d",
    "match": "pair each number with a letter: 1b 2a 3c",
}


class Session:
    """One quiz session over ``cards``; call :meth:`run`.

    Args:
        cards: the selected cards (see :func:`study_cards`).
        store: the progress database.
        console: where to read and write.
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
        store: "Store",
        console: Console,
        scheduler: "Scheduler",
        rng: random.Random,
        clock: Clock,
        mode: str = "review",
        new_per_day: int = DEFAULT_NEW_PER_DAY,
        limit: int | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.cards = cards
        self.store = store
        self.console = console
        self.scheduler = scheduler
        self.rng = rng
        self.clock = clock
        self.mode = mode
        self.new_per_day = new_per_day
        self.limit = limit
        self._dues: dict[str, int] = {}

    def plan(self, now: dt.datetime, summaries: dict[str, CardSummary]) -> Plan:
        if self.mode == "review":
            return plan_review(
                self.cards, summaries, now, new_per_day=self.new_per_day, limit=self.limit
            )
        if self.mode == "cram":
            return plan_cram(self.cards, self.rng, limit=self.limit)
        if self.mode == "exam":
            return plan_exam(self.cards, self.rng, limit=self.limit or DEFAULT_EXAM_LENGTH)
        raise ValueError(f"unknown mode {self.mode!r}")

    def run(self) -> SessionResult:
        """Study until the queue is empty, q, end of input or Ctrl-C; then the summary."""
        started = self.clock()
        summaries = self.store.summaries()
        self._dues = {
            c.key: s.due_ms
            for c in self.cards
            if (s := summaries.get(c.key)) is not None
            and not _is_new(c, s)
            and s.due_ms is not None
        }
        plan = self.plan(started, summaries)
        result = SessionResult(self.mode, started)
        self._introduce(plan)
        queue = deque(plan.queue)
        learning = [(due, n, card) for n, (due, card) in enumerate(plan.learning)]
        heapq.heapify(learning)
        serial = len(learning)
        shown = 0
        try:
            while True:
                now = self.clock()
                card = self._next(queue, learning, now)
                if card is None:
                    break
                shown += 1
                total = shown + len(queue) + len(learning)
                after = self._ask(card, shown, total, result)
                if after is not None and after.state in (LEARNING, RELEARNING):
                    heapq.heappush(learning, (after.due, serial, card))
                    serial += 1
        except _Quit:
            pass
        except KeyboardInterrupt:
            result.interrupted = True
            self.console.show()
        result.ended = self.clock()
        result.next_due = self._next_due()
        if self.mode == "exam":
            self._exam_report(result)
        self._summary(result)
        return result

    def _introduce(self, plan: Plan) -> None:
        show = self.console.show
        banks = len({c.bank.id for c in self.cards})
        where = plural(banks, "bank")
        if self.mode == "review":
            learning = f", {len(plan.learning)} in learning" if plan.learning else ""
            show(f"Review: {plan.due} due, {plan.new} new{learning} ({where})", "title")
        elif self.mode == "cram":
            show(
                f"Cram: {len(plan.queue)} questions ({where}); your schedule is not changed",
                "title",
            )
        else:
            show(
                f"Exam: {len(plan.queue)} questions ({where}); answers and score at the end",
                "title",
            )
        if plan.queue or plan.learning:
            show("Type ? for help, s to skip, q to quit.", "dim")
        elif self.mode == "review":
            done = "today's new cards are done" if plan.new_allowance == 0 else "no new cards left"
            show(f"Nothing to study now: no card is due and {done}.")
        else:
            show("No question to ask.")

    def _next(
        self,
        queue: deque[StudyCard],
        learning: list[tuple[dt.datetime, int, StudyCard]],
        now: dt.datetime,
    ) -> StudyCard | None:
        if learning and learning[0][0] <= now:
            return heapq.heappop(learning)[2]
        if queue:
            return queue.popleft()
        if learning and learning[0][0] <= now + LEARN_AHEAD:
            return heapq.heappop(learning)[2]
        return None

    # -- one card ---------------------------------------------------------------

    def _ask(
        self, card: StudyCard, number: int, total: int, result: SessionResult
    ) -> CardState | None:
        """Show one card, read and grade the answer, record it; the new schedule."""
        show = self.console.show
        question = card.question
        shown = present(card, self.rng)
        show()
        kind = question.type + (f" c{card.cloze}" if card.cloze is not None else "")
        show(f"[{number}/{total}] {card.bank.title} · {kind}", "dim")
        show(question_text(question, shown.order, shown.cloze))
        if question.image is not None:
            show(f"(image: {question.image})", "dim")
        started = self.clock()
        if isinstance(question, Flashcard):
            verdict = self._flashcard(card)
        else:
            verdict = self._read_answer(card, shown)
        if verdict is None:
            result.skipped += 1
            if self.mode == "exam":
                result.exam_results.append((card, False))
                result.missed.append(Missed(card, shown, None))
            return None
        answered = self.clock()
        after = self._record(card, verdict, started, answered)
        result.answered += 1
        result.correct += int(verdict.correct)
        if self.mode == "exam":
            result.exam_results.append((card, verdict.correct))
            if not verdict.correct:
                result.missed.append(Missed(card, shown, verdict.given, verdict.chosen))
            return None
        self._feedback(card, shown, verdict, after, answered)
        return after

    def _prompt(self, prompt: str) -> str:
        line = self.console.ask(prompt)
        if line is None:
            self.console.show()
            raise _Quit
        return line

    def _command(self, line: str, card: StudyCard) -> str | None:
        """Handle ``?``, ``s``, ``q``; returns "skip", "help" or ``None`` for an answer."""
        word = line.strip().lower()
        if word == "q":
            raise _Quit
        if word == "s":
            self.console.show("Skipped.", "dim")
            return "skip"
        if word == "?":
            self._help(card)
            return "help"
        return None

    def _help(self, card: StudyCard) -> None:
        show = self.console.show
        show(f"  answer: {TYPE_HELP[card.question.type]}", "dim")
        for line in HELP_COMMON:
            show(line, "dim")
        if self.mode == "review" and not isinstance(card.question, Flashcard):
            show("  end a right answer with ' +' if it was easy, ' -' if it was hard", "dim")

    def _read_answer(self, card: StudyCard, shown: Presentation) -> Grade | None:
        while True:
            line = self._prompt("> ")
            command = self._command(line, card)
            if command == "skip":
                return None
            if command == "help":
                continue
            verdict = grade(card.question, shown, line)
            if isinstance(verdict, Unparseable):
                self.console.show(f"Not an answer: {verdict.hint}", "dim")
                continue
            return verdict

    def _flashcard(self, card: StudyCard) -> Grade | None:
        assert isinstance(card.question, Flashcard)
        while True:
            attempt = self._prompt("(Enter to reveal) > ")
            command = self._command(attempt, card)
            if command == "skip":
                return None
            if command is None:
                break
        self.console.show(f"Answer: {card.question.back}", "key")
        while True:
            line = self._prompt("Recall? 1 again, 2 hard, 3 good, 4 easy > ")
            command = self._command(line, card)
            if command == "skip":
                return None
            if command == "help":
                continue
            rating = self_rating(line)
            if isinstance(rating, Unparseable):
                self.console.show(f"Not an answer: {rating.hint}", "dim")
                continue
            given = attempt.strip() or f"(rated {RATING_NAMES[rating]})"
            return Grade(rating != AGAIN, rating, given)

    def _record(
        self, card: StudyCard, verdict: Grade, started: dt.datetime, answered: dt.datetime
    ) -> CardState | None:
        duration = (answered - started) // dt.timedelta(milliseconds=1)
        answer = Answer(
            answered, verdict.rating, verdict.correct, verdict.given, duration, self.mode
        )
        if self.mode == "review":
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
        return schedule if self.mode == "review" else None

    def _feedback(
        self,
        card: StudyCard,
        shown: Presentation,
        verdict: Grade,
        after: CardState | None,
        now: dt.datetime,
    ) -> None:
        show = self.console.show
        question = card.question
        if isinstance(question, Flashcard):
            verdict_word = "Correct" if verdict.correct else "Incorrect"
            line = f"{verdict_word}: rated {RATING_NAMES[verdict.rating]}."
        elif verdict.correct:
            marked = {EASY: " (marked easy)", HARD: " (marked hard)"}.get(verdict.rating, "")
            line = f"Correct{marked}."
        else:
            detail = f" ({verdict.detail})" if verdict.detail else ""
            line = f"Incorrect. You answered: {verdict.given}{detail}"
        show(line, "good" if verdict.correct else "bad")
        if not isinstance(question, Flashcard):
            show(f"Answer: {answer_text(question, shown.order, shown.cloze)}", "key")
        for feedback in option_feedback(question, shown.order, verdict.chosen):
            show(feedback)
        show(f"Explanation: {question.explanation}")
        show(f"Source: {source_text(card.bank, question)}")
        if after is not None:
            show(f"Next review: {describe_interval(after.due - now)}", "dim")

    # -- the end ------------------------------------------------------------------

    def _next_due(self) -> dt.datetime | None:
        return from_ms(min(self._dues.values())) if self._dues else None

    def _exam_report(self, result: SessionResult) -> None:
        show = self.console.show
        asked = result.exam_results
        if not asked:
            return
        right = sum(ok for _, ok in asked)
        show()
        show(f"Exam score: {right} of {len(asked)} ({_percent(right, len(asked))})", "title")
        by_bank: dict[str, list[bool]] = {}
        by_tag: dict[str, list[bool]] = {}
        for card, ok in asked:
            by_bank.setdefault(card.bank.id, []).append(ok)
            for tag in dict.fromkeys((*card.bank.tags, *card.question.tags)):
                by_tag.setdefault(tag, []).append(ok)
        for title, groups in (("By bank", by_bank), ("By tag", by_tag)):
            if not groups:
                continue
            show(f"{title}:")
            width = max(len(name) for name in groups)
            for name in sorted(groups):
                marks = groups[name]
                score = f"{sum(marks)} of {len(marks)}"
                show(f"  {name:<{width}}  {score:>8}  {_percent(sum(marks), len(marks)):>4}")
        if result.missed:
            show()
            show("Missed:", "title")
        for n, miss in enumerate(result.missed, 1):
            question = miss.card.question
            show()
            show(f"{n}. [{miss.card.key}] {question.type}", "dim")
            show(question_text(question, miss.shown.order, miss.shown.cloze))
            show(f"Your answer: {miss.given if miss.given is not None else '(skipped)'}", "bad")
            show(f"Key: {answer_text(question, miss.shown.order, miss.shown.cloze)}", "key")
            for feedback in option_feedback(question, miss.shown.order, miss.chosen):
                show(feedback)
            show(f"Explanation: {question.explanation}")
            show(f"Source: {source_text(miss.card.bank, question)}")

    def _summary(self, result: SessionResult) -> None:
        show = self.console.show
        show()
        show("Session summary", "title")
        show(f"  answered: {result.answered}")
        show(f"  correct:  {result.correct} ({_percent(result.correct, result.answered)})")
        if result.skipped:
            show(f"  skipped:  {result.skipped}")
        show(f"  time:     {_duration(result.ended - result.started)}")
        if result.next_due is None:
            show("  next due: nothing scheduled yet")
        else:
            when = result.next_due.strftime("%Y-%m-%d %H:%M UTC")
            delta = result.next_due - result.ended
            show(f"  next due: {when} ({describe_interval(delta)})")


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def _duration(delta: dt.timedelta) -> str:
    seconds = max(0, round(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"
