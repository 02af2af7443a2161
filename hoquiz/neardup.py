"""Near-duplicate texts in sub-quadratic time (pure: texts in, pairs out).

:func:`near_duplicates` finds, for each text, the first earlier text whose
``difflib.SequenceMatcher`` ratio with it is above a threshold: what
comparing every pair finds, without comparing every pair.

Blocking by pairs of rare words. Each text's words (counted as a multiset)
are ordered by how few texts use them, over the whole input. Two texts
neither of which has more than ``PREFIX_WORDS - 1`` words the other lacks
share at least two words when either has ``PREFIX_WORDS + 1`` words or
more, and their two rarest shared words are then among both texts'
``PREFIX_WORDS + 1`` rarest: a text is compared only with earlier texts
that have one of the pairs of its rarest words. (Two texts of exactly
``PREFIX_WORDS`` words share at least one: among those texts, one shared
word suffices.) A pair of rare words is far rarer than either word, so the
candidates stay few as the input grows. That covers the near-duplicates that
matter: a prompt copied and edited in a word or two. What it misses is a pair
of long texts with small edits scattered over three or more words each.

Texts of at most :data:`SHORT_CHARS` characters or fewer than
``PREFIX_WORDS`` words have too few words to block on: they are compared
with every earlier text of a compatible length, so on them the result is
exactly the pairwise one.

A candidate pair is ruled out by cheap upper bounds of difflib's ratio
(lengths, then characters in common) before difflib runs.

:class:`PackedTexts` keeps many texts compressed, for callers that must hold
every text of a large input until it is all read.
"""

from __future__ import annotations

import difflib
import heapq
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Protocol

from rapidfuzz.distance.Indel import normalized_similarity as indel_similarity
from rapidfuzz.process import extract

PREFIX_WORDS = 3
SHORT_CHARS = 48

_PAIR_WORDS = PREFIX_WORDS + 1  # the rarest words whose pairs a text is indexed under
_PARTS = 256  # the pair keys are sorted in this many parts, to keep each sort small

# A word, or for its second and later occurrences in a text the word and the
# occurrence's number after a NUL (texts counted as multisets of words).
_Token = str


