"""The domain model: banks, questions and their sources. No I/O.

A question's identity is ``(bank id, question id)``; its wording is not.
"""

from hoquiz.model.bank import Bank, Source, card_key, question_cards
from hoquiz.model.cloze import CLOZE_RE, ClozeDeletion, parse_cloze, render_cloze
from hoquiz.model.questions import (
    CLASS_OF_TYPE,
    MCQ,
    QUESTION_CLASSES,
    QUESTION_TYPES,
    AnyQuestion,
    Choice,
    Cloze,
    Flashcard,
    Match,
    Multi,
    Numeric,
    Order,
    Question,
    QuestionKind,
    Short,
    SourceRef,
    TrueFalse,
)

__all__ = [
    "CLASS_OF_TYPE",
    "CLOZE_RE",
    "MCQ",
    "QUESTION_CLASSES",
    "QUESTION_TYPES",
    "AnyQuestion",
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
    "QuestionKind",
    "Short",
    "Source",
    "SourceRef",
    "TrueFalse",
    "card_key",
    "parse_cloze",
    "question_cards",
    "render_cloze",
]
