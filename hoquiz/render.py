"""Plain-text views of questions, shared by `hoquiz show`, the quiz and exam reports.

Pure functions: the caller decides option order (the quiz shuffles, `show`
does not) and which cloze deletion is active.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import assert_never

from hoquiz.model import (
    MCQ,
    AnyQuestion,
    Bank,
    Cloze,
    Flashcard,
    Match,
    Multi,
    Numeric,
    Order,
    Question,
    Short,
    TrueFalse,
    card_key,
    render_cloze,
)
from hoquiz.text import format_number, normalize

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def natural_order(question: Question) -> list[int]:
    """The option order as written in the bank."""
    return list(range(question.option_count))


def fixed_order(question: Question, seed: str) -> list[int]:
    """Options in a shuffled order that is the same every time for ``seed``.

    Used where there is no session to shuffle per showing (``hoquiz show``,
    Anki cards). Seeded from the question's key, so rewording never
    reshuffles it; never the written order when there are two or more
    options, since banks often list the key (or the answer order) first.
    """
    order = natural_order(question)
    random.Random(seed).shuffle(order)
    if len(order) > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return order


def question_text(
    question: AnyQuestion, order: Sequence[int] | None = None, cloze: int | None = None
) -> str:
    """What a learner reads before answering.

    ``order`` lists option indexes in display order (choices; order items;
    match right-hand sides); ``cloze`` is the active deletion number.
    """
    order = list(order) if order is not None else natural_order(question)
    match question:
        case MCQ() | Multi():
            lines = [question.prompt]
            if isinstance(question, Multi) and "select all" not in normalize(question.prompt):
                lines.append("(select all that apply)")
            lines += [f"  {LETTERS[n]}) {question.choices[i].text}" for n, i in enumerate(order)]
            return "\n".join(lines)
        case TrueFalse():
            return f"{question.prompt}\n(true or false)"
        case Numeric():
            unit = f" (in {question.unit})" if question.unit else ""
            return f"{question.prompt}{unit}"
        case Short():
            return question.prompt
        case Cloze():
            active = cloze if cloze is not None else question.numbers[0]
            return render_cloze(question, active)
        case Flashcard():
            return question.front
        case Order():
            lines = [question.prompt]
            lines += [f"  {LETTERS[n]}) {question.items[i]}" for n, i in enumerate(order)]
            return "\n".join(lines)
        case Match():
            lines = [question.prompt]
            lines += [f"  {n + 1}. {left}" for n, (left, _) in enumerate(question.pairs)]
            lines += [f"  {LETTERS[n]}) {question.pairs[i][1]}" for n, i in enumerate(order)]
            return "\n".join(lines)
        case _:
            assert_never(question)


def answer_text(
    question: AnyQuestion, order: Sequence[int] | None = None, cloze: int | None = None
) -> str:
    """The key, in the same lettering as :func:`question_text` with the same ``order``."""
    order = list(order) if order is not None else natural_order(question)
    match question:
        case MCQ():
            choice = question.choices[question.answer].text
            return f"{LETTERS[order.index(question.answer)]}) {choice}"
        case Multi():
            shown = sorted(question.answer, key=order.index)
            return "; ".join(
                f"{LETTERS[order.index(i)]}) {question.choices[i].text}" for i in shown
            )
        case TrueFalse():
            return "true" if question.answer else "false"
        case Numeric():
            tolerance = f" (± {format_number(question.tolerance)})" if question.tolerance else ""
            unit = f" {question.unit}" if question.unit else ""
            return f"{format_number(question.answer)}{unit}{tolerance}"
        case Short():
            return " / ".join(question.accept)
        case Cloze():
            active = cloze if cloze is not None else question.numbers[0]
            answers = [d.answer for d in question.deletions if d.number == active]
            return f"{' ... '.join(answers)}  ({render_cloze(question, active, reveal=True)})"
        case Flashcard():
            return question.back
        case Order():
            letters = " ".join(LETTERS[order.index(i)] for i in range(len(question.items)))
            return f"{letters}: " + " → ".join(question.items)
        case Match():
            return "  ".join(
                f"{n + 1}{LETTERS[order.index(n)]} ({left} = {right})"
                for n, (left, right) in enumerate(question.pairs)
            )
        case _:
            assert_never(question)


def source_text(bank: Bank, question: Question) -> str:
    """The cited document's title and section."""
    source = bank.sources.get(question.source.doc)
    title = source.title if source else question.source.doc
    return f"{title}, section \u201c{question.source.section}\u201d"


def option_feedback(
    question: Question, order: Sequence[int] | None = None, chosen: Sequence[int] = ()
) -> list[str]:
    """Per-option feedback lines of an mcq or multi question, in display order.

    An mcq shows the feedback of the option chosen and of the key; a multi
    shows every option's. ``chosen`` holds choice indexes (not positions).
    """
    if not isinstance(question, (MCQ, Multi)):
        return []
    order = list(order) if order is not None else natural_order(question)
    keys = {question.answer} if isinstance(question, MCQ) else set(question.answer)
    lines = []
    for position, index in enumerate(order):
        choice = question.choices[index]
        if choice.feedback is None:
            continue
        if isinstance(question, MCQ) and index not in keys and index not in chosen:
            continue
        marks = [
            m for m, on in (("your choice", index in chosen), ("correct", index in keys)) if on
        ]
        tag = f" ({', '.join(marks)})" if marks else ""
        lines.append(f"  {LETTERS[position]}) {choice.text}{tag}: {choice.feedback}")
    return lines


def question_sheet(bank: Bank, question: AnyQuestion) -> list[str]:
    """What ``hoquiz show`` prints: each card as a learner sees it, then its answer,
    the choices' feedback, the explanation and the source.

    Options appear in :func:`fixed_order`, the same every time.
    """
    order = fixed_order(question, card_key(bank.id, question.id))
    lines = []
    for number in question.card_numbers:
        heading = f"[{bank.id}/{question.id}] {question.type}"
        lines.append(heading + (f", card c{number}" if number is not None else ""))
        lines.append(question_text(question, order, cloze=number))
        lines.append("")
        lines.append(f"Answer: {answer_text(question, order, cloze=number)}")
    if isinstance(question, (MCQ, Multi)):
        for letter, index in zip(LETTERS, order, strict=False):
            choice = question.choices[index]
            if choice.feedback:
                lines.append(f"Feedback on {letter}) {choice.text}: {choice.feedback}")
    lines.append(f"Explanation: {question.explanation}")
    lines.append(f"Source: {source_text(bank, question)}")
    return lines
