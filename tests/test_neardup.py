"""The near-duplicate search finds what comparing every pair finds."""

from __future__ import annotations

import difflib
from collections import Counter
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from hoquiz.neardup import PREFIX_WORDS, SHORT_CHARS, PackedTexts, near_duplicates

WORDS = ["bone", "ossification", "hip", "elbow", "radiograph", "scan", "rim", "burn", "ct"]
WORDS += ["excision", "indomethacin", "spinal", "injury", "brooker", "grade", "of", "the", "a"]


def pairwise(texts: list[str], threshold: float) -> dict[int, tuple[int, float]]:
    """The exhaustive check: each text against every earlier one, first match wins."""
    found = {}
    for j, text in enumerate(texts):
        for i in range(j):
            ratio = difflib.SequenceMatcher(None, texts[i], text, autojunk=False).ratio()
            if ratio > threshold:
                found[j] = (i, ratio)
                break
    return found


@st.composite
def edited_prompts(draw: st.DrawFn) -> list[str]:
    """Prompts of several words, each a copy of an earlier one edited in a word or two,
    or a new one."""
    texts: list[str] = []
    for _ in range(draw(st.integers(2, 12))):
        if texts and draw(st.booleans()):
            words = draw(st.sampled_from(texts)).split()
            for _ in range(draw(st.integers(0, PREFIX_WORDS - 1))):
                at = draw(st.integers(0, len(words) - 1))
                edit = draw(st.sampled_from(["replace", "insert", "delete", "typo"]))
                if edit == "replace":
                    words[at] = draw(st.sampled_from(WORDS))
                elif edit == "insert":
                    words.insert(at, draw(st.sampled_from(WORDS)))
                elif edit == "delete" and len(words) > 1:
                    del words[at]
                else:
                    words[at] = words[at][:-1] + draw(st.sampled_from("aeioust"))
            texts.append(" ".join(words))
        else:
            texts.append(" ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=14))))
    return texts


def guaranteed(a: str, b: str) -> bool:
    """Within what the blocking promises: a short text, or at most PREFIX_WORDS - 1 words
    of each text missing from the other (words counted with repeats)."""
    if min(len(a), len(b)) <= SHORT_CHARS or min(len(a.split()), len(b.split())) < PREFIX_WORDS:
        return True
    x, y = Counter(a.split()), Counter(b.split())
    return sum((x - y).values()) < PREFIX_WORDS and sum((y - x).values()) < PREFIX_WORDS


@settings(max_examples=300, deadline=None)
@given(edited_prompts())
def test_word_edits_found_as_by_pairwise_check(texts: list[str]) -> None:
    found = near_duplicates(texts, 0.9)
    for later, (earlier, ratio) in found.items():  # every reported pair is real
        assert earlier < later
        assert (
            ratio
            == difflib.SequenceMatcher(None, texts[earlier], texts[later], autojunk=False).ratio()
        )
        assert ratio > 0.9
    for later, (earlier, ratio) in pairwise(texts, 0.9).items():
        if guaranteed(texts[earlier], texts[later]):  # the pairwise answer, exactly
            assert found[later] == (earlier, ratio)
        else:  # something, and never later than the pairwise first
            assert later not in found or found[later][0] >= earlier


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab c", max_size=SHORT_CHARS), min_size=1, max_size=10))
def test_short_texts_exactly_as_pairwise_check(texts: list[str]) -> None:
    assert near_duplicates(texts, 0.9) == pairwise(texts, 0.9)


def test_long_prompts_of_three_words_sharing_one_are_compared() -> None:
    # Each lacks two words of the other and they share only one: no pair of
    # rare words in common, yet more than 90% similar.
    long_word = "fibrodysplasiaossificansprogressivaheterotopicbone"
    texts = [
        f"{long_word} abc def",
        "unrelated words of another prompt here",
        f"{long_word} abd deg",
    ]
    found = near_duplicates(texts, 0.9)
    assert found == pairwise(texts, 0.9)
    assert found[2][0] == 0


@settings(max_examples=100, deadline=None)
@given(edited_prompts())
def test_packed_texts_give_the_same_pairs(texts: list[str]) -> None:
    packed = PackedTexts()
    for text in texts:
        packed.append(text)
    assert near_duplicates(packed, 0.9) == near_duplicates(texts, 0.9)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=3 * PackedTexts.CHUNK + 5), st.randoms())
def test_packed_texts_read_back_as_written(texts: list[str], random: Random) -> None:
    packed = PackedTexts()
    for text in texts:
        packed.append(text)
    assert len(packed) == len(texts)
    assert list(packed) == texts
    order = list(range(len(texts)))
    random.shuffle(order)
    assert [packed[i] for i in order] == [texts[i] for i in order]
    some = sorted(order[: len(order) // 2])
    assert list(packed.pick(some)) == [texts[i] for i in some]
    if texts:
        assert packed[-1] == texts[-1]
