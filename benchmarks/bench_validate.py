"""`hoquiz validate` against a bare C-parser YAML load, and CLI start-up.

Per size, in one file and in 100 files, paired with the bare load of the same
files (CSafeLoader, no validation): validate as an instructor runs it again
(its bank cache in ``workdir``, warm after the untimed warm-up pair: files
unchanged since they were found valid are not parsed again), and
``validate --no-cache``, which parses and checks every file (reported
without a target). Peak memory of validate with an empty cache (every file
parsed, checked and its entry written) and of lint on the 100 files is
compared with the bare load of the largest single bank: what streaming bank
by bank should cost.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from benchmarks.fixtures import bare_load, inputs, largest_bank
from benchmarks.timing import (
    PYTHON,
    START_PAIRS,
    Command,
    Config,
    growth,
    hoquiz_argv,
    paired,
    peak_rss_mb,
    result,
)


def run(workdir: Path, config: Config) -> list[dict[str, Any]]:
    cache = {"XDG_CACHE_HOME": str(workdir / "cache")}
    rows = []
    times: dict[str, list[tuple[int, float]]] = {}
    for n in config.sizes:
        for label, path in inputs(workdir, n, config.files):
            ok = f"{n} questions OK"
            validate = Command(hoquiz_argv("validate", str(path)), env=cache, expect=ok)
            p = paired(validate, bare_load(path, n), config.pairs_for(n))
            rows.append(
                result(
                    f"hoquiz validate ({n:,} questions, {label}), warm cache",
                    p.a,
                    "CSafeLoader load",
                    p.b,
                    1.0 if label != "1 file" else 1.3,
                    ratio=p.ratio,
                )
            )
            full = Command(hoquiz_argv("validate", "--no-cache", str(path)), expect=ok)
            p = paired(full, bare_load(path, n), config.pairs_for(n))
            times.setdefault(label, []).append((n, p.a))
            rows.append(
                result(
                    f"hoquiz validate --no-cache ({n:,} questions, {label})",
                    p.a,
                    "CSafeLoader load",
                    p.b,
                    math.inf,
                    ratio=p.ratio,
                )
            )
            if label == "1 file":
                continue
            bare_mb = peak_rss_mb(bare_load(largest_bank(path)))
            empty = {"XDG_CACHE_HOME": str(workdir / f"empty-cache-{n}")}
            for command, ok_codes in (("validate", (0,)), ("lint", (0, 1))):
                argv = hoquiz_argv(command, str(path))
                mb = peak_rss_mb(Command(argv, env=empty, ok_codes=ok_codes))
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
            rows.append(growth(f"hoquiz validate --no-cache ({label})", n1, t1, n2, t2, math.inf))
    click = Command([PYTHON, "-c", "import click"])
    help_ = paired(
        Command(hoquiz_argv("--help"), expect="Usage"), click, max(config.pairs, START_PAIRS)
    )
    rows.append(
        result(
            "hoquiz --help", help_.a, "python -c 'import click'", help_.b, 2.0, ratio=help_.ratio
        )
    )
    return rows
