"""`hoquiz lint` of a 10,000-question bank against `hoquiz validate` of the same bank.

Lint validates first, then runs its checks (the near-duplicate check compares
every pair of prompts) and, when there are warnings, composes the YAML node
tree once to locate them. The synthetic bank gives a few dozen warnings, so
the locating cost is included. Target (our own budget): within 3x validate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.synth import write_synthetic_bank
from benchmarks.timing import hoquiz_argv, result, time_command


def run(workdir: Path) -> list[dict[str, Any]]:
    bank = write_synthetic_bank(workdir / "synthetic.yaml")
    validate = time_command(hoquiz_argv("validate", str(bank)), repeat=3)
    lint = time_command(hoquiz_argv("lint", str(bank)), repeat=3)
    return [
        result("hoquiz lint (10,000 questions)", lint, "hoquiz validate", validate, 3.0),
    ]
