"""Statistics on a known history."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from quiz_banks import ALPHA, BETA, write_banks

from hoquiz.banks.loader import load_banks
from hoquiz.cli import cli
from hoquiz.model import Bank
from hoquiz.store import APPLICATION_ID, Answer, BankCards, CardRef, Store
from hoquiz.store.schema import MIGRATIONS, SCHEMA_VERSION, layout
from hoquiz.study.days import Days
from hoquiz.study.scheduling import CardState, Phase, Rating
from hoquiz.study.settings import Settings
from hoquiz.study.stats import Stats, compute, render

NOW = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def ref(key: str, revision: int = 1) -> CardRef:
    bank, _, rest = key.partition("/")
    question, _, cloze = rest.partition("#c")
    return CardRef(key, bank, question, int(cloze) if cloze else None, revision)


def schedule(state: int, due: dt.datetime, at: dt.datetime, lapses: int = 0):  # type: ignore[no-untyped-def]
    step = None if state == Phase.REVIEW else 0
    return lambda before: CardState(state, step, 5.0, 5.0, due, at, 1, lapses)


def keep(before: CardState | None) -> None:
    return None


def log(store: Store, key: str, at: dt.datetime, rating: int, change, mode="review", revision=1):  # type: ignore[no-untyped-def]
    store.record(
        ref(key, revision), Answer(at, rating, rating != Rating.AGAIN, "x", 900, mode), change
    )


def write_history(store: Store, now: dt.datetime) -> None:
    log(
        store,
        "beta/b1",
        now - 40 * D,
        Rating.GOOD,
        schedule(Phase.REVIEW, now - 5 * D, now - 40 * D),
    )
    relearning = schedule(Phase.RELEARNING, now + dt.timedelta(minutes=10), now - 2 * H, lapses=1)
    log(store, "beta/b1", now - 2 * H, Rating.AGAIN, relearning)
    log(store, "beta/b2", now - 3 * D, Rating.GOOD, schedule(Phase.REVIEW, now + D, now - 3 * D))
    log(store, "beta/b2", now - D, Rating.GOOD, schedule(Phase.REVIEW, now + 3 * D, now - D))
    log(store, "beta/b3", now - H, Rating.GOOD, keep, mode="cram")
    log(
        store,
        "alpha/gene",
        now - 20 * D,
        Rating.GOOD,
        schedule(Phase.REVIEW, now - H, now - 20 * D, 5),
    )
    log(store, "alpha/fop#c1", now - dt.timedelta(minutes=5), Rating.GOOD,
        schedule(Phase.LEARNING, now + dt.timedelta(minutes=5), now))  # fmt: skip
    log(
        store,
        "alpha/bone",
        now - 10 * D,
        Rating.GOOD,
        schedule(Phase.REVIEW, now + 9 * D, now - 10 * D),
    )
    log(
        store,
        "alpha/removed",
        now - 2 * D,
        Rating.GOOD,
        schedule(Phase.REVIEW, now + D, now - 2 * D),
    )
    log(store, "alpha/removed", now - D, Rating.GOOD, schedule(Phase.REVIEW, now + 5 * D, now - D))


@pytest.fixture
def banks(tmp_path: Path) -> list[Bank]:
    alpha = ALPHA.replace("  - id: bone\n", "  - id: bone\n    revision: 2\n")
    return load_banks([write_banks(tmp_path / "banks", alpha=alpha, beta=BETA)])


@pytest.fixture
def stats(tmp_path: Path, banks: list[Bank]) -> Stats:
    with Store.open(tmp_path / "progress.db") as store:
        write_history(store, NOW)
        day = NOW.replace(hour=0)
        return compute(
            banks,
            store.cards(),
            store.review_counts(since=day),
            store.reviews(since=NOW - 30 * D, modes=("review",)),
            NOW,
            Days(4, dt.UTC),
        )


def test_counts_on_a_known_history(stats: Stats) -> None:
    t = stats.total
    assert (t.new, t.learning, t.review, t.due_now) == (9, 2, 2, 1)
    assert (t.reviews_total, t.reviews_today) == (8, 3)
    assert (t.retention_reviews, t.retention_passed, t.retention) == (2, 1, 0.5)
    alpha, beta = stats.by_bank["alpha"], stats.by_bank["beta"]
    assert (alpha.new, alpha.learning, alpha.review, alpha.due_now) == (8, 1, 1, 1)
    assert (beta.new, beta.learning, beta.review, beta.due_now) == (1, 1, 1, 0)
    assert (alpha.reviews_total, alpha.reviews_today, alpha.retention) == (3, 1, None)
    assert (beta.reviews_total, beta.reviews_today, beta.retention) == (5, 2, 0.5)
    assert [n for _, n in stats.due_by_day] == [3, 0, 0, 1, 0, 0, 0]
    assert stats.due_by_day[0][0] == dt.date(2025, 3, 10)
    assert stats.leeches == [("alpha/gene", 5)]


def test_text_report(stats: Stats) -> None:
    assert render(stats) == [
        "Cards: 13 (9 new, 2 learning, 2 review)",
        "Due now: 1",
        "Reviews: 8 in all, 3 today",
        "True retention, last 30 days: 50.0% (1 of 2)",
        "",
        "Due in the next 7 days:",
        "  today 2025-03-10      3  " + "█" * 30,
        "  Tue   2025-03-11      0",
        "  Wed   2025-03-12      0",
        "  Thu   2025-03-13      1  " + "█" * 10,
        "  Fri   2025-03-14      0",
        "  Sat   2025-03-15      0",
        "  Sun   2025-03-16      0",
        "",
        "By bank:    new  learning  review    due  reviews  today  retention",
        "  alpha       8         1       1      1        3      1  -",
        "  beta        1         1       1      0        5      2  50.0% of 2",
        "",
        "Leeches (4 or more lapses):",
        "  alpha/gene  5 lapses",
        "",
        "Settings (change with `hoquiz settings`):",
        "  new cards a day: 20 (default)",
        "  desired retention: 0.9 (default)",
        "  a day starts at: 04:00 (default)",
    ]


def test_json_report(stats: Stats) -> None:
    data = stats.to_json()
    assert data["reviews_total"] == 8
    assert data["due_now"] == 1
    assert data["cards"] == {"new": 9, "learning": 2, "review": 2}
    assert data["by_bank"]["beta"]["cards"] == {"new": 1, "learning": 1, "review": 1}
    assert data["by_bank"]["beta"]["retention_30d"] == {"reviews": 2, "recalled": 1, "rate": 0.5}
    assert data["leeches"] == [{"card": "alpha/gene", "lapses": 5}]
    assert data["due_by_day"][3] == {"date": "2025-03-13", "due": 1}


def test_stats_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = write_banks(tmp_path / "banks", alpha=ALPHA, beta=BETA)
    db = tmp_path / "progress.db"
    now = dt.datetime.now(dt.UTC)
    with Store.open(db) as store:
        write_history(store, now)
    result = CliRunner().invoke(cli, ["stats", str(folder), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["reviews_total"] == 8
    assert data["cards"] == {"new": 8, "learning": 2, "review": 3}
    assert set(data["by_bank"]) == {"alpha", "beta"}
    text = CliRunner().invoke(cli, ["stats", str(folder), "--db", str(db)])
    assert text.exit_code == 0
    assert text.output.startswith(f"Progress database: {db}\n\nCards: 13 (8 new, 2 learning,")
    assert text.output.endswith(
        "Settings (change with `hoquiz settings`):\n"
        "  new cards a day: 20 (default)\n"
        "  desired retention: 0.9 (default)\n"
        "  a day starts at: 04:00 (default)\n"
    )
    with Store.open(db) as store:
        store.save_settings(Settings(new_per_day=35, day_starts=5))
    text = CliRunner().invoke(cli, ["stats", str(folder), "--db", str(db), "--bank", "beta"])
    lines = text.output.splitlines()
    assert lines[2] == "Cards: 3 (1 new, 1 learning, 1 review)"
    assert lines[-3:] == [
        "  new cards a day: 35",
        "  desired retention: 0.9 (default)",
        "  a day starts at: 05:00",
    ]
    tagged = CliRunner().invoke(cli, ["stats", str(folder), "--db", str(db), "--tag", "genetics"])
    assert tagged.output.splitlines()[2] == "Cards: 3 (1 new, 1 learning, 1 review)"


def test_stats_on_a_mistyped_database_says_it_is_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = write_banks(tmp_path / "banks", beta=BETA)
    db = tmp_path / "progres.db"
    result = CliRunner().invoke(cli, ["stats", str(folder), "--db", str(db)])
    assert result.exit_code == 0
    assert result.output.splitlines()[:3] == [
        f"Progress database: {db} does not exist: a new, empty database.",
        "(Check --db or HOQUIZ_DB if you have studied before.)",
        "",
    ]
    assert not db.exists()


def test_stats_without_a_database_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = write_banks(tmp_path / "banks", beta=BETA)
    db = tmp_path / "none" / "progress.db"
    result = CliRunner().invoke(cli, ["stats", str(folder), "--db", str(db), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["cards"] == {"new": 3, "learning": 0, "review": 0}
    assert not db.parent.exists()


def test_stats_on_a_foreign_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = write_banks(tmp_path / "banks", beta=BETA)
    db = tmp_path / "notes.txt"
    db.write_text("hello")
    result = CliRunner().invoke(cli, ["stats", str(folder), "--db", str(db)])
    assert result.exit_code == 1
    assert result.output == f"Error: cannot use {db}: it is not a hoquiz progress database\n"
    assert db.read_text() == "hello"


def test_sql_aggregates_give_the_same_report(
    tmp_path: Path, banks: list[Bank], stats: Stats
) -> None:
    from hoquiz.model import question_cards
    from hoquiz.store.records import TotalsCutoffs
    from hoquiz.study.scheduling import LEECH_LAPSES
    from hoquiz.study.stats import FORECAST_DAYS, from_totals

    cards = {
        bank.id: BankCards.of(
            {key: q.revision for q in bank.questions for key, _ in question_cards(bank, q)}
        )
        for bank in banks
    }
    with Store.open(tmp_path / "progress.db") as store:
        totals = store.study_totals(
            cards,
            TotalsCutoffs(NOW, NOW.replace(hour=0), NOW - 30 * D, LEECH_LAPSES, FORECAST_DAYS),
        )
    aggregated = from_totals([b.id for b in banks], totals, NOW)
    assert aggregated == stats
    assert render(aggregated) == render(stats)


def older_copy(current: Path, old: Path, version: int) -> None:
    """A database of schema ``version`` (by the migrations up to it) with ``current``'s rows."""
    old.parent.mkdir(parents=True, exist_ok=True)
    raw = sqlite3.connect(old)
    for step in range(version):
        raw.executescript(MIGRATIONS[step])
    raw.execute(f"PRAGMA application_id={APPLICATION_ID}")
    raw.execute(f"PRAGMA user_version={version}")
    raw.execute("ATTACH ? AS current", (str(current),))
    for table, columns in layout(version).items():
        names = ", ".join(columns)
        raw.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM current.{table}")
    raw.commit()
    raw.execute("DETACH current")
    raw.close()


