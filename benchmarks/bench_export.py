"""Anki export of a 10,000-question bank against a bare load plus raw genanki writing.

The baseline, run in the same way (a fresh interpreter) in the same run: load
the bank with PyYAML's C loader and no validation, then let genanki write one
basic note per question (prompt and explanation) with ``Package.write_to_file``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.synth import write_synthetic_bank
from benchmarks.timing import PYTHON, hoquiz_argv, result, time_command

BASELINE = """\
import sys, yaml, genanki
with open(sys.argv[1], encoding="utf-8") as f:
    data = yaml.load(f, Loader=yaml.CSafeLoader)
model = genanki.Model(
    1607392319, "Basic",
    fields=[{"name": "Front"}, {"name": "Back"}],
    templates=[
        {"name": "Card", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}
    ],
)
deck = genanki.Deck(2059400110, "Synthetic")
for q in data["questions"]:
    front = q.get("prompt") or q.get("text") or q.get("front")
    deck.add_note(genanki.Note(model=model, fields=[front, q["explanation"]]))
genanki.Package(deck).write_to_file(sys.argv[2], timestamp=1_700_000_000)
"""


def run(workdir: Path) -> list[dict[str, Any]]:
    bank = write_synthetic_bank(workdir / "synthetic.yaml")
    # genanki leaves its temporary database behind: keep it inside workdir.
    env = {"TMPDIR": str(workdir)}
    baseline = time_command([PYTHON, "-c", BASELINE, str(bank), str(workdir / "raw.apkg")], env=env)
    export = time_command(
        hoquiz_argv("export", str(bank), "-o", str(workdir / "hoquiz.apkg")), env=env
    )
    return [
        result(
            "hoquiz export (10,000 questions)",
            export,
            "CSafeLoader load + raw genanki write",
            baseline,
            1.3,
        )
    ]
