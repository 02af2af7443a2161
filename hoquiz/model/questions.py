"""The question types: a closed set of frozen dataclasses with no I/O.

The loader builds them from YAML; the quiz, the linter and the exporters read
them. :data:`AnyQuestion` is the union of the nine types: code that treats the
types differently matches on it and ends with ``assert_never``, so a new type
makes the type checker name every place to extend. Facts about a type (its
YAML keys, the quiz's answer help, how many options it shows, which cards it
makes) are attributes of its class, here and nowhere else.

A question's identity is ``(bank id, question id)``; its wording is not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeAlias

from hoquiz.model.cloze import ClozeDeletion, render_cloze

# Per question type: its fields' names, in order, and a getter of their values (a tuple:
# every type has more than one field).
_FIELDS: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


def _fields_of(cls: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    found = _FIELDS.get(cls)
    if found is None:
        names = tuple(f.name for f in fields(cls))
        found = _FIELDS[cls] = (names, attrgetter(*names))
    return found


QuestionKind: TypeAlias = Literal[
    "mcq", "multi", "true_false", "short", "numeric", "cloze", "flashcard", "order", "match"
]
"""The ``type`` a bank gives a question; one per class of :data:`AnyQuestion`."""


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


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class Question:
    """Fields every question type shares; the class attributes are facts about the type.

    Attributes:
        type: the bank's name for the type.
        yaml_keys: the keys a bank must give this type (besides every
            question's); ``yaml_optional``: those it may give.
        answer_help: how to answer, as the quiz's ``?`` help says it (the quiz adds an
            example sized to the question for multi, order and match).
        lettered: answers are letters (or words) that a ``+``/``-`` mark may
            touch without a space (``b+``).
        self_graded: the learner reveals the answer and rates recall.
        order_is_answer: the written option order is the key, so a shuffle
            must never show it.
        stem_key: the YAML key of the text a learner reads first.
    """

    type: ClassVar[QuestionKind]
    yaml_keys: ClassVar[tuple[str, ...]]
    yaml_optional: ClassVar[tuple[str, ...]] = ()
    answer_help: ClassVar[str]
    lettered: ClassVar[bool] = False
    self_graded: ClassVar[bool] = False
    order_is_answer: ClassVar[bool] = False
    stem_key: ClassVar[str] = "prompt"

    id: str
    explanation: str
    source: SourceRef
    tags: tuple[str, ...] = ()
    image: Path | None = None
    revision: int = 1

    # Equality, hashing and repr are the ones dataclasses would write (every field, in
    # order), written once here: generated for each of the nine types they cost the
    # quiz's start about 4 ms.
    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        values = _fields_of(type(self))[1]
        return bool(values(self) == values(other))

    def __hash__(self) -> int:
        return hash(_fields_of(type(self))[1](self))

    def __repr__(self) -> str:
        names = _fields_of(type(self))[0]
        inside = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__qualname__}({inside})"

    @property
    def stem(self) -> str:
        """The text a learner reads first (prompt, cloze text or front)."""
        return str(getattr(self, self.stem_key))

    @property
    def option_count(self) -> int:
        """How many options are shown and shuffled (choices, items, right-hand sides)."""
        return 0

    @property
    def card_numbers(self) -> tuple[int | None, ...]:
        """The cards the question makes: a cloze deletion number each, else one ``None``."""
        return (None,)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class MCQ(Question):
    """Single best answer: ``answer`` is the index of the key in ``choices``."""

    type: ClassVar[Literal["mcq"]] = "mcq"
    yaml_keys = ("prompt", "choices", "answer")
    answer_help = "type the letter of the best answer (or its number)"
    lettered = True
    prompt: str
    choices: tuple[Choice, ...]
    answer: int

    @property
    def option_count(self) -> int:
        return len(self.choices)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class Multi(Question):
    """Select all that apply: ``answer`` holds the indexes of the keys, ascending."""

    type: ClassVar[Literal["multi"]] = "multi"
    yaml_keys = ("prompt", "choices", "answer")
    answer_help = "type every right letter, separated by spaces or commas"
    lettered = True
    prompt: str
    choices: tuple[Choice, ...]
    answer: tuple[int, ...]

    @property
    def option_count(self) -> int:
        return len(self.choices)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class TrueFalse(Question):
    """A statement to judge: ``answer`` is whether it is true."""

    type: ClassVar[Literal["true_false"]] = "true_false"
    yaml_keys = ("prompt", "answer")
    answer_help = "type t or f (true/false, y/n also work)"
    lettered = True
    prompt: str
    answer: bool


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class Short(Question):
    """Free text, matched against ``accept`` (leniently unless ``exact_match``)."""

    type: ClassVar[Literal["short"]] = "short"
    yaml_keys = ("prompt", "accept")
    yaml_optional = ("match",)
    answer_help = "type the answer in words; case, accents and punctuation do not matter"
    prompt: str
    accept: tuple[str, ...]
    exact_match: bool = False


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class Numeric(Question):
    """A number, right within ``tolerance`` (absolute), in ``unit`` if one is given."""

    type: ClassVar[Literal["numeric"]] = "numeric"
    yaml_keys = ("prompt", "answer")
    yaml_optional = ("tolerance", "unit")
    answer_help = "type a number; the unit is optional"
    prompt: str
    answer: float
    tolerance: float = 0.0
    unit: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class Cloze(Question):
    """Anki cloze text; each distinct deletion number is a card of its own."""

    type: ClassVar[Literal["cloze"]] = "cloze"
    yaml_keys = ("text",)
    yaml_optional = ("match",)
    stem_key = "text"
    answer_help = "type the text hidden by [...]"
    text: str
    deletions: tuple[ClozeDeletion, ...] = field(default=())
    exact_match: bool = False

    @property
    def stem(self) -> str:
        return render_cloze(self, None, reveal=True)

    @property
    def numbers(self) -> tuple[int, ...]:
        """The distinct deletion numbers, ascending: one card each."""
        return tuple(sorted({d.number for d in self.deletions}))

    @property
    def card_numbers(self) -> tuple[int | None, ...]:
        return self.numbers


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class Flashcard(Question):
    """Self-graded: the learner reveals ``back`` and rates recall."""

    type: ClassVar[Literal["flashcard"]] = "flashcard"
    yaml_keys = ("front", "back")
    stem_key = "front"
    answer_help = "press Enter to see the answer, then rate your recall 1-4"
    self_graded = True
    front: str
    back: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class Order(Question):
    """``items`` are listed in the correct order."""

    type: ClassVar[Literal["order"]] = "order"
    yaml_keys = ("prompt", "items")
    answer_help = "type all the letters in the right order, first to last"
    lettered = True
    order_is_answer = True
    prompt: str
    items: tuple[str, ...]

    @property
    def option_count(self) -> int:
        return len(self.items)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class Match(Question):
    """``pairs`` of (left, right); lefts unique, rights unique."""

    type: ClassVar[Literal["match"]] = "match"
    yaml_keys = ("prompt", "pairs")
    answer_help = "pair each number with a letter"
    lettered = True
    order_is_answer = True
    prompt: str
    pairs: tuple[tuple[str, str], ...]

    @property
    def option_count(self) -> int:
        return len(self.pairs)


AnyQuestion: TypeAlias = (
    MCQ | Multi | TrueFalse | Short | Numeric | Cloze | Flashcard | Order | Match
)
"""Every question is one of these: match on it, ending with ``case _: assert_never(q)``."""

QUESTION_CLASSES: tuple[type[AnyQuestion], ...] = (
    MCQ,
    Multi,
    TrueFalse,
    Short,
    Numeric,
    Cloze,
    Flashcard,
    Order,
    Match,
)
QUESTION_TYPES: tuple[QuestionKind, ...] = tuple(cls.type for cls in QUESTION_CLASSES)
CLASS_OF_TYPE: dict[str, type[AnyQuestion]] = {cls.type: cls for cls in QUESTION_CLASSES}
