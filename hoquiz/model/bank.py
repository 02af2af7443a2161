"""Banks (one YAML file of questions), their sources and the cards they make."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hoquiz.model.questions import AnyQuestion, Question


@dataclass(frozen=True, slots=True)
class Source:
    """A reference document declared in ``sources.yaml``."""

    id: str
    title: str
    kind: str
    date: str | None = None
    sections: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Bank:
    """One YAML file of questions."""

    id: str
    title: str
    questions: tuple[AnyQuestion, ...]
    path: Path
    sources: dict[str, Source]
    deck: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    # From the folder's sources.yaml: mixed into Anki identities, so that two
    # authors' banks with the same id never collide (None for the bundled decks).
    namespace: str | None = None

    @property
    def deck_name(self) -> str:
        """The Anki deck path: ``deck`` if given, else the bank's title."""
        return self.deck or self.title

    def question(self, question_id: str) -> AnyQuestion | None:
        for q in self.questions:
            if q.id == question_id:
                return q
        return None


def card_key(bank_id: str, question_id: str, cloze_number: int | None = None) -> str:
    """The permanent key of one card: ``bank/question`` or ``bank/question#cN``."""
    key = f"{bank_id}/{question_id}"
    return key if cloze_number is None else f"{key}#c{cloze_number}"


def question_cards(bank: Bank, question: Question) -> list[tuple[str, int | None]]:
    """The cards a question makes: ``(card key, cloze number or None)``."""
    return [(card_key(bank.id, question.id, n), n) for n in question.card_numbers]
