"""The benchmarks' synthetic banks make lint do the work it is timed for."""

from __future__ import annotations

from pathlib import Path

from benchmarks.synth import planted_duplicates, write_synthetic_bank, write_synthetic_folder
from hoquiz.banks.loader import load_banks
from hoquiz.lint import check
from hoquiz.text import normalize


def test_synthetic_prompts_carry_no_per_question_numbers(tmp_path: Path) -> None:
    banks = load_banks([write_synthetic_bank(tmp_path / "b.yaml", 300)])
    stems = [normalize(q.stem) for q in banks[0].questions]
    assert not any(char.isdigit() for stem in stems for char in stem)
    assert len(set(stems)) > 290  # varied wording


def test_lint_of_the_benchmark_finds_the_planted_near_duplicates(tmp_path: Path) -> None:
    n = 600
    banks = load_banks([write_synthetic_folder(tmp_path / "folder", n, files=6)])
    findings = check(banks, {"duplicate-prompt"})
    per_bank = n // 6
    flagged = sorted(int(f.file.stem.split("-")[1]) * per_bank + int(f.where[1]) for f in findings)
    assert flagged == planted_duplicates(n)
    assert all("nearly duplicates" in f.message for f in findings)


def test_every_benchmark_module_loads_and_takes_a_workdir_and_a_config() -> None:
    # A module that no longer matches the shared timing helpers stops the whole run.
    import importlib
    import inspect
    import pkgutil

    import benchmarks

    names = [
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")
    ]
    assert "bench_formats" in names and len(names) >= 5
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        assert list(inspect.signature(module.run).parameters) == ["workdir", "config"], name
