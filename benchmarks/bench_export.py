"""Anki export against a bare load plus raw genanki writing, in one file and in 100 files.

The export runs with its cache (the bank cache and the rendered-note cache)
in ``workdir``: warm after the untimed warm-up pair, and the manifest then
written, as a re-export of unchanged banks finds them. Also reported,
without a target: the export with a cold cache (a fresh cache folder, the
manifest in place).

The baseline, run in the same way (a fresh interpreter), paired: load the
banks with PyYAML's C loader and no validation (the cyclic collector paused
while loading, as in :data:`benchmarks.fixtures.BARE_LOAD`), then let genanki write one
basic note per question (prompt and explanation) with
``Package.write_to_file``; it checks it wrote every note.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from benchmarks.fixtures import inputs
from benchmarks.timing import PYTHON, Command, Config, growth, hoquiz_argv, paired, result

BASELINE = """\
import gc, sys, yaml, genanki
from pathlib import Path
model = genanki.Model(
    1607392319, "Basic",
    fields=[{"name": "Front"}, {"name": "Back"}],
    templates=[
        {"name": "Card", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}
    ],
)
deck = genanki.Deck(2059400110, "Synthetic")
path = Path(sys.argv[1])
gc.disable()
for file in sorted(path.glob("*.yaml")) if path.is_dir() else [path]:
    if file.name == "sources.yaml":
        continue
    with open(file, encoding="utf-8") as f:
        data = yaml.load(f, Loader=yaml.CSafeLoader)
    for q in data["questions"]:
        front = q.get("prompt") or q.get("text") or q.get("front")
        deck.add_note(genanki.Note(model=model, fields=[front, q["explanation"]]))
gc.enable()
genanki.Package(deck).write_to_file(sys.argv[2], timestamp=1_700_000_000)
print(f"wrote {len(deck.notes)} notes")
"""


def run(workdir: Path, config: Config) -> list[dict[str, Any]]:
    # genanki leaves its temporary database behind: keep it inside workdir.
    env = {"TMPDIR": str(workdir), "XDG_CACHE_HOME": str(workdir / "cache")}
    rows = []
    times: dict[str, list[tuple[int, float]]] = {}
    for n in config.sizes:
        for label, path in inputs(workdir, n, config.files):
            baseline = Command(
                [PYTHON, "-c", BASELINE, str(path), str(workdir / "raw.apkg")],
                env=env,
                expect=f"wrote {n} notes",
            )
            argv = hoquiz_argv("export", str(path), "-o", str(workdir / "hoquiz.apkg"))
            export = Command(argv, env=env)
            p = paired(export, baseline, config.pairs_for(n))
            times.setdefault(label, []).append((n, p.a))
            rows.append(
                result(
                    f"hoquiz export ({n:,} questions, {label})",
                    p.a,
                    "CSafeLoader load + raw genanki write",
                    p.b,
                    1.0 if label != "1 file" else 1.3,
                    ratio=p.ratio,
                )
            )
            cold = Command(argv, env={**env, "XDG_CACHE_HOME": str(workdir / f"cold-{n}-{label}")})
            p = paired(cold, baseline, 1, warmup=0)
            rows.append(
                result(
                    f"hoquiz export ({n:,} questions, {label}), cold cache",
                    p.a,
                    "CSafeLoader load + raw genanki write",
                    p.b,
                    math.inf,
                    ratio=p.ratio,
                )
            )
    for label, series in times.items():
        if len(series) >= 2:
            (n1, t1), (n2, t2) = series[-2:]
            rows.append(growth(f"hoquiz export ({label})", n1, t1, n2, t2, math.inf))
    return rows
