"""PyYAML lives here: safe, bounded parsing and mapping data paths back to positions.

Valid files are parsed once, by libyaml's C parser, into plain Python data:
libyaml composes the node tree (asking :meth:`_Loader.resolve` for each
node's core-schema tag) and one walk (:func:`_plain`) turns a tree of text,
numbers, booleans, lists and mappings into values; PyYAML's constructor
builds only what that walk leaves (other tags, repeated keys, aliases), and
reports on it. Positions are only worked out (by composing the node tree) for a file that
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

import codecs
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

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

    # Whether a tree may be built by :func:`_plain`: not when it may hold aliases.
    plain_walk = True

    def __init__(
        self, stream: str, path: str, keep_root: bool = False, check_depth: bool = False
    ) -> None:
        super().__init__(stream)
        self.hoquiz_path = path
        self.hoquiz_problems: list[Problem] = []
        self.hoquiz_keep_root = keep_root
        self.hoquiz_check_depth = check_depth
        self.hoquiz_root: yaml.Node | None = None

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        # The tag of a node written without one (libyaml asks for each):
        # only a plain scalar can be anything but text, a list or a mapping.
        if kind is yaml.ScalarNode:
            if not implicit[0]:  # quoted, or tagged '!'
                return _STR
            # A plain scalar: the core schema's booleans, nulls and decimal numbers.
            tag = _WORD_TAGS.get(value)
            if tag is not None:
                return tag
            if value[:1] in _NUMBER_FIRST:
                if _INT_RE.match(value):
                    return _INT
                if _FLOAT_RE.match(value):
                    return _FLOAT
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass  # no path resolvers

    def ascend_resolver(self) -> None:
        pass

    def get_single_data(self) -> Any:
        # As the base class does, checking the tree's depth before it is
        # constructed, and keeping it when asked: it locates what is found in
        # the data later without composing again. A tree of plain data is
        # built by one walk (:func:`_plain`); anything else (a tag other than
        # the core schema's, a duplicate key, nesting past the bound) by the
        # base constructor, which reports it as before.
        node = self.get_single_node()
        if node is None:
            return None
        data = _plain(node, 1, self.yaml_constructors, self) if self.plain_walk else _UNPLAIN
        if data is not _UNPLAIN:
            if self.hoquiz_keep_root:
                self.hoquiz_root = node
            return data
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


# -- scalars: the YAML 1.2 core schema, numbers in decimal only ----------------
# PyYAML implements YAML 1.1, where `yes` is a boolean, `0777` octal 511 and
# `1:30` the number 90. Banks resolve plain scalars as YAML 1.2's core schema
# does, except that its octal (0o17), hexadecimal (0x10), infinity and
# not-a-number forms stay text too: no bank field takes one, and a choice
# written `.inf` then stays what its author wrote. docs/bank-format.md, "YAML
# values", is the user's side of this.
_INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_FLOAT_RE = re.compile(
    r"[-+]?(?:(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+)\Z"
)
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
# Python refuses to turn longer digit strings into an int (and no bank
# number comes near): such a number is a located error, not a traceback.
MAX_DIGITS = 1000

_CORE = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _CORE + "str", _CORE + "seq", _CORE + "map"
_INT, _FLOAT = _CORE + "int", _CORE + "float"
_WORD_TAGS = {
    **dict.fromkeys(_TRUE | _FALSE, _CORE + "bool"),
    **dict.fromkeys(_NULL, _CORE + "null"),
}
_NUMBER_FIRST = frozenset("-+0123456789.")


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    value = loader.construct_scalar(node)
    if not _INT_RE.match(value):
        raise ValueError(value)
    if len(value) > MAX_DIGITS:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"this number has {len(value.lstrip('+-'))} digits; no bank value needs so many",
            node.start_mark,
        )
    return int(value)


def _construct_float(loader: Any, node: yaml.ScalarNode) -> float:
    value = loader.construct_scalar(node)
    if not (_INT_RE.match(value) or _FLOAT_RE.match(value)):
        raise ValueError(value)
    return float(value)  # very large ones become inf, which the validator refuses


def _construct_bool(loader: Any, node: yaml.ScalarNode) -> bool:
    value = loader.construct_scalar(node)
    if value not in _TRUE and value not in _FALSE:
        raise ValueError(value)
    return value in _TRUE


def _construct_null(loader: Any, node: yaml.ScalarNode) -> None:
    if loader.construct_scalar(node) not in _NULL:
        raise ValueError(node.value)


def _bad_scalar(node: yaml.ScalarNode) -> str:
    kind = node.tag.rsplit(":", 1)[-1]
    if kind == "timestamp":
        return f"{node.value!r} is not a valid date (write YYYY-MM-DD)"
    return f"{node.value!r} cannot be read as !!{kind}: remove the tag or fix the value"


def _checked(construct: Any) -> Any:
    """A scalar constructor whose bad values (``!!int abc``) are located errors."""

    def checked(loader: Any, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, KeyError, OverflowError):
            raise yaml.constructor.ConstructorError(
                None, None, _bad_scalar(node), node.start_mark
            ) from None

    return checked


_Loader.yaml_implicit_resolvers = {}  # none of YAML 1.1's: _Loader.resolve is the core schema's
for _kind, _construct in (
    ("int", _construct_int),
    ("float", _construct_float),
    ("bool", _construct_bool),
    ("null", _construct_null),
    # An explicit !!timestamp still makes a date (sources.yaml 'date').
    ("timestamp", _BaseLoader.yaml_constructors[_CORE + "timestamp"]),
):
    _Loader.add_constructor(_CORE + _kind, _checked(_construct))

# Scalar tags whose constructor :func:`_plain` calls itself; any other tag
# (!!binary, !!set, !!merge, an unknown one) leaves the tree to the base
# constructor.
_PLAIN_SCALARS = frozenset(_CORE + kind for kind in ("int", "float", "bool", "null", "timestamp"))


class _Unplain:
    """What :func:`_plain` returns for a tree it leaves to the base constructor."""


_UNPLAIN: Any = _Unplain()


def _plain(node: yaml.Node, depth: int, constructors: dict[Any, Any], loader: Any) -> Any:
    """The data of a tree of core-schema scalars, lists and mappings, or ``_UNPLAIN``.

    The same values the base constructor makes of such a tree (which, for a
    tree it must refuse or report on, it is left to): text, numbers,
    booleans, null and explicit dates; lists; mappings with scalar keys, none
    repeated. ``depth`` counts lists and mappings as the nesting check does;
    past ``MAX_DEPTH`` the tree is left too, so this recursion stays shallow.
    The tree holds no alias (a node reached twice): the caller knows.
    """
    cls = node.__class__
    if cls is yaml.ScalarNode:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag in _PLAIN_SCALARS:
            try:
                return constructors[tag](loader, node)
            except yaml.YAMLError:
                return _UNPLAIN
        return _UNPLAIN
    if depth > MAX_DEPTH:
        return _UNPLAIN
    depth += 1
    if cls is yaml.SequenceNode:
        if node.tag != _SEQ:
            return _UNPLAIN
        items = []
        for child in node.value:
            if child.__class__ is yaml.ScalarNode and child.tag == _STR:
                items.append(child.value)
                continue
            item = _plain(child, depth, constructors, loader)
            if item is _UNPLAIN:
                return _UNPLAIN
            items.append(item)
        return items
    if node.tag != _MAP:
        return _UNPLAIN
    mapping = {}
    for key_node, value_node in node.value:
        if key_node.__class__ is not yaml.ScalarNode:
            return _UNPLAIN
        key = (
            key_node.value
            if key_node.tag == _STR
            else _plain(key_node, depth, constructors, loader)
        )
        if value_node.__class__ is yaml.ScalarNode and value_node.tag == _STR:
            value = value_node.value
        else:
            value = _plain(value_node, depth, constructors, loader)
        if key is _UNPLAIN or value is _UNPLAIN:
            return _UNPLAIN
        mapping[key] = value
    if len(mapping) != len(node.value):  # a key repeated: the base constructor reports it
        return _UNPLAIN
    return mapping


class Reading(NamedTuple):
    """What a YAML 1.1 (or 1.2) reader makes of a plain scalar that banks read as text."""

    value: bool | int | float
    how: str  # "YAML 1.1 reads it as octal 511"
    instead: str  # what to write in a bank for that number or boolean: "777"


_OLD_BOOLS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False),
}
_YAML12_OCTAL = re.compile(r"[-+]?0o[0-7]+\Z")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+\Z")


_YAML11 = yaml.resolver.Resolver()


def _yaml11_tag(text: str) -> str:
    """The tag YAML 1.1 (PyYAML's own resolver) gives ``text`` written unquoted."""
    return str(_YAML11.resolve(yaml.ScalarNode, text, (True, False)))  # type: ignore[no-untyped-call]


def _bank_reads_as_text(text: str) -> bool:
    return not (
        text in _TRUE
        or text in _FALSE
        or text in _NULL
        or _INT_RE.match(text)
        or _FLOAT_RE.match(text)
    )


def other_reading(text: str) -> Reading | None:
    """What other YAML readers make of ``text`` written unquoted, when banks read it as text.

    For the message naming what to write instead; ``None`` when ``text`` is
    no number or boolean to anyone.
    """
    if len(text) > 100 or not _bank_reads_as_text(text):
        return None
    if text in _OLD_BOOLS:
        value = _OLD_BOOLS[text]
        return Reading(value, f"YAML 1.1 reads it as {str(value).lower()}", "true or false")
    sign = "-" if text.startswith("-") else ""
    digits = text.lstrip("+-")
    if _YAML12_OCTAL.match(text):
        number = int(sign + digits[2:], 8)
        return Reading(number, f"YAML 1.2 reads it as octal {number}", str(number))
    tag = _yaml11_tag(text)
    if tag not in (_CORE + "int", _CORE + "float"):
        if _LEADING_ZERO.match(text):  # 09: text to YAML 1.1 too
            return Reading(int(text), "a whole number does not start with 0", str(int(text)))
        return None
    loader = yaml.SafeLoader("")
    try:
        old = loader.yaml_constructors[tag](loader, yaml.ScalarNode(tag, text))
    except (ValueError, TypeError, OverflowError):  # pragma: no cover - 1.1 read it
        return None
    finally:
        loader.dispose()
    if not math.isfinite(old):
        what = "not-a-number" if math.isnan(old) else f"{sign}infinity"
        return Reading(old, f"YAML reads it as {what}", "a finite decimal number")
    if ":" in text:
        return Reading(
            old, f"YAML 1.1 reads it as {old}, in base 60", f"{old} or the decimal number you mean"
        )
    if digits[:2] in ("0x", "0b"):
        base = "hexadecimal" if digits[1] == "x" else "binary"
        return Reading(old, f"YAML reads it as {base} {old}", str(old))
    if _LEADING_ZERO.match(text):
        decimal = sign + (digits.lstrip("0") or "0")
        return Reading(old, f"YAML 1.1 reads it as octal {old}", decimal)
    return Reading(old, f"YAML 1.1 reads it as {old}", str(old))  # 1_000


def iso_date(text: str) -> str | None:
    """A date-shaped text (``2025-08-07``, or with a time) in ISO form; ``None`` if not date-shaped.

    Dates are text to the core schema; a field that takes a date reads them
    with YAML 1.1's timestamp rules, so what an older reader took for a date
    means the same here.

    Raises:
        ValueError: date-shaped but no such day or time (``2025-02-29``).
    """
    tag = _yaml11_tag(text)
    if tag != _CORE + "timestamp":
        return None
    loader = yaml.SafeLoader("")
    try:
        value = loader.construct_yaml_timestamp(yaml.ScalarNode(tag, text))
    except (ValueError, TypeError, OverflowError):
        raise ValueError(text) from None
    finally:
        loader.dispose()
    return str(value.isoformat())


class _NoAliasLoader(_Loader):
    """Refuses aliases and merge keys: used when the text may contain either."""

    plain_walk = False

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
            # `<<` is text to the core schema, but a YAML 1.1 reader would merge.
            plain_merge = key_node.value == "<<" and not getattr(key_node, "style", "")
            if key_node.tag == _CORE + "merge" or plain_merge:
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
# A line that is a key and one double-quoted text, opened and closed on it,
# as banks write cloze texts ('text: "... {{c1::answer}} ..."'). Its
# brackets and braces are text only if no earlier text is still open when it
# starts: otherwise its first quote would end that one and the rest of the
# line be YAML (in a flow list, 'x: ", [[[["' would nest four levels and
# open a text to the next such line). That holds when every '"' of the file
# is on such a line and none holds a "'" (which could end a single-quoted
# text): see _quoted_brackets. The key is needed: a line starting with the
# quote could continue a plain text of a flow list, which a ',' then ends.
_QUOTED_LINE = re.compile(
    r'^[ \t]*(?:-[ \t]+)*[A-Za-z0-9_-]+:[ \t]+"((?:[^"\\\n]|\\.)*)"[ \t]*$',
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


def _nesting_bound(text: str, *, refine: bool = True) -> int:
    """An upper bound of the flow nesting of ``text`` (``_UNBOUNDED`` for deep indentation).

    Flow nesting cannot exceed the number of '[' and '{', not counting the
    lines that close every one they open (they add one level at most) nor
    those inside a double-quoted text of one line (when that is sure).
    Block nesting needs deep indentation. Those lines are only counted when
    the bound decides something: with ``refine=False``, a count of at most
    ``_COMPOSE_SAFELY`` is returned as it is (the tree is then checked once
    composed, which costs less than counting them).
    """
    if _DEEP_BLOCK.search(text):
        return _UNBOUNDED
    openers = text.count("[") + text.count("{")
    if openers > MAX_DEPTH // 2 and (refine or openers > _COMPOSE_SAFELY):
        openers -= len(_CLOSED_FLOW_LINE.findall(text)) - 1
        if openers > _COMPOSE_SAFELY:  # else not worth counting: it decides nothing more
            openers -= _quoted_brackets(text)
    return openers


def _quoted_brackets(text: str) -> int:
    """How many '[' and '{' of ``text`` are inside one-line double-quoted texts, surely.

    0 unless every '"' of the file is on a ``_QUOTED_LINE`` and none of those
    holds a "'": then no double-quoted text is open where such a line starts
    (each closes what it opens), and after its ': ' (which ends any plain
    text) its quotes open and close one, or the line is inside a
    single-quoted or block text: either way, what is between them is text.
    """
    quoted = _QUOTED_LINE.findall(text)
    if any("'" in q for q in quoted):
        return 0
    if text.count('"') != sum(2 + q.count('"') for q in quoted):
        return 0  # some '"' elsewhere: a text may be open when one of these lines starts
    return sum(q.count("[") + q.count("{") for q in quoted)


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


# UTF-32 LE's BOM begins with UTF-16 LE's: the longer ones are tried first.
_OTHER_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


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
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]
    for bom, name in _OTHER_BOMS:
        if raw.startswith(bom):
            return None, [Problem(display, 1, 1, f"file is {name} text; save it as UTF-8")]
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
    surrogate = None if text.isascii() else _SURROGATE.search(text)
    if surrogate is not None:  # text decoded leniently; libyaml cannot encode these
        line, column = _position(text, surrogate.start())
        code = ord(surrogate.group())
        problem = Problem(display, line, column, f"U+{code:04X} is not a character; remove it")
        return None, [problem], None
    may_alias = "<<" in text or (
        ("&" in text or "*" in text) and _MAYBE_ANCHOR.search(text) is not None
    )
    bound = _nesting_bound(text, refine=may_alias)
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
# letter, holds no indicator characters, and is no boolean or null to YAML 1.1
# or 1.2 (so that older tools read the file the same). In a flow sequence
# ([a, b]) a comma ends the item, and for PyYAML's pure-Python reader a '?'
# does too, so there either needs quotes.
_PLAIN_RE = re.compile(r"[A-Za-z][A-Za-z0-9 .,;'()/?!%+_-]*(?<! )")
_NOT_PLAIN = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def dump(data: dict[Any, Any]) -> str:
    """Plain bank data as block-style YAML, keys in the order given; same data, same text.

    Takes mappings, lists, text, whole and finite numbers, booleans and
    ``None``; ``parse(dump(data))`` gives ``data`` back. Strings that need
    quoting are double-quoted with backslash escapes. Written by hand:
    PyYAML's emitter takes longer than loading the result.

    Raises:
        ValueError: a value banks cannot hold (an infinite float, a number
            of more than ``MAX_DIGITS`` digits, a set or other object).
    """
    if not data:
        return "{}\n"
    lines: list[str] = []
    _dump_mapping(data, "", lines)
    return "\n".join(lines) + "\n"


def _scalar(value: Any, *, flow: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        if value.bit_length() > 3 * MAX_DIGITS:  # too long to read back (or to write)
            raise ValueError("cannot write a number this long in a bank")
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value!r} as a bank number")
        mantissa, e, exponent = repr(value).partition("e")
        if e and "." not in mantissa:
            mantissa += ".0"  # YAML 1.1 reads a float only with a point: 1.0e-05
        return mantissa + e + exponent
    if not isinstance(value, str):
        raise ValueError(f"cannot write a {type(value).__name__} in a bank")
    if (
        _PLAIN_RE.fullmatch(value)
        and value.lower() not in _NOT_PLAIN
        and not (flow and ("," in value or "?" in value))
    ):
        return value
    return _quoted(value)


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


def _dump_mapping(data: dict[Any, Any], pad: str, lines: list[str]) -> None:
    for key, value in data.items():
        name = _scalar(key)
        if isinstance(value, (dict, list)) and value:
            lines.append(f"{pad}{name}:")
            _dump_nested(value, pad + "  ", lines)
        else:
            lines.append(f"{pad}{name}: {_inline(value)}")


def _dump_nested(value: dict[Any, Any] | list[Any], pad: str, lines: list[str]) -> None:
    if isinstance(value, dict):
        _dump_mapping(value, pad, lines)
    else:
        _dump_list(value, pad, lines)


def _inline(value: Any) -> str:
    """A value on one line: a scalar, an empty collection or a list of scalars."""
    if isinstance(value, dict):
        return "{}"  # only ever empty here
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(item, flow=True) for item in value) + "]"
    return _scalar(value)


