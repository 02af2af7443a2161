"""Commands for learners: quiz, stats and settings.

Everything heavy (sqlite3, fsrs, the banks) is imported inside the commands,
so `hoquiz --help` does not pay for it.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hoquiz.cli import cli
from hoquiz.cli.options import bank_filters, bank_paths, day_starts_option, study_settings
from hoquiz.cli.output import echo, echo_json, echo_styled, styled
from hoquiz.study.modes import Mode

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from hoquiz.study.settings import Settings

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

    On a terminal, answers are read with line editing (GNU readline where
    Python has it): Left and Right move the cursor, Backspace and Delete edit
    anywhere in the line, Up and Down step through this session's answers.
    Piped input is read line by line, unchanged, and echoed after the prompt
    so that a transcript reads like a terminal session.

    Either way the end of input (Ctrl-D) is told apart from Ctrl-C
    (``KeyboardInterrupt``): the first exits 0, the second 130.
    """

    def __init__(
        self, color: bool, echo_input: bool, width: int | None = None, editing: bool = False
    ) -> None:
        self.color = color
        self.echo_input = echo_input
        self.width = width
        self.editing = editing
        if editing:
            _start_line_editing()

    def show(self, text: str = "", style: str | None = None) -> None:
        if self.width:
            text = "\n".join(wrap(line, self.width) for line in text.split("\n"))
        if self.color and style in STYLES:
            echo_styled(styled(text, **STYLES[style]), color=self.color)
        else:
            echo(text, color=self.color)

    def ask(self, prompt: str) -> str | None:
        if self.editing:
            return self._edit(prompt)
        if self.color:
            echo_styled(styled(prompt, bold=True), nl=False, color=True)
        else:
            echo(prompt, nl=False)
        line = read_answer(sys.stdin)  # sys.stdin: what a CliRunner feeds, or the terminal
        if line is None:
            return None
        if self.echo_input:  # piped answers show as a terminal would echo them
            echo(line)
        return line

    def _edit(self, prompt: str) -> str | None:
        if self.color:  # \001 and \002 tell readline the codes take no room on screen
            prompt = f"\001\x1b[1m\002{prompt}\001\x1b[0m\002"
        try:  # without readline, the terminal passes arrow keys on as escape codes
            line = _ESCAPE_CODE.sub("", str(input(prompt)))[:MAX_ANSWER_CHARS]
        except EOFError:
            echo()
            return None
        _remember(line)
        return line


_ESCAPE_CODE = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|O.|.)")


def _start_line_editing() -> None:
    """Turn on readline for ``input()``, with an empty history (this session's answers only)."""
    try:
        import readline
    except ImportError:  # Windows: the console's own line editing applies
        return
    readline.clear_history()
    readline.set_auto_history(False)  # see _remember


def _remember(line: str) -> None:
    """Keep an answer for Up; not commands, so that Up never repeats a ``u`` or a ``q``."""
    from hoquiz.cli.quiz import COMMANDS

    word = line.strip().lower()
    if not word or word in COMMANDS:
        return
    try:
        import readline
    except ImportError:
        return
    readline.add_history(line)


def terminal_input() -> bool:
    """Whether answers are typed at a terminal (line editing), not piped in."""
    return sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty()


# Longer lines are cut here: no answer needs more, and each is stored in the log.
MAX_ANSWER_CHARS = 1000


def read_answer(stream: Any) -> str | None:
    """One typed line (``None`` at end of input), at most ``MAX_ANSWER_CHARS`` long.

    Bytes that are not UTF-8 become U+FFFD instead of ending the session; the
    rest of an overlong line is read and dropped, never held whole in memory.
    """
    if getattr(stream, "errors", "replace") == "strict" and hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="replace")
    line: str = stream.readline(MAX_ANSWER_CHARS + 1)
    if not line:
        return None
    if len(line) > MAX_ANSWER_CHARS and not line.endswith("\n"):
        while (rest := stream.readline(65536)) and not rest.endswith("\n"):
            pass
    return line.rstrip("\r\n")[:MAX_ANSWER_CHARS]


def wrap(line: str, width: int) -> str:
    """``line`` folded at word boundaries; options (``  b) ...``) keep a hanging indent."""
    if len(line) <= width:
        return line
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


