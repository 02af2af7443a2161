"""Shared fixtures."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

# A sources.yaml for test banks: `doc` has sections (checked), `other` has none.
TEST_SOURCES = """\
sources:
  - id: doc
    title: A reference document
    kind: test document
    date: 2025-01-31
    sections: [Intro, Imaging]
  - id: other
    title: Another document
    kind: test document
"""

# A valid bank with one question of each type, in QUESTION_TYPES order, using
# most optional keys; it cites TEST_SOURCES.
ALL_TYPES_BANK = """\
id: all-types
title: All types
deck: HO::All types
description: One question of each type.
tags: [sample]
questions:
  - id: q-mcq
    type: mcq
    prompt: Which study first?
    choices: [Radiography, {text: MRI, feedback: Later.}, Bone scan]
    answer: Radiography
    explanation: Plain films first.
    source: {doc: doc, section: Imaging}
  - id: q-multi
    type: multi
    prompt: Which apply?
    choices:
      - Hip
      - Elbow
      - Nose
    answer: [Hip, Elbow]
    explanation: Joints.
    source: {doc: doc, section: Intro}
    tags: [joints]
  - id: q-tf
    type: true_false
    prompt: HO is bone in soft tissue.
    answer: true
    explanation: By definition.
    source: {doc: other, section: Any}
    revision: 2
  - id: q-short
    type: short
    prompt: Name the drug.
    accept: [indomethacin, "indometacin"]
    explanation: An NSAID.
    source: {doc: doc, section: Intro}
  - id: q-num
    type: numeric
    prompt: Weeks?
    answer: 3
    tolerance: 0.5
    unit: weeks
    explanation: About three.
    source: {doc: doc, section: Intro}
  - id: q-cloze
    type: cloze
    text: "{{c1::Radiography::imaging}} shows {{c2::mature bone}}."
    explanation: Maturity.
    source: {doc: doc, section: Imaging}
  - id: q-flash
    type: flashcard
    front: Front
    back: Back
    explanation: Self-graded.
    source: {doc: doc, section: Intro}
  - id: q-order
    type: order
    prompt: Order these.
    items: [First, Second, Third]
    explanation: In order.
    source: {doc: doc, section: Intro}
  - id: q-match
    type: match
    prompt: Match.
    pairs:
      - [a, x]
      - [b, y]
    explanation: Pairs.
    source: {doc: doc, section: Intro}
"""

MakeBank = Callable[..., Path]


@pytest.fixture
def make_bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MakeBank:
    """Write a bank (dedented text) into the current folder, which is ``tmp_path``.

    The working directory becomes ``tmp_path``, so the returned path is
    relative (``bank.yaml``) and error lines read ``bank.yaml:LINE:COL: ...``.
    A ``sources.yaml`` (``TEST_SOURCES`` unless ``sources`` says otherwise;
    ``None`` for none) is written beside the bank unless one is there already.
    """
    monkeypatch.chdir(tmp_path)

    def make(body: str, name: str = "bank.yaml", *, sources: str | None = TEST_SOURCES) -> Path:
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        sources_file = path.parent / "sources.yaml"
        if sources is not None and not sources_file.exists():
            sources_file.write_text(sources, encoding="utf-8")
        path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
        return path

    return make


@pytest.fixture(autouse=True)
def _own_cache_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test's commands keep their caches in a folder of the test run, never the
    user's (a test that names its own XDG_CACHE_HOME sets it again)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
