"""The progress database opened safely: read-only media, refused files left byte-identical.

Read-only media are real here: a read-only bind mount in a private mount
namespace (``unshare``), and permission bits seen by an unprivileged user
(``setpriv`` to nobody when the tests run as root). Each such test is
skipped where the machine cannot do it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from quiz_banks import tf_bank, write_banks
from unprivileged import as_user, shared_folder

from hoquiz.cli import cli
from hoquiz.errors import StoreError
from hoquiz.store import APPLICATION_ID, SCHEMA_VERSION, Answer, CardRef, Store, database
from hoquiz.store.schema import MIGRATIONS
from hoquiz.study.scheduling import Rating, Scheduler

ELSEWHERE = "choose another with --db or HOQUIZ_DB (`hoquiz stats` can still read it)"
T0 = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("HOQUIZ_DB", raising=False)


def state_of(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` and the sha256 of its bytes."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def studied(folder: Path, name: str = "progress.db") -> Path:
    """A database in ``folder`` holding a few answers, made the way a learner makes one."""
    banks = write_banks(folder.parent / "banks", tf=tf_bank("tf", 3))
    db = folder / name
    folder.mkdir(parents=True, exist_ok=True)
    result = CliRunner().invoke(cli, ["quiz", str(banks), "--db", str(db)], input="t\nt\nq\n")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == [name]
    return db


def hoquiz(*args: str) -> list[str]:
    return [sys.executable, "-m", "hoquiz", *args]


# -- read-only media, as a learner meets them -------------------------------------------


def _can_mount_read_only() -> bool:
    probe = tempfile.mkdtemp()
    try:
        done = subprocess.run(
            ["unshare", "-rm", "sh", "-c", f"mount --bind {probe} {probe} && "
             f"mount -o remount,bind,ro {probe} && ! touch {probe}/x 2>/dev/null"],
            capture_output=True,
            check=False,
        )  # fmt: skip
        return done.returncode == 0
    except OSError:
        return False
    finally:
        shutil.rmtree(probe)


needs_mount = pytest.mark.skipif(
    not _can_mount_read_only(), reason="needs unshare and a bind mount"
)


def on_read_only_mount(
    folder: Path, argv: list[str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` with ``folder`` mounted read-only (only that process sees the mount)."""
    script = (
        f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" && exec "$@"'
    )
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


@needs_mount
def test_quiz_on_a_read_only_file_system_stops_before_the_first_question(tmp_path: Path) -> None:
    db = studied(tmp_path / "media")
    before = state_of(db.parent)
    done = on_read_only_mount(
        db.parent, hoquiz("quiz", str(tmp_path / "banks"), "--db", str(db)), "t\n"
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: progress database {db} is read-only (on a read-only file system); {ELSEWHERE}\n"
    )
    assert done.stdout == ""  # no question was asked
    assert state_of(db.parent) == before


@needs_mount
def test_quiz_cannot_create_a_database_on_a_read_only_file_system(tmp_path: Path) -> None:
    write_banks(tmp_path / "banks", tf=tf_bank("tf", 3))
    media = tmp_path / "media"
    media.mkdir()
    db = media / "progress.db"
    done = on_read_only_mount(
        media, hoquiz("quiz", str(tmp_path / "banks"), "--db", str(db)), "t\n"
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: cannot create progress database {db}: its folder {media} is read-only "
        "(on a read-only file system); choose another with --db or HOQUIZ_DB\n"
    )
    assert list(media.iterdir()) == []


@needs_mount
def test_stats_reads_a_database_on_a_read_only_file_system(tmp_path: Path) -> None:
    db = studied(tmp_path / "media")
    before = state_of(db.parent)
    done = on_read_only_mount(db.parent, hoquiz("stats", str(tmp_path / "banks"), "--db", str(db)))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"Progress database: {db}"
    assert lines[2] == "Cards: 3 (1 new, 2 learning, 0 review)"
    assert lines[4] == "Reviews: 2 in all, 2 today"
    shown = on_read_only_mount(db.parent, hoquiz("settings", "--db", str(db)))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0] == f"Settings in {db}:"
    assert state_of(db.parent) == before


