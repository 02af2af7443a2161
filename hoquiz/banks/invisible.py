"""Invisible characters in bank text: refused where they fool a learner, listed for lint.

A prompt or option made only of zero-width or bidi characters looks empty;
two options that differ only by them look the same. The validator refuses
both (:func:`check_bank_data`, on a bank's plain data, before it becomes a
:class:`~hoquiz.model.Bank`); ``hoquiz lint`` warns about every such
character (:func:`bank_texts` lists the text it looks at). Which characters
count is :data:`hoquiz.text.INVISIBLE`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, assert_never

from hoquiz.banks.checks import Checker
from hoquiz.banks.yamlio import DataPath
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
    Short,
    TrueFalse,
)
from hoquiz.model.invariants import Violation
from hoquiz.model.invariants import cloze as cloze_deletions
from hoquiz.text import (
    control_characters,
    describe_character,
    invisible_characters,
    is_bidi_control,
    normalize,
    quote,
    without_invisible,
)

# Keys whose values are not text shown to a learner, or are checked as such elsewhere:
# ids are slugs, `answer` names a choice (or is a number or boolean).
_NOT_SHOWN = frozenset({"id", "type", "answer", "match", "image", "revision", "tolerance"})
_SIDES = ("left", "right")
_LISTED = 3


def describe_all(
    text: str, find: Callable[[str], list[tuple[int, str]]] = invisible_characters
) -> str:
    """The distinct invisible characters (or others ``find`` finds) of ``text``.

    ``"U+200B ZERO WIDTH SPACE"``; at most three are named, then how many
    more: ``"..., U+2060 WORD JOINER and 2 more"``.
    """
    distinct = list(dict.fromkeys(char for _, char in find(text)))
    named = [describe_character(char) for char in distinct[:_LISTED]]
    if len(distinct) > _LISTED:
        return f"{', '.join(named)} and {len(distinct) - _LISTED} more"
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def label(where: DataPath) -> str:
    """What a data path inside a bank names, as a message says it: ``"choice 2"``."""
    inner = where[2:] if where[:1] == ("questions",) else where
    match inner:
        case ("choices", int(j), "feedback"):
            return f"the feedback of choice {j + 1}"
        case ("choices", int(j), *_):
            return f"choice {j + 1}"
        case ("items", int(j)):
            return f"item {j + 1}"
        case ("pairs", int(j), int(side)) if side in (0, 1):
            return f"the {_SIDES[side]} side of pair {j + 1}"
        case ("accept", int(j)):
            return f"accepted answer {j + 1}"
        case ("tags", int(j)):
            return f"tag {j + 1}"
        case ("source", str(key)):
            return f"the source's '{key}'"
        case ("text",) if where[:1] == ("questions",):
            return "the cloze text"
        case _:
            named = [step for step in inner if isinstance(step, str)]
            return f"'{named[-1]}'" if named else "the text"


# -- the validator's checks ---------------------------------------------------


def may_hold_invisible(text: str) -> bool:
    """Whether a file's text can give a string an invisible character at all.

    ASCII text without a backslash cannot: every such character is outside
    ASCII, and a YAML escape (``"\\u200b"``) needs a backslash. Most banks
    are such text, and skip :func:`check_bank_data`'s walk.
    """
    return not text.isascii() or "\\" in text


def check_bank_data(checker: Checker, data: dict[Any, Any]) -> None:
    """Record every text of a bank's plain data that looks empty or repeats another.

    Only what the other checks let through is looked at: text that is not
    blank until its invisible characters are removed, and options that are
    not duplicates until then.
    """
    for key in ("title", "description", "deck"):
        _blank(checker, (key,), data.get(key))
    _texts(checker, ("tags",), data.get("tags"))
    questions = data.get("questions")
    for i, question in enumerate(questions if isinstance(questions, list) else []):
        if isinstance(question, dict):
            _question(checker, ("questions", i), question)


def _question(checker: Checker, path: DataPath, data: dict[Any, Any]) -> None:
    for key, value in data.items():
        if key in _NOT_SHOWN:
            continue
        if key == "choices" and isinstance(value, list):
            for j, choice in enumerate(value):
                if isinstance(choice, dict):
                    _blank(checker, (*path, key, j, "text"), choice.get("text"))
                    _blank(checker, (*path, key, j, "feedback"), choice.get("feedback"))
                else:
                    _blank(checker, (*path, key, j), choice)
            texts = [
                ((*path, key, j, "text"), c.get("text"))
                if isinstance(c, dict)
                else ((*path, key, j), c)
                for j, c in enumerate(value)
            ]
            _look_alike(checker, texts, "choice", "choice")
        elif key == "pairs" and isinstance(value, list):
            for j, pair in enumerate(value):
                if isinstance(pair, list):
                    _texts(checker, (*path, key, j), pair)
            for side in (0, 1):
                sides = [
                    (
                        (*path, key, j, side),
                        p[side] if isinstance(p, list) and len(p) == 2 else None,
                    )
                    for j, p in enumerate(value)
                ]
                _look_alike(checker, sides, f"{_SIDES[side]} side", "pair")
        elif key == "source" and isinstance(value, dict):
            for part in ("doc", "section"):
                _blank(checker, (*path, key, part), value.get(part))
        elif isinstance(value, list):
            _texts(checker, (*path, key), value)
            if key == "items":
                items = [((*path, key, j), item) for j, item in enumerate(value)]
                _look_alike(checker, items, "item", "item")
        else:
            _blank(checker, (*path, key), value)
            if key == "text" and data.get("type") == "cloze" and isinstance(value, str):
                _cloze_answers(checker, (*path, key), value)


def _texts(checker: Checker, path: DataPath, values: Any) -> None:
    for j, value in enumerate(values if isinstance(values, list) else []):
        _blank(checker, (*path, j), value)


def _looks_blank(value: Any) -> bool:
    """Text that is not blank, but is once its invisible characters are removed."""
    return isinstance(value, str) and bool(value.strip()) and not without_invisible(value).strip()


def _blank(checker: Checker, path: DataPath, value: Any) -> None:
    if _looks_blank(value):
        checker.error(
            path,
            f"{label(path)} must not be empty: it holds only invisible characters "
            f"({describe_all(value)})",
        )


def _cloze_answers(checker: Checker, path: DataPath, text: str) -> None:
    deletions = cloze_deletions(text)
    if isinstance(deletions, Violation):
        return  # malformed: the domain rules report it
    for deletion in deletions:
        if _looks_blank(deletion.answer):
            checker.error(
                path,
                f"cloze deletion c{deletion.number} has an empty answer: it holds only "
                f"invisible characters ({describe_all(deletion.answer)})",
            )


def _look_alike(
    checker: Checker, options: Sequence[tuple[DataPath, Any]], what: str, counted_as: str
) -> None:
    """Options equal once invisible characters are removed, but not before (at the later one)."""
    seen: dict[str, tuple[int, str]] = {}
    for j, (path, value) in enumerate(options):
        if not isinstance(value, str) or _looks_blank(value):
            continue
        seen_as = normalize(without_invisible(value))
        earlier = seen.get(seen_as)
        if earlier is None:
            seen[seen_as] = (j, value)
            continue
        index, text = earlier
        if normalize(text) == normalize(value):
            continue  # a plain duplicate, reported by the domain rules
        checker.error(
            path,
            f"duplicate {what} {quote(value)} (same as {counted_as} {index + 1} but for "
            f"invisible characters: {describe_all(value + text)})",
        )


# -- what lint looks at ---------------------------------------------------------


def bank_texts(bank: Bank) -> Iterator[tuple[DataPath, str]]:
    """Every text of a bank a learner reads, with where its file writes it."""
    for key, value in (("title", bank.title), ("description", bank.description)):
        if value:
            yield (key,), value
    if bank.deck:
        yield ("deck",), bank.deck
    for j, tag in enumerate(bank.tags):
        yield ("tags", j), tag
    for i, question in enumerate(bank.questions):
        for where, text in _question_texts(question):
            yield ("questions", i, *where), text


def _question_texts(q: AnyQuestion) -> Iterator[tuple[DataPath, str]]:
    match q:
        case MCQ() | Multi():
            yield ("prompt",), q.prompt
            for j, choice in enumerate(q.choices):
                yield ("choices", j, "text"), choice.text
                if choice.feedback:
                    yield ("choices", j, "feedback"), choice.feedback
        case TrueFalse():
            yield ("prompt",), q.prompt
        case Short():
            yield ("prompt",), q.prompt
            for j, answer in enumerate(q.accept):
                yield ("accept", j), answer
        case Numeric():
            yield ("prompt",), q.prompt
            if q.unit:
                yield ("unit",), q.unit
        case Cloze():
            yield ("text",), q.text
        case Flashcard():
            yield ("front",), q.front
            yield ("back",), q.back
        case Order():
            yield ("prompt",), q.prompt
            for j, item in enumerate(q.items):
                yield ("items", j), item
        case Match():
            yield ("prompt",), q.prompt
            for j, pair in enumerate(q.pairs):
                yield ("pairs", j, 0), pair[0]
                yield ("pairs", j, 1), pair[1]
        case _:
            assert_never(q)
    yield ("explanation",), q.explanation
    yield ("source", "section"), q.source.section
    for j, tag in enumerate(q.tags):
        yield ("tags", j), tag


def lint_message(where: DataPath, text: str) -> str:
    """The lint warning for the invisible characters of ``text`` at ``where``."""
    found = {char for _, char in invisible_characters(text)}
    one = len(found) == 1
    if any(is_bidi_control(char) for char in found):
        why = "it reorders" if one else "they hide or reorder"
        why += " the text a learner sees"
    else:
        why = f"a learner cannot see {'it' if one else 'them'}"
    return f"{label(where)} holds {describe_all(text)}: {why}; delete {'it' if one else 'them'}"


def control_message(where: DataPath, text: str) -> str:
    """The lint warning for the control characters of ``text`` at ``where``."""
    one = len({char for _, char in control_characters(text)}) == 1
    what = "a control character" if one else "control characters"
    return (
        f"{label(where)} holds {describe_all(text, control_characters)}, {what}: "
        f"{'it shows' if one else 'they show'} as escapes such as \\x1b, or not at all; "
        f"delete {'it' if one else 'them'}"
    )
