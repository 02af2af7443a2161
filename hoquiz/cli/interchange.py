"""``hoquiz import`` and the ``--format`` of ``hoquiz export``: learning-platform files."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from hoquiz.cli import cli
from hoquiz.cli.output import echo
from hoquiz.errors import UsageError
from hoquiz.formats.registry import EXPORTERS, IMPORTERS
from hoquiz.text import plural

if TYPE_CHECKING:
    from hoquiz.model import Bank

F = TypeVar("F", bound=Callable[..., Any])

EXPORT_FORMATS = ("apkg", *EXPORTERS)
IMPORT_FORMATS = tuple(IMPORTERS)


def export_format_options(func: F) -> F:
    """``--format FORMAT`` and ``--strict`` of ``hoquiz export``."""
    func = click.option(
        "--strict",
        is_flag=True,
        help="Fail, writing nothing, when a question has no form in the format.",
    )(func)
    decorated: F = click.option(
        "--format",
        "fmt",
        type=click.Choice(EXPORT_FORMATS),
        default="apkg",
        show_default=True,
        help="apkg (Anki), gift or moodle-xml (Moodle), qti (Canvas, Blackboard, D2L), aiken, csv.",
    )(func)
    return decorated


def export_interchange(fmt: str, banks: Sequence[Bank], output: Path | None, strict: bool) -> None:
    """Write ``banks`` in an interchange format; list what it could not hold.

    ``-o -`` writes the file to standard output (a pipe or a file, never a
    terminal: the banks' text is written as the format holds it, not made
    safe for one), and what is said about it to standard error.
    """
    from hoquiz.formats.exporting import default_output, export_data, export_file

    to_stdout = output is not None and str(output) == "-"
    if to_stdout:
        stream = sys.stdout.buffer
        if stream.isatty():
            raise UsageError(
                f"-o - writes the {fmt} file to standard output: redirect it to a file or a "
                "pipe (its text is not made safe for a terminal)"
            )
        exported = export_data(fmt, banks, strict=strict)
        stream.write(exported.data)
        stream.flush()
    else:
        target = output or default_output(fmt)
        exported = export_file(fmt, banks, target, strict=strict)
    for skipped in exported.skipped:
        echo(str(skipped), err=True)
    line = f"Wrote {'standard output' if to_stdout else target}: "
    line += plural(exported.questions, "question")
    if exported.skipped:
        line += f", {plural(len(exported.skipped), 'question')} skipped (listed above)"
    echo(line, err=to_stdout)


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="BANK.yaml",
    help="The bank file to write.",
)
@click.option("--bank-id", metavar="ID", help="The bank's id [default: from the file name].")
@click.option(
    "--source",
    metavar="DOC",
    help="The source id (in sources.yaml) the questions cite; needed when one exists.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(IMPORT_FORMATS),
    help="The input format [default: from the file ending: .gift, .aiken, .xml, .csv].",
)
@click.option("--force", is_flag=True, help="Replace BANK.yaml if it exists.")
def import_(files: tuple[Path, ...], output: Path, **options: Any) -> None:
    """Import GIFT, Aiken, Moodle XML or CSV files into one YAML bank.

    Every problem in the files is reported as file:line:col and nothing is
    written. The bank written validates; explanations and sources the files
    lack are TODO(import) placeholders that `hoquiz lint` lists. Question ids
    come from the questions' names (or first words), so importing the same
    file again gives the same ids.
    """
    from hoquiz.formats.importing import import_files

    report = import_files(
        files,
        output,
        bank_id=options["bank_id"],
        source=options["source"],
        fmt=options["fmt"],
        force=options["force"],
    )
    for warning in report.warnings:
        echo(str(warning), err=True)
    if report.sources_created:
        echo(f"Wrote {report.sources_created} (a placeholder source to complete)")
    echo(
        f"Wrote {report.bank}: {plural(report.questions, 'question')}, "
        f"{plural(report.placeholders, 'placeholder')} to complete (see hoquiz lint)"
    )
