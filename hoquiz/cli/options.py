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


def load(paths: Sequence[Path]) -> list[Bank]:
    """Load and validate the banks under ``paths`` (bundled decks by default)."""
    from hoquiz.banks.loader import load_banks

    return load_banks(list(paths))