@pytest.mark.parametrize("version", [4, 5, 6])
def test_stats_read_an_older_schema_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: int
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    alpha = ALPHA.replace("  - id: bone\n", "  - id: bone\n    revision: 2\n")
    folder = write_banks(tmp_path / "banks", alpha=alpha, beta=BETA)
    current = tmp_path / "current" / "progress.db"
    with Store.open(current) as store:
        write_history(store, NOW)
        store.save_settings(Settings(new_per_day=35))
    old = tmp_path / "old" / "progress.db"
    older_copy(current, old, version)
    before = old.read_bytes()

    def stats(db: Path, *options: str) -> str:
        args = ["stats", str(folder), "--db", str(db), "--now", NOW.isoformat(), *options]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        return result.output.replace(str(db), "DB")

    for options in [(), ("--tag", "genetics")]:
        assert stats(old, *options) == stats(current, *options)
    old_json, current_json = (json.loads(stats(db, "--json")) for db in (old, current))
    assert old_json.pop("now")[:19] == current_json.pop("now")[:19]  # the clock runs on
    assert old_json == current_json
    assert "Reviews: 8 in all, 3 today" in stats(old)
    assert "  new cards a day: 35" in stats(old)
    assert old.read_bytes() == before  # read as it is: not upgraded, nothing beside it
    assert [p.name for p in old.parent.iterdir()] == ["progress.db"]
    with Store.open(old):
        pass
    assert sqlite3.connect(old).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert stats(old) == stats(current)


