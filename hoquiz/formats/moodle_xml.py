"""Moodle XML: every hoquiz type has a Moodle question type; import reads them back.

Export writes one ``<quiz>`` with a category per bank. Text is HTML
(:func:`hoquiz.formats.common.text_to_html`), escaped once more by the XML
writer; cloze answers inside Moodle's embedded-answer syntax are escaped by
:func:`escape_embedded`. ``order`` uses the Ordering question type (standard
since Moodle 4.4, a plugin before).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any, ClassVar, assert_never

from hoquiz.errors import Problem
from hoquiz.formats.base import Exported, Imported
from hoquiz.formats.common import (
    PLACEHOLDER_BACK,
    IdMaker,
    general_feedback,
    html_to_text,
    number,
    parse_number,
    slug,
    split_feedback,
    text_to_html,
    weight,
    xml_bytes,
)
from hoquiz.formats.xmlread import Element, XmlError, parse_xml
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

# -- export ------------------------------------------------------------------------

_EMBEDDED_SPECIAL = re.compile(r'([\\}#~/"])')


def escape_embedded(text: str) -> str:
    """An answer inside Moodle's ``{1:SHORTANSWER:=...}``: its specials backslashed."""
    return _EMBEDDED_SPECIAL.sub(r"\\\1", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _html(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = _sub(parent, tag, format="html", **attrs)
    _sub(element, "text", text_to_html(text.strip()))
    return element


def _answer(parent: ET.Element, fraction: str, text: str, feedback: str | None = None) -> None:
    answer = _html(parent, "answer", text, fraction=fraction)
    if feedback:
        _html(answer, "feedback", feedback)


class MoodleXmlExporter:
    """Banks -> one Moodle XML question file."""

    name: ClassVar[str] = "moodle-xml"
    suffix: ClassVar[str] = ".xml"

    def export(self, banks: Sequence[Bank]) -> Exported:
        quiz = ET.Element("quiz")
        count = 0
        for bank in banks:
            category = _sub(quiz, "question", type="category")
            _sub(_sub(category, "category"), "text", f"$course$/top/{_category(bank.title)}")
            if bank.description:
                _html(category, "info", bank.description)
            for question in bank.questions:
                _question(quiz, bank, question)
                count += 1
        return Exported(xml_bytes(quiz), count)


def _category(title: str) -> str:
    return " ".join(title.split()).replace("/", "//")


_TYPES: dict[type[AnyQuestion], str] = {
    MCQ: "multichoice",
    Multi: "multichoice",
    TrueFalse: "truefalse",
    Short: "shortanswer",
    Numeric: "numerical",
    Cloze: "cloze",
    Flashcard: "essay",
    Order: "ordering",
    Match: "matching",
}


def _question(quiz: ET.Element, bank: Bank, question: AnyQuestion) -> None:
    element = _sub(quiz, "question", type=_TYPES[type(question)])
    _sub(_sub(element, "name"), "text", question.id)
    text = _question_text(question)
    _html(element, "questiontext", text)
    _html(element, "generalfeedback", general_feedback(bank, question))
    _sub(element, "defaultgrade", "1")
    _sub(element, "penalty", "0.3333333")
    _sub(element, "hidden", "0")
    _sub(element, "idnumber", f"{bank.id}/{question.id}")
    match question:
        case MCQ() | Multi():
            single = isinstance(question, MCQ)
            keys = {question.answer} if isinstance(question, MCQ) else set(question.answer)
            _sub(element, "single", "true" if single else "false")
            _sub(element, "shuffleanswers", "true")
            _sub(element, "answernumbering", "abc")
            right = "100" if single else weight(len(keys))
            wrong = "0" if single else "-100"
            for i, choice in enumerate(question.choices):
                _answer(element, right if i in keys else wrong, choice.text, choice.feedback)
        case TrueFalse():
            _answer(element, "100" if question.answer else "0", "true")
            _answer(element, "0" if question.answer else "100", "false")
        case Short():
            _sub(element, "usecase", "0")
            for accepted in question.accept:
                _answer(element, "100", accepted)
        case Numeric():
            answer = _sub(element, "answer", fraction="100", format="moodle_auto_format")
            _sub(answer, "text", number(question.answer))
            _sub(answer, "tolerance", number(question.tolerance))
            if question.unit:
                unit = _sub(_sub(element, "units"), "unit")
                _sub(unit, "multiplier", "1")
                _sub(unit, "unit_name", question.unit)
                _sub(element, "unitgradingtype", "0")
                _sub(element, "showunits", "3")
                _sub(element, "unitsleft", "0")
        case Cloze():
            pass  # the answers are inside the question text
        case Flashcard():
            _sub(element, "responseformat", "editor")
            _sub(element, "responserequired", "0")
            _sub(element, "responsefieldlines", "5")
            _html(element, "graderinfo", question.back)
        case Order():
            _sub(element, "layouttype", "VERTICAL")
            _sub(element, "selecttype", "ALL")
            _sub(element, "selectcount", "0")
            _sub(element, "gradingtype", "ABSOLUTE_POSITION")
            _sub(element, "showgrading", "SHOW")
            for position, item in enumerate(question.items, start=1):
                _answer(element, str(position), item)
        case Match():
            _sub(element, "shuffleanswers", "true")
            for left, right in question.pairs:
                sub = _html(element, "subquestion", left)
                _sub(_sub(sub, "answer"), "text", right.strip())
        case _:
            assert_never(question)
    if question.tags:
        tags = _sub(element, "tags")
        for tag in question.tags:
            _sub(_sub(tags, "tag"), "text", tag)


def _question_text(q: AnyQuestion) -> str:
    match q:
        case Cloze():
            return _embedded(q)
        case Flashcard():
            return q.front
        case MCQ() | Multi() | TrueFalse() | Short() | Numeric() | Order() | Match():
            return q.prompt
        case _:
            assert_never(q)


def _embedded(q: Cloze) -> str:
    """Cloze text with each deletion as a Moodle ``{1:SHORTANSWER:=answer}``."""
    out, pos = [], 0
    for d in q.deletions:
        out.append(q.text[pos : d.start])
        out.append("{1:SHORTANSWER:=" + escape_embedded(d.answer) + "}")
        pos = d.end
    out.append(q.text[pos:])
    return "".join(out)


# -- import ------------------------------------------------------------------------

_EMBEDDED_RE = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^\\}])*)\}")


