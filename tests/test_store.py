"""The progress database: schema, transactions, refusing foreign or damaged files."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest

from hoquiz.errors import StoreError
from hoquiz.store import APPLICATION_ID, SCHEMA_VERSION, Answer, CardRef, Store
from hoquiz.study.modes import Mode
from hoquiz.study.scheduling import CardState, Phase, Rating, Scheduler
from hoquiz.study.settings import Settings

T0 = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)
REF = CardRef("alpha/gene", "alpha", "gene", None, 1)
CLOZE = CardRef("alpha/fop#c2", "alpha", "fop", 2, 1)
FSRS = Scheduler(fuzz=False)


def answer(
    at: dt.datetime = T0, rating: int = Rating.GOOD, mode: str = "review", given: str = "b"
) -> Answer:
    return Answer(at, rating, rating != Rating.AGAIN, given, 1234, mode)


def review(rating: int, at: dt.datetime):  # type: ignore[no-untyped-def]
    return lambda before: FSRS.review(before, rating, at)


def keep(before: CardState | None) -> None:
    return None


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "sub" / "dir" / "progress.db"


def test_new_database_layout(db: Path) -> None:
    Store.open(db).close()
    assert db.is_file()
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"cards", "review_log", "meta", "settings"}
    columns = {r[1] for r in raw.execute("PRAGMA table_info(review_log)")}
    assert {"card_id", "rating", "correct", "answer", "duration_ms", "mode", "reviewed_at",
            "state_before", "revision", "overridden"} <= columns  # fmt: skip
    indexes = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"cards_due", "cards_bank", "review_log_card", "review_log_time"} <= indexes
    raw.close()


def test_record_saves_schedule_and_log(db: Path) -> None:
    with Store.open(db) as store:
        saved = store.record(REF, answer(), review(Rating.GOOD, T0))
        assert saved.schedule is not None
        assert (saved.schedule.state, saved.schedule.due) == (
            Phase.LEARNING,
            T0 + dt.timedelta(minutes=10),
        )
        assert saved.introduced == T0
    with Store.open(db) as store:  # reopened: it was committed
        card = store.card("alpha/gene")
        assert card == saved
        [logged] = store.reviews()
        assert (logged.card_key, logged.rating, logged.correct, logged.answer) == (
            "alpha/gene", Rating.GOOD, True, "b",
        )  # fmt: skip
        assert (logged.mode, logged.duration_ms, logged.state_before, logged.reviewed_at) == (
            "review", 1234, Phase.NEW, T0,
        )  # fmt: skip
        summary = store.summaries()["alpha/gene"]
        assert (summary.revision, summary.state) == (1, Phase.LEARNING)


def test_reschedule_sees_the_current_state(db: Path) -> None:
    seen: list[CardState | None] = []

    def spy(before: CardState | None) -> CardState:
        seen.append(before)
        return FSRS.review(before, Rating.GOOD, T0)

    with Store.open(db) as store:
        first = store.record(REF, answer(), spy)
        store.record(REF, answer(), spy)
    assert seen == [None, first.schedule]


def test_cram_and_exam_leave_the_schedule(db: Path) -> None:
    with Store.open(db) as store:
        before = store.record(REF, answer(), review(Rating.GOOD, T0))
        later = T0 + dt.timedelta(hours=1)
        store.record(REF, answer(later, Rating.AGAIN, "cram"), keep)
        store.record(REF, answer(later, Rating.GOOD, "exam"), keep)
        assert store.card(REF.key) == before
        # A card first seen in cram gets a row, but stays new.
        crammed = store.record(CLOZE, answer(later, Rating.GOOD, "cram"), keep)
        assert crammed.schedule is None and crammed.introduced is None
        assert store.summaries()[CLOZE.key].state == Phase.NEW
        modes = [r.mode for r in store.reviews()]
        assert modes == ["review", "cram", "exam", "cram"]
        assert [r.mode for r in store.reviews(modes=("review",))] == ["review"]


def test_raised_revision_resets_the_schedule(db: Path) -> None:
    with Store.open(db) as store:
        store.record(REF, answer(), review(Rating.GOOD, T0))
        graduated = store.record(REF, answer(T0 + dt.timedelta(minutes=10)),
                                 review(Rating.GOOD, T0 + dt.timedelta(minutes=10)))  # fmt: skip
        assert graduated.schedule is not None and graduated.schedule.state == Phase.REVIEW
        assert graduated.schedule_for(2) is None
        revised = CardRef(REF.key, "alpha", "gene", None, 2)
        seen: list[CardState | None] = []

        def spy(before: CardState | None) -> CardState:
            seen.append(before)
            return FSRS.review(before, Rating.AGAIN, T0 + dt.timedelta(days=1))

        after = store.record(revised, answer(T0 + dt.timedelta(days=1), Rating.AGAIN), spy)
        assert seen == [None]
        assert after.revision == 2 and after.schedule is not None
        assert (after.schedule.reps, after.schedule.lapses) == (1, 0)
        assert after.introduced == T0 + dt.timedelta(days=1)
        logs = store.reviews()
        assert [(r.revision, r.state_before) for r in logs] == [
            (1, Phase.NEW),
            (1, Phase.LEARNING),
            (2, Phase.NEW),
        ]


def test_review_counts(db: Path) -> None:
    with Store.open(db) as store:
        store.record(
            REF, answer(T0 - dt.timedelta(days=2)), review(Rating.GOOD, T0 - dt.timedelta(days=2))
        )
        store.record(REF, answer(T0), review(Rating.GOOD, T0))
        store.record(CLOZE, answer(T0, mode="cram"), keep)
        assert store.review_counts(since=T0 - dt.timedelta(hours=1)) == {
            "alpha/gene": (2, 1),
            "alpha/fop#c2": (1, 1),
        }


def test_failed_reschedule_rolls_back(db: Path) -> None:
    def boom(before: CardState | None) -> CardState:
        raise KeyboardInterrupt

    with Store.open(db) as store:
        store.record(REF, answer(), review(Rating.GOOD, T0))
        with pytest.raises(KeyboardInterrupt):
            store.record(CLOZE, answer(), boom)
        assert store.card(CLOZE.key) is None
        assert len(store.reviews()) == 1


def test_two_connections_share_the_database(db: Path) -> None:
    one, two = Store.open(db), Store.open(db)
    try:
        one.record(REF, answer(), review(Rating.GOOD, T0))
        two.record(CLOZE, answer(), review(Rating.GOOD, T0))
        one.record(CLOZE, answer(T0 + dt.timedelta(minutes=10)),
                   review(Rating.GOOD, T0 + dt.timedelta(minutes=10)))  # fmt: skip
        assert len(two.reviews()) == 3
        cloze = two.card(CLOZE.key)
        assert cloze is not None and cloze.schedule is not None
        assert cloze.schedule.reps == 2
    finally:
        one.close()
        two.close()


def test_a_writer_waits_for_the_other(db: Path) -> None:
    Store.open(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    done = threading.Event()

    def write() -> None:
        with Store.open(db) as store:
            store.record(REF, answer(), review(Rating.GOOD, T0))
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    assert not done.wait(0.3)  # blocked by the lock, not failing
    holder.execute("COMMIT")
    holder.close()
    thread.join(5)
    assert done.is_set()


# -- refusing files that are not ours --------------------------------------------------------


def unchanged_error(path: Path, message: str) -> None:
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert str(caught.value) == message.format(path=path)
    assert path.read_bytes() == before
    assert not path.with_name(path.name + "-wal").exists()
    assert not path.with_name(path.name + "-journal").exists()


def test_text_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("my notes\n" * 50)
    unchanged_error(path, "cannot use {path}: it is not a hoquiz progress database")


def test_short_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "tiny.db"
    path.write_bytes(b"SQLite")
    unchanged_error(path, "cannot use {path}: it is not a hoquiz progress database")


def test_other_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE cards (x)")
    other.commit()
    other.close()
    unchanged_error(
        path, "cannot use {path}: it is an SQLite database, but not a hoquiz progress database"
    )


def test_truncated_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    with Store.open(path) as store:
        for n in range(200):
            ref = CardRef(f"alpha/q{n}", "alpha", f"q{n}", None, 1)
            store.record(ref, answer(given="x" * 200), review(Rating.GOOD, T0))
    checkpoint = sqlite3.connect(path)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    unchanged_error(path, "cannot use {path}: the database is damaged (the file is truncated)")


def test_garbled_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    Store.open(path).close()
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"^cannot use .*progress\.db: the database is damaged"):
        Store.open(path)
    assert path.read_bytes() == bytes(data)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    Store.open(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert str(caught.value) == (
        f"cannot use {path}: it was written by a newer hoquiz "
        f"(schema version {SCHEMA_VERSION + 1}; this hoquiz knows up to {SCHEMA_VERSION})"
    )


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        Store.open(tmp_path)
    assert str(caught.value) == f"cannot use {tmp_path}: it is a folder, not a progress database"


def test_empty_file_becomes_a_database(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    path.touch()
    with Store.open(path) as store:
        assert store.summaries() == {}
    assert path.stat().st_size > 0


def test_cannot_create_in_a_file_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match=r"^cannot create .*progress\.db: "):
        Store.open(blocker / "progress.db")


def test_batch_groups_answers_in_one_transaction(db: Path) -> None:
    with Store.open(db) as store:
        with store.batch():
            store.record(REF, answer(), review(Rating.GOOD, T0))
            store.record(CLOZE, answer(), review(Rating.GOOD, T0))
            with Store.open(db) as other:  # not committed yet: invisible elsewhere
                assert other.summaries() == {}
        assert len(store.reviews()) == 2
        with pytest.raises(RuntimeError), store.batch():
            store.record(REF, answer(), review(Rating.GOOD, T0))
            raise RuntimeError
        assert len(store.reviews()) == 2


# -- undo, override, settings -----------------------------------------------------------


def dump(db: Path) -> list[str]:
    """Every table's rows and the schema, as SQL: two equal dumps are equal databases."""
    raw = sqlite3.connect(db)
    try:
        return list(raw.iterdump())
    finally:
        raw.close()


