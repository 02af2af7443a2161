"""The rules every question must meet, whatever file it came from (no I/O).

The YAML loader checks shapes (keys, types) and then calls these rules; an
importer of another format calls the same ones, so a question means the same
thing whichever way it arrived. Each rule returns what is wrong as
:class:`Violation` values whose ``at`` is a path inside the question
(``("choices", 2)``), which the caller turns into a file location.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import assert_never

from hoquiz.model.cloze import CLOZE_RE, ClozeDeletion, parse_cloze
from hoquiz.model.questions import (
    MCQ,
    AnyQuestion,
    Cloze,
    Flashcard,
    Match,
    Multi,
    Numeric,
    Order,
    Short,
    TrueFalse,
)
from hoquiz.text import did_you_mean, format_number, normalize, quote

MIN_CHOICES = 2
MIN_ITEMS = 2
MIN_PAIRS = 2
# Options (choices, order items, match pairs) are lettered a to z in the quiz,
# show and every exporter; item-writing guidance never needs more than a few.
MAX_OPTIONS = 26
# Bounds that keep every value within what SQLite's 64-bit integers, floats
# and Anki hold, far beyond any real question.
MAX_REVISION = 2**31 - 1
MAX_CLOZE_NUMBER = 500
MAX_NUMBER = 1e15

Where = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: where in the question (a key path) and what is wrong."""

    at: Where
    message: str


def unique(
    items: Sequence[str], at: Where, what: str, counted_as: str | None = None
) -> list[Violation]:
    """Items that repeat an earlier one (compared normalised), each at its index.

    The message names the earlier one as ``counted_as`` (default ``what``) and its number.
    """
    seen: dict[str, int] = {}
    out = []
    for i, item in enumerate(items):
        n = normalize(item)
        if n in seen:
            earlier = f"{counted_as or what} {seen[n] + 1}"
            out.append(Violation((*at, i), f"duplicate {what} {quote(item)} (same as {earlier})"))
        else:
            seen[n] = i
    return out


def too_many(count: int, at: str, what: str) -> list[Violation]:
    """More than :data:`MAX_OPTIONS` options, at the first one too many."""
    if count <= MAX_OPTIONS:
        return []
    message = (
        f"a question has at most {MAX_OPTIONS} {what} (lettered a to z); "
        f"this is number {MAX_OPTIONS + 1}: split the question"
    )
    return [Violation((at, MAX_OPTIONS), message)]


def choices(texts: Sequence[str]) -> list[Violation]:
    """At least two choices and at most 26, none repeated."""
    if len(texts) < MIN_CHOICES:
        return [Violation(("choices",), f"a question needs at least {MIN_CHOICES} choices")]
    return too_many(len(texts), "choices", "choices") or unique(texts, ("choices",), "choice")


def choice_index(answer: str, texts: Sequence[str]) -> int | Violation:
    """The index of the choice whose text is ``answer`` (at: the answer itself)."""
    for i, text in enumerate(texts):
        if text == answer:
            return i
    hint = did_you_mean(answer, texts)
    return Violation((), f"answer {quote(answer)} is not one of the choices{hint}")


def some_answers(answers: Sequence[object]) -> list[Violation]:
    """A multi question has at least one key."""
    if not answers:
        return [Violation(("answer",), "a multi answer needs at least one choice")]
    return []


def listed_twice(answer: str, index: int, earlier: Sequence[int]) -> Violation | None:
    """A multi answer naming a choice it already named."""
    return Violation((), f"answer {quote(answer)} is listed twice") if index in earlier else None


def accepted(answers: Sequence[str]) -> list[Violation]:
    if not answers:
        return [Violation(("accept",), "'accept' needs at least one accepted answer")]
    return []


def in_range(key: str, value: float) -> list[Violation]:
    """A number a bank gives (``answer``, ``tolerance``) is finite and at most 1e15 in size."""
    if -MAX_NUMBER <= value <= MAX_NUMBER:  # False for NaN
        return []
    message = f"'{key}' must lie between -1e15 and 1e15, not {number_text(value)}"
    return [Violation((key,), message)]


def number_text(value: float) -> str:
    """A number for a message; a huge whole one by its length, not its 400 digits."""
    if isinstance(value, int) and not -(10**20) < value < 10**20:
        digits = len(str(abs(value))) if value.bit_length() < 13_000 else "thousands of"
        return f"a number of {digits} digits"
    return format_number(value) if math.isfinite(value) else repr(value)


def tolerance(value: float) -> list[Violation]:
    if value < 0:
        message = f"'tolerance' must be 0 or more, not {format_number(value)}"
        return [Violation(("tolerance",), message)]
    return []


