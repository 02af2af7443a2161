"""What the terminal quiz shows, line for line: undo, override, headers, hints, keys, summaries."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from quiz_banks import ALPHA, Clock, NoShuffle, ScriptedConsole, tf_bank, write_banks

from hoquiz.banks.loader import load_banks
from hoquiz.cli.quiz import Session
from hoquiz.store import Store
from hoquiz.study.days import Days
from hoquiz.study.modes import Mode
from hoquiz.study.planning import study_cards
from hoquiz.study.scheduling import Rating, Scheduler

T0 = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "progress.db") as opened:
        yield opened


def session(
    tmp_path: Path,
    store: Store,
    answers: list[str | BaseException | None],
    mode: Mode = Mode.REVIEW,
    clock: Clock | None = None,
    **banks: str,
) -> list[str]:
    """The lines a session shows for ``answers`` (options in bank order)."""
    console = ScriptedConsole(answers)
    Session(
        cards=study_cards(
            load_banks([write_banks(tmp_path / "banks", **(banks or {"alpha": ALPHA}))])
        ),
        store=store,
        console=console,
        scheduler=Scheduler(fuzz=False),
        rng=NoShuffle(0),
        clock=clock or Clock(T0),
        mode=mode,
        days=Days(4, dt.UTC),
    ).run()
    return console.lines


def dump(store: Store) -> list[str]:
    raw = sqlite3.connect(store.path)
    try:
        return list(raw.iterdump())
    finally:
        raw.close()


def block(lines: list[str], first: str, count: int) -> list[str]:
    """``count`` lines from the first that starts with ``first``."""
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    return lines[start : start + count]


def test_u_takes_the_answer_back_and_asks_again(tmp_path: Path, store: Store) -> None:
    before = dump(store)
    lines = session(tmp_path, store, ["a", "u", "q"])
    assert dump(store) == before  # the log row and the card row are gone
    assert block(lines, "Undone", 3) == [
        "Undone: your answer to alpha/gene is deleted; here it is again.",
        "",
        "[1/9] Alpha bank · mcq · alpha/gene",
    ]


def test_u_at_the_next_question_and_answering_again(tmp_path: Path, store: Store) -> None:
    lines = session(tmp_path, store, ["a", "a", "u", "a b", "q"])
    assert [line for line in lines if line.startswith("[")] == [
        "[1/9] Alpha bank · mcq · alpha/gene",
        "[2/9] Alpha bank · multi · alpha/sites",
        "[3/9] Alpha bank · true_false · alpha/bone",
        "[2/9] Alpha bank · multi · alpha/sites",
        "[3/9] Alpha bank · true_false · alpha/bone",
    ]
    assert [(r.card_key, r.answer, r.correct) for r in store.reviews()] == [
        ("alpha/gene", "a) ACVR1", True),
        ("alpha/sites", "a b", True),
    ]
    assert block(lines, "Session summary", 3) == [
        "Session summary", "  answered: 2", "  correct:  2 (100%)",
    ]  # fmt: skip


def test_bang_counts_a_wrong_answer_as_right(tmp_path: Path, store: Store) -> None:
    lines = session(tmp_path, store, ["a", "a b", "f", "!", "q"])
    assert block(lines, "Incorrect", 1) == ["Incorrect. You answered: false"]
    assert block(lines, "Counted as right", 2) == [
        "Counted as right: your answer to alpha/bone (false), rated good; "
        "the log marks it as your judgement.",
        "Next review: in 10 minutes",
    ]
    logged = store.reviews()[-1]
    assert (logged.card_key, logged.answer, logged.rating, logged.correct, logged.overridden) == (
        "alpha/bone", "false", Rating.GOOD, True, True,
    )  # fmt: skip
    card = store.card("alpha/bone")
    assert card is not None and card.schedule is not None
    assert card.schedule.due == T0 + dt.timedelta(minutes=10)  # Good's step, not Again's
    assert block(lines, "Session summary", 3)[2] == "  correct:  3 (100%)"


def test_bang_and_u_that_cannot_be_done_say_why(tmp_path: Path, store: Store) -> None:
    lines = session(tmp_path, store, ["u", "!", "a", "!", "q"])
    assert [line for line in lines if line.startswith("Cannot")] == [
        "Cannot do that: nothing to undo: no answer of this session is left",
        "Cannot do that: nothing to override: no answer of this session yet",
        "Cannot do that: your latest answer was graded right already",
    ]
    assert len(store.reviews()) == 1


def test_help_lists_the_keys_with_examples_that_fit(tmp_path: Path, store: Store) -> None:
    stages = "id: alpha\ntitle: Alpha bank\nquestions:\n" + ALPHA[ALPHA.index("  - id: stages") :]
    lines = session(tmp_path, store, ["?", "q"], alpha=stages)
    assert block(lines, "[1/2]", 7) == [
        "[1/2] Alpha bank · order · alpha/stages",
        "Put the stages in order.",
        "  a) Inflammation",
        "  b) Cartilage",
        "  c) Bone",
        "(type the letters from first to last, like a b c)",
        "  answer: type all the letters in the right order, first to last: a b c",
    ]
    assert block(lines, "  s ", 6) == [
        "  s      skip this question (not graded)",
        "  u      undo your last answer: it is deleted and its question asked again",
        "  !      count your last answer as right (you judge it so): rated good",
        "  q      quit; every answer so far is saved",
        "  ?      this help",
        "  end a right answer with ' +' if it was easy, ' -' if it was hard",
    ]
    exam = session(tmp_path / "exam", store, ["?", "q"], Mode.EXAM, alpha=stages)
    assert "  u      undo your last answer: it is deleted and its question asked again" in exam
    assert not any(line.startswith("  !") for line in exam)  # no verdicts to override


def test_a_card_back_from_a_learning_step_keeps_the_count(tmp_path: Path, store: Store) -> None:
    lines = session(tmp_path, store, ["f", "t", "t", "t", "q"], a=tf_bank("a", 2))
    assert [line for line in lines if line.startswith("[")] == [
        "[1/2] A bank · true_false · a/q1",
        "[2/2] A bank · true_false · a/q2",
        "[2/2 again] A bank · true_false · a/q1",
        "[2/2 again] A bank · true_false · a/q2",
        "[2/2 again] A bank · true_false · a/q1",
    ]


def test_multi_and_match_keys_one_item_per_line(tmp_path: Path, store: Store) -> None:
    answers = ["a", "a c", "t", "indomethacin", "7", "ACVR1", "", "3", "b a c", "1b 2a 3c", "q"]
    lines = session(tmp_path, store, answers)
    assert block(lines, "Incorrect. You answered: a c", 5) == [
        "Incorrect. You answered: a c (1 of 2 right choices, 1 wrong)",
        "Answer:",
        "  a) Hip (right)",
        "  b) Elbow (missed)",
        "  c) Ear lobe (wrong)",
    ]
    assert block(lines, "Incorrect. You answered: 1b 2a 3c", 5) == [
        "Incorrect. You answered: 1b 2a 3c (1 of 3 pairs right)",
        "Answer:",
        "  1a  Indomethacin = NSAID (wrong: you paired 1b)",
        "  2b  Etidronate = Bisphosphonate (wrong: you paired 2a)",
        "  3c  Celecoxib = COX-2 inhibitor (right)",
    ]
    assert "(type the letters from first to last, like a b c)" in lines
    assert "(pair each number with a letter, like 1a 2b 3c)" in lines


def test_cram_says_nothing_of_schedules(tmp_path: Path, store: Store) -> None:
    lines = session(tmp_path, store, ["t +", "t", "q"], Mode.CRAM, a=tf_bank("a", 2))
    assert "Correct." in lines and not any("marked" in line for line in lines)
    assert block(lines, "Session summary", 10)[1:] == [
        "  answered: 2",
        "  correct:  2 (100%)",
        "  time:     0 s",
    ]


def test_an_exam_summary_agrees_with_its_score(tmp_path: Path, store: Store) -> None:
    lines = session(tmp_path, store, ["t", "s", "f", "t", "t"], Mode.EXAM, a=tf_bank("a", 5))
    assert "Exam score: 3 of 5 (60%)" in lines
    assert block(lines, "Session summary", 10)[1:] == [
        "  answered: 4",
        "  correct:  3 of 5 (60%)",
        "  skipped:  1",
        "  time:     0 s",
    ]


def test_a_leech_is_announced_when_it_happens(tmp_path: Path, store: Store) -> None:
    clock = Clock(T0)
    shown: list[str] = []
    for n in range(4):
        session(tmp_path / f"learn{n}", store, ["t", "t", "t"], clock=clock, a=tf_bank("a", 1))
        clock.advance(days=60)
        shown = session(tmp_path / f"lapse{n}", store, ["f", "q"], clock=clock, a=tf_bank("a", 1))
        assert not any(line.startswith("Leech") for line in shown) or n == 3
        clock.advance(minutes=30)
    assert block(shown, "Next review", 2) == [
        "Next review: in 10 minutes",
        "Leech: you have forgotten this card 4 times. Study its explanation and source, "
        "or rewrite the question; `hoquiz stats` lists leeches.",
    ]