@needs_mount
def test_stats_with_answers_waiting_in_a_wal_on_read_only_media(tmp_path: Path) -> None:
    db = studied(tmp_path / "data")
    media = tmp_path / "media"
    media.mkdir()
    live = sqlite3.connect(db)  # a quiz still running: its answers wait in the -wal
    live.execute("INSERT INTO settings VALUES ('new_per_day', '7')")
    live.commit()
    for suffix in ("", "-wal", "-shm"):
        shutil.copy(f"{db}{suffix}", media / f"with-shm.db{suffix}")
    for suffix in ("", "-wal"):
        shutil.copy(f"{db}{suffix}", media / f"without-shm.db{suffix}")
    live.close()
    before = state_of(media)
    done = on_read_only_mount(media, hoquiz("settings", "--db", str(media / "with-shm.db")))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == "  new cards a day: 7"
    bare = media / "without-shm.db"
    done = on_read_only_mount(media, hoquiz("settings", "--db", str(bare)))
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: cannot read {bare}: answers not yet merged into it wait in {bare}-wal, and "
        f"SQLite cannot make the {bare}-shm it needs to read them (the folder is read-only); "
        "open it once with `hoquiz quiz` where it is writable\n"
    )
    assert state_of(media) == before


def test_stats_and_settings_write_nothing_beside_the_database(tmp_path: Path) -> None:
    db = studied(tmp_path / "data")
    before = state_of(db.parent)
    for argv in (["stats", str(tmp_path / "banks")], ["stats", str(tmp_path / "banks"), "--json"],
                 ["settings"]):  # fmt: skip
        result = CliRunner().invoke(cli, [*argv, "--db", str(db)])
        assert result.exit_code == 0, result.output
        assert state_of(db.parent) == before  # no -wal, no -shm, the same bytes


def test_settings_shown_from_an_empty_file_leave_it_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    result = CliRunner().invoke(cli, ["settings", "--db", str(empty)])
    assert result.exit_code == 0, result.output
    assert empty.read_bytes() == b"" and sorted(os.listdir(tmp_path)) == ["empty.db"]


# -- permission bits, as an unprivileged user meets them ------------------------------------


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    with shared_folder() as folder:
        yield folder


def test_read_only_file_and_folder_are_refused_before_the_first_question(shared_dir: Path) -> None:
    db = studied(shared_dir / "data")
    banks = shared_dir / "banks"
    for p in [banks, *banks.iterdir(), db.parent]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    cache = shared_dir / "cache"
    cache.mkdir(mode=0o777)
    cache.chmod(0o777)
    env = {"XDG_CACHE_HOME": str(cache)}

    db.chmod(0o444)  # the file read-only, its folder writable
    db.parent.chmod(0o777)
    empty = db.with_name("empty.db")
    empty.touch(mode=0o444)
    before = state_of(db.parent)
    done = as_user(["quiz", str(banks), "--db", str(empty)], "t\n", env)
    assert done.stderr == (
        f"Error: progress database {empty} is read-only (permission denied); {ELSEWHERE}\n"
    )
    done = as_user(["quiz", str(banks), "--db", str(db)], "t\n", env)
    assert done.returncode == 1, done.stderr
    assert (
        done.stderr
        == f"Error: progress database {db} is read-only (permission denied); {ELSEWHERE}\n"
    )
    assert done.stdout == ""
    assert state_of(db.parent) == before

    db.chmod(0o666)  # the file writable, its folder (where SQLite puts its journal) not
    db.parent.chmod(0o555)
    done = as_user(["quiz", str(banks), "--db", str(db)], "t\n", env)
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        f"Error: progress database {db} cannot be written: its folder {db.parent} is read-only "
        f"(permission denied) and SQLite keeps its journal there; {ELSEWHERE}\n"
    )
    assert done.stdout == ""
    stats = as_user(["stats", str(banks), "--db", str(db)], "", env)
    assert stats.returncode == 0, stats.stderr
    assert stats.stdout.splitlines()[2] == "Cards: 3 (1 new, 2 learning, 0 review)"
    assert state_of(db.parent) == before


# -- every check before any write: refused files stay byte-identical ------------------------


def _raw(db: Path, *statements: str) -> None:
    con = sqlite3.connect(db, isolation_level=None)
    for statement in statements:
        con.execute(statement)
    con.close()  # the last connection: the WAL is checkpointed and removed