def revision(value: int) -> list[Violation]:
    """A revision is a whole number from 1 to :data:`MAX_REVISION`."""
    if 1 <= value <= MAX_REVISION:
        return []
    message = (
        f"'revision' must be a whole number from 1 to {MAX_REVISION}, not {number_text(value)}"
    )
    return [Violation(("revision",), message)]


def cloze(text: str) -> tuple[ClozeDeletion, ...] | Violation:
    """The deletions of a well-formed cloze text, or the first thing wrong with it."""
    here: Where = ("text",)
    unbalanced = _unbalanced_braces(text)
    if unbalanced is not None:
        return Violation(
            here,
            f"malformed cloze: {unbalanced} (write deletions as "
            "{{c1::answer}} or {{c1::answer::hint}})",
        )
    if "{{" in CLOZE_RE.sub("", text):
        return Violation(
            here,
            "malformed cloze: a deletion must start with '{{c' and a number, "
            "then '::' (e.g. {{c1::answer}})",
        )
    for found in CLOZE_RE.finditer(text):
        digits = found.group(1).lstrip("0")
        if len(digits) > len(str(MAX_CLOZE_NUMBER)) or int(digits or "0") > MAX_CLOZE_NUMBER:
            number = digits if len(digits) <= 20 else f"{digits[:12]}..."
            return Violation(here, f"cloze numbers go from 1 to {MAX_CLOZE_NUMBER}, not c{number}")
    deletions = parse_cloze(text)
    if not deletions:
        return Violation(here, "cloze text has no deletion such as {{c1::answer}}")
    for d in deletions:
        if d.number < 1:
            return Violation(here, f"cloze numbers start at 1, not c{d.number}")
        if not d.answer.strip():
            return Violation(here, f"cloze deletion c{d.number} has an empty answer")
        if "{{" in d.answer or "::" in d.answer or (d.hint and "::" in d.hint):
            return Violation(
                here,
                f"malformed cloze deletion c{d.number}: "
                "deletions cannot nest or have more than one '::hint'",
            )
    return deletions


def _unbalanced_braces(text: str) -> str | None:
    """Which '{{' or '}}' of a cloze text has no partner, said so a writer can find it."""

    def unclosed(start: int) -> str:
        return f"the deletion starting {quote(text[start : start + 24])} is not closed with '}}}}'"

    opened_at: int | None = None
    for match in re.finditer(r"\{\{|\}\}", text):
        if match.group() == "{{":
            if opened_at is not None:
                return unclosed(opened_at)
            opened_at = match.start()
        elif opened_at is None:
            near = quote(text[max(0, match.start() - 20) : match.end()])
            return f"'}}}}' without an opening '{{{{' near {near}"
        else:
            opened_at = None
    return None if opened_at is None else unclosed(opened_at)


def order_items(items: Sequence[str]) -> list[Violation]:
    if len(items) < MIN_ITEMS:
        return [Violation(("items",), f"an order question needs at least {MIN_ITEMS} items")]
    return too_many(len(items), "items", "items") or unique(items, ("items",), "item")


def match_pairs(pairs: Sequence[tuple[str, str]]) -> list[Violation]:
    """At least two pairs and at most 26; no left side repeated, no right side repeated."""
    if len(pairs) < MIN_PAIRS:
        return [Violation(("pairs",), f"a match question needs at least {MIN_PAIRS} pairs")]
    out = too_many(len(pairs), "pairs", "pairs")
    if out:
        return out
    for side, what in ((0, "left side"), (1, "right side")):
        for v in unique([p[side] for p in pairs], ("pairs",), what, "pair"):
            out.append(Violation((*v.at, side), v.message))
    return out


def violations(question: AnyQuestion) -> list[Violation]:
    """Every rule a built question breaks (for questions made other than by the loader)."""
    return revision(question.revision) + _type_violations(question)


def _type_violations(question: AnyQuestion) -> list[Violation]:
    match question:
        case MCQ():
            texts = [c.text for c in question.choices]
            wrong = choices(texts)
            if not 0 <= question.answer < len(texts):
                wrong.append(Violation(("answer",), "the answer is not one of the choices"))
            return wrong
        case Multi():
            texts = [c.text for c in question.choices]
            wrong = choices(texts)
            keys = question.answer
            wrong += some_answers(keys)
            if any(not 0 <= i < len(texts) for i in keys) or len(set(keys)) != len(keys):
                wrong.append(Violation(("answer",), "each answer must be a different choice"))
            return wrong
        case Short():
            return accepted(question.accept)
        case Numeric():
            return (
                in_range("answer", question.answer)
                + in_range("tolerance", question.tolerance)
                + tolerance(question.tolerance)
            )
        case Cloze():
            found = cloze(question.text)
            return [found] if isinstance(found, Violation) else []
        case Order():
            return order_items(question.items)
        case Match():
            return match_pairs(question.pairs)
        case TrueFalse() | Flashcard():
            return []
        case _:
            assert_never(question)
