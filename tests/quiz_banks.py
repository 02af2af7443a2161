"""Small banks for the quiz, store and stats tests, written into a temporary folder."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

SOURCES = """\
sources:
  - id: guide
    title: "Patient guide to HO"
    kind: patient guide
    sections: [Causes, Treatment]
"""

# One question of every type; a cloze with two cards.
ALPHA = """\
id: alpha
title: Alpha bank
tags: [core]
questions:
  - id: gene
    type: mcq
    tags: [genetics]
    prompt: Which gene is mutated in classic FOP?
    choices:
      - text: ACVR1
        feedback: Yes, the R206H variant.
      - text: BMP4
        feedback: A ligand, not the receptor.
      - NOG
    answer: ACVR1
    explanation: Classic FOP is caused by ACVR1 R206H.
    source: {doc: guide, section: Causes}
  - id: sites
    type: multi
    prompt: Which are common sites of HO?
    choices: [Hip, Elbow, Ear lobe]
    answer: [Hip, Elbow]
    explanation: Hip and elbow are common.
    source: {doc: guide, section: Causes}
  - id: bone
    type: true_false
    prompt: HO is bone that forms in soft tissue.
    answer: true
    explanation: It is lamellar bone outside the skeleton.
    source: {doc: guide, section: Causes}
  - id: drug
    type: short
    prompt: Which NSAID is used to prevent HO?
    accept: [Indométacine, indomethacin]
    explanation: Indomethacin is the classic choice.
    source: {doc: guide, section: Treatment}
  - id: dose
    type: numeric
    prompt: What single radiation dose is commonly used?
    answer: 7
    tolerance: 0.5
    unit: Gy
    explanation: About 7 Gy in one fraction.
    source: {doc: guide, section: Treatment}
  - id: fop
    type: cloze
    tags: [genetics]
    text: "FOP is caused by {{c1::ACVR1}} mutations, mostly {{c2::R206H::a codon}}."
    explanation: The classic variant is R206H.
    source: {doc: guide, section: Causes}
  - id: define
    type: flashcard
    front: Define heterotopic ossification.
    back: Bone forming where bone should not be.
    explanation: Lamellar bone in soft tissue.
    source: {doc: guide, section: Causes}
  - id: stages
    type: order
    prompt: Put the stages in order.
    items: [Inflammation, Cartilage, Bone]
    explanation: Endochondral ossification.
    source: {doc: guide, section: Causes}
  - id: pairs
    type: match
    prompt: Match drug and class.
    pairs: [[Indomethacin, NSAID], [Etidronate, Bisphosphonate], [Celecoxib, COX-2 inhibitor]]
    explanation: Three drug classes.
    source: {doc: guide, section: Treatment}
"""

BETA = """\
id: beta
title: Beta bank
questions:
  - id: b1
    type: true_false
    prompt: Beta one is true.
    answer: true
    explanation: Beta one.
    source: {doc: guide, section: Causes}
  - id: b2
    type: true_false
    prompt: Beta two is true.
    answer: true
    explanation: Beta two.
    source: {doc: guide, section: Causes}
  - id: b3
    type: true_false
    prompt: Beta three is true.
    answer: true
    explanation: Beta three.
    source: {doc: guide, section: Causes}
"""


def tf_bank(bank_id: str, count: int, *, revision: int = 1) -> str:
    """A bank of ``count`` true/false questions q1..qN, all true."""
    lines = [f"id: {bank_id}", f"title: {bank_id.title()} bank", "questions:"]
    for n in range(1, count + 1):
        lines += [
            f"  - id: q{n}",
            "    type: true_false",
            f"    prompt: Statement {n} of {bank_id} is true.",
            "    answer: true",
            f"    explanation: Statement {n} explained.",
            "    source: {doc: guide, section: Causes}",
            f"    revision: {revision}",
        ]
    return "\n".join(lines) + "\n"


def write_banks(folder: Path, **banks: str) -> Path:
    """Write ``sources.yaml`` and ``<name>.yaml`` for each bank; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    for name, text in banks.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


class Clock:
    """A pinned UTC clock that tests move forward by hand."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


class NoShuffle(random.Random):
    """A Random that leaves option order as written (tests know the letters)."""

    def shuffle(self, x: list[object]) -> None:  # type: ignore[override]
        return None


class ScriptedConsole:
    """Answers from a list (``None`` ends input; an exception instance is raised)."""

    def __init__(self, answers: list[str | BaseException | None]) -> None:
        self.answers = list(answers)
        self.lines: list[str] = []
        self.prompts = 0

    def show(self, text: str = "", style: str | None = None) -> None:
        self.lines.extend(text.split("\n"))

    def ask(self, prompt: str) -> str | None:
        self.prompts += 1
        if not self.answers:
            return None
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    @property
    def text(self) -> str:
        return "\n".join(self.lines)