def parse_now(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """``--now``/``HOQUIZ_NOW`` as an aware datetime (``None``: the real clock)."""
    from hoquiz.study.days import parse_moment

    if value is None or not value.strip():
        return None
    try:
        return parse_moment(value)
    except ValueError as error:
        raise click.BadParameter(str(error), ctx, param) from None


def clock_options(func: Any) -> Any:
    """``--now TIME`` (or ``HOQUIZ_NOW``) and ``--day-starts HOUR``."""
    return now_option(day_starts_option(func))


def now_option(func: Any) -> Any:
    """``--now TIME`` (or ``HOQUIZ_NOW``): the clock the command runs by."""
    return click.option(
        "--now",
        callback=parse_now,
        envvar="HOQUIZ_NOW",
        default=None,
        metavar="TIME",
        help="Act as if it were TIME, e.g. 2026-12-08T09:00 (local time), or HOQUIZ_NOW; "
        "the clock runs on from there.",
    )(func)


def clock_from(start: dt.datetime | None) -> Callable[[], dt.datetime]:
    """The real clock, or one set to ``start`` now and running on from there."""
    import datetime as dt

    if start is None:
        return lambda: dt.datetime.now(dt.UTC)
    offset = start - dt.datetime.now(dt.UTC)
    return lambda: dt.datetime.now(dt.UTC) + offset


# How far past the start the store is read ahead for a review plan: at least as far as
# the learning cards a session may show early (planning.LEARN_AHEAD), with time to
# start, else the plan reads the database again.
READ_AHEAD_MS = 30 * 60 * 1000


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
@study_settings
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Show at most N cards (exam: N questions, default 20).",
)
@click.option(
    "--seed", type=int, default=None, metavar="N", help="Seed the shuffles (repeatable sessions)."
)
@now_option
@db_option
@click.option(
    "--adopt-scheduler",
    is_flag=True,
    help="Go on with this hoquiz's FSRS when the database's schedules were made by another.",
)
def quiz(
    paths: tuple[Path, ...],
    bank_ids: tuple[str, ...],
    tags: tuple[str, ...],
    mode: str,
    new_per_day: int | None,
    retention: float | None,
    day_starts: int | None,
    limit: int | None,
    seed: int | None,
    now: dt.datetime | None,
    db: Path | None,
    adopt_scheduler: bool,
) -> None:
    """Study: answer questions one by one; FSRS decides what comes back when.

    Type the answer and press Enter: a letter for mcq (a or 1), letters for
    multi (a c), t/f, words, a number, the hidden text of a cloze, the
    letters in order (c a b), or pairs (1b 2a). End a right answer with " +"
    if it was easy or " -" if it was hard. ? shows the keys, s skips, u undoes
    your last answer, ! counts it as right, q quits. Every graded answer is
    saved at once; q, Ctrl-C or the end of input stop with a summary.

    --new, --retention and --day-starts apply to this session (default: your
    settings); `hoquiz settings` keeps them.
    --now (or HOQUIZ_NOW) runs the quiz as if it were another time.
    """
    import gc

    from hoquiz.collector import collector_paused
    from hoquiz.store.opening import Opening
    from hoquiz.store.times import to_ms
    from hoquiz.userdirs import default_cache_dir, default_db

    clock = clock_from(now)
    path = db or default_db()
    is_new = not path.exists() or path.stat().st_size == 0
    # The start makes the bank index: many objects, which live as long as the session.
    # No collection runs while it is made, and none passes over it until the end.
    with collector_paused():
        # An existing database is opened and checked, and what a review plan reads
        # first read, on threads while the rest (of the store too) loads; a new one is
        # made once the banks have loaded.
        opening = None
        if not is_new:
            ahead = to_ms(clock()) + READ_AHEAD_MS if Mode(mode) == Mode.REVIEW else None
            opening = Opening(path, ahead)
        try:
            from hoquiz.banks.cache import start_code_digest
            from hoquiz.store import Store

            start_code_digest()  # what the bank cache is keyed on, read meanwhile
            import random

            from hoquiz.cli.quiz import Session
            from hoquiz.study.days import Days
            from hoquiz.study.planning import Deck, load_index_selected
            from hoquiz.study.scheduling import Scheduler, use_scheduler
            from hoquiz.study.settings import Settings

            cards = Deck(load_index_selected(list(paths), bank_ids, tags, default_cache_dir()))
        except BaseException:
            if opening is not None:
                opening.close()
            raise
        gc.freeze()
    try:
        store = Store.open(path) if opening is None else opening.store()
        console = ClickConsole(
            use_color(),
            echo_input=not sys.stdin.isatty(),
            width=terminal_width(),
            editing=terminal_input(),
        )
        try:
            stored = store.settings()
            given = Settings(new_per_day, retention, day_starts)
            chosen = given.over(stored).resolved()
            scheduler = Scheduler(chosen.retention)
            use_scheduler(store, scheduler, adopt=adopt_scheduler)
            if is_new:
                console.show(f"New progress database: {path}", "dim")
            for line in session_only(given, stored):
                console.show(line, "dim")
            session = Session(
                cards=cards,
                store=store,
                console=console,
                scheduler=scheduler,
                rng=random.Random(seed),
                clock=clock,
                mode=Mode(mode),
                new_per_day=chosen.new_per_day,
                limit=limit,
                days=Days(chosen.day_starts),
            )
            result = session.run()
        finally:
            store.close()
    finally:
        gc.unfreeze()
    if result.interrupted:
        sys.exit(130)