def _corrupt_a_log_page(db: Path) -> None:
    con = sqlite3.connect(db)
    page = con.execute(
        "SELECT max(pageno) FROM dbstat WHERE name = 'review_log' AND pagetype = 'leaf'"
    ).fetchone()[0]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    data = bytearray(db.read_bytes())
    data[(page - 1) * size : (page - 1) * size + 12] = b"\xff" * 12  # the page's b-tree header
    db.write_bytes(bytes(data))


REFUSED: dict[str, tuple[Callable[[Path], None], str]] = {
    "other columns, rollback journal": (
        lambda db: _raw(
            db, "PRAGMA journal_mode=DELETE", "ALTER TABLE settings RENAME COLUMN value TO v"
        ),
        "cannot use {db}: it is not a hoquiz progress database of schema version "
        f"{SCHEMA_VERSION} "
        "(table settings has other columns)",
    ),
    "other columns, WAL": (
        lambda db: _raw(db, "ALTER TABLE review_log DROP COLUMN shown"),
        "cannot use {db}: it is not a hoquiz progress database of schema version "
        f"{SCHEMA_VERSION} "
        "(table review_log has other columns)",
    ),
    "user_version -1": (
        lambda db: _raw(db, "PRAGMA user_version=-1"),
        "cannot use {db}: it is not a hoquiz progress database (schema version -1)",
    ),
    "user_version 0 with tables": (
        lambda db: _raw(db, "PRAGMA journal_mode=DELETE", "PRAGMA user_version=0"),
        "cannot use {db}: it is not a hoquiz progress database "
        "(schema version 0, but it has tables)",
    ),
    "state 7": (
        lambda db: _raw(db, "UPDATE cards SET state = 7 WHERE card_key = 'tf/q2'"),
        "{db}: card tf/q2 has state 7, which no hoquiz writes",
    ),
    "due 'abc'": (
        lambda db: _raw(db, "UPDATE cards SET due = 'abc' WHERE card_key = 'tf/q1'"),
        "{db}: card tf/q1 has due 'abc', which no hoquiz writes",
    ),
    "a huge due": (
        lambda db: _raw(db, "UPDATE cards SET due = 99999999999999999 WHERE card_key = 'tf/q1'"),
        "{db}: card tf/q1 has due 99999999999999999, which no hoquiz writes",
    ),
    "no stability": (
        lambda db: _raw(db, "UPDATE cards SET stability = NULL WHERE card_key = 'tf/q1'"),
        "{db}: card tf/q1 has stability NULL, which no hoquiz writes",
    ),
    "a negative count of answers": (
        lambda db: _raw(db, "UPDATE cards SET answers = -1 WHERE card_key = 'tf/q1'"),
        "{db}: card tf/q1 has answers -1, which no hoquiz writes",
    ),
    "state 7, the index of such rows dropped": (
        lambda db: _raw(
            db, "DROP INDEX cards_bad", "UPDATE cards SET state = 7 WHERE card_key = 'tf/q2'"
        ),
        "{db}: card tf/q2 has state 7, which no hoquiz writes",
    ),
    "state 7, the index of such rows made another way": (
        lambda db: _raw(
            db,
            "DROP INDEX cards_bad",
            "CREATE INDEX cards_bad ON cards (card_key) WHERE 0",
            "UPDATE cards SET state = 7 WHERE card_key = 'tf/q2'",
        ),
        "{db}: card tf/q2 has state 7, which no hoquiz writes",
    ),
}


def _hide_a_bad_row(db: Path, statement: str) -> None:
    """A bad card row that the index of such rows does not hold, though the index's
    definition reads as hoquiz makes it: a file SQLite did not write."""
    made = _raw_value(db, "SELECT sql FROM sqlite_master WHERE name = 'cards_bad'")
    _raw(
        db,
        "DROP INDEX cards_bad",
        "CREATE INDEX cards_bad ON cards (card_key) WHERE 0",  # kept empty
        statement,
        "PRAGMA writable_schema=ON",
        f"UPDATE sqlite_master SET sql = {_quoted(made)} WHERE name = 'cards_bad'",
    )


