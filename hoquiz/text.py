"""Text helpers shared by grading, validation, linting and the CLI."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable

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


def format_number(value: float) -> str:
    """``93.0`` as ``93``; other numbers (and whole ones from 1e15) as Python writes them."""
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the option closest to ``word``, or ``""``."""
    import difflib

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {quote(close[0])}?)" if close else ""


def quote(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message, cut to ``limit`` characters: ``'femur'``."""
    return repr(text) if len(text) <= limit else repr(text[: limit - 3] + "...")


def words_keep_case(text: str) -> list[str]:
    """The words :func:`normalize` would give, in their written case.

    ``"ACVR1-related FOP"`` gives ``["ACVR1", "related", "FOP"]``: the matcher
    tells codes written in capitals from ordinary words this way.
    """
    text = text.replace("\u00df", "ss")
    if text.isascii():
        return text.translate(_ASCII_FOLD).split()
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category[0] == "M":
            continue
        kept.append(" " if category[0] in "PSZ" and char not in _KEPT_SIGNS else char)
    return "".join(kept).split()


# C0 controls but tab and newline, DEL, C1 controls (0x9b alone starts a CSI on
# many terminals) and lone surrogates (undecodable bytes kept by surrogateescape).
_UNSAFE_FOR_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on shown visibly (ESC as ``\\x1b``).

    Bank text, file names and database values pass through here before they
    are printed, so a bank cannot retitle, clear or otherwise drive the
    learner's terminal (OSC, CSI, clipboard and hyperlink sequences all start
    with such a character). Tabs and newlines are kept.
    """
    return _UNSAFE_FOR_TERMINAL.sub(_visible, text)
