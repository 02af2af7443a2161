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

import bisect
import datetime as dt
import itertools
import random
import re
from collections import deque
from collections.abc import Hashable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, overload

from hoquiz.model import CLASS_OF_TYPE, AnyQuestion, Bank, Question, card_key, question_cards
from hoquiz.render import natural_order
from hoquiz.store import CardRef, CardSummary, from_ms, to_ms
from hoquiz.study.days import LOCAL_DAYS, Days
from hoquiz.study.grading import Presentation
from hoquiz.study.interleave import Queue, interleave, interleave_queues
from hoquiz.study.scheduling import PHASES, Phase
from hoquiz.study.settings import DEFAULT_NEW_PER_DAY

if TYPE_CHECKING:
    from hoquiz.banks.cache import BankIndex, Pending, Questions
    from hoquiz.store import Store

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
        question: "AnyQuestion | Pending",
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


def load_index_selected(
    paths: Sequence[Path],
    bank_ids: Sequence[str] = (),
    tags: Sequence[str] = (),
    cache_dir: Path | None = None,
) -> "BankIndex":
    """The bank index of the banks under ``paths``, narrowed to ``bank_ids`` and ``tags``
    (see :class:`Deck`); from the bank cache in ``cache_dir`` (``None``: no cache), no
    question decoded.

    Raises:
        BankError, UsageError: as :func:`hoquiz.banks.loader.load_banks` and
            :func:`hoquiz.banks.loader.select_banks`.
    """
    from hoquiz.banks.cache import load_index, select_index

    index = load_index(paths, cache_dir)
    if bank_ids or tags:
        index = select_index(index, bank_ids, tags)
    return index


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

    queue: Sequence[StudyCard]
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
    queue, learning, in_session, allowance, room = _due_part(
        [card for _, _, card in due],
        [(due_ms, card) for due_ms, _, card in waiting],
        introduced_today,
        new_per_day,
        limit,
    )
    due_count = len(queue)
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


class Deck:
    """The selected cards, as a bank index: a card object is made only for the cards shown.

    Iterating gives every card (cram and exam draw from all of them);
    :func:`plan_from_store` plans a review session from indexed queries
    instead, reading only the due cards and what it needs to find new ones.
    """

    def __init__(self, index: "BankIndex") -> None:
        self.index = index
        self.bank_ids = [bank.id for bank, _ in index]
        self._banks = {bank.id: n for n, (bank, _) in enumerate(index)}
        self._cards: list[StudyCard] | None = None

    def cards(self) -> list[StudyCard]:
        if self._cards is None:
            self._cards = indexed_cards(self.index)
        return self._cards

    def __iter__(self) -> Iterator[StudyCard]:
        return iter(self.cards())

    def __len__(self) -> int:
        return len(self.cards())

    def __getitem__(self, n: int) -> StudyCard:
        return self.cards()[n]

    def _rows(self, key: str) -> "tuple[int, Questions] | None":
        """The position and rows of the bank of the selected card with this key, if any."""
        n = self._banks.get(key.partition("/")[0])
        if n is None:
            return None
        rows = self.index[n][1]
        return (n, rows) if key in rows.key_set() else None

    def card(self, key: str) -> StudyCard | None:
        """The selected card with this key, if any."""
        found = self._rows(key)
        if found is None:
            return None
        n, rows = found
        question_id, hashed, number = key.partition("/")[2].partition("#c")
        i = rows.position(question_id)
        if i is None:
            return None
        cloze = int(number) if hashed else None
        bank = self.index[n][0]
        return StudyCard(
            bank, question_id, rows.kinds[i], rows.revisions[i], cloze, key, rows.bodies[i]
        )

    def keys_of(self, bank_id: str) -> tuple[frozenset[str], int] | None:
        """The card keys of a selected bank, and its questions' highest revision."""
        n = self._banks.get(bank_id)
        if n is None:
            return None
        rows = self.index[n][1]
        return rows.key_set(), rows.max_revision

    def holds(self, key: str, revision: int) -> bool:
        """Whether the key is a selected card's and ``revision`` is at least its question's."""
        found = self._rows(key)
        if found is None:
            return False
        rows = found[1]
        if revision >= rows.max_revision:
            return True
        i = rows.position(key.partition("/")[2].partition("#c")[0])
        return i is not None and revision >= rows.revisions[i]


