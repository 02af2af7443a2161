"""Each format sits behind the one interface of hoquiz.formats.base."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from hoquiz.banks.loader import load_banks
from hoquiz.cli import cli
from hoquiz.formats.anki import AnkiExporter, export_apkg
from hoquiz.formats.base import Exporter


def test_the_anki_exporter_is_an_exporter(tmp_path: Path) -> None:
    bank_file = tmp_path / "starter.yaml"
    CliRunner().invoke(cli, ["new", str(bank_file)])
    banks = load_banks([bank_file])
    exporter: Exporter = AnkiExporter(source_date_epoch=1_700_000_000)
    exported = exporter.export(banks)
    summary = export_apkg(banks, tmp_path / "out.apkg", source_date_epoch=1_700_000_000)
    assert exported.data == (tmp_path / "out.apkg").read_bytes()
    assert (exported.questions, exported.skipped) == (summary.notes, ()) == (9, ())
