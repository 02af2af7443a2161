"""The one interface every interchange format implements.

An exporter turns banks into the bytes of one file; an importer turns the
text of one file into plain bank data (the same shape a YAML bank has) plus
every located problem it found. Neither touches the file system: the CLI
reads and writes files (atomically), so each format is testable on strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from hoquiz.errors import Problem
from hoquiz.model import Bank


@dataclass(frozen=True, slots=True)
class Skipped:
    """A question a format cannot hold, reported instead of dropped silently."""

    bank: str
    question: str
    reason: str

    def __str__(self) -> str:
        return f"{self.bank}/{self.question}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Exported:
    """What an exporter produced: the file's bytes and what it left out."""

    data: bytes
    questions: int
    skipped: tuple[Skipped, ...] = ()


class Exporter(Protocol):
    """Banks -> one file. Same banks, same bytes."""

    name: ClassVar[str]  # the value of ``hoquiz export --format``
    suffix: ClassVar[str]  # the default file name ending, with its dot

    def export(self, banks: Sequence[Bank]) -> Exported: ...


@dataclass(frozen=True, slots=True)
class Imported:
    """What an importer read: plain bank data and every problem, located."""

    bank: dict[str, Any]
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = field(default=())


class Importer(Protocol):
    """One file's text -> plain bank data (a mapping shaped like a YAML bank)."""

    name: ClassVar[str]  # the value of ``hoquiz import --format``
    suffixes: ClassVar[tuple[str, ...]]  # file endings that select this format

    def parse(self, text: str, path: str) -> Imported: ...
