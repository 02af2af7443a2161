"""Options and arguments shared by several commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from hoquiz.model import Bank

F = TypeVar("F", bound=Callable[..., Any])


def bank_paths(func: F) -> F:
    """``[PATH]...``: bank files or folders; the bundled decks when none is given."""
    return click.argument(
        "paths",
        nargs=-1,
        type=click.Path(path_type=Path),
        metavar="[PATH]...",
    )(func)


def bank_filters(func: F) -> F:
    """``--bank ID`` and ``--tag TAG``, each repeatable."""
    func = click.option(
        "--tag",
        "tags",
        multiple=True,
        metavar="TAG",
        help="Only questions with this tag (repeatable).",
    )(func)
    return click.option(
        "--bank", "bank_ids", multiple=True, metavar="ID", help="Only this bank (repeatable)."
    )(func)


def day_starts_option(func: F) -> F:
    """``--day-starts HOUR``: the hour a study day starts."""
    return click.option(
        "--day-starts",
        type=click.IntRange(0, 23),
        default=None,
        metavar="HOUR",
        help="The hour (local time, 0-23) a study day starts (default 4).",
    )(func)


def study_settings(func: F) -> F:
    """``--new N``, ``--retention R`` and ``--day-starts HOUR``.

    ``hoquiz settings`` keeps them; ``hoquiz quiz`` takes them for one session.
    """
    func = day_starts_option(func)
    func = click.option(
        "--retention",
        type=click.FloatRange(0.7, 0.99),
        default=None,
        metavar="R",
        help="Desired retention: the chance of recall FSRS aims for when a card is due "
        "(default 0.9).",
    )(func)
    return click.option(
        "--new",
        "new_per_day",
        type=click.IntRange(min=0),
        default=None,
        metavar="N",
        help="New cards per study day, counting those already started today (default 20).",
    )(func)


def load(paths: Sequence[Path]) -> list[Bank]:
    """Load and validate the banks under ``paths`` (bundled decks by default)."""
    from hoquiz.banks.loader import load_banks

    return load_banks(list(paths))
