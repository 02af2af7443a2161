"""Exports imported into a fresh collection with the official Anki library.

What a learner sees: the decks, notes, cards and tags Anki creates, each card
type's rendered HTML, and what happens when an edited bank is re-imported.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from export_banks import EVERY_TYPE_CARDS, EVERY_TYPE_NOTES, PNG, edit, write_banks

from hoquiz.banks.loader import load_banks
from hoquiz.formats import anki_notes
from hoquiz.formats.anki import export_apkg, media_name
from hoquiz.formats.anki_notes import NOTE_TYPES, note_guid

anki_collection = pytest.importorskip("anki.collection")
Collection = anki_collection.Collection

MTIME = 1_780_000_000
ALL_NOTES = EVERY_TYPE_NOTES + 1
ALL_CARDS = EVERY_TYPE_CARDS + 1


def fresh_collection(folder: Path) -> Any:
    folder.mkdir()
    return Collection(str(folder / "collection.anki2"))


@dataclass
class Imported:
    new: int
    updated: int
    duplicate: int
    conflicting: int


class Learner:
    """A fresh Anki collection and the banks it imports from."""

    def __init__(self, root: Path) -> None:
        self.banks = write_banks(root / "banks", mtime=MTIME)
        self.apkg = root / "hoquiz.apkg"
        self.col = fresh_collection(root / "anki")

    def export(self, **kwargs: Any) -> Path:
        export_apkg(load_banks([self.banks]), self.apkg, **kwargs)
        return self.apkg

    def import_(self) -> Imported:
        request = anki_collection.ImportAnkiPackageRequest(
            package_path=str(self.apkg),
            options=anki_collection.ImportAnkiPackageOptions(),
        )
        log = self.col.import_anki_package(request).log
        return Imported(len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting))

    def note(self, bank_id: str, question_id: str) -> Any:
        guid = note_guid(bank_id, question_id)
        notes = [self.col.get_note(n) for n in self.col.find_notes("")]
        (note,) = [n for n in notes if n.guid == guid]
        return note

    def cards(self, bank_id: str, question_id: str) -> list[Any]:
        note = self.note(bank_id, question_id)
        return sorted(note.cards(), key=lambda c: c.ord)

    def all_fields(self) -> dict[str, list[str]]:
        notes = (self.col.get_note(n) for n in self.col.find_notes(""))
        return {n.guid: list(n.fields) for n in notes}

    def note_type_names(self) -> list[str]:
        return sorted(m.name for m in self.col.models.all_names_and_ids())


@pytest.fixture
def learner(tmp_path: Path) -> Iterator[Learner]:
    learner = Learner(tmp_path)
    try:
        yield learner
    finally:
        learner.col.close()


@pytest.fixture
def imported(learner: Learner) -> Learner:
    learner.export()
    assert learner.import_() == Imported(ALL_NOTES, 0, 0, 0)
    return learner


def body(html: str) -> str:
    """Rendered card HTML without the note type's style sheet."""
    return re.sub(r"<style>.*?</style>", "", html, flags=re.DOTALL)


def test_counts_decks_and_tags(imported: Learner) -> None:
    col = imported.col
    assert col.note_count() == ALL_NOTES
    assert col.card_count() == ALL_CARDS
    decks = {d.name for d in col.decks.all_names_and_ids()}
    assert decks == {
        "Default",
        "Heterotopic Ossification",
        "Every type",
        "Heterotopic Ossification::Extra",
    }
    assert len(col.find_cards('"deck:Every type"')) == EVERY_TYPE_CARDS
    assert len(col.find_cards('"deck:Heterotopic Ossification::Extra"')) == 1
    assert imported.note("every-type", "mcq-skeleton").tags == [
        "hoquiz::bank::every-type",
        "hoquiz::tag::early_signs",
        "hoquiz::tag::imaging",
    ]
    assert imported.note("second", "mcq-skeleton").tags == ["hoquiz::bank::second"]
    assert len(imported.cards("every-type", "cloze-timing")) == 2


