"""What a hostile bank folder could do to an export, and what hoquiz does instead.

Control characters in bank text: U+001F is the field separator of Anki's
note storage (one in a prompt made the whole package unimportable), and XML
1.0 cannot hold most C0 controls (a Moodle XML or QTI file with one is not
well formed). The release manifest a folder carries could be a symlink to a
file outside it, or a FIFO that blocks the export.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from hoquiz.cli import cli

SOURCES = "sources:\n  - {id: doc, title: D, kind: k, sections: [Intro]}\n"
BANK = """\
id: hostile
title: Hostile
questions:
  - id: q1
    type: mcq
    prompt: "Front\\x1fInjected\\x1fFields \\e]0;pwned\\a \\x9b2J"
    choices: ["Right\\x1fX", Wrong]
    answer: "Right\\x1fX"
    explanation: "E \\x00 \\x08 \\x0c end"
    source: {doc: doc, section: Intro}
"""
SHOWN_PROMPT = "Front\\x1fInjected\\x1fFields \\x1b]0;pwned\\x07 \\x9b2J"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (bank / "hostile.yaml").write_text(BANK, encoding="utf-8")
    return bank


def export(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["export", *args])
    return result.exit_code, result.output


def test_control_characters_do_not_break_the_anki_package(folder: Path, tmp_path: Path) -> None:
    anki_collection = pytest.importorskip("anki.collection")
    code, output = export(str(folder), "-o", "h.apkg", "--no-manifest")
    assert code == 0, output
    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "c.anki2"))
    try:
        col.import_anki_package(
            anki_collection.ImportAnkiPackageRequest(
                package_path=str(tmp_path / "h.apkg"),
                options=anki_collection.ImportAnkiPackageOptions(),
            )
        )
        (note_id,) = col.find_notes("")
        note = col.get_note(note_id)
        assert note["Prompt"] == SHOWN_PROMPT
        assert note["Explanation"] == "E \\x00 \\x08 \\x0c end"
        assert "Right\\x1fX" in note["Answer"]
    finally:
        col.close()


@pytest.mark.parametrize("fmt", ["moodle-xml", "qti"])
def test_control_characters_leave_xml_well_formed(folder: Path, fmt: str) -> None:
    code, output = export(str(folder), "--format", fmt, "-o", "out")
    assert code == 0, output
    data = Path("out").read_bytes()
    documents = [data]
    if fmt == "qti":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            documents = [archive.read(n) for n in archive.namelist() if n.endswith(".xml")]
    texts = []
    for document in documents:
        texts += [t for t in ET.fromstring(document).itertext() if t.strip()]
    assert any(SHOWN_PROMPT in text for text in texts), texts
    assert not any(c in "".join(texts) for c in "\x00\x08\x0c\x1b\x1f")


def test_a_manifest_symlinked_outside_is_refused_unread(folder: Path, tmp_path: Path) -> None:
    outside = tmp_path / "private.json"
    outside.write_text('{"format": 1, "notes": {}}', encoding="utf-8")
    (folder / "hoquiz-manifest.json").symlink_to(outside)
    code, output = export(str(folder), "-o", "h.apkg")
    assert code == 1
    assert output == (
        f"Error: {folder}/hoquiz-manifest.json is a symbolic link: the release manifest "
        "must be a regular file (hoquiz does not follow a link in a bank's folder)\n"
    )
    assert outside.read_text(encoding="utf-8") == '{"format": 1, "notes": {}}'
    assert not Path("h.apkg").exists()


def test_a_manifest_fifo_does_not_block_the_export(folder: Path) -> None:
    os.mkfifo(folder / "hoquiz-manifest.json")
    code, output = export(str(folder), "-o", "h.apkg")
    assert (code, output) == (1, f"Error: {folder}/hoquiz-manifest.json is not a regular file\n")


NUMERIC = """\
id: units
title: "Units \\e]0;t\\a"
questions:
  - id: n1
    type: numeric
    prompt: "How much? \\u05e9\\u05dc\\u05d5\\u05dd\\u200f (RTL text keeps its mark)"
    answer: 5
    unit: "mg\\x1f[sound:x.mp3]"
    explanation: Five of them, as the document says.
    source: {doc: doc, section: Intro}
"""


def test_a_unit_with_control_characters_and_sound_tags_stays_text_in_anki(
    folder: Path, tmp_path: Path
) -> None:
    anki_collection = pytest.importorskip("anki.collection")
    (folder / "hostile.yaml").write_text(NUMERIC, encoding="utf-8")
    code, output = export(str(folder), "-o", "u.apkg", "--no-manifest")
    assert code == 0, output
    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "c.anki2"))
    try:
        col.import_anki_package(
            anki_collection.ImportAnkiPackageRequest(
                package_path=str(tmp_path / "u.apkg"),
                options=anki_collection.ImportAnkiPackageOptions(),
            )
        )
        (note_id,) = col.find_notes("")
        note = col.get_note(note_id)
        fields = "".join(note.fields)
        assert 'data-unit="mg\\x1f&#91;sound:x.mp3]"' in fields
        assert "\x1f" not in fields and "[sound:" not in fields
        assert "\u05dd\u200f (RTL" in note["Prompt"]  # a bidi mark is text, not escaped
    finally:
        col.close()


@pytest.mark.parametrize("fmt", ["gift", "aiken", "csv", "moodle-xml", "qti"])
def test_no_control_character_reaches_an_lms_file(folder: Path, fmt: str) -> None:
    code, output = export(str(folder), "--format", fmt, "-o", "out")
    assert code == 0, output
    data = Path("out").read_bytes()
    if fmt == "qti":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"".join(archive.read(n) for n in archive.namelist())
    text = data.decode("utf-8")
    assert not any(c in text for c in "\x00\x08\x0c\x1b\x1f\x07\x9b")
    assert "\\x1b]0;pwned\\x07" in text.replace("\\\\", "\\")  # shown, as on the terminal
