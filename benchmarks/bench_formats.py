"""LMS formats: export of one synthetic bank per format against the Anki export of
the same bank; import of the GIFT file against ``hoquiz validate`` of the bank it gives.

Both sides do the whole work from the YAML: the LMS formats read the banks
afresh, so the Anki export runs with ``--no-cache`` and validate with
``--no-cache`` (with their caches, an unchanged bank is neither parsed nor
rendered: see the export and validate benchmarks).

Each pair is run alternately (:func:`benchmarks.timing.paired`), and every run is
checked to have written what it should. The bank has the largest size of the run
that fits in one file (10,000 questions by default, 2,000 with ``--quick``).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from benchmarks.synth import write_synthetic_bank
from benchmarks.timing import Command, Config, hoquiz_argv, paired, result

FORMATS = ("gift", "moodle-xml", "qti", "aiken", "csv")
EXPORT_TARGET = 1.5
IMPORT_TARGET = 2.0
LARGEST_ONE_FILE = 10_000  # 100,000 questions in one file are over the bank size limit


def run(workdir: Path, config: Config) -> list[dict[str, Any]]:
    n = max(size for size in config.sizes if size <= LARGEST_ONE_FILE)
    bank = write_synthetic_bank(workdir / "synthetic" / "synthetic.yaml", n)
    env = {"TMPDIR": str(workdir)}  # genanki leaves its temporary database behind
    anki = Command(
        hoquiz_argv(
            "export", str(bank), "-o", str(workdir / "hoquiz.apkg"), "--no-manifest", "--no-cache"
        ),
        env=env,
        expect=f"{n} notes",
    )
    rows = []
    for fmt in FORMATS:
        out = workdir / f"export.{fmt}"
        export = Command(
            hoquiz_argv("export", str(bank), "--format", fmt, "-o", str(out)), expect="Wrote "
        )
        p = paired(export, anki, config.pairs)
        rows.append(
            result(
                f"hoquiz export --format {fmt} ({n:,} questions)",
                p.a,
                "hoquiz export (apkg) of the same bank",
                p.b,
                EXPORT_TARGET,
                ratio=p.ratio,
            )
        )
    imported = workdir / "imported"
    imported.mkdir()
    gift = workdir / "export.gift"
    target = imported / "bank.yaml"
    first = hoquiz_argv("import", str(gift), "-o", str(target))
    subprocess.run(first, check=True, capture_output=True)  # also writes the sources.yaml stub
    again = Command(
        hoquiz_argv("import", str(gift), "-o", str(target), "--source", "to-cite", "--force"),
        expect="Wrote ",
    )
    validate = Command(hoquiz_argv("validate", "--no-cache", str(target)), expect="questions OK")
    p = paired(again, validate, config.pairs)
    rows.append(
        result(
            f"hoquiz import of the {n:,}-question bank's GIFT file",
            p.a,
            "hoquiz validate --no-cache of the bank it writes",
            p.b,
            IMPORT_TARGET,
            ratio=p.ratio,
        )
    )
    return rows