class Texts(Protocol):
    """What :func:`near_duplicates` reads: texts in order, and by index (a list will do)."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int, /) -> str: ...

    def __iter__(self) -> Iterator[str]: ...


def near_duplicates(texts: Texts, threshold: float) -> dict[int, tuple[int, float]]:
    """For each index of ``texts`` with a match: (the first earlier index, the ratio).

    The ratio is ``difflib.SequenceMatcher(None, earlier, later,
    autojunk=False).ratio()`` and must be above ``threshold`` (0.5 to 1).
    ``texts`` is read in order three times and looked up by index.
    """
    frequency: Counter[_Token] = Counter()
    lengths = array("I")
    words = array("I")  # each text's number of words
    # Texts a short text may match are short too: kept at hand, as lookups
    # of them are many.
    near_short = _longest_partner(SHORT_CHARS, threshold)
    kept: dict[int, str] = {}
    for i, text in enumerate(texts):
        tokens = _tokens(text)
        frequency.update(tokens)
        lengths.append(len(text))
        words.append(len(tokens))
        if len(text) <= near_short:
            kept[i] = text
    rarest_first = sorted(frequency.items(), key=lambda item: (item[1], item[0]))
    rank = {token: r for r, (token, _) in enumerate(rarest_first)}
    once = sum(1 for _, count in rarest_first if count == 1)  # ranks below: words of one text
    del frequency, rarest_first
    pair_candidates = _pair_candidates(texts, rank, once)
    pending = next(pair_candidates, None)
    three_words: dict[int, array[int]] = {}  # rare word -> earlier long texts of PREFIX_WORDS words
    by_length: dict[int, array[int]] = {}  # every text
    short_by_length: dict[int, array[int]] = {}  # the short texts only
    found: dict[int, tuple[int, float]] = {}
    for i, text in enumerate(texts):
        size = len(text)
        low, high = _shortest_partner(size, threshold), _longest_partner(size, threshold)
        candidates: set[int] = set()
        if size <= SHORT_CHARS or words[i] < PREFIX_WORDS:
            for length in range(low, high + 1):
                candidates.update(by_length.get(length, ()))
            _post(short_by_length, size, i)
        else:
            for length, earlier in short_by_length.items():
                if low <= length <= high:
                    candidates.update(earlier)
            while pending is not None and pending[0] == i:
                if low <= lengths[pending[1]] <= high:
                    candidates.add(pending[1])
                pending = next(pair_candidates, None)
            if words[i] == PREFIX_WORDS:
                for token in _tokens(text):
                    posting = three_words.get(rank[token])
                    if posting is None:
                        posting = three_words[rank[token]] = array("I")
                    candidates.update(posting)
                    posting.append(i)
        _post(by_length, size, i)
        match = _first_match(text, sorted(candidates), texts, kept, threshold)
        if match is not None:
            found[i] = match
    return found


def _pair_candidates(texts: Texts, rank: dict[_Token, int], once: int) -> Iterator[tuple[int, int]]:
    """(later, earlier) index pairs of long texts sharing a pair of their rarest words, in order.

    Each long text of ``PREFIX_WORDS`` words or more is keyed under every
    pair of its ``PREFIX_WORDS + 1`` rarest words, except pairs with a word
    of that text alone (rank below ``once``), which no other text shares.
    Keys and pairs are kept as one number each in arrays, sorted part by
    part and merged as they are read, so memory grows by a few bytes per key
    and pair, not by a Python object.
    """
    words = len(rank)
    index_bits = max(1, len(texts).bit_length())
    keys: list[array[int] | list[int]] = [
        array("Q") if (words * words).bit_length() + index_bits <= 64 else [] for _ in range(_PARTS)
    ]
    for i, text in enumerate(texts):
        tokens = _tokens(text)
        if len(text) <= SHORT_CHARS or len(tokens) < PREFIX_WORDS:
            continue
        rarest = sorted(rank[t] for t in tokens)[:_PAIR_WORDS]
        for a, first in enumerate(rarest):
            if first < once:
                continue
            for second in rarest[a + 1 :]:
                key = first * words + second
                keys[key % _PARTS].append(key << index_bits | i)
    mask = (1 << index_bits) - 1
    parts: list[array[int] | list[int]] = []
    for n, part in enumerate(keys):
        keyed = sorted(part)
        keys[n] = []
        pairs: list[int] = []
        start = 0
        while start < len(keyed):
            key = keyed[start] >> index_bits
            end = start + 1
            while end < len(keyed) and keyed[end] >> index_bits == key:
                end += 1
            for later in range(start + 1, end):
                for earlier in range(start, later):
                    pairs.append((keyed[later] & mask) << index_bits | keyed[earlier] & mask)
            start = end
        del keyed
        pairs.sort()
        parts.append(array("Q", pairs) if 2 * index_bits <= 64 else pairs)
    previous = -1
    for pair in heapq.merge(*parts):
        if pair != previous:  # a pair sharing several keys is read once
            yield pair >> index_bits, pair & mask
            previous = pair


def _post(postings: dict[int, array[int]], key: int, i: int) -> None:
    posting = postings.get(key)
    if posting is None:
        posting = postings[key] = array("I")
    posting.append(i)


def _tokens(text: str) -> list[_Token]:
    words = text.split()
    if len(set(words)) == len(words):  # the common case: no word twice
        return words
    seen: dict[str, int] = {}
    out = []
    for word in words:
        n = seen[word] = seen.get(word, 0) + 1
        out.append(word if n == 1 else f"{word}\0{n}")
    return out


def _shortest_partner(size: int, threshold: float) -> int:
    """A length at or below the shortest text that can be ``threshold``-similar to ``size``."""
    return max(0, int(size * threshold / (2 - threshold)) - 1)


def _longest_partner(size: int, threshold: float) -> int:
    """A length at or above the longest text that can be ``threshold``-similar to ``size``."""
    return int(size * (2 - threshold) / threshold) + 1


def _first_match(
    text: str,
    candidates: list[int],
    texts: Texts,
    kept: dict[int, str],
    threshold: float,
) -> tuple[int, float] | None:
    """The first candidate more than ``threshold`` similar to ``text``, with the ratio.

    difflib's ratio is 2M / T (M matched characters, T both lengths), and M
    is at most the length of the longest common subsequence: rapidfuzz's
    Indel similarity (2 LCS / T, computed in C) rules out most candidates
    before difflib runs.
    """
    if not candidates:
        return None
    bound = threshold - 1e-9  # never rule out a pair by a rounding error
    hits = extract(
        text,
        [kept[j] if j in kept else texts[j] for j in candidates],
        scorer=indel_similarity,
        score_cutoff=bound,
        limit=None,
    )
    if not hits:
        return None
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(text)
    for position in sorted(hit[2] for hit in hits):
        j = candidates[position]
        matcher.set_seq1(kept[j] if j in kept else texts[j])
        ratio = matcher.ratio()
        if ratio > threshold:
            return j, ratio
    return None


class PackedTexts:
    """A list of texts kept zlib-compressed, :data:`CHUNK` texts to a block.

    For holding every text of a large input at about a quarter of its size:
    appended one by one, read in order cheaply, looked up by index with the
    last few blocks kept decompressed. The first block's text is the
    compression dictionary of every block, so short blocks compress well.
    """

    CHUNK = 32
    CACHED = 64  # decompressed blocks kept for lookups by index

    def __init__(self) -> None:
        self._blocks: list[bytes] = []
        self._lengths = array("I")
        self._pending: list[str] = []
        self._dictionary = b""
        self._cache: dict[int, list[str]] = {}

    def append(self, text: str) -> None:
        """Add ``text`` at the end."""
        self._lengths.append(len(text))
        self._pending.append(text)
        if len(self._pending) == self.CHUNK:
            self._seal()

    def _seal(self) -> None:
        raw = "".join(self._pending).encode("utf-8", "surrogatepass")
        if not self._blocks:
            self._dictionary = raw[-32768:]
        compressor = zlib.compressobj(1, zdict=self._dictionary)  # 6: a tenth smaller, slower
        self._blocks.append(compressor.compress(raw) + compressor.flush())
        self._pending = []

    def __len__(self) -> int:
        return len(self._lengths)

    def __getitem__(self, index: int, /) -> str:
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        block, offset = divmod(index, self.CHUNK)
        texts = self._cache.get(block)
        if texts is None:
            texts = self._block(block)
            if len(self._cache) >= self.CACHED:
                del self._cache[next(iter(self._cache))]  # the oldest
            self._cache[block] = texts
        return texts[offset]

    def __iter__(self) -> Iterator[str]:
        for block in range(len(self._blocks) + (1 if self._pending else 0)):
            yield from self._block(block)

    def pick(self, positions: Iterable[int]) -> Iterator[str]:
        """The texts at ``positions`` (ascending), each block decompressed once."""
        current, texts = -1, []
        for position in positions:
            block, offset = divmod(position, self.CHUNK)
            if block != current:
                current, texts = block, self._block(block)
            yield texts[offset]

    def _block(self, block: int) -> list[str]:
        if block == len(self._blocks):
            return list(self._pending)
        decompressor = zlib.decompressobj(zdict=self._dictionary)
        raw = decompressor.decompress(self._blocks[block]).decode("utf-8", "surrogatepass")
        texts = []
        at = 0
        for length in self._lengths[block * self.CHUNK : (block + 1) * self.CHUNK]:
            texts.append(raw[at : at + length])
            at += length
        return texts
