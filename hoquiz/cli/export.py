"""``hoquiz export``: banks -> an Anki package that updates in place."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from hoquiz.cli import cli
from hoquiz.cli.options import bank_filters, bank_paths, load
from hoquiz.text import plural

# Below this many notes an export takes well under a second: no progress bar.
PROGRESS_MIN_NOTES = 1000


@cli.command()
@bank_paths
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("hoquiz.apkg"),
    show_default=True,
    metavar="FILE.apkg",
    help="Where to write the Anki package.",
)
@bank_filters
def export(
    paths: tuple[Path, ...], output: Path, bank_ids: tuple[str, ...], tags: tuple[str, ...]
) -> None:
    """Write banks as an Anki package (.apkg), one sub-deck per bank.

    Importing a newer export into Anki updates the notes already there and
    keeps their progress: notes are identified by bank and question id, not
    by wording. The same banks always give the same file; set
    SOURCE_DATE_EPOCH to fix the time written into it.
    """
    from hoquiz.banks.loader import select_banks
    from hoquiz.formats.anki import export_apkg, source_date_epoch

    banks = select_banks(load(paths), bank_ids, tags)
    epoch = source_date_epoch(os.environ)
    notes = sum(len(b.questions) for b in banks)
    if notes >= PROGRESS_MIN_NOTES and sys.stdout.isatty():
        with click.progressbar(length=notes, label="Exporting") as bar:
            summary = export_apkg(banks, output, source_date_epoch=epoch, progress=bar.update)
    else:
        summary = export_apkg(banks, output, source_date_epoch=epoch)
    click.echo(
        f"Wrote {summary.path}: {plural(summary.decks, 'deck')}, {plural(summary.notes, 'note')}, "
        f"{plural(summary.cards, 'card')}, {plural(summary.media, 'media file')}"
    )