def test_note_types_are_ours_with_their_fixed_ids(imported: Learner) -> None:
    models = {m.id: m.name for m in imported.col.models.all_names_and_ids()}
    for note_type in NOTE_TYPES.values():
        assert models[note_type.model_id] == note_type.name
    assert imported.note("every-type", "cloze-timing").mid == anki_notes.CLOZE_MODEL_ID


def test_two_banks_with_the_same_wording_give_two_notes(imported: Learner) -> None:
    first = imported.note("every-type", "mcq-skeleton")
    second = imported.note("second", "mcq-skeleton")
    assert first.id != second.id
    assert first["Prompt"] == second["Prompt"]


def test_mcq_card(imported: Learner) -> None:
    (card,) = imported.cards("every-type", "mcq-skeleton")
    question, answer = body(card.question()), body(card.answer())
    assert "Which skeleton is involved first: axial &gt; appendicular?" in question
    # Choices are shuffled once and for all (the bank lists the key first).
    assert '<span class="letter">c)</span> Axial' in question
    assert '<span class="letter">b)</span> Appendicular &lt;limbs&gt;' in question
    assert "<limbs>" not in question
    assert f'<img src="{media_name(PNG, ".png")}">' in question
    assert "c) Axial" not in question.replace('<span class="letter">c)</span> Axial', "")
    assert '<div class="key">c) Axial</div>' in answer
    assert "✓ Yes: axial &gt; appendicular" in answer
    assert "✗ Not first." in answer
    assert "Axial involvement comes first (axial &gt; appendicular)." in answer
    assert "Overview of heterotopic ossification, section “Imaging”" in answer


def test_multi_card(imported: Learner) -> None:
    (card,) = imported.cards("every-type", "multi-sites")
    question, answer = body(card.question()), body(card.answer())
    assert "Which are common sites?" in question
    assert "Select all that apply." in question
    assert '<span class="letter">c)</span> Skull &amp; face' in question
    assert '<div class="key">a) Elbow; b) Hip</div>' in answer
    assert "Hip and elbow are common." in answer


def test_true_false_card(imported: Learner) -> None:
    (card,) = imported.cards("every-type", "tf-size")
    question, answer = body(card.question()), body(card.answer())
    assert "Lesions &lt;1 cm are always benign." in question
    assert "True or false?" in question
    assert "<1 cm" not in question
    assert '<div class="key">False</div>' in answer
    assert "Size &lt;1 cm proves nothing." in answer


def test_short_answer_card_types_the_answer(imported: Learner) -> None:
    (card,) = imported.cards("every-type", "short-drug")
    question, answer = body(card.question()), body(card.answer())
    assert "Which drug class is used for prophylaxis?" in question
    # hoquiz's own answer box and script, not Anki's exact comparison.
    assert "[[type:" not in question + answer
    assert '<input class="hoquiz-typed"' in question and 'hoquiz.side("front")' in question
    assert 'hoquiz.side("back")' in answer and '<div class="hoquiz-verdict"' in answer
    assert (
        'Accepted: <span class="hoquiz-accept" data-match="lenient">'
        '<span class="accepted">NSAIDs</span> / '
        '<span class="accepted">non-steroidal anti-inflammatory drugs</span></span>'
    ) in answer
    assert "NSAIDs such as indomethacin." in answer


def test_numeric_card_types_the_number(imported: Learner) -> None:
    (card,) = imported.cards("every-type", "numeric-dose")
    question, answer = body(card.question()), body(card.answer())
    assert "What single radiation dose is given?" in question
    assert "Answer in Gy." in question
    assert '<input class="hoquiz-typed"' in question
    assert (
        '<span class="hoquiz-number" data-answer="7.0" data-tolerance="1.0" data-unit="Gy">'
        "7 Gy (± 1)</span>"
    ) in answer
    assert "7 Gy in a single fraction." in answer


