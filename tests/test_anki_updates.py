"""Instructor updates imported into a studied, tagged and edited collection (official anki).

Each test is one row of what an instructor does between releases; after it,
the import counts (new / updated / duplicate / conflicting) must name exactly
the notes that changed, and the learner's reviews, tags and edits on every
other note must be intact.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from export_banks import EVERY_TYPE_NOTES, edit, write_banks

from hoquiz.banks.loader import load_banks
from hoquiz.banks.paths import bundled_decks_dir
from hoquiz.cli import cli
from hoquiz.formats.anki import export_apkg
from hoquiz.formats.anki_notes import note_guid
from hoquiz.formats.manifest import MANIFEST_NAME

anki_collection = pytest.importorskip("anki.collection")

MTIME = 1_780_000_000
ALL_NOTES = EVERY_TYPE_NOTES + 1
BANK = "every-type.yaml"


@dataclass
class Counts:
    new: int
    updated: int
    duplicate: int
    conflicting: int


class Classroom:
    """An instructor's bank folder and one learner's studied Anki collection."""

    def __init__(self, root: Path, banks: Path | None = None) -> None:
        self.banks = banks or write_banks(root / "banks", mtime=MTIME)
        self.apkg = root / "hoquiz.apkg"
        (root / "anki").mkdir()
        self.col = anki_collection.Collection(str(root / "anki" / "collection.anki2"))
        # Release times run ahead of the learner's clock, as a later release does.
        self.clock = int(time.time()) + 100
        self.warnings: tuple[str, ...] = ()

    def release(self) -> Path:
        self.clock += 10
        summary = export_apkg(load_banks([self.banks]), self.apkg, now=self.clock)
        self.warnings = summary.warnings
        return self.apkg

    def import_(self, *, merge_notetypes: bool = False) -> Counts:
        request = anki_collection.ImportAnkiPackageRequest(
            package_path=str(self.apkg),
            options=anki_collection.ImportAnkiPackageOptions(merge_notetypes=merge_notetypes),
        )
        log = self.col.import_anki_package(request).log
        return Counts(len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting))

    def note(self, bank_id: str, question_id: str, namespace: str | None = None) -> Any:
        guid = note_guid(bank_id, question_id, namespace)
        (nid,) = [n for n in self.col.find_notes("") if self.col.get_note(n).guid == guid]
        return self.col.get_note(nid)

    def study(self) -> None:
        """The learner answers every card once, tags one note and edits another."""
        for cid in self.col.find_cards(""):
            card = self.col.get_card(cid)
            card.start_timer()
            self.col.sched.answerCard(card, 3)
        tagged = self.note("every-type", "flash-brooker")
        tagged.tags.append("marked")
        self.col.update_note(tagged)
        edited = self.note("every-type", "order-maturation")
        edited["Explanation"] += " (my own note)"
        self.col.update_note(edited)

    def learner_state(self) -> dict[str, tuple[object, ...]]:
        """Per note GUID: its fields, tags and the review state of its cards."""
        state: dict[str, tuple[object, ...]] = {}
        for nid in self.col.find_notes(""):
            note = self.col.get_note(nid)
            cards = tuple(
                (c.ord, c.reps, c.ivl, c.due, c.queue)
                for c in sorted(note.cards(), key=lambda c: c.ord)
            )
            state[note.guid] = (tuple(note.fields), tuple(note.tags), cards)
        return state


def unchanged_except(before: dict[str, Any], after: dict[str, Any], *guids: str) -> None:
    """Every note but ``guids`` is exactly as the learner left it."""
    for guid, value in before.items():
        if guid not in guids:
            assert after[guid] == value, guid


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Classroom]:
    room = Classroom(tmp_path)
    try:
        room.release()
        assert room.import_() == Counts(ALL_NOTES, 0, 0, 0)
        room.study()
        yield room
    finally:
        room.col.close()


def test_editing_one_question_updates_exactly_that_note(room: Classroom) -> None:
    before = room.learner_state()
    edit(room.banks / BANK, "Which are common sites?", "Which are the common sites?", mtime=MTIME)
    room.release()
    assert room.import_() == Counts(0, 1, ALL_NOTES - 1, 0)
    after = room.learner_state()
    guid = note_guid("every-type", "multi-sites")
    unchanged_except(before, after, guid)
    assert room.note("every-type", "multi-sites")["Prompt"] == "Which are the common sites?"
    assert after[guid][2] == before[guid][2]  # its reviews are kept
    assert "marked" in room.note("every-type", "flash-brooker").tags
    assert room.note("every-type", "order-maturation")["Explanation"].endswith("(my own note)")


def test_a_fix_reaches_a_note_the_learner_edited_after_importing(room: Classroom) -> None:
    edit(room.banks / BANK, "Soft tissue first, bone last.", "Soft tissue, then bone.", mtime=MTIME)
    room.release()
    assert room.import_() == Counts(0, 1, ALL_NOTES - 1, 0)
    assert room.note("every-type", "order-maturation")["Explanation"] == "Soft tissue, then bone."


def test_two_edits_in_one_second_and_an_old_file_time_both_arrive(room: Classroom) -> None:
    edit(room.banks / BANK, "Which are common sites?", "First fix?", mtime=MTIME)
    room.release()
    assert room.import_().updated == 1
    room.clock -= 10  # the next release in the same second
    edit(room.banks / BANK, "First fix?", "Second fix?", mtime=MTIME - 3600)  # cp -p of an old copy
    room.release()
    assert room.import_() == Counts(0, 1, ALL_NOTES - 1, 0)
    assert room.note("every-type", "multi-sites")["Prompt"] == "Second fix?"


def test_a_deleted_question_arrives_once_as_a_withdrawn_note(room: Classroom) -> None:
    before = room.learner_state()
    text = (room.banks / BANK).read_text(encoding="utf-8")
    start = text.index("  - id: tf-size")
    end = text.index("  - id: short-drug")
    (room.banks / BANK).write_text(text[:start] + text[end:], encoding="utf-8")
    room.release()
    assert room.import_() == Counts(0, 1, ALL_NOTES - 1, 0)
    guid = note_guid("every-type", "tf-size")
    unchanged_except(before, room.learner_state(), guid)
    withdrawn = room.col.find_notes("tag:hoquiz::withdrawn")
    assert [room.col.get_note(n).guid for n in withdrawn] == [guid]
    (card,) = room.note("every-type", "tf-size").cards()
    assert "Withdrawn: every-type/tf-size was removed from its bank." in card.question()
    assert card.reps == 1
    room.release()  # the next release ships the same tombstone: nothing to update
    assert room.import_() == Counts(0, 0, ALL_NOTES, 0)


def test_a_removed_cloze_number_is_a_withdrawn_card_not_an_empty_one(room: Classroom) -> None:
    edit(room.banks / BANK, "as {{c2::7 Gy::dose}} <once>", "as 7 Gy <once>", mtime=MTIME)
    room.release()
    assert room.import_() == Counts(0, 1, ALL_NOTES - 1, 0)
    first, second = sorted(room.note("every-type", "cloze-timing").cards(), key=lambda c: c.ord)
    assert "[...]" in first.question()
    assert "Card 2 of this note was withdrawn" in second.question()
    assert "[...]" in second.question()
    assert room.col.find_cards("tag:hoquiz::withdrawn-card::c2 card:2") == [second.id]
    assert room.col.find_notes("tag:hoquiz::withdrawn") == []


def test_the_learners_css_survives_an_edited_bank(room: Classroom) -> None:
    model = room.col.models.get(room.note("every-type", "mcq-skeleton").mid)
    model["css"] += "\n.card { color: purple; }\n"
    room.col.models.update_dict(model)
    edit(room.banks / BANK, "Which are common sites?", "Which sites?", mtime=MTIME + 3600)
    room.release()
    assert room.import_() == Counts(0, 1, ALL_NOTES - 1, 0)
    css = room.col.models.get(room.note("every-type", "mcq-skeleton").mid)["css"]
    assert "color: purple" in css


def test_a_second_instructors_bank_with_the_same_id_never_touches_the_first(
    room: Classroom, tmp_path: Path
) -> None:
    before = room.learner_state()
    other = write_banks(tmp_path / "other", mtime=MTIME)
    sources = other / "sources.yaml"
    sources.write_text("namespace: 5e2c9a\n" + sources.read_text(encoding="utf-8"))
    edit(other / BANK, "Which are common sites?", "Other author's wording?", mtime=MTIME)
    export_apkg(load_banks([other]), room.apkg, now=room.clock + 5)
    assert room.import_() == Counts(ALL_NOTES, 0, 0, 0)
    unchanged_except(before, room.learner_state())
    assert room.note("every-type", "multi-sites")["Prompt"] == "Which are common sites?"
    theirs = room.note("every-type", "multi-sites", "5e2c9a")
    assert theirs["Prompt"] == "Other author's wording?"
    assert room.col.decks.name(theirs.cards()[0].did) == "Every type"


def test_a_type_change_is_a_warning_and_merges_when_the_learner_ticks_merge(
    room: Classroom,
) -> None:
    text = (room.banks / BANK).read_text(encoding="utf-8")
    text = text.replace("    type: mcq\n", "    type: multi\n", 1).replace(
        "    answer: Axial\n", "    answer: [Axial]\n", 1
    )
    (room.banks / BANK).write_text(text, encoding="utf-8")
    room.release()
    assert room.warnings == (
        "every-type/mcq-skeleton changed type from mcq to multi: learners must tick "
        "'Merge note types' in Anki's import dialog, or Anki skips this note as conflicting",
    )
    assert room.import_() == Counts(0, 0, ALL_NOTES - 1, 1)
    assert room.import_(merge_notetypes=True) == Counts(0, 1, ALL_NOTES - 1, 0)
    assert room.note("every-type", "mcq-skeleton").note_type()["name"] == (
        "hoquiz: select all that apply"
    )


def test_a_renamed_deck_is_a_warning_and_the_cards_stay_put(room: Classroom) -> None:
    edit(
        room.banks / "second.yaml",
        'deck: "Heterotopic Ossification::Extra"',
        'deck: "Heterotopic Ossification::Bonus"',
        mtime=MTIME,
    )
    room.release()
    assert room.warnings == (
        "bank second moved from deck 'Heterotopic Ossification::Extra' to "
        "'Heterotopic Ossification::Bonus': Anki leaves the cards learners have in "
        "'Heterotopic Ossification::Extra'; they move them with Browse, search "
        '"deck:Heterotopic Ossification::Extra", Cards > Change Deck',
    )
    assert room.import_() == Counts(0, 0, ALL_NOTES, 0)
    (card,) = room.note("second", "mcq-skeleton").cards()
    assert room.col.decks.name(card.did) == "Heterotopic Ossification::Extra"


def test_a_bank_without_deck_goes_under_its_title(room: Classroom) -> None:
    (card, *_) = room.note("every-type", "mcq-skeleton").cards()
    assert room.col.decks.name(card.did) == "Every type"
    assert room.note("every-type", "mcq-skeleton").tags == [
        "hoquiz::bank::every-type",
        "hoquiz::tag::early_signs",
        "hoquiz::tag::imaging",
    ]


def test_checking_out_an_older_bank_never_goes_back_in_time(room: Classroom) -> None:
    old_text = (room.banks / BANK).read_text(encoding="utf-8")
    edit(room.banks / BANK, "Which are common sites?", "Reworded?", mtime=MTIME + 60)
    room.release()
    assert room.import_().updated == 1
    fixed = room.note("every-type", "multi-sites").mod
    (room.banks / BANK).write_text(old_text, encoding="utf-8")  # git checkout of the old bank
    os.utime(room.banks / BANK, (MTIME, MTIME))
    room.release()
    assert room.import_() == Counts(0, 1, ALL_NOTES - 1, 0)
    reverted = room.note("every-type", "multi-sites")
    assert reverted["Prompt"] == "Which are common sites?"
    assert reverted.mod > fixed


def test_hoquiz_diff_agrees_with_what_the_import_reports(
    room: Classroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(room.banks / BANK, "Which are common sites?", "Which are the sites?", mtime=MTIME)
    edit(room.banks / BANK, "id: tf-size", "id: tf-size-new", mtime=MTIME)
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", "--json", str(room.banks)])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["new"] == ["every-type/tf-size-new"]
    assert data["withdrawn"] == ["every-type/tf-size"]
    assert data["changed"][0]["note"] == "every-type/multi-sites"
    assert data["changed"][0]["fields"][0]["diff"] == "Which are [-common-] {+the+} sites?"
    room.release()
    counts = room.import_()
    assert counts == Counts(1, 2, ALL_NOTES - 2, 0)
    assert data["updates"] == counts.new + counts.updated
    again = runner.invoke(cli, ["diff", str(room.banks)])
    assert (again.exit_code, again.stdout) == (0, "0 notes to update in Anki\n")


def test_bundled_decks_one_edit_is_exactly_one_updated_note(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    shutil.copytree(bundled_decks_dir(), decks)
    assert (decks / MANIFEST_NAME).is_file()
    room = Classroom(tmp_path, banks=decks)
    try:
        room.release()
        # Questions withdrawn from the bundled decks ship as tombstones too.
        questions = sum(len(b.questions) for b in load_banks([decks]))
        first = room.import_()
        total = len(room.col.find_notes(""))
        withdrawn = len(room.col.find_notes("tag:hoquiz::withdrawn"))
        assert total == questions + withdrawn
        assert first == Counts(total, 0, 0, 0)
        for cid in room.col.find_cards("")[:40]:
            card = room.col.get_card(cid)
            card.start_timer()
            room.col.sched.answerCard(card, 3)
        before = room.learner_state()
        text = (decks / "imaging.yaml").read_text(encoding="utf-8")
        assert text.count("which imaging study should be ordered first?") == 1
        (decks / "imaging.yaml").write_text(
            text.replace("which imaging study should be ordered first?", "which study comes first?")
        )
        room.release()
        assert room.import_() == Counts(0, 1, total - 1, 0)
        guid = note_guid("imaging", "first-study-chronic-pain")
        unchanged_except(before, room.learner_state(), guid)
    finally:
        room.col.close()
