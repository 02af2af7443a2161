"""The Anki export answered from the bank cache and the rendered-note cache.

What a user notices: an export from the cache is byte for byte the export
without it (package and release manifest), an edited bank is rendered again
and only it, and a damaged cache is never seen (same bytes, no traceback).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from export_banks import PNG, write_banks

from benchmarks.synth import write_synthetic_folder
from hoquiz.banks.loader import load_banks, select_banks
from hoquiz.banks.paths import bundled_decks_dir
from hoquiz.cli import cli
from hoquiz.formats import anki, anki_note_cache
from hoquiz.formats.anki import export_apkg
from hoquiz.formats.manifest import MANIFEST_NAME

EPOCH = 1_790_000_000


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    return tmp_path / "xdg" / "hoquiz"


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The ids of the banks the export renders from their questions (cache misses)."""
    banks: list[str] = []
    render = anki_note_cache.render_notes

    def counting(bank: Any, questions: Any, media: Any) -> Any:
        banks.append(bank.id)
        return render(bank, questions, media)

    monkeypatch.setattr(anki_note_cache, "render_notes", counting)
    yield banks


def export(folder: Path, out: Path, *args: str) -> tuple[bytes, bytes]:
    """``hoquiz export`` (through the caches): the package and the manifest it leaves."""
    result = CliRunner().invoke(cli, ["export", str(folder), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    manifest = folder / MANIFEST_NAME
    return out.read_bytes(), manifest.read_bytes() if manifest.exists() else b""


def uncached(folder: Path, out: Path, tags: tuple[str, ...] = ()) -> tuple[bytes, bytes]:
    """The same export from the banks loaded from their YAML, no cache anywhere."""
    banks = select_banks(load_banks([folder]), (), tags)
    export_apkg(banks, out, source_date_epoch=EPOCH, complete=not tags)
    manifest = folder / MANIFEST_NAME
    return out.read_bytes(), manifest.read_bytes() if manifest.exists() else b""


def twins(tmp_path: Path, source: Path) -> tuple[Path, Path]:
    """Two copies of a bank folder: one exported through the caches, one without."""
    return (
        Path(shutil.copytree(source, tmp_path / "cached")),
        Path(shutil.copytree(source, tmp_path / "plain")),
    )


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_bundled_decks_cold_and_warm_equal_the_uncached_export(
    tmp_path: Path, cache: Path, rendered: list[str]
) -> None:
    cached, plain = twins(tmp_path, bundled_decks_dir())
    cold = export(cached, tmp_path / "cold.apkg")
    assert len(rendered) == 9  # every bank, rendered once
    assert cold == uncached(plain, tmp_path / "plain.apkg")
    rendered.clear()
    warm = export(cached, tmp_path / "warm.apkg")
    assert rendered == []  # nothing parsed or rendered again
    assert warm == cold == uncached(plain, tmp_path / "plain.apkg")
    assert len(list(cache.glob("notes-*.json"))) == 9


def test_synthetic_folder_an_edited_bank_is_rendered_again_alone(
    tmp_path: Path, cache: Path, rendered: list[str]
) -> None:
    source = write_synthetic_folder(tmp_path / "synth", 300, 6)
    cached, plain = twins(tmp_path, source)
    assert export(cached, tmp_path / "a.apkg") == uncached(plain, tmp_path / "p.apkg")
    rendered.clear()
    assert export(cached, tmp_path / "a.apkg") == uncached(plain, tmp_path / "p.apkg")
    assert rendered == []

    for folder in (cached, plain):
        bank = folder / "bank-002.yaml"
        text = bank.read_text(encoding="utf-8")
        at = text.index("explanation: ") + len("explanation: ")
        bank.write_text(text[:at] + "Edited. " + text[at:], encoding="utf-8")
    after = export(cached, tmp_path / "a.apkg")
    assert rendered == ["synthetic-002"]
    assert after == uncached(plain, tmp_path / "p.apkg")
    assert b"Edited. " in after[1]  # the manifest holds the new explanation


def test_a_withdrawn_cloze_number_is_added_to_the_cached_note(
    tmp_path: Path, cache: Path, rendered: list[str]
) -> None:
    cached, plain = twins(tmp_path, write_banks(tmp_path / "banks"))
    export(cached, tmp_path / "a.apkg")
    uncached(plain, tmp_path / "p.apkg")
    for folder in (cached, plain):
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        for record in manifest["notes"].values():
            if record["type"] == "cloze":
                record["cards"] = [*record["cards"], 9]
        (folder / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    rendered.clear()
    out = export(cached, tmp_path / "a.apkg")
    assert rendered == []
    assert out == uncached(plain, tmp_path / "p.apkg")
    assert b"hoquiz::withdrawn-card::c9" in out[1]


def test_an_image_changed_in_place_renders_its_bank_again(
    tmp_path: Path, cache: Path, rendered: list[str]
) -> None:
    cached, plain = twins(tmp_path, write_banks(tmp_path / "banks"))
    export(cached, tmp_path / "a.apkg")
    uncached(plain, tmp_path / "p.apkg")
    other = PNG.replace(b"IDAT", b"IDAT", 1) + b"\0" * 16  # other bytes, still a PNG
    for folder in (cached, plain):
        (folder / "xray.png").write_bytes(other)
    rendered.clear()
    out = export(cached, tmp_path / "a.apkg")
    assert rendered == ["every-type"]
    assert out == uncached(plain, tmp_path / "p.apkg")
    assert hashlib.sha256(other).hexdigest()[:16].encode() in out[1]


def test_a_narrowed_export_reads_the_cache_and_writes_no_entry(
    tmp_path: Path, cache: Path, rendered: list[str]
) -> None:
    cached, plain = twins(tmp_path, write_synthetic_folder(tmp_path / "synth", 200, 4))
    narrowed = export(cached, tmp_path / "a.apkg", "--tag", "t3")
    assert not list(cache.glob("notes-*.json"))
    assert narrowed == uncached(plain, tmp_path / "p.apkg", ("t3",))
    export(cached, tmp_path / "a.apkg")
    uncached(plain, tmp_path / "p.apkg")
    rendered.clear()
    assert export(cached, tmp_path / "a.apkg", "--tag", "t3") == uncached(
        plain, tmp_path / "p.apkg", ("t3",)
    )
    assert rendered == []


def _rewrite(entry: Path, body: bytes) -> None:
    """An entry with this body and a header that checks (a crafted entry)."""
    header = json.loads(entry.read_bytes().split(b"\n", 1)[0])
    header["sha256"] = hashlib.sha256(body).hexdigest()
    entry.write_bytes(json.dumps(header).encode() + b"\n" + body)


def _flip(entry: Path) -> None:
    """One byte of the body changed (a letter to another letter)."""
    data = bytearray(entry.read_bytes())
    at = next(i for i in range(len(data) * 3 // 4, len(data)) if chr(data[i]).isalpha())
    data[at] ^= 0x01
    entry.write_bytes(bytes(data))


def _notes_body(entry: Path) -> Any:
    return json.loads(entry.read_bytes().split(b"\n", 1)[1])


DAMAGES = {
    "byte changed": lambda e: _flip(e),
    "truncated": lambda e: e.write_bytes(e.read_bytes()[: len(e.read_bytes()) // 2]),
    "empty": lambda e: e.write_bytes(b""),
    "not json": lambda e: e.write_bytes(b"\xff\xfe garbage\n\x00"),
    "crafted: not an object": lambda e: _rewrite(e, b"[1, 2, 3]"),
    "crafted: a note short of fields": lambda e: _rewrite(
        e, json.dumps({**_notes_body(e), "values": _notes_body(e)["values"][1:]}).encode()
    ),
    "crafted: a field not text": lambda e: _rewrite(
        e, json.dumps({**_notes_body(e), "values": [1, *_notes_body(e)["values"][1:]]}).encode()
    ),
    "crafted: a note missing": lambda e: _rewrite(
        e, json.dumps({**_notes_body(e), "guids": _notes_body(e)["guids"][1:]}).encode()
    ),
    "crafted: another type": lambda e: _rewrite(
        e,
        json.dumps(
            {**_notes_body(e), "kinds": ["flashcard" for _ in _notes_body(e)["kinds"]]}
        ).encode(),
    ),
    "crafted: a tag not text": lambda e: _rewrite(
        e, json.dumps({**_notes_body(e), "tags": [[1] for _ in _notes_body(e)["tags"]]}).encode()
    ),
    "crafted: an image out of range": lambda e: _rewrite(
        e, json.dumps({**_notes_body(e), "images": [[10**6, "/etc/passwd"]]}).encode()
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_notes_entry_is_a_miss(
    tmp_path: Path, cache: Path, rendered: list[str], damage: str
) -> None:
    cached, plain = twins(tmp_path, write_banks(tmp_path / "banks"))
    export(cached, tmp_path / "a.apkg")
    uncached(plain, tmp_path / "p.apkg")
    entries = sorted(cache.glob("notes-*.json"))
    assert len(entries) == 2
    for entry in entries:
        DAMAGES[damage](entry)
    rendered.clear()
    assert export(cached, tmp_path / "a.apkg") == uncached(plain, tmp_path / "p.apkg")
    assert sorted(rendered) == ["every-type", "second"]
    rendered.clear()  # rewritten: the next export reads them again
    assert export(cached, tmp_path / "a.apkg") == uncached(plain, tmp_path / "p.apkg")
    assert rendered == []


def test_another_banks_entry_in_its_place_is_a_miss(
    tmp_path: Path, cache: Path, rendered: list[str]
) -> None:
    cached, plain = twins(tmp_path, write_banks(tmp_path / "banks"))
    export(cached, tmp_path / "a.apkg")
    uncached(plain, tmp_path / "p.apkg")
    first, second = sorted(cache.glob("notes-*.json"))
    first_bytes = first.read_bytes()
    first.write_bytes(second.read_bytes())
    second.write_bytes(first_bytes)
    rendered.clear()
    assert export(cached, tmp_path / "a.apkg") == uncached(plain, tmp_path / "p.apkg")
    assert sorted(rendered) == ["every-type", "second"]


@pytest.mark.parametrize("entries", ["bank-*.json", "package-*.zip"])
@pytest.mark.parametrize("damage", ["byte changed", "truncated", "not json", "empty"])
def test_a_damaged_bank_or_package_entry_is_a_miss(
    tmp_path: Path, cache: Path, damage: str, entries: str
) -> None:
    cached, plain = twins(tmp_path, write_banks(tmp_path / "banks"))
    export(cached, tmp_path / "a.apkg")
    uncached(plain, tmp_path / "p.apkg")
    found = list(cache.glob(entries))
    assert found
    for entry in found:
        DAMAGES[damage](entry)
    assert export(cached, tmp_path / "a.apkg") == uncached(plain, tmp_path / "p.apkg")
    assert export(cached, tmp_path / "a.apkg") == uncached(plain, tmp_path / "p.apkg")


def test_an_invalid_bank_gives_the_same_located_error_warm_or_cold(
    tmp_path: Path, cache: Path
) -> None:
    folder = write_synthetic_folder(tmp_path / "synth", 100, 4)
    export(folder, tmp_path / "a.apkg")  # the cache is warm
    replace_in(folder / "bank-001.yaml", "explanation: ", "explanation_typo: ")
    warm = CliRunner().invoke(cli, ["export", str(folder), "-o", str(tmp_path / "b.apkg")])
    shutil.rmtree(cache)
    cold = CliRunner().invoke(cli, ["export", str(folder), "-o", str(tmp_path / "b.apkg")])
    validate = CliRunner().invoke(cli, ["validate", str(folder)])
    assert warm.exit_code == cold.exit_code == validate.exit_code != 0
    assert warm.output == cold.output
    assert "bank-001.yaml:" in warm.output and "Traceback" not in warm.output
    assert not (tmp_path / "b.apkg").exists()
    assert all(line in validate.output for line in warm.output.splitlines()[1:])


def test_diff_from_the_cache_equals_diff_without(tmp_path: Path, cache: Path) -> None:
    folder = write_synthetic_folder(tmp_path / "synth", 200, 4)
    export(folder, tmp_path / "a.apkg")
    replace_in(folder / "bank-003.yaml", "explanation: ", "explanation: Changed. ")
    runs = [CliRunner().invoke(cli, ["diff", str(folder), "--json"]) for _ in range(2)]
    shutil.rmtree(cache)
    runs.append(CliRunner().invoke(cli, ["diff", str(folder), "--json"]))
    assert [r.exit_code for r in runs] == [1, 1, 1]
    assert runs[0].output == runs[1].output == runs[2].output
    assert len(json.loads(runs[0].output)["changed"]) == 1


def test_withdrawn_questions_and_banks_from_the_cache_equal_the_uncached_export(
    tmp_path: Path, cache: Path
) -> None:
    cached, plain = twins(tmp_path, write_synthetic_folder(tmp_path / "synth", 300, 6))
    for _ in range(2):
        assert export(cached, tmp_path / "a.apkg") == uncached(plain, tmp_path / "p.apkg")
    for folder in (cached, plain):
        (folder / "bank-004.yaml").unlink()
        bank = folder / "bank-001.yaml"
        text = bank.read_text(encoding="utf-8")
        second = text.index("  - id: ", text.index("  - id: ") + 1)
        third = text.index("  - id: ", second + 1)
        bank.write_text(text[:second] + text[third:], encoding="utf-8")
    out = export(cached, tmp_path / "a.apkg")
    assert out == uncached(plain, tmp_path / "p.apkg")
    assert out[1].count(b'"withdrawn": true') == 51
    assert export(cached, tmp_path / "a.apkg") == uncached(plain, tmp_path / "p.apkg")


MANIFEST_EDITS = {
    "reformatted by hand": lambda m: m.write_text(
        json.dumps(json.loads(m.read_text(encoding="utf-8")), indent=2), encoding="utf-8"
    ),
    "a field edited by hand": lambda m: m.write_bytes(
        m.read_bytes().replace(b"Explanation", b"Explanation", 1).replace(b"</div>", b"</p>", 1)
    ),
}


@pytest.mark.parametrize("edit", sorted(MANIFEST_EDITS))
def test_a_manifest_edited_since_the_last_export_is_read_and_rewritten_as_without_cache(
    tmp_path: Path, cache: Path, edit: str
) -> None:
    cached, plain = twins(tmp_path, write_banks(tmp_path / "banks"))
    for _ in range(2):
        assert export(cached, tmp_path / "a.apkg") == uncached(plain, tmp_path / "p.apkg")
    for folder in (cached, plain):
        MANIFEST_EDITS[edit](folder / MANIFEST_NAME)
    edited = (cached / MANIFEST_NAME).read_bytes()
    out = export(cached, tmp_path / "a.apkg")
    assert out == uncached(plain, tmp_path / "p.apkg")
    assert out[1] != edited


STAMP_DAMAGES = {
    "byte changed": _flip,
    "truncated": lambda e: e.write_bytes(e.read_bytes()[:100]),
    "crafted: not a summary": lambda e: _rewrite(
        e, e.read_bytes().split(b"\n", 1)[1].split(b"\n")[0] + b"\n[1, 2]"
    ),
    "crafted: another file's hash": lambda e: _rewrite(e, b"0" * 64 + b"\n{}"),
}


@pytest.mark.parametrize("damage", sorted(STAMP_DAMAGES))
def test_a_damaged_manifest_stamp_is_a_miss(tmp_path: Path, cache: Path, damage: str) -> None:
    cached, plain = twins(tmp_path, write_synthetic_folder(tmp_path / "synth", 100, 2))
    for _ in range(2):
        assert export(cached, tmp_path / "a.apkg") == uncached(plain, tmp_path / "p.apkg")
    (stamp,) = cache.glob("manifest-*.json")
    STAMP_DAMAGES[damage](stamp)
    for folder in (cached, plain):
        replace_in(folder / "bank-001.yaml", "explanation: ", "explanation: Changed. ")
    assert export(cached, tmp_path / "a.apkg") == uncached(plain, tmp_path / "p.apkg")
    assert export(cached, tmp_path / "a.apkg") == uncached(plain, tmp_path / "p.apkg")


def test_an_unchanged_re_export_does_not_import_genanki(tmp_path: Path, cache: Path) -> None:
    # Writing the collection with genanki (and importing it) is most of what a re-export
    # of unchanged banks would cost: its zip comes from the cache instead.
    folder = write_banks(tmp_path / "banks")
    probe = (
        "import sys\n"
        "from hoquiz.cli import cli\n"
        "try:\n"
        "    cli(sys.argv[1:], prog_name='hoquiz')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('genanki imported:', 'genanki' in sys.modules)\n"
    )
    argv = [sys.executable, "-c", probe, "export", str(folder), "-o", str(tmp_path / "a.apkg")]
    first = subprocess.run(argv, capture_output=True, text=True, check=True)
    assert "genanki imported: True" in first.stdout
    before = (tmp_path / "a.apkg").read_bytes()
    again = subprocess.run(argv, capture_output=True, text=True, check=True)
    assert "genanki imported: False" in again.stdout
    assert (tmp_path / "a.apkg").read_bytes() == before


def test_another_genanki_is_a_miss_with_the_same_bytes(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached, plain = twins(tmp_path, write_banks(tmp_path / "banks"))
    written: list[int] = []
    collection = anki._collection

    def counting(*args: Any) -> bytes:
        written.append(1)
        return collection(*args)

    monkeypatch.setattr(anki, "_collection", counting)
    first = export(cached, tmp_path / "a.apkg")
    export(cached, tmp_path / "a.apkg")
    assert written == [1]  # the second export wrote no collection
    files = anki._writer_files()
    path, size, mtime = files[0]
    monkeypatch.setattr(anki, "_writer_files", lambda: [(path, size, mtime + 1), *files[1:]])
    assert export(cached, tmp_path / "a.apkg") == first
    assert written == [1, 1]  # genanki's files changed: the collection is written again
    assert first == uncached(plain, tmp_path / "p.apkg")


def test_progress_counts_every_note_warm_or_cold(tmp_path: Path, cache: Path) -> None:
    banks = load_banks([write_banks(tmp_path / "banks")])
    notes = sum(len(bank.questions) for bank in banks)
    for _ in ("cold", "warm"):
        done: list[int] = []
        anki.build_package(banks, source_date_epoch=EPOCH, progress=done.append, cache_dir=cache)
        assert sum(done) == notes


def test_no_cache_gives_the_same_bytes_and_keeps_nothing(tmp_path: Path, cache: Path) -> None:
    cached, plain = twins(tmp_path, write_banks(tmp_path / "banks"))
    without = export(plain, tmp_path / "p.apkg", "--no-cache")
    assert not cache.exists() or not any(cache.iterdir())
    assert export(cached, tmp_path / "a.apkg") == without
    assert export(cached, tmp_path / "a.apkg", "--no-cache") == without
