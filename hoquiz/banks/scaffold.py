"""`hoquiz new`: a starter bank with one commented example of each question type."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import assert_never

from hoquiz.atomic import write_atomically
from hoquiz.banks.loader import load_sources_file
from hoquiz.banks.paths import SOURCES_NAMES, find_sources_file
from hoquiz.errors import HoquizError, UsageError, os_error_text
from hoquiz.model import QUESTION_TYPES, QuestionKind

STARTER_SOURCES = """\
# Reference documents your banks cite. Every question's `source.doc` names
# one of these ids; list a document's headings under `sections` to have
# `hoquiz validate` check each question's `source.section` against them.
# `namespace` keeps the Anki notes of the banks in this folder apart from
# any other author's banks with the same ids: never change it once learners
# have imported your decks (docs/anki-export.md).
namespace: {namespace}
sources:
  - id: my-reference
    title: Title of the reference document
    kind: clinical overview
    date: "2025-01-31"
    sections:
      - Introduction
"""

STARTER_HEADER = """\
# yaml-language-server: $schema=bank.schema.json
# (Editor completion and checking: run `hoquiz schema > bank.schema.json` here.)
# A hoquiz bank: one YAML file, one bank. Format: docs/bank-format.md.
# Check it with `hoquiz validate {path}` and `hoquiz lint {path}`.
# Replace the example questions below with your own; a question's `id` is
# its permanent identity for learners' progress and for Anki, so never
# rename it once the bank is in use (raise `revision` to reset progress).
id: {bank_id}
title: {title}
# deck: "My course::My bank"   # Anki deck path ('::' nests); default: the title
description: What this bank covers, in one sentence.
tags: [starter]

questions:
"""


def starter_example(kind: QuestionKind) -> str:
    """The commented example question of ``kind`` in a starter bank (a format template)."""
    match kind:
        case "mcq":
            return """\
  # mcq: single best answer; `answer` is the text of exactly one choice.
  # A choice may carry feedback shown after answering.
  - id: example-mcq
    type: mcq
    prompt: Which imaging study is usually ordered first?
    choices:
      - Plain radiography
      - text: MRI
        feedback: Feedback shown to a learner who picked this option.
      - Bone scan
      - CT
    answer: Plain radiography
    explanation: Say why the key is right and why the most tempting distractor is wrong.
    source: {{doc: {doc}, section: {section}}}
"""
        case "multi":
            return """\
  # multi: select all that apply; `answer` lists every correct choice.
  - id: example-multi
    type: multi
    prompt: Which of these are examples in this starter bank?
    choices: [mcq, multi, essay, oral]
    answer: [mcq, multi]
    explanation: mcq and multi are question types; essay and oral are not.
    source: {{doc: {doc}, section: {section}}}
"""
        case "true_false":
            return """\
  # true_false: `answer` is an unquoted YAML boolean.
  - id: example-true-false
    type: true_false
    prompt: A true_false answer is written as an unquoted boolean.
    answer: true
    explanation: Quoting it ("true") would make it text, which the validator rejects.
    source: {{doc: {doc}, section: {section}}}
"""
        case "short":
            return """\
  # short: free text; matching ignores case, accents, punctuation and extra spaces.
  - id: example-short
    type: short
    prompt: Name the file format that hoquiz banks are written in.
    accept: [YAML, YML]
    explanation: Banks are YAML files; list every spelling you accept.
    source: {{doc: {doc}, section: {section}}}
"""
        case "numeric":
            return """\
  # numeric: a number, with an optional tolerance (>= 0) and unit.
  - id: example-numeric
    type: numeric
    prompt: How many question types does hoquiz support?
    answer: 9
    tolerance: 0
    unit: types
    explanation: mcq, multi, true_false, short, numeric, cloze, flashcard, order and match.
    source: {{doc: {doc}, section: {section}}}
