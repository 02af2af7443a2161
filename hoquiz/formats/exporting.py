"""``hoquiz export --format``: banks -> one interchange file, written atomically."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hoquiz.atomic import write_atomically
from hoquiz.errors import ExportError
from hoquiz.formats import registry
from hoquiz.formats.base import Exported
from hoquiz.model import Bank
from hoquiz.text import plural


def export_data(name: str, banks: Sequence[Bank], *, strict: bool = False) -> Exported:
    """``banks`` in format ``name``, in memory.

    Raises:
        ExportError: ``strict`` and some question has no form in the format.
    """
    exported = registry.exporter(name).export(banks)
    if strict and exported.skipped:
        lines = "\n".join(str(s) for s in exported.skipped)
        count = plural(len(exported.skipped), "question")
        raise ExportError(
            f"{lines}\n{count} cannot be written as {name} (--strict); nothing written"
        )
    return exported


def export_file(
    name: str, banks: Sequence[Bank], output: Path, *, strict: bool = False
) -> Exported:
    """Export ``banks`` in format ``name`` to ``output``.

    Raises:
        ExportError: ``strict`` and some question has no form in the format
            (nothing is written), or the file cannot be written.
    """
    exported = export_data(name, banks, strict=strict)
    try:
        write_atomically(output, exported.data)
    except OSError as exc:
        raise ExportError(f"cannot write {output}: {exc.strerror or exc}") from None
    return exported


def default_output(name: str) -> Path:
    """``hoquiz.<suffix>`` for format ``name``."""
    suffix = ".apkg" if name == "apkg" else registry.exporter(name).suffix
    return Path(f"hoquiz{suffix}")
