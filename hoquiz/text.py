"""Text normalisation shared by grading, validation and linting."""

from __future__ import annotations

import string
import unicodedata

# Signs that carry meaning in answers ("<1 cm", "93%") survive normalisation.
_KEPT_SIGNS = "%<>=+"
# Text an importer fills in where the imported file had nothing (hoquiz import);
# `hoquiz lint` lists every field that still starts with it.
PLACEHOLDER_MARK = "TODO(import)"

_ASCII_FOLD = str.maketrans({c: " " for c in string.punctuation if c not in _KEPT_SIGNS})


def normalize(text: str) -> str:
    """Fold case, accents, punctuation and runs of whitespace.

    ``"  Fibrodysplasia  Ossificans-Progressiva! "`` and
    ``"fibrodysplasia ossificans progressiva"`` normalise alike.
    """
    if text.isascii():  # the common case, without a per-character loop
        return " ".join(text.lower().translate(_ASCII_FOLD).split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        category = unicodedata.category(char)
        kept.append(" " if category[0] in "PSZ" and char not in _KEPT_SIGNS else char)
    return " ".join("".join(kept).split())


def plural(count: int, noun: str) -> str:
    """``"1 bank"``, ``"3 banks"``: a count with its noun."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
