"""The progress database: card schedules and the review log (sqlite3 lives here only).

One SQLite file, in WAL mode with a busy timeout so that two quiz processes
can share it. Each graded answer is one transaction: the card's new schedule
and its review-log row are committed together before the next question is
shown. Times are stored as UTC milliseconds since the Unix epoch.

A file is checked before anything is written to it: it must be empty or a
SQLite database stamped with hoquiz's application id, of a schema version
this hoquiz knows. Otherwise :class:`StoreError` names the file, which is
left untouched.
"""

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from hoquiz.errors import StoreError
from hoquiz.scheduling import NEW, CardState

SCHEMA_VERSION = 1
APPLICATION_ID = 0x686F717A  # "hoqz", at offset 68 of the SQLite header
BUSY_TIMEOUT_SECONDS = 10.0
MODES = ("review", "cram", "exam")

_MAGIC = b"SQLite format 3\x00"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MS = dt.timedelta(milliseconds=1)

# Migrations: _MIGRATIONS[n] upgrades a database from schema version n to n + 1.
_MIGRATIONS: dict[int, str] = {
    0: """
    CREATE TABLE cards (
        id           INTEGER PRIMARY KEY,
        card_key     TEXT NOT NULL UNIQUE,   -- bank/question or bank/question#cN
        bank_id      TEXT NOT NULL,
        question_id  TEXT NOT NULL,
        cloze        INTEGER,                -- the deletion number of a cloze card
        revision     INTEGER NOT NULL,       -- the question revision this schedule is for
        state        INTEGER NOT NULL,       -- 0 new, 1 learning, 2 review, 3 relearning
        step         INTEGER,
        stability    REAL,
        difficulty   REAL,
        due          INTEGER,
        last_review  INTEGER,
        reps         INTEGER NOT NULL DEFAULT 0,
        lapses       INTEGER NOT NULL DEFAULT 0,
        introduced   INTEGER                 -- first scheduled review (since the last reset)
    );
    CREATE INDEX cards_due ON cards (due) WHERE state > 0;
    CREATE INDEX cards_introduced ON cards (introduced) WHERE introduced IS NOT NULL;
    CREATE TABLE review_log (
        id           INTEGER PRIMARY KEY,
        card_id      INTEGER NOT NULL REFERENCES cards (id),
        reviewed_at  INTEGER NOT NULL,
        rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
        correct      INTEGER NOT NULL CHECK (correct IN (0, 1)),
        answer       TEXT NOT NULL,
        duration_ms  INTEGER NOT NULL,
        mode         TEXT NOT NULL CHECK (mode IN ('review', 'cram', 'exam')),
        revision     INTEGER NOT NULL,
        state_before INTEGER NOT NULL       -- the card's state when answered (0 new)
    );
    CREATE INDEX review_log_card ON review_log (card_id, reviewed_at);
    CREATE INDEX review_log_time ON review_log (reviewed_at);
    """,
}
_TABLES = {"cards", "review_log"}


def to_ms(moment: dt.datetime) -> int:
    """UTC milliseconds since the epoch."""
    return (moment - _EPOCH) // _MS


def from_ms(ms: int) -> dt.datetime:
    return _EPOCH + ms * _MS


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
    state: int
    due_ms: int | None
    introduced_ms: int | None
    lapses: int


class Answer(NamedTuple):
    """One graded answer, as logged."""

    reviewed_at: dt.datetime
    rating: int
    correct: bool
    given: str
    duration_ms: int
    mode: str


class LoggedReview(NamedTuple):
    """A review-log row joined with its card."""

    card_key: str
    bank_id: str
    reviewed_at: dt.datetime
    rating: int
    correct: bool
    mode: str
    state_before: int
    duration_ms: int
    answer: str
    revision: int


