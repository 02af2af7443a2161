"""LMS formats: export of a 10,000-question bank per format against the Anki export of
the same bank; import of the GIFT file against ``hoquiz validate`` of the bank it gives.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from benchmarks.synth import write_synthetic_bank
from benchmarks.timing import hoquiz_argv, result, time_command

FORMATS = ("gift", "moodle-xml", "qti", "aiken", "csv")
EXPORT_TARGET = 1.5
IMPORT_TARGET = 2.0


def run(workdir: Path) -> list[dict[str, Any]]:
    bank = write_synthetic_bank(workdir / "synthetic" / "synthetic.yaml")
    env = {"TMPDIR": str(workdir)}  # genanki leaves its temporary database behind
    anki = time_command(
        hoquiz_argv("export", str(bank), "-o", str(workdir / "hoquiz.apkg")), env=env, repeat=3
    )
    rows = []
    for fmt in FORMATS:
        out = workdir / f"export.{fmt}"
        seconds = time_command(
            hoquiz_argv("export", str(bank), "--format", fmt, "-o", str(out)), repeat=3
        )
        rows.append(
            result(
                f"hoquiz export --format {fmt} (10,000 questions)",
                seconds,
                "hoquiz export (apkg) of the same bank",
                anki,
                EXPORT_TARGET,
            )
        )
    imported = workdir / "imported"
    imported.mkdir()
    gift = workdir / "export.gift"
    target = imported / "bank.yaml"
    first = hoquiz_argv("import", str(gift), "-o", str(target))
    subprocess.run(first, check=True, capture_output=True)  # also writes the sources.yaml stub
    again = hoquiz_argv("import", str(gift), "-o", str(target), "--source", "to-cite", "--force")
    import_s = time_command(again, repeat=3)
    validate_s = time_command(hoquiz_argv("validate", str(target)), repeat=3)
    rows.append(
        result(
            "hoquiz import of the 10,000-question GIFT file",
            import_s,
            "hoquiz validate of the bank it writes",
            validate_s,
            IMPORT_TARGET,
        )
    )
    return rows
