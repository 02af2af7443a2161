"""The progress database: card schedules and the review log.

This package is hoquiz's only user of sqlite3 for progress; the Anki exporter
uses it too, on its own, to build the collection inside an ``.apkg``.

One SQLite file, in WAL mode with a busy timeout so that two quiz processes
can share it. Each graded answer is one transaction: the card's new schedule
and its review-log row are committed together before the next question is
shown. Times are stored as UTC milliseconds since the Unix epoch.

A file is checked before anything is written to it: it must be empty or a
SQLite database stamped with hoquiz's application id, of a schema version
this hoquiz knows, with that version's tables and columns, card rows that
hoquiz writes, passing ``PRAGMA quick_check``, and writable (file and
folder). Otherwise :class:`StoreError` names the file, which is left
byte-identical. :meth:`Store.open_read_only` reads without writing anything.
"""

import datetime as dt
import errno
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from hoquiz.errors import StoreError, os_error_text
from hoquiz.store.records import (
    CARD_COLUMNS,
    MODES,
    Answer,
    BadRow,
    CardRef,
    CardSummary,
    LoggedReview,
    Recorded,
    StoredCard,
    StudyTotals,
    indexes_text,
    logged_review,
    schedule_values,
    stored_card,
    to_ms,
)
from hoquiz.store.schema import (
    APPLICATION_ID,
    BAD_CARD,
    MIGRATIONS,
    SCHEMA_VERSION,
    TABLES,
    check_header,
    layout,
    table_columns,
)
from hoquiz.study.modes import Mode
from hoquiz.study.scheduling import PHASES, CardState, Phase, Rating
from hoquiz.study.settings import Settings

BUSY_TIMEOUT_SECONDS = 10.0

_ELSEWHERE = "choose another with --db or HOQUIZ_DB (`hoquiz stats` can still read it)"


def _unwritable(folder: Path) -> str | None:
    """Why SQLite could not create its journal in ``folder`` (``None``: it can)."""
    if os.access(folder, os.W_OK | os.X_OK):
        return None
    try:
        read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs on Windows
        read_only = False
    return "on a read-only file system" if read_only else "permission denied"


def _check_writable(path: Path) -> None:
    """Refuse, before any question is asked, a database whose answers could not be saved."""
    try:
        os.close(os.open(path, os.O_RDWR))
    except OSError as error:
        if error.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise StoreError(f"cannot open {path}: {os_error_text(error)}") from None
        why = "on a read-only file system" if error.errno == errno.EROFS else "permission denied"
        raise StoreError(f"progress database {path} is read-only ({why}); {_ELSEWHERE}") from None
    folder = path.absolute().parent
    reason = _unwritable(folder)
    if reason:
        raise StoreError(
            f"progress database {path} cannot be written: its folder {folder} is read-only "
            f"({reason}) and SQLite keeps its journal there; {_ELSEWHERE}"
        )


def _damaged(path: Path, problem: str) -> str:
    return f"cannot use {path}: the database is damaged ({problem}); nothing was written to it"


def _quick_check_problem(db: sqlite3.Connection) -> str | None:
    """The first problem ``PRAGMA quick_check`` reports (``None``: none)."""
    try:
        first = db.execute("PRAGMA quick_check(1)").fetchone()
    except sqlite3.DatabaseError as error:
        return str(error)
    if first is None or first[0] == "ok":
        return None
    lines = str(first[0]).splitlines()  # "*** in database main ***" heads the list
    return "quick_check: " + " ".join(line for line in lines if not line.startswith("***"))


