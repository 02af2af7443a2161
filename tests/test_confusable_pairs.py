"""The confusable-answers search finds what checking every pair finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hoquiz.study.matching import confusable, confusable_pairs

WORDS = ["ilium", "ileum", "flushing", "blushing", "osteophytosis", "osteophytoses", "bone"]
WORDS += ["scan", "scans", "hyperostosis", "hypoostosis", "of", "on", "the", "a", "R206H", "ACVR1"]
WORDS += ["excision", "excisions", "indomethacin", "indometacin", "heterotopic", "heterotropic"]


@st.composite
def answers(draw: st.DrawFn) -> list[str]:
    """Answers of one to three words, some copies with a slip, a plural or another word."""
    out: list[str] = []
    for _ in range(draw(st.integers(1, 14))):
        if out and draw(st.booleans()):
            words = draw(st.sampled_from(out)).split() or ["bone"]
            at = draw(st.integers(0, len(words) - 1))
            edit = draw(st.sampled_from(["slip", "swap", "plural", "word", "case"]))
            word = words[at]
            if edit == "slip" and len(word) > 1:
                k = draw(st.integers(0, len(word) - 1))
                words[at] = word[:k] + draw(st.sampled_from("aeiouyst")) + word[k + 1 :]
            elif edit == "swap" and len(word) > 2:
                k = draw(st.integers(0, len(word) - 2))
                words[at] = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
            elif edit == "plural":
                words[at] = word + "s"
            elif edit == "word":
                words[at] = draw(st.sampled_from(WORDS))
            else:
                words[at] = word.upper()
            out.append(" ".join(words))
        else:
            out.append(" ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))))
    return out


@settings(max_examples=300, deadline=None)
@given(answers())
def test_confusable_pairs_as_by_every_pair(texts: list[str]) -> None:
    expected = [
        (i, j)
        for i in range(len(texts))
        for j in range(i + 1, len(texts))
        if confusable(texts[i], texts[j])
    ]
    assert confusable_pairs(texts) == expected
