"""The Anki exporter without Anki: identity, escaping, reproducibility, atomic writes, CLI."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from export_banks import (
    EVERY_TYPE_CARDS,
    EVERY_TYPE_NOTES,
    PNG,
    edit,
    write_banks,
)
from hypothesis import given
from hypothesis import strategies as st

from hoquiz import atomic
from hoquiz.banks.loader import load_banks
from hoquiz.cli import cli
from hoquiz.errors import BankError, ExportError
from hoquiz.formats import anki, anki_notes
from hoquiz.formats.anki import (
    build_package,
    export_apkg,
    media_name,
    source_date_epoch,
    write_atomically,
)
from hoquiz.formats.anki_notes import NOTE_TYPES, anki_tags, deck_id, note_fields, note_guid
from hoquiz.model import MCQ, QUESTION_TYPES, Bank, Order, SourceRef
from hoquiz.render import fixed_order

MTIME = 1_780_000_000
PINNED_GUID = "G4gQLcBS*t"
PINNED_DECK_ID = 1_806_575_119


@pytest.fixture
def banks_dir(tmp_path: Path) -> Path:
    return write_banks(tmp_path / "banks", mtime=MTIME)


@pytest.fixture
def banks(banks_dir: Path) -> list[Bank]:
    return load_banks([banks_dir])


def bank_by_id(banks: list[Bank], bank_id: str) -> Bank:
    return next(b for b in banks if b.id == bank_id)


def fields_of(bank: Bank, question_id: str) -> dict[str, str]:
    """A question's note fields by name."""
    question = bank.question(question_id)
    assert question is not None
    names = NOTE_TYPES[question.type].fields
    return dict(zip(names, note_fields(bank, question), strict=True))


def collection_rows(data: bytes, sql: str) -> list[tuple[object, ...]]:
    """Rows of a query on the collection inside an .apkg."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        database = archive.read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(database)
        return list(conn.execute(sql))
    finally:
        conn.close()


# -- identity -------------------------------------------------------------------


def test_guid_depends_on_ids_only(banks: list[Bank]) -> None:
    every = bank_by_id(banks, "every-type")
    second = bank_by_id(banks, "second")
    same_wording = (every.questions[0], second.questions[0])
    assert same_wording[0].stem == same_wording[1].stem
    assert note_guid("every-type", "mcq-skeleton") != note_guid("second", "mcq-skeleton")
    assert note_guid("every-type", "mcq-skeleton") == note_guid("every-type", "mcq-skeleton")


def test_reworded_question_keeps_its_guid(banks: list[Bank], banks_dir: Path) -> None:
    before = collection_rows(build_package(banks).data, "SELECT guid FROM notes ORDER BY guid")
    edit(banks_dir / "every-type.yaml", "Which are common sites?", "Which sites?", mtime=MTIME + 60)
    after = collection_rows(
        build_package(load_banks([banks_dir])).data, "SELECT guid FROM notes ORDER BY guid"
    )
    assert before == after
    assert len({g for (g,) in before}) == EVERY_TYPE_NOTES + 1


def test_guids_are_pinned() -> None:
    """A learner's notes are matched by these values: they must never change."""
    import genanki

    assert note_guid("every-type", "mcq-skeleton") == PINNED_GUID
    assert note_guid("every-type", "mcq-skeleton") == genanki.guid_for(
        "hoquiz", "every-type", "mcq-skeleton"
    )
    assert deck_id("every-type") == PINNED_DECK_ID


def test_namespaced_identities_are_pinned_and_differ_from_the_bare_ones() -> None:
    """A bank folder with a namespace gets its own GUIDs and deck ids; one without keeps ours."""
    assert note_guid("every-type", "mcq-skeleton", None) == PINNED_GUID
    assert note_guid("every-type", "mcq-skeleton", "5e2c9a") == "cx*wi6[{33"
    assert deck_id("every-type", "5e2c9a") == 1_256_969_433
    assert deck_id("every-type", "5e2c9a") != deck_id("every-type")
    assert note_guid("every-type", "mcq-skeleton", "5e2c9b") != "cx*wi6[{33"


