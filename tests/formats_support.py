"""Helpers for the interchange-format tests: the node parser, banks, comparisons."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from hoquiz.banks.loader import load_banks
from hoquiz.model import Bank, Question

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
