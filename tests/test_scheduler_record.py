"""Stored FSRS states record the scheduler that made them; another one is refused, not guessed."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from quiz_banks import BETA, write_banks

from hoquiz.cli import cli
from hoquiz.store import Store
from hoquiz.study.scheduling import Scheduler, scheduler_change

RELEASE = ".".join(importlib.metadata.version("fsrs").split(".")[:2])
CURRENT = json.dumps({"fsrs": RELEASE, "parameters": "default"}, separators=(",", ":"))


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def quiz(folder: Path, db: Path, *extra: str, input: str = "t\nq\n") -> Result:
    return CliRunner().invoke(cli, ["quiz", str(folder), "--db", str(db), *extra], input=input)


def test_a_new_database_records_the_scheduler(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    assert quiz(write_banks(tmp_path / "b", beta=BETA), db).exit_code == 0
    with Store.open(db) as store:
        assert store.scheduler() == CURRENT
    assert Scheduler().identity() == CURRENT


def test_states_from_another_fsrs_release_are_refused_before_any_question(
    tmp_path: Path,
) -> None:
    folder = write_banks(tmp_path / "b", beta=BETA)
    db = tmp_path / "p.db"
    quiz(folder, db)
    with Store.open(db) as store:
        store.set_scheduler('{"fsrs":"6.0","parameters":"default"}')
    before = db.read_bytes()
    result = quiz(folder, db)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: the schedules in {db} were made with fsrs 6.0, and this hoquiz schedules "
        f"with fsrs {RELEASE}; an upgrade would read them differently. Run `hoquiz quiz "
        "--adopt-scheduler` to go on with this version (stored states are kept and "
        "rescheduled from now on), or install the fsrs release they were made with\n"
    )
    assert db.read_bytes() == before


def test_adopting_the_new_scheduler_is_explicit_and_recorded(tmp_path: Path) -> None:
    folder = write_banks(tmp_path / "b", beta=BETA)
    db = tmp_path / "p.db"
    quiz(folder, db)
    with Store.open(db) as store:
        store.set_scheduler('{"fsrs":"6.0","parameters":"default"}')
        reviews = len(store.reviews())
    result = quiz(folder, db, "--adopt-scheduler")
    assert result.exit_code == 0, result.output
    with Store.open(db) as store:
        assert store.scheduler() == CURRENT
        assert len(store.reviews()) == reviews + 1  # the old reviews kept, the new one added


def test_other_parameters_are_named() -> None:
    assert scheduler_change(CURRENT, Scheduler(parameters=(0.1,) * 21).identity()) == (
        f"other FSRS parameters than this hoquiz uses (fsrs {RELEASE})"
    )
    assert scheduler_change("garbage", CURRENT) == "a scheduler this hoquiz does not recognise"
    assert scheduler_change(CURRENT, CURRENT) is None


def test_retention_is_not_part_of_the_identity() -> None:
    assert Scheduler(0.8).identity() == Scheduler(0.95).identity()
