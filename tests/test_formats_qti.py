"""QTI 1.2 (Canvas profile): parsed by lxml, read back by qti2latex, compared with text2qti."""

from __future__ import annotations

import copy
import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest

from benchmarks.synth import write_synthetic_bank
from hoquiz.banks.loader import load_banks
from hoquiz.formats.common import html_to_text
from hoquiz.formats.qti import CANVAS_TYPES, QtiExporter
from hoquiz.model import MCQ, Bank, Cloze, Match, Multi, Question, TrueFalse
from tests.conftest import ALL_TYPES_BANK, MakeBank
from tests.formats_support import squash

etree = pytest.importorskip("lxml.etree", reason="lxml is a test dependency ('.[test]')")
qti2latex = pytest.importorskip("qti2latex", reason="qti2latex is a test dependency")


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _parse(data: bytes) -> Any:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def test_zip_holds_a_manifest_whose_resources_all_exist(make_bank: MakeBank) -> None:
    exported = QtiExporter().export(load_banks([make_bank(ALL_TYPES_BANK)]))
    files = _files(exported.data)
    assert next(iter(files)) == "imsmanifest.xml"
    manifest = _parse(files["imsmanifest.xml"])
    ns = {"cp": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"}
    hrefs = [f.get("href") for f in manifest.iterfind(".//cp:file", ns)]
    assert sorted(hrefs) == sorted(n for n in files if n != "imsmanifest.xml")
    kinds = [r.get("type") for r in manifest.iterfind(".//cp:resource", ns)]
    assert kinds == [
        "imsqti_xmlv1p2",
        "associatedcontent/imscc_xmlv1p1/learning-application-resource",
    ]
    for data in files.values():
        _parse(data)  # every file is well-formed XML
    assert [str(s) for s in exported.skipped] == [
        "all-types/q-order: order questions have no Canvas classic quiz form; skipped"
    ]
    again = QtiExporter().export(load_banks([Path("bank.yaml")]))
    assert again.data == exported.data  # same banks, same bytes


def _read_back(data: bytes, tmp_path: Path) -> list[Any]:
    """Every item of the zip, as qti2latex's reader finds them."""
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
    items: list[Any] = []
    for path in sorted(qti2latex.read_qti_dir(folder)):
        if path.name != "assessment_meta.xml":
            items += qti2latex.findall_anyns(ET.parse(path).getroot(), "item")
    return items


def _scoring_only(item: Any) -> Any:
    """The item without conditions that only show feedback (qti2latex reads every condition)."""
    item = copy.deepcopy(item)
    for processing in qti2latex.findall_anyns(item, "resprocessing"):
        for condition in qti2latex.childall_anyns(processing, "respcondition"):
            if not qti2latex.childall_anyns(condition, "setvar"):
                processing.remove(condition)
    return item


def _check_item(question: Question, item: Any) -> None:
    kind = qti2latex.guess_type(qti2latex.get_qti_metadata(item), item)
    assert kind == CANVAS_TYPES[question.type]
    stem = squash(html_to_text(qti2latex.get_item_stem(item)))
    choices = qti2latex.get_choices(item)
    correct = qti2latex.get_correct_idents(_scoring_only(item))
    texts = {ident: squash(html_to_text(text)) for ident, text in choices}
    match question:
        case MCQ() | Multi():
            assert stem == squash(question.prompt)
            assert list(texts.values()) == [squash(c.text) for c in question.choices]
            keys = [question.answer] if isinstance(question, MCQ) else list(question.answer)
            assert sorted(texts[i] for i in correct) == sorted(
                squash(question.choices[k].text) for k in keys
            )
        case TrueFalse():
            assert [texts[i] for i in correct] == ["True" if question.answer else "False"]
        case Cloze():
            assert sorted(texts[i] for i in correct) == sorted(
                squash(d.answer) for d in question.deletions
            )
        case Match():
            assert stem == squash(question.prompt)
            rights = [squash(r) for _, r in question.pairs]
            assert sorted(texts[i] for i in correct) == sorted(rights)
        case _:
            assert stem.startswith(squash(question.stem)[:40])


def _check_banks(banks: list[Bank], tmp_path: Path) -> int:
    items = {i.get("title"): i for i in _read_back(QtiExporter().export(banks).data, tmp_path)}
    checked = 0
    for bank in banks:
        for question in bank.questions:
            if question.type == "order":
                continue
            _check_item(question, items[question.id])
            checked += 1
    return checked


def test_bundled_decks_read_back_with_qti2latex(tmp_path: Path) -> None:
    banks = load_banks([])
    unordered = sum(q.type != "order" for b in banks for q in b.questions)
    assert _check_banks(banks, tmp_path) == unordered


def test_synthetic_bank_reads_back_with_qti2latex(tmp_path: Path) -> None:
    banks = load_banks([write_synthetic_bank(tmp_path / "synthetic.yaml", n=2_000)])
    assert _check_banks(banks, tmp_path) > 1_700


# -- the same quiz written by text2qti, as a reference --------------------------------

TEXT2QTI_QUIZ = """\
Quiz title: All types

1.  Which study first?
*a) Radiography
b) MRI
... Later.
c) Bone scan

2.  Which apply?
[*] Hip
[*] Elbow
[ ] Nose

3.  HO is bone in soft tissue.
*a) True
b) False

4.  Name the drug.
*   indomethacin
*   indometacin

5.  Weeks? (weeks)
=   3 +- 0.5

6.  Front
____
"""


def _shape(item: Any) -> dict[str, Any]:
    """What Canvas grades by, with identifiers replaced by the answer texts they name."""
    meta = qti2latex.get_qti_metadata(item)
    labels = {ident: squash(html_to_text(text)) for ident, text in qti2latex.get_choices(item)}

    def tree(element: Any) -> Any:
        tag = element.tag.split("}")[-1]
        text = (element.text or "").strip()
        if tag in ("varequal", "vargte", "varlte"):
            value = labels.get(text, text)
            return (tag, f"{float(value):g}" if tag != "varequal" or _is_number(value) else value)
        return (tag, sorted((tree(c) for c in element), key=repr))

    scoring = [
        tree(qti2latex.child_anyns(c, "conditionvar"))
        for c in qti2latex.findall_anyns(item, "respcondition")
        if qti2latex.childall_anyns(c, "setvar")
    ]
    responses = [
        (e.tag.split("}")[-1], e.get("rcardinality"))
        for e in item.iter()
        if e.tag.split("}")[-1] in ("response_lid", "response_str")
    ]
    return {
        "type": meta["question_type"],
        "stem": squash(html_to_text(qti2latex.get_item_stem(item))),
        "choices": sorted(labels.values()),
        "responses": responses,
        "scoring": scoring,
    }


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_items_grade_like_text2qtis_for_the_same_quiz(make_bank: MakeBank, tmp_path: Path) -> None:
    text2qti_quiz = pytest.importorskip("text2qti.quiz", reason="text2qti is a test dependency")
    text2qti_qti = pytest.importorskip("text2qti.qti")
    config = pytest.importorskip("text2qti.config")
    quiz = text2qti_quiz.Quiz(TEXT2QTI_QUIZ, config=config.Config(), source_name="quiz.md")
    reference = _read_back(text2qti_qti.QTI(quiz).zip_bytes(), tmp_path / "text2qti")
    exported = QtiExporter().export(load_banks([make_bank(ALL_TYPES_BANK)])).data
    ours = {i.get("title"): i for i in _read_back(exported, tmp_path / "hoquiz")}
    theirs = [_shape(item) for item in reference]
    mine = [_shape(ours[q]) for q in ("q-mcq", "q-multi", "q-tf", "q-short", "q-num", "q-flash")]
    for expected, got in zip(theirs, mine, strict=True):
        assert got["type"] == expected["type"]
        assert got["stem"] == expected["stem"]
        assert got["choices"] == expected["choices"]
        assert got["responses"] == expected["responses"]
        assert got["scoring"] == expected["scoring"]