def test_cloze_cards_one_per_number(imported: Learner) -> None:
    first, second = imported.cards("every-type", "cloze-timing")
    q1, a1 = body(first.question()), body(first.answer())
    assert re.search(r"within <span class=\"cloze\"[^>]*>\[\.\.\.\]</span> of surgery", q1)
    assert ">7 Gy</span> &lt;once&gt;." in q1
    assert ">72 hours</span>" in a1
    assert "Timing matters." in a1
    q2 = body(second.question())
    assert ">[dose]</span>" in q2
    assert ">72 hours</span>" in q2


def test_flashcard_card(imported: Learner) -> None:
    (card,) = imported.cards("every-type", "flash-brooker")
    question, answer = body(card.question()), body(card.answer())
    assert "Brooker class IV" in question
    assert "Ankylosis" not in question
    assert '<div class="key">Ankylosis: bone bridging the joint</div>' in answer
    assert "Brooker IV is ankylosis." in answer


def test_order_card_shuffled_front_ordered_back(imported: Learner) -> None:
    (card,) = imported.cards("every-type", "order-maturation")
    question, answer = body(card.question()), body(card.answer())
    stages = ["Inflammation", "Fibroproliferation", "Mineralisation", "Mature bone"]
    shown = sorted(stages, key=question.index)
    assert shown != stages
    letters = " → ".join("abcd"[shown.index(s)] for s in stages)
    back = answer.split('<hr id="answer">')[1]
    assert f'<div class="key">{letters}</div>' in back
    assert [back.index(s) for s in stages] == sorted(back.index(s) for s in stages)
    assert "Soft tissue first, bone last." in back


def test_match_card(imported: Learner) -> None:
    (card,) = imported.cards("every-type", "match-imaging")
    question, answer = body(card.question()), body(card.answer())
    assert "Match each test with what it shows." in question
    assert "Mature bone (&gt; 3 weeks)" in question
    back = answer.split('<hr id="answer">')[1]
    assert re.search(r"1[abc]</span> Bone scan → Early uptake", back)
    assert re.search(r"2[abc]</span> Radiograph → Mature bone \(&gt; 3 weeks\)", back)
    assert "Each test has its moment." in back


def test_images_arrive_in_the_media_folder(imported: Learner) -> None:
    media = Path(imported.col.media.dir())
    assert sorted(p.name for p in media.iterdir()) == [media_name(PNG, ".png")]
    assert (media / media_name(PNG, ".png")).read_bytes() == PNG


def test_reimporting_the_same_file_adds_nothing(imported: Learner) -> None:
    before = imported.all_fields()
    assert imported.import_() == Imported(0, 0, ALL_NOTES, 0)
    assert imported.all_fields() == before
    assert imported.col.card_count() == ALL_CARDS


def test_an_edit_updates_that_note_in_place_and_keeps_progress(imported: Learner) -> None:
    col = imported.col
    (card,) = imported.cards("every-type", "multi-sites")
    card.start_timer()
    col.sched.answerCard(card, 3)  # "good"
    reviewed = col.get_card(card.id)
    before = imported.all_fields()
    note_types = imported.note_type_names()

    edit(
        imported.banks / "every-type.yaml",
        "Which are common sites?",
        "Which are the common sites?",
        mtime=MTIME + 60,
    )
    imported.export()
    log = imported.import_()

    # The manifest keeps the old time of every unchanged note: one update.
    assert log == Imported(0, 1, ALL_NOTES - 1, 0)
    after = imported.all_fields()
    changed = [guid for guid in after if after[guid] != before[guid]]
    assert changed == [note_guid("every-type", "multi-sites")]
    assert after[changed[0]][0] == "Which are the common sites?"
    assert col.note_count() == ALL_NOTES
    assert col.card_count() == ALL_CARDS
    assert imported.note_type_names() == note_types
    again = col.get_card(card.id)
    assert (again.reps, again.ivl, again.due, again.queue) == (
        reviewed.reps,
        reviewed.ivl,
        reviewed.due,
        reviewed.queue,
    )
    assert again.reps == 1


