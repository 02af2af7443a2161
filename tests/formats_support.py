"""Helpers for the interchange-format tests: the node parser, banks, comparisons."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from hoquiz.banks.loader import load_banks
from hoquiz.model import (
    MCQ,
    Bank,
    Choice,
    Cloze,
    Flashcard,
    Match,
    Multi,
    Numeric,
    Order,
    Question,
    Short,
    SourceRef,
    TrueFalse,
    parse_cloze,
)

NODE_DIR = Path(__file__).parent / "node"
FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def gift_pegjs(path: Path) -> list[dict[str, Any]]:
    """``path`` parsed by the npm package gift-pegjs (skips when it is not installed)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (CI installs it with the npm packages)")
    if not (NODE_DIR / "node_modules" / "gift-pegjs").is_dir():
        pytest.skip("gift-pegjs is not installed: run npm ci --prefix tests/node")
    done = subprocess.run(
        [node, str(NODE_DIR / "parse-gift.js"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    parsed: list[dict[str, Any]] = json.loads(done.stdout)
    return parsed


def load_one(path: Path) -> Bank:
    (bank,) = load_banks([path])
    return bank


def squash(text: str) -> str:
    """Text as the platforms keep it: stripped, whitespace runs made one space."""
    return " ".join(text.split())


def comparable(question: Question) -> dict[str, Any]:
    """What a round trip must keep: wording, choices, keys, feedback, tolerance, pairs."""
    out: dict[str, Any] = {"type": question.type}
    for name in ("prompt", "front", "back", "text"):
        if hasattr(question, name):
            out[name] = squash(getattr(question, name))
    if hasattr(question, "choices"):
        out["choices"] = [(squash(c.text), squash(c.feedback or "")) for c in question.choices]
    for name in ("answer", "tolerance", "unit", "accept", "items", "pairs"):
        if hasattr(question, name):
            value = getattr(question, name)
            if isinstance(value, tuple):
                value = [_squash_any(item) for item in value]
            out[name] = value
    return out


def _squash_any(item: Any) -> Any:
    if isinstance(item, tuple):
        return tuple(_squash_any(v) for v in item)
    return squash(item) if isinstance(item, str) else item


SPECIALS = "abcXYZ 019~=#{}:\\<>&%-"
words = st.text(alphabet=SPECIALS, min_size=1, max_size=12).map(squash).filter(bool)
plain_words = st.text(alphabet="abcdefxyz ", min_size=1, max_size=10).map(squash).filter(bool)
SOURCE = SourceRef("doc", "Intro")


def _distinct(n: int) -> st.SearchStrategy[list[str]]:
    return st.lists(words, min_size=n, max_size=5, unique_by=lambda t: t)


@st.composite
def questions(draw: st.DrawFn, kinds: tuple[str, ...]) -> Question:
    """One question of one of ``kinds``, its text full of characters formats escape."""
    kind = draw(st.sampled_from(kinds))
    common: dict[str, Any] = {"id": "q", "explanation": draw(words), "source": SOURCE}
    prompt = draw(words)
    if kind in ("mcq", "multi"):
        texts = draw(_distinct(2))
        feedback = draw(st.lists(st.none() | words, min_size=len(texts), max_size=len(texts)))
        choices = tuple(Choice(t, f) for t, f in zip(texts, feedback, strict=True))
        if kind == "mcq":
            key = draw(st.integers(0, len(texts) - 1))
            return MCQ(**common, prompt=prompt, choices=choices, answer=key)
        keys = draw(st.sets(st.integers(0, len(texts) - 1), min_size=1))
        return Multi(**common, prompt=prompt, choices=choices, answer=tuple(sorted(keys)))
    if kind == "true_false":
        return TrueFalse(**common, prompt=prompt, answer=draw(st.booleans()))
    if kind == "short":
        return Short(**common, prompt=prompt, accept=tuple(draw(_distinct(1))))
    if kind == "numeric":
        value = draw(st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3)))
        tolerance = draw(st.floats(0, 1e3).map(lambda x: round(x, 3)))
        return Numeric(**common, prompt=prompt, answer=value, tolerance=tolerance)
    if kind == "cloze":
        text = f"{draw(plain_words)} {{{{c1::{draw(plain_words)}}}}} x{draw(plain_words)}"
        return Cloze(**common, text=text, deletions=parse_cloze(text))
    if kind == "flashcard":
        return Flashcard(**common, front=prompt, back=draw(words))
    if kind == "order":
        return Order(**common, prompt=prompt, items=tuple(draw(_distinct(2))))
    lefts, rights = draw(_distinct(2)), draw(_distinct(2))
    n = min(len(lefts), len(rights))
    return Match(**common, prompt=prompt, pairs=tuple(zip(lefts[:n], rights[:n], strict=True)))


def as_model(data: dict[str, Any]) -> dict[str, Any]:
    """Imported plain data in the shape :func:`comparable` gives a model question."""
    out: dict[str, Any] = {"type": data["type"]}
    for name in ("prompt", "front", "back", "text"):
        if name in data:
            out[name] = squash(data[name])
    if "choices" in data:
        pairs = [
            (c, "") if isinstance(c, str) else (c["text"], c["feedback"]) for c in data["choices"]
        ]
        texts = [t for t, _ in pairs]
        out["choices"] = pairs
        answer = data["answer"]
        out["answer"] = (
            texts.index(answer) if data["type"] == "mcq" else [texts.index(a) for a in answer]
        )
    elif "answer" in data:
        out["answer"] = data["answer"]
    if data["type"] == "numeric":
        out["tolerance"] = data.get("tolerance", 0)
        out["unit"] = data.get("unit")
    for name in ("accept", "items"):
        if name in data:
            out[name] = data[name]
    if "pairs" in data:
        out["pairs"] = [tuple(p) for p in data["pairs"]]
    return out
