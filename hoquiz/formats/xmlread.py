"""A small, safe XML reader that keeps each element's line and column.

Built on the standard library's expat: no DTD, no entity declarations (so no
"billion laughs" and no external files), and a syntax error comes back with
its position, for ``file:line:col`` messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    line: int
    column: int
    children: list[Element] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The element's own character data (CDATA included)."""
        return "".join(self.parts)

    def find(self, tag: str) -> Element | None:
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[Element]:
        return [c for c in self.children if c.tag == tag]

    def field_text(self, tag: str) -> str:
        """The ``<text>`` of child ``tag`` (Moodle's ``<tag><text>...</text></tag>``)."""
        child = self.find(tag)
        if child is None:
            return ""
        inner = child.find("text")
        return (inner if inner is not None else child).text


class XmlError(Exception):
    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def parse_xml(text: str) -> Element:
    """The root element of ``text``.

    Raises:
        XmlError: malformed XML, or a DTD that declares entities.
    """
    parser = expat.ParserCreate()
    stack: list[Element] = []
    root: list[Element] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        element = Element(tag, attrs, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        if stack:
            stack[-1].children.append(element)
        else:
            root.append(element)
        stack.append(element)

    def end(tag: str) -> None:
        stack.pop()

    def data(chunk: str) -> None:
        if stack:
            stack[-1].parts.append(chunk)

    def entity(*args: object) -> None:
        raise XmlError(
            parser.CurrentLineNumber,
            parser.CurrentColumnNumber + 1,
            "entity declarations are not allowed",
        )

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.EntityDeclHandler = entity
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        message = expat.ErrorString(exc.code) if exc.code else str(exc)
        raise XmlError(exc.lineno, exc.offset + 1, f"XML syntax error: {message}") from None
    return root[0]