def test_a_new_cloze_number_adds_one_card(imported: Learner) -> None:
    edit(
        imported.banks / "every-type.yaml",
        "<once>.",
        "{{c3::once}}.",
        mtime=MTIME + 60,
    )
    imported.export()
    assert imported.import_().new == 0
    assert len(imported.cards("every-type", "cloze-timing")) == 3
    assert imported.col.card_count() == ALL_CARDS + 1


def test_an_edit_exported_without_a_manifest_and_the_same_time_is_skipped(
    imported: Learner,
) -> None:
    """Why the manifest dates changed notes: Anki ignores an update that is not newer."""
    edit(imported.banks / "every-type.yaml", "Which are common sites?", "Reworded?", mtime=MTIME)
    imported.export(manifests=False)
    assert imported.import_() == Imported(0, 0, ALL_NOTES, 0)
    assert imported.note("every-type", "multi-sites")["Prompt"] == "Which are common sites?"


def test_new_templates_reach_the_learner_when_hoquiz_changes_them(
    imported: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(anki_notes, "CSS", anki_notes.CSS + "\n.revised { color: red; }\n")
    imported.export()
    assert imported.import_() == Imported(0, 0, ALL_NOTES, 0)
    (card,) = imported.cards("every-type", "flash-brooker")
    assert ".revised { color: red; }" in card.question()
    assert len(imported.note_type_names()) == len(set(imported.note_type_names()))


def test_source_date_epoch_is_the_time_anki_sees(learner: Learner) -> None:
    learner.export(source_date_epoch=1_790_000_000)
    learner.import_()
    assert learner.note("second", "mcq-skeleton").mod == 1_790_000_000


def test_bundled_decks_import(tmp_path: Path) -> None:
    """The decks that ship with hoquiz import cleanly, one card per cloze number."""
    from hoquiz.model import question_cards

    banks = load_banks([])
    out = tmp_path / "bundled.apkg"
    summary = export_apkg(banks, out, manifests=False)
    col = fresh_collection(tmp_path / "anki")
    try:
        request = anki_collection.ImportAnkiPackageRequest(
            package_path=str(out), options=anki_collection.ImportAnkiPackageOptions()
        )
        log = col.import_anki_package(request).log
        assert len(log.new) == summary.notes == sum(len(b.questions) for b in banks)
        assert col.card_count() == sum(
            len(question_cards(b, q)) for b in banks for q in b.questions
        )
        decks = {d.name for d in col.decks.all_names_and_ids()}
        assert {b.deck_name for b in banks} <= decks
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            assert card.question().strip() and card.answer().strip()
    finally:
        col.close()


def test_media_folder_is_empty_without_images(tmp_path: Path) -> None:
    learner = Learner(tmp_path)
    try:
        os.remove(learner.banks / "every-type.yaml")
        learner.export()
        learner.import_()
        assert list(Path(learner.col.media.dir()).iterdir()) == []
    finally:
        learner.col.close()


def test_note_types_carry_the_card_script(imported: Learner) -> None:
    scripted = {"short", "numeric", "cloze", "mcq", "multi", "true_false"}
    models = {m["name"]: m for m in imported.col.models.all()}
    for kind, note_type in NOTE_TYPES.items():
        (template,) = models[note_type.name]["tmpls"]
        has_script = "root.hoquiz = {" in template["qfmt"] and "root.hoquiz = {" in template["afmt"]
        assert has_script is (kind in scripted), kind
        assert ("hoquiz-verdict" in template["afmt"]) is (kind in scripted), kind


def test_the_back_marks_the_key_among_the_options(imported: Learner) -> None:
    (card,) = imported.cards("every-type", "mcq-skeleton")
    question, answer = body(card.question()), body(card.answer())
    assert answer.count('<li class="is-key">') == 1
    assert '<div class="hoquiz-card hoquiz-back" data-kind="mcq"' in answer
    assert "hoquiz-back" not in question.split("<script>")[0]
