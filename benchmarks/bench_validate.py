"""Validation of a 10,000-question bank against a bare C-parser YAML load, and CLI start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.synth import write_synthetic_bank
from benchmarks.timing import PYTHON, hoquiz_argv, peak_rss_mb, result, time_command


def run(workdir: Path) -> list[dict[str, Any]]:
    bank = write_synthetic_bank(workdir / "synthetic.yaml")
    bare_load = [
        PYTHON,
        "-c",
        "import sys, yaml\n"
        "with open(sys.argv[1], encoding='utf-8') as f: yaml.load(f, Loader=yaml.CSafeLoader)",
        str(bank),
    ]
    bare = time_command(bare_load)
    validate = time_command(hoquiz_argv("validate", str(bank)))
    bare_mb = peak_rss_mb(bare_load)
    validate_mb = peak_rss_mb(hoquiz_argv("validate", str(bank)))
    import_click = time_command([PYTHON, "-c", "import click"], repeat=11)
    help_ = time_command(hoquiz_argv("--help"), repeat=11)
    return [
        result("hoquiz validate (10,000 questions)", validate, "CSafeLoader load", bare, 1.3),
        result(
            "hoquiz validate (10,000 questions), peak memory",
            validate_mb,
            "CSafeLoader load, peak memory",
            bare_mb,
            1.3,
        ),
        result("hoquiz --help", help_, "python -c 'import click'", import_click, 2.0),
    ]
