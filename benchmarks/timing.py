"""Timing helpers shared by the benchmark modules.

Every command is a fresh process, as a user runs it. A measurement and its
baseline are *paired*: run A, run B, A, B, ... and the ratio is the median of
the per-pair ratios, so drift on a shared machine lands on both sides of each
pair instead of in the ratio. Every run is checked: a baseline (or a hoquiz
command) that exits with an unexpected status or does not print what shows it
did its work raises :class:`BenchmarkFailed`, and the whole run fails.
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

PYTHON = sys.executable


class BenchmarkFailed(Exception):
    """A command of a benchmark did not do its work."""


@dataclass(frozen=True)
class Config:
    """What one run of the benchmarks covers.

    ``sizes``: question counts, smallest first (the growth exponent is taken
    between the two largest). ``pairs``: paired runs per comparison.
    """

    sizes: tuple[int, ...] = (1_000, 10_000)
    pairs: int = 5
    files: int = 100
    quick: bool = False

    def pairs_for(self, n: int) -> int:
        """Fewer pairs for the 100,000-question runs, which take tens of seconds each."""
        return min(self.pairs, 3) if n >= 100_000 else self.pairs


@dataclass(frozen=True)
class Command:
    """A command line and how to tell it did its work."""

    argv: Sequence[str]
    env: dict[str, str] = field(default_factory=dict)
    ok_codes: tuple[int, ...] = (0,)
    expect: str | None = None  # text its stdout or stderr must hold
    before: Callable[[], None] | None = None  # run (untimed) before each timed run
    stdin: bytes = b""


# Pairs for a row timing a start (a fraction of a second each, and as noisy as the
# machine): enough that the median of their ratios moves less than the machine does.
START_PAIRS = 21


def hoquiz_argv(*args: str) -> list[str]:
    """The command line that runs hoquiz from this interpreter."""
    return [PYTHON, "-m", "hoquiz", *args]


def run_once(command: Command) -> float:
    """Wall time of one checked run of ``command``.

    Raises:
        BenchmarkFailed: an unexpected exit status, or the expected text missing.
    """
    # Children may write bytecode: a benchmark measures warm starts, as users get them.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "", **command.env}
    if command.before is not None:
        command.before()
    start = time.perf_counter()
    done = subprocess.run(
        command.argv, input=command.stdin, capture_output=True, env=env, check=False
    )
    elapsed = time.perf_counter() - start
    output = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
    if done.returncode not in command.ok_codes:
        raise BenchmarkFailed(
            f"{' '.join(map(str, command.argv[:6]))} exited {done.returncode}: {output[-600:]}"
        )
    if command.expect is not None and command.expect not in output:
        raise BenchmarkFailed(
            f"{' '.join(map(str, command.argv[:6]))} did not print {command.expect!r}: "
            f"{output[-600:]}"
        )
    return elapsed


@dataclass(frozen=True)
class Paired:
    a: float  # median seconds of A
    b: float  # median seconds of B
    ratio: float  # median of the per-pair ratios A / B


def paired(a: Command, b: Command, pairs: int, warmup: int = 1) -> Paired:
    """Run A and B alternately, ``pairs`` times (after ``warmup`` untimed pairs)."""
    times_a, times_b = [], []
    for i in range(warmup + pairs):
        ta = run_once(a)
        tb = run_once(b)
        if i >= warmup:
            times_a.append(ta)
            times_b.append(tb)
    ratios = [x / y for x, y in zip(times_a, times_b, strict=True)]
    return Paired(statistics.median(times_a), statistics.median(times_b), statistics.median(ratios))


def peak_rss_mb(command: Command) -> float:
    """Peak resident memory (MB) of one checked run of ``command``.

    Measured from a fresh wrapper process, whose children's peak is that one
    command's alone.
    """
    probe = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, capture_output=True)\n"
        "sys.stderr.buffer.write(done.stdout + done.stderr)\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    env = {**os.environ, **command.env}
    out = subprocess.run(
        [PYTHON, "-c", probe, *command.argv], capture_output=True, text=True, env=env, check=True
    )
    code, kb = out.stdout.split()
    if int(code) not in command.ok_codes or (
        command.expect is not None and command.expect not in out.stderr
    ):
        raise BenchmarkFailed(f"{' '.join(command.argv[:6])} failed: {out.stderr[-600:]}")
    return int(kb) / 1024


def exponent(n1: int, t1: float, n2: int, t2: float) -> float:
    """k in time ~ N^k, from two sizes."""
    return math.log(t2 / t1) / math.log(n2 / n1)


def result(
    name: str,
    measured: float,
    baseline_name: str,
    baseline: float,
    target: float,
    *,
    ratio: float | None = None,
    unit: str = "s",
) -> dict[str, Any]:
    """One row of the report: a ratio against a baseline measured in the same run.

    ``ratio`` (the median of paired ratios) defaults to measured / baseline.
    A ``target`` of infinity means the row is reported without a target.
    """
    ratio = measured / baseline if ratio is None else ratio
    return {
        "benchmark": name,
        "measured": round(measured, 4),
        "baseline": baseline_name,
        "baseline_value": round(baseline, 4),
        "unit": unit,
        "ratio": round(ratio, 3),
        "target": "-" if math.isinf(target) else f"<= {target}",
        "ok": ratio <= target,
    }


def growth(name: str, n1: int, t1: float, n2: int, t2: float, target: float) -> dict[str, Any]:
    """A row for the growth exponent of one command between two sizes."""
    k = exponent(n1, t1, n2, t2)
    return {
        "benchmark": f"{name}: growth exponent, {n1:,} -> {n2:,} questions",
        "measured": round(t2, 4),
        "baseline": f"time at {n1:,}",
        "baseline_value": round(t1, 4),
        "unit": "s",
        "ratio": round(k, 3),
        "target": "-" if math.isinf(target) else f"k < {target}",
        "ok": k < target,
    }
