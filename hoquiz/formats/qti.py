"""IMS QTI 1.2 in the profile Canvas classic quizzes import (Blackboard and D2L read it too).

One zip: ``imsmanifest.xml`` and, per bank, an assessment file with one item
per question, plus Canvas's ``assessment_meta.xml`` beside it. Each item names
its Canvas ``question_type``; identifiers come from bank and question ids,
and zip entries carry a fixed time, so the same banks give the same bytes.
Canvas classic quizzes have no ordering question: ``order`` is skipped.
"""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from typing import ClassVar, assert_never

from hoquiz.formats.base import Exported, Skipped
from hoquiz.formats.common import general_feedback, number, text_to_html, xml_bytes
from hoquiz.model import (
    MCQ,
    AnyQuestion,
    Bank,
    Cloze,
    Flashcard,
    Match,
    Multi,
    Numeric,
    Order,
    Short,
    TrueFalse,
)

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
# A fixed time for every zip entry (the earliest a zip can hold).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def ident(*parts: str) -> str:
    """A stable XML identifier for ``parts`` (bank id, question id, ...)."""
    return "hq" + hashlib.sha256("/".join(parts).encode()).hexdigest()[:24]


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _mattext(parent: ET.Element, text: str, html: bool = True) -> None:
    material = _sub(parent, "material")
    if html:
        _sub(material, "mattext", text_to_html(text.strip()), texttype="text/html")
    else:
        _sub(material, "mattext", " ".join(text.split()), texttype="text/plain")


class QtiExporter:
    """Banks -> one QTI 1.2 zip, one assessment per bank."""

    name: ClassVar[str] = "qti"
    suffix: ClassVar[str] = ".zip"

    def export(self, banks: Sequence[Bank]) -> Exported:
        files: dict[str, bytes] = {}
        skipped: list[Skipped] = []
        count = 0
        assessments = []
        for bank in banks:
            assessment_id = ident(bank.id)
            root, made, left_out = _assessment(bank, assessment_id)
            files[f"{assessment_id}/{assessment_id}.xml"] = xml_bytes(root)
            files[f"{assessment_id}/assessment_meta.xml"] = xml_bytes(_meta(bank, assessment_id))
            assessments.append(assessment_id)
            count += made
            skipped.extend(left_out)
        files["imsmanifest.xml"] = xml_bytes(_manifest(assessments))
        return Exported(_zip(files), count, tuple(skipped))


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ["imsmanifest.xml", *sorted(n for n in files if n != "imsmanifest.xml")]:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def _manifest(assessments: list[str]) -> ET.Element:
    manifest = ET.Element("manifest", identifier=ident("manifest", *assessments), xmlns=CP_NS)
    metadata = _sub(manifest, "metadata")
    _sub(metadata, "schema", "IMS Content")
    _sub(metadata, "schemaversion", "1.1.3")
    _sub(manifest, "organizations")
    resources = _sub(manifest, "resources")
    for assessment_id in assessments:
        meta_id = ident("meta", assessment_id)
        resource = _sub(resources, "resource", identifier=assessment_id, type="imsqti_xmlv1p2")
        _sub(resource, "file", href=f"{assessment_id}/{assessment_id}.xml")
        _sub(resource, "dependency", identifierref=meta_id)
        meta = _sub(
            resources,
            "resource",
            identifier=meta_id,
            type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
            href=f"{assessment_id}/assessment_meta.xml",
        )
        _sub(meta, "file", href=f"{assessment_id}/assessment_meta.xml")
    return manifest


def _meta(bank: Bank, assessment_id: str) -> ET.Element:
    quiz = ET.Element("quiz", identifier=assessment_id, xmlns=CANVAS_NS)
    _sub(quiz, "title", bank.title)
    _sub(quiz, "description", text_to_html(bank.description or ""))
    _sub(quiz, "shuffle_answers", "true")
    _sub(quiz, "quiz_type", "practice_quiz")
    _sub(quiz, "allowed_attempts", "-1")
    _sub(quiz, "show_correct_answers", "true")
    return quiz