class MoodleXmlImporter:
    """A Moodle XML question file -> plain bank data."""

    name: ClassVar[str] = "moodle-xml"
    suffixes: ClassVar[tuple[str, ...]] = (".xml",)

    def parse(self, text: str, path: str) -> Imported:
        try:
            root = parse_xml(text)
        except XmlError as error:
            return Imported({}, (Problem(path, error.line, error.column, error.message),))
        if root.tag != "quiz":
            problem = Problem(path, root.line, root.column, f"expected <quiz>, found <{root.tag}>")
            return Imported({}, (problem,))
        reader = _Reader(path)
        for element in root.findall("question"):
            reader.question(element)
        data: dict[str, Any] = {"questions": reader.questions}
        if reader.title:
            data["title"] = reader.title
        return Imported(data, tuple(reader.problems), tuple(reader.warnings))


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.ids = IdMaker()
        self.questions: list[dict[str, Any]] = []
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.category: str | None = None
        self.title: str | None = None

    def at(self, element: Element, message: str) -> Problem:
        return Problem(self.path, element.line, element.column, message)

    def question(self, element: Element) -> None:
        kind = element.attrs.get("type", "")
        if kind == "category":
            path = element.field_text("category").strip()
            self.category = path.replace("//", "\x00").rsplit("/", 1)[-1].replace("\x00", "/")
            if not self.questions:  # a category before any question names the bank
                self.title = self.title or self.category
            return
        build = _BUILDERS.get(kind)
        if build is None:
            self.warnings.append(self.at(element, f"Moodle {kind!r} questions are not imported"))
            return
        text = html_to_text(element.field_text("questiontext"))
        try:
            data = build(self, element, text)
        except _Refused as refused:
            self.problems.append(self.at(refused.element or element, refused.message))
            return
        name = html_to_text(element.field_text("name")) or text
        explanation, cited = split_feedback(html_to_text(element.field_text("generalfeedback")))
        out: dict[str, Any] = {"id": self.ids.make(name), **data}
        if explanation:
            out["explanation"] = explanation
        if cited:
            out["cited"] = cited
        tags = [t.field_text("text") if t.find("text") else t.text for t in _tags(element)]
        if self.category:
            tags.append(slug(self.category, words=12))
        tags = [" ".join(t.split()) for t in tags if t.strip()]
        if tags:
            out["tags"] = list(dict.fromkeys(tags))
        self.questions.append(out)


def _tags(element: Element) -> list[Element]:
    holder = element.find("tags")
    return holder.findall("tag") if holder is not None else []


class _Refused(Exception):
    def __init__(self, message: str, element: Element | None = None) -> None:
        super().__init__(message)
        self.message, self.element = message, element


def _answers(element: Element) -> list[tuple[Element, float, str, str]]:
    """(element, fraction, text, feedback) of each ``<answer>``."""
    out = []
    for answer in element.findall("answer"):
        fraction = parse_number(answer.attrs.get("fraction", "0"))
        if fraction is None:
            raise _Refused(f"fraction {answer.attrs.get('fraction')!r} is not a number", answer)
        text = answer.field_text("text") if answer.find("text") else answer.text
        out.append(
            (answer, fraction, html_to_text(text), html_to_text(answer.field_text("feedback")))
        )
    return out


def _multichoice(reader: _Reader, element: Element, prompt: str) -> dict[str, Any]:
    answers = _answers(element)
    if len(answers) < 2:
        raise _Refused("a multichoice question needs at least 2 answers")
    choices = [{"text": t, "feedback": f} if f else t for _, _, t, f in answers]
    keys = [t for _, fraction, t, _ in answers if fraction > 0]
    if not keys:
        raise _Refused("no answer has a fraction above 0")
    if element.field_text("single").strip().lower() in ("false", "0"):
        return {"type": "multi", "prompt": prompt, "choices": choices, "answer": keys}
    best = max(answers, key=lambda a: a[1])
    return {"type": "mcq", "prompt": prompt, "choices": choices, "answer": best[2]}


