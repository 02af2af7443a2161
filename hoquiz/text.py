"""Text helpers shared by grading, validation, linting and the CLI."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

# Signs that carry meaning in answers ("<1 cm", "93%") survive normalisation.
_KEPT_SIGNS = "%<>=+"
# Text an importer fills in where the imported file had nothing (hoquiz import);
# `hoquiz lint` lists every field that still starts with it.
PLACEHOLDER_MARK = "TODO(import)"

# ASCII punctuation (string.punctuation, written out: the string module compiles a
# pattern on import, which every start would pay for).
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_ASCII_FOLD = str.maketrans({c: " " for c in _PUNCTUATION if c not in _KEPT_SIGNS})


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


# Characters that change how the text around them is ordered on screen
# ("Trojan source" reordering): embeddings, overrides, isolates and marks.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Characters a reader cannot see: Unicode's default-ignorable code points
# (zero-width space and joiners, the soft hyphen, the byte order mark, bidi
# controls, variation selectors, Hangul fillers, tag characters). Text can
# hide in them, two options can look the same, a typed answer fails to match.
INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)


# The patterns below are compiled when first used: each takes about half a millisecond
# (ranges beyond Latin-1 make a large character set), which a start that never
# uses one should not pay.
@cache
def _invisible_re() -> re.Pattern[str]:
    return re.compile(f"[{INVISIBLE}]")


@cache
def _bidi_re() -> re.Pattern[str]:
    return re.compile(f"[{BIDI_CONTROLS}]")


def invisible_characters(text: str) -> list[tuple[int, str]]:
    """Each invisible character of ``text`` (see :data:`INVISIBLE`) with its index."""
    if text.isascii():
        return []
    return [(m.start(), m.group()) for m in _invisible_re().finditer(text)]


def without_invisible(text: str) -> str:
    """``text`` with its invisible characters removed: what a reader sees."""
    return text if text.isascii() else _invisible_re().sub("", text)


def is_bidi_control(char: str) -> bool:
    """Whether ``char`` reorders the text around it (an embedding, override, isolate or mark)."""
    return _bidi_re().fullmatch(char) is not None


def describe_character(char: str) -> str:
    """``"U+202E RIGHT-TO-LEFT OVERRIDE"``: a character's code point and Unicode name."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}"


# C0 controls but tab and newline, DEL and the C1 controls (0x9b alone starts a
# CSI on many terminals): characters a terminal acts on instead of showing.
CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"


@cache
def _control_re() -> re.Pattern[str]:
    return re.compile(f"[{CONTROLS}]")


# Controls, lone surrogates (undecodable bytes kept by surrogateescape) and bidi
# controls, which would reorder the rest of the line hoquiz prints.
_UNSAFE_FOR_TERMINAL = re.compile(f"[{CONTROLS}\ud800-\udfff{BIDI_CONTROLS}]")


def control_characters(text: str) -> list[tuple[int, str]]:
    """Each control character of ``text`` (see :data:`CONTROLS`) with its index."""
    return [(m.start(), m.group()) for m in _control_re().finditer(text)]


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


# What a file hoquiz writes for another program must not hold raw: controls and
# lone surrogates. Bidi marks are kept there: right-to-left text needs them.
@cache
def _unsafe_in_files() -> re.Pattern[str]:
    return re.compile(f"[{CONTROLS}\ud800-\udfff]")


def control_safe(text: str) -> str:
    """``text`` with control characters and lone surrogates shown visibly (``\\x1f``).

    For the files hoquiz writes (Anki fields, XML, GIFT, Aiken, CSV): one
    such character makes a package unimportable (U+001F is Anki's field
    separator), an XML file ill-formed, or drives a terminal the file is
    printed on. Unlike :func:`terminal_safe`, bidi marks are kept: they
    belong to right-to-left text and do no harm there. Tabs and newlines
    are kept.
    """
    return _unsafe_in_files().sub(_visible, text)


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on shown visibly (ESC as ``\\x1b``).

    Bank text, file names and database values pass through here before they
    are printed, so a bank cannot retitle, clear or otherwise drive the
    learner's terminal (OSC, CSI, clipboard and hyperlink sequences all start
    with such a character) or reorder the line it is printed on (bidi
    controls, shown as ``\\u202e``). Tabs and newlines are kept.
    """
    return _UNSAFE_FOR_TERMINAL.sub(_visible, text)