def test_bundled_deck_guids_are_unchanged() -> None:
    """The bundled decks have no namespace: learners' existing notes keep matching."""
    bundled = load_banks([])
    assert {b.namespace for b in bundled} == {None}
    imaging = next(b for b in bundled if b.id == "imaging")
    package = build_package([imaging]).data
    guids = {g for (g,) in collection_rows(package, "SELECT guid FROM notes")}
    assert guids == {note_guid("imaging", q.id) for q in imaging.questions}
    assert note_guid("imaging", "first-study-chronic-pain") == "vQ9i|$C1E0"


def test_a_namespace_is_read_from_sources_yaml_and_checked(banks_dir: Path) -> None:
    sources = banks_dir / "sources.yaml"
    sources.write_text("namespace: 5e2c9a\n" + sources.read_text(encoding="utf-8"))
    assert {b.namespace for b in load_banks([banks_dir])} == {"5e2c9a"}
    sources.write_text(sources.read_text(encoding="utf-8").replace("5e2c9a", "Not A Slug"))
    with pytest.raises(BankError) as error:
        load_banks([banks_dir])
    assert [p.message for p in error.value.problems] == [
        "'namespace' 'Not A Slug' is not a slug: use lowercase letters, digits and '-' only "
        "(e.g. 'not-a-slug')"
    ]


def test_deck_ids_come_from_bank_ids() -> None:
    assert deck_id("every-type") == deck_id("every-type")
    assert deck_id("every-type") != deck_id("second")
    assert (1 << 30) <= deck_id("every-type") < (1 << 31)


def test_one_note_type_per_question_type_with_fixed_distinct_ids() -> None:
    import genanki

    assert set(NOTE_TYPES) == set(QUESTION_TYPES)
    ids = [nt.model_id for nt in NOTE_TYPES.values()]
    assert len(set(ids)) == len(ids)
    assert NOTE_TYPES["cloze"].model_id == anki_notes.CLOZE_MODEL_ID
    assert NOTE_TYPES["cloze"].model_id != genanki.CLOZE_MODEL.model_id
    assert NOTE_TYPES["cloze"].cloze
    assert not set(ids) & set(anki_notes.RETIRED_MODEL_IDS)
    for note_type in NOTE_TYPES.values():
        assert note_type.fields[-3:] == ("Explanation", "Source", "Ref")


def test_package_holds_the_decks_and_note_types(banks: list[Bank]) -> None:
    data = build_package(banks).data
    (decks_text, models_text) = collection_rows(data, "SELECT decks, models FROM col")[0]
    decks = json.loads(str(decks_text))
    names = {d["name"]: int(i) for i, d in decks.items()}
    assert names == {
        "Default": 1,
        "Every type": deck_id("every-type"),
        "Heterotopic Ossification::Extra": deck_id("second"),
    }
    assert decks[str(deck_id("every-type"))]["desc"] == "Cards of every type &amp; kind"
    models = json.loads(str(models_text))
    assert sorted(int(i) for i in models) == sorted(nt.model_id for nt in NOTE_TYPES.values())
    assert models[str(anki_notes.CLOZE_MODEL_ID)]["type"] == 1


# -- tags, shuffles, fields ------------------------------------------------------------


def test_tags_are_the_bank_id_and_question_tags_made_anki_safe(banks: list[Bank]) -> None:
    every = bank_by_id(banks, "every-type")
    assert anki_tags(every, every.questions[0]) == (
        "hoquiz::bank::every-type",
        "hoquiz::tag::imaging",
        "hoquiz::tag::early_signs",
    )
    odd = replace(every.questions[0], tags=("Imaging", " a  b ", "::x::::y::", "IMAGING"))
    assert anki_tags(every, odd) == (
        "hoquiz::bank::every-type",
        "hoquiz::tag::Imaging",
        "hoquiz::tag::a_b",
        "hoquiz::tag::x::y",
    )


def shuffled_order(n: int, seed: str) -> list[int]:
    """The fixed order in which a card shows ``n`` options, seeded like the exporter."""
    items = tuple(f"item {i}" for i in range(n))
    question = Order(id="q", explanation="e", source=SourceRef("d", "s"), prompt="p", items=items)
    return fixed_order(question, seed)