def _truefalse(reader: _Reader, element: Element, prompt: str) -> dict[str, Any]:
    for _, fraction, text, _ in _answers(element):
        if fraction == 100 and text.lower() in ("true", "false"):
            return {"type": "true_false", "prompt": prompt, "answer": text.lower() == "true"}
    raise _Refused("no answer 'true' or 'false' with fraction 100")


def _shortanswer(reader: _Reader, element: Element, prompt: str) -> dict[str, Any]:
    accept = [text for _, fraction, text, _ in _answers(element) if fraction == 100 and text]
    if not accept:
        raise _Refused("no accepted answer (fraction 100)")
    return {"type": "short", "prompt": prompt, "accept": accept}


def _numerical(reader: _Reader, element: Element, prompt: str) -> dict[str, Any]:
    for answer, fraction, text, _ in _answers(element):
        if fraction != 100:
            continue
        value = parse_number(text)
        if value is None:
            raise _Refused(f"answer {text!r} is not a number", answer)
        tolerance = parse_number(answer.field_text("tolerance") or "0")
        out: dict[str, Any] = {"type": "numeric", "prompt": prompt, "answer": _num(value)}
        if tolerance:
            out["tolerance"] = _num(abs(tolerance))
        units = element.find("units")
        for unit in units.findall("unit") if units is not None else []:
            if parse_number(unit.field_text("multiplier") or "1") == 1:
                out["unit"] = unit.field_text("unit_name").strip()
                break
        return out
    raise _Refused("no answer with fraction 100")


def _num(value: float) -> int | float:
    return int(value) if value == int(value) else value


def _matching(reader: _Reader, element: Element, prompt: str) -> dict[str, Any]:
    pairs = []
    for sub in element.findall("subquestion"):
        left = html_to_text(sub.field_text("text") if sub.find("text") else sub.text)
        right = " ".join(sub.field_text("answer").split())  # plain text in Moodle
        if left:
            pairs.append([left, right])
    if len(pairs) < 2:
        raise _Refused("a matching question needs at least 2 subquestions")
    return {"type": "match", "prompt": prompt, "pairs": pairs}


def _essay(reader: _Reader, element: Element, prompt: str) -> dict[str, Any]:
    back = html_to_text(element.field_text("graderinfo")) or PLACEHOLDER_BACK
    return {"type": "flashcard", "front": prompt, "back": back}


def _ordering(reader: _Reader, element: Element, prompt: str) -> dict[str, Any]:
    answers = sorted(_answers(element), key=lambda a: a[1])
    items = [text for _, _, text, _ in answers]
    if len(items) < 2:
        raise _Refused("an ordering question needs at least 2 items")
    return {"type": "order", "prompt": prompt, "items": items}


_UNESCAPE_EMBEDDED = re.compile(r"\\(.)")


def _cloze(reader: _Reader, element: Element, text: str) -> dict[str, Any]:
    out, pos, n = [], 0, 0
    for m in _EMBEDDED_RE.finditer(text):
        answer = _first_correct(m.group(3))
        if answer is None:
            raise _Refused(f"embedded answer {m.group()!r} has no correct answer ('=' or %100%)")
        n += 1
        if m.group(2) not in ("SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC"):
            reader.warnings.append(
                reader.at(element, f"embedded {m.group(2)} answer {n} becomes a typed blank")
            )
        out.append(text[pos : m.start()])
        out.append(f"{{{{c{n}::{answer}}}}}")
        pos = m.end()
    if n == 0:
        raise _Refused("cloze question has no embedded answer like {1:SHORTANSWER:=...}")
    out.append(text[pos:])
    return {"type": "cloze", "text": "".join(out)}


def _first_correct(body: str) -> str | None:
    """The first full-credit answer of an embedded ``=a#feedback~b`` answer list."""
    pieces = re.split(r"(?<!\\)([~=])", body)
    marked = [("~", pieces[0]), *zip(pieces[1::2], pieces[2::2], strict=True)]
    for marker, piece in marked:
        weight_match = re.match(r"\s*%(-?[\d.]+)%", piece)
        full = marker == "=" or (weight_match is not None and float(weight_match.group(1)) == 100)
        if not full:
            continue
        answer = piece[weight_match.end() :] if weight_match else piece
        answer = re.split(r"(?<!\\)#", answer)[0]
        answer = re.sub(r"^\s*(-?[\d.]+):[\d.]+\s*$", r"\1", answer)  # NUMERICAL value:tolerance
        return _UNESCAPE_EMBEDDED.sub(r"\1", answer).strip()
    return None


_BUILDERS = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "matching": _matching,
    "essay": _essay,
    "ordering": _ordering,
    "cloze": _cloze,
}
