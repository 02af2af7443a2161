"""PyYAML lives here: safe, bounded parsing and mapping data paths back to positions.

Valid files are parsed once, by libyaml's C parser, into plain Python data;
positions are only worked out (by composing the node tree) for a file that
has problems, or from the tree of that one parse when the caller keeps it
(:func:`parse_located`, for lint). Aliases are refused, so a "billion
laughs" file fails at its first alias; duplicate keys are reported instead
of silently overwritten. Nesting is bounded before libyaml composes deeply:
its composer recurses in C, and a file of a few ten thousand '[' would
overflow the stack. A file that counting shows cannot nest past a safe
depth is composed and its tree checked; any other is walked event by event
first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from hoquiz.errors import Problem, os_error_text

MAX_FILE_BYTES = 20 * 1024 * 1024
# A bank needs about six levels of lists and mappings; libyaml's composer
# crashes (C stack overflow) somewhere past 20,000.
MAX_DEPTH = 100

DataPath = tuple[str | int, ...]

try:  # libyaml's C parser; the pure-Python one only where libyaml is missing
    from yaml import CSafeLoader as _BaseLoader

    _LIBYAML = True
except ImportError:  # pragma: no cover - wheels ship libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    _LIBYAML = False


class _Loader(_BaseLoader):
    """Safe loader that records duplicate keys instead of keeping the last one."""

    def __init__(
        self, stream: str, path: str, keep_root: bool = False, check_depth: bool = False
    ) -> None:
        super().__init__(stream)
        self.hoquiz_path = path
        self.hoquiz_problems: list[Problem] = []
        self.hoquiz_keep_root = keep_root
        self.hoquiz_check_depth = check_depth
        self.hoquiz_root: yaml.Node | None = None

    def get_single_data(self) -> Any:
        # As the base class does, checking the tree's depth before it is
        # constructed, and keeping it when asked: it locates what is found in
        # the data later without composing again.
        node = self.get_single_node()
        if node is None:
            return None
        if self.hoquiz_check_depth:
            mark = _first_too_deep(node)
            if mark is not None:
                raise _TooDeep(mark)
        if self.hoquiz_keep_root:
            self.hoquiz_root = node
        return self.construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping: dict[Any, Any] = super().construct_mapping(node, deep)
        if len(mapping) != len(node.value):  # cheap on valid files: only then look closer
            self._report_duplicates(node)
        return mapping

    def _report_duplicates(self, node: yaml.MappingNode) -> None:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    mark = key_node.start_mark
                    self.hoquiz_problems.append(
                        Problem(
                            self.hoquiz_path,
                            mark.line + 1,
                            mark.column + 1,
                            f"duplicate key {key_node.value!r} in this mapping",
                        )
                    )
                seen.add(key_node.value)


def _bad_scalar(node: yaml.ScalarNode) -> str:
    kind = node.tag.rsplit(":", 1)[-1]
    if kind == "timestamp":
        return (
            f"{node.value!r} is not a valid date (write YYYY-MM-DD, or quote it to keep it as text)"
        )
    return f"{node.value!r} cannot be read as !!{kind}: remove the tag or fix the value"


def _checked(construct: Any) -> Any:
    """A scalar constructor whose bad values (``!!int abc``, ``2025-02-30``) are located errors."""

    def checked(loader: Any, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, KeyError, OverflowError):
            raise yaml.constructor.ConstructorError(
                None, None, _bad_scalar(node), node.start_mark
            ) from None

    return checked


for _kind in ("int", "float", "bool", "timestamp"):
    _tag = f"tag:yaml.org,2002:{_kind}"
    _Loader.add_constructor(_tag, _checked(_BaseLoader.yaml_constructors[_tag]))


class _NoAliasLoader(_Loader):
    """Refuses aliases and merge keys: used when the text may contain either."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            # The same node reached twice: an alias (*name) to an anchor.
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "YAML anchors and aliases (&name, *name) are not supported: "
                "this anchored value is reused; write it out in full",
                node.start_mark,
            )
        return super().construct_object(node, deep)

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "YAML merge keys (<<) are not supported", key_node.start_mark
                )
        super().flatten_mapping(node)


# An anchor (&name) or alias (*name) needs '&' or '*' right before a name;
# text without one can skip the per-node alias check.
_MAYBE_ANCHOR = re.compile(r"[&*][^\s,\[\]{}]")


