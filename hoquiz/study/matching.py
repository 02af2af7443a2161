"""Matching typed answers against accepted ones, leniently and predictably.

One pure function, :func:`match_answer`, decides whether what a learner typed
is one of a question's accepted answers, and how closely:

* ``exact``: equal once case, accents, punctuation and spacing are folded
  (:func:`hoquiz.text.normalize`);
* ``lenient``: equal once, in addition, a leading article (a, an, the) and any
  inner "the" are dropped, plural and possessive endings are folded
  (``bisphosphonates``, ``Brooker's``), one small preposition stands for
  another (``impingement on`` for ``impingement of``) and spaces or hyphens
  inside a word are ignored (``flareups``);
* ``spelling``: within a small number of typing slips per word (insertions,
  deletions, substitutions, swapped neighbours), growing with the word's
  length. Short words, words with digits and codes written in capitals in the
  accepted answer (``ACVR1``, ``R206H``, ``NSAID``) must be typed exactly.

The Anki cards grade with a JavaScript copy of these rules
(``hoquiz/formats/anki_cards.py``); the word lists below are handed to it as data
(:data:`RULES`), so both read one source. rapidfuzz computes the distance and
is imported here only.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hoquiz.text import normalize, words_keep_case


class MatchKind(StrEnum):
    """How a typed answer matched an accepted one."""

    EXACT = "exact"
    LENIENT = "lenient"
    SPELLING = "spelling"


@dataclass(frozen=True, slots=True)
class Accepted:
    """A typed answer matched ``answer`` (as the bank writes it) in this ``kind``."""

    kind: MatchKind
    answer: str


# Articles dropped at the start of an answer; "the" is dropped anywhere ("a"
# stays inside: "vitamin A", "type A").
LEADING_ARTICLES = ("a", "an", "the")
INNER_ARTICLES = ("the",)
# Prepositions that may stand for one another, one for one. Left out on
# purpose: to/from/without/against, which reverse a meaning.
LOOSE_PREPOSITIONS = (
    "of", "on", "in", "at", "for", "with", "by", "about", "around", "into", "onto", "within",
)  # fmt: skip
# Slips allowed in a word of at least N letters (the accepted word's length).
SLIP_LENGTHS = ((13, 2), (6, 1))
# Prefixes that mean the opposite of each other: never a slip.
OPPOSED_PREFIXES = (
    ("hyper", "hypo"), ("intra", "extra"), ("inter", "intra"), ("pre", "post"),
    ("ante", "post"), ("endo", "exo"), ("sub", "supra"), ("brady", "tachy"),
    ("micro", "macro"), ("hetero", "homo"), ("hyper", "normo"), ("hypo", "normo"),
    ("poly", "mono"), ("uni", "bi"), ("ab", "ad"),
)  # fmt: skip

# Apostrophes are removed, not turned into spaces: "Brooker's" -> "Brookers".
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc`\u00b4")

# What the Anki card script needs to grade the same way.
RULES: dict[str, Any] = {
    "leadingArticles": LEADING_ARTICLES,
    "innerArticles": INNER_ARTICLES,
    "loosePrepositions": LOOSE_PREPOSITIONS,
    "slipLengths": SLIP_LENGTHS,
    "opposedPrefixes": OPPOSED_PREFIXES,
}


@dataclass(frozen=True, slots=True)
class _Word:
    """One word of an answer, as the matching compares it."""

    text: str  # folded: lower case, no accents, plural ending removed
    written: str  # lower case, no accents, as typed
    digits: bool  # a number or a mutation name: no slips
    code: bool  # in capitals (ACVR1, NSAID): no slips when the accepted answer writes it so


def _words(text: str) -> list[_Word]:
    """The folded words of an answer; a word's exactness comes from its writing."""
    out: list[_Word] = []
    for raw in words_keep_case(text.translate(_APOSTROPHES)):
        lower = raw.lower()
        # The cheap tests first: most words are letters only, in lower case.
        digits = not raw.isalpha() and any(c.isdigit() for c in raw)
        code = raw != lower and raw == raw.upper() and sum(c.isalpha() for c in raw) >= 2
        out.append(_Word(lower if digits else fold_plural(lower), lower, digits, code))
    return out


