"""Synthetic banks of every question type, for benchmarks.

Prompts read like real ones: a lead-in drawn from a few common phrasings and a
body of varied words, with no number unique to a question (lint compares
stems that mention the same numbers, so a per-question number would hide
every pair from the near-duplicate check). A few true near-duplicates are
planted: :func:`planted_duplicates` names them, so a test can check that the
benchmark's lint really compares pairs.

One bank file (:func:`write_synthetic_bank`) or many in one folder
(:func:`write_synthetic_folder`); about 500 bytes per question.
"""

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

LEAD_INS = (
    "Which of the following best explains",
    "What is the most likely cause of",
    "Which finding most strongly suggests",
    "Which statement about",
    "What should be done first about",
    "Which imaging study best shows",
    "Which patient group is most at risk of",
    "What distinguishes",
    "Which mechanism underlies",
    "When is it reasonable to consider",
)

WORDS = [
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
    "femoral",
    "acetabular",
    "humeral",
    "olecranon",
    "quadriceps",
    "adductor",
    "hamstring",
    "gluteal",
    "cortical",
    "trabecular",
    "periosteal",
    "marrow",
    "progenitor",
    "chondrocyte",
    "osteoblast",
    "osteoclast",
    "matrix",
    "mineral",
    "alkaline",
    "phosphatase",
    "serum",
    "ultrasound",
    "tomography",
    "resonance",
    "uptake",
    "phase",
    "vascular",
    "perfusion",
    "inflammatory",
    "cytokine",
    "prostaglandin",
    "inhibitor",
    "radiotherapy",
    "dose",
    "fraction",
    "window",
    "injury",
    "spinal",
    "cord",
    "brain",
    "arthroplasty",
    "revision",
    "fracture",
    "dislocation",
    "immobilisation",
    "mobilisation",
    "range",
    "motion",
    "stiffness",
    "pain",
    "swelling",
    "warmth",
    "fever",
    "nerve",
    "entrapment",
    "ulnar",
    "sciatic",
    "vessel",
    "compression",
    "pressure",
    "ulcer",
    "sitting",
    "posture",
    "gait",
    "walking",
    "transfer",
    "function",
    "outcome",
    "staging",
    "grade",
    "classification",
    "brooker",
    "hastings",
    "mature",
    "immature",
    "zonal",
    "peripheral",
    "central",
    "margin",
    "density",
    "heterogeneous",
    "sclerotic",
    "lucent",
    "bridging",
    "island",
    "shell",
    "rim",
    "blast",
    "combat",
    "amputation",
    "residual",
    "limb",
    "socket",
    "prosthesis",
    "genetic",
    "variant",
    "receptor",
    "kinase",
    "pathway",
    "bone",
    "morphogenetic",
    "protein",
    "hypoxia",
    "neurogenic",
    "myositis",
    "tumoral",
    "progressive",
    "congenital",
    "toe",
    "thumb",
    "malformation",
]

# Real collections of this size use tens of thousands of distinct words, a few
# very often and most rarely (Zipf's law): the topic words above, then
# generated terms, drawn with probability falling as 1 / (rank + 10).
_SYLLABLES = [
    "os",
    "teo",
    "peri",
    "arti",
    "cul",
    "ar",
    "lam",
    "el",
    "lar",
    "my",
    "o",
    "sit",
    "is",
    "fib",
    "ro",
    "chon",
    "dro",
    "gen",
    "ic",
    "neu",
    "ro",
    "vas",
    "cu",
    "lo",
    "cap",
    "su",
    "lar",
    "tend",
    "in",
    "ous",
    "hyp",
    "ox",
    "ia",
    "mes",
    "en",
    "chy",
    "mal",
    "scler",
    "ot",
    "ic",
    "troph",
    "path",
    "ia",
]


