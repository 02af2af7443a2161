"""Synthetic inputs shared by the benchmark modules, written once per run."""

from __future__ import annotations

from pathlib import Path

from benchmarks.synth import write_synthetic_bank, write_synthetic_folder
from benchmarks.timing import PYTHON, Command

# One file of 100,000 synthetic questions is over the 20 MiB bank limit.
ONE_FILE_MAX = 40_000

# The cyclic collector is paused, as hoquiz's loader pauses it: with it
# running, one large file's load takes three to four times as long (the
# collector passes over the growing tree again and again), which would make
# the baseline slow for a reason that is not the parse.
BARE_LOAD = """\
import gc, sys, yaml
from pathlib import Path
gc.disable()
n = 0
for arg in sys.argv[1:]:
    path = Path(arg)
    for file in sorted(path.glob("*.yaml")) if path.is_dir() else [path]:
        if file.name == "sources.yaml":
            continue
        with open(file, encoding="utf-8") as f:
            n += len(yaml.load(f, Loader=yaml.CSafeLoader)["questions"])
print(f"loaded {n} questions")
"""


def shared(workdir: Path) -> Path:
    """The folder of inputs shared by every module of one run."""
    root = workdir.parent / "inputs"
    root.mkdir(exist_ok=True)
    return root


def one_file(workdir: Path, n: int) -> Path | None:
    """A single bank of ``n`` questions (``None`` above :data:`ONE_FILE_MAX`)."""
    if n > ONE_FILE_MAX:
        return None
    path = shared(workdir) / f"one-{n}" / "synthetic.yaml"
    if not path.exists():
        write_synthetic_bank(path, n)
    return path


def folder(workdir: Path, n: int, files: int) -> Path:
    """``n`` questions in ``files`` banks."""
    path = shared(workdir) / f"folder-{n}-{files}"
    if not path.exists():
        write_synthetic_folder(path, n, files)
    return path


def largest_bank(path: Path) -> Path:
    """The biggest bank file of a folder (or the file itself)."""
    if path.is_file():
        return path
    return max(
        (p for p in path.glob("*.yaml") if p.name != "sources.yaml"),
        key=lambda p: p.stat().st_size,
    )


def bare_load(path: Path, n: int | None = None) -> Command:
    """PyYAML's C loader reading the bank(s), no validation; checks the question count."""
    return Command(
        [PYTHON, "-c", BARE_LOAD, str(path)],
        expect=None if n is None else f"loaded {n} questions",
    )


def inputs(workdir: Path, n: int, files: int) -> list[tuple[str, Path]]:
    """(label, path) of the inputs of size ``n``: one file (when allowed) and a folder."""
    out = []
    single = one_file(workdir, n)
    if single is not None:
        out.append(("1 file", single))
    out.append((f"{files} files", folder(workdir, n, files)))
    return out