class Store:
    """An open progress database. Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection

    # -- opening ------------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> "Store":
        """Open (or create) the database at ``path``, migrating it if needed.

        Raises:
            StoreError: the file is not a hoquiz database, is damaged, is from a
                newer hoquiz, or cannot be created; nothing was written to it.
        """
        path = Path(path)
        exists = _check_header(path)
        if not exists:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"cannot create {path}: {error.strerror or error}") from None
        try:
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open {path}: {error}") from None
        store = cls(path, db)
        try:
            with store._errors():
                store._prepare(exists)
        except BaseException:
            db.close()
            raise
        return store

    def _prepare(self, exists: bool) -> None:
        db = self._db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if exists:
            self._check_schema(version)
        if version < SCHEMA_VERSION:
            self._migrate()
        if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")

    def _check_schema(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"cannot use {self.path}: it was written by a newer hoquiz "
                f"(schema version {version}; this hoquiz knows up to {SCHEMA_VERSION})"
            )
        if version == 0:
            return  # stamped but interrupted before its first migration committed
        tables = {
            row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        missing = _TABLES - tables
        if missing:
            raise StoreError(
                f"cannot use {self.path}: it is not a hoquiz progress database "
                f"(no table {', '.join(sorted(missing))})"
            )

    def _migrate(self) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            version = db.execute("PRAGMA user_version").fetchone()[0]
            while version < SCHEMA_VERSION:
                for statement in _MIGRATIONS[version].split(";"):
                    if statement.strip():
                        db.execute(statement)
                version += 1
                db.execute(f"PRAGMA user_version={version}")
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
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
        self._db.close()

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
            return {row[0]: CardSummary(*row[1:]) for row in rows}

    def card(self, key: str) -> StoredCard | None:
        """One card's row, or ``None`` if it was never answered."""
        with self._errors():
            return self._card(key)

    def cards(self) -> list[StoredCard]:
        """Every card's row."""
        with self._errors():
            return [_stored(row) for row in self._db.execute(f"SELECT {_CARD_COLUMNS} FROM cards")]

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
        self, since: dt.datetime | None = None, modes: tuple[str, ...] = MODES
    ) -> list[LoggedReview]:
        """Logged answers (oldest first), optionally only since ``since`` and in ``modes``.

        The rows carry what refitting FSRS needs: card, rating, time, duration
        and the state the card was in.
        """
        marks = ",".join("?" for _ in modes)
        query = (
            "SELECT c.card_key, c.bank_id, r.reviewed_at, r.rating, r.correct, r.mode, "
            "r.state_before, r.duration_ms, r.answer, r.revision "
            "FROM review_log r JOIN cards c ON c.id = r.card_id "
            f"WHERE r.reviewed_at >= ? AND r.mode IN ({marks}) ORDER BY r.reviewed_at, r.id"
        )
        start = -(2**62) if since is None else to_ms(since)
        with self._errors():
            return [
                LoggedReview(
                    row[0],
                    row[1],
                    from_ms(row[2]),
                    row[3],
                    bool(row[4]),
                    row[5],
                    row[6],
                    row[7],
                    row[8],
                    row[9],
                )
                for row in self._db.execute(query, (start, *modes))
            ]

    # -- writing --------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group many :meth:`record` calls into one transaction (imports, benchmarks).

        A quiz never uses it: there, each answer is its own transaction.
        """
        with self._errors():
            self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
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
        if answer.mode not in MODES:
            raise ValueError(f"unknown mode {answer.mode!r}")
        db = self._db
        outer = db.in_transaction  # inside batch(): the batch commits
        with self._errors():
            if not outer:
                db.execute("BEGIN IMMEDIATE")
            try:
                stored = self._card(ref.key)
                before = stored.schedule_for(ref.revision) if stored else None
                after = reschedule(before)
                card_id = self._save(ref, stored, before, after, answer.reviewed_at)
                db.execute(
                    "INSERT INTO review_log (card_id, reviewed_at, rating, correct, answer, "
                    "duration_ms, mode, revision, state_before) VALUES (?,?,?,?,?,?,?,?,?)",
                    (
                        card_id,
                        to_ms(answer.reviewed_at),
                        answer.rating,
                        int(answer.correct),
                        answer.given,
                        max(0, answer.duration_ms),
                        answer.mode,
                        ref.revision,
                        before.state if before else NEW,
                    ),
                )
                saved = self._card(ref.key)
                if not outer:
                    db.execute("COMMIT")
            except BaseException:
                if db.in_transaction and not outer:
                    db.execute("ROLLBACK")
                raise
        assert saved is not None
        return saved

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
            values = _schedule_values(None)
            introduced = None
        else:
            values = _schedule_values(after)
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

    def _card(self, key: str) -> StoredCard | None:
        row = self._db.execute(
            f"SELECT {_CARD_COLUMNS} FROM cards WHERE card_key = ?", (key,)
        ).fetchone()
        return None if row is None else _stored(row)


_CARD_COLUMNS = (
    "id, card_key, bank_id, question_id, cloze, revision, state, step, stability, "
    "difficulty, due, last_review, reps, lapses, introduced"
)


def _stored(row: tuple[Any, ...]) -> StoredCard:
    (cid, key, bank_id, question_id, cloze, revision, state, step, stability, difficulty,
     due, last_review, reps, lapses, introduced) = row  # fmt: skip
    schedule = None
    if state != NEW and due is not None:
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


def _schedule_values(state: CardState | None) -> tuple[object, ...]:
    if state is None:
        return (NEW, None, None, None, None, None, 0, 0)
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


def _check_header(path: Path) -> bool:
    """Whether ``path`` holds a hoquiz database (``False``: missing or empty, so new).

    Reads the 100-byte SQLite header only; never writes.

    Raises:
        StoreError: the file is something else, or visibly truncated.
    """
    try:
        if path.is_dir():
            raise StoreError(f"cannot use {path}: it is a folder, not a progress database")
        if not path.exists():
            return False
        size = path.stat().st_size
        if size == 0:
            return False
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror or error}") from None
    if len(header) < 100 or not header.startswith(_MAGIC):
        raise StoreError(f"cannot use {path}: it is not a hoquiz progress database")
    if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise StoreError(
            f"cannot use {path}: it is an SQLite database, but not a hoquiz progress database"
        )
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    size_is_valid = header[24:28] == header[92:96]
    wal = path.with_name(path.name + "-wal")
    wal_pending = wal.exists() and wal.stat().st_size > 0
    if size_is_valid and not wal_pending and pages * page_size > size:
        raise StoreError(f"cannot use {path}: the database is damaged (the file is truncated)")
    return True
