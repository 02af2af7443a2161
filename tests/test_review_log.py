"""The review log says what was chosen and how the options were shown; old databases migrate."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from quiz_banks import ALPHA, Clock, NoShuffle, write_banks

from hoquiz.banks.loader import load_banks
from hoquiz.store import APPLICATION_ID, SCHEMA_VERSION, Store
from hoquiz.store.schema import MIGRATIONS
from hoquiz.study.engine import Answered, Quiz
from hoquiz.study.modes import Mode
from hoquiz.study.planning import study_cards
from hoquiz.study.scheduling import Scheduler

T0 = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


def version_1_database(path: Path) -> None:
    """A progress database as hoquiz 0.1 wrote it, with one answer logged."""
    raw = sqlite3.connect(path)
    raw.executescript(MIGRATIONS[0])
    raw.execute(f"PRAGMA application_id={APPLICATION_ID}")
    raw.execute("PRAGMA user_version=1")
    raw.execute(
        "INSERT INTO cards (card_key, bank_id, question_id, revision, state) "
        "VALUES ('alpha/gene', 'alpha', 'gene', 1, 0)"
    )
    raw.execute(
        "INSERT INTO review_log (card_id, reviewed_at, rating, correct, answer, duration_ms, "
        "mode, revision, state_before) VALUES (1, 0, 3, 1, 'a) ACVR1', 900, 'cram', 1, 0)"
    )
    raw.commit()
    raw.close()


def test_an_old_database_migrates_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    version_1_database(path)
    with Store.open(path) as store:
        (old,) = store.reviews()
    assert (old.card_key, old.answer, old.chosen, old.shown) == (
        "alpha/gene",
        "a) ACVR1",
        None,
        None,
    )
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
    assert raw.execute("SELECT chosen, shown FROM review_log").fetchall() == [(None, None)]


class Reversed(NoShuffle):
    """Shows options last to first, so display order and bank order differ."""

    def shuffle(self, x: list[int]) -> None:  # type: ignore[override]
        x.reverse()


def test_each_answer_logs_the_options_chosen_and_shown(tmp_path: Path) -> None:
    cards = study_cards(load_banks([write_banks(tmp_path / "banks", alpha=ALPHA)]))
    answers = {
        "alpha/gene": "c",  # shown NOG, BMP4, ACVR1: c is ACVR1
        "alpha/sites": "a c",  # Ear lobe and Hip
        "alpha/bone": "t",
        "alpha/stages": "c b a",  # the right order, as shown reversed
        "alpha/pairs": "1c 2b 3a",
    }
    with Store.open(tmp_path / "progress.db") as store:
        quiz = Quiz(
            cards=cards,
            store=store,
            scheduler=Scheduler(fuzz=False),
            rng=Reversed(0),
            clock=Clock(T0),
            mode=Mode.CRAM,  # each question once
        )
        while (asked := quiz.next()) is not None:
            if asked.card.key in answers:
                assert isinstance(quiz.submit(answers[asked.card.key]), Answered)
            else:
                quiz.skip()
        logged = {r.card_key: (r.chosen, r.shown) for r in store.reviews()}
    assert logged == {
        "alpha/gene": ((0,), (2, 1, 0)),
        "alpha/sites": ((0, 2), (2, 1, 0)),
        "alpha/bone": (None, None),
        "alpha/stages": ((0, 1, 2), (2, 1, 0)),
        "alpha/pairs": ((0, 1, 2), (2, 1, 0)),
    }
