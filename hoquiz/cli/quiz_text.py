"""What the terminal quiz says: the quiz engine's values as ``(line, style)`` pairs.

Styles are hints the console maps to colours: title, good, bad, dim, key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import assert_never

from hoquiz.render import answer_text, option_feedback, question_text, source_text
from hoquiz.study.engine import Answered, Asked, Intro, SessionResult
from hoquiz.study.grading import verdict_line
from hoquiz.study.modes import Mode
from hoquiz.study.scheduling import describe_interval
from hoquiz.text import plural

Line = tuple[str, str | None]

HELP_COMMON = [
    "  s      skip this question (not graded)",
    "  q      quit; every answer so far is saved",
    "  ?      this help",
]


def intro_lines(intro: Intro) -> Iterator[Line]:
    where = plural(intro.banks, "bank")
    match intro.mode:
        case Mode.REVIEW:
            learning = f", {intro.learning} in learning" if intro.learning else ""
            yield f"Review: {intro.due} due, {intro.new} new{learning} ({where})", "title"
        case Mode.CRAM:
            yield (
                f"Cram: {intro.queued} questions ({where}); your schedule is not changed",
                "title",
            )
        case Mode.EXAM:
            yield (
                f"Exam: {intro.queued} questions ({where}); answers and score at the end",
                "title",
            )
        case _:
            assert_never(intro.mode)
    if not intro.empty:
        yield "Type ? for help, s to skip, q to quit.", "dim"
    elif intro.mode == Mode.REVIEW:
        done = "today's new cards are done" if intro.new_allowance == 0 else "no new cards left"
        yield f"Nothing to study now: no card is due and {done}.", None
    else:
        yield "No question to ask.", None


def question_lines(asked: Asked) -> Iterator[Line]:
    card, shown = asked.card, asked.shown
    question = card.question
    yield "", None
    kind = question.type + (f" c{card.cloze}" if card.cloze is not None else "")
    yield f"[{asked.number}/{asked.total}] {card.bank.title} · {kind}", "dim"
    yield question_text(question, shown.order, shown.cloze), None
    if question.image is not None:
        yield f"(image: {question.image})", "dim"


def help_lines(asked: Asked, mode: Mode) -> Iterator[Line]:
    question = asked.card.question
    yield f"  answer: {question.answer_help}", "dim"
    for line in HELP_COMMON:
        yield line, "dim"
    if mode == Mode.REVIEW and not question.self_graded:
        yield "  end a right answer with ' +' if it was easy, ' -' if it was hard", "dim"


def feedback_lines(answered: Answered) -> Iterator[Line]:
    card, shown, verdict = answered.card, answered.shown, answered.grade
    question = card.question
    if question.self_graded:
        verdict_word = "Correct" if verdict.correct else "Incorrect"
        line = f"{verdict_word}: rated {verdict.rating.label}."
    else:
        line = verdict_line(verdict)
    yield line, "good" if verdict.correct else "bad"
    if not question.self_graded:
        yield f"Answer: {answer_text(question, shown.order, shown.cloze)}", "key"
    for feedback in option_feedback(question, shown.order, verdict.chosen):
        yield feedback, None
    yield f"Explanation: {question.explanation}", None
    yield f"Source: {source_text(card.bank, question)}", None
    if answered.schedule is not None:
        yield f"Next review: {describe_interval(answered.schedule.due - answered.at)}", "dim"


def exam_report_lines(result: SessionResult) -> Iterator[Line]:
    asked = result.exam_results
    if not asked:
        return
    right = sum(ok for _, ok in asked)
    yield "", None
    yield f"Exam score: {right} of {len(asked)} ({_percent(right, len(asked))})", "title"
    by_bank: dict[str, list[bool]] = {}
    by_tag: dict[str, list[bool]] = {}
    for card, ok in asked:
        by_bank.setdefault(card.bank.id, []).append(ok)
        for tag in dict.fromkeys((*card.bank.tags, *card.question.tags)):
            by_tag.setdefault(tag, []).append(ok)
    for title, groups in (("By bank", by_bank), ("By tag", by_tag)):
        if not groups:
            continue
        yield f"{title}:", None
        width = max(len(name) for name in groups)
        for name in sorted(groups):
            marks = groups[name]
            score = f"{sum(marks)} of {len(marks)}"
            yield f"  {name:<{width}}  {score:>8}  {_percent(sum(marks), len(marks)):>4}", None
    if result.missed:
        yield "", None
        yield "Missed:", "title"
    for n, miss in enumerate(result.missed, 1):
        question = miss.card.question
        yield "", None
        yield f"{n}. [{miss.card.key}] {question.type}", "dim"
        yield question_text(question, miss.shown.order, miss.shown.cloze), None
        yield f"Your answer: {miss.given if miss.given is not None else '(skipped)'}", "bad"
        yield f"Key: {answer_text(question, miss.shown.order, miss.shown.cloze)}", "key"
        for feedback in option_feedback(question, miss.shown.order, miss.chosen):
            yield feedback, None
        yield f"Explanation: {question.explanation}", None
        yield f"Source: {source_text(miss.card.bank, question)}", None


def summary_lines(result: SessionResult) -> Iterator[Line]:
    yield "", None
    yield "Session summary", "title"
    yield f"  answered: {result.answered}", None
    yield f"  correct:  {result.correct} ({_percent(result.correct, result.answered)})", None
    if result.skipped:
        yield f"  skipped:  {result.skipped}", None
    yield f"  time:     {_duration(result.ended - result.started)}", None
    if result.next_due is None:
        yield "  next due: nothing scheduled yet", None
    else:
        when = result.next_due.strftime("%Y-%m-%d %H:%M UTC")
        delta = result.next_due - result.ended
        yield f"  next due: {when} ({describe_interval(delta)})", None


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def _duration(delta: dt.timedelta) -> str:
    seconds = max(0, round(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"