def _raw_value(db: Path, query: str) -> str:
    con = sqlite3.connect(db)
    try:
        return str(con.execute(query).fetchone()[0])
    finally:
        con.close()


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE cards SET state = 7 WHERE card_key = 'tf/q2'", "tf/q2 has state 7"),
        ("UPDATE cards SET due = 'abc' WHERE card_key = 'tf/q1'", "tf/q1 has due 'abc'"),
        ("UPDATE cards SET answers = -1 WHERE card_key = 'tf/q1'", "tf/q1 has answers -1"),
    ],
)
def test_a_bad_row_its_index_does_not_hold_is_refused_before_the_first_write(
    tmp_path: Path, statement: str, problem: str
) -> None:
    db = studied(tmp_path / "data")
    _hide_a_bad_row(db, statement)
    before = state_of(db.parent)
    # Now (the row's card not due: found by the check before the first write), and a
    # year on (the card due: found as the review's start reads it).
    for later in ([], ["--now", "2031-01-01T09:00"]):
        result = CliRunner().invoke(
            cli, ["quiz", str(tmp_path / "banks"), "--db", str(db), *later], input="t\nt\nt\n"
        )
        assert result.exit_code == 1, result.output
        assert result.stderr == f"Error: {db}: card {problem}, which no hoquiz writes\n"
        assert state_of(db.parent) == before  # nothing written
    # Reading commands have no first write to wait for: they read every row first.
    result = CliRunner().invoke(cli, ["stats", str(tmp_path / "banks"), "--db", str(db)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {db}: card {problem}, which no hoquiz writes\n"


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_refused_file_stays_byte_identical(tmp_path: Path, case: str) -> None:
    db = studied(tmp_path / "data")
    damage, message = REFUSED[case]
    damage(db)
    before = state_of(db.parent)
    expected = message.format(db=db)
    with pytest.raises(StoreError) as caught:
        Store.open(db)
    assert str(caught.value) == expected
    assert state_of(db.parent) == before
    banks = str(tmp_path / "banks")
    for argv in (["quiz", banks], ["stats", banks], ["settings"], ["settings", "--new", "5"]):
        result = CliRunner().invoke(cli, [*argv, "--db", str(db)], input="t\n")
        assert (result.exit_code, result.stderr) == (1, f"Error: {expected}\n"), argv
        assert result.stdout == ""  # refused before the first question
        assert state_of(db.parent) == before, argv


def test_a_corrupt_page_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    db = studied(tmp_path / "data")
    _corrupt_a_log_page(db)
    before = state_of(db.parent)
    result = CliRunner().invoke(
        cli, ["quiz", str(tmp_path / "banks"), "--db", str(db)], input="t\n"
    )
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(
        f"Error: cannot use {db}: the database is damaged (quick_check: Page "
    )
    assert result.stderr.endswith("); nothing was written to it\n")
    assert state_of(db.parent) == before
    # Before a migration the check runs first, in the open.
    _raw(db, "PRAGMA journal_mode=DELETE")
    before = state_of(db.parent)
    with pytest.raises(StoreError, match=r"the database is damaged \(quick_check: Page \d+: "):
        Store.open(db)
    assert state_of(db.parent) == before


def test_a_logged_answer_no_hoquiz_writes_is_one_line(tmp_path: Path) -> None:
    db = studied(tmp_path / "data")
    _raw(db, "UPDATE review_log SET state_before = 9 WHERE id = 1")
    store = Store.open_read_only(db)
    assert store is not None
    with store, pytest.raises(StoreError) as caught:
        store.reviews()
    assert str(caught.value) == (
        f"{db}: card tf/q1 has a logged answer with state_before 9, which no hoquiz writes"
    )
    _raw(db, "UPDATE review_log SET state_before = 0, reviewed_at = 99999999999999999 WHERE id = 1")
    with Store.open(db) as store, pytest.raises(StoreError, match="reviewed_at 99999999999999999"):
        store.reviews()


def test_stats_on_an_older_schema_says_how_to_upgrade(tmp_path: Path) -> None:
    write_banks(tmp_path / "banks", tf=tf_bank("tf", 3))
    db = tmp_path / "data" / "old.db"
    db.parent.mkdir()
    raw = sqlite3.connect(db)
    for version in range(3):
        raw.executescript(MIGRATIONS[version])
    raw.execute(f"PRAGMA application_id={APPLICATION_ID}")
    raw.execute("PRAGMA user_version=3")
    raw.commit()
    raw.close()
    before = state_of(db.parent)
    result = CliRunner().invoke(cli, ["stats", str(tmp_path / "banks"), "--db", str(db)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot read {db} without upgrading it (schema version 3; this hoquiz uses "
        f"{SCHEMA_VERSION}): run `hoquiz quiz` once to upgrade it\n"
    )
    assert state_of(db.parent) == before
    quiz = CliRunner().invoke(cli, ["quiz", str(tmp_path / "banks"), "--db", str(db)], input="q\n")
    assert quiz.exit_code == 0, quiz.output
    result = CliRunner().invoke(cli, ["stats", str(tmp_path / "banks"), "--db", str(db)])
    assert result.exit_code == 0, result.output


def test_closing_before_the_check_ends_is_clean(tmp_path: Path) -> None:
    db = tmp_path / "progress.db"
    ref = CardRef("tf/q1", "tf", "q1", None, 1)
    fsrs = Scheduler(fuzz=False)
    with Store.open(db) as store:
        store.record(ref, Answer(T0, Rating.GOOD, True, "t", 5, "review"),
                     lambda before: fsrs.review(before, Rating.GOOD, T0))  # fmt: skip
    for _ in range(20):
        Store.open(db).close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.db"]


def _store_with_a_card(db: Path) -> None:
    ref = CardRef("tf/q1", "tf", "q1", None, 1)
    fsrs = Scheduler(fuzz=False)
    with Store.open(db) as store:
        store.record(ref, Answer(T0, Rating.GOOD, True, "t", 5, "review"),
                     lambda before: fsrs.review(before, Rating.GOOD, T0))  # fmt: skip


def _close_within(store: Store, seconds: float) -> bool:
    """Whether closing ``store`` stops its check (what a quit waits for) within ``seconds``."""
    checking = store._checking
    assert checking is not None
    stopping = threading.Thread(target=checking.cancel, daemon=True)
    stopping.start()
    stopping.join(seconds)
    done = not stopping.is_alive()
    if done:
        store.close()
    return done


def test_quitting_between_the_checks_statements_does_not_wait_for_the_row_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The learner quits just as quick_check returns: the scan of every card row (a
    # second or more on a large history) must not start, nor the quit wait for it.
    db = tmp_path / "progress.db"
    _store_with_a_card(db)
    checked, quit_ = threading.Event(), threading.Event()
    scans: list[str] = []

    def quick_check_then_wait(connection: sqlite3.Connection) -> None:
        checked.set()
        quit_.wait(5)

    real_scan = database.bad_card

    def scan(version: int) -> str:
        scans.append("scan")
        return real_scan(version)

    monkeypatch.setattr(database, "_quick_check_problem", quick_check_then_wait)
    monkeypatch.setattr(database, "bad_card", scan)
    store = Store.open(db)
    checking = store._checking
    assert checking is not None and checked.wait(5)
    stopping = threading.Thread(target=checking.cancel, daemon=True)
    stopping.start()
    while not checking._stopped():
        time.sleep(0.001)
    quit_.set()
    stopping.join(5)
    assert not stopping.is_alive()
    store.close()
    assert scans == []


def test_a_statement_the_check_starts_after_the_quit_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite's interrupt is a no-op between statements: a statement begun just after
    # it (the thread was waiting for the GIL) would run to its end. Here it never ends.
    db = tmp_path / "progress.db"
    _store_with_a_card(db)
    started = threading.Event()

    def endless(path: Path, connection: sqlite3.Connection, **_: object) -> str | None:
        started.set()
        connection.execute(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
        ).fetchone()
        return None

    monkeypatch.setattr(database, "_file_problem", endless)
    store = Store.open(db)
    assert started.wait(5)
    assert _close_within(store, 10)


def test_the_start_leaves_the_interpreter_as_it_found_it(tmp_path: Path) -> None:
    # While the start's reading threads run, the GIL is handed over within half a
    # millisecond; a quiz or stats run in a program of a caller's leaves its switch
    # interval as it was.
    db = studied(tmp_path / "data")
    banks = tmp_path / "banks"
    before = sys.getswitchinterval()
    opening = Store.opening(db, read_ahead=0)
    assert sys.getswitchinterval() == pytest.approx(0.0005)
    opening.store().close()
    assert sys.getswitchinterval() == before
    for args in (["quiz", str(banks), "--db", str(db)], ["stats", str(banks), "--db", str(db)]):
        result = CliRunner().invoke(cli, args, input="q\n")
        assert result.exit_code == 0, result.output
        assert sys.getswitchinterval() == before