@given(st.integers(min_value=2, max_value=30), st.text(max_size=40))
def test_shuffles_are_fixed_permutations_never_in_order(n: int, seed: str) -> None:
    order = shuffled_order(n, seed)
    assert sorted(order) == list(range(n))
    assert order != list(range(n))
    assert shuffled_order(n, seed) == order


def test_choices_are_shuffled_on_the_card_and_the_key_letter_follows(banks: list[Bank]) -> None:
    # Banks often list the key first; a card must not always answer "a".
    every = bank_by_id(banks, "every-type")
    mcq = every.question("mcq-skeleton")
    assert isinstance(mcq, MCQ)
    fields = fields_of(every, "mcq-skeleton")
    order = fixed_order(mcq, "every-type/mcq-skeleton")
    assert order != list(range(len(mcq.choices)))
    positions = [fields["Options"].index(anki_notes._h(mcq.choices[i].text)) for i in order]
    assert positions == sorted(positions)
    key_letter = "abcdefghij"[order.index(mcq.answer)]
    assert fields["Answer"].startswith(f"{key_letter}) ")


def test_every_text_is_escaped(banks: list[Bank]) -> None:
    every = bank_by_id(banks, "every-type")
    mcq = fields_of(every, "mcq-skeleton")
    assert mcq["Prompt"] == "Which skeleton is involved first: axial &gt; appendicular?"
    assert "Appendicular &lt;limbs&gt;" in mcq["Options"]
    assert "Yes: axial &gt; appendicular" in mcq["Feedback"]
    tf = fields_of(every, "tf-size")
    assert tf["Prompt"] == "Lesions &lt;1 cm are always benign."
    assert tf["Explanation"] == "Size &lt;1 cm proves nothing."
    assert "Skull &amp; face" in fields_of(every, "multi-sites")["Options"]
    assert fields_of(every, "match-imaging")["Rights"].count("&gt; 3 weeks") == 1


def test_cloze_markers_survive_escaping(banks: list[Bank]) -> None:
    assert fields_of(bank_by_id(banks, "every-type"), "cloze-timing")["Text"] == (
        "Radiation is given within {{c1::72 hours}} of surgery, as {{c2::7 Gy::dose}} &lt;once&gt;."
    )


def test_order_and_match_fronts_are_shuffled_and_backs_in_order(banks: list[Bank]) -> None:
    every = bank_by_id(banks, "every-type")
    order_q = every.question("order-maturation")
    assert isinstance(order_q, Order)
    fields = fields_of(every, "order-maturation")
    shown = [order_q.items[i] for i in shuffled_order(4, "every-type/order-maturation")]
    assert shown != list(order_q.items)
    assert [fields["Items"].index(item) for item in shown] == sorted(
        fields["Items"].index(item) for item in shown
    )
    assert [fields["Answer"].index(item) for item in order_q.items] == sorted(
        fields["Answer"].index(item) for item in order_q.items
    )
    match = fields_of(every, "match-imaging")
    rights = ["Early uptake", "Mature bone (&gt; 3 weeks)", "Extent"]
    shown = [rights[i] for i in shuffled_order(3, "every-type/match-imaging")]
    assert [match["Rights"].index(r) for r in shown] == sorted(
        match["Rights"].index(r) for r in shown
    )


def test_image_is_named_by_content(banks: list[Bank]) -> None:
    name = media_name(PNG, ".PNG")
    assert name.startswith("hoquiz-") and name.endswith(".png")
    assert media_name(PNG, ".png") == name != media_name(PNG + b"x", ".png")
    every = bank_by_id(banks, "every-type")
    mcq = every.questions[0]
    image = note_fields(every, mcq, name)[NOTE_TYPES["mcq"].fields.index("Image")]
    assert image == f'<img src="{name}">'


# -- the package ----------------------------------------------------------------------


def test_counts(banks: list[Bank]) -> None:
    package = build_package(banks)
    assert (package.decks, package.notes, package.cards, package.media) == (
        2,
        EVERY_TYPE_NOTES + 1,
        EVERY_TYPE_CARDS + 1,
        1,
    )
    assert collection_rows(package.data, "SELECT count(*) FROM cards") == [(EVERY_TYPE_CARDS + 1,)]


