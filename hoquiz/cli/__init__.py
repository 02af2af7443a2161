"""The ``hoquiz`` command line: click lives in this package only.

Commands parse options, call the library and print. Library errors
(:class:`hoquiz.errors.HoquizError`) become one line each on stderr and an
exit code here, never a traceback. Each command module imports its heavy
dependencies inside the command, so ``hoquiz --help`` stays fast.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import IO, Any

import click

from hoquiz import __version__
from hoquiz.atomic import Terminated
from hoquiz.cli.output import echo
from hoquiz.errors import BankError, HoquizError, UsageError
from hoquiz.text import plural, terminal_safe


class ProblemsReported(click.ClickException):
    """Located problems: one ``path:line:col: message`` line each, then a count."""

    exit_code = 1

    def __init__(self, error: BankError) -> None:
        super().__init__(str(error))
        self.error = error

    def show(self, file: IO[Any] | None = None) -> None:
        stream = file or sys.stderr
        for problem in self.error.problems:
            echo(str(problem), file=stream)
        files = len({p.path for p in self.error.problems})
        count = len(self.error.problems)
        echo(f"{plural(count, 'problem')} in {plural(files, 'file')}", file=stream)


def to_click_error(error: HoquizError) -> click.ClickException:
    """Turn a library error into the click exception that prints it."""
    if isinstance(error, BankError):
        return ProblemsReported(error)
    message = terminal_safe(str(error))  # messages quote file names and bank text
    if isinstance(error, UsageError):
        return click.UsageError(message)
    return click.ClickException(message)


# The module of each command: commands register themselves on ``cli`` when
# their module is imported, and a command's module is imported only when the
# command runs (or the list of commands is shown), so that each command pays
# only for its own imports.
COMMAND_MODULES = {
    "validate": "banks",
    "list": "banks",
    "show": "banks",
    "schema": "banks",
    "new": "banks",
    "lint": "lint",
    "export": "export",
    "diff": "diff",
    "quiz": "study",
    "stats": "study",
    "settings": "study",
    "import": "interchange",
}


class HoquizGroup(click.Group):
    """A group whose commands report :class:`HoquizError` as clean errors.

    Its commands are loaded on demand (see :data:`COMMAND_MODULES`).
    """

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"hoquiz.cli.{module}")
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in dict.fromkeys(COMMAND_MODULES.values()):
            importlib.import_module(f"hoquiz.cli.{module}")
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HoquizError as error:
            raise to_click_error(error) from None
        except Terminated as stop:  # SIGTERM/SIGHUP during a write: cleaned up, now exit
            raise SystemExit(stop.exit_code) from None


@click.group(cls=HoquizGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hoquiz")
def cli() -> None:
    """Study heterotopic ossification with spaced repetition.

    Learners run `hoquiz quiz`; Anki users run `hoquiz export`; instructors
    write banks with `hoquiz new`, `hoquiz validate` and `hoquiz lint`.
    """


def main() -> None:
    """Console-script entry point.

    A finished command leaves the process without Python's teardown, which
    frees every object one by one: after a quiz on 100,000 questions that
    alone takes about 15 ms, after an export of them longer still. By then
    the command has closed what it opened (the progress database, every file
    it wrote, each replaced atomically); what is left is what it printed,
    flushed here. The exit status is the one ``sys.exit`` would give.
    """
    try:
        cli(prog_name="hoquiz")
        code = 0
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            code = stop.code or 0
        else:  # a message: printed on stderr, status 1, as Python does
            print(stop.code, file=sys.stderr)
            code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader gone (hoquiz list | head), or closed
            code = code or 1
    os._exit(code)
