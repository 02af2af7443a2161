"""The domain model: banks, questions and their sources. No I/O.

A question's identity is ``(bank id, question id)``; its wording is not.
"""

from hoquiz.model.bank import Bank, Source, card_key, question_cards
from hoquiz.model.cloze import CLOZE_RE, ClozeDeletion, parse_cloze, render_cloze
from hoquiz.model.questions import (
    MCQ,
    QUESTION_CLASSES,
    QUESTION_TYPES,
    Choice,
    Cloze,
    Flashcard,
    Match,
    Multi,
    Numeric,
    Order,
    Question,
    Short,
    SourceRef,
    TrueFalse,
)

__all__ = [
    "CLOZE_RE",
    "MCQ",
    "QUESTION_CLASSES",
    "QUESTION_TYPES",
    "Bank",
    "Choice",
    "Cloze",
    "ClozeDeletion",
    "Flashcard",
    "Match",
    "Multi",
    "Numeric",
    "Order",
    "Question",
    "Short",
    "Source",
    "SourceRef",
    "TrueFalse",
    "card_key",
    "parse_cloze",
    "question_cards",
    "render_cloze",
]