# Block collections nested D deep start some line with about D/2 characters
# of indentation and '- ', '? ', ': ' indicators (properties such as '&a'
# may only come before the last node of a line).
_DEEP_BLOCK = re.compile(rf"^[ \t?:-]{{{MAX_DEPTH // 4}}}", re.MULTILINE)
# A line that opens a flow collection and closes it again, with nothing on
# it that could hide a bracket (no quote, comment, nested bracket or brace),
# as banks write tags, sources and match pairs: "tags: [a, b]", "- [x, y]".
# Such a line adds at most one level, and only while it is read.
_CLOSED_FLOW_LINE = re.compile(
    r"^[ \t]*(?:-[ \t]+)*(?:[A-Za-z0-9_-]+:[ \t]+)?"
    r"(?:\[[^\[\]{}\"'#\n]*\]|\{[^\[\]{}\"'#\n]*\})[ \t]*$",
    re.MULTILINE,
)
_UNBOUNDED = 1 << 62
# libyaml composes this deep without running out of C stack (its composer
# recurses), and some versions refuse more: a file whose nesting bound is
# below it is composed first and its tree checked, cheaper than walking it.
_COMPOSE_SAFELY = 10 * MAX_DEPTH
_DEPTH_CHANGE: dict[type[yaml.Event], int] = {
    yaml.SequenceStartEvent: 1,
    yaml.MappingStartEvent: 1,
    yaml.SequenceEndEvent: -1,
    yaml.MappingEndEvent: -1,
}


def _nesting_bound(text: str) -> int:
    """An upper bound of the flow nesting of ``text`` (``_UNBOUNDED`` for deep indentation).

    Flow nesting cannot exceed the number of '[' and '{', not counting the
    lines that close every one they open (they add one level at most).
    Block nesting needs deep indentation.
    """
    if _DEEP_BLOCK.search(text):
        return _UNBOUNDED
    openers = text.count("[") + text.count("{")
    if openers > MAX_DEPTH // 2:
        openers -= len(_CLOSED_FLOW_LINE.findall(text)) - 1
    return openers


def _nesting_problem(text: str, display: str) -> Problem | None:
    """Where the text nests deeper than ``MAX_DEPTH``, if it does, by walking its events.

    The walk, over libyaml's events, does not recurse. Some libyaml
    versions (0.2.6, in PyYAML 6.0.4) refuse nesting past their own limit
    while scanning ahead, before the walk reaches ours: then the pure-Python
    parser, which has no limit and looks ahead at most 1024 characters,
    walks the file again, so the message is the same on every version.
    """
    try:
        return _walk_depth(_BaseLoader(text), display)
    except yaml.YAMLError:
        if not _LIBYAML:
            return None  # the parse proper reports it, located
    try:
        return _walk_depth(yaml.SafeLoader(text), display)
    except yaml.YAMLError:
        return None  # the parse proper reports it, located


def _too_deep(display: str, mark: Any) -> Problem:
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(
        display,
        line,
        column,
        f"lists and mappings are nested more than {MAX_DEPTH} levels deep here; "
        "a bank needs only a few (look for an unclosed '[' or '{')",
    )


def _first_too_deep(root: yaml.Node) -> Any:
    """The start mark of the first list or mapping (in file order) nested past ``MAX_DEPTH``.

    Levels are counted as the event walk counts them (scalars do not
    count). Banks are a few levels deep: a pass level by level shows that
    at little cost; only a file that does nest too deep is walked in order.
    The tree holds no alias (a node reached twice), or this is not called.
    """
    level = [root] if not isinstance(root, yaml.ScalarNode) else []
    for _ in range(MAX_DEPTH):
        below: list[yaml.Node] = []
        for node in level:
            if isinstance(node, yaml.MappingNode):
                below.extend(child for pair in node.value for child in pair)
            else:
                below.extend(node.value)
        level = [node for node in below if not isinstance(node, yaml.ScalarNode)]
        if not level:
            return None
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]  # in file order, without recursion
    while stack:
        node, depth = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            continue
        if depth > MAX_DEPTH:
            return node.start_mark
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            children = list(node.value)
        stack.extend((child, depth + 1) for child in reversed(children))
    return None  # pragma: no cover - the pass by levels found one