class _Check:
    """``PRAGMA quick_check`` on a connection of its own, in a thread.

    SQLite works outside the GIL, so the check (0.3 to 1 s for a million
    logged answers) overlaps the quiz's start instead of delaying it.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._cancelled = False
        self._problem: str | None = None
        self._thread = threading.Thread(target=self._run, name="hoquiz-quick-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # Yield the processor to the quiz's start. Only Linux sets niceness per
        # thread; elsewhere the number would name a process.
        if sys.platform.startswith("linux"):
            with suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        try:
            db = sqlite3.connect(self._path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as error:
            self._problem = str(error)
            return
        try:
            with self._lock:
                if self._cancelled:
                    return
                self._db = db
            db.execute("PRAGMA query_only=ON")
            problem = _quick_check_problem(db)
            with self._lock:
                if not self._cancelled:
                    self._problem = problem
        finally:
            with self._lock:
                self._db = None
            db.close()

    def result(self) -> str | None:
        """What the check found (``None``: nothing), once it is done."""
        self._thread.join()
        return self._problem

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            if self._db is not None:
                self._db.interrupt()
        self._thread.join()


class Store:
    """An open progress database. Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection
        self._checking: _Check | None = None  # the quick check running since opening
        self._damaged: str | None = None  # what it found

    # -- opening ------------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> "Store":
        """Open (or create) the database at ``path`` for studying, migrating it if needed.

        Every check is made before anything is written: the file is a hoquiz
        database of a known schema version and layout, its card rows are ones
        hoquiz writes, and it (and its folder, where SQLite keeps its journal)
        can be written. ``PRAGMA quick_check`` runs alongside; the first write
        waits for it (a migration waits before it starts).

        Raises:
            StoreError: the file is not a hoquiz database, is damaged, is from a
                newer hoquiz, is read-only, or cannot be created; nothing was
                written to it.
        """
        path = Path(path)
        exists = check_header(path)
        if path.exists():  # a database, or an empty file to make one in
            _check_writable(path)
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"cannot create {path}: {os_error_text(error)}") from None
            reason = _unwritable(path.parent)
            if reason:
                raise StoreError(
                    f"cannot create progress database {path}: its folder {path.parent} is "
                    f"read-only ({reason}); choose another with --db or HOQUIZ_DB"
                )
        try:
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open {path}: {error}") from None
        store = cls(path, db)
        try:
            with store._errors():
                store._prepare(exists)
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def open_read_only(cls, path: Path) -> "Store | None":
        """Open the database at ``path`` for reading only (``None``: missing or empty).

        Nothing is created or written, not even SQLite's ``-wal`` and ``-shm``
        files when none is there already: the file is then read as immutable,
        so it can lie on read-only media. A database of an older schema
        version is not upgraded (``hoquiz quiz`` does that).

        Raises:
            StoreError: as :meth:`open`, or the schema is older than this hoquiz's.
        """
        path = Path(path)
        if not check_header(path):
            return None
        wal, shm, journal = (path.with_name(path.name + e) for e in ("-wal", "-shm", "-journal"))
        if wal.exists() and not shm.exists() and _unwritable(path.absolute().parent):
            raise StoreError(
                f"cannot read {path}: answers not yet merged into it wait in {wal}, and SQLite "
                f"cannot make the {shm} it needs to read them (the folder is read-only); "
                "open it once with `hoquiz quiz` where it is writable"
            )
        # Without a -wal or -journal the file holds every committed answer: read it
        # as immutable, so that SQLite creates no -wal or -shm beside it. Else a
        # quiz may be running: read through its files.
        side_files = wal.exists() or journal.exists()
        uri = f"{path.absolute().as_uri()}?mode=ro{'' if side_files else '&immutable=1'}"
        try:
            db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open {path}: {error}") from None
        store = cls(path, db)
        try:
            with store._errors():
                version = store._check()
                if version < SCHEMA_VERSION:
                    raise StoreError(
                        f"cannot read {path} without upgrading it (schema version {version}; "
                        f"this hoquiz uses {SCHEMA_VERSION}): run `hoquiz quiz` once to upgrade it"
                    )
        except BaseException:
            store.close()
            raise
        return store

    def _prepare(self, exists: bool) -> None:
        db = self._db
        version = self._check() if exists else 0
        needs_wal = db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal"
        if exists and (version < SCHEMA_VERSION or needs_wal):
            self._quick_check()  # before the migration or the switch to WAL writes
        elif exists:
            self._checking = _Check(self.path)
        if version < SCHEMA_VERSION:
            self._migrate()
        if needs_wal:
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")

    def _check(self) -> int:
        """Check an existing file before anything is written to it; returns its schema version.

        Raises:
            StoreError: an unknown schema version or layout, or a card row no hoquiz wrote.
        """
        db = self._db
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"cannot use {self.path}: it was written by a newer hoquiz "
                f"(schema version {version}; this hoquiz knows up to {SCHEMA_VERSION})"
            )
        if version < 0:
            raise StoreError(
                f"cannot use {self.path}: it is not a hoquiz progress database "
                f"(schema version {version})"
            )
        tables = table_columns(db)
        if version == 0:  # stamped but interrupted before its first migration committed
            if tables:
                raise StoreError(
                    f"cannot use {self.path}: it is not a hoquiz progress database "
                    f"(schema version 0, but it has tables)"
                )
            return version
        missing = TABLES - set(tables)
        if missing:
            raise StoreError(
                f"cannot use {self.path}: it is not a hoquiz progress database "
                f"(no table {', '.join(sorted(missing))})"
            )
        for table, columns in layout(version).items():
            if table not in tables or set(tables[table]) != set(columns):
                raise StoreError(
                    f"cannot use {self.path}: it is not a hoquiz progress database of schema "
                    f"version {version} (table {table} has other columns)"
                )
        bad = db.execute(BAD_CARD).fetchone()
        if bad is not None:
            raise StoreError(f"{self.path}: card {bad[0]} has {bad[1]}, which no hoquiz writes")
        return version

    def _quick_check(self) -> None:
        problem = _quick_check_problem(self._db)
        if problem is not None:
            raise StoreError(_damaged(self.path, problem))

    def _checked(self) -> None:
        """Wait for the quick check started at opening; raise what it found."""
        checking, self._checking = self._checking, None
        if checking is not None:
            problem = checking.result()
            if problem is not None:
                self._damaged = _damaged(self.path, problem)
        if self._damaged is not None:
            raise StoreError(self._damaged)

    def _migrate(self) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            version = db.execute("PRAGMA user_version").fetchone()[0]
            while version < SCHEMA_VERSION:
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        db.execute(statement)
                version += 1
                db.execute(f"PRAGMA user_version={version}")
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # else the real error would hide behind "cannot rollback"
                db.execute("ROLLBACK")
            raise

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except BadRow as error:
            raise StoreError(f"{self.path}: {error}") from None
        except StoreError:
            raise
        except sqlite3.OperationalError as error:
            text = str(error)
            if "locked" in text or "busy" in text:
                raise StoreError(
                    f"{self.path} is busy: another hoquiz kept it locked for "
                    f"{BUSY_TIMEOUT_SECONDS:.0f} s; try again"
                ) from None
            raise StoreError(f"cannot use {self.path}: {text}") from None
        except sqlite3.DatabaseError as error:
            raise StoreError(f"cannot use {self.path}: the database is damaged ({error})") from None

    def close(self) -> None:
        if self._checking is not None:
            self._checking.cancel()
            self._checking = None
        self._db.close()

    # -- the scheduler the states were made with ------------------------------

    def scheduler(self) -> str | None:
        """The scheduler identity recorded with the stored states (``None``: none yet)."""
        with self._errors():
            row = self._db.execute("SELECT value FROM meta WHERE key = 'scheduler'").fetchone()
        return None if row is None else str(row[0])

    def set_scheduler(self, identity: str) -> None:
        """Record that the stored states are (from now on) made with the scheduler ``identity``."""
        self._checked()
        with self._errors():
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES ('scheduler', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (identity,),
            )

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading --------------------------------------------------------------

    def summaries(self) -> dict[str, CardSummary]:
        """Every card's revision, state, due time and introduction time, by key."""
        with self._errors():
            rows = self._db.execute(
                "SELECT card_key, revision, state, due, introduced, lapses FROM cards"
            )
            return {
                key: CardSummary(revision, PHASES[state], due, introduced, lapses)
                for key, revision, state, due, introduced, lapses in rows
            }

    def scheduled_until(
        self, bank_ids: Sequence[str], until: int | None = None
    ) -> Iterator[tuple[str, int, int, int]]:
        """``(card key, revision, state, due)`` of the banks' scheduled cards, soonest due first.

        Only cards due at ``until`` (UTC milliseconds) or before, if given; ties
        by key. Read through the index on due times, row by row as consumed.
        """
        marks = ",".join("?" * len(bank_ids))
        query = (
            # In due order from the due index, never sorted whole: the caller may stop early.
            "SELECT card_key, revision, state, due FROM cards INDEXED BY cards_due "
            f"WHERE state > 0 AND due IS NOT NULL AND due <= ? AND bank_id IN ({marks}) "
            "ORDER BY due, card_key"
        )
        limit = 2**62 if until is None else until
        with self._errors():
            cursor = self._db.execute(query, (limit, *bank_ids))
        while True:
            with self._errors():
                rows = cursor.fetchmany(256)
            if not rows:
                return
            yield from rows

    def introduced_since(
        self, bank_ids: Sequence[str], since: int
    ) -> list[tuple[str, int, int, int | None]]:
        """``(card key, revision, state, due)`` of the banks' cards first scheduled since then."""
        marks = ",".join("?" * len(bank_ids))
        with self._errors():
            return self._db.execute(
                "SELECT card_key, revision, state, due FROM cards "
                f"WHERE introduced >= ? AND bank_id IN ({marks})",
                (since, *bank_ids),
            ).fetchall()

    def scheduled_keys(self, bank_ids: Sequence[str], revision: int) -> dict[str, list[str]]:
        """Per bank, the keys of its scheduled cards whose revision is ``revision`` or more.

        One aggregate in SQL: a string per bank, not a row per card.
        """
        marks = ",".join("?" * len(bank_ids))
        with self._errors():
            rows = self._db.execute(
                "SELECT bank_id, group_concat(card_key, char(10)) FROM cards "
                f"WHERE state > 0 AND due IS NOT NULL AND revision >= ? AND bank_id IN ({marks}) "
                "GROUP BY bank_id",
                (revision, *bank_ids),
            ).fetchall()
        return {str(bank): str(keys).split("\n") for bank, keys in rows if keys}

    def scheduled_below(self, bank_ids: Sequence[str], revision: int) -> list[tuple[str, int]]:
        """``(card key, revision)`` of the banks' scheduled cards of a lower revision."""
        marks = ",".join("?" * len(bank_ids))
        with self._errors():
            return self._db.execute(
                "SELECT card_key, revision FROM cards "
                f"WHERE state > 0 AND due IS NOT NULL AND revision < ? AND bank_id IN ({marks})",
                (revision, *bank_ids),
            ).fetchall()

    def card(self, key: str) -> StoredCard | None:
        """One card's row, or ``None`` if it was never answered."""
        with self._errors():
            return self._card(key)

    def cards(self) -> list[StoredCard]:
        """Every card's row."""
        with self._errors():
            return [
                stored_card(row) for row in self._db.execute(f"SELECT {CARD_COLUMNS} FROM cards")
            ]

    def study_totals(
        self,
        cards: Iterable[tuple[str, str, int]],
        now: dt.datetime,
        day_start: dt.datetime,
        retention_since: dt.datetime,
        leech_lapses: int,
        forecast_days: int,
        *,
        day_starts: Sequence[dt.datetime] | None = None,
    ) -> StudyTotals:
        """Aggregates over the given cards ``(key, bank id, revision)``, computed in SQL.

        A card counts as scheduled when its row has a schedule for at least its
        revision; otherwise it is new. Only the given cards' rows and reviews are
        read; the cards go to a temporary table (never to the database file).
        The forecast's days start at ``day_start`` and then at ``day_starts``
        (when each next day starts: days are not all 24 hours long), else
        every 24 hours.
        """
        scheduled = (
            "c.id IS NOT NULL AND c.state > 0 AND c.due IS NOT NULL AND l.revision <= c.revision"
        )
        starts = [to_ms(day_start)]
        starts += (
            [to_ms(start) for start in day_starts]
            if day_starts is not None
            else [starts[0] + n * 86_400_000 for n in range(1, forecast_days + 1)]
        )
        starts = starts[: forecast_days + 1]
        bucket = " ".join(f"WHEN s.due < {int(ms)} THEN {n}" for n, ms in enumerate(starts[1:]))
        with self._errors():
            db = self._db
            db.execute("PRAGMA temp_store=MEMORY")  # the temporary tables never touch a disk
            db.execute("DROP TABLE IF EXISTS temp.loaded_cards")
            db.execute("DROP TABLE IF EXISTS temp.selected")
            db.execute(
                "CREATE TEMP TABLE loaded_cards "
                "(card_key TEXT NOT NULL, bank_id TEXT NOT NULL, revision INTEGER NOT NULL)"
            )
            db.executemany("INSERT INTO temp.loaded_cards VALUES (?,?,?)", cards)
            # One pass over the loaded cards' rows; the aggregates read this table.
            db.execute(
                "CREATE TEMP TABLE selected AS SELECT l.bank_id AS bank_id, "
                "l.card_key AS card_key, c.id AS id, c.bank_id AS row_bank, c.state AS state, "
                f"c.due AS due, c.lapses AS lapses, ({scheduled}) AS scheduled "
                "FROM temp.loaded_cards l LEFT JOIN cards c ON c.card_key = l.card_key"
            )
            db.execute("CREATE INDEX temp.selected_id ON selected (id)")
            params = {
                "now": to_ms(now),
                "day": to_ms(day_start),
                "since": to_ms(retention_since),
                "learning": Phase.LEARNING.value,
                "relearning": Phase.RELEARNING.value,
                "review": Phase.REVIEW.value,
                "again": Rating.AGAIN.value,
                "mode": Mode.REVIEW.value,
                "leech": leech_lapses,
                "days": forecast_days,
            }
            states = {
                bank: (int(new), int(learning), int(review), int(due))
                for bank, new, learning, review, due in db.execute(
                    "SELECT bank_id, total(NOT scheduled), "
                    "total(scheduled AND state IN (:learning, :relearning)), "
                    "total(scheduled AND state NOT IN (:learning, :relearning)), "
                    "total(scheduled AND due <= :now) FROM temp.selected GROUP BY bank_id",
                    params,
                )
            }
            forecast = dict(
                db.execute(
                    f"SELECT CASE {bucket} ELSE {len(starts) - 1} END AS d, count(*) "
                    "FROM temp.selected s WHERE s.scheduled AND d < :days GROUP BY d",
                    params,
                ).fetchall()
            )
            leeches = db.execute(
                "SELECT card_key, lapses FROM temp.selected WHERE scheduled AND lapses >= :leech",
                params,
            ).fetchall()
            # Per card through the (card_id, reviewed_at) index: never the whole log.
            totals = dict(
                db.execute(
                    "SELECT bank_id, "
                    "total((SELECT count(*) FROM review_log r WHERE r.card_id = s.id)) "
                    "FROM temp.selected s WHERE s.id IS NOT NULL GROUP BY bank_id",
                ).fetchall()
            )
            today = dict(
                db.execute(
                    "SELECT s.bank_id, count(*) FROM review_log r INDEXED BY review_log_time "
                    "JOIN temp.selected s ON s.id = r.card_id WHERE r.reviewed_at >= :day "
                    "GROUP BY s.bank_id",
                    params,
                ).fetchall()
            )
            reviews = {bank: (int(n), int(today.get(bank, 0))) for bank, n in totals.items()}
            retention = {
                bank: (int(n), int(passed))
                for bank, n, passed in db.execute(
                    "SELECT s.row_bank, count(*), total(r.rating != :again) "
                    "FROM review_log r INDEXED BY review_log_time "
                    "JOIN temp.selected s ON s.id = r.card_id "
                    "WHERE r.reviewed_at >= :since AND r.mode = :mode "
                    "AND r.state_before = :review GROUP BY s.row_bank",
                    params,
                )
            }
            db.execute("DROP TABLE temp.selected")
            db.execute("DROP TABLE temp.loaded_cards")
        return StudyTotals(
            states,
            {int(day): int(n) for day, n in forecast.items()},
            [(str(key), int(lapses)) for key, lapses in leeches],
            reviews,
            retention,
        )

    def review_counts(self, since: dt.datetime) -> dict[str, tuple[int, int]]:
        """Per card key: (answers logged in all, answers logged since ``since``)."""
        with self._errors():
            rows = self._db.execute(
                "SELECT c.card_key, count(*), total(r.reviewed_at >= ?) "
                "FROM review_log r JOIN cards c ON c.id = r.card_id GROUP BY r.card_id",
                (to_ms(since),),
            )
            return {key: (total, int(recent)) for key, total, recent in rows}

    def reviews(
        self, since: dt.datetime | None = None, modes: tuple[Mode, ...] = MODES
    ) -> list[LoggedReview]:
        """Logged answers (oldest first), optionally only since ``since`` and in ``modes``.

        The rows carry what refitting FSRS needs: card, rating, time, duration
        and the state the card was in.
        """
        marks = ",".join("?" for _ in modes)
        query = (
            "SELECT c.card_key, c.bank_id, r.reviewed_at, r.rating, r.correct, r.mode, "
            "r.state_before, r.duration_ms, r.answer, r.revision, r.chosen, r.shown, "
            "r.overridden "
            "FROM review_log r JOIN cards c ON c.id = r.card_id "
            f"WHERE r.reviewed_at >= ? AND r.mode IN ({marks}) ORDER BY r.reviewed_at, r.id"
        )
        start = -(2**62) if since is None else to_ms(since)
        with self._errors():
            return [logged_review(row) for row in self._db.execute(query, (start, *modes))]

    # -- writing --------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group many :meth:`record` calls into one transaction (imports, benchmarks).

        A quiz never uses it: there, each answer is its own transaction.
        """
        self._checked()
        with self._errors():
            self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self._db.in_transaction:
                with self._errors():
                    self._db.execute("ROLLBACK")
            raise
        with self._errors():
            self._db.execute("COMMIT")

    def record(
        self,
        ref: CardRef,
        answer: Answer,
        reschedule: Callable[[CardState | None], CardState | None],
    ) -> StoredCard:
        """Log ``answer`` and save the card's new schedule, in one transaction.

        ``reschedule`` receives the card's current schedule (``None`` if new or
        reset by a raised revision), read inside the transaction, and returns
        the new one, or ``None`` to leave the schedule as it is (cram, exam).

        Returns:
            The card's row as committed.
        """
        return self.record_answer(ref, answer, reschedule).card

    def record_answer(
        self,
        ref: CardRef,
        answer: Answer,
        reschedule: Callable[[CardState | None], CardState | None],
        *,
        replacing: Recorded | None = None,
    ) -> Recorded:
        """:meth:`record`, returning what :meth:`undo` needs to take the answer back.

        With ``replacing``, that answer is undone first, in the same
        transaction: an override replaces a verdict without a moment where
        neither is stored.

        Raises:
            StoreError: ``replacing`` cannot be undone (see :meth:`undo`).
        """
        if answer.mode not in MODES:
            raise ValueError(f"unknown mode {answer.mode!r}")
        with self._transaction():
            if replacing is not None:
                self._undo(replacing)
            stored = self._card(ref.key)
            previous = self._row(stored.id) if stored else None
            before = stored.schedule_for(ref.revision) if stored else None
            after = reschedule(before)
            card_id = self._save(ref, stored, before, after, answer.reviewed_at)
            cursor = self._db.execute(
                "INSERT INTO review_log (card_id, reviewed_at, rating, correct, answer, "
                "duration_ms, mode, revision, state_before, chosen, shown, overridden) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    card_id,
                    to_ms(answer.reviewed_at),
                    answer.rating,
                    int(answer.correct),
                    answer.given,
                    max(0, answer.duration_ms),
                    answer.mode,
                    ref.revision,
                    before.state if before else Phase.NEW,
                    indexes_text(answer.chosen),
                    indexes_text(answer.shown),
                    int(answer.overridden),
                ),
            )
            saved = self._card(ref.key)
        assert saved is not None and cursor.lastrowid is not None
        return Recorded(saved, cursor.lastrowid, previous)

    def undo(self, recorded: Recorded) -> None:
        """Take back an answer: delete its log row and restore the card's row, in one transaction.

        The database is left exactly as it was before the answer.

        Raises:
            StoreError: the card was answered again since (by another session),
                or the answer is gone; nothing is changed.
        """
        with self._transaction():
            self._undo(recorded)

    def _undo(self, recorded: Recorded) -> None:
        db = self._db
        card_id = recorded.card.id
        (latest,) = db.execute(
            "SELECT max(id) FROM review_log WHERE card_id = ?", (card_id,)
        ).fetchone()
        if latest != recorded.log_id:
            raise StoreError(
                f"cannot undo the answer to {recorded.card.key}: "
                "it was answered again since, in another session"
            )
        db.execute("DELETE FROM review_log WHERE id = ?", (recorded.log_id,))
        if recorded.previous is None:
            db.execute("DELETE FROM cards WHERE id = ?", (card_id,))
        else:
            columns = CARD_COLUMNS.split(", ")
            assignments = ", ".join(f"{name}=?" for name in columns)
            db.execute(
                f"UPDATE cards SET {assignments} WHERE id = ?", (*recorded.previous, card_id)
            )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction, or a part of the :meth:`batch` already open."""
        self._checked()
        db = self._db
        outer = db.in_transaction  # inside batch(): the batch commits
        with self._errors():
            if not outer:
                db.execute("BEGIN IMMEDIATE")
            try:
                yield
                if not outer:
                    db.execute("COMMIT")
            except BaseException:
                if db.in_transaction and not outer:
                    db.execute("ROLLBACK")
                raise

    # -- settings ---------------------------------------------------------------

    def settings(self) -> Settings:
        """The learner's stored choices."""
        with self._errors():
            return Settings.from_rows(self._db.execute("SELECT name, value FROM settings"))

    def save_settings(self, changes: Settings) -> Settings:
        """Store the choices made in ``changes`` (others are kept); returns them all."""
        with self._transaction():
            self._db.executemany(
                "INSERT INTO settings (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                changes.to_rows(),
            )
        return self.settings()

    def _save(
        self,
        ref: CardRef,
        stored: StoredCard | None,
        before: CardState | None,
        after: CardState | None,
        now: dt.datetime,
    ) -> int:
        if stored is not None and after is None:
            return stored.id
        if after is None:
            values = schedule_values(None)
            introduced = None
        else:
            values = schedule_values(after)
            introduced = (
                to_ms(now)
                if before is None
                else (to_ms(stored.introduced) if stored and stored.introduced else None)
            )
        if stored is None:
            cursor = self._db.execute(
                "INSERT INTO cards (card_key, bank_id, question_id, cloze, revision, state, step, "
                "stability, difficulty, due, last_review, reps, lapses, introduced) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    ref.key,
                    ref.bank_id,
                    ref.question_id,
                    ref.cloze,
                    ref.revision,
                    *values,
                    introduced,
                ),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid
        self._db.execute(
            "UPDATE cards SET revision=?, state=?, step=?, stability=?, difficulty=?, due=?, "
            "last_review=?, reps=?, lapses=?, introduced=? WHERE id=?",
            (max(ref.revision, stored.revision), *values, introduced, stored.id),
        )
        return stored.id

    def _row(self, card_id: int) -> tuple[Any, ...]:
        row = self._db.execute(
            f"SELECT {CARD_COLUMNS} FROM cards WHERE id = ?", (card_id,)
        ).fetchone()
        return tuple(row)

    def _card(self, key: str) -> StoredCard | None:
        row = self._db.execute(
            f"SELECT {CARD_COLUMNS} FROM cards WHERE card_key = ?", (key,)
        ).fetchone()
        return None if row is None else stored_card(row)