def test_zip_layout_and_media(banks: list[Bank]) -> None:
    with zipfile.ZipFile(io.BytesIO(build_package(banks).data)) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["collection.anki2", "media", "0"]
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert json.loads(archive.read("media")) == {"0": media_name(PNG, ".png")}
        assert archive.read("0") == PNG


def test_same_banks_give_identical_bytes(banks_dir: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    export_apkg(load_banks([banks_dir]), first)
    export_apkg(load_banks([banks_dir]), second)
    assert first.read_bytes() == second.read_bytes()


def test_same_bytes_in_a_fresh_interpreter(banks_dir: Path, tmp_path: Path) -> None:
    export_apkg(load_banks([banks_dir]), tmp_path / "here.apkg")
    code = (
        "import sys; from pathlib import Path; from hoquiz.banks.loader import load_banks; "
        "from hoquiz.formats.anki import export_apkg; "
        "export_apkg(load_banks([Path(sys.argv[1])]), Path(sys.argv[2]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    subprocess.run(
        [sys.executable, "-c", code, str(banks_dir), str(tmp_path / "there.apkg")],
        check=True,
        env=env,
    )
    assert (tmp_path / "here.apkg").read_bytes() == (tmp_path / "there.apkg").read_bytes()


def test_no_wall_clock_time_inside(banks: list[Bank]) -> None:
    data = build_package(banks).data
    mods = collection_rows(data, "SELECT DISTINCT mod FROM notes UNION SELECT mod FROM cards")
    assert mods == [(MTIME,)]
    note_ids = [i for (i,) in collection_rows(data, "SELECT id FROM notes ORDER BY id")]
    assert note_ids[0] == MTIME * 1000


def test_an_edited_bank_exports_newer_and_only_its_own_notes(
    banks: list[Bank], banks_dir: Path
) -> None:
    query = "SELECT n.mod, count(*) FROM notes n GROUP BY n.mod ORDER BY n.mod"
    assert collection_rows(build_package(banks).data, query) == [(MTIME, EVERY_TYPE_NOTES + 1)]
    os.utime(banks_dir / "second.yaml", (MTIME + 90, MTIME + 90))
    assert collection_rows(build_package(load_banks([banks_dir])).data, query) == [
        (MTIME, EVERY_TYPE_NOTES),
        (MTIME + 90, 1),
    ]


def test_sources_and_images_count_as_bank_files(banks_dir: Path) -> None:
    os.utime(banks_dir / "xray.png", (MTIME + 5, MTIME + 5))
    every = bank_by_id(load_banks([banks_dir]), "every-type")
    assert anki.bank_mtime(every) == MTIME + 5
    os.utime(banks_dir / "sources.yaml", (MTIME + 7, MTIME + 7))
    assert anki.bank_mtime(every) == MTIME + 7


def test_source_date_epoch_sets_every_time(banks: list[Bank]) -> None:
    data = build_package(banks, source_date_epoch=1_700_000_000).data
    assert collection_rows(data, "SELECT DISTINCT mod FROM notes") == [(1_700_000_000,)]
    models = json.loads(str(collection_rows(data, "SELECT models FROM col")[0][0]))
    assert {m["mod"] for m in models.values()} == {anki_notes.NOTE_TYPES_REVISED}


def test_note_types_are_dated_by_their_revision_not_by_the_banks(banks: list[Bank]) -> None:
    """A learner's CSS survives an export of edited banks (no manifest yet)."""
    data = build_package(banks).data
    models = json.loads(str(collection_rows(data, "SELECT models FROM col")[0][0]))
    assert {m["mod"] for m in models.values()} == {anki_notes.NOTE_TYPES_REVISED}


def test_source_date_epoch_parsing() -> None:
    assert source_date_epoch({}) is None
    assert source_date_epoch({"SOURCE_DATE_EPOCH": " 1700000000 "}) == 1_700_000_000
    with pytest.raises(ExportError, match=r"^SOURCE_DATE_EPOCH must be a whole number"):
        source_date_epoch({"SOURCE_DATE_EPOCH": "yesterday"})


def test_progress_reports_every_note(banks: list[Bank]) -> None:
    steps: list[int] = []
    build_package(banks, progress=steps.append)
    assert sum(steps) == EVERY_TYPE_NOTES + 1


# -- atomic writes ------------------------------------------------------------------


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "out.apkg"
    with pytest.raises(ExportError) as error:
        write_atomically(target, b"data")
    assert str(error.value) == f"cannot write {target}: folder {target.parent} does not exist"


def test_a_file_in_place_of_the_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    target = tmp_path / "file" / "out.apkg"
    with pytest.raises(ExportError, match=r"is not a folder$"):
        write_atomically(target, b"data")


def test_a_folder_as_output_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r": it is a folder$"):
        write_atomically(tmp_path, b"data")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(ExportError, match=r"^cannot write .*: permission denied$"):
            write_atomically(locked / "out.apkg", b"data")
    finally:
        locked.chmod(0o755)