def session_only(given: Settings, stored: Settings) -> list[str]:
    """A line for each option that differs from the learner's setting: it is not kept."""
    flags = {"new_per_day": "--new", "retention": "--retention", "day_starts": "--day-starts"}
    current = stored.resolved()._asdict()
    lines = []
    for name, value in given._asdict().items():
        if value is not None and value != current[name]:
            option = f"{flags[name]} {value:g}"
            lines.append(
                f"{option}: this session only (your setting: {current[name]:g}; "
                f"`hoquiz settings {option}` keeps it)"
            )
    return lines


@cli.command()
@bank_paths
@bank_filters
@clock_options
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def stats(
    paths: tuple[Path, ...],
    bank_ids: tuple[str, ...],
    tags: tuple[str, ...],
    now: dt.datetime | None,
    day_starts: int | None,
    db: Path | None,
    as_json: bool,
) -> None:
    """Show progress: cards by state, what is due, reviews, retention and leeches.

    Only the cards of the banks under PATH (default: the bundled decks) count,
    narrowed by --bank and --tag. The first line names the progress database;
    the last lines show your settings (see `hoquiz settings`).
    """
    from hoquiz.banks.cache import start_code_digest
    from hoquiz.study.planning import load_index_selected
    from hoquiz.study.stats import read_totals, render, start_reading
    from hoquiz.userdirs import default_cache_dir, default_db

    path, moment = db or default_db(), clock_from(now)()
    reading = start_reading(path, moment, day_starts)  # while the banks load
    start_code_digest()
    try:
        index = load_index_selected(list(paths), bank_ids, tags, default_cache_dir())
        report = read_totals(index, path, moment, day_starts, reading)
    finally:
        reading.close()
    if as_json:
        echo_json(report.to_json())
        return
    for line in render(report):
        echo(line)


@cli.command()
@study_settings
@db_option
def settings(
    new_per_day: int | None, retention: float | None, day_starts: int | None, db: Path | None
) -> None:
    """Show or change your study settings, kept in the progress database.

    Without options, shows them. `hoquiz quiz` uses them until they are
    changed here; its own --new, --retention and --day-starts apply to one
    session only.
    """
    from hoquiz.store import Store
    from hoquiz.study.settings import Settings
    from hoquiz.userdirs import default_db

    path = db or default_db()
    changes = Settings(new_per_day, retention, day_starts)
    if changes != Settings():
        with Store.open(path) as store:
            current = store.save_settings(changes)
    else:  # showing never creates or writes a database
        shown = Store.open_read_only(path)
        current = Settings()
        if shown is not None:
            with shown:
                current = shown.settings()
    echo(f"Settings in {path}:")
    for line in current.describe():
        echo(f"  {line}")
