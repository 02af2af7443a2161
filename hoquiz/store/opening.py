"""Opening an existing progress database with its slow part on threads (:class:`Opening`).

A module of its own, which loads little (sqlite3 and the schema): the quiz
starts these threads before the rest of the store, and of the banks, is loaded.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
import threading
from contextlib import closing, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hoquiz.errors import StoreError, os_error_text
from hoquiz.store.schema import SCHEMA_VERSION, check_header, first_bad_card, layout

if TYPE_CHECKING:
    from hoquiz.store.database import Store

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


_UNSET: Any = object()

# What a review plan reads first, for every bank, each as one row (a thread hands the
# GIL back once per row): the due cards in due order, column by column, and the
# scheduled keys of each bank and revision, with their counts.
_DUE_AHEAD = (
    "SELECT count(*), group_concat(card_key, char(10)), group_concat(revision), "
    "group_concat(state, ''), group_concat(due), group_concat(bank_id, char(10)) FROM "
    "(SELECT card_key, revision, state, due, bank_id FROM cards INDEXED BY cards_due "
    "WHERE state > 0 AND due IS NOT NULL AND due <= ? ORDER BY due, card_key)"
)


class _Handover:
    """While the reading threads of a start run, the interpreter hands the GIL to a thread
    that waits for it within :data:`_HANDOVER_SECONDS`, not its usual 5 ms: each of their
    SQLite calls ends by taking the GIL back, a wait the start would pay for each (the
    caller's thread pays a few more switches). Ended by :meth:`end`, at once or later."""

    def __init__(self) -> None:
        self._interval: float | None = sys.getswitchinterval()
        sys.setswitchinterval(min(self._interval, _HANDOVER_SECONDS))

    def end(self) -> None:
        """Restore the interval (once: again does nothing)."""
        if self._interval is not None:
            sys.setswitchinterval(self._interval)
            self._interval = None


_HANDOVER_SECONDS = 0.0005

_KEYS_AHEAD = (
    "SELECT group_concat(bank_id || char(31) || revision || char(31) || n, char(30)), "
    "group_concat(keys, char(30)) FROM (SELECT bank_id, revision, count(*) AS n, "
    "group_concat(card_key, char(10)) AS keys FROM cards "
    "WHERE state > 0 AND due IS NOT NULL GROUP BY bank_id, revision)"
)


def _texts(row: tuple[Any, ...]) -> tuple[str, str]:
    """:data:`_KEYS_AHEAD`'s two values (``None`` when no card is scheduled)."""
    headers, keys = row
    return str(headers or ""), str(keys or "")


class Opening:
    """:meth:`Store.open` of an existing database, its slow part run on threads.

    SQLite works outside the GIL, so the check of every card row, and what a
    review plan reads first (with ``read_ahead``: see :meth:`Store.read_ahead`),
    each on a thread and a connection of its own, overlap whatever the caller
    does meanwhile, such as reading the bank index. Each thread makes a
    handful of calls, each returning one row: a thread waits for the GIL at
    each, handed over soon (:class:`_Handover`). :meth:`store` then opens the
    store, with every other check made as
    :meth:`Store.open` makes it; what was read ahead is used only if no card
    row was refused.
    """

    def __init__(self, path: Path, read_ahead: int | None = None) -> None:
        self._path = path
        self._read_ahead = read_ahead
        self._bad: Any = _UNSET  # the first bad card row found, or None
        self._due: tuple[Any, ...] | None = None
        self._keys: tuple[str, str] | None = None
        self._threads: list[threading.Thread] = []
        self._handover: _Handover | None = None
        # What Store.open checks before it connects, first: reading a database in WAL
        # mode makes its -wal and -shm files, which a refused file must not get.
        try:
            if not check_header(path):
                return
            _check_writable(path)
        except StoreError:
            return
        work = [self._check] + ([self._ahead] if read_ahead is not None else [])
        self._handover = _Handover()
        for target in work:
            thread = threading.Thread(target=target, name="hoquiz-open", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _connect(self) -> sqlite3.Connection | None:
        """A connection that writes nothing, to a database of this hoquiz's schema version
        (``None``: it is not one, or cannot be opened; :meth:`Store.open` says why)."""
        uri = f"{self._path.absolute().as_uri()}?mode=rw"  # never creates a file
        try:
            db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error:
            return None
        try:
            db.execute("PRAGMA query_only=ON")
            if int(db.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION:
                return db
        except sqlite3.Error:
            pass
        db.close()  # Store.open checks (and migrates) it all
        return None

    def _check(self) -> None:
        db = self._connect()
        if db is not None:
            with closing(db), suppress(sqlite3.Error):  # Store.open finds it again, and says so
                self._bad = first_bad_card(db)
            # What Store.open compares the file's tables with, made (by the migrations, in
            # SQLite, mostly outside the GIL) while the caller works.
            with suppress(sqlite3.Error):
                layout(SCHEMA_VERSION)

    def _ahead(self) -> None:
        db = self._connect()
        if db is not None:
            with closing(db), suppress(sqlite3.Error):  # read as usual then
                db.execute("BEGIN")  # both from one state of the database
                due = db.execute(_DUE_AHEAD, (self._read_ahead,)).fetchone()
                keys = _texts(db.execute(_KEYS_AHEAD).fetchone())
                db.execute("COMMIT")
                self._due, self._keys = due, keys

    def store(self) -> Store:
        """The open store.

        Raises:
            StoreError: as :meth:`Store.open`.
        """
        from hoquiz.store.database import Store

        self.close()
        store = Store._open(self._path, self._bad)
        if self._read_ahead is not None and self._due is not None and self._keys is not None:
            store._ahead(self._read_ahead, self._due, self._keys)
        return store

    def close(self) -> None:
        """Wait for the threads (they write nothing)."""
        for thread in self._threads:
            thread.join()
        if self._handover is not None:
            self._handover.end()