def test_undo_restores_the_database_exactly(db: Path) -> None:
    with Store.open(db) as store:
        store.record(REF, answer(), review(Rating.GOOD, T0))
        store.record(CLOZE, answer(), review(Rating.AGAIN, T0))
    before = dump(db)
    later = T0 + dt.timedelta(minutes=12)
    with Store.open(db) as store:
        # A card answered before, and a card answered for the first time.
        first = store.record_answer(REF, answer(later), review(Rating.GOOD, later))
        assert first.card.schedule is not None and first.card.schedule.state == Phase.REVIEW
        new = CardRef("alpha/bone", "alpha", "bone", None, 1)
        second = store.record_answer(new, answer(later, Rating.AGAIN), review(Rating.AGAIN, later))
        store.undo(second)
        store.undo(first)
    assert dump(db) == before
    with Store.open(db) as store:  # and it was committed
        assert [r.card_key for r in store.reviews()] == ["alpha/gene", "alpha/fop#c2"]


def test_undo_of_a_cram_answer_keeps_the_schedule(db: Path) -> None:
    with Store.open(db) as store:
        store.record(REF, answer(), review(Rating.GOOD, T0))
    before = dump(db)
    with Store.open(db) as store:
        crammed = store.record_answer(REF, answer(mode="cram"), keep)
        fresh = store.record_answer(CLOZE, answer(mode="cram"), keep)  # a row, still new
        store.undo(fresh)
        store.undo(crammed)
    assert dump(db) == before


