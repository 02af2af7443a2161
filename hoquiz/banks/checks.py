"""Shape checks on plain YAML data, each problem recorded with its data path.

:class:`Checker` collects ``(data path, message)`` pairs while a file's data
is walked; :meth:`Checker.located` turns them into ``path:line:col`` problems.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hoquiz.banks.yamlio import DataPath, Locator, other_reading
from hoquiz.errors import Problem
from hoquiz.model import invariants as rules
from hoquiz.text import did_you_mean, quote

SLUG_RE = re.compile(r"[a-z0-9-]+")


def not_text(what: str, value: Any, expected: str = "text") -> str:
    """Why ``value`` is not the non-empty text expected of ``what``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return f"{what} must not be empty"
    hint = " (quote it to make it text)" if isinstance(value, (bool, int, float)) else ""
    return f"{what} must be {expected}, not {show(value)}{hint}"


def misread(key: str, value: Any, *, boolean: bool) -> str | None:
    """Why text that other YAML readers take for the number (or boolean) expected is not one."""
    reading = other_reading(value) if isinstance(value, str) else None
    if reading is None or isinstance(reading.value, bool) != boolean:
        return None
    return f"{key}: {value} is text in hoquiz banks ({reading.how}); write {reading.instead}"


def show(value: Any) -> str:
    """A value as an instructor wrote it, for error messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, int):
        return rules.number_text(value)
    return str(value)


@functools.cache
def _allowed(required: tuple[str, ...], optional: tuple[str, ...]) -> frozenset[str]:
    # Called with a few constant tuples (a bank's keys, a question type's, ...):
    # each set is built once.
    return frozenset((*required, *optional))


@dataclass
class Checker:
    """Checks one file's plain data, collecting (data path, message) problems."""

    display: str
    pending: list[tuple[DataPath, bool, str]] = field(default_factory=list)

    def error(self, path: DataPath, message: str, *, key: bool = False) -> None:
        self.pending.append((path, key, message))

    def located(self, text: str, locator: Locator | None = None) -> list[Problem]:
        if not self.pending:
            return []
        locator = locator or Locator(text)
        out = []
        for path, key, message in self.pending:
            line, column = locator.locate(path, key=key)
            out.append(Problem(self.display, line, column, message))
        return out

    # -- generic shapes ---------------------------------------------------

    def keys(
        self,
        data: dict[Any, Any],
        path: DataPath,
        required: Sequence[str],
        optional: Sequence[str],
        what: str,
        *,
        suggestions: Sequence[str] | None = None,
    ) -> None:
        allowed = _allowed(tuple(required), tuple(optional))
        for k in data:
            if k in allowed:  # the usual case: one lookup
                continue
            if not isinstance(k, str):
                self.error((*path, k), f"{what} keys must be text, not {show(k)}", key=True)
            elif k not in allowed:
                names = (*required, *optional) if suggestions is None else suggestions
                hint = did_you_mean(k, names)
                self.error((*path, k), f"unknown key {show(k)} in {what}{hint}", key=True)
        for k in required:
            if k not in data:
                self.error(path, f"{what} is missing required key '{k}'")

    def text(self, data: dict[Any, Any], key: str, path: DataPath, *, required: bool) -> str | None:
        if key not in data:
            return None  # reported by keys() when required
        value = data[key]
        if isinstance(value, str) and value.strip():
            return value
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error((*path, key), f"'{key}' must not be empty")
            return None
        hint = " (quote it to make it text)" if isinstance(value, (bool, int, float)) else ""
        self.error((*path, key), f"'{key}' must be text, not {show(value)}{hint}")
        return None

    def slug(self, data: dict[Any, Any], key: str, path: DataPath) -> str | None:
        value = self.text(data, key, path, required=True)
        if value is None:
            return None
        if not SLUG_RE.fullmatch(value):
            fixed = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
            hint = f" (e.g. '{fixed}')" if fixed else ""
            self.error(
                (*path, key),
                f"'{key}' {show(value)} is not a slug: "
                f"use lowercase letters, digits and '-' only{hint}",
            )
            return None
        return value

    def text_list(
        self, data: dict[Any, Any], key: str, path: DataPath, *, what: str
    ) -> list[str] | None:
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, list):
            hint = ""
            if isinstance(value, str) and "\n" not in value and len(value) <= 40:
                hint = f" (write a list in brackets: [{value}])"
            self.error((*path, key), f"'{key}' must be a list of {what}, not {show(value)}{hint}")
            return None
        out: list[str] = []
        ok = True
        for i, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                out.append(item)
            else:
                self.error((*path, key, i), not_text(what[:-1], item))
                ok = False
        return out if ok else None

    def number(self, data: dict[Any, Any], key: str, path: DataPath) -> float | None:
        if key not in data:
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            message = misread(key, value, boolean=False)
            if message is None:
                unit = isinstance(value, str) and key == "answer"
                hint = " (put a unit in 'unit')" if unit else ""
                message = f"'{key}' must be a number, not {show(value)}{hint}"
            self.error((*path, key), message)
            return None
        if self.broken(path, rules.in_range(key, value)):
            return None
        return float(value)

    def broken(self, path: DataPath, found: Sequence[rules.Violation]) -> bool:
        """Record each broken domain rule under ``path``; whether there was one."""
        for violation in found:
            self.error((*path, *violation.at), violation.message)
        return bool(found)