class DeckQueue(Sequence[StudyCard]):
    """A session's queue by card key: a :class:`StudyCard` is made for a card when it is
    reached, never for the thousands of due cards behind it; then the new cards."""

    def __init__(self, deck: Deck, keys: list[str], then: Sequence[StudyCard] = ()) -> None:
        self.deck = deck
        self.keys = keys
        self.then = then

    def __len__(self) -> int:
        return len(self.keys) + len(self.then)

    @overload
    def __getitem__(self, i: int) -> StudyCard: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[StudyCard]: ...
    def __getitem__(self, i: int | slice) -> StudyCard | Sequence[StudyCard]:
        if isinstance(i, slice):
            return [self[n] for n in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        if i >= len(self.keys):
            return self.then[i - len(self.keys)]
        card = self.deck.card(self.keys[i])
        assert card is not None  # the keys were checked against the deck
        return card


def plan_from_store(
    deck: Deck,
    store: "Store",
    now: dt.datetime,
    *,
    new_per_day: int = DEFAULT_NEW_PER_DAY,
    limit: int | None = None,
    days: Days = LOCAL_DAYS,
) -> tuple[Plan, int | None]:
    """:func:`plan_review` of ``deck`` with the schedules in ``store`` (the same plan), and
    the earliest due time (UTC milliseconds) of the deck's scheduled cards (``None``: none
    is scheduled).

    Due and learning cards come from the index on due times, checked against
    each bank's set of card keys; the queue keeps their keys and makes a card
    object only for a card reached. The day's introductions come from the
    index on introduction times. The scheduled cards of each bank come as one
    text per bank: a bank whose text is its own sorted card keys is studied
    through (no new card) at C speed, a bank with none gives every question's
    first card; only a bank partly studied is looked at card by card.
    """
    now_ms = to_ms(now)
    day_ms = to_ms(days.today_started(now))
    ahead_ms = now_ms + LEARN_AHEAD // dt.timedelta(milliseconds=1)
    banks = deck.bank_ids
    holds = deck.holds
    with store.snapshot():  # one state of the database, even while another session answers
        dues, keys_due, revisions, states, due_banks = store.scheduled_columns(banks, ahead_ms)
        stored = store.scheduled_keys(banks)
        introduced = store.introduced_since(banks, day_ms)
    # A bank studied through holds every key scheduled in it, each at a revision its
    # question has: its due cards need no look at their keys.
    studied = {
        bank.id
        for bank, rows in deck.index
        if bank.id in stored and _studied_through(rows, stored[bank.id])
    }
    due: list[str] = []
    waiting: list[tuple[int, str]] = []
    in_session: set[str] = set()  # "bank/question" of the questions in the session
    in_banks: set[str] = set()  # the banks of in_session
    first_due: int | None = None
    if studied.issuperset(due_banks):
        # Every card of a bank studied through (no key to look up): the loop below, at C
        # speed, keeping the first card of each question (a session leaves its siblings).
        cut = bisect.bisect_right(dues, now_ms)
        questions = _CLOZE_SUFFIX.sub("", "\n".join(keys_due[:cut])).split("\n") if cut else []
        first_card = dict(zip(reversed(questions), range(cut - 1, -1, -1), strict=True))
        due = keys_due[:cut]
        if len(first_card) < cut:
            due = [due[i] for i in sorted(first_card.values())]
        in_session.update(first_card)
        in_banks.update(due_banks[:cut])
        first_due = dues[0] if dues else None
        waiting = [
            (dues[i], keys_due[i]) for i in range(cut, len(dues)) if PHASES[states[i]].in_steps
        ]
    else:
        # Per other bank of a key: its card keys and highest revision, looked up once.
        found: dict[str, tuple[frozenset[str], int]] = {}
        nothing: tuple[frozenset[str], int] = (frozenset(), 0)
        for key, revision, state, due_ms in zip(keys_due, revisions, states, dues, strict=True):
            bank_id = key.partition("/")[0]
            if bank_id not in studied:
                known = found.get(bank_id)
                if known is None:
                    known = found[bank_id] = deck.keys_of(bank_id) or nothing
                keys, top = known
                if key not in keys or (revision < top and not holds(key, revision)):
                    continue
            if first_due is None:
                first_due = due_ms
            if due_ms <= now_ms:
                question = key.partition("#c")[0]
                if question not in in_session:
                    in_session.add(question)
                    in_banks.add(bank_id)
                    due.append(key)
            elif PHASES[state].in_steps:
                waiting.append((due_ms, key))
    learning: list[tuple[dt.datetime, StudyCard]] = []
    for due_ms, key in waiting:
        question = key.partition("#c")[0]
        card = deck.card(key)
        if card is not None and question not in in_session:
            in_session.add(question)
            in_banks.add(card.bank.id)
            learning.append((from_ms(due_ms), card))
    introduced_today = 0
    for key, revision, state, due_at in introduced:
        if state > 0 and due_at is not None and holds(key, revision):
            introduced_today += 1
    if limit is not None:
        due = due[:limit]
    allowance = max(0, new_per_day - introduced_today)
    room = allowance if limit is None else min(allowance, max(0, limit - len(due)))
    queues, unseen, first = _new_cards(deck, stored, studied, in_session, in_banks)
    new_cards = []
    for n, i in itertools.islice(interleave_queues(queues), room):
        bank, rows = deck.index[n]
        cloze = first.get((n, i), rows.numbers[i][0])
        question_id = rows.ids[i]
        key = card_key(bank.id, question_id, cloze)
        new_cards.append(
            StudyCard(
                bank, question_id, rows.kinds[i], rows.revisions[i], cloze, key, rows.bodies[i]
            )
        )
    if first_due is None:
        first_due = next_due_ms(deck, store)
    plan = Plan(
        DeckQueue(deck, due, new_cards),
        tuple(learning),
        len(due),
        len(new_cards),
        allowance,
        unseen,
    )
    return plan, first_due


def next_due_ms(deck: Deck, store: "Store") -> int | None:
    """The earliest due time (UTC milliseconds) of the deck's scheduled cards, if any."""
    for key, revision, _, due_ms in store.scheduled_until(deck.bank_ids):
        if deck.holds(key, revision):
            return due_ms
    return None


_NewCard = tuple[int, int]
"""A new card: the position of its bank in the deck, and of its question in the bank."""


def _new_cards(
    deck: Deck,
    stored: dict[str, list[tuple[int, str]]],
    studied: set[str],
    in_session: set[str],
    in_banks: set[str],
) -> tuple[dict[Hashable, dict[Hashable, Queue[_NewCard]]], int, dict[_NewCard, int | None]]:
    """The new cards of ``deck`` queued by type, then bank; how many there are; and the
    card of each question that is not its first card (a cloze deletion studied already).

    A card is new when no schedule for its revision is stored; a question
    gives its first new card, unless a sibling is in the session
    (``in_session``: "bank/question"; ``in_banks``: their banks). ``stored``:
    the scheduled keys of each bank (see :meth:`Store.scheduled_keys`);
    ``studied``: the banks studied through.
    """
    queues: dict[Hashable, dict[Hashable, Queue[_NewCard]]] = {}
    first: dict[_NewCard, int | None] = {}
    count = 0
    for n, (bank, rows) in enumerate(deck.index):
        if bank.id in studied:
            continue  # no new card, found at C speed
        groups = stored.get(bank.id, [])
        if not groups and bank.id not in in_banks:  # no card scheduled: all new
            for kind, positions in _queues_by_kind(n, rows.kind_codes):
                queues.setdefault(kind, {})[bank.id] = positions
            count += len(rows)
            continue
        done = _scheduled_for(rows, groups)
        prefix = bank.id + "/"
        mine: dict[str, deque[_NewCard]] = {}  # this bank's new cards by type
        for i, (question_id, kind, numbers) in enumerate(
            zip(rows.ids, rows.kinds, rows.numbers, strict=True)
        ):
            if numbers == (None,):
                if prefix + question_id in done:
                    continue
                cloze = None
            else:
                for cloze in numbers:
                    if card_key(bank.id, question_id, cloze) not in done:
                        break
                else:
                    continue
                if cloze != numbers[0]:
                    first[(n, i)] = cloze
            if prefix + question_id in in_session:
                continue
            mine.setdefault(kind, deque()).append((n, i))
            count += 1
        for kind, queue in mine.items():
            queues.setdefault(kind, {})[bank.id] = queue
    return queues, count, first


# What a card key adds to its question's "bank/question" (a cloze card's number), in a
# text of keys one per line.
_CLOZE_SUFFIX = re.compile(r"#c[0-9]+$", re.MULTILINE)


class _Positions:
    """The questions of one type in a bank, in order, each found when it is taken.

    A bank with nothing scheduled may have thousands: a session takes a few,
    and a count and a search (at C speed) replace a list of every position.
    """

    __slots__ = ("_bank", "_code", "_codes", "_left", "_next")

    def __init__(self, bank: int, codes: str, code: str) -> None:
        self._bank, self._codes, self._code = bank, codes, code
        self._left = codes.count(code)
        self._next = codes.find(code)

    def __len__(self) -> int:
        return self._left

    def popleft(self) -> _NewCard:
        if not self._left:
            raise IndexError("no question left")
        at = self._next
        self._left -= 1
        self._next = self._codes.find(self._code, at + 1)
        return (self._bank, at)


def _queues_by_kind(bank: int, codes: str) -> list[tuple[str, _Positions]]:
    """The new cards of a bank with nothing scheduled, queued by type, the types in the
    order they first come (``codes``: the bank's types, a character per question)."""
    from hoquiz.banks.cache import KIND_OF_CODE

    order = sorted(set(codes), key=codes.index)
    return [(KIND_OF_CODE[code], _Positions(bank, codes, code)) for code in order]


def _studied_through(rows: "Questions", groups: list[tuple[int, str]]) -> bool:
    """Whether the bank's scheduled keys (per revision, each text sorted) are exactly its
    card keys, each scheduled for its question's revision or a later one.

    ``False`` may also mean the texts came in another order: the caller then
    looks at the keys one by one.
    """
    top = rows.max_revision
    if any(revision < top for revision, _ in groups):
        return False
    if len(groups) == 1:
        return groups[0][1] == rows.keys_text()
    return "\n".join(sorted(key for _, text in groups for key in text.split("\n"))) == (
        rows.keys_text()
    )


def _scheduled_for(rows: "Questions", by_revision: list[tuple[int, str]]) -> set[str]:
    """The keys of the bank's cards scheduled for their question's current revision.

    A key stored at revision r counts unless its question has been revised
    past r since; those few are found from the index rows, not card by card.
    """
    done: set[str] = set()
    bank_id = rows.bank_id
    for revision, text in by_revision:
        keys = text.split("\n")
        raised = [i for i, r in enumerate(rows.revisions) if r > revision]
        if not raised:
            done.update(keys)
            continue
        stale = {card_key(bank_id, rows.ids[i], n) for i in raised for n in rows.numbers[i]}
        done.update(key for key in keys if key not in stale)
    return done


def _due_part(
    due: list[StudyCard],
    waiting: list[tuple[int, StudyCard]],
    introduced_today: int,
    new_per_day: int,
    limit: int | None,
) -> tuple[list[StudyCard], list[tuple[dt.datetime, StudyCard]], set[tuple[str, str]], int, int]:
    """The due queue and the learning cards, one card per question; the new-card room.

    Returns the queue, the learning cards, the questions they take, the day's
    allowance of new cards and how many of them fit in the session.
    """
    in_session: set[tuple[str, str]] = set()
    queue: list[StudyCard] = []
    for card in due:
        if card.sibling_of not in in_session:
            in_session.add(card.sibling_of)
            queue.append(card)
    learning: list[tuple[dt.datetime, StudyCard]] = []
    for due_ms, card in waiting:
        if card.sibling_of not in in_session:
            in_session.add(card.sibling_of)
            learning.append((from_ms(due_ms), card))
    if limit is not None:
        queue = queue[:limit]
    allowance = max(0, new_per_day - introduced_today)
    room = allowance if limit is None else min(allowance, max(0, limit - len(queue)))
    return queue, learning, in_session, allowance, room


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
