"""``hoquiz export``: banks -> an Anki package that updates in place."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hoquiz.cli import cli
from hoquiz.cli.interchange import export_format_options, export_interchange
from hoquiz.cli.options import bank_filters, bank_paths, load
from hoquiz.cli.output import echo
from hoquiz.errors import UsageError
from hoquiz.text import plural

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hoquiz.formats.anki_release import ExportBank

# Below this many notes an export takes well under a second: no progress bar.
PROGRESS_MIN_NOTES = 1000


@cli.command()
@bank_paths
@click.option(
    "-o",
    "--output",
    "output_name",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Where to write the export [default: hoquiz.apkg, hoquiz.gift, ... by format];"
    " - for standard output (a throwaway export: the release manifest is neither read nor"
    " written, as with --no-manifest).",
)
@export_format_options
@bank_filters
@click.option(
    "--no-manifest",
    is_flag=True,
    help="Neither read nor write the release manifest (a throwaway export).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Read and render every bank again; keep nothing in the cache (same bytes).",
)
def export(
    paths: tuple[Path, ...],
    output_name: str | None,
    fmt: str,
    strict: bool,
    bank_ids: tuple[str, ...],
    tags: tuple[str, ...],
    no_manifest: bool,
    no_cache: bool,
) -> None:
    """Write banks as an Anki package (.apkg), one sub-deck per bank.

    Importing a newer export into Anki updates the notes already there and
    keeps their progress: notes are identified by bank and question id, not
    by wording. The release manifest beside the banks (hoquiz-manifest.json)
    makes Anki update only the notes that changed; commit it with the banks.
    A changed note gets the time of this export (SOURCE_DATE_EPOCH if set);
    `hoquiz diff` shows what the next export will change.

    --format gift, moodle-xml, qti, aiken or csv writes a file for a learning
    platform instead (docs/formats.md); questions a format cannot hold are
    listed, or refused with --strict.
    """
    from hoquiz.cli.diff import report_export
    from hoquiz.formats.anki import export_apkg, source_date_epoch
    from hoquiz.userdirs import default_cache_dir

    if output_name is not None and output_name.endswith(("/", os.sep)):
        raise UsageError(f"-o names a file, not a folder: {output_name}")
    output = Path(output_name) if output_name is not None else None
    if fmt != "apkg":
        from hoquiz.banks.loader import select_banks

        export_interchange(fmt, select_banks(load(paths), bank_ids, tags), output, strict)
        return
    cache_dir = None if no_cache else default_cache_dir()
    banks = load_anki(paths, cache_dir, bank_ids, tags)
    if output_name == "-":
        _apkg_to_stdout(banks)
        return
    output = output or Path("hoquiz.apkg")
    epoch = source_date_epoch(os.environ)
    notes = sum(len(b.question_ids) for b in banks)
    manifests, complete = not no_manifest, not bank_ids and not tags
    if notes >= PROGRESS_MIN_NOTES and sys.stdout.isatty():
        with click.progressbar(length=notes, label="Exporting") as bar:
            summary = export_apkg(
                banks,
                output,
                source_date_epoch=epoch,
                progress=bar.update,
                manifests=manifests,
                complete=complete,
                cache_dir=cache_dir,
            )
    else:
        summary = export_apkg(
            banks,
            output,
            source_date_epoch=epoch,
            manifests=manifests,
            complete=complete,
            cache_dir=cache_dir,
        )
    echo(
        f"Wrote {summary.path}: {plural(summary.decks, 'deck')}, {plural(summary.notes, 'note')}, "
        f"{plural(summary.cards, 'card')}, {plural(summary.media, 'media file')}"
    )
    report_export(summary)


def load_anki(
    paths: Sequence[Path],
    cache_dir: Path | None,
    bank_ids: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> list[ExportBank]:
    """The banks an Anki export (or ``hoquiz diff``) reads, through the bank cache and the
    rendered-note cache in ``cache_dir`` (``None``: from their YAML)."""
    from hoquiz.formats.anki_note_cache import load_export_banks

    return load_export_banks(list(paths), cache_dir, bank_ids, tags)


def _apkg_to_stdout(banks: list[ExportBank]) -> None:
    from hoquiz.formats.anki import build_package, source_date_epoch

    stream = sys.stdout.buffer
    if stream.isatty():
        raise UsageError("an .apkg is binary: redirect standard output to a file or a pipe")
    package = build_package(banks, source_date_epoch=source_date_epoch(os.environ))
    stream.write(package.data)
    stream.flush()
    echo(
        f"Wrote standard output: {plural(package.decks, 'deck')}, {plural(package.notes, 'note')}",
        err=True,
    )
