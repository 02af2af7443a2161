"""Study days in the learner's time zone, starting at 4 am, and the clock override."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from quiz_banks import tf_bank, write_banks

from hoquiz.banks.loader import load_banks
from hoquiz.cli import cli
from hoquiz.store import CardSummary, Store, to_ms
from hoquiz.study.days import Days, parse_moment
from hoquiz.study.planning import plan_review, study_cards
from hoquiz.study.scheduling import Phase

NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_a_study_day_starts_at_4_am_local_time() -> None:
    days = Days(4, NEW_YORK)
    # 03:59 in New York (08:59 UTC) still belongs to the evening before.
    assert days.date(at("2026-12-08T08:59+00:00")) == dt.date(2026, 12, 7)
    assert days.date(at("2026-12-08T09:00+00:00")) == dt.date(2026, 12, 8)
    # 20:00 in New York is already the next UTC day, but the same study day.
    assert days.date(at("2026-12-09T01:00+00:00")) == dt.date(2026, 12, 8)
    assert days.today_started(at("2026-12-08T23:00+00:00")) == at("2026-12-08T09:00+00:00")


def test_the_day_start_follows_daylight_saving_time() -> None:
    days = Days(4, NEW_YORK)
    assert days.start(dt.date(2026, 3, 7)) == at("2026-03-07T09:00+00:00")  # EST
    assert days.start(dt.date(2026, 3, 8)) == at("2026-03-08T08:00+00:00")  # EDT


def test_the_day_start_is_configurable() -> None:
    assert Days(0, UTC).date(at("2026-12-08T00:30+00:00")) == dt.date(2026, 12, 8)
    assert Days(6, UTC).date(at("2026-12-08T05:30+00:00")) == dt.date(2026, 12, 7)
    with pytest.raises(ValueError, match="an hour from 0 to 23"):
        Days(24, UTC)


def test_moments_are_read_on_the_learner_s_clock() -> None:
    assert parse_moment("2026-12-08T09:00", NEW_YORK) == at("2026-12-08T14:00+00:00")
    assert parse_moment("2026-12-08 09:00+01:00", NEW_YORK) == at("2026-12-08T08:00+00:00")
    assert parse_moment("2026-12-08T09:00Z", NEW_YORK) == at("2026-12-08T09:00+00:00")
    assert parse_moment("2026-12-08", NEW_YORK) == at("2026-12-08T17:00+00:00")  # noon
    with pytest.raises(ValueError) as error:
        parse_moment("next tuesday")
    assert str(error.value) == (
        "'next tuesday' is not a date and time such as 2026-12-08T09:00 (ISO 8601)"
    )


def test_the_new_card_allowance_resets_at_4_am_local_not_at_utc_midnight(tmp_path: Path) -> None:
    cards = study_cards(load_banks([write_banks(tmp_path / "banks", a=tf_bank("a", 10))]))
    days = Days(4, NEW_YORK)
    evening = at("2026-12-08T23:00+00:00")  # 18:00 in New York
    due = to_ms(evening + dt.timedelta(days=3))
    summaries = {f"a/q{n}": CardSummary(1, Phase.REVIEW, due, to_ms(evening), 0) for n in (1, 2, 3)}
    later = at("2026-12-09T02:00+00:00")  # 21:00 in New York: the same study day
    assert plan_review(cards, summaries, later, new_per_day=5, days=days).new == 2
    # At UTC midnight days, the three would not count any more.
    assert plan_review(cards, summaries, later, new_per_day=5, days=Days(0, UTC)).new == 5
    morning = at("2026-12-09T09:00+00:00")  # 04:00 in New York: a new day
    assert plan_review(cards, summaries, morning, new_per_day=5, days=days).new == 5


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's time zone is New York (what TZ says is the learner's)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_hoquiz_now_runs_the_quiz_at_another_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_york: None
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = write_banks(tmp_path / "banks", a=tf_bank("a", 1))
    db = tmp_path / "p.db"
    runner = CliRunner()
    env = {"HOQUIZ_NOW": "2026-12-08T09:00"}
    quiz = runner.invoke(cli, ["quiz", str(folder), "--db", str(db)], input="t\n", env=env)
    assert quiz.exit_code == 0, quiz.output
    assert "  next due: 2026-12-08 09:10 EST (in 10 minutes)" in quiz.output.splitlines()
    with Store.open(db) as store:
        [review] = store.reviews()
    assert abs(review.reviewed_at - at("2026-12-08T14:00+00:00")) < dt.timedelta(seconds=30)

    def stats(now: str) -> list[str]:
        result = runner.invoke(cli, ["stats", str(folder), "--db", str(db), "--now", now])
        assert result.exit_code == 0, result.output
        return result.output.splitlines()

    assert "Reviews: 1 in all, 1 today" in stats("2026-12-09T03:59")
    assert "  today 2026-12-08      1  ██████████████████████████████" in stats("2026-12-09T03:59")
    assert "Reviews: 1 in all, 0 today" in stats("2026-12-09T04:00")
    bad = runner.invoke(cli, ["stats", str(folder), "--db", str(db), "--now", "soon"])
    assert bad.exit_code == 2
    assert bad.output.splitlines()[-1] == (
        "Error: Invalid value for '--now': 'soon' is not a date and time such as "
        "2026-12-08T09:00 (ISO 8601)"
    )
