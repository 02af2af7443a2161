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
:meth:`Store.opening` makes the same checks with the slowest (every card
row) on a thread, while the caller goes on.
"""

import bisect
import datetime as dt
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from hoquiz.errors import StoreError, os_error_text
from hoquiz.store.opening import (
    _DUE_AHEAD,
    _KEYS_AHEAD,
    _UNSET,
    BUSY_TIMEOUT_SECONDS,
    Opening,
    _check_writable,
    _Handover,
    _texts,
    _unwritable,
)
from hoquiz.store.records import (
    CARD_COLUMNS,
    MODES,
    Answer,
    BadRow,
    BankCards,
    CardRef,
    CardSummary,
    LoggedReview,
    Recorded,
    StoredCard,
    StudyTotals,
    TotalsCutoffs,
    indexes_text,
    logged_review,
    schedule_values,
    stored_card,
)
from hoquiz.store.schema import (
    ANSWERS_FROM,
    APPLICATION_ID,
    MIGRATIONS,
    PROBLEM,
    READABLE_FROM,
    SCHEMA_VERSION,
    TABLES,
    bad_card,
    check_header,
    first_bad_card,
    layout,
    table_columns,
)
from hoquiz.store.times import MAX_MS, MIN_MS, to_ms
from hoquiz.study.modes import Mode
from hoquiz.study.scheduling import PHASES, CardState, Phase, Rating
from hoquiz.study.settings import Settings


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


def _bad_card_text(path: Path, bad: tuple[str, str]) -> str:
    return f"{path}: card {bad[0]} has {bad[1]}, which no hoquiz writes"


def _file_problem(
    path: Path,
    db: sqlite3.Connection,
    *,
    rows: bool,
    stopped: Callable[[], bool] = lambda: False,
) -> str | None:
    """What ``PRAGMA quick_check`` finds, then (with ``rows``) the first card row, of
    every row read, that no hoquiz of this schema version writes; as the error says it.
    The rows are not read once ``stopped()``."""
    problem = _quick_check_problem(db)
    if problem is not None:
        return _damaged(path, problem)
    if rows and not stopped():
        try:
            bad = db.execute(bad_card(SCHEMA_VERSION)).fetchone()
        except sqlite3.DatabaseError as error:
            return _damaged(path, str(error))
        if bad is not None:
            return _bad_card_text(path, bad)
    return None


_CANCEL_POLL_SECONDS = 0.002


class _Check:
    """``PRAGMA quick_check``, then a look at every card row, on a connection of its
    own, in a thread.

    SQLite works outside the GIL, so the check (0.3 to 1 s for a million
    logged answers) overlaps the quiz's start instead of delaying it. Opening
    found the card rows no hoquiz writes through their index (see
    :func:`~hoquiz.store.schema.first_bad_card`); reading every row as well
    finds them in a file whose index was not kept by SQLite.
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
            self._problem = _damaged(self._path, str(error))
            return
        try:
            with self._lock:
                if self._cancelled:
                    return
                self._db = db
            db.execute("PRAGMA query_only=ON")
            problem = _file_problem(self._path, db, rows=True, stopped=self._stopped)
        except sqlite3.Error as error:  # an interrupted statement, or the file
            problem = _damaged(self._path, str(error))
        finally:
            with self._lock:
                self._db = None
            db.close()
        with self._lock:
            if not self._cancelled:
                self._problem = problem

    def _stopped(self) -> bool:
        with self._lock:
            return self._cancelled

    def result(self) -> str | None:
        """What the check found, as the error says it (``None``: nothing), once it is done."""
        self._thread.join()
        return self._problem

    def cancel(self) -> None:
        """Stop the check and wait for its thread (at once: a learner who quits waits).

        SQLite's interrupt stops only the statement running when it is called;
        between two statements it is a no-op (the thread may be waiting for the
        GIL there). So it is called again until the thread is done.
        """
        with self._lock:
            self._cancelled = True
        while self._thread.is_alive():
            with self._lock:
                if self._db is not None:
                    self._db.interrupt()
            self._thread.join(_CANCEL_POLL_SECONDS)


