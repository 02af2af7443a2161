"""Anki's cloze syntax: parsing deletions and showing a cloze text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hoquiz.model.questions import Cloze


@dataclass(frozen=True, slots=True)
class ClozeDeletion:
    """One ``{{cN::answer::hint}}`` deletion of a cloze text."""

    number: int
    answer: str
    hint: str | None
    start: int
    end: int


# Anki's cloze syntax: {{c1::answer}} or {{c1::answer::hint}}.
CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


def parse_cloze(text: str) -> tuple[ClozeDeletion, ...]:
    """The deletions of a cloze text, in text order (no validation)."""
    return tuple(
        ClozeDeletion(int(m.group(1)), m.group(2), m.group(3), m.start(), m.end())
        for m in CLOZE_RE.finditer(text)
    )


def render_cloze(
    question: Cloze, active: int | None, *, reveal: bool = False, blank: str = "[...]"
) -> str:
    """The cloze text as a learner sees it.

    Deletions numbered ``active`` are shown as their hint in brackets (or
    ``blank``) unless ``reveal``; every other deletion shows its answer.
    """
    out: list[str] = []
    pos = 0
    for d in question.deletions:
        out.append(question.text[pos : d.start])
        if d.number == active and not reveal:
            out.append(f"[{d.hint}]" if d.hint else blank)
        else:
            out.append(d.answer)
        pos = d.end
    out.append(question.text[pos:])
    return "".join(out)
