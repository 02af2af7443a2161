"""The progress database: card schedules and the review log, in SQLite.

Its names load with their module when first used: the quiz starts reading
the database (:mod:`hoquiz.store.opening`, which loads little) before the
rest of the store is loaded.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hoquiz.store.database import Store
    from hoquiz.store.opening import BUSY_TIMEOUT_SECONDS
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
    )
    from hoquiz.store.schema import APPLICATION_ID, SCHEMA_VERSION
    from hoquiz.store.times import from_ms, to_ms

# Each name, and the module that defines it.
_MODULES = {
    "Store": "database",
    "BUSY_TIMEOUT_SECONDS": "opening",
    **dict.fromkeys(
        (
            "MODES",
            "Answer",
            "BankCards",
            "CardRef",
            "CardSummary",
            "LoggedReview",
            "Recorded",
            "StoredCard",
            "StudyTotals",
        ),
        "records",
    ),
    "APPLICATION_ID": "schema",
    "SCHEMA_VERSION": "schema",
    "from_ms": "times",
    "to_ms": "times",
}

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


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"hoquiz.store.{module}"), name)
    globals()[name] = value
    return value
