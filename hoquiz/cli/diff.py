"""``hoquiz diff``: what the next Anki export will change, against the manifest.

Also the lines ``hoquiz export`` prints after its summary. Everything is
printed through :mod:`hoquiz.cli.output`, which shows the control
characters bank text may hold as escapes.
"""

from __future__ import annotations

import difflib
import html
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hoquiz.cli import cli
from hoquiz.cli.options import bank_paths
from hoquiz.cli.output import echo, echo_json
from hoquiz.formats.release import Change, FieldChange, NoteChange
from hoquiz.text import plural

if TYPE_CHECKING:
    from hoquiz.formats.anki import ExportSummary
    from hoquiz.formats.anki_release import ExportPlan

# Words of unchanged text kept on each side of a change in a word diff.
CONTEXT_WORDS = 5


def plain(field_html: str) -> str:
    """A field's HTML as the words a learner reads (tags dropped, entities decoded)."""
    text = re.sub(r"<br\s*/?>|</(?:li|div|p)>", " ", field_html)
    return html.unescape(re.sub(r"<[^>]*>", " ", text))


def word_diff(old: str, new: str, context: int = CONTEXT_WORDS) -> str:
    """A ``git diff --word-diff`` style line: ``[-removed-]{+added+}``, long runs elided."""
    a, b = plain(old).split(), plain(new).split()
    if a == b:
        return "(same words, different markup)"
    out: list[str] = []
    opcodes = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            head = words[:context] if n > 0 else []
            tail = words[-context:] if n < len(opcodes) - 1 else []
            if len(words) > len(head) + len(tail):
                out.extend([*head, "…", *tail])
            else:
                out.extend(words)
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(w for w in out if w)


def _field_json(change: FieldChange) -> dict[str, str]:
    return {
        "field": change.name,
        "old": change.old,
        "new": change.new,
        "diff": word_diff(change.old, change.new),
    }


def diff_json(plan: ExportPlan) -> dict[str, Any]:
    """The changes of ``plan`` as plain data (``hoquiz diff --json``)."""
    changes = [c for f in plan.folders for c in f.release.changes]

    def keys(kind: Change) -> list[NoteChange]:
        return [c for c in changes if c.change is kind]

    return {
        "new": [c.key for c in keys(Change.NEW)],
        "changed": [
            {"note": c.key, "fields": [_field_json(f) for f in c.fields]}
            for c in keys(Change.CHANGED)
        ],
        "withdrawn": [c.key for c in keys(Change.WITHDRAWN)],
        "retyped": [{"note": c.key, "from": c.old, "to": c.new} for c in keys(Change.RETYPED)],
        "moved": [{"note": c.key, "from": c.old, "to": c.new} for c in keys(Change.MOVED)],
        "note_types": sorted({k for f in plan.folders for k in f.release.note_types_changed}),
        "without_manifest": [str(f.manifest_path) for f in plan.folders if f.previous is None],
        "updates": sum(f.release.updates for f in plan.folders),
    }


def has_changes(data: dict[str, Any]) -> bool:
    return any(data[k] for k in (*(c.value for c in Change), "note_types", "without_manifest"))


def diff_lines(data: dict[str, Any]) -> list[str]:
    """The report ``hoquiz diff`` prints, one note per line (changed fields indented)."""
    lines = [
        f"no manifest yet: {path} (the next export starts it)" for path in data["without_manifest"]
    ]
    lines += [f"new        {key}" for key in data["new"]]
    for change in data["changed"]:
        lines.append(f"changed    {change['note']}")
        lines += [f"  {f['field']}: {f['diff']}" for f in change["fields"]]
    lines += [f"withdrawn  {key}" for key in data["withdrawn"]]
    lines += [f"retyped    {c['note']} ({c['from']} -> {c['to']})" for c in data["retyped"]]
    lines += [f"moved      {c['note']} ({c['from']} -> {c['to']})" for c in data["moved"]]
    lines += [f"note type  {kind} (template or CSS changed)" for kind in data["note_types"]]
    counts = ", ".join(
        f"{len(data[c.value])} {c.value}" for c in Change if c is not Change.MOVED and data[c.value]
    )
    summary = f"{plural(data['updates'], 'note')} to update in Anki"
    lines.append(f"{summary}: {counts}" if counts else summary)
    return lines


@cli.command()
@bank_paths
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@click.pass_context
def diff(ctx: click.Context, paths: tuple[Path, ...], as_json: bool) -> None:
    """Show what the next `hoquiz export` will change in Anki.

    Compares the banks with their release manifest (hoquiz-manifest.json):
    new, changed (with a word diff of each changed field), withdrawn,
    retyped and moved notes, and note types whose template or CSS changed.
    Exits 0 when the export would change nothing, 1 otherwise.
    """
    from hoquiz.cli.export import load_anki
    from hoquiz.formats.anki import export_plan
    from hoquiz.userdirs import default_cache_dir

    cache_dir = default_cache_dir()
    plan = export_plan(load_anki(paths, cache_dir), now=int(time.time()), cache_dir=cache_dir)
    data = diff_json(plan)
    if as_json:
        echo_json(data)
    else:
        for line in diff_lines(data):
            echo(line)
    ctx.exit(1 if has_changes(data) else 0)


def report_export(summary: ExportSummary) -> None:
    """The lines ``hoquiz export`` prints after its summary: warnings, the manifest."""
    for warning in summary.warnings:
        echo(f"Warning: {warning}", err=True)
    if summary.updates is not None:
        echo(f"Anki will report {plural(summary.updates, 'note')} as new or updated")
    for path in summary.manifests_written:
        echo(f"Updated {_shown(path)} (commit it with the banks)")


def _shown(path: Path) -> Path:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path
