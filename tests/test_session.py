"""The quiz loop and its queue rules, with a pinned clock and fuzzing off."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from quiz_banks import ALPHA, BETA, Clock, NoShuffle, ScriptedConsole, tf_bank, write_banks

from hoquiz.banks.loader import load_banks
from hoquiz.cli.quiz import Session
from hoquiz.model import Bank
from hoquiz.store import CardSummary, Store, to_ms
from hoquiz.study.engine import SessionResult
from hoquiz.study.planning import (
    LEARN_AHEAD,
    StudyCard,
    plan_cram,
    plan_exam,
    plan_review,
    present,
    study_cards,
)
from hoquiz.study.scheduling import Phase, Rating, Scheduler

T0 = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "progress.db") as opened:
        yield opened


def banks_of(tmp_path: Path, **texts: str) -> list[Bank]:
    return load_banks([write_banks(tmp_path / "banks", **texts)])


def run(
    banks: list[Bank],
    store: Store,
    answers: list[str | BaseException | None],
    *,
    clock: Clock | None = None,
    mode: str = "review",
    step: dt.timedelta = dt.timedelta(seconds=5),
    **options: object,
) -> tuple[SessionResult, ScriptedConsole]:
    """Run a session; each answer read moves the clock on by ``step``."""
    clock = clock or Clock(T0)
    console = ScriptedConsole(answers)
    asked = console.ask

    def ask(prompt: str) -> str | None:
        clock.now += step
        return asked(prompt)

    console.ask = ask  # type: ignore[method-assign]
    session = Session(
        cards=study_cards(banks),
        store=store,
        console=console,
        scheduler=Scheduler(fuzz=False),
        rng=NoShuffle(0),
        clock=clock,
        mode=mode,
        **options,  # type: ignore[arg-type]
    )
    return session.run(), console


def summary(
    key: str,
    *,
    state: int = Phase.REVIEW,
    due: dt.datetime,
    revision: int = 1,
    introduced: dt.datetime | None = None,
    lapses: int = 0,
) -> tuple[str, CardSummary]:
    return key, CardSummary(revision, state, to_ms(due), introduced and to_ms(introduced), lapses)


def keys(cards: tuple[StudyCard, ...] | list[StudyCard]) -> list[str]:
    return [c.key for c in cards]


# -- queue rules (pure) ---------------------------------------------------------------


def test_due_cards_first_most_overdue_first(tmp_path: Path) -> None:
    cards = study_cards(banks_of(tmp_path, a=tf_bank("a", 5)))
    summaries = dict([
        summary("a/q1", due=T0 - dt.timedelta(days=1)),
        summary("a/q2", due=T0 - dt.timedelta(days=9)),
        summary("a/q3", due=T0 + dt.timedelta(days=1)),  # not due
        summary("a/q4", due=T0 - dt.timedelta(minutes=1)),
    ])  # fmt: skip
    plan = plan_review(cards, summaries, T0, new_per_day=20)
    assert keys(plan.queue) == ["a/q2", "a/q1", "a/q4", "a/q5"]
    assert (plan.due, plan.new) == (3, 1)


def test_new_cards_limit_counts_those_started_today(tmp_path: Path) -> None:
    cards = study_cards(banks_of(tmp_path, a=tf_bank("a", 10)))
    today = T0 - dt.timedelta(hours=2)
    yesterday = T0 - dt.timedelta(days=1)
    summaries = dict([
        summary("a/q1", due=T0 + dt.timedelta(days=1), introduced=today),
        summary("a/q2", due=T0 + dt.timedelta(days=1), introduced=today),
        summary("a/q3", due=T0 + dt.timedelta(days=1), introduced=yesterday),
    ])  # fmt: skip
    plan = plan_review(cards, summaries, T0, new_per_day=5)
    assert keys(plan.queue) == ["a/q4", "a/q5", "a/q6"]
    assert plan.new_allowance == 3
    # The allowance is per UTC day: tomorrow, five again.
    tomorrow = plan_review(cards, summaries, T0 + dt.timedelta(days=1), new_per_day=5)
    assert tomorrow.new == 5
    assert plan_review(cards, summaries, T0, new_per_day=0).queue == ()


def test_new_cards_interleave_across_banks(tmp_path: Path) -> None:
    cards = study_cards(banks_of(tmp_path, a=tf_bank("a", 3), b=tf_bank("b", 1), c=tf_bank("c", 2)))
    plan = plan_review(cards, {}, T0, new_per_day=20)
    assert keys(plan.queue) == ["a/q1", "b/q1", "c/q1", "a/q2", "c/q2", "a/q3"]


def test_cloze_siblings_are_buried(tmp_path: Path) -> None:
    cards = study_cards(banks_of(tmp_path, alpha=ALPHA))
    fresh = plan_review(cards, {}, T0, new_per_day=50)
    assert "alpha/fop#c1" in keys(fresh.queue) and "alpha/fop#c2" not in keys(fresh.queue)
    # A due sibling goes first and buries the other, even a due one.
    summaries = dict([
        summary("alpha/fop#c2", due=T0 - dt.timedelta(days=3)),
        summary("alpha/fop#c1", due=T0 - dt.timedelta(days=1)),
    ])  # fmt: skip
    plan = plan_review(cards, summaries, T0, new_per_day=50)
    fop = [k for k in keys(plan.queue) if k.startswith("alpha/fop")]
    assert fop == ["alpha/fop#c2"]


def test_limit_caps_the_session(tmp_path: Path) -> None:
    cards = study_cards(banks_of(tmp_path, a=tf_bank("a", 6)))
    summaries = dict([summary("a/q6", due=T0 - dt.timedelta(days=1))])
    plan = plan_review(cards, summaries, T0, new_per_day=20, limit=3)
    assert keys(plan.queue) == ["a/q6", "a/q1", "a/q2"]


def test_learning_cards_wait_in_the_session(tmp_path: Path) -> None:
    cards = study_cards(banks_of(tmp_path, a=tf_bank("a", 3)))
    summaries = dict([
        summary("a/q1", state=Phase.LEARNING, due=T0 + dt.timedelta(minutes=5)),
        summary("a/q2", state=Phase.LEARNING, due=T0 + 2 * LEARN_AHEAD),  # too far ahead
    ])  # fmt: skip
    plan = plan_review(cards, summaries, T0, new_per_day=20)
    assert keys(plan.queue) == ["a/q3"]
    assert [(d, c.key) for d, c in plan.learning] == [(T0 + dt.timedelta(minutes=5), "a/q1")]


def test_raised_revision_and_removed_questions(tmp_path: Path) -> None:
    cards = study_cards(banks_of(tmp_path, a=tf_bank("a", 2, revision=2)))
    summaries = dict([
        summary("a/q1", due=T0 + dt.timedelta(days=30), revision=1),  # reset: new again
        summary("a/q2", due=T0 + dt.timedelta(days=30), revision=2),
        summary("a/gone", due=T0 - dt.timedelta(days=30)),  # removed from the bank
    ])  # fmt: skip
    plan = plan_review(cards, summaries, T0, new_per_day=20)
    assert keys(plan.queue) == ["a/q1"]


def test_cram_and_exam_draws(tmp_path: Path) -> None:
    cards = study_cards(banks_of(tmp_path, alpha=ALPHA))
    cram = plan_cram(cards, random.Random(1))
    assert len(cram.queue) == 9  # one card per question
    assert sorted(keys(cram.queue)) != keys(cram.queue)
    assert keys(plan_cram(cards, random.Random(1)).queue) == keys(cram.queue)
    exam = plan_exam(cards, random.Random(1), limit=5)
    assert len(exam.queue) == 5
    full = plan_exam(cards, random.Random(1), limit=50)
    assert len(full.queue) == 8 and "alpha/define" not in keys(full.queue)  # no flashcard


def test_presented_order_is_seeded_and_never_the_answer_for_order(tmp_path: Path) -> None:
    cards = {c.question.id: c for c in study_cards(banks_of(tmp_path, alpha=ALPHA))}
    first = [present(cards["gene"], random.Random(7)).order for _ in range(3)]
    assert first[0] == first[1] == first[2]
    for seed in range(30):
        assert present(cards["stages"], random.Random(seed)).order != (0, 1, 2)
        assert present(cards["pairs"], random.Random(seed)).order != (0, 1, 2)


# -- sessions --------------------------------------------------------------------------


ALPHA_WRONG = {
    "gene": "b", "sites": "a", "bone": "f", "drug": "aspirin", "dose": "9",
    "fop": "BMP4", "stages": "c b a", "pairs": "1b 2a 3c",
}  # fmt: skip
ALPHA_RIGHT = {  # natural order (NoShuffle)
    "gene": "a", "sites": "a b", "bone": "t", "drug": "indomethacin", "dose": "7",
    "fop": "ACVR1", "stages": "a b c", "pairs": "1a 2b 3c",
}  # fmt: skip


def test_review_session_of_every_type(tmp_path: Path, store: Store) -> None:
    banks = banks_of(tmp_path, alpha=ALPHA)
    answers: list[str | BaseException | None] = [
        "a", "a b", "t", "indomethacin", "7", "ACVR1", "", "3", "a b c", "1a 2b 3c",
    ]  # fmt: skip
    result, console = run(banks, store, answers, new_per_day=20)
    assert (result.answered, result.correct, result.skipped) == (9, 9, 0)
    text = console.text
    assert text.count("Correct.") == 7 and "Correct: rated good." in text
    assert "Correct (accepted 6.5 to 7.5 Gy)." in text
    assert "Answer: a) ACVR1" in text
    assert "  a) ACVR1 (your choice, correct): Yes, the R206H variant." in text
    assert "Explanation: Classic FOP is caused by ACVR1 R206H." in text
    assert "Source: Patient guide to HO, section “Causes”" in text
    assert "FOP is caused by [...] mutations, mostly R206H." in text
    assert "Answer: Bone forming where bone should not be." in text
    assert "Next review: in 10 minutes" in text
    summaries = store.summaries()
    assert len(summaries) == 9 and {s.state for s in summaries.values()} == {Phase.LEARNING}


def test_wrong_answers_of_every_type(tmp_path: Path, store: Store) -> None:
    banks = banks_of(tmp_path, alpha=ALPHA)
    answers: list[str | BaseException | None] = [
        "b", "a", "f", "aspirin", "9 Gy", "BMP4", "", "1", "c b a", "1b 2a 3c",
    ]  # fmt: skip
    result, console = run(banks, store, answers, new_per_day=20, limit=9)
    assert (result.answered, result.correct) == (9, 0)
    expected = [
        "Incorrect. You answered: b) BMP4",
        "  b) BMP4 (your choice): A ligand, not the receptor.",
        "Incorrect. You answered: a (1 of 2 right choices)",
        "Incorrect. You answered: false",
        "Incorrect. You answered: aspirin",
        "Answer: Indométacine / indomethacin",
        "Incorrect. You answered: 9 Gy (accepted 6.5 to 7.5 Gy)",
        "Answer: 7 Gy (± 0.5)",
        "Incorrect. You answered: BMP4",
        "Incorrect: rated again.",
        "Incorrect. You answered: c b a (1 of 3 in the right place)",
        "Incorrect. You answered: 1b 2a 3c (1 of 3 pairs right)",
        "Next review: in 1 minute",
    ]
    for line in expected:
        assert line in console.lines, line


def test_learning_steps_come_back_in_the_session(tmp_path: Path, store: Store) -> None:
    banks = banks_of(tmp_path, a=tf_bank("a", 2))
    # q1 wrong (back in 1 min), q2 right (back in 10 min, shown early at the end)
    result, console = run(banks, store, ["f", "t", "t", "t", "t"], new_per_day=20)
    order = [line for line in console.lines if line.startswith("Statement")]
    assert order == [
        "Statement 1 of a is true.", "Statement 2 of a is true.",
        "Statement 1 of a is true.", "Statement 2 of a is true.", "Statement 1 of a is true.",
    ]  # fmt: skip
    assert result.answered == 5
    states = {k: s.state for k, s in store.summaries().items()}
    assert states == {"a/q1": Phase.REVIEW, "a/q2": Phase.REVIEW}


def test_unparseable_input_reprompts_and_is_not_graded(tmp_path: Path, store: Store) -> None:
    banks = banks_of(tmp_path, a=tf_bank("a", 1))
    result, console = run(banks, store, ["maybe", "?", "t", None])
    assert "Not an answer: type t or f (true/false, y/n)" in console.lines
    assert "  answer: type t or f (true/false, y/n also work)" in console.lines
    assert "  end a right answer with ' +' if it was easy, ' -' if it was hard" in console.lines
    assert [r.answer for r in store.reviews()] == ["true"]
    assert result.answered == 1


def test_skip_is_not_graded(tmp_path: Path, store: Store) -> None:
    banks = banks_of(tmp_path, a=tf_bank("a", 2))
    result, console = run(banks, store, ["s", "t", None], new_per_day=20)
    assert "Skipped." in console.lines
    assert (result.answered, result.skipped) == (1, 1)
    assert [r.card_key for r in store.reviews()] == ["a/q2"]


@pytest.mark.parametrize("stop", ["q", None, KeyboardInterrupt()])
def test_stopping_keeps_answers_and_prints_the_summary(
    tmp_path: Path, store: Store, stop: str | BaseException | None
) -> None:
    banks = banks_of(tmp_path, a=tf_bank("a", 3))
    clock = Clock(T0)
    result, console = run(banks, store, ["t", "f", stop, "t"], clock=clock, new_per_day=20)
    assert result.answered == 2 and result.correct == 1
    assert result.interrupted is isinstance(stop, KeyboardInterrupt)
    assert len(store.reviews()) == 2
    tail = console.lines[console.lines.index("Session summary") :]
    assert tail == [
        "Session summary",
        "  answered: 2",
        "  correct:  1 (50%)",
        "  time:     15 s",
        "  next due: 2025-03-10 09:01 UTC (in under a minute)",
    ]


def test_nothing_to_study(tmp_path: Path, store: Store) -> None:
    banks = banks_of(tmp_path, a=tf_bank("a", 1))
    run(banks, store, ["t", "t"])  # learnt: due tomorrow or later
    result, console = run(banks, store, [], new_per_day=20)
    assert result.answered == 0
    assert "Nothing to study now: no card is due and no new cards left." in console.lines
    assert console.prompts == 0


def test_cram_leaves_the_schedule(tmp_path: Path, store: Store) -> None:
    banks = banks_of(tmp_path, a=tf_bank("a", 2))
    run(banks, store, ["t", "t", "t", "t"], new_per_day=1)
    before = {c.key: c for c in store.cards()}
    assert list(before) == ["a/q1"]
    result, console = run(banks, store, ["f", "t"], mode="cram")
    assert result.answered == 2
    after = {c.key: c for c in store.cards()}
    assert after["a/q1"] == before["a/q1"]
    assert after["a/q2"].schedule is None  # logged, still new
    assert "Next review" not in console.text
    assert console.lines[0] == "Cram: 2 questions (1 bank); your schedule is not changed"
    assert sorted(r.mode for r in store.reviews()) == ["cram", "cram", "review", "review"]


def test_exam_scores_at_the_end(tmp_path: Path, store: Store) -> None:
    banks = banks_of(tmp_path, alpha=ALPHA)
    # Seeded draw; answers are given by what each question asks.
    cards = study_cards(banks)
    plan = plan_exam(cards, NoShuffle(0), limit=4)
    answers: list[str | BaseException | None] = []
    for card in plan.queue:
        right = ALPHA_RIGHT[card.question.id]
        if card.question.id == "fop" and card.cloze == 2:
            right = "R206H"
        answers.append(right)
    answers[1] = "s"
    answers[2] = ALPHA_WRONG[plan.queue[2].question.id]
    result, console = run(banks, store, answers, mode="exam", limit=4)
    assert all(s.state == 0 for s in store.summaries().values())  # nothing scheduled
    assert (result.answered, result.correct, result.skipped) == (3, 2, 1)
    text = console.text
    assert "Correct" not in text.split("Exam score")[0]
    assert "Explanation" not in text.split("Exam score")[0]
    assert "Exam score: 2 of 4 (50%)" in console.lines
    assert "By bank:" in text and "  alpha  " in text
    assert "Your answer: (skipped)" in text
    assert text.count("Key: ") == 2
    assert all(r.mode == "exam" for r in store.reviews())


def test_raised_revision_resets_progress(tmp_path: Path, store: Store) -> None:
    clock = Clock(T0)
    banks = banks_of(tmp_path, a=tf_bank("a", 1))
    run(banks, store, ["t", "t"], clock=clock)
    learnt = store.card("a/q1")
    assert (
        learnt is not None and learnt.schedule is not None and learnt.schedule.state == Phase.REVIEW
    )
    clock.advance(hours=1)
    reworded = banks_of(
        tmp_path / "v2", a=tf_bank("a", 1, revision=1).replace("Statement", "Claim")
    )
    _, console = run(reworded, store, [], clock=clock)
    assert console.prompts == 0  # rewording keeps progress: not due
    revised = banks_of(tmp_path / "v3", a=tf_bank("a", 1, revision=2))
    _, console = run(revised, store, ["t", None], clock=clock)
    assert console.lines[0] == "Review: 0 due, 1 new (1 bank)"
    card = store.card("a/q1")
    assert card is not None and card.revision == 2
    assert card.schedule is not None and card.schedule.reps == 1


def test_answers_are_logged_with_duration_and_answer(tmp_path: Path, store: Store) -> None:
    banks = banks_of(tmp_path, beta=BETA)
    run(banks, store, ["yes", None], step=dt.timedelta(seconds=7))
    [logged] = store.reviews()
    assert (logged.answer, logged.duration_ms, logged.rating, logged.correct) == (
        "true", 7000, Rating.GOOD, True,
    )  # fmt: skip


def test_multi_hint_only_when_the_prompt_lacks_it(tmp_path: Path) -> None:
    from hoquiz.render import question_text

    said = ALPHA.replace("Which are common sites of HO?", "Which are common sites? Select all.")
    sites = {c.question.id: c for c in study_cards(banks_of(tmp_path, alpha=said))}["sites"]
    assert "(select all that apply)" not in question_text(sites.question)
    plain = {c.question.id: c for c in study_cards(banks_of(tmp_path / "2", alpha=ALPHA))}["sites"]
    assert "(select all that apply)" in question_text(plain.question)


def test_exam_miss_shows_the_chosen_options_feedback(tmp_path: Path, store: Store) -> None:
    only_mcq = ALPHA.split("  - id: sites")[0]
    banks = banks_of(tmp_path, alpha=only_mcq)
    result, console = run(banks, store, ["b"], mode="exam")
    assert (result.answered, result.correct) == (1, 0)
    tail = console.lines[console.lines.index("Missed:") :]
    assert tail[:10] == [
        "Missed:",
        "",
        "1. [alpha/gene] mcq",
        "Which gene is mutated in classic FOP?",
        "  a) ACVR1",
        "  b) BMP4",
        "  c) NOG",
        "Your answer: b) BMP4",
        "Key: a) ACVR1",
        "  a) ACVR1 (correct): Yes, the R206H variant.",
    ]
    assert tail[10] == "  b) BMP4 (your choice): A ligand, not the receptor."
