"""Which module holds each format; modules are imported only when used."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, cast

from hoquiz.errors import UsageError

if TYPE_CHECKING:
    from hoquiz.formats.base import Exporter, Importer

# format name -> "module:class"
EXPORTERS: dict[str, str] = {
    "gift": "hoquiz.formats.gift:GiftExporter",
    "moodle-xml": "hoquiz.formats.moodle_xml:MoodleXmlExporter",
    "qti": "hoquiz.formats.qti:QtiExporter",
    "aiken": "hoquiz.formats.aiken:AikenExporter",
    "csv": "hoquiz.formats.csv_format:CsvExporter",
}
IMPORTERS: dict[str, str] = {
    "gift": "hoquiz.formats.gift:GiftImporter",
    "aiken": "hoquiz.formats.aiken:AikenImporter",
    "moodle-xml": "hoquiz.formats.moodle_xml:MoodleXmlImporter",
    "csv": "hoquiz.formats.csv_format:CsvImporter",
}
# File endings that select an importer without --format.
IMPORT_SUFFIXES: dict[str, str] = {
    ".gift": "gift",
    ".aiken": "aiken",
    ".xml": "moodle-xml",
    ".csv": "csv",
}


def _load(spec: str) -> object:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)()


def exporter(name: str) -> Exporter:
    if name not in EXPORTERS:
        raise UsageError(f"unknown export format '{name}'; formats: apkg, {', '.join(EXPORTERS)}")
    return cast("Exporter", _load(EXPORTERS[name]))


def importer(name: str) -> Importer:
    if name not in IMPORTERS:
        raise UsageError(f"unknown import format '{name}'; formats: {', '.join(IMPORTERS)}")
    return cast("Importer", _load(IMPORTERS[name]))


def import_format(path: Path, given: str | None) -> str:
    """The format to read ``path`` with: ``given``, else the one its ending names."""
    if given is not None:
        return given
    found = IMPORT_SUFFIXES.get(path.suffix.lower())
    if found is None:
        known = ", ".join(f"{s} ({f})" for s, f in IMPORT_SUFFIXES.items())
        raise UsageError(
            f"{path}: cannot tell the format from the file name; use --format "
            f"({', '.join(IMPORTERS)}); known endings: {known}"
        )
    return found
