"""The domain model: banks, questions and their sources.

Frozen dataclasses with no I/O. The loader builds them from YAML; the quiz,
the linter and the Anki exporter read them. A question's identity is
``(bank id, question id)``; its wording is not (see ``Question.key``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

QUESTION_TYPES = (
    "mcq",
    "multi",
    "true_false",
    "short",
    "numeric",
    "cloze",
    "flashcard",
    "order",
    "match",
)


@dataclass(frozen=True, slots=True)
class Source:
    """A reference document declared in ``sources.yaml``."""

    id: str
    title: str
    kind: str
    date: str | None = None
    sections: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a question's fact comes from: a document id and a section heading."""

    doc: str
    section: str


@dataclass(frozen=True, slots=True)
class Choice:
    """An option of an ``mcq`` or ``multi`` question, with optional feedback."""

    text: str
    feedback: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Question:
    """Fields every question type shares."""

    type: ClassVar[str] = ""

    id: str
    explanation: str
    source: SourceRef
    tags: tuple[str, ...] = ()
    image: Path | None = None
    revision: int = 1

    @property
    def stem(self) -> str:
        """The text a learner reads first (prompt, cloze text or front)."""
        return str(getattr(self, "prompt", ""))


@dataclass(frozen=True, slots=True, kw_only=True)
class MCQ(Question):
    """Single best answer: ``answer`` is the index of the key in ``choices``."""

    type: ClassVar[str] = "mcq"
    prompt: str
    choices: tuple[Choice, ...]
    answer: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Multi(Question):
    """Select all that apply: ``answer`` holds the indexes of the keys, ascending."""

    type: ClassVar[str] = "multi"
    prompt: str
    choices: tuple[Choice, ...]
    answer: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TrueFalse(Question):
    type: ClassVar[str] = "true_false"
    prompt: str
    answer: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Short(Question):
    """Free text, matched against ``accept`` after normalisation."""

    type: ClassVar[str] = "short"
    prompt: str
    accept: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Numeric(Question):
    type: ClassVar[str] = "numeric"
    prompt: str
    answer: float
    tolerance: float = 0.0
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class ClozeDeletion:
    """One ``{{cN::answer::hint}}`` deletion of a cloze text."""

    number: int
    answer: str
    hint: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Cloze(Question):
    """Anki cloze text; each distinct deletion number is a card of its own."""

    type: ClassVar[str] = "cloze"
    text: str
    deletions: tuple[ClozeDeletion, ...] = field(default=())

    @property
    def stem(self) -> str:
        return render_cloze(self, None, reveal=True)

    @property
    def numbers(self) -> tuple[int, ...]:
        """The distinct deletion numbers, ascending: one card each."""
        return tuple(sorted({d.number for d in self.deletions}))


@dataclass(frozen=True, slots=True, kw_only=True)
class Flashcard(Question):
    """Self-graded: the learner reveals ``back`` and rates recall."""

    type: ClassVar[str] = "flashcard"
    front: str
    back: str

    @property
    def stem(self) -> str:
        return self.front


@dataclass(frozen=True, slots=True, kw_only=True)
class Order(Question):
    """``items`` are listed in the correct order."""

    type: ClassVar[str] = "order"
    prompt: str
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Match(Question):
    """``pairs`` of (left, right); lefts unique, rights unique."""

    type: ClassVar[str] = "match"
    prompt: str
    pairs: tuple[tuple[str, str], ...]


QUESTION_CLASSES: dict[str, type[Question]] = {
    cls.type: cls for cls in (MCQ, Multi, TrueFalse, Short, Numeric, Cloze, Flashcard, Order, Match)
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Bank:
    """One YAML file of questions."""

    id: str
    title: str
    questions: tuple[Question, ...]
    path: Path
    sources: dict[str, Source]
    deck: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def deck_name(self) -> str:
        """The Anki deck path: ``deck`` if given, else under "Heterotopic Ossification"."""
        return self.deck or f"Heterotopic Ossification::{self.title}"

    def question(self, question_id: str) -> Question | None:
        for q in self.questions:
            if q.id == question_id:
                return q
        return None


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


def card_key(bank_id: str, question_id: str, cloze_number: int | None = None) -> str:
    """The permanent key of one card: ``bank/question`` or ``bank/question#cN``."""
    key = f"{bank_id}/{question_id}"
    return key if cloze_number is None else f"{key}#c{cloze_number}"


def question_cards(bank: Bank, question: Question) -> list[tuple[str, int | None]]:
    """The cards a question makes: ``(card key, cloze number or None)``."""
    if isinstance(question, Cloze):
        return [(card_key(bank.id, question.id, n), n) for n in question.numbers]
    return [(card_key(bank.id, question.id), None)]