def _dump_list(items: list[Any], pad: str, lines: list[str]) -> None:
    for item in items:
        flat = isinstance(item, list) and not any(isinstance(v, (dict, list)) for v in item)
        if isinstance(item, (dict, list)) and item and not flat:
            # The first line of the nested block, moved up beside the dash.
            start = len(lines)
            _dump_nested(item, pad + "  ", lines)
            lines[start] = f"{pad}- {lines[start][len(pad) + 2 :]}"
        else:
            lines.append(f"{pad}- {_inline(item)}")


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
        node = self._node(path, key=key)
        return (1, 1) if node is None else (node.start_mark.line + 1, node.start_mark.column + 1)

    def locate_character(self, path: Sequence[str | int], index: int, char: str) -> tuple[int, int]:
        """Position of ``char``, at ``index`` in the text value at ``path``, in the file.

        Found when the file writes the character itself (not as an escape such
        as ``\\u200b``); otherwise the position of the value.
        """
        node = self._node(path)
        if node is None:
            return 1, 1
        start = node.start_mark
        if isinstance(node, yaml.ScalarNode) and isinstance(node.value, str):
            raw = self._text[start.index : node.end_mark.index]
            at = -1
            for _ in range(node.value[:index].count(char) + 1):
                at = raw.find(char, at + 1)
                if at < 0:
                    break
            if at >= 0:
                line_start = raw.rfind("\n", 0, at)
                column = start.column + at if line_start < 0 else at - line_start - 1
                return start.line + raw.count("\n", 0, at) + 1, column + 1
        return start.line + 1, start.column + 1

    def _node(self, path: Sequence[str | int], *, key: bool = False) -> yaml.Node | None:
        """The node at ``path`` or the nearest enclosing one that exists."""
        node = self._compose()
        if node is None:
            return None
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
        return node
