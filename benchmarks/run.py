"""Run every benchmark and print a table of ratios against same-run baselines.

Usage: python -m benchmarks.run [--only NAME] [--json FILE]
Each benchmarks/bench_*.py module exposes ``run(workdir) -> list[dict]``
(rows built by ``benchmarks.timing.result``).
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="run only benchmarks/bench_NAME.py")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON to this file")
    args = parser.parse_args()
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
            rows.extend(module.run(workdir))
    print("| benchmark | measured | baseline | baseline value | ratio | target | ok |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        ok = "yes" if r["ok"] else "NO"
        print(
            f"| {r['benchmark']} | {r['measured_s']} | {r['baseline']} | {r['baseline_s']} "
            f"| {r['ratio']} | {r['target']} | {ok} |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