def _keys_by_bank(rows: list[Any]) -> dict[str, list[tuple[int, str]]]:
    """:meth:`Store.scheduled_keys` from its query's ``(bank, revision, keys)`` rows."""
    found: dict[str, list[tuple[int, str]]] = {}
    for bank, revision, keys in rows:
        if keys:
            found.setdefault(str(bank), []).append((int(revision), str(keys)))
    return found


# A state's digit to its number, at C speed; anything else to 255, which no state is.
_DIGITS = bytes(n - 48 if 48 <= n <= 57 else 255 for n in range(256))
_SCHEDULED_STATES = frozenset(range(1, len(PHASES)))

DueColumns = tuple[list[int], list[str], list[int], list[int], list[str]]
"""Scheduled cards read ahead, column by column: due, key, revision, state, bank."""


def _due_rows(read: tuple[Any, ...]) -> DueColumns | None:
    """The rows of :data:`_DUE_AHEAD`'s one row, as columns in due order (then key order);
    ``None``: values not as hoquiz writes them."""
    count, keys, revisions, states, dues, banks = read
    if not count:
        return [], [], [], [], []
    try:
        columns: DueColumns = (
            list(map(int, str(dues).split(","))),
            str(keys).split("\n"),
            list(map(int, str(revisions).split(","))),
            list(str(states).encode().translate(_DIGITS)),
            str(banks).split("\n"),
        )
    except ValueError:  # a number stored as text or as a float
        return None
    if any(len(column) != count for column in columns):
        return None
    dues_read, _, revisions_read, states_read, _ = columns
    if (
        not set(states_read) <= _SCHEDULED_STATES
        or min(revisions_read) < 0
        or min(dues_read) < MIN_MS
        or max(dues_read) > MAX_MS
    ):
        return None  # read again with each row's check, which names the row
    dues_read = columns[0]
    if len(set(dues_read)) != count or dues_read != sorted(dues_read):
        # Ties (ordered by key) or another order: sorted whole, not trusted to the query.
        rows = sorted(zip(*columns, strict=True))
        columns = tuple(map(list, zip(*rows, strict=True)))  # type: ignore[assignment]
    return columns


def _keys_rows(read: tuple[str, str]) -> dict[str, list[tuple[int, str]]] | None:
    """:meth:`Store.scheduled_keys` of every bank from :data:`_KEYS_AHEAD`'s two values:
    each group's bank, revision and count, and its keys (the texts split once each)."""
    headers, texts = read
    groups = headers.split("\x1e") if headers else []
    keys = texts.split("\x1e") if texts else []
    if len(groups) != len(keys):
        return None
    found: dict[str, list[tuple[int, str]]] = {}
    for group, text in zip(groups, keys, strict=True):
        parts = group.split("\x1f")
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            return None
        bank, revision, count = parts
        if text.count("\n") + 1 != int(count):
            return None
        found.setdefault(bank, []).append((int(revision), text))
    return found


