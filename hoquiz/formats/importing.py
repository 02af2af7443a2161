"""``hoquiz import``: files of other formats -> one YAML bank that validates.

Each file is parsed into plain bank data by its format's importer; the
questions are merged, given ids and placeholders for what the format lacks,
dumped as YAML and checked by the bank loader before anything is written.
Problems in the input are reported all at once, located; a bank that would
not validate is never written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hoquiz.atomic import write_atomically
from hoquiz.banks.checks import SLUG_RE
from hoquiz.banks.paths import BANK_SUFFIXES, SOURCES_NAMES, find_sources_file
from hoquiz.errors import BankError, HoquizError, Problem, UsageError
from hoquiz.formats import registry
from hoquiz.formats.common import (
    PLACEHOLDER_EXPLANATION,
    PLACEHOLDER_MARK,
    PLACEHOLDER_SECTION,
    PLACEHOLDER_SOURCE_ID,
    PLACEHOLDER_SOURCE_TITLE,
    IdMaker,
    slug,
)

SOURCES_STUB = f"""\
# Reference documents your banks cite (written by hoquiz import).
# Replace the placeholder below with the document the imported questions
# come from; list its headings under `sections` to have validate check them.
sources:
  - id: {PLACEHOLDER_SOURCE_ID}
    title: "{PLACEHOLDER_SOURCE_TITLE}"
    kind: reference