def _vocabulary(size: int = 6000, seed: int = 7) -> tuple[str, ...]:
    rng = random.Random(seed)
    words = dict.fromkeys(WORDS)
    while len(words) < size:
        words["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))] = None
    return tuple(words)


VOCABULARY = _vocabulary()
_WEIGHTS = tuple(1 / (rank + 10) for rank in range(len(VOCABULARY)))

GLUE = ("of the", "in a", "after", "with", "and", "during", "before", "around the", "on", "for")


def _words(rng: random.Random, n: int) -> list[str]:
    return rng.choices(VOCABULARY, weights=_WEIGHTS, k=n)


def _phrase(rng: random.Random, n: int) -> str:
    return " ".join(_words(rng, n))


def _sentence(rng: random.Random, words: int) -> str:
    parts = []
    for k, word in enumerate(_words(rng, words)):
        parts.append(word)
        if k % 3 == 2 and k < words - 1:
            parts.append(rng.choice(GLUE))
    return " ".join(parts)


def _prompt(rng: random.Random) -> str:
    return f"{rng.choice(LEAD_INS)} {_sentence(rng, rng.randint(5, 11))}?"


def _near_copy(prompt: str, rng: random.Random) -> str:
    """A prompt that differs from ``prompt`` by one small edit (over 90% similar)."""
    words = prompt.rstrip("?").split()
    j = rng.randrange(len(words))
    edit = rng.randrange(3)
    if edit == 0:
        words[j] = words[j] + "s"
    elif edit == 1:
        words.insert(j, "the")
    else:
        words[j] = words[j][:-1] if len(words[j]) > 3 else words[j]
    return " ".join(words) + "?"


def planted_duplicates(n: int) -> list[int]:
    """The questions (0-based) of an ``n``-question synthetic bank that nearly copy an earlier
    prompt: one per 2,000 questions, at least three."""
    count = max(3, n // 2000)
    step = n // count
    return [k * step + step // 2 for k in range(count) if k * step + step // 2 > 0]


def _question(i: int, rng: random.Random, prompt: str) -> str:
    kind = QUESTION_TYPES[i % len(QUESTION_TYPES)]
    head = f"  - id: q{i:06d}\n    type: {kind}\n"
    tail = (
        f"    tags: [t{i % 7}, synthetic]\n"
        f"    explanation: {_sentence(rng, rng.randint(8, 16))}.\n"
        f"    source: {{doc: synthetic, section: {('Alpha', 'Beta', 'Gamma')[i % 3]}}}\n"
    )
    line = f"    prompt: {prompt}\n"
    if kind in ("mcq", "multi"):
        options = list(dict.fromkeys(_phrase(rng, 3) for _ in range(5)))[:4]
        while len(options) < 4:
            options.append(_phrase(rng, 5))
        body = line + "    choices:\n" + "".join(f"      - {o}\n" for o in options)
        body += (
            f"    answer: {options[1]}\n"
            if kind == "mcq"
            else f"    answer: [{options[0]}, {options[2]}]\n"
        )
    elif kind == "true_false":
        body = line + f"    answer: {'true' if i % 2 else 'false'}\n"
    elif kind == "short":
        word, other = _words(rng, 2)
        body = line + f"    accept: [{word}, {word} {other}]\n"
    elif kind == "numeric":
        body = line + f"    answer: {i % 100}\n    tolerance: 1\n    unit: '%'\n"
    elif kind == "cloze":
        text = prompt.rstrip("?").split()
        text[-1] = "{{c1::" + text[-1] + "}}"
        text[1] = "{{c2::" + text[1] + "::a word}}"
        body = f'    text: "{" ".join(text)}."\n'
    elif kind == "flashcard":
        body = f"    front: {prompt}\n    back: {_sentence(rng, 6)}.\n"
    elif kind == "order":
        steps = list(dict.fromkeys(_phrase(rng, 3) for _ in range(4)))
        body = line + "    items:\n" + "".join(f"      - {s}\n" for s in steps)
        if len(steps) < 2:
            body += f"      - {_phrase(rng, 6)}\n"
    else:
        lefts = list(dict.fromkeys(_phrase(rng, 2) for _ in range(3)))
        rights = list(dict.fromkeys(_phrase(rng, 2) for _ in range(len(lefts))))
        pairs = list(zip(lefts, rights, strict=False))
        body = line + "    pairs:\n" + "".join(f"      - [{a}, {b}]\n" for a, b in pairs)
        if len(pairs) < 2:
            body += "      - [extra left item, extra right item]\n"
    return head + body + tail


def _prompts(n: int, seed: int) -> tuple[random.Random, list[str]]:
    rng = random.Random(seed)
    prompts = [_prompt(rng) for _ in range(n)]
    for i in planted_duplicates(n):
        prompts[i] = _near_copy(prompts[rng.randrange(i)], rng)
    return rng, prompts


def _bank_text(bank_id: str, questions: list[str]) -> str:
    return (
        f"id: {bank_id}\ntitle: Synthetic bank {bank_id}\n"
        "description: Generated for benchmarks.\nquestions:\n" + "".join(questions)
    )


def write_synthetic_bank(path: Path, n: int = 10_000, seed: int = 1) -> Path:
    """Write a valid bank of ``n`` questions at ``path`` and a sources.yaml beside it."""
    rng, prompts = _prompts(n, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    questions = [_question(i, rng, prompts[i]) for i in range(n)]
    path.write_text(_bank_text("synthetic", questions), encoding="utf-8")
    return path


def write_synthetic_folder(folder: Path, n: int = 10_000, files: int = 100, seed: int = 1) -> Path:
    """Write ``n`` questions split evenly into ``files`` banks in ``folder`` (one sources.yaml).

    The planted near-duplicates fall in different banks from what they copy.
    """
    rng, prompts = _prompts(n, seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    per_file = -(-n // files)
    for f in range(files):
        questions = [
            _question(i, rng, prompts[i]) for i in range(f * per_file, min(n, (f + 1) * per_file))
        ]
        if questions:
            text = _bank_text(f"synthetic-{f:03d}", questions)
            (folder / f"bank-{f:03d}.yaml").write_text(text, encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path, help="a .yaml file, or a folder with --files")
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=0, help="split into this many banks")
    args = parser.parse_args()
    if args.files:
        out = write_synthetic_folder(args.path, args.n, args.files)
        size = sum(p.stat().st_size for p in out.glob("*.yaml"))
    else:
        out = write_synthetic_bank(args.path, args.n)
        size = out.stat().st_size
    print(f"wrote {out} ({size / 1e6:.1f} MB, {args.n} questions)")


if __name__ == "__main__":
    main()
