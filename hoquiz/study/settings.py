"""The learner's study settings: new cards a day, desired retention, when a day starts.

A choice is kept in the progress database (``hoquiz settings``) until it is
changed; an option given to one ``hoquiz quiz`` applies to that session only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from hoquiz.study.days import DEFAULT_DAY_STARTS
from hoquiz.study.scheduling import DEFAULT_RETENTION

DEFAULT_NEW_PER_DAY = 20


class Settings(NamedTuple):
    """The learner's choices; ``None``: not chosen, the default applies."""

    new_per_day: int | None = None
    retention: float | None = None
    day_starts: int | None = None

    def over(self, stored: Settings) -> Settings:
        """These choices where made, ``stored``'s elsewhere."""
        return Settings(
            stored.new_per_day if self.new_per_day is None else self.new_per_day,
            stored.retention if self.retention is None else self.retention,
            stored.day_starts if self.day_starts is None else self.day_starts,
        )

    def resolved(self) -> Resolved:
        """The values in force: each choice, or its default."""
        return Resolved(
            DEFAULT_NEW_PER_DAY if self.new_per_day is None else self.new_per_day,
            DEFAULT_RETENTION if self.retention is None else self.retention,
            DEFAULT_DAY_STARTS if self.day_starts is None else self.day_starts,
        )

    def describe(self) -> list[str]:
        """One line per setting, saying which are defaults."""
        values = self.resolved()
        default = [value is None for value in self]
        texts = [
            f"new cards a day: {values.new_per_day}",
            f"desired retention: {values.retention:g}",
            f"a day starts at: {values.day_starts:02d}:00",
        ]
        return [text + (" (default)" if d else "") for text, d in zip(texts, default, strict=True)]

    def to_rows(self) -> list[tuple[str, str]]:
        """``(name, value)`` of each choice made, as the store keeps them."""
        return [(name, str(value)) for name, value in self._asdict().items() if value is not None]

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str]]) -> Settings:
        """The inverse of :meth:`to_rows`; unknown names and unreadable values are skipped."""
        kinds = {"new_per_day": int, "retention": float, "day_starts": int}
        values: dict[str, Any] = {}
        for name, value in rows:
            if name in kinds:
                try:
                    values[name] = kinds[name](value)
                except ValueError:
                    continue
        return cls(**values)


class Resolved(NamedTuple):
    """The settings in force for a session."""

    new_per_day: int
    retention: float
    day_starts: int