class _TooDeep(Exception):
    """The composed tree nests past ``MAX_DEPTH``: raised before constructing it."""

    def __init__(self, mark: Any) -> None:
        super().__init__()
        self.mark = mark


def _walk_depth(parser: Any, display: str) -> Problem | None:
    get_event, change = parser.get_event, _DEPTH_CHANGE.get
    depth = 0
    try:
        while (event := get_event()) is not None and not isinstance(event, yaml.StreamEndEvent):
            depth += change(type(event), 0)
            if depth > MAX_DEPTH:
                return _too_deep(display, event.start_mark)
    finally:
        parser.dispose()
    return None


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def _too_large(display: str, size: int) -> list[Problem]:
    megabytes = math.ceil(size * 10 / 1048576) / 10  # never "20.0 MB" for 20 MB and a byte
    limit = MAX_FILE_BYTES // 1048576
    return [
        Problem(
            display,
            1,
            1,
            f"file is too large ({megabytes:.1f} MB; the limit is {limit} MB): "
            "split it into several bank files in this folder, each with its own id "
            "(they share its sources.yaml)",
        )
    ]


def read_text(path: Path, display: str) -> tuple[str | None, list[Problem]]:
    """Read a UTF-8 file (BOM allowed), refusing oversized or undecodable ones."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, _too_large(display, size)
        with path.open("rb") as handle:
            # read(n) allocates n bytes up front: ask for the size stat gave,
            # and stay bounded should the file grow meanwhile.
            raw = handle.read(size + 1)
            if len(raw) > size:
                raw += handle.read(MAX_FILE_BYTES + 1 - len(raw))
        if len(raw) > MAX_FILE_BYTES:
            return None, _too_large(display, len(raw))
    except OSError as exc:
        return None, [Problem(display, 1, 1, f"cannot read file: {os_error_text(exc)}")]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem(display, 1, 1, "file is UTF-16 text; save it as UTF-8")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        return None, [
            Problem(
                display,
                line,
                column,
                f"not valid UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded "
                "(save the file as UTF-8)",
            )
        ]


_SURROGATE = re.compile("[\ud800-\udfff]")


def parse(text: str, display: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document into plain data, or report where it is broken."""
    data, problems, _ = _parse(text, display, keep_root=False)
    return data, problems


def parse_located(text: str, display: str) -> tuple[Any, list[Problem], Locator]:
    """:func:`parse`, and a :class:`Locator` that reuses the node tree of that parse.

    Locating then costs no second parse, and the node tree lives as long as
    the locator: for callers that locate much in one file, then let go.
    """
    data, problems, root = _parse(text, display, keep_root=True)
    return data, problems, Locator(text, root)


def _parse(text: str, display: str, *, keep_root: bool) -> tuple[Any, list[Problem], Any]:
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:  # text decoded leniently; libyaml cannot encode these
        line, column = _position(text, surrogate.start())
        code = ord(surrogate.group())
        problem = Problem(display, line, column, f"U+{code:04X} is not a character; remove it")
        return None, [problem], None
    may_alias = "<<" in text or _MAYBE_ANCHOR.search(text) is not None
    bound = _nesting_bound(text)
    # Shallow by counting; else checked on the composed tree when composing
    # is safe and the tree holds no alias; else walked event by event first.
    check_tree = MAX_DEPTH // 2 < bound <= _COMPOSE_SAFELY and not may_alias
    if bound > MAX_DEPTH // 2 and not check_tree:
        too_deep = _nesting_problem(text, display)
        if too_deep is not None:
            return None, [too_deep], None
    loader_class = _NoAliasLoader if may_alias else _Loader
    loader = loader_class(text, display, keep_root, check_tree)
    try:
        data = loader.get_single_data()
    except _TooDeep as exc:
        return None, [_too_deep(display, exc.mark)], None
    except yaml.MarkedYAMLError as exc:
        too_deep = _nesting_problem(text, display) if check_tree else None
        if too_deep is not None:  # as the walk reports it: the depth before a later error
            return None, [too_deep], None
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, [Problem(display, line, column, _describe(exc))], None
    except yaml.reader.ReaderError as exc:
        index = exc.position
        if _LIBYAML:  # libyaml counts bytes of UTF-8 here, not characters
            index = len(text.encode("utf-8")[:index].decode("utf-8", errors="ignore"))
        line, column = _position(text, index)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return (
            None,
            [
                Problem(
                    display,
                    line,
                    column,
                    f"character U+{code:04X} is not printable and not allowed in YAML; remove it",
                )
            ],
            None,
        )
    except yaml.YAMLError as exc:
        return None, [Problem(display, 1, 1, f"YAML error: {exc}")], None
    except RecursionError:
        return None, [Problem(display, 1, 1, "YAML nesting is too deep")], None
    finally:
        loader.dispose()
    return data, loader.hoquiz_problems, loader.hoquiz_root