class Store:
    """An open progress database. Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection
        self._checking: _Check | None = None  # the quick check running since opening
        self._damaged: str | None = None  # what it found
        self._version = SCHEMA_VERSION  # the file's (an older one only when read-only)
        self._bad_card_row: Any = _UNSET  # see _open
        # What was read ahead: (until, due rows with their bank), keys per bank.
        self._due_ahead: tuple[int, DueColumns] | None = None
        self._keys_ahead: dict[str, list[tuple[int, str]]] | None = None

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
        return cls._open(Path(path))

    @classmethod
    def _open(cls, path: Path, bad_card_row: Any = _UNSET) -> "Store":
        """:meth:`open`; ``bad_card_row``: what the card check found on another connection,
        if it ran there (for this hoquiz's schema version)."""
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
        store._bad_card_row = bad_card_row
        try:
            with store._errors():
                store._prepare(exists)
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def opening(cls, path: Path, read_ahead: int | None = None) -> Opening:
        """:meth:`open` with its slow part started on threads: call :meth:`Opening.store`
        for the store. With ``read_ahead``, what :meth:`read_ahead` reads is read too.
        """
        return Opening(Path(path), read_ahead)

    @classmethod
    def open_read_only(cls, path: Path, *, check: bool = True) -> "Store | None":
        """Open the database at ``path`` for reading only (``None``: missing or empty).

        Nothing is created or written, not even SQLite's ``-wal`` and ``-shm``
        files when none is there already: the file is then read as immutable,
        so it can lie on read-only media. A database of an older schema
        version is read as it is, never upgraded (``hoquiz quiz`` does that),
        when it has every table and column the reading methods use; reading
        it may be slower (no newer index, no kept counts).

        ``check=False`` leaves out the checks of the schema and of every card
        row, for a second connection beside a checked one.

        Raises:
            StoreError: as :meth:`open`, or the schema is too old to read as it is.
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
                if not check:
                    store._version = int(db.execute("PRAGMA user_version").fetchone()[0])
                    return store
                version = store._check(every_row=True)
                store._version = version
                if version < READABLE_FROM:
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
        version = self._check(every_row=False) if exists else 0
        needs_wal = db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal"
        if exists and (version < SCHEMA_VERSION or needs_wal):
            self._quick_check(version)  # before the migration or the switch to WAL writes
        elif exists:
            self._checking = _Check(self.path)
        if version < SCHEMA_VERSION:
            self._migrate()
        if needs_wal:
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")

    def _check(self, *, every_row: bool) -> int:
        """Check an existing file before anything is written to it; returns its schema version.

        The card rows of a file of this schema version are found through their index
        unless ``every_row`` (for reading: no first write waits for a look at every row).

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
        bad = self._bad_card_row
        if version != SCHEMA_VERSION or every_row:
            bad = db.execute(bad_card(version)).fetchone()
        elif bad is _UNSET:
            bad = first_bad_card(db)
        if bad is not None:
            raise StoreError(_bad_card_text(self.path, bad))
        return version

    def _quick_check(self, version: int) -> None:
        problem = _file_problem(self.path, self._db, rows=version == SCHEMA_VERSION)
        if problem is not None:
            raise StoreError(problem)

    def _checked(self) -> None:
        """Wait for the quick check started at opening; raise what it found."""
        checking, self._checking = self._checking, None
        if checking is not None:
            problem = checking.result()
            if problem is not None:
                self._damaged = problem
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

    def read_ahead(self, until: int) -> None:
        """Read what planning a review session asks first, for every bank: the scheduled
        cards due at ``until`` or before, and the scheduled keys of each bank.

        The next :meth:`scheduled_until` (up to ``until``) and then :meth:`scheduled_keys`
        are answered from what was read, once, with their banks picked out: both from
        one state of the database (a :meth:`scheduled_until` further ahead reads the
        database, and so does the :meth:`scheduled_keys` after it).
        :class:`Opening` reads it on its thread, while the caller works.
        """
        with self.snapshot(), self._errors():
            due = self._db.execute(_DUE_AHEAD, (until,)).fetchone()
            keys = _texts(self._db.execute(_KEYS_AHEAD).fetchone())
        self._ahead(until, due, keys)

    def _ahead(self, until: int, due: tuple[Any, ...], keys: tuple[str, str]) -> None:
        """Keep what :meth:`read_ahead` read (nothing of it, if any value is not as
        hoquiz writes it: the database is then read as usual)."""
        rows, by_bank = _due_rows(due), _keys_rows(keys)
        if rows is not None and by_bank is not None:
            self._due_ahead = (until, rows)
            self._keys_ahead = by_bank

    def scheduled_until(
        self, bank_ids: Sequence[str], until: int | None = None
    ) -> Iterator[tuple[str, int, int, int]]:
        """``(card key, revision, state, due)`` of the banks' scheduled cards, soonest due first.

        Only cards due at ``until`` (UTC milliseconds) or before, if given; ties
        by key. Read through the index on due times, row by row as consumed.
        """
        ahead, self._due_ahead = self._due_ahead, None
        if ahead is not None and until is not None and until <= ahead[0]:
            dues, keys, revisions, states, banks = ahead[1]
            cut = bisect.bisect_right(dues, until)
            read = zip(keys[:cut], revisions[:cut], states[:cut], dues[:cut], strict=True)
            wanted = set(bank_ids)
            if wanted.issuperset(banks[:cut]):
                yield from read
            else:
                for row, bank_id in zip(read, banks, strict=False):
                    if bank_id in wanted:
                        yield row
            return
        self._keys_ahead = None  # what was read ahead is used whole, or not at all
        marks = ",".join("?" * len(bank_ids))
        query = (
            # In due order from the due index, never sorted whole: the caller may stop early.
            f"SELECT card_key, revision, state, due, {PROBLEM} FROM cards INDEXED BY cards_due "
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
            for key, revision, state, due, problem in rows:
                if problem is not None:
                    raise self._bad_row(key, problem)
                yield key, revision, state, due

    def scheduled_columns(self, bank_ids: Sequence[str], until: int) -> DueColumns:
        """What :meth:`scheduled_until` gives up to ``until``, column by column: due times,
        keys, revisions, states and banks, soonest due first (ties by key).

        Taken from what was read ahead when it can be (slices of its columns, no
        Python work per card); else read as :meth:`scheduled_until` reads it.
        """
        ahead = self._due_ahead
        if ahead is not None and until <= ahead[0]:
            dues, keys, revisions, states, banks = ahead[1]
            cut = bisect.bisect_right(dues, until)
            if set(bank_ids).issuperset(banks[:cut]):
                self._due_ahead = None
                return dues[:cut], keys[:cut], revisions[:cut], states[:cut], banks[:cut]
        rows = list(self.scheduled_until(bank_ids, until))
        return (
            [row[3] for row in rows],
            [row[0] for row in rows],
            [row[1] for row in rows],
            [row[2] for row in rows],
            [row[0].partition("/")[0] for row in rows],
        )

    def introduced_since(
        self, bank_ids: Sequence[str], since: int
    ) -> list[tuple[str, int, int, int | None]]:
        """``(card key, revision, state, due)`` of the banks' cards first scheduled since then."""
        marks = ",".join("?" * len(bank_ids))
        with self._errors():
            rows = self._db.execute(
                f"SELECT card_key, revision, state, due, {PROBLEM} FROM cards "
                f"WHERE introduced >= ? AND bank_id IN ({marks})",
                (since, *bank_ids),
            ).fetchall()
        for key, _, _, _, problem in rows:
            if problem is not None:
                raise self._bad_row(key, problem)
        return [row[:4] for row in rows]

    def scheduled_keys(self, bank_ids: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
        """Per bank, the keys of its scheduled cards, grouped by the revision they were
        scheduled at: ``{bank: [(revision, keys), ...]}``, the keys one per line.

        One aggregate in SQL, read from the ``cards_bank`` index (in its order, so
        sorted by key within a group): a text per bank and revision, not a row per card.
        """
        ahead, self._keys_ahead = self._keys_ahead, None
        if ahead is not None:
            return {bank: ahead[bank] for bank in bank_ids if bank in ahead}
        marks = ",".join("?" * len(bank_ids))
        with self._errors():
            rows = self._db.execute(
                "SELECT bank_id, revision, group_concat(card_key, char(10)) FROM cards "
                f"WHERE state > 0 AND due IS NOT NULL AND bank_id IN ({marks}) "
                "GROUP BY bank_id, revision",
                tuple(bank_ids),
            ).fetchall()
        for _, revision, keys in rows:
            if type(revision) is not int or revision < 0:
                raise self._bad_row(str(keys).split("\n")[0], f"revision {revision!r}")
        return _keys_by_bank(rows)

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

    def study_totals(self, banks: Mapping[str, BankCards], cutoffs: TotalsCutoffs) -> StudyTotals:
        """Aggregates over the cards of ``banks`` (per bank id, its card keys), in SQL.

        A card counts as scheduled when its row has a schedule for at least its
        revision; otherwise it is new. A row whose key is none of its bank's
        cards (a removed question) counts nowhere. Those exceptions are found
        from each bank's row keys, one string per bank; the totals then read
        the banks' rows once, and the log only since the cut-offs, through the
        index on answer times. The forecast's days start at ``cutoffs.day_start``
        and then at ``cutoffs.day_starts`` (when each next day starts: days are
        not all 24 hours long), else every 24 hours.
        """
        bank_ids = list(banks)
        params = _totals_params(cutoffs)
        params.update({f"b{n}": bank_id for n, bank_id in enumerate(bank_ids)})
        in_banks = f"c.bank_id IN ({','.join(f':b{n}' for n in range(len(bank_ids)))})"
        with self._errors():
            db = self._db
            removed, unscheduled = self._exceptions(banks, in_banks, params)
            keep = ""  # rows of the given cards
            counted = _SCHEDULED  # scheduled for their revision
            if removed or unscheduled:
                db.execute("PRAGMA temp_store=MEMORY")  # never on a disk
                for name, keys in (("removed", removed), ("unscheduled", unscheduled)):
                    db.execute(f"DROP TABLE IF EXISTS temp.{name}")
                    db.execute(
                        f"CREATE TEMP TABLE {name} (card_key TEXT PRIMARY KEY) WITHOUT ROWID"
                    )
                    db.executemany(
                        f"INSERT OR IGNORE INTO temp.{name} VALUES (?)", ((k,) for k in keys)
                    )
                keep = " AND c.card_key NOT IN temp.removed"
                counted += " AND c.card_key NOT IN temp.unscheduled"
            answers = "c.answers" if self._version >= ANSWERS_FROM else "0"
            groups = db.execute(_tally_query(cutoffs, counted, keep, answers), params).fetchall()
            leeches = db.execute(_leech_query(counted, keep), params).fetchall()
            logged: dict[str, int] | None = None
            if self._version < ANSWERS_FROM:  # no kept count: the log, grouped by card
                logged = dict.fromkeys(banks, 0)
                for bank_id, n in db.execute(
                    "SELECT c.bank_id, total(g.n) FROM (SELECT card_id, count(*) AS n "
                    "FROM review_log GROUP BY card_id) g JOIN cards c ON c.id = g.card_id "
                    f"WHERE 1{keep} GROUP BY c.bank_id",
                    params,
                ):
                    if bank_id in banks:
                        logged[bank_id] = int(n)
            today = db.execute(_today_query(keep), params).fetchall()
            retention = db.execute(_retention_query(keep), params).fetchall()
            if keep:
                db.execute("DROP TABLE temp.removed")
                db.execute("DROP TABLE temp.unscheduled")
        return _totals(banks, cutoffs.forecast_days, groups, leeches, today, retention, logged)

    def _exceptions(
        self, banks: Mapping[str, BankCards], in_banks: str, params: dict[str, Any]
    ) -> tuple[list[str], list[str]]:
        """The keys of rows of no given card, and of scheduled rows of a lower revision.

        Read as one string of keys per bank for the scheduled rows at the banks'
        highest revision (from the bank index), row by row for the others.
        """
        db = self._db
        top = max((cards.top for cards in banks.values()), default=1)
        removed: list[str] = []
        unscheduled: list[str] = []
        below: list[tuple[str, str, int]] = []
        for bank_id, count, keys in db.execute(
            f"SELECT c.bank_id, count(*), group_concat(c.card_key, char(10)) FROM cards c "
            f"WHERE {_SCHEDULED} AND c.revision >= :top AND {in_banks} GROUP BY c.bank_id",
            {**params, "top": top},
        ):
            split = str(keys).split("\n")
            if len(split) != count:  # a key no hoquiz writes (with a line break): row by row
                below += db.execute(
                    f"SELECT c.bank_id, c.card_key, c.revision FROM cards c WHERE {_SCHEDULED} "
                    "AND c.revision >= :top AND c.bank_id = :bank",
                    {"top": top, "bank": bank_id},
                ).fetchall()
                continue
            removed += frozenset(split).difference(banks[bank_id].keys)
        below += db.execute(
            f"SELECT c.bank_id, c.card_key, c.revision FROM cards c "
            f"WHERE {_SCHEDULED} AND c.revision < :top AND {in_banks}",
            {**params, "top": top},
        ).fetchall()
        for bank_id, key, revision in below:
            wanted = banks[bank_id].revision(key)
            if wanted is None:
                removed.append(key)
            elif revision < wanted:
                unscheduled.append(key)
        removed += [
            key
            for bank_id, key in db.execute(_UNSCHEDULED_QUERY)
            if bank_id in banks and key not in banks[bank_id].keys
        ]
        return removed, unscheduled

    def totals_ahead(self, cutoffs: TotalsCutoffs, part: int) -> "TotalsRead":
        """Half of what :func:`totals_from` needs (``part`` 0 or 1), for every bank.

        Part 0 reads the card rows grouped by bank and state, and the leeches;
        part 1 each bank's scheduled keys per revision, its unscheduled rows and
        the answers since the cut-offs. Two connections, each on a thread, read
        them at once (see :class:`TotalsReading`).
        """
        params = _totals_params(cutoffs)
        read = TotalsRead()
        with self._errors():
            db = self._db
            if part == 0:
                query = _tally_query(cutoffs, _SCHEDULED, "", "c.answers")
                read.groups = db.execute(query, params).fetchall()
                read.leeches = db.execute(_leech_query(_SCHEDULED, ""), params).fetchall()
            else:
                read.keys = db.execute(_KEYS_QUERY).fetchall()
                read.unscheduled = db.execute(_UNSCHEDULED_QUERY).fetchall()
                read.today = db.execute(_today_query(""), params).fetchall()
                read.retention = db.execute(_retention_query(""), params).fetchall()
        return read

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
            self._db.execute("UPDATE cards SET answers = answers + 1 WHERE id = ?", (card_id,))
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
                f"UPDATE cards SET {assignments}, answers = answers - 1 WHERE id = ?",
                (*recorded.previous, card_id),
            )

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Read one state of the database throughout (a read transaction), whatever
        another session commits meanwhile."""
        db = self._db
        if db.in_transaction:
            yield
            return
        with self._errors():
            db.execute("BEGIN")
        try:
            yield
        finally:
            with self._errors():
                if db.in_transaction:
                    db.execute("COMMIT")

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
            f"SELECT {CARD_COLUMNS}, {PROBLEM} FROM cards WHERE card_key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        if row[-1] is not None:
            raise self._bad_row(key, row[-1])
        return stored_card(row[:-1])

    def _bad_row(self, key: str, problem: str) -> StoreError:
        """A card row no hoquiz writes, read before the check of every row refused the file
        (its index of such rows did not hold it: see :class:`_Check`)."""
        return StoreError(_bad_card_text(self.path, (key, problem)))


# -- statistics: the queries of Store.study_totals and of its read-ahead ---------

_SCHEDULED = "c.state > 0 AND c.due IS NOT NULL"
_UNSCHEDULED_QUERY = f"SELECT c.bank_id, c.card_key FROM cards c WHERE NOT ({_SCHEDULED})"
_KEYS_QUERY = (
    "SELECT c.bank_id, c.revision, count(*), group_concat(c.card_key, char(10)) FROM cards c "
    f"WHERE {_SCHEDULED} GROUP BY c.bank_id, c.revision"
)
# The answers since a cut-off, from the time index, then read in row order.
_RECENT = "r.id IN (SELECT id FROM review_log INDEXED BY review_log_time WHERE reviewed_at >= {})"


def _totals_params(cutoffs: TotalsCutoffs) -> dict[str, Any]:
    return {
        "now": to_ms(cutoffs.now),
        "day": to_ms(cutoffs.day_start),
        "since": to_ms(cutoffs.retention_since),
        "learning": Phase.LEARNING.value,
        "relearning": Phase.RELEARNING.value,
        "review": Phase.REVIEW.value,
        "again": Rating.AGAIN.value,
        "mode": Mode.REVIEW.value,
        "leech": cutoffs.leech_lapses,
    }


def _tally_query(cutoffs: TotalsCutoffs, counted: str, keep: str, answers: str) -> str:
    """The card rows grouped by bank, kind (0 new, 1 learning, 2 review) and forecast day.

    A whole-table pass grouped by bank, other banks' groups dropped by the
    reader: cheaper than testing every row's bank in SQL.
    """
    starts = [to_ms(cutoffs.day_start)]
    starts += (
        [to_ms(start) for start in cutoffs.day_starts]
        if cutoffs.day_starts is not None
        else [starts[0] + n * 86_400_000 for n in range(1, cutoffs.forecast_days + 1)]
    )
    starts = starts[: cutoffs.forecast_days + 1]
    bucket = " ".join(f"WHEN c.due < {int(ms)} THEN {n}" for n, ms in enumerate(starts[1:]))
    kind = (
        f"CASE WHEN NOT ({counted}) THEN 0 "
        "WHEN c.state IN (:learning, :relearning) THEN 1 ELSE 2 END"
    )
    return (
        f"SELECT c.bank_id, {kind} AS k, CASE WHEN NOT ({counted}) THEN NULL {bucket} "
        f"ELSE {len(starts) - 1} END AS d, count(*), total(c.due <= :now), "
        f"total({answers}) FROM cards c WHERE 1{keep} GROUP BY c.bank_id, k, d"
    )


def _leech_query(counted: str, keep: str) -> str:
    return (
        "SELECT c.bank_id, c.card_key, c.lapses FROM cards c NOT INDEXED "
        f"WHERE c.lapses >= :leech AND {counted}{keep}"
    )


def _today_query(keep: str) -> str:
    return (
        "SELECT c.bank_id, count(*) FROM review_log r JOIN cards c ON c.id = r.card_id "
        f"WHERE {_RECENT.format(':day')}{keep} GROUP BY c.bank_id"
    )


def _retention_query(keep: str) -> str:
    return (
        "SELECT c.bank_id, count(*), total(r.rating != :again) "
        "FROM review_log r JOIN cards c ON c.id = r.card_id "
        f"WHERE {_RECENT.format(':since')} AND r.mode = :mode "
        f"AND r.state_before = :review{keep} GROUP BY c.bank_id"
    )


def _totals(
    banks: Mapping[str, BankCards],
    forecast_days: int,
    groups: Sequence[Any],
    leeches: Sequence[Any],
    today_rows: Sequence[Any],
    retention_rows: Sequence[Any],
    logged: dict[str, int] | None,
) -> StudyTotals:
    """:class:`StudyTotals` of ``banks`` from the rows of the queries above.

    ``logged``: the answers per bank, when the card rows keep no count of them.
    """
    states = {bank_id: [len(cards.keys), 0, 0, 0] for bank_id, cards in banks.items()}
    reviews_total = dict.fromkeys(banks, 0)
    forecast: dict[int, int] = {}
    for bank_id, k, day, n, due, answered in groups:
        counts = states.get(bank_id)
        if counts is None:
            continue
        reviews_total[bank_id] += int(answered)
        if k:
            counts[0] -= n
            counts[k] += n
            counts[3] += int(due)
            if day < forecast_days:
                forecast[day] = forecast.get(day, 0) + n
    if logged is not None:
        reviews_total = logged
    today = {bank_id: int(n) for bank_id, n in today_rows if bank_id in banks}
    return StudyTotals(
        {bank_id: (c[0], c[1], c[2], c[3]) for bank_id, c in states.items()},
        forecast,
        [(str(key), int(lapses)) for bank_id, key, lapses in leeches if bank_id in banks],
        {
            bank_id: (n, today.get(bank_id, 0))
            for bank_id, n in reviews_total.items()
            if n or bank_id in today
        },
        {
            bank_id: (int(n), int(passed))
            for bank_id, n, passed in retention_rows
            if bank_id in banks
        },
    )


class TotalsRead:
    """What :meth:`Store.totals_ahead` read: the rows of the queries above, for every bank."""

    def __init__(self) -> None:
        self.groups: list[Any] = []
        self.leeches: list[Any] = []
        self.keys: list[Any] = []
        self.unscheduled: list[Any] = []
        self.today: list[Any] = []
        self.retention: list[Any] = []


def totals_from(
    tally: TotalsRead, rest: TotalsRead, banks: Mapping[str, BankCards], forecast_days: int
) -> StudyTotals | None:
    """:meth:`Store.study_totals` of ``banks`` from what was read for every bank
    (``tally`` part 0, ``rest`` part 1); ``None`` when a row is not one of the banks'
    cards at its revision (a removed question, a revised one): those the store's
    own reading leaves out, bank by bank."""
    for bank_id, revision, count, keys in rest.keys:
        cards = banks.get(bank_id)
        if cards is None:
            continue
        split = str(keys).split("\n")
        if len(split) != count or not cards.keys.issuperset(split):
            return None
        if revision < cards.top and any(revision < (cards.revision(k) or 0) for k in split):
            return None
    for bank_id, key in rest.unscheduled:
        cards = banks.get(bank_id)
        if cards is not None and key not in cards.keys:
            return None
    return _totals(
        banks, forecast_days, tally.groups, tally.leeches, rest.today, rest.retention, None
    )


class TotalsReading:
    """What ``hoquiz stats`` reads of every bank, read on two threads while the banks load.

    Each thread opens the database for reading only (:meth:`Store.open_read_only`,
    the first with every check, whose error :meth:`result` raises), reads the
    learner's settings, and then its half of :meth:`Store.totals_ahead` at the
    cut-offs ``cutoffs`` gives for those settings. SQLite works outside the GIL;
    the GIL is handed to the threads soon (:class:`_Handover`).
    """

    def __init__(self, path: Path, cutoffs: Callable[[Settings], TotalsCutoffs]) -> None:
        self._path = path
        self._cutoffs = cutoffs
        self._found: list[Any] = [_UNSET, _UNSET]
        self._handover = _Handover()
        self._threads = [
            threading.Thread(target=self._read, args=(part,), name="hoquiz-stats", daemon=True)
            for part in (0, 1)
        ]
        for thread in self._threads:
            thread.start()

    def _read(self, part: int) -> None:
        try:
            store = Store.open_read_only(self._path, check=part == 0)
            if store is None:
                self._found[part] = None
                return
            with store:
                settings = store.settings()
                read = (
                    store.totals_ahead(self._cutoffs(settings), part)
                    if store._version >= ANSWERS_FROM
                    else None
                )
            self._found[part] = (settings, read)
        except Exception as error:  # the first part's is raised; the second's reads again
            self._found[part] = error

    def close(self) -> None:
        """Wait for the threads (they write nothing)."""
        for thread in self._threads:
            thread.join()
        self._handover.end()

    def result(self) -> tuple[Settings, TotalsRead | None, TotalsRead | None] | None:
        """The settings and both parts (``None``: read the database as usual), or ``None``
        when there is no database.

        Raises:
            StoreError: as :meth:`Store.open_read_only`.
        """
        self.close()
        first, second = self._found
        if isinstance(first, BaseException):
            raise first
        if first is None:
            return None
        settings, tally = first
        rest = second[1] if isinstance(second, tuple) else None
        return settings, tally, rest