def test_unwritable_folder_reported_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(ExportError, match=r"^cannot write .*out\.apkg: permission denied$"):
        write_atomically(tmp_path / "out.apkg", b"data")


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_failed_write_leaves_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    target = tmp_path / "out.apkg"
    target.write_bytes(b"old")

    def fail(fd: int) -> None:
        raise failure

    monkeypatch.setattr(atomic.os, "fsync", fail)
    with pytest.raises((ExportError, KeyboardInterrupt)) as error:
        write_atomically(target, b"new")
    if isinstance(failure, OSError):
        assert str(error.value) == f"cannot write {target}: no space left on device"
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.apkg"]


def test_replaces_an_existing_file_keeping_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.apkg"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.apkg"]


def test_new_file_is_readable_by_others_like_any_file(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_atomically(tmp_path / "out.apkg", b"new")
    finally:
        os.umask(umask)
    assert (tmp_path / "out.apkg").stat().st_mode & 0o777 == 0o644


# -- the command ----------------------------------------------------------------------


def test_export_command_summary(banks_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    result = CliRunner().invoke(cli, ["export", str(banks_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    manifest = banks_dir / "hoquiz-manifest.json"
    assert result.output == (
        f"Wrote {out}: 2 decks, 10 notes, 11 cards, 1 media file\n"
        f"Updated {manifest} (commit it with the banks)\n"
    )
    assert zipfile.is_zipfile(out)
    again = CliRunner().invoke(cli, ["export", str(banks_dir), "-o", str(out)])
    assert again.output == (
        f"Wrote {out}: 2 decks, 10 notes, 11 cards, 1 media file\n"
        "Anki will report 0 notes as new or updated\n"
    )


def test_no_manifest_neither_reads_nor_writes_one(banks_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    result = CliRunner().invoke(cli, ["export", str(banks_dir), "--no-manifest", "-o", str(out)])
    assert result.output == f"Wrote {out}: 2 decks, 10 notes, 11 cards, 1 media file\n"
    assert not (banks_dir / "hoquiz-manifest.json").exists()


def test_export_command_defaults_to_hoquiz_apkg_here(
    banks_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = CliRunner().invoke(cli, ["export", str(banks_dir), "--bank", "second"])
    assert result.exit_code == 0, result.output
    assert (
        result.output.splitlines()[0] == "Wrote hoquiz.apkg: 1 deck, 1 note, 1 card, 0 media files"
    )
    assert (here / "hoquiz.apkg").is_file()


def test_export_command_filters_by_tag(banks_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    result = CliRunner().invoke(cli, ["export", str(banks_dir), "--tag", "imaging", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"Wrote {out}: 1 deck, 1 note, 1 card, 1 media file"


def test_invalid_bank_stops_the_export(banks_dir: Path, tmp_path: Path) -> None:
    edit(banks_dir / "second.yaml", "answer: Axial", "answer: Spine", mtime=MTIME)
    out = tmp_path / "deck.apkg"
    result = CliRunner().invoke(cli, ["export", str(banks_dir), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "1 problem in 1 file"
    assert result.stderr.startswith(f"{banks_dir / 'second.yaml'}:")
    assert not out.exists()


def test_missing_output_folder_is_one_line(banks_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "deck.apkg"
    result = CliRunner().invoke(cli, ["export", str(banks_dir), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot write {out}: folder {out.parent} does not exist\n"


def test_bad_source_date_epoch_is_one_line(banks_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["export", str(banks_dir), "-o", str(tmp_path / "x.apkg")],
        env={"SOURCE_DATE_EPOCH": "soon"},
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not 'soon'\n"
    )


def test_source_date_epoch_from_the_environment(banks_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.apkg"
    result = CliRunner().invoke(
        cli, ["export", str(banks_dir), "-o", str(out)], env={"SOURCE_DATE_EPOCH": "1700000000"}
    )
    assert result.exit_code == 0, result.output
    assert collection_rows(out.read_bytes(), "SELECT DISTINCT mod FROM notes") == [(1_700_000_000,)]


def test_cli_start_up_does_not_import_genanki() -> None:
    code = "import sys, hoquiz.cli; print('genanki' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"


def test_multi_hint_is_not_repeated_when_the_prompt_says_it(banks: list[Bank]) -> None:
    every = bank_by_id(banks, "every-type")
    assert fields_of(every, "multi-sites")["Hint"] == "Select all that apply."
    multi = every.question("multi-sites")
    assert multi is not None
    said = replace(multi, prompt="Which are common sites? Select all that apply.")
    hint = note_fields(every, said)[NOTE_TYPES["multi"].fields.index("Hint")]
    assert hint == ""


def test_the_shipped_manifest_of_the_bundled_decks_is_current() -> None:
    """Learners' exports of the bundled decks must not need to write the manifest.

    If this fails after an edit of decks/ or of a card template, run
    `hoquiz export -o /tmp/hoquiz.apkg` in the checkout and commit
    decks/hoquiz-manifest.json with the change.
    """
    result = CliRunner().invoke(cli, ["diff"])
    assert (result.exit_code, result.stdout) == (0, "0 notes to update in Anki\n"), (
        "decks/hoquiz-manifest.json is out of date: run `hoquiz export -o /tmp/hoquiz.apkg` "
        "in the checkout and commit the manifest.\n" + result.stdout
    )


def test_a_damaged_manifest_is_one_located_error(banks_dir: Path, tmp_path: Path) -> None:
    manifest = banks_dir / "hoquiz-manifest.json"
    manifest.write_text('{"format": 1,\n "notes": [}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", str(banks_dir), "-o", str(tmp_path / "x.apkg")])
    assert result.exit_code == 1
    assert result.output == f"Error: {manifest}:2:12: Expecting value\n"
    assert not (tmp_path / "x.apkg").exists()
    manifest.write_text('{"format": 1, "notes": {"a/b": {"guid": 3}}}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(banks_dir)])
    assert result.output == f"Error: {manifest}: damaged manifest (expected text, found int)\n"


@pytest.mark.parametrize(
    ("part", "why"),
    [
        ('"fields": {"Prompt": 1}', "expected text, found int"),
        ('"fields": {"Prompt": "p", "Back": null}', "expected text, found NoneType"),
        ('"fields": []', "expected an object, found list"),
        ('"tags": ["a", 2]', "expected text, found int"),
        ('"tags": "a"', "expected a list, found str"),
        ('"cards": [1, true]', "expected a whole number, found bool"),
        ('"cards": [1.5]', "expected a whole number, found float"),
    ],
)
def test_a_manifest_record_of_wrong_types_is_named(banks_dir: Path, part: str, why: str) -> None:
    manifest = banks_dir / "hoquiz-manifest.json"
    record = f'"guid": "g", "type": "mcq", "deck": "d", "hash": "h", "mod": 1, {part}'
    manifest.write_text(f'{{"format": 1, "notes": {{"a/b": {{{record}}}}}}}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(banks_dir)])
    assert result.output == f"Error: {manifest}: damaged manifest ({why})\n"


def test_export_then_export_again_gives_the_same_file_and_manifest(
    banks_dir: Path, tmp_path: Path
) -> None:
    edit(banks_dir / "every-type.yaml", "Which are common sites?", "Sites?", mtime=MTIME)
    export_apkg(load_banks([banks_dir]), tmp_path / "a.apkg", now=MTIME + 10)
    text = (banks_dir / "every-type.yaml").read_text(encoding="utf-8")
    (banks_dir / "every-type.yaml").write_text(text.replace("Sites?", "All sites?"))
    first = export_apkg(load_banks([banks_dir]), tmp_path / "b.apkg", now=MTIME + 20)
    manifest = (banks_dir / "hoquiz-manifest.json").read_bytes()
    second = export_apkg(load_banks([banks_dir]), tmp_path / "c.apkg", now=MTIME + 30)
    assert (first.updates, second.updates) == (1, 0)
    assert second.manifests_written == ()
    assert (tmp_path / "b.apkg").read_bytes() == (tmp_path / "c.apkg").read_bytes()
    assert (banks_dir / "hoquiz-manifest.json").read_bytes() == manifest
    mods = dict(collection_rows((tmp_path / "c.apkg").read_bytes(), "SELECT guid, mod FROM notes"))
    assert mods[note_guid("every-type", "multi-sites")] == MTIME + 20
    assert mods[note_guid("every-type", "tf-size")] == MTIME


def test_a_tombstone_never_ships_html_from_the_manifest(banks_dir: Path, tmp_path: Path) -> None:
    """The manifest is a file of the bank folder: untrusted, like the banks."""
    export_apkg(load_banks([banks_dir]), tmp_path / "a.apkg", now=MTIME)
    manifest = banks_dir / "hoquiz-manifest.json"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("Lesions &lt;1 cm", "<script>alert(1)</script>"))
    edit(banks_dir / "every-type.yaml", "id: tf-size", "id: tf-size-2", mtime=MTIME)
    export_apkg(load_banks([banks_dir]), tmp_path / "b.apkg", now=MTIME + 10)
    rows = collection_rows((tmp_path / "b.apkg").read_bytes(), "SELECT guid, flds, tags FROM notes")
    (tombstone,) = [r for r in rows if r[0] == note_guid("every-type", "tf-size")]
    assert "<script>" not in str(tombstone[1])
    assert str(tombstone[1]).split("\x1f")[0] == (
        '<div class="withdrawn">Withdrawn: every-type/tf-size was removed from its bank. '
        "Delete or suspend this note (Anki search: tag:hoquiz::withdrawn).</div>"
    )
    assert str(tombstone[2]).split() == ["hoquiz::bank::every-type", "hoquiz::withdrawn"]


def test_diff_shows_bank_text_terminal_safe_with_a_word_diff(banks_dir: Path) -> None:
    export_apkg(load_banks([banks_dir]), banks_dir / "a.apkg", now=MTIME)
    edit(
        banks_dir / "every-type.yaml",
        "prompt: Which are common sites?",
        'prompt: "Which are \\e]0;owned\\a common sites?"',
        mtime=MTIME,
    )
    result = CliRunner().invoke(cli, ["diff", str(banks_dir)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "changed    every-type/multi-sites",
        "  Prompt: Which are {+\\x1b]0;owned\\x07+} common sites?",
        "1 note to update in Anki: 1 changed",
    ]


def test_a_deleted_bank_file_is_withdrawn_but_a_narrowed_export_withdraws_nothing(
    banks_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "x.apkg"
    export_apkg(load_banks([banks_dir]), out, now=MTIME)
    narrowed = export_apkg(
        [bank_by_id(load_banks([banks_dir]), "second")], out, now=MTIME + 10, complete=False
    )
    assert (narrowed.notes, narrowed.updates) == (1, 0)
    alone = export_apkg(load_banks([banks_dir / "every-type.yaml"]), out, now=MTIME + 20)
    assert (alone.notes, alone.updates) == (EVERY_TYPE_NOTES, 0)  # second.yaml still there
    os.remove(banks_dir / "second.yaml")
    gone = export_apkg(load_banks([banks_dir]), out, now=MTIME + 30)
    assert (gone.notes, gone.updates) == (EVERY_TYPE_NOTES + 1, 1)
    rows = collection_rows(out.read_bytes(), "SELECT guid, tags, mod FROM notes")
    (tombstone,) = [r for r in rows if r[0] == note_guid("second", "mcq-skeleton")]
    assert str(tombstone[1]).split() == ["hoquiz::bank::second", "hoquiz::withdrawn"]
    assert tombstone[2] == MTIME + 30
    (decks_text,) = collection_rows(out.read_bytes(), "SELECT decks FROM col")[0]
    assert "Heterotopic Ossification::Extra" in {
        d["name"] for d in json.loads(str(decks_text)).values()
    }