def test_the_count_of_answers_follows_answers_undo_and_the_migration(tmp_path: Path) -> None:
    current = tmp_path / "progress.db"
    with Store.open(current) as store:
        write_history(store, NOW)
        recorded = store.record_answer(
            ref("beta/b2"), Answer(NOW, Rating.AGAIN, False, "x", 900, "review"), keep
        )
        store.undo(recorded)
        wrong = store.record_answer(
            ref("beta/b3"), Answer(NOW, Rating.AGAIN, False, "x", 900, "review"), keep
        )
        right = Answer(NOW, Rating.GOOD, True, "x", 900, "review", overridden=True)
        store.record_answer(ref("beta/b3"), right, keep, replacing=wrong)  # an override
    old = tmp_path / "old.db"
    older_copy(current, old, 5)
    with Store.open(old):
        pass  # migrated: the counts are taken from the log
    for db in (current, old):
        raw = sqlite3.connect(db)
        counted = raw.execute(
            "SELECT card_key, answers, (SELECT count(*) FROM review_log r WHERE r.card_id = c.id) "
            "FROM cards c ORDER BY card_key"
        ).fetchall()
        raw.close()
        assert [(key, n) for key, n, _ in counted] == [(key, n) for key, _, n in counted]
        assert dict((key, n) for key, n, _ in counted)["beta/b1"] == 2
        assert dict((key, n) for key, n, _ in counted)["beta/b3"] == 2


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("removed", [True, False])
def test_sql_totals_match_the_card_by_card_figures_on_random_histories(
    tmp_path: Path, seed: int, removed: bool
) -> None:
    """Read at once or on threads (as ``hoquiz stats`` does), with rows of removed and
    revised questions (the threads' reading then set aside) or only of the banks' cards."""
    import random

    from hoquiz.banks.cache import index_banks, select_index
    from hoquiz.model import question_cards
    from hoquiz.store.database import totals_from
    from hoquiz.study.stats import bank_cards, read_stats, read_totals, start_reading

    rng = random.Random(seed)
    alpha = ALPHA.replace("  - id: bone\n", "  - id: bone\n    revision: 2\n")
    banks = load_banks([write_banks(tmp_path / "banks", alpha=alpha, beta=BETA)])
    revisions = {
        key: q.revision for b in banks for q in b.questions for key, _ in question_cards(b, q)
    }
    keys = list(revisions)
    if removed:
        keys += ["alpha/removed", "beta/gone#c1", "other/elsewhere"]
    db = tmp_path / "progress.db"
    with Store.open(db) as store:
        for _ in range(60):
            key = rng.choice(keys)
            at = NOW - rng.randint(0, 50 * 24) * H
            phase = rng.choice([Phase.LEARNING, Phase.REVIEW, Phase.RELEARNING])
            change = rng.choice(
                [keep, schedule(phase, at + rng.randint(-48, 240) * H, at, rng.randint(0, 6))]
            )
            mode = rng.choice(["review", "review", "cram", "exam"])
            revision = rng.choice([1, 1, 2]) if removed else revisions[key]
            log(store, key, at, rng.choice(list(Rating)), change, mode, revision)
    older = tmp_path / "old.db"
    older_copy(db, older, 5)
    index = index_banks(banks)
    choices = [(index, False), (select_index(index, ["alpha"]), False)]
    for chosen, tagged in [*choices, (select_index(index, tags=["genetics"]), True)]:
        loaded = [
            dataclasses.replace(bank, questions=tuple(row[5] for row in rows))  # type: ignore[misc]
            for bank, rows in chosen
        ]
        expected = read_stats(loaded, db, NOW, 4)
        for path in (db, older):
            for threaded in (False, True):
                reading = start_reading(path, NOW, 4) if threaded else None
                got = read_totals(chosen, path, NOW, 4, reading)
                got.database = expected.database
                assert got == expected
        if tagged:
            continue  # a tag leaves some stored cards out, or not: no expectation
        reading = start_reading(db, NOW, 4)
        found = reading.result()
        assert found is not None and found[1] is not None and found[2] is not None
        used = totals_from(*found[1:], {b.id: bank_cards(rows) for b, rows in chosen}, 7)
        # The threads' reading stands unless some row is not one of the chosen banks' cards.
        assert (used is not None) == (not removed)


def test_the_report_lists_the_worst_leeches_and_counts_the_rest() -> None:
    from hoquiz.study.stats import LEECHES_SHOWN, Stats, Tally, render

    leeches = [(f"alpha/q{n:02}", 30 - n) for n in range(LEECHES_SHOWN + 5)]
    stats = Stats(NOW, Tally(), {}, [], leeches)
    lines = render(stats)
    start = lines.index("Leeches (4 or more lapses):")
    assert lines[start + 1] == "  alpha/q00  30 lapses"
    assert lines[start + LEECHES_SHOWN] == f"  alpha/q{LEECHES_SHOWN - 1}  11 lapses"
    assert (
        lines[start + LEECHES_SHOWN + 1] == "  ... and 5 more (hoquiz stats --json lists them all)"
    )
    assert len(stats.to_json()["leeches"]) == LEECHES_SHOWN + 5
