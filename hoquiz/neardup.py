"""Near-duplicate texts in sub-quadratic time (pure: texts in, pairs out).

:func:`near_duplicates` finds, for each text, the first earlier text whose
``difflib.SequenceMatcher`` ratio with it is above a threshold: what
comparing every pair finds, without comparing every pair.

Blocking by rare words. Each text's words are ordered by how few texts use
them (over the whole input); a text is compared only with earlier texts that
share one of their :data:`PREFIX_WORDS` rarest words (words counted as a
multiset). If neither text has more than ``PREFIX_WORDS - 1`` words the
other lacks, the rarest word they share is among both prefixes, so the pair
is compared. That covers the near-duplicates that matter: a prompt copied
and edited in a word or two. What it misses is a pair of long texts with
small edits scattered over three or more words each.

Texts of at most :data:`SHORT_CHARS` characters or fewer than
``PREFIX_WORDS`` words have too few words to block on: they are compared
with every earlier text of a compatible length, so on them the result is
exactly the pairwise one.

A candidate pair is ruled out by cheap upper bounds of difflib's ratio
(lengths, then characters in common) before difflib runs.
"""

from __future__ import annotations

import difflib
from array import array
from collections import Counter
from collections.abc import Sequence

from rapidfuzz.distance.Indel import normalized_similarity as indel_similarity
from rapidfuzz.process import extract

PREFIX_WORDS = 3
SHORT_CHARS = 48

_Token = tuple[str, int]  # a word and which occurrence of it in its text


def near_duplicates(texts: Sequence[str], threshold: float) -> dict[int, tuple[int, float]]:
    """For each index of ``texts`` with a match: (the first earlier index, the ratio).

    The ratio is ``difflib.SequenceMatcher(None, earlier, later,
    autojunk=False).ratio()`` and must be above ``threshold`` (0.5 to 1).
    """
    # Token lists are rebuilt where needed rather than kept for every text,
    # and the postings are arrays of ints: memory grows by a few bytes per
    # text, not by a Python object per word.
    frequency: Counter[_Token] = Counter()
    for text in texts:
        frequency.update(_tokens(text))
    index: dict[_Token, array[int]] = {}  # prefix word -> the long texts that have it
    by_length: dict[int, array[int]] = {}  # every text
    short_by_length: dict[int, array[int]] = {}  # the short texts only
    found: dict[int, tuple[int, float]] = {}
    for i, text in enumerate(texts):
        size = len(text)
        low, high = _shortest_partner(size, threshold), _longest_partner(size, threshold)
        candidates: set[int] = set()
        tokens = _tokens(text)
        if size <= SHORT_CHARS or len(tokens) < PREFIX_WORDS:
            for length in range(low, high + 1):
                candidates.update(by_length.get(length, ()))
            _post(short_by_length, size, i)
        else:
            for length, earlier in short_by_length.items():
                if low <= length <= high:
                    candidates.update(earlier)
            for token in sorted(tokens, key=lambda t: (frequency[t], t))[:PREFIX_WORDS]:
                posting = index.get(token)
                if posting is None:
                    posting = index[token] = array("I")
                candidates.update(posting)
                posting.append(i)
        _post(by_length, size, i)
        match = _first_match(i, sorted(candidates), texts, threshold)
        if match is not None:
            found[i] = match
    return found


def _post(postings: dict[int, array[int]], key: int, i: int) -> None:
    posting = postings.get(key)
    if posting is None:
        posting = postings[key] = array("I")
    posting.append(i)


def _tokens(text: str) -> list[_Token]:
    seen: dict[str, int] = {}
    out = []
    for word in text.split():
        n = seen[word] = seen.get(word, 0) + 1
        out.append((word, n))
    return out


def _shortest_partner(size: int, threshold: float) -> int:
    """A length at or below the shortest text that can be ``threshold``-similar to ``size``."""
    return max(0, int(size * threshold / (2 - threshold)) - 1)


def _longest_partner(size: int, threshold: float) -> int:
    """A length at or above the longest text that can be ``threshold``-similar to ``size``."""
    return int(size * (2 - threshold) / threshold) + 1


def _first_match(
    i: int, candidates: list[int], texts: Sequence[str], threshold: float
) -> tuple[int, float] | None:
    """The first candidate more than ``threshold`` similar to text ``i``, with the ratio.

    difflib's ratio is 2M / T (M matched characters, T both lengths), and M
    is at most the length of the longest common subsequence: rapidfuzz's
    Indel similarity (2 LCS / T, computed in C) rules out most candidates
    before difflib runs.
    """
    if not candidates:
        return None
    text = texts[i]
    bound = threshold - 1e-9  # never rule out a pair by a rounding error
    hits = extract(
        text,
        [texts[j] for j in candidates],
        scorer=indel_similarity,
        score_cutoff=bound,
        limit=None,
    )
    if not hits:
        return None
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(text)
    for position in sorted(hit[2] for hit in hits):
        matcher.set_seq1(texts[candidates[position]])
        ratio = matcher.ratio()
        if ratio > threshold:
            return candidates[position], ratio
    return None
