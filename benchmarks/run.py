"""Run every benchmark and print a table of ratios against same-run baselines.

Usage: python -m benchmarks.run [--quick | --big] [--only NAME] [--json FILE]

* default: 1,000 and 10,000 questions (one file, and 100 files), 5 paired
  runs per comparison; about 10 minutes on 2 cores.
* ``--big``: adds 100,000 questions (100 files; one file of that size is over
  the 20 MiB bank limit) with a 1,000,000-row review history; 3 paired runs
  at that size. Opt-in: about 40 minutes more on 2 cores.
* ``--quick``: 500 and 2,000 questions in 20 files, one pair: a minute or two,
  for trying the benchmarks, not for figures.

Each benchmarks/bench_*.py module exposes ``run(workdir, config) -> list[dict]``
(rows built by :func:`benchmarks.timing.result`). A baseline or command that
fails to do its work stops the run with exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import benchmarks
from benchmarks.timing import BenchmarkFailed, Config


def config_from(args: argparse.Namespace) -> Config:
    if args.quick:
        return Config(sizes=(500, 2_000), pairs=1, files=20, quick=True)
    if args.big:
        return Config(sizes=(1_000, 10_000, 100_000))
    return Config()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="run only benchmarks/bench_NAME.py")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON to this file")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small sizes, one pair")
    size.add_argument("--big", action="store_true", help="also 100,000 questions (slow)")
    args = parser.parse_args()
    config = config_from(args)
    names = sorted(
        m.name
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_") and (not args.only or m.name == f"bench_{args.only}")
    )
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="hoquiz-bench-") as tmp:
        for name in names:
            module = importlib.import_module(f"benchmarks.{name}")
            print(f"running {name} ...", file=sys.stderr, flush=True)
            workdir = Path(tmp) / name
            workdir.mkdir()
            try:
                new = module.run(workdir, config)
            except BenchmarkFailed as error:
                print(f"benchmark {name} failed: {error}", file=sys.stderr)
                return 2
            for row in new:
                print(f"  {row['benchmark']}: {row['ratio']}", file=sys.stderr, flush=True)
            rows.extend(new)
    print("| benchmark | measured | baseline | baseline value | ratio | target | ok |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        ok = "yes" if r["ok"] else "NO"
        unit = " MB" if r["unit"] == "MB" else " s"
        print(
            f"| {r['benchmark']} | {r['measured']}{unit} | {r['baseline']} "
            f"| {r['baseline_value']}{unit} | {r['ratio']} | {r['target']} | {ok} |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