def test_undo_refuses_when_another_session_answered_since(db: Path) -> None:
    with Store.open(db) as store, Store.open(db) as other:
        mine = store.record_answer(REF, answer(), review(Rating.GOOD, T0))
        other.record(REF, answer(T0 + dt.timedelta(minutes=1)), review(Rating.GOOD, T0))
        snapshot = dump(db)
        with pytest.raises(StoreError) as error:
            store.undo(mine)
        assert str(error.value) == (
            "cannot undo the answer to alpha/gene: it was answered again since, in another session"
        )
    assert dump(db) == snapshot


def test_override_replaces_the_verdict_in_one_transaction(db: Path) -> None:
    with Store.open(db) as store:
        store.record(REF, answer(), review(Rating.GOOD, T0))
        later = T0 + dt.timedelta(minutes=12)
        wrong = store.record_answer(
            REF, answer(later, Rating.AGAIN, given="hip"), review(Rating.AGAIN, later)
        )
        judged = Answer(later, Rating.GOOD, True, "hip", 1234, Mode.REVIEW, overridden=True)
        right = store.record_answer(REF, judged, review(Rating.GOOD, later), replacing=wrong)
        # The schedule is what a Good answer would have given.
        with Store.open(db.with_name("other.db")) as twin:
            twin.record(REF, answer(), review(Rating.GOOD, T0))
            expected = twin.record(
                REF, answer(later, Rating.GOOD, given="hip"), review(Rating.GOOD, later)
            )
        assert right.card.schedule == expected.schedule
        logged = store.reviews()
        assert [(r.rating, r.correct, r.answer, r.overridden) for r in logged] == [
            (Rating.GOOD, True, "b", False),
            (Rating.GOOD, True, "hip", True),
        ]
        assert right.log_id == wrong.log_id  # the same row number: nothing in between


def test_settings_are_kept(db: Path) -> None:
    with Store.open(db) as store:
        assert store.settings() == Settings()
        store.save_settings(Settings(new_per_day=30))
        assert store.save_settings(Settings(retention=0.85)) == Settings(30, 0.85, None)
    with Store.open(db) as store:
        assert store.settings() == Settings(new_per_day=30, retention=0.85)


def test_a_version_1_database_is_migrated_to_version_3(db: Path) -> None:
    from hoquiz.store.schema import MIGRATIONS

    db.parent.mkdir(parents=True)
    raw = sqlite3.connect(db)
    raw.executescript(MIGRATIONS[0])
    raw.execute(f"PRAGMA application_id={APPLICATION_ID}")
    raw.execute("PRAGMA user_version=1")
    raw.execute("INSERT INTO cards (card_key, bank_id, question_id, revision, state) "
                "VALUES ('alpha/gene', 'alpha', 'gene', 1, 0)")  # fmt: skip
    raw.execute("INSERT INTO review_log (card_id, reviewed_at, rating, correct, answer, "
                "duration_ms, mode, revision, state_before) "
                "VALUES (1, 0, 3, 1, 'b', 5, 'cram', 1, 0)")  # fmt: skip
    raw.commit()
    raw.close()
    with Store.open(db) as store:
        [logged] = store.reviews()
        assert (logged.answer, logged.overridden) == ("b", False)
        assert store.settings() == Settings()
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
    raw.close()