"""


@dataclass(frozen=True)
class ImportReport:
    """What ``hoquiz import`` wrote and what it could not carry over."""

    bank: Path
    questions: int
    sources_created: Path | None
    warnings: tuple[Problem, ...]
    placeholders: int


def import_files(
    files: Sequence[Path],
    output: Path,
    *,
    bank_id: str | None = None,
    source: str | None = None,
    fmt: str | None = None,
    force: bool = False,
) -> ImportReport:
    """Import ``files`` into the bank ``output``.

    Raises:
        BankError: located problems in the input files (nothing is written).
        UsageError: the output exists (without ``force``), a format is unknown,
            or ``source`` cannot be cited.
        HoquizError: the output cannot be written.
    """
    if output.suffix not in BANK_SUFFIXES or output.name in SOURCES_NAMES:
        raise UsageError(f"{output}: a bank file name ends in .yaml or .yml")
    if bank_id is not None and not SLUG_RE.fullmatch(bank_id):
        raise UsageError(f"--bank-id {bank_id!r}: a bank id is a slug (a-z, 0-9 and '-')")
    if output.exists() and not force:
        raise UsageError(f"{output} already exists; use --force to replace it")
    if not output.parent.is_dir():
        raise UsageError(f"cannot write {output}: folder {output.parent} does not exist")
    parsed = [_parse(file, fmt) for file in files]
    problems = [p for _, imported in parsed for p in imported.problems]
    if problems:
        raise BankError(problems)
    warnings = tuple(w for _, imported in parsed for w in imported.warnings)
    doc, stub = _source_doc(output, source)
    data, placeholders = _merge([imported.bank for _, imported in parsed], output, bank_id, doc)
    if not data["questions"]:
        raise UsageError("no question to import: " + ", ".join(str(f) for f in files))
    from hoquiz.banks.yamlio import dump

    text = _HEADER + dump(data)
    created = _write_checked(output, text, stub, force)
    return ImportReport(output, len(data["questions"]), created, warnings, placeholders)


_HEADER = """\
# Imported by hoquiz import. `hoquiz lint` lists every TODO(import) placeholder
# (explanations and sources the imported file did not have): write them.
"""


def _parse(file: Path, fmt: str | None) -> tuple[Path, Any]:
    from hoquiz.banks.yamlio import read_text
    from hoquiz.formats.base import Imported

    name = registry.import_format(file, fmt)
    importer = registry.importer(name)
    if not file.is_file():
        raise UsageError(f"no such file: {file}")
    text, problems = read_text(file, str(file))
    if text is None:
        return file, Imported({}, tuple(problems))
    return file, importer.parse(text, str(file))


def _source_doc(output: Path, source: str | None) -> tuple[str, bool]:
    """The source id the questions cite, and whether a sources.yaml must be written."""
    from hoquiz.banks.loader import load_sources_file

    found = find_sources_file(output.parent)
    if found is None:
        if source is not None and source != PLACEHOLDER_SOURCE_ID:
            raise UsageError(
                f"--source {source}: no sources.yaml beside {output} or above it declares it"
            )
        return PLACEHOLDER_SOURCE_ID, True
    sources, problems = load_sources_file(found)
    if problems:
        raise BankError(problems)
    if source is None:
        raise UsageError(
            f"{found} exists: name the document the questions come from with --source "
            f"(one of: {', '.join(sources) or 'none declared'})"
        )
    declared = sources.get(source)
    if declared is None:
        raise UsageError(f"--source {source}: not declared in {found}")
    if declared.sections:
        raise UsageError(
            f"--source {source}: it lists sections, and imported questions have none yet; "
            "cite a source without sections, then fill them in"
        )
    return source, False


def _merge(
    banks: Sequence[dict[str, Any]], output: Path, bank_id: str | None, doc: str
) -> tuple[dict[str, Any], int]:
    title = next((b["title"] for b in banks if b.get("title")), None)
    title = title or output.stem.replace("-", " ").replace("_", " ").strip().capitalize()
    ids = IdMaker()
    questions = []
    placeholders = 0
    for bank in banks:
        for raw in bank.get("questions", []):
            question, filled = _complete(raw, ids, doc)
            questions.append(question)
            placeholders += filled
    data = {
        "id": bank_id or slug(output.stem, words=12),
        "title": title or "Imported questions",
        "questions": questions,
    }
    return data, placeholders


# Keys in the order a bank writer would put them.
_ORDER = (
    "id",
    "type",
    "tags",
    "prompt",
    "text",
    "front",
    "back",
    "choices",
    "items",
    "pairs",
    "answer",
    "accept",
    "tolerance",
    "unit",
    "explanation",
    "source",
)


def _complete(raw: dict[str, Any], ids: IdMaker, doc: str) -> tuple[dict[str, Any], int]:
    """One imported question with its final id and placeholders; and how many."""
    question = dict(raw)
    question["id"] = ids.make(str(raw["id"]))
    filled = 0
    if not str(question.get("explanation", "")).strip():
        question["explanation"] = PLACEHOLDER_EXPLANATION
        filled += 1
    cited = question.pop("cited", None)
    section = f"{PLACEHOLDER_SECTION} (the file cited: {cited})" if cited else PLACEHOLDER_SECTION
    question["source"] = {"doc": doc, "section": section}
    filled += 1 + str(question.get("back", "")).startswith(PLACEHOLDER_MARK)
    ordered = {k: question[k] for k in _ORDER if k in question}
    return ordered, filled


def _write_checked(output: Path, text: str, stub: bool, force: bool) -> Path | None:
    """Write the bank only if the loader accepts it (and a sources.yaml if needed)."""
    created: Path | None = None
    if stub:
        created = output.parent / SOURCES_NAMES[0]
        try:
            write_atomically(created, SOURCES_STUB.encode("utf-8"), replace=False)
        except OSError as exc:
            raise HoquizError(f"cannot write {created}: {exc.strerror or exc}") from None
    try:
        _validate_then_write(output, text, force)
    except BaseException:
        if created is not None:
            with contextlib.suppress(OSError):
                created.unlink()
        raise
    return created


def _validate_then_write(output: Path, text: str, force: bool) -> None:
    from hoquiz.banks.loader import load_banks

    data = text.encode("utf-8")
    fd, temp_name = tempfile.mkstemp(dir=output.parent, prefix=".import-", suffix=".yaml")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        try:
            load_banks([temp])
        except BankError as error:
            lines = "; ".join(p.message for p in error.problems[:3])
            raise HoquizError(f"the imported bank would not validate ({lines})") from None
        write_atomically(output, data, replace=force)
    except FileExistsError:
        raise UsageError(f"{output} already exists; use --force to replace it") from None
    except OSError as exc:
        raise HoquizError(f"cannot write {output}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
