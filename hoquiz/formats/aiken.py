"""Moodle's Aiken format: single-best-answer questions only, one line each.

::

    Which study is the usual first choice?
    A. Plain radiography
    B. MRI
    ANSWER: A

Aiken holds no feedback, explanation or other question type; a line break
inside a text becomes a space (:func:`escape`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

from hoquiz.errors import Problem
from hoquiz.formats.base import Exported, Imported, Skipped
from hoquiz.formats.common import IdMaker
from hoquiz.model import MCQ, Bank, card_key
from hoquiz.render import LETTERS, fixed_order
from hoquiz.text import control_safe

_LETTERS = LETTERS.upper()


def escape(text: str) -> str:
    """Bank text on one Aiken line: line breaks and runs of spaces become one space,
    control characters are shown visibly."""
    return " ".join(control_safe(text).split())


class AikenExporter:
    """Banks -> one Aiken file (mcq questions only), choices in Anki's fixed shuffle."""

    name: ClassVar[str] = "aiken"
    suffix: ClassVar[str] = ".txt"

    def export(self, banks: Sequence[Bank]) -> Exported:
        blocks: list[str] = []
        skipped: list[Skipped] = []
        for bank in banks:
            for q in bank.questions:
                if not isinstance(q, MCQ):
                    reason = f"{q.type} questions have no Aiken form (mcq only); skipped"
                    skipped.append(Skipped(bank.id, q.id, reason))
                    continue
                # Banks often list the key first: write the fixed shuffle Anki uses.
                order = fixed_order(q, card_key(bank.id, q.id))
                lines = [escape(q.prompt)]
                lines += [
                    f"{_LETTERS[n]}. {escape(q.choices[i].text)}" for n, i in enumerate(order)
                ]
                lines.append(f"ANSWER: {_LETTERS[order.index(q.answer)]}")
                blocks.append("\n".join(lines))
        data = "\n\n".join(blocks) + "\n" if blocks else ""
        return Exported(data.encode("utf-8"), len(blocks), tuple(skipped))


_CHOICE_RE = re.compile(r"([A-Z])[.)]\s+(\S.*)")
_ANSWER_RE = re.compile(r"ANSWER:\s*(\S*)\s*")


class AikenImporter:
    """An Aiken file -> plain bank data of mcq questions."""

    name: ClassVar[str] = "aiken"
    suffixes: ClassVar[tuple[str, ...]] = (".aiken", ".txt")

    def parse(self, text: str, path: str) -> Imported:
        ids = IdMaker()
        questions: list[dict[str, Any]] = []
        problems: list[Problem] = []
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        block: list[tuple[int, str]] = []
        for number, line in enumerate([*lines, ""], start=1):
            if line.strip():
                block.append((number, line))
                continue
            if block:
                question = _question(block, path, problems)
                if question is not None:
                    questions.append({"id": ids.make(question["prompt"]), **question})
                block = []
        return Imported({"questions": questions}, tuple(problems))


def _question(
    block: list[tuple[int, str]], path: str, problems: list[Problem]
) -> dict[str, Any] | None:
    prompt: list[str] = []
    choices: list[tuple[str, str]] = []
    answer: tuple[int, str] | None = None
    for number, line in block:
        stripped = line.strip()
        choice = _CHOICE_RE.fullmatch(stripped)
        answer_line = _ANSWER_RE.fullmatch(stripped)
        if answer_line:
            answer = (number, answer_line.group(1))
        elif answer is not None:
            problems.append(Problem(path, number, 1, "text after the ANSWER: line"))
            return None
        elif choice and (choices or prompt):
            choices.append((choice.group(1), choice.group(2).strip()))
        elif choices:
            problems.append(
                Problem(path, number, 1, "expected a choice line like 'B. text' or 'ANSWER: B'")
            )
            return None
        else:
            prompt.append(stripped)
    first = block[0][0]
    if answer is None:
        problems.append(Problem(path, first, 1, "question has no 'ANSWER: <letter>' line"))
        return None
    if len(choices) < 2:
        problems.append(
            Problem(path, first, 1, "question needs at least 2 choices (A. ..., B. ...)")
        )
        return None
    letters = [letter for letter, _ in choices]
    if answer[1] not in letters:
        problems.append(
            Problem(
                path,
                answer[0],
                9,
                f"answer {answer[1]!r} is not one of the choice letters {', '.join(letters)}",
            )
        )
        return None
    texts = [t for _, t in choices]
    if len(set(texts)) < len(texts):
        problems.append(Problem(path, first, 1, "a choice is listed twice"))
        return None
    return {
        "type": "mcq",
        "prompt": " ".join(prompt),
        "choices": texts,
        "answer": texts[letters.index(answer[1])],
    }