def _describe(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "invalid YAML"
    if isinstance(exc, yaml.constructor.ConstructorError):
        if "could not determine a constructor for the tag" in problem:
            tag = problem.split("tag", 1)[-1].strip(" '")
            tag = tag.replace("tag:yaml.org,2002:", "!!", 1)
            return f"tag {tag} is not allowed: banks are plain data; remove the tag"
        if "unhashable key" in problem:
            return "a key must be plain text, not a list or mapping"
        return problem
    if "expected a single document" in (exc.context or ""):
        return "a bank file holds one YAML document; remove this '---' or split the file"
    if exc.context:
        return f"YAML syntax error: {problem} ({exc.context})"
    return f"YAML syntax error: {problem}"


# Text that YAML reads back as the same string without quotes: starts with a
# letter, holds no indicator characters, and is not a YAML 1.1 boolean or null.
_PLAIN_RE = re.compile(r"[A-Za-z][A-Za-z0-9 .,;'()/?!%+_-]*(?<! )")
_NOT_PLAIN = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def dump(data: Any) -> str:
    """Plain bank data as block-style YAML, keys in the order given; same data, same text.

    Strings that need quoting are double-quoted with backslash escapes.
    Written by hand: PyYAML's emitter takes longer than loading the result.
    """
    lines: list[str] = []
    _dump_mapping(data, "", lines)
    return "\n".join(lines) + "\n"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value!r} as a bank number")
        mantissa, e, exponent = repr(value).partition("e")
        if e and "." not in mantissa:
            mantissa += ".0"  # YAML 1.1 reads a float only with a point: 1.0e-05
        return mantissa + e + exponent
    text = str(value)
    if _PLAIN_RE.fullmatch(text) and text.lower() not in _NOT_PLAIN:
        return text
    return _quoted(text)


_QUOTE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: backslash escapes for quotes and unprintable characters."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    out = []
    for char in text:
        if char in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def _dump_mapping(data: dict[str, Any], pad: str, lines: list[str]) -> None:
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            _dump_mapping(value, pad + "  ", lines)
        elif isinstance(value, list):
            lines.append(f"{pad}{key}:")
            _dump_list(value, pad + "  ", lines)
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}")


def _dump_list(items: list[Any], pad: str, lines: list[str]) -> None:
    for item in items:
        if isinstance(item, dict):
            start = len(lines)
            _dump_mapping(item, pad + "  ", lines)
            lines[start] = f"{pad}- {lines[start][len(pad) + 2 :]}"
        elif isinstance(item, list):
            lines.append(f"{pad}- [{', '.join(_scalar(v) for v in item)}]")
        else:
            lines.append(f"{pad}- {_scalar(item)}")


class Locator:
    """Maps data paths of one file to 1-based (line, column) positions.

    Composes the file's node tree once, on first use (only files with
    problems pay for it), unless given the tree of the parse (``root``).
    """

    def __init__(self, text: str, root: yaml.Node | None = None) -> None:
        self._text = text
        self._root: yaml.Node | None = root
        self._composed = root is not None

    def _compose(self) -> yaml.Node | None:
        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self._text, Loader=_BaseLoader)
            except yaml.YAMLError:
                self._root = None
        return self._root

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """Position of the value at ``path`` (of its key, with ``key``).

        Falls back to the nearest enclosing node that exists.
        """
        node = self._compose()
        if node is None:
            return 1, 1
        mark = node.start_mark
        for i, step in enumerate(path):
            last = i == len(path) - 1
            child: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                # The last of duplicate keys: its value is the one loaded.
                for key_node, value_node in reversed(node.value):
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(step):
                        child = key_node if (last and key) else value_node
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(step, int)
                and 0 <= step < len(node.value)
            ):
                child = node.value[step]
            if child is None:
                break
            node = child
            mark = node.start_mark
        return mark.line + 1, mark.column + 1
