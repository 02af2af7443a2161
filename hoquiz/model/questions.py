"""The question types: frozen dataclasses with no I/O.

The loader builds them from YAML; the quiz, the linter and the Anki exporter
read them. A question's identity is ``(bank id, question id)``; its wording is
not (see ``Question.key``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from hoquiz.model.cloze import ClozeDeletion, render_cloze

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