"""
        case "cloze":
            return """\
  # cloze: Anki cloze syntax; {{{{c1::answer}}}} or {{{{c1::answer::hint}}}}.
  # Each distinct number becomes a card of its own.
  - id: example-cloze
    type: cloze
    text: "A cloze hides {{{{c1::one deletion}}}} per card; deletions are numbered {{{{c2::c1, c2::like this}}}}."
    explanation: Keep deletions short enough to recall, such as a term or a figure.
    source: {{doc: {doc}, section: {section}}}
"""  # noqa: E501 - a YAML line as an instructor would write it
        case "flashcard":
            return """\
  # flashcard: self-graded; the learner reveals the back and rates recall.
  - id: example-flashcard
    type: flashcard
    front: What does a flashcard ask of the learner?
    back: To recall the back, reveal it and rate how well they remembered.
    explanation: Flashcards suit facts that have no short typed answer.
    source: {{doc: {doc}, section: {section}}}
"""
        case "order":
            return """\
  # order: `items` are listed in the correct order; the quiz shuffles them.
  - id: example-order
    type: order
    prompt: Put the steps of writing a bank in order.
    items:
      - Write the questions
      - Run hoquiz validate
      - Run hoquiz lint
    explanation: Validate first (structure), then lint (item-writing quality).
    source: {{doc: {doc}, section: {section}}}
"""
        case "match":
            return """\
  # match: pairs of [left, right]; lefts unique, rights unique.
  - id: example-match
    type: match
    prompt: Match each command to what it does.
    pairs:
      - [hoquiz validate, checks the format]
      - [hoquiz lint, checks item-writing quality]
      - [hoquiz export, writes an Anki deck]
    explanation: Each command has one job.
    source: {{doc: {doc}, section: {section}}}
"""
        case _:
            assert_never(kind)


STARTER_BANK = STARTER_HEADER + "\n".join(starter_example(kind) for kind in QUESTION_TYPES)


@dataclass(frozen=True)
class Written:
    bank: Path
    sources_created: Path | None


def _slug(stem: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return slug or "my-bank"


def _yaml_text(value: str) -> str:
    # JSON strings are valid YAML double-quoted scalars.
    return json.dumps(value, ensure_ascii=False)


def _create_exclusive(path: Path, text: str) -> None:
    """Write ``text`` to a new file at ``path`` atomically; never overwrite."""
    try:
        write_atomically(path, text.encode("utf-8"), replace=False)
    except FileExistsError:
        raise UsageError(f"{path} already exists; hoquiz new never overwrites a file") from None
    except OSError as exc:
        raise HoquizError(f"cannot write {path}: {os_error_text(exc)}") from None


def write_starter_bank(path: Path, namespace: str) -> Written:
    """Write a starter bank at ``path`` (and a sources.yaml if none is found).

    A new sources.yaml declares ``namespace`` (the caller draws it at random).

    Raises:
        UsageError: ``path`` exists or is not a .yaml/.yml file name.
        HoquizError: the folder is missing or not writable.
    """
    if path.suffix not in (".yaml", ".yml"):
        raise UsageError(f"{path}: a bank file name ends in .yaml or .yml")
    if path.name in SOURCES_NAMES:
        raise UsageError(f"{path}: that name is reserved for the sources file")
    if path.exists():
        raise UsageError(f"{path} already exists; hoquiz new never overwrites a file")
    folder = path.parent
    if not folder.is_dir():
        raise HoquizError(f"cannot write {path}: folder {folder} does not exist")
    sources_file = find_sources_file(folder)
    created: Path | None = None
    doc, section = "my-reference", "Introduction"
    if sources_file is not None:
        sources, _ = load_sources_file(sources_file)
        if sources:
            first = next(iter(sources.values()))
            doc = first.id
            section = first.sections[0] if first.sections else "Introduction"
    else:
        created = folder / SOURCES_NAMES[0]
        _create_exclusive(created, STARTER_SOURCES.format(namespace=namespace))
    title = path.stem.replace("-", " ").replace("_", " ").strip().capitalize() or "My bank"
    text = STARTER_BANK.format(
        path=path.name,
        bank_id=_slug(path.stem),
        title=_yaml_text(title),
        doc=doc,
        section=_yaml_text(section),
    )
    _create_exclusive(path, text)
    return Written(path, created)
