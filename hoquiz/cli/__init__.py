"""The ``hoquiz`` command line: click lives in this package only.

Commands parse options, call the library and print. Library errors
(:class:`hoquiz.errors.HoquizError`) become one line each on stderr and an
exit code here, never a traceback. Each command module imports its heavy
dependencies inside the command, so ``hoquiz --help`` stays fast.
"""

from __future__ import annotations

import sys
from typing import IO, Any

import click

from hoquiz import __version__
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


class HoquizGroup(click.Group):
    """A group whose commands report :class:`HoquizError` as clean errors."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HoquizError as error:
            raise to_click_error(error) from None


@click.group(cls=HoquizGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hoquiz")
def cli() -> None:
    """Study heterotopic ossification with spaced repetition.

    Learners run `hoquiz quiz`; Anki users run `hoquiz export`; instructors
    write banks with `hoquiz new`, `hoquiz validate` and `hoquiz lint`.
    """


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="hoquiz")


# Commands register themselves on ``cli`` when their module is imported.
from hoquiz.cli import banks  # noqa: E402, F401, I001
from hoquiz.cli import lint  # noqa: E402, F401
from hoquiz.cli import export  # noqa: E402, F401
from hoquiz.cli import diff  # noqa: E402, F401
from hoquiz.cli import study  # noqa: E402, F401
from hoquiz.cli import interchange  # noqa: E402, F401
