"""A hostile bank exported and imported with the official Anki library: nothing plays or leaks."""

from __future__ import annotations

from pathlib import Path

import pytest

anki_collection = pytest.importorskip("anki.collection")

from hoquiz.banks.loader import load_banks  # noqa: E402
from hoquiz.formats.anki import export_apkg  # noqa: E402

SOURCES = "sources:\n  - {id: doc, title: D, kind: k, sections: [Intro]}\n"
BANK = """\
id: hostile
title: Hostile
questions:
  - id: q1
    type: flashcard
    front: "Listen [sound:/etc/passwd] [sound:x.mp3] [anki:tts lang=en_US]hi[/anki:tts]"
    back: "<script>alert(1)</script> \\e]0;pwned\\a"
    explanation: E
    source: {doc: doc, section: Intro}
"""


def test_sound_tags_and_html_show_literally_in_anki(tmp_path: Path) -> None:
    banks = tmp_path / "banks"
    banks.mkdir()
    (banks / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (banks / "hostile.yaml").write_text(BANK, encoding="utf-8")
    apkg = tmp_path / "h.apkg"
    export_apkg(load_banks([banks]), apkg, source_date_epoch=1_780_000_000)
    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "c.anki2"))
    try:
        col.import_anki_package(
            anki_collection.ImportAnkiPackageRequest(
                package_path=str(apkg), options=anki_collection.ImportAnkiPackageOptions()
            )
        )
        (card_id,) = col.find_cards("")
        card = col.get_card(card_id)
        assert card.question_av_tags() == [] and card.answer_av_tags() == []
        question, answer = card.question(), card.answer()
        assert "&#91;sound:/etc/passwd]" in question
        assert "[sound:" not in question and "[anki:tts" not in question
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer and "<script>alert" not in answer
        assert list(Path(col.media.dir()).iterdir()) == []
    finally:
        col.close()
