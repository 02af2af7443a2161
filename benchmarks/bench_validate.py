"""`hoquiz validate` against a bare C-parser YAML load, and CLI start-up.

Per size, in one file and in 100 files, paired with the bare load of the same
files (CSafeLoader, no validation). Peak memory of validate and lint on the
100 files is compared with the bare load of the largest single bank: what
streaming bank by bank should cost.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from benchmarks.fixtures import bare_load, inputs, largest_bank
from benchmarks.timing import (
    PYTHON,
    Command,
    Config,
    growth,
    hoquiz_argv,
    paired,
    peak_rss_mb,
    result,
)


def run(workdir: Path, config: Config) -> list[dict[str, Any]]:
    rows = []
    times: dict[str, list[tuple[int, float]]] = {}
    for n in config.sizes:
        for label, path in inputs(workdir, n, config.files):
            validate = Command(hoquiz_argv("validate", str(path)), expect=f"{n} questions OK")
            p = paired(validate, bare_load(path, n), config.pairs_for(n))
            times.setdefault(label, []).append((n, p.a))
            rows.append(
                result(
                    f"hoquiz validate ({n:,} questions, {label})",
                    p.a,
                    "CSafeLoader load",
                    p.b,
                    1.0 if label != "1 file" else 1.3,
                    ratio=p.ratio,
                )
            )
            if label == "1 file":
                continue
            bare_mb = peak_rss_mb(bare_load(largest_bank(path)))
            for command, ok in (("validate", (0,)), ("lint", (0, 1))):
                mb = peak_rss_mb(Command(hoquiz_argv(command, str(path)), ok_codes=ok))
                rows.append(
                    result(
                        f"hoquiz {command} ({n:,} questions, {label}), peak memory",
                        mb,
                        "CSafeLoader load of the largest bank, peak memory",
                        bare_mb,
                        2.0,
                        unit="MB",
                    )
                )
    for label, series in times.items():
        if len(series) >= 2:
            (n1, t1), (n2, t2) = series[-2:]
            rows.append(growth(f"hoquiz validate ({label})", n1, t1, n2, t2, math.inf))
    click = Command([PYTHON, "-c", "import click"])
    help_ = paired(Command(hoquiz_argv("--help"), expect="Usage"), click, max(config.pairs, 11))
    rows.append(
        result(
            "hoquiz --help", help_.a, "python -c 'import click'", help_.b, 2.0, ratio=help_.ratio
        )
    )
    return rows
