"""Text normalisation shared by grading, validation and linting."""

from __future__ import annotations

import unicodedata


def normalize(text: str) -> str:
    """Fold case, accents, punctuation and runs of whitespace.

    ``"  Fibrodysplasia  Ossificans-Progressiva! "`` and
    ``"fibrodysplasia ossificans progressiva"`` normalise alike.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        category = unicodedata.category(char)
        kept.append(" " if category[0] in "PSZ" and char not in "%<>=+" else char)
    return " ".join("".join(kept).split())
