"""Study statistics, computed from the banks and what the store holds.

:func:`compute` is pure; :func:`read_stats` reads the store first.

Only cards of the loaded banks count: a question removed from its bank keeps
its history in the store but leaves the statistics, and a question whose
revision was raised counts as new again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hoquiz.model import Bank, card_key, question_cards
from hoquiz.store import BankCards, LoggedReview, StoredCard, StudyTotals
from hoquiz.store.records import TotalsCutoffs
from hoquiz.study.days import LOCAL_DAYS, Days
from hoquiz.study.modes import Mode
from hoquiz.study.scheduling import LEECH_LAPSES, Phase, Rating
from hoquiz.study.settings import Settings

if TYPE_CHECKING:
    from hoquiz.banks.cache import BankIndex, Questions
    from hoquiz.store.database import TotalsReading

# The leeches the text report lists, most lapses first (--json lists every one).
LEECHES_SHOWN = 20
RETENTION_DAYS = 30
FORECAST_DAYS = 7
BAR_WIDTH = 30


@dataclass
class Tally:
    """Counts for all banks or for one."""

    new: int = 0
    learning: int = 0
    review: int = 0
    due_now: int = 0
    reviews_total: int = 0
    reviews_today: int = 0
    retention_reviews: int = 0
    retention_passed: int = 0

    @property
    def retention(self) -> float | None:
        """Share of review-state cards recalled in the last 30 days (``None``: none seen)."""
        if not self.retention_reviews:
            return None
        return self.retention_passed / self.retention_reviews

    def to_json(self) -> dict[str, Any]:
        return {
            "cards": {"new": self.new, "learning": self.learning, "review": self.review},
            "due_now": self.due_now,
            "reviews_total": self.reviews_total,
            "reviews_today": self.reviews_today,
            "retention_30d": {
                "reviews": self.retention_reviews,
                "recalled": self.retention_passed,
                "rate": None if self.retention is None else round(self.retention, 4),
            },
        }


@dataclass
class Stats:
    """Everything ``hoquiz stats`` shows."""

    now: dt.datetime
    total: Tally
    by_bank: dict[str, Tally]
    due_by_day: list[tuple[dt.date, int]]
    leeches: list[tuple[str, int]] = field(default_factory=list)
    database: Path | None = None  # where the figures come from
    database_exists: bool = True
    settings: Settings = field(default_factory=Settings)  # the learner's, as stored

    def to_json(self) -> dict[str, Any]:
        return {
            "database": None if self.database is None else str(self.database),
            "database_exists": self.database_exists,
            "settings": self.settings.resolved()._asdict(),
            "now": self.now.isoformat(),
            **self.total.to_json(),
            "due_by_day": [{"date": d.isoformat(), "due": n} for d, n in self.due_by_day],
            "by_bank": {bank_id: t.to_json() for bank_id, t in self.by_bank.items()},
            "leeches": [{"card": key, "lapses": n} for key, n in self.leeches],
        }


def read_stats(
    banks: Sequence[Bank], db: Path, now: dt.datetime, day_starts: int | None = None
) -> Stats:
    """The statistics of ``banks`` at ``now``, from the progress database ``db``.

    Days start at ``day_starts`` if given, else at the learner's setting.
    Never creates a database: without one, every card is new (and the
    statistics say the database does not exist).

    Raises:
        StoreError: ``db`` exists but cannot be used.
    """
    cards: list[StoredCard] = []
    counts: dict[str, tuple[int, int]] = {}
    recent: list[LoggedReview] = []
    from hoquiz.store import Store

    stored = Settings()
    days = Days(Settings(day_starts=day_starts).resolved().day_starts)
    # A missing or empty file holds nothing to read; nothing is written, to it or beside it.
    store = Store.open_read_only(db)
    exists = store is not None
    if store is not None:
        with store:
            stored = store.settings()
            days = Days(Settings(day_starts=day_starts).over(stored).resolved().day_starts)
            cards = store.cards()
            counts = store.review_counts(since=days.today_started(now))
            since = now - dt.timedelta(days=RETENTION_DAYS)
            recent = store.reviews(since=since, modes=(Mode.REVIEW,))
    stats = compute(banks, cards, counts, recent, now, days)
    stats.database, stats.database_exists, stats.settings = db, exists, stored
    return stats


def read_totals(
    index: BankIndex,
    db: Path,
    now: dt.datetime,
    day_starts: int | None = None,
    reading: TotalsReading | None = None,
) -> Stats:
    """:func:`read_stats` from a bank index, aggregated in SQL: no question is decoded.

    The same figures as :func:`read_stats` on the same banks; days start at
    ``day_starts`` if given, else at the learner's setting. ``reading``: what
    :func:`start_reading` (of the same ``db``, ``now`` and ``day_starts``) read
    meanwhile, used when every stored row is one of the banks' cards at its
    revision; otherwise the database is read again for these banks.

    Raises:
        StoreError: ``db`` exists but cannot be used.
    """
    banks = {bank.id: bank_cards(rows) for bank, rows in index}
    from hoquiz.store import Store
    from hoquiz.store.database import totals_from

    cutoffs = totals_cutoffs(now, day_starts)
    stored = Settings()
    totals: StudyTotals | None = None
    exists = True
    if reading is not None:
        found = reading.result()
        exists = found is not None
        if found is not None:
            stored, tally, rest = found
            if tally is not None and rest is not None:
                totals = totals_from(tally, rest, banks, FORECAST_DAYS)
    if totals is None and exists:
        store = Store.open_read_only(db)  # statistics never create or write a database
        exists = store is not None
        if store is not None:
            with store:
                stored = store.settings()
                totals = store.study_totals(banks, cutoffs(stored))
    if totals is None:
        new = {bank_id: (len(cards.keys), 0, 0, 0) for bank_id, cards in banks.items()}
        totals = StudyTotals(new, {}, [], {}, {})
    days = _days(day_starts, stored)
    stats = from_totals([bank.id for bank, _ in index], totals, now, days)
    stats.database, stats.database_exists, stats.settings = db, exists, stored
    return stats


def start_reading(db: Path, now: dt.datetime, day_starts: int | None = None) -> TotalsReading:
    """Start reading, on threads, what :func:`read_totals` needs of ``db`` for every bank
    (pass it there; close it in any case)."""
    from hoquiz.store.database import TotalsReading

    return TotalsReading(db, totals_cutoffs(now, day_starts))


def _days(day_starts: int | None, stored: Settings) -> Days:
    return Days(Settings(day_starts=day_starts).over(stored).resolved().day_starts)


def totals_cutoffs(now: dt.datetime, day_starts: int | None) -> Callable[[Settings], TotalsCutoffs]:
    """When the statistics' periods start, given the learner's stored settings."""

    def cutoffs(stored: Settings) -> TotalsCutoffs:
        days = _days(day_starts, stored)
        today = days.date(now)
        return TotalsCutoffs(
            now,
            days.today_started(now),
            now - dt.timedelta(days=RETENTION_DAYS),
            LEECH_LAPSES,
            FORECAST_DAYS,
            [days.start(today + dt.timedelta(days=i)) for i in range(1, FORECAST_DAYS + 1)],
        )

    return cutoffs


def bank_cards(questions: Questions) -> BankCards:
    """A bank's card keys (from its index's key text, at C speed) and their revisions.

    Only the questions whose revision is not the bank's lowest are looked at
    one by one.
    """
    base = min(questions.revisions, default=1)
    raised: dict[str, int] = {}
    if questions.max_revision != base:
        rows = zip(questions.ids, questions.revisions, questions.numbers, strict=True)
        for question_id, revision, numbers in rows:
            if revision != base:
                raised.update(
                    (card_key(questions.bank_id, question_id, n), revision) for n in numbers
                )
    return BankCards(questions.key_set(), base, raised)


def compute(
    banks: Sequence[Bank],
    cards: Iterable[StoredCard],
    review_counts: Mapping[str, tuple[int, int]],
    recent_reviews: Iterable[LoggedReview],
    now: dt.datetime,
    days: Days = LOCAL_DAYS,
) -> Stats:
    """The statistics at ``now``.

    Args:
        banks: the loaded banks; only their cards count.
        cards: the store's card rows.
        review_counts: per card key, (answers in all, answers today).
        recent_reviews: review-mode answers of the last 30 days.
        now: the current time.
        days: when study days start ("today" and the forecast's days).
    """
    stored = {card.key: card for card in cards}
    today = days.date(now)
    total = Tally()
    by_bank: dict[str, Tally] = {}
    forecast = [0] * FORECAST_DAYS
    leeches: list[tuple[str, int]] = []
    known: set[str] = set()
    for bank in banks:
        tally = by_bank.setdefault(bank.id, Tally())
        for question in bank.questions:
            for key, _ in question_cards(bank, question):
                known.add(key)
                row = stored.get(key)
                schedule = row.schedule_for(question.revision) if row else None
                total_count, today_count = review_counts.get(key, (0, 0))
                for t in (total, tally):
                    t.reviews_total += total_count
                    t.reviews_today += today_count
                if schedule is None:
                    for t in (total, tally):
                        t.new += 1
                    continue
                for t in (total, tally):
                    if schedule.state.in_steps:
                        t.learning += 1
                    else:
                        t.review += 1
                    if schedule.due <= now:
                        t.due_now += 1
                day = max(0, (days.date(schedule.due) - today).days)
                if day < FORECAST_DAYS:
                    forecast[day] += 1
                if schedule.lapses >= LEECH_LAPSES:
                    leeches.append((key, schedule.lapses))
    for review in recent_reviews:
        if review.card_key not in known or review.state_before != Phase.REVIEW:
            continue
        for t in (total, by_bank[review.bank_id]) if review.bank_id in by_bank else (total,):
            t.retention_reviews += 1
            t.retention_passed += int(review.rating != Rating.AGAIN)
    due_by_day = [(today + dt.timedelta(days=i), n) for i, n in enumerate(forecast)]
    leeches.sort(key=lambda item: (-item[1], item[0]))
    return Stats(now, total, by_bank, due_by_day, leeches)


def from_totals(
    bank_ids: Sequence[str], totals: StudyTotals, now: dt.datetime, days: Days = LOCAL_DAYS
) -> Stats:
    """The statistics from SQL aggregates (:meth:`hoquiz.store.Store.study_totals`).

    Gives what :func:`compute` gives on the same banks and store, without
    reading every card row or any question.
    """
    today = days.date(now)
    total = Tally()
    by_bank = {bank_id: Tally() for bank_id in bank_ids}
    for bank_id, tally in by_bank.items():
        new, learning, review, due = totals.states.get(bank_id, (0, 0, 0, 0))
        reviews, reviews_today = totals.reviews.get(bank_id, (0, 0))
        for t in (total, tally):
            t.new += new
            t.learning += learning
            t.review += review
            t.due_now += due
            t.reviews_total += reviews
            t.reviews_today += reviews_today
    for bank_id, (n, passed) in totals.retention.items():
        for t in (total, by_bank[bank_id]) if bank_id in by_bank else (total,):
            t.retention_reviews += n
            t.retention_passed += passed
    due_by_day = [
        (today + dt.timedelta(days=i), totals.forecast.get(i, 0)) for i in range(FORECAST_DAYS)
    ]
    leeches = sorted(totals.leeches, key=lambda item: (-item[1], item[0]))
    return Stats(now, total, by_bank, due_by_day, leeches)


def _percent(tally: Tally) -> str:
    rate = tally.retention
    if rate is None:
        return "-"
    return f"{100 * rate:.1f}% ({tally.retention_passed} of {tally.retention_reviews})"


def render(stats: Stats) -> list[str]:
    """The plain-text report, one line per item."""
    t = stats.total
    cards = t.new + t.learning + t.review
    lines = []
    if stats.database is not None and stats.database_exists:
        lines += [f"Progress database: {stats.database}", ""]
    elif stats.database is not None:
        lines += [
            f"Progress database: {stats.database} does not exist: a new, empty database.",
            "(Check --db or HOQUIZ_DB if you have studied before.)",
            "",
        ]
    lines += [
        f"Cards: {cards} ({t.new} new, {t.learning} learning, {t.review} review)",
        f"Due now: {t.due_now}",
        f"Reviews: {t.reviews_total} in all, {t.reviews_today} today",
        f"True retention, last {RETENTION_DAYS} days: {_percent(t)}",
        "",
        f"Due in the next {FORECAST_DAYS} days:",
    ]
    peak = max((n for _, n in stats.due_by_day), default=0)
    for i, (day, n) in enumerate(stats.due_by_day):
        label = "today" if i == 0 else day.strftime("%a")
        bar = "█" * (round(BAR_WIDTH * n / peak) if peak else 0)
        if n and not bar:
            bar = "▏"
        lines.append(f"  {label:<5} {day.isoformat()}  {n:>5}  {bar}".rstrip())
    width = max((len(b) for b in stats.by_bank), default=0)
    width = max(width, len("By bank:") - 2)
    lines += [
        "",
        f"{'By bank:':<{width + 2}}    new  learning  review    due  reviews  today  retention",
    ]
    for bank_id, b in stats.by_bank.items():
        rate = "-" if b.retention is None else f"{100 * b.retention:.1f}% of {b.retention_reviews}"
        lines.append(
            f"  {bank_id:<{width}}  {b.new:>5}  {b.learning:>8}  {b.review:>6}  {b.due_now:>5}"
            f"  {b.reviews_total:>7}  {b.reviews_today:>5}  {rate}"
        )
    lines.append("")
    if stats.leeches:
        lines.append(f"Leeches ({LEECH_LAPSES} or more lapses):")
        lines += [f"  {key}  {n} lapses" for key, n in stats.leeches[:LEECHES_SHOWN]]
        if len(stats.leeches) > LEECHES_SHOWN:
            more = len(stats.leeches) - LEECHES_SHOWN
            lines.append(f"  ... and {more} more (hoquiz stats --json lists them all)")
    else:
        lines.append(f"Leeches ({LEECH_LAPSES} or more lapses): none")
    lines += ["", "Settings (change with `hoquiz settings`):"]
    lines += [f"  {line}" for line in stats.settings.describe()]
    return lines