def fold_plural(word: str) -> str:
    """``bones`` -> ``bone``, ``therapies`` -> ``therapy``, ``processes`` -> ``process``.

    Applied to both sides, so only consistency matters: ``diagnosis`` and
    ``virus`` are left alone (``-is``, ``-us``, ``-ss``).
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and re.search(r"(?:ss|ch|sh|x|z)es$", word):
        return word[:-2]
    if len(word) >= 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _key(words: list[_Word]) -> list[_Word]:
    """Drop a leading article (when more follows) and every inner "the"."""
    if len(words) > 1 and words[0].text in LEADING_ARTICLES:
        words = words[1:]
    kept = [w for w in words if w.text not in INNER_ARTICLES]
    return kept or words


def slips_allowed(word: str) -> int:
    """How many typing slips a word of the accepted answer may carry."""
    for length, slips in SLIP_LENGTHS:
        if len(word) >= length:
            return slips
    return 0


_OPPOSED_STARTS = tuple(sorted({prefix for pair in OPPOSED_PREFIXES for prefix in pair}))


def _opposed(a: str, b: str) -> bool:
    if not (a.startswith(_OPPOSED_STARTS) and b.startswith(_OPPOSED_STARTS)):
        return False  # the common case, in two calls
    return any(
        (a.startswith(x) and b.startswith(y)) or (a.startswith(y) and b.startswith(x))
        for x, y in OPPOSED_PREFIXES
    )


def _distance(typed: str, accepted: str, limit: int) -> int:
    """Optimal string alignment distance (rapidfuzz), capped at ``limit + 1``."""
    from rapidfuzz.distance import OSA

    return int(OSA.distance(typed, accepted, score_cutoff=limit))


def _compare(typed: list[_Word], accepted: list[_Word]) -> MatchKind | None:
    """The closeness of two folded answers, or ``None`` if they differ."""
    if [w.text for w in typed] == [w.text for w in accepted]:
        return MatchKind.LENIENT
    if len(typed) != len(accepted):
        # Spacing and hyphens: "flareups" for "flare-ups", "bonescan".
        if "".join(w.text for w in typed) == "".join(w.text for w in accepted):
            return MatchKind.LENIENT
        return None
    kind = MatchKind.LENIENT
    for t, a in zip(typed, accepted, strict=True):
        if t.text == a.text:
            continue
        if t.text in LOOSE_PREPOSITIONS and a.text in LOOSE_PREPOSITIONS:
            continue
        if a.digits or a.code or t.digits:
            return None
        limit = slips_allowed(a.written)
        if limit == 0 or (
            # No fewer slips than the lengths differ by: the cheap test first.
            abs(len(t.text) - len(a.text)) > limit and abs(len(t.written) - len(a.written)) > limit
        ):
            return None
        if _opposed(t.text, a.text):
            return None
        # Folding may cut a misspelt ending ("ankylosys"), so the written forms count too.
        slips = min(_distance(t.text, a.text, limit), _distance(t.written, a.written, limit))
        if slips > limit:
            return None
        kind = MatchKind.SPELLING
    return kind


def match_answer(typed: str, accepted: Sequence[str], *, exact: bool = False) -> Accepted | None:
    """The accepted answer ``typed`` matches, and how; ``None`` if it matches none.

    An exact match beats a lenient one, which beats a spelling slip; among
    equals the first accepted answer listed wins. ``exact`` (a question's
    ``match: exact``) allows only the first kind.
    """
    folded = normalize(typed)
    if not folded:
        return None
    for answer in accepted:
        if normalize(answer) == folded:
            return Accepted(MatchKind.EXACT, answer)
    if exact:
        return None
    typed_key = _key(_words(typed))
    best: Accepted | None = None
    for answer in accepted:
        kind = _compare(typed_key, _key(_words(answer)))
        if kind is MatchKind.LENIENT:
            return Accepted(kind, answer)
        if kind is MatchKind.SPELLING and best is None:
            best = Accepted(kind, answer)
    return best


def confusable(a: str, b: str) -> bool:
    """Two different answers either of which would be accepted for the other.

    For the linter: the same answer written two ways (``bone scan``, ``bone
    scans``) is not confusable; ``ilium`` and ``ileum`` are.
    """
    return _confusable_keys(_key(_words(a)), _key(_words(b)))


def confusable_with(answer: str, others: Sequence[str]) -> list[int]:
    """The indexes of ``others`` that are :func:`confusable` with ``answer``.

    ``answer``'s words are folded once for all of them.
    """
    key = _key(_words(answer))
    return [i for i, other in enumerate(others) if _confusable_keys(key, _key(_words(other)))]


def _confusable_keys(a_key: list[_Word], b_key: list[_Word]) -> bool:
    if "".join(w.text for w in a_key) == "".join(w.text for w in b_key):
        return False
    return _compare(a_key, b_key) is not None or _compare(b_key, a_key) is not None


# Spellings of one unit, the first being how feedback writes it. A bank's
# unit outside this table matches only itself (after normalisation).
UNIT_ALIASES: tuple[tuple[str, ...], ...] = (
    ("%", "percent", "per cent", "pct", "percentage"),
    ("weeks", "week", "wk", "wks", "w"),
    ("years", "year", "yr", "yrs", "y"),
    ("months", "month", "mo", "mos", "mth", "mths"),
    ("days", "day", "d"),
    ("hours", "hour", "hr", "hrs", "h"),
    ("minutes", "minute", "min", "mins"),
    ("mg", "milligram", "milligrams"),
    ("g", "gram", "grams"),
    ("kg", "kilogram", "kilograms", "kilo", "kilos"),
    ("mg/kg", "mg per kg", "milligrams per kilogram"),
    ("Gy", "gray", "grays"),
    ("cGy", "centigray"),
    ("cm", "centimetre", "centimetres", "centimeter", "centimeters"),
    ("mm", "millimetre", "millimetres", "millimeter", "millimeters"),
    ("mL", "ml", "millilitre", "millilitres", "milliliter", "milliliters"),
    ("degrees", "degree", "deg", "°"),
    ("times", "time", "x", "\u00d7", "fold", "-fold"),
    ("people", "persons", "person", "individuals"),
    ("patients", "patient"),
)
RULES["unitAliases"] = UNIT_ALIASES


def unit_key(unit: str) -> str:
    """One spelling for every alias of a unit: ``per cent`` -> ``%``, ``wks`` -> ``weeks``."""
    folded = normalize(unit) or unit.strip().lower()
    for aliases in UNIT_ALIASES:
        if any(folded == (normalize(a) or a.lower()) for a in aliases):
            return normalize(aliases[0]) or aliases[0].lower()
    return folded


def confusable_pairs(answers: Iterable[str]) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, of ``answers`` that are :func:`confusable`.

    For the linter over many banks. Two confusable answers have as many
    words, the same words with digits, and word by word the same word, two
    loose prepositions or words within the most slips any word is allowed
    (:func:`_near_words`, over the answers' distinct words); their folded
    texts (with every loose preposition as one placeholder) differ by at most
    the slips allowed plus what plural folding may move (2 characters a
    word). Only pairs that meet all of that get the full check.
    """
    from rapidfuzz.distance import OSA

    # Confusability depends on an answer's folded words only: each distinct
    # set of words is compared once, and its pairs stand for every answer
    # written with those words (equal words are never confusable).
    same: dict[str, array[int]] = {}
    for index, answer in enumerate(answers):
        indexes = same.get(answer)
        if indexes is None:
            indexes = same[answer] = array("I")
        indexes.append(index)
    canonical: dict[_Word, _Word] = {}  # one object for each distinct word
    written: dict[tuple[_Word, ...], array[int]] = {}
    for answer, indexes in same.items():
        words = tuple(canonical.setdefault(w, w) for w in _key(_words(answer)))
        known = written.get(words)
        if known is None:
            written[words] = indexes
        else:
            known.extend(indexes)
    del same
    keys = list(written)
    vocabulary = {word: n for n, word in enumerate(canonical)}
    del canonical
    near = _near_words(list(vocabulary))
    ids = [tuple(vocabulary[word] for word in words) for words in keys]
    del vocabulary
    texts = [" ".join("\0" if w.text in LOOSE_PREPOSITIONS else w.text for w in ws) for ws in keys]
    slips = [sum(slips_allowed(w.written) for w in words) + 2 * len(words) for words in keys]
    groups: dict[tuple[Any, ...], dict[int, list[int]]] = {}  # -> first word -> keys
    for number, words in enumerate(keys):
        if words:
            group = (len(words), tuple((n, w.text) for n, w in enumerate(words) if w.digits))
            groups.setdefault(group, {}).setdefault(ids[number][0], []).append(number)
    close: list[tuple[int, int]] = []  # confusable pairs of distinct keys
    for by_first in groups.values():
        for first_word, numbers in by_first.items():
            for number in numbers:
                word_ids = ids[number]
                candidates: set[int] = set()
                for neighbour in (first_word, *near.get(first_word, ())):
                    candidates.update(o for o in by_first.get(neighbour, ()) if o > number)
                for other in sorted(candidates):
                    if not all(
                        a == b or b in near.get(a, ())
                        for a, b in zip(word_ids[1:], ids[other][1:], strict=True)
                    ):
                        continue
                    budget = max(slips[number], slips[other])
                    distance = OSA.distance(texts[number], texts[other], score_cutoff=budget)
                    if distance <= budget and _confusable_keys(
                        list(keys[number]), list(keys[other])
                    ):
                        close.append((number, other))
    pairs: list[tuple[int, int]] = []
    for first, second in close:
        for i in written[keys[first]]:
            for j in written[keys[second]]:
                pairs.append((i, j) if i < j else (j, i))
    return sorted(pairs)  # each pair once: its two answers have different keys


def _near_words(words: list[_Word]) -> dict[int, set[int]]:
    """For each word with any, the other words (by index) a slip could stand for.

    Those of the same folded text, two loose prepositions, or words whose
    folded or written forms are within the most slips any word is allowed:
    a superset of what :func:`_compare` lets pass word by word.
    """
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    most = max(slips for _, slips in SLIP_LENGTHS)
    near: dict[int, set[int]] = {}
    prepositions = {i for i, word in enumerate(words) if word.text in LOOSE_PREPOSITIONS}
    for i in prepositions:
        near[i] = prepositions - {i}
    for forms in ([w.text for w in words], [w.written for w in words]):
        order = sorted(range(len(forms)), key=lambda i: len(forms[i]))
        ordered = [forms[i] for i in order]
        end = 0
        for k, form in enumerate(ordered):
            end = max(end, k + 1)
            while end < len(ordered) and len(ordered[end]) - len(form) <= most:
                end += 1
            if end == k + 1:
                continue
            for _, _, position in process.extract_iter(
                form, ordered[k + 1 : end], scorer=OSA.distance, score_cutoff=most
            ):
                a, b = order[k], order[k + 1 + position]
                near.setdefault(a, set()).add(b)
                near.setdefault(b, set()).add(a)
    return near
