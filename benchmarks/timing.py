"""Timing helpers shared by the benchmark modules."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

PYTHON = sys.executable


def hoquiz_argv(*args: str) -> list[str]:
    """The command line that runs hoquiz from this interpreter."""
    return [PYTHON, "-m", "hoquiz", *args]


def time_command(
    argv: Sequence[str],
    *,
    repeat: int = 5,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    warmup: int = 1,
) -> float:
    """Median wall time in seconds of running ``argv`` (after ``warmup`` runs)."""
    # Children may write bytecode: a benchmark measures warm starts, as users get them.
    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "", **(env or {})}
    samples = []
    for i in range(warmup + repeat):
        start = time.perf_counter()
        subprocess.run(
            argv,
            input=stdin if stdin is not None else b"",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=full_env,
            check=False,
        )
        if i >= warmup:
            samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def peak_rss_mb(argv: Sequence[str]) -> float:
    """Peak resident memory (MB) of one run of ``argv``.

    Measured from a fresh wrapper process, whose children's peak is that one
    command's alone.
    """
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL,"
        " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([PYTHON, "-c", probe, *argv], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def result(
    name: str, measured: float, baseline_name: str, baseline: float, target: float
) -> dict[str, Any]:
    """One row of the report: a ratio against a baseline measured in the same run.

    Times are in seconds; memory rows (names ending in "memory") in MB.
    """
    ratio = measured / baseline
    return {
        "benchmark": name,
        "measured_s": round(measured, 4),
        "baseline": baseline_name,
        "baseline_s": round(baseline, 4),
        "ratio": round(ratio, 3),
        "target": f"<= {target}",
        "ok": ratio <= target,
    }
