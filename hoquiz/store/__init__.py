"""The progress database: card schedules and the review log, in SQLite."""

from hoquiz.store.database import BUSY_TIMEOUT_SECONDS, Store
from hoquiz.store.records import (
    MODES,
    Answer,
    BankCards,
    CardRef,
    CardSummary,
    LoggedReview,
    Recorded,
    StoredCard,
    StudyTotals,
    from_ms,
    to_ms,
)
from hoquiz.store.schema import APPLICATION_ID, SCHEMA_VERSION

__all__ = [
    "APPLICATION_ID",
    "BUSY_TIMEOUT_SECONDS",
    "MODES",
    "SCHEMA_VERSION",
    "Answer",
    "BankCards",
    "CardRef",
    "CardSummary",
    "LoggedReview",
    "Recorded",
    "Store",
    "StoredCard",
    "StudyTotals",
    "from_ms",
    "to_ms",
]
