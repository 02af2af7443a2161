"""Which cards a quiz session shows, in what order (pure: time and randomness passed in).

Rules, by mode:

* review: due cards first, most overdue first; then new cards, interleaved
  across question types and banks, up to the daily allowance
  (``new_per_day`` minus the cards of the selection first studied today:
  see :mod:`hoquiz.study.days`); cards in learning steps come back within
  the session when due (or up to :data:`LEARN_AHEAD` early once nothing
  else is left).
* cram: every selected question in random order; answers are logged, the
  schedule is not touched.
* exam: ``limit`` questions drawn at random (flashcards excluded, as they
  are self-graded), no feedback until the end, then a report.

In every mode a session shows at most one card per question, so cloze
siblings (which reveal each other's answers) never meet.
"""

import datetime as dt
import itertools
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from hoquiz.model import CLASS_OF_TYPE, AnyQuestion, Bank, Question, card_key, question_cards
from hoquiz.render import natural_order
from hoquiz.store import CardRef, CardSummary, from_ms, to_ms
from hoquiz.study.days import LOCAL_DAYS, Days
from hoquiz.study.grading import Presentation
from hoquiz.study.interleave import interleave
from hoquiz.study.scheduling import Phase
from hoquiz.study.settings import DEFAULT_NEW_PER_DAY

if TYPE_CHECKING:
    from hoquiz.banks.cache import BankIndex, Pending

LEARN_AHEAD = dt.timedelta(minutes=20)
DEFAULT_EXAM_LENGTH = 20


class StudyCard:
    """One card of a loaded question: a cloze question makes one per deletion number.

    Queue building reads only the fields; :attr:`question` may be JSON text
    from the bank cache, decoded the first time the card is shown.
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
        question: "AnyQuestion | bytes | Pending",
    ) -> None:
        self.bank = bank
        self.question_id = question_id
        self.kind = kind
        self.revision = revision
        self.cloze = cloze
        self.key = key
        self._question = question

    @property
    def question(self) -> AnyQuestion:
        question = self._question
        if not isinstance(question, Question):
            from hoquiz.banks.cache import materialize

            question = self._question = materialize(question, self.question_id)
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


def load_cards(
    paths: Sequence[Path],
    bank_ids: Sequence[str] = (),
    tags: Sequence[str] = (),
    cache_dir: Path | None = None,
) -> list[StudyCard]:
    """The cards of the banks under ``paths``, narrowed to ``bank_ids`` and ``tags``.

    Banks come from the bank cache in ``cache_dir`` (``None``: no cache); no
    question is decoded before it is shown.

    Raises:
        BankError, UsageError: as :func:`hoquiz.banks.loader.load_banks` and
            :func:`hoquiz.banks.loader.select_banks`.
    """
    from hoquiz.banks.cache import load_index, select_index

    index = load_index(paths, cache_dir)
    if bank_ids or tags:
        index = select_index(index, bank_ids, tags)
    return indexed_cards(index)


def indexed_cards(index: "BankIndex") -> list[StudyCard]:
    """Every card of a bank index (see :mod:`hoquiz.banks.cache`), questions left unread."""
    cards = []
    for bank, rows in index:
        for question_id, kind, revision, _, card_numbers, question in rows:
            for n in card_numbers:
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
        new_waiting: new cards of the selection, shown now or not (siblings of
            cards in the session left out).
    """

    queue: tuple[StudyCard, ...]
    learning: tuple[tuple[dt.datetime, StudyCard], ...] = ()
    due: int = 0
    new: int = 0
    new_allowance: int = 0
    new_waiting: int = 0


def is_new(card: StudyCard, summary: CardSummary | None) -> bool:
    return (
        summary is None
        or summary.state == Phase.NEW
        or summary.due_ms is None
        or summary.revision < card.revision
    )


def plan_review(
    cards: Sequence[StudyCard],
    summaries: dict[str, CardSummary],
    now: dt.datetime,
    *,
    new_per_day: int = DEFAULT_NEW_PER_DAY,
    limit: int | None = None,
    days: Days = LOCAL_DAYS,
) -> Plan:
    """The review queue: due cards (most overdue first), then today's new cards.

    New cards are interleaved across question types and banks (see
    :mod:`hoquiz.study.interleave`). A question already in the session buries
    its other cards.
    """
    now_ms = to_ms(now)
    day_ms = to_ms(days.today_started(now))
    ahead_ms = now_ms + LEARN_AHEAD // dt.timedelta(milliseconds=1)
    due: list[tuple[int, str, StudyCard]] = []
    waiting: list[tuple[int, str, StudyCard]] = []
    fresh: list[StudyCard] = []
    introduced_today = 0
    for card in cards:
        summary = summaries.get(card.key)
        if is_new(card, summary):
            fresh.append(card)
            continue
        assert summary is not None and summary.due_ms is not None
        if summary.introduced_ms is not None and summary.introduced_ms >= day_ms:
            introduced_today += 1
        if summary.due_ms <= now_ms:
            due.append((summary.due_ms, card.key, card))
        elif summary.state.in_steps and summary.due_ms <= ahead_ms:
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
    unseen = []
    for card in fresh:
        if card.sibling_of not in in_session:
            in_session.add(card.sibling_of)
            unseen.append(card)
    ordered = interleave(unseen, kind=lambda c: c.kind, group=lambda c: c.bank.id)
    new_cards = list(itertools.islice(ordered, room))
    return Plan(
        tuple(queue + new_cards),
        tuple(learning),
        due_count,
        len(new_cards),
        allowance,
        len(unseen),
    )


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
    gradable = [c for c in cards if not CLASS_OF_TYPE[c.kind].self_graded]
    chosen = _one_per_question(gradable, rng)
    return Plan(tuple(rng.sample(chosen, min(limit, len(chosen)))))


def present(card: StudyCard, rng: random.Random) -> Presentation:
    """A shuffled option order (never the answer order for order and match questions)."""
    order = natural_order(card.question)
    if len(order) > 1:
        for _ in range(20):
            rng.shuffle(order)
            if not card.question.order_is_answer or order != sorted(order):
                break
    return Presentation(tuple(order), card.cloze)
