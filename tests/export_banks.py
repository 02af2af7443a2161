"""Small banks for the Anki export tests, written into a temporary folder."""

from __future__ import annotations

import base64
import os
from pathlib import Path

SOURCES = """\
sources:
  - id: overview
    title: "Overview of heterotopic ossification"
    kind: clinical overview
    sections: [Imaging, Treatment]
"""

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

# One question of every type; the texts hold characters that HTML would eat.
EVERY_TYPE = """\
id: every-type
title: Every type
description: "Cards of every type & kind"
tags: [demo]
questions:
  - id: mcq-skeleton
    type: mcq
    prompt: "Which skeleton is involved first: axial > appendicular?"
    choices:
      - text: Axial
        feedback: "Yes: axial > appendicular"
      - text: "Appendicular <limbs>"
        feedback: Not first.
      - Neither
    answer: Axial
    explanation: "Axial involvement comes first (axial > appendicular)."
    source: {doc: overview, section: Imaging}
    tags: [imaging, early signs]
    image: xray.png
  - id: multi-sites
    type: multi
    prompt: Which are common sites?
    choices: [Hip, Elbow, "Skull & face"]
    answer: [Hip, Elbow]
    explanation: Hip and elbow are common.
    source: {doc: overview, section: Imaging}
  - id: tf-size
    type: true_false
    prompt: "Lesions <1 cm are always benign."
    answer: false
    explanation: "Size <1 cm proves nothing."
    source: {doc: overview, section: Imaging}
  - id: short-drug
    type: short
    prompt: Which drug class is used for prophylaxis?
    accept: [NSAIDs, non-steroidal anti-inflammatory drugs]
    explanation: NSAIDs such as indomethacin.
    source: {doc: overview, section: Treatment}
  - id: numeric-dose
    type: numeric
    prompt: What single radiation dose is given?
    answer: 7
    tolerance: 1
    unit: Gy
    explanation: 7 Gy in a single fraction.
    source: {doc: overview, section: Treatment}
  - id: cloze-timing
    type: cloze
    text: "Radiation is given within {{c1::72 hours}} of surgery, as {{c2::7 Gy::dose}} <once>."
    explanation: Timing matters.
    source: {doc: overview, section: Treatment}
  - id: flash-brooker
    type: flashcard
    front: Brooker class IV
    back: "Ankylosis: bone bridging the joint"
    explanation: Brooker IV is ankylosis.
    source: {doc: overview, section: Imaging}
  - id: order-maturation
    type: order
    prompt: Order the stages of maturation.
    items: [Inflammation, Fibroproliferation, Mineralisation, Mature bone]
    explanation: Soft tissue first, bone last.
    source: {doc: overview, section: Imaging}
  - id: match-imaging
    type: match
    prompt: Match each test with what it shows.
    pairs:
      - [Bone scan, Early uptake]
      - [Radiograph, "Mature bone (> 3 weeks)"]
      - [CT, Extent]
    explanation: Each test has its moment.
    source: {doc: overview, section: Imaging}
"""

SECOND = """\
id: second
title: Second bank
deck: "Heterotopic Ossification::Extra"
questions:
  - id: mcq-skeleton
    type: mcq
    prompt: "Which skeleton is involved first: axial > appendicular?"
    choices: [Axial, Appendicular]
    answer: Axial
    explanation: "Axial involvement comes first (axial > appendicular)."
    source: {doc: overview, section: Imaging}
"""

# Cards per question of EVERY_TYPE: the cloze has two numbers.
EVERY_TYPE_NOTES = 9
EVERY_TYPE_CARDS = 10


def write_banks(folder: Path, *, mtime: int = 1_780_000_000) -> Path:
    """Write the two banks, their sources and image into ``folder``, all with ``mtime``."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "sources.yaml": SOURCES,
        "every-type.yaml": EVERY_TYPE,
        "second.yaml": SECOND,
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "xray.png").write_bytes(PNG)
    for name in (*files, "xray.png"):
        os.utime(folder / name, (mtime, mtime))
    return folder


def edit(path: Path, old: str, new: str, *, mtime: int) -> None:
    """Replace ``old`` by ``new`` in a bank file and set its modification time."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, (mtime, mtime))
