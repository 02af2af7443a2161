"""`hoquiz lint` against `hoquiz validate --no-cache` of the same banks (validate
parsing and checking every file, as lint does; with its cache, validate parses
only the files changed since it last found them valid).

Lint validates first, then runs its checks, the near-duplicate check among
them, and locates its warnings in the files. The synthetic banks' prompts are
varied wording without per-question numbers, so the near-duplicate check
compares pairs, and a few planted near-duplicates must be found (checked
here). Targets: lint within 3x validate at every size, and time growing
slower than N^1.3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.fixtures import inputs
from benchmarks.synth import planted_duplicates
from benchmarks.timing import Command, Config, growth, hoquiz_argv, paired, result


def run(workdir: Path, config: Config) -> list[dict[str, Any]]:
    rows = []
    times: dict[str, list[tuple[int, float]]] = {}
    for n in config.sizes:
        for label, path in inputs(workdir, n, config.files):
            planted = len(planted_duplicates(n))
            lint = Command(
                hoquiz_argv("lint", "--rule", "duplicate-prompt", str(path)),
                ok_codes=(1,),
                expect=f"\n{planted} warning",
            )
            validate = Command(
                hoquiz_argv("validate", "--no-cache", str(path)), expect=f"{n} questions OK"
            )
            p = paired(
                Command(hoquiz_argv("lint", str(path)), ok_codes=(0, 1)),
                validate,
                config.pairs_for(n),
            )
            # Checked once per input, untimed: lint found every planted near-duplicate.
            paired(lint, validate, 1, warmup=0)
            times.setdefault(label, []).append((n, p.a))
            rows.append(
                result(
                    f"hoquiz lint ({n:,} questions, {label})",
                    p.a,
                    "hoquiz validate --no-cache",
                    p.b,
                    3.0,
                    ratio=p.ratio,
                )
            )
    for label, series in times.items():
        if len(series) >= 2:
            (n1, t1), (n2, t2) = series[-2:]
            rows.append(growth(f"hoquiz lint ({label})", n1, t1, n2, t2, 1.3))
    return rows
