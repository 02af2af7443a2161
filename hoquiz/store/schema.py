"""The progress database's tables, their migrations and the file check done before opening."""

from __future__ import annotations

import sqlite3
import stat
from functools import cache
from pathlib import Path

from hoquiz.errors import StoreError, os_error_text
from hoquiz.store.times import MAX_MS, MIN_MS

SCHEMA_VERSION = 7
# The oldest version read-only callers read as it is (statistics, settings shown):
# it has every table and column they read, perhaps without an index or a count
# they can do without. Older ones must be upgraded first.
READABLE_FROM = 4
APPLICATION_ID = 0x686F717A  # "hoqz", at offset 68 of the SQLite header

_MAGIC = b"SQLite format 3\x00"

# The first schema version whose cards carry their count of logged answers.
ANSWERS_FROM = 6
TABLES = {"cards", "review_log"}

_COUNT = "BETWEEN 0 AND 9223372036854775807"
_TIME = f"BETWEEN {MIN_MS} AND {MAX_MS}"  # what a datetime holds
# What no hoquiz writes in a card row: (the column named, the condition that finds it).
# Range tests also refuse text and blobs, which SQLite orders after every number.
_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("state", "state NOT IN (0, 1, 2, 3) OR state IS NULL"),
    ("revision", f"NOT revision {_COUNT}"),
    ("due", f"NOT ifnull(due, 0) {_TIME}"),
    ("last_review", f"NOT ifnull(last_review, 0) {_TIME}"),
    ("introduced", f"NOT ifnull(introduced, 0) {_TIME}"),
    ("step", "NOT ifnull(step, 0) BETWEEN 0 AND 1000000"),
    ("reps", f"NOT reps {_COUNT}"),
    ("lapses", f"NOT lapses {_COUNT}"),
    ("cloze", "NOT ifnull(cloze, 1) BETWEEN 1 AND 9223372036854775807"),
    (
        "stability",
        "state > 0 AND due IS NOT NULL AND NOT ifnull(stability, -1) BETWEEN 0 AND 1e300",
    ),
    (
        "difficulty",
        "state > 0 AND due IS NOT NULL AND NOT ifnull(difficulty, -1) BETWEEN 0 AND 1e300",
    ),
)
_ANSWERS = ("answers", f"NOT answers {_COUNT}")


def _problems(version: int) -> tuple[tuple[str, str], ...]:
    return _PROBLEMS + ((_ANSWERS,) if version >= ANSWERS_FROM else ())


def _problem(version: int) -> str:
    """What is wrong with a card row, as text (NULL: nothing)."""
    cases = "".join(
        f"\n    WHEN {condition} THEN '{name} ' || quote({name})"
        for name, condition in _problems(version)
    )
    return f"CASE{cases}\n    END"


# Every card row no hoquiz writes (of this schema version): the condition of the
# partial index cards_bad, which SQLite keeps with every write, so that the index
# holds exactly those rows and is empty in a sound file. Changing the checks takes a
# migration that makes the index again; until then, where the index is not this
# one, the rows are checked one by one (see first_bad_card).
# What is wrong with a card row of this schema version (NULL: nothing), as a column.
PROBLEM = _problem(SCHEMA_VERSION)
BAD_ROW = " OR ".join(f"({condition})" for _, condition in _problems(SCHEMA_VERSION))
_BAD_INDEX = f"CREATE INDEX cards_bad ON cards (card_key) WHERE {BAD_ROW}"