def _assessment(bank: Bank, assessment_id: str) -> tuple[ET.Element, int, list[Skipped]]:
    root = ET.Element("questestinterop", xmlns=QTI_NS)
    assessment = _sub(root, "assessment", ident=assessment_id, title=bank.title)
    section = _sub(assessment, "section", ident="root_section")
    skipped: list[Skipped] = []
    made = 0
    for question in bank.questions:
        if isinstance(question, Order):
            reason = "order questions have no Canvas classic quiz form; skipped"
            skipped.append(Skipped(bank.id, question.id, reason))
            continue
        _item(section, bank, question)
        made += 1
    return root, made, skipped


CANVAS_TYPES = {
    "mcq": "multiple_choice_question",
    "multi": "multiple_answers_question",
    "true_false": "true_false_question",
    "short": "short_answer_question",
    "numeric": "numerical_question",
    "cloze": "fill_in_multiple_blanks_question",
    "flashcard": "essay_question",
    "match": "matching_question",
}


class _Item:
    """One ``<item>`` being written: its presentation and response processing."""

    def __init__(self, section: ET.Element, bank: Bank, question: AnyQuestion) -> None:
        self.key = (bank.id, question.id)
        self.item = _sub(section, "item", ident=ident(*self.key), title=question.id)
        fields = _sub(_sub(self.item, "itemmetadata"), "qtimetadata")
        for label, entry in (
            ("question_type", CANVAS_TYPES[question.type]),
            ("points_possible", "1"),
        ):
            field = _sub(fields, "qtimetadatafield")
            _sub(field, "fieldlabel", label)
            _sub(field, "fieldentry", entry)
        self.presentation = _sub(self.item, "presentation")
        self.processing = _sub(self.item, "resprocessing")
        outcomes = _sub(self.processing, "outcomes")
        _sub(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
        self.feedback: list[tuple[str, str]] = [("general_fb", general_feedback(bank, question))]
        shown = _sub(self.processing, "respcondition", **{"continue": "Yes"})
        _sub(_sub(shown, "conditionvar"), "other")
        _sub(shown, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")

    def id(self, *parts: str) -> str:
        return ident(*self.key, *parts)

    def choices(self, response: str, texts: Sequence[str], multiple: bool) -> list[str]:
        lid = _sub(
            self.presentation,
            "response_lid",
            ident=response,
            rcardinality="Multiple" if multiple else "Single",
        )
        render = _sub(lid, "render_choice")
        ids = [self.id(response, str(i)) for i in range(len(texts))]
        for choice_id, text in zip(ids, texts, strict=True):
            _mattext(_sub(render, "response_label", ident=choice_id), text)
        return ids

    def condition(self, *, score: str, action: str = "Set", go_on: bool = False) -> ET.Element:
        condition = _sub(self.processing, "respcondition", **{"continue": "Yes" if go_on else "No"})
        variables = _sub(condition, "conditionvar")
        _sub(condition, "setvar", score, action=action, varname="SCORE")
        return variables

    def answer_feedback(self, response: str, choice_id: str, text: str) -> None:
        feedback_id = f"{choice_id}_fb"
        condition = _sub(self.processing, "respcondition", **{"continue": "Yes"})
        _sub(_sub(condition, "conditionvar"), "varequal", choice_id, respident=response)
        _sub(condition, "displayfeedback", feedbacktype="Response", linkrefid=feedback_id)
        self.feedback.append((feedback_id, text))

    def finish(self) -> None:
        for feedback_id, text in self.feedback:
            flow = _sub(_sub(self.item, "itemfeedback", ident=feedback_id), "flow_mat")
            _mattext(flow, text)


def _item(section: ET.Element, bank: Bank, question: AnyQuestion) -> None:
    item = _Item(section, bank, question)
    match question:
        case MCQ() | Multi():
            _choice_item(item, question)
        case TrueFalse():
            _mattext(item.presentation, question.prompt)
            ids = item.choices("response1", ["True", "False"], multiple=False)
            key = ids[0] if question.answer else ids[1]
            _sub(item.condition(score="100"), "varequal", key, respident="response1")
        case Short():
            _mattext(item.presentation, question.prompt)
            _fib(item.presentation, "response1")
            variables = item.condition(score="100")
            for accepted in question.accept:
                _sub(variables, "varequal", accepted.strip(), respident="response1")
        case Numeric():
            prompt = question.prompt + (f" ({question.unit})" if question.unit else "")
            _mattext(item.presentation, prompt)
            _fib(item.presentation, "response1", fibtype="Decimal")
            either = _sub(item.condition(score="100"), "or")
            _sub(either, "varequal", number(question.answer), respident="response1")
            within = _sub(either, "and")
            low, high = question.answer - question.tolerance, question.answer + question.tolerance
            _sub(within, "vargte", number(low), respident="response1")
            _sub(within, "varlte", number(high), respident="response1")
        case Cloze():
            _cloze(item, question)
        case Flashcard():
            _mattext(item.presentation, question.front)
            _fib(item.presentation, "response1")
            ungraded = _sub(item.processing, "respcondition", **{"continue": "No"})
            _sub(_sub(ungraded, "conditionvar"), "other")  # graded by hand in Canvas
            item.feedback[0] = ("general_fb", f"{question.back.strip()}\n{item.feedback[0][1]}")
        case Match():
            _match(item, question)
        case Order():  # pragma: no cover - skipped by the caller
            raise AssertionError("order questions are skipped before this point")
        case _:
            assert_never(question)
    item.finish()


def _choice_item(item: _Item, question: MCQ | Multi) -> None:
    """An mcq (the key's choice) or a multi (exactly the keys' choices)."""
    _mattext(item.presentation, question.prompt)
    multiple = isinstance(question, Multi)
    ids = item.choices("response1", [c.text for c in question.choices], multiple=multiple)
    for choice_id, choice in zip(ids, question.choices, strict=True):
        if choice.feedback:
            item.answer_feedback("response1", choice_id, choice.feedback)
    variables = item.condition(score="100")
    if isinstance(question, MCQ):
        _sub(variables, "varequal", ids[question.answer], respident="response1")
        return
    every = _sub(variables, "and")
    for i, choice_id in enumerate(ids):
        parent = every if i in question.answer else _sub(every, "not")
        _sub(parent, "varequal", choice_id, respident="response1")


def _fib(presentation: ET.Element, response: str, fibtype: str | None = None) -> None:
    string = _sub(presentation, "response_str", ident=response, rcardinality="Single")
    render = _sub(string, "render_fib", **({"fibtype": fibtype} if fibtype else {}))
    _sub(render, "response_label", ident="answer1", rshuffle="No")


def _cloze(item: _Item, question: Cloze) -> None:
    """A cloze as fill-in-multiple-blanks: ``[b1]``, ``[b2]``... one per deletion."""
    out, pos = [], 0
    for n, d in enumerate(question.deletions, start=1):
        out.append(question.text[pos : d.start] + f"[b{n}]")
        pos = d.end
    out.append(question.text[pos:])
    _mattext(item.presentation, "".join(out))
    share = number(round(100 / len(question.deletions), 2))
    for n, d in enumerate(question.deletions, start=1):
        blank = f"response_b{n}"
        lid = _sub(item.presentation, "response_lid", ident=blank)
        _sub(_sub(lid, "material"), "mattext", f"b{n}")
        render = _sub(lid, "render_choice")
        answer_id = item.id(blank)
        _mattext(_sub(render, "response_label", ident=answer_id, scoreable="Yes"), d.answer)
        variables = item.condition(score=share, action="Add", go_on=True)
        _sub(variables, "varequal", answer_id, respident=blank)


def _match(item: _Item, question: Match) -> None:
    _mattext(item.presentation, question.prompt)
    rights = [item.id("right", str(i)) for i in range(len(question.pairs))]
    share = number(round(100 / len(question.pairs), 2))
    for n, (left, _) in enumerate(question.pairs):
        response = f"response_{item.id('left', str(n))}"
        lid = _sub(item.presentation, "response_lid", ident=response)
        _mattext(lid, left, html=False)
        render = _sub(lid, "render_choice")
        for right_id, (_, right) in zip(rights, question.pairs, strict=True):
            _mattext(_sub(render, "response_label", ident=right_id), right, html=False)
        variables = item.condition(score=share, action="Add", go_on=True)
        _sub(variables, "varequal", rights[n], respident=response)
