"""Commands for learners: quiz and stats.

Everything heavy (sqlite3, fsrs, the banks) is imported inside the commands,
so `hoquiz --help` does not pay for it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from hoquiz.cli import cli
from hoquiz.cli.options import bank_filters, bank_paths
from hoquiz.cli.output import echo, echo_json, echo_styled, styled
from hoquiz.study.modes import Mode

STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True},
    "good": {"fg": "green", "bold": True},
    "bad": {"fg": "red", "bold": True},
    "dim": {"dim": True},
    "key": {"fg": "cyan"},
}


def use_color() -> bool:
    """Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout is not None and sys.stdout.isatty()


class ClickConsole:
    """The session's console: lines from stdin, text through click.echo.

    Reading with ``readline`` (not ``click.prompt``) tells the end of input
    (``""``) apart from Ctrl-C (``KeyboardInterrupt``): the first exits 0,
    the second 130.
    """

    def __init__(self, color: bool, echo_input: bool, width: int | None = None) -> None:
        self.color = color
        self.echo_input = echo_input
        self.width = width

    def show(self, text: str = "", style: str | None = None) -> None:
        if self.width:
            text = "\n".join(wrap(line, self.width) for line in text.split("\n"))
        if self.color and style in STYLES:
            echo_styled(styled(text, **STYLES[style]), color=self.color)
        else:
            echo(text, color=self.color)

    def ask(self, prompt: str) -> str | None:
        if self.color:
            echo_styled(styled(prompt, bold=True), nl=False, color=True)
        else:
            echo(prompt, nl=False)
        line = sys.stdin.readline()  # sys.stdin: what a CliRunner feeds, or the terminal
        if not line:
            return None
        line = line.rstrip("\r\n")
        if self.echo_input:  # piped answers show as a terminal would echo them
            echo(line)
        return line


def wrap(line: str, width: int) -> str:
    """``line`` folded at word boundaries; options (``  b) ...``) keep a hanging indent."""
    if len(line) <= width:
        return line
    import re
    import textwrap

    marker = re.match(r"\s*(?:[a-z]\)|\d+\.|[A-Z][a-z]+:)?\s*", line)
    indent = " " * (marker.end() if marker else 0)
    if len(indent) > width // 2:
        indent = ""
    return textwrap.fill(line, width, subsequent_indent=indent, break_on_hyphens=False)


def terminal_width() -> int | None:
    """Where to wrap text on a terminal (at most 100 columns); ``None`` when piped."""
    if sys.stdout is None or not sys.stdout.isatty():
        return None
    import shutil

    return max(40, min(100, shutil.get_terminal_size().columns - 1))


def db_option(func: Any) -> Any:
    return click.option(
        "--db",
        type=click.Path(path_type=Path, dir_okay=False),
        envvar="HOQUIZ_DB",
        default=None,
        metavar="FILE",
        help="Progress database (default: progress.db in your user data folder, or HOQUIZ_DB).",
    )(func)


@cli.command()
@bank_paths
@bank_filters
@click.option(
    "--mode",
    type=click.Choice([mode.value for mode in Mode]),
    default="review",
    show_default=True,
    help="review: due cards, then new ones (FSRS); cram: practise without changing the "
    "schedule; exam: random questions, score at the end.",
)
@click.option(
    "--new",
    "new_per_day",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    metavar="N",
    help="New cards per day (UTC), counting those already started today.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Show at most N cards (exam: N questions, default 20).",
)
@click.option(
    "--retention",
    type=click.FloatRange(0.7, 0.99),
    default=0.9,
    show_default=True,
    metavar="R",
    help="Desired retention: the chance of recall FSRS aims for when a card is due.",
)
@click.option(
    "--seed", type=int, default=None, metavar="N", help="Seed the shuffles (repeatable sessions)."
)
@db_option
def quiz(
    paths: tuple[Path, ...],
    bank_ids: tuple[str, ...],
    tags: tuple[str, ...],
    mode: str,
    new_per_day: int,
    limit: int | None,
    retention: float,
    seed: int | None,
    db: Path | None,
) -> None:
    """Study: answer questions one by one; FSRS decides what comes back when.

    Type the answer and press Enter: a letter for mcq (a or 1), letters for
    multi (a c), t/f, words, a number, the hidden text of a cloze, the
    letters in order (c a b), or pairs (1b 2a). End a right answer with " +"
    if it was easy or " -" if it was hard. ? shows the keys, s skips, q quits.
    Every graded answer is saved at once; q, Ctrl-C or the end of input stop
    with a summary.
    """
    import datetime as dt
    import random

    from hoquiz.cli.quiz import Session
    from hoquiz.store import Store
    from hoquiz.study.planning import load_cards
    from hoquiz.study.scheduling import Scheduler
    from hoquiz.userdirs import default_cache_dir, default_db

    cards = load_cards(list(paths), bank_ids, tags, default_cache_dir())
    store = Store.open(db or default_db())
    try:
        session = Session(
            cards=cards,
            store=store,
            console=ClickConsole(
                use_color(), echo_input=not sys.stdin.isatty(), width=terminal_width()
            ),
            scheduler=Scheduler(retention),
            rng=random.Random(seed),
            clock=lambda: dt.datetime.now(dt.UTC),
            mode=Mode(mode),
            new_per_day=new_per_day,
            limit=limit,
        )
        result = session.run()
    finally:
        store.close()
    if result.interrupted:
        sys.exit(130)


@cli.command()
@bank_paths
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def stats(paths: tuple[Path, ...], db: Path | None, as_json: bool) -> None:
    """Show progress: cards by state, what is due, reviews, retention and leeches.

    Only the cards of the banks under PATH (default: the bundled decks) count.
    """
    import datetime as dt

    from hoquiz.banks.cache import load_index
    from hoquiz.study.stats import read_totals, render
    from hoquiz.userdirs import default_cache_dir, default_db

    index = load_index(list(paths), default_cache_dir())  # no question is read
    report = read_totals(index, db or default_db(), dt.datetime.now(dt.UTC))
    if as_json:
        echo_json(report.to_json())
        return
    for line in render(report):
        echo(line)
