"""Typed exceptions. Only the CLI turns them into one-line messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem in a file: printed as ``path:line:col: message``.

    ``line`` and ``column`` are 1-based, as editors count them.
    """

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


def os_error_text(error: OSError) -> str:
    """Why an operating-system call failed, worded for a message: "permission denied"."""
    text = error.strerror or str(error)
    return text[:1].lower() + text[1:]


class HoquizError(Exception):
    """Base class of every error hoquiz reports to its users."""


class BankError(HoquizError):
    """One or more banks are invalid; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.path, p.line, p.column))
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(HoquizError):
    """The user asked for something that cannot be done as asked (exit 2)."""


class StoreError(HoquizError):
    """The progress database cannot be opened or used."""


class ExportError(HoquizError):
    """An export could not be written."""
