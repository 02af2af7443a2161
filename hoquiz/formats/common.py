"""What the interchange formats share: ids, placeholders, positions, HTML text.

Pure functions over strings; no file system, no third-party imports.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from hoquiz.model import AnyQuestion, Bank
from hoquiz.render import source_text
from hoquiz.text import control_safe, format_number

# -- placeholders for what a format does not hold -------------------------------

# Every placeholder starts with this mark; `hoquiz lint` lists each one.
PLACEHOLDER_MARK = "TODO(import)"
PLACEHOLDER_EXPLANATION = (
    f"{PLACEHOLDER_MARK}: explain why the key is right and why the likeliest wrong answer is wrong."
)
PLACEHOLDER_SECTION = f"{PLACEHOLDER_MARK}: the section of the source that states this fact"
PLACEHOLDER_SOURCE_ID = "to-cite"
PLACEHOLDER_SOURCE_TITLE = f"{PLACEHOLDER_MARK}: title of the reference document"
PLACEHOLDER_BACK = f"{PLACEHOLDER_MARK}: the answer the learner should recall"

# The line general feedback ends with on export: "Source: <title>, section “<heading>”".
SOURCE_PREFIX = "Source: "


def general_feedback(bank: Bank, question: AnyQuestion) -> str:
    """A question's explanation and source, as one general-feedback text."""
    return f"{question.explanation.strip()}\n{SOURCE_PREFIX}{source_text(bank, question)}"


def split_feedback(text: str) -> tuple[str, str | None]:
    """General feedback -> (explanation, the cited source line or None)."""
    head, sep, last = text.strip().rpartition("\n")
    if sep and last.startswith(SOURCE_PREFIX):
        return head.strip(), last[len(SOURCE_PREFIX) :].strip()
    return text.strip(), None


# -- ids -----------------------------------------------------------------------

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
ID_WORDS = 6


def slug(text: str, words: int = ID_WORDS) -> str:
    """A slug of the first ``words`` words of ``text`` (``q`` when nothing is left)."""
    folded = _NOT_SLUG.sub("-", text.lower()).strip("-")
    return "-".join(folded.split("-")[:words]) or "q"


class IdMaker:
    """Question ids derived from names or wording: the same file gives the same ids."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.repeats: dict[str, int] = {}  # base -> the last suffix tried

    def make(self, name: str) -> str:
        base = slug(name, words=ID_WORDS if " " in name.strip() else 12)
        candidate, n = base, self.repeats.get(base, 1)
        while candidate in self.taken:
            n += 1
            candidate = f"{base}-{n}"
        self.repeats[base] = n
        self.taken.add(candidate)
        return candidate


# -- positions -----------------------------------------------------------------


class LineIndex:
    """Offsets in a text -> 1-based (line, column), as editors count them."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


# -- numbers and weights --------------------------------------------------------


def weight(count: int) -> str:
    """Each key's share of 100% when ``count`` keys split it (Moodle's 5 decimals)."""
    return f"{100 / count:.5f}".rstrip("0").rstrip(".")


def number(value: float) -> str:
    return format_number(value)


def parse_number(text: str) -> float | None:
    """A decimal number, or None (``inf`` and ``nan`` are not numbers here)."""
    if not re.fullmatch(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*", text):
        return None
    return float(text)


# -- HTML text -------------------------------------------------------------------


def text_to_html(text: str) -> str:
    """Plain bank text as HTML that displays it literally."""
    return html.escape(text, quote=False).replace("\n", "<br>")


_BREAK_RE = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]*>")


def html_to_text(markup: str) -> str:
    """HTML from a platform -> plain text: breaks kept, tags dropped, entities decoded."""
    flat = " ".join(markup.split())
    parts = _BREAK_RE.split(flat)
    lines = [html.unescape(_TAG_RE.sub("", part)).replace("\xa0", " ").strip() for part in parts]
    return "\n".join(line for line in lines if line)


# -- XML -------------------------------------------------------------------------


def xml_bytes(root: ET.Element) -> bytes:
    """An element tree as indented UTF-8 XML with a declaration; same tree, same bytes.

    A lean writer for the trees the exporters build (no namespaces, no mixed
    content): ElementTree's own serializer takes most of an export's time.
    """
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    _write_element(root, "\n", out)
    out.append("\n")
    return "".join(out).encode("utf-8")


def _write_element(element: ET.Element, pad: str, out: list[str]) -> None:
    tag, attrib = element.tag, element.attrib
    attrs = "".join([f' {k}="{_xml_text(v, True)}"' for k, v in attrib.items()]) if attrib else ""
    if len(element):
        out.append(f"{pad}<{tag}{attrs}>")
        inner = pad + "  "
        for child in element:
            _write_element(child, inner, out)
        out.append(f"{pad}</{tag}>")
    elif element.text is None:
        out.append(f"{pad}<{tag}{attrs} />")
    else:
        out.append(f"{pad}<{tag}{attrs}>{_xml_text(element.text, False)}</{tag}>")


def _xml_text(text: str, quote: bool) -> str:
    # XML 1.0 cannot hold most control characters (a file with one is not
    # well formed and platforms refuse it): they are written visibly, as the
    # terminal shows them.
    return html.escape(control_safe(text), quote=quote)


# -- plain bank data -------------------------------------------------------------


def choice_data(text: str, feedback: str | None) -> str | dict[str, str]:
    return {"text": text, "feedback": feedback} if feedback else text


def bank_data(bank_id: str, title: str, questions: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"id": bank_id, "title": title, "questions": list(questions)}