# Migrations: MIGRATIONS[n] upgrades a database from schema version n to n + 1.
MIGRATIONS: dict[int, str] = {
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
    # What was chosen and how it was shown, as JSON arrays of option indexes in
    # the bank's order (NULL for rows logged before, and for types without options).
    1: """
    ALTER TABLE review_log ADD COLUMN chosen TEXT;
    ALTER TABLE review_log ADD COLUMN shown TEXT
    """,
    # What the stored FSRS states mean: the scheduler (fsrs release and parameters)
    # they were made with, under the key 'scheduler'.
    2: """
    CREATE TABLE meta (
        key          TEXT PRIMARY KEY,
        value        TEXT NOT NULL
    );
    """,
    # Undo and override, and the settings kept for the learner.
    3: """
    ALTER TABLE review_log ADD COLUMN
        overridden   INTEGER NOT NULL DEFAULT 0 CHECK (overridden IN (0, 1));
        -- 1: graded wrong, then judged right by the learner (rated as Good)
    CREATE TABLE settings (
        name         TEXT PRIMARY KEY,       -- new_per_day, retention, day_starts
        value        TEXT NOT NULL
    );
    """,
    # The scheduled cards of a bank, read from the index alone: a session's new
    # cards are found bank by bank without reading every row of cards.
    4: """
    CREATE INDEX cards_bank ON cards (bank_id, revision, card_key)
        WHERE state > 0 AND due IS NOT NULL;
    """,
    # Each card's number of logged answers, kept with every answer and undo:
    # statistics total the reviews without counting the log card by card.
    5: """
    ALTER TABLE cards ADD COLUMN answers INTEGER NOT NULL DEFAULT 0;
    UPDATE cards SET answers = (SELECT count(*) FROM review_log r WHERE r.card_id = cards.id)
    """,
    # The due index holds what a review's start reads of each due card, in the order
    # it reads them (due, then key): the due cards are read from the index alone,
    # with no look at their rows and no sort.
    # And the card rows no hoquiz writes are kept in an index of their own (empty in a
    # sound file): opening checks them without reading every row.
    6: f"""
    DROP INDEX cards_due;
    CREATE INDEX cards_due ON cards (due, card_key, revision, state, bank_id) WHERE state > 0;
    {_BAD_INDEX}
    """,
}


def bad_card(version: int) -> str:
    """The query for the first card row no hoquiz of schema ``version`` wrote, looking at
    every row."""
    return (
        f"SELECT card_key, {_problem(version)} AS problem FROM cards "
        "WHERE problem IS NOT NULL LIMIT 1"
    )


def first_bad_card(db: sqlite3.Connection) -> tuple[str, str] | None:
    """The first card row no hoquiz of this schema version wrote, with what is wrong
    with it (``None``: none), read from the index of such rows when the file has it as
    hoquiz makes it; else from every row.

    The index answers at once, however many cards there are; a file whose index does
    not match its rows is one SQLite did not write (see :class:`~hoquiz.store.database.Store`,
    whose check of every row before the first write finds it).
    """
    row = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'cards_bad' "
        "AND tbl_name = 'cards'"
    ).fetchone()
    if row is not None and " ".join(str(row[0]).split()) == _BAD_INDEX:
        query = (
            f"SELECT card_key, {PROBLEM} FROM cards INDEXED BY cards_bad WHERE {BAD_ROW} LIMIT 1"
        )
    else:
        query = bad_card(SCHEMA_VERSION)
    found = db.execute(query).fetchone()
    return None if found is None else (str(found[0]), str(found[1]))


@cache
def layout(version: int) -> dict[str, tuple[str, ...]]:
    """The tables of schema ``version`` and their columns, as the migrations make them."""
    db = sqlite3.connect(":memory:")
    try:
        for step in range(version):
            db.executescript(MIGRATIONS[step])
        return table_columns(db)
    finally:
        db.close()


def table_columns(db: sqlite3.Connection) -> dict[str, tuple[str, ...]]:
    """Every table of ``db``'s main schema and its column names, in order."""
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        name: tuple(row[0] for row in db.execute("SELECT name FROM pragma_table_info(?)", (name,)))
        for name in names
    }


def check_header(path: Path) -> bool:
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
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            raise StoreError(f"cannot use {path}: it is not a regular file")
        size = status.st_size
        if size == 0:
            return False
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        raise StoreError(f"cannot read {path}: {os_error_text(error)}") from None
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
