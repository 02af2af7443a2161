"""What the terminal quiz says: the quiz engine's values as ``(line, style)`` pairs.

Styles are hints the console maps to colours: title, good, bad, dim, key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import assert_never

from hoquiz.model import AnyQuestion, Match, Multi, Order
from hoquiz.render import LETTERS, answer_text, option_feedback, question_text, source_text
from hoquiz.study.days import LOCAL_DAYS, Days
from hoquiz.study.engine import Answered, Asked, Intro, SessionResult
from hoquiz.study.grading import Presentation, verdict_line
from hoquiz.study.modes import Mode
from hoquiz.study.scheduling import Rating, describe_interval
from hoquiz.text import plural

Line = tuple[str, str | None]

HELP_SKIP = "  s      skip this question (not graded)"
HELP_UNDO = "  u      undo your last answer: it is deleted and its question asked again"
HELP_OVERRIDE = "  !      count your last answer as right (you judge it so): rated good"
HELP_END = [
    "  q      quit; every answer so far is saved",
    "  ?      this help",
]


def intro_lines(intro: Intro, days: Days = LOCAL_DAYS) -> Iterator[Line]:
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
        yield from _nothing_to_study(intro, days)
    else:
        yield "No question to ask.", None


def _nothing_to_study(intro: Intro, days: Days) -> Iterator[Line]:
    """Why there is nothing to study, and what can be done instead."""
    more_new = intro.new_waiting > 0
    done = "today's new cards are done" if more_new else "no new cards are left"
    yield f"Nothing to study now: no card is due and {done}.", None
    if intro.next_due is not None:
        when = days.local(intro.next_due).strftime("%a %Y-%m-%d %H:%M")
        soon = describe_interval(intro.next_due - (intro.started or intro.next_due))
        yield f"  The next card is due {when} ({soon}).", None
    if more_new:
        more = min(10, intro.new_waiting)
        yield (
            f"  hoquiz quiz --new {intro.new_per_day + more}   {plural(more, 'more new card')} "
            "today",
            None,
        )
    yield "  hoquiz quiz --mode cram   practise now without changing the schedule", None


def question_lines(asked: Asked) -> Iterator[Line]:
    card, shown = asked.card, asked.shown
    question = card.question
    yield "", None
    kind = question.type + (f" c{card.cloze}" if card.cloze is not None else "")
    place = f"{asked.number}/{asked.total}" + (" again" if asked.again else "")
    where = f"{card.bank.id}/{card.question_id}"
    yield f"[{place}] {card.bank.title} · {kind} · {where}", "dim"
    yield question_text(question, shown.order, shown.cloze), None
    match question:
        case Order():
            yield f"(type the letters from first to last, like {answer_example(question)})", "dim"
        case Match():
            yield f"(pair each number with a letter, like {answer_example(question)})", "dim"
        case _:
            pass
    if question.image is not None:
        yield f"(image: {question.image})", "dim"


def answer_example(question: AnyQuestion) -> str:
    """An answer in the right form for this question's options (``""``: none needed).

    For order and match, the letters as shown (``a b c``, ``1a 2b 3c``): never
    the key, since neither is ever shown in its answer order.
    """
    count = question.option_count
    match question:
        case Multi():
            return "a c" if count > 2 else "a b"
        case Order():
            return " ".join(LETTERS[:count])
        case Match():
            return " ".join(f"{n + 1}{LETTERS[n]}" for n in range(count))
        case _:
            return ""


def help_lines(asked: Asked, mode: Mode) -> Iterator[Line]:
    question = asked.card.question
    example = answer_example(question)
    yield f"  answer: {question.answer_help}" + (f": {example}" if example else ""), "dim"
    yield HELP_SKIP, "dim"
    yield HELP_UNDO, "dim"
    if mode != Mode.EXAM:
        yield HELP_OVERRIDE, "dim"
    for line in HELP_END:
        yield line, "dim"
    if mode == Mode.REVIEW and not question.self_graded:
        yield "  end a right answer with ' +' if it was easy, ' -' if it was hard", "dim"


def feedback_lines(answered: Answered, mode: Mode = Mode.REVIEW) -> Iterator[Line]:
    card, shown, verdict = answered.card, answered.shown, answered.grade
    question = card.question
    if question.self_graded:
        verdict_word = "Correct" if verdict.correct else "Incorrect"
        line = f"{verdict_word}: rated {verdict.rating.label}."
    else:  # a +/- mark is news only where it changes the schedule
        line = verdict_line(
            verdict if mode == Mode.REVIEW else verdict._replace(rating=Rating.GOOD)
        )
    yield line, "good" if verdict.correct else "bad"
    if not question.self_graded:
        yield from key_lines("Answer", question, shown, verdict.chosen)
    for feedback in option_feedback(question, shown.order, verdict.chosen):
        yield feedback, None
    yield f"Explanation: {question.explanation}", None
    yield f"Source: {source_text(card.bank, question)}", None
    yield from _schedule_lines(answered)


def override_lines(answered: Answered) -> Iterator[Line]:
    """What ``!`` did to the latest answer."""
    yield (
        f"Counted as right: your answer to {answered.card.key} ({answered.grade.given}), "
        f"rated {answered.grade.rating.label}; the log marks it as your judgement.",
        "good",
    )
    yield from _schedule_lines(answered)


def undo_lines(asked: Asked) -> Iterator[Line]:
    """What ``u`` did; the question follows."""
    yield f"Undone: your answer to {asked.card.key} is deleted; here it is again.", "dim"


def _schedule_lines(answered: Answered) -> Iterator[Line]:
    schedule = answered.schedule
    if schedule is None:
        return
    yield f"Next review: {describe_interval(schedule.due - answered.at)}", "dim"
    if answered.leech:
        yield (
            f"Leech: you have forgotten this card {plural(schedule.lapses, 'time')}. Study its "
            "explanation and source, or rewrite the question; `hoquiz stats` lists leeches.",
            "bad",
        )


def key_lines(
    label: str, question: AnyQuestion, shown: Presentation, chosen: Sequence[int]
) -> Iterator[Line]:
    """The key: one line, or for multi and match one line per item with a mark.

    Marks: right (chosen, or paired, as the key says), missed (a right option
    not chosen), wrong (chosen but not right; a pair not as the key says).
    Without ``chosen`` (a skipped question), items carry no mark.
    """
    order = list(shown.order)
    match question:
        case Multi():
            keys = set(question.answer)
            lines = []
            for position, index in enumerate(order):
                if index in keys:
                    mark = "right" if index in chosen else "missed"
                elif index in chosen:
                    mark = "wrong"
                else:
                    continue
                text = f"  {LETTERS[position]}) {question.choices[index].text}"
                lines.append(f"{text} ({mark})" if chosen else text)
            yield f"{label}:", "key"
            for line in lines:
                yield line, "key"
        case Match():
            yield f"{label}:", "key"
            for n, (left, right) in enumerate(question.pairs):
                line = f"  {n + 1}{LETTERS[order.index(n)]}  {left} = {right}"
                if len(chosen) == len(question.pairs):
                    given = chosen[n]
                    if given == n:
                        line += " (right)"
                    else:
                        line += f" (wrong: you paired {n + 1}{LETTERS[order.index(given)]})"
                yield line, "key"
        case _:
            yield f"{label}: {answer_text(question, shown.order, shown.cloze)}", "key"


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
        yield from key_lines("Key", question, miss.shown, miss.chosen)
        for feedback in option_feedback(question, miss.shown.order, miss.chosen):
            yield feedback, None
        yield f"Explanation: {question.explanation}", None
        yield f"Source: {source_text(miss.card.bank, question)}", None


def summary_lines(result: SessionResult, days: Days = LOCAL_DAYS) -> Iterator[Line]:
    yield "", None
    yield "Session summary", "title"
    yield f"  answered: {result.answered}", None
    if result.mode == Mode.EXAM:  # skipped questions count, as in the score
        asked = len(result.exam_results)
        yield f"  correct:  {result.correct} of {asked} ({_percent(result.correct, asked)})", None
    else:
        yield f"  correct:  {result.correct} ({_percent(result.correct, result.answered)})", None
    if result.skipped:
        yield f"  skipped:  {result.skipped}", None
    yield f"  time:     {_duration(result.ended - result.started)}", None
    if result.mode != Mode.REVIEW:
        return  # nothing was scheduled
    if result.next_due is None:
        yield "  next due: nothing scheduled yet", None
    else:
        when = days.local(result.next_due).strftime("%Y-%m-%d %H:%M %Z")
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
