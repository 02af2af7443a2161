"""A synthetic bank of every question type, for benchmarks (about 2 MB at 10,000 questions)."""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from hoquiz.model import QUESTION_TYPES

SOURCES = """\
sources:
  - id: synthetic
    title: Synthetic reference
    kind: benchmark fixture
    sections: [Alpha, Beta, Gamma]
"""

WORDS = (
    "ossification",
    "lamellar",
    "periarticular",
    "flexion",
    "abduction",
    "radiograph",
    "scintigraphy",
    "tracer",
    "maturation",
    "recurrence",
    "excision",
    "prophylaxis",
    "spasticity",
    "contracture",
    "ankylosis",
    "oedema",
    "erythema",
    "capsule",
    "tendon",
    "fascia",
    "hematoma",
    "mesenchymal",
    "osteogenic",
    "signalling",
    "trauma",
    "burn",
)


def _phrase(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _question(i: int, rng: random.Random) -> str:
    kind = QUESTION_TYPES[i % len(QUESTION_TYPES)]
    head = f"  - id: q{i:05d}\n    type: {kind}\n"
    tail = (
        f"    tags: [t{i % 7}, synthetic]\n"
        f"    explanation: {_phrase(rng, 3)}.\n"
        f"    source: {{doc: synthetic, section: {('Alpha', 'Beta', 'Gamma')[i % 3]}}}\n"
    )
    prompt = f"    prompt: Question {i} about {_phrase(rng, 4)}?\n"
    if kind in ("mcq", "multi"):
        options = [f"option {i}-{j} {_phrase(rng, 1)}" for j in range(4)]
        body = prompt + "    choices:\n" + "".join(f"      - {o}\n" for o in options)
        body += (
            f"    answer: {options[1]}\n"
            if kind == "mcq"
            else f"    answer: [{options[0]}, {options[2]}]\n"
        )
    elif kind == "true_false":
        body = prompt + f"    answer: {'true' if i % 2 else 'false'}\n"
    elif kind == "short":
        body = prompt + f"    accept: [term{i}, term {i}]\n"
    elif kind == "numeric":
        body = prompt + f"    answer: {i % 100}\n    tolerance: 1\n    unit: '%'\n"
    elif kind == "cloze":
        body = (
            f'    text: "{_phrase(rng, 3)} {{{{c1::word{i}}}}} {_phrase(rng, 2)} '
            f'{{{{c2::figure {i}::a number}}}} {_phrase(rng, 4)}."\n'
        )
    elif kind == "flashcard":
        body = f"    front: Card {i} {_phrase(rng, 5)}?\n    back: {_phrase(rng, 6)}.\n"
    elif kind == "order":
        body = (
            prompt
            + "    items:\n"
            + "".join(f"      - step {i}-{j} {_phrase(rng, 3)}\n" for j in range(4))
        )
    else:
        body = (
            prompt
            + "    pairs:\n"
            + "".join(
                f"      - [left {i}-{j} {_phrase(rng, 2)}, right {i}-{j} {_phrase(rng, 2)}]\n"
                for j in range(3)
            )
        )
    return head + body + tail


def write_synthetic_bank(path: Path, n: int = 10_000, seed: int = 1) -> Path:
    """Write a valid bank of ``n`` questions at ``path`` and a sources.yaml beside it."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    parts = [
        f"id: synthetic\ntitle: Synthetic bank of {n} questions\n"
        "description: Generated for benchmarks.\nquestions:\n"
    ]
    parts += [_question(i, rng) for i in range(n)]
    path.write_text("".join(parts), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("-n", type=int, default=10_000)
    args = parser.parse_args()
    out = write_synthetic_bank(args.path, args.n)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {args.n} questions)")


if __name__ == "__main__":
    main()
