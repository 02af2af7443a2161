"""The release manifest: what the Anki exporter last shipped from a bank folder.

One JSON file, ``hoquiz-manifest.json``, beside the folder's ``sources.yaml``
and committed with the banks. For every note ever exported from the folder
it records the note's GUID, type, deck, field values, tags, cloze numbers, a
hash of all of that, and the modification time the note was last exported
with; for every note type, a hash of its template and CSS and its time. The
exporter reads it to give a note a newer time only when what it renders to
has changed (see docs/anki-export.md), and writes it back, atomically.

Written with sorted keys and one note per line, so that a review of a
release's ``git diff`` shows exactly which notes learners will receive.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import json
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from hoquiz import atomic
from hoquiz.errors import ExportError
from hoquiz.model import QUESTION_TYPES, QuestionKind

MANIFEST_NAME = "hoquiz-manifest.json"
FORMAT = 1
# The manifest comes with a bank folder from whoever wrote it: it is read only
# as a regular file of at most this size, never through a symlink (which could
# lead to a file outside the folder) and never from a FIFO (which would block).
MAX_MANIFEST_BYTES = 100 * 1024 * 1024
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
)
# One encoder for every line (json.dumps with options builds one per call).
_encode_line = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode


@dataclass(frozen=True, slots=True)
class NoteRecord:
    """One exported note as it was last shipped."""

    guid: str
    type: QuestionKind
    deck: str
    hash: str
    mod: int
    fields: Mapping[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    # Cloze numbers the note has had cards for, withdrawn ones included.
    cards: tuple[int, ...] = ()
    withdrawn: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "guid": self.guid,
            "type": self.type,
            "deck": self.deck,
            "hash": self.hash,
            "mod": self.mod,
            "fields": dict(self.fields),
            "tags": list(self.tags),
        }
        if self.cards:
            out["cards"] = list(self.cards)
        if self.withdrawn:
            out["withdrawn"] = True
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NoteRecord:
        return cls(
            guid=_text(data["guid"]),
            type=_kind(data["type"]),
            deck=_text(data["deck"]),
            hash=_text(data["hash"]),
            mod=_int(data["mod"]),
            fields=_text_mapping(data.get("fields", {})),
            tags=_items(data.get("tags", []), str, _text),
            cards=_items(data.get("cards", []), int, _int),
            withdrawn=data.get("withdrawn", False) is True,
        )


@dataclass(frozen=True, slots=True)
class NoteTypeRecord:
    """A note type as last shipped: a hash of its fields, templates and CSS."""

    hash: str
    mod: int

    def to_dict(self) -> dict[str, Any]:
        return {"hash": self.hash, "mod": self.mod}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NoteTypeRecord:
        return cls(_text(data["hash"]), _int(data["mod"]))


@dataclass(frozen=True, slots=True)
class BankRecord:
    """A bank as last shipped: its file (relative to the manifest) and deck."""

    file: str
    deck: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "deck": self.deck}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BankRecord:
        return cls(_text(data["file"]), _text(data["deck"]))


@dataclass(frozen=True, slots=True)
class Manifest:
    """Notes by ``bank/question`` key, note types by question type, banks by id."""

    notes: Mapping[str, NoteRecord] = field(default_factory=dict)
    note_types: Mapping[QuestionKind, NoteTypeRecord] = field(default_factory=dict)
    banks: Mapping[str, BankRecord] = field(default_factory=dict)

    def to_text(self) -> str:
        """Valid JSON with one bank, note type or note per line, keys sorted.

        A line per note keeps a release's ``git diff`` to the notes it
        changes, and lets the C JSON encoder write each line (an indented
        dump is several times slower for a large bank).
        """

        # One join over every piece: a manifest holds every note's fields,
        # so each intermediate copy of the text would cost as much again.
        parts = ["{\n", f' "format": {FORMAT},\n']

        def block(name: str, items: Mapping[Any, Any], last: bool = False) -> None:
            parts.append(f' "{name}": {{')
            for n, (key, value) in enumerate(sorted(items.items())):
                parts.append(",\n  " if n else "\n  ")
                parts.append(json.dumps(key))
                parts.append(": ")
                parts.append(_encode_line(value.to_dict()))
            parts.append(("\n }" if items else "}") + ("\n" if last else ",\n"))

        block("banks", self.banks)
        block("note_types", self.note_types)
        block("notes", self.notes, last=True)
        parts.append("}\n")
        return "".join(parts)

    @classmethod
    def from_text(cls, text: str, path: Path) -> Manifest:
        """Parse a manifest.

        Raises:
            ExportError: the text is not a manifest this hoquiz can read.
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ExportError(f"{path}:{error.lineno}:{error.colno}: {error.msg}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ExportError(f"{path}: not a hoquiz manifest of format {FORMAT}")
        try:
            return cls(
                notes={
                    _text(k): NoteRecord.from_dict(_mapping(v))
                    for k, v in _mapping(data.get("notes", {})).items()
                },
                note_types={
                    _kind(k): NoteTypeRecord.from_dict(_mapping(v))
                    for k, v in _mapping(data.get("note_types", {})).items()
                },
                banks={
                    _text(k): BankRecord.from_dict(_mapping(v))
                    for k, v in _mapping(data.get("banks", {})).items()
                },
            )
        except (KeyError, TypeError) as error:
            raise ExportError(f"{path}: damaged manifest ({_why(error)})") from None


def manifest_path(folder: Path) -> Path:
    """Where the manifest of the banks that use ``folder``'s sources.yaml lives."""
    return folder / MANIFEST_NAME


def read_manifest(path: Path) -> Manifest | None:
    """The manifest at ``path``, or None when there is none yet.

    Raises:
        ExportError: it exists but cannot be read or parsed.
    """
    return read_manifest_digest(path)[0]


def read_manifest_digest(path: Path) -> tuple[Manifest | None, str | None]:
    """:func:`read_manifest`, and the SHA-256 of the file's bytes (``None`` when there is none).

    Raises:
        ExportError: as :func:`read_manifest`.
    """
    data = read_manifest_data(path)
    if data is None:
        return None, None
    return manifest_from_data(data, path), hashlib.sha256(data).hexdigest()


def read_manifest_data(path: Path) -> bytes | None:
    """The bytes of the manifest file at ``path``, read as :func:`read_manifest` reads it.

    Raises:
        ExportError: as :func:`read_manifest`.
    """
    return _read_data(path)


def manifest_from_data(data: bytes, path: Path) -> Manifest:
    """The manifest of a file's bytes.

    Raises:
        ExportError: they are not a manifest this hoquiz can read.
    """
    return Manifest.from_text(_decode(data, path), path)


class _Deferred:
    """The field values of a manifest's notes, parsed from the file's bytes when first asked."""

    __slots__ = ("_data", "_fields", "_path")

    def __init__(self, data: bytes, path: Path) -> None:
        self._data = data
        self._path = path
        self._fields: dict[str, Mapping[str, str]] | None = None

    def of(self, key: str) -> Mapping[str, str]:
        if self._fields is None:
            notes = manifest_from_data(self._data, self._path).notes
            self._fields = {k: record.fields for k, record in notes.items()}
            self._data = b""
        return self._fields.get(key, {})


class _DeferredFields(Mapping[str, str]):
    """One note's field values, from :class:`_Deferred`."""

    __slots__ = ("_key", "_source")

    def __init__(self, source: _Deferred, key: str) -> None:
        self._source = source
        self._key = key

    def __getitem__(self, name: str) -> str:
        return self._source.of(self._key)[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._source.of(self._key))

    def __len__(self) -> int:
        return len(self._source.of(self._key))


def manifest_summary(manifest: Manifest) -> bytes:
    """A manifest's records without the notes' field values, as JSON, column by column
    (see :func:`manifest_from_summary`)."""
    notes = manifest.notes.values()
    data = {
        "keys": list(manifest.notes),
        "guids": [r.guid for r in notes],
        "types": [r.type for r in notes],
        "decks": [r.deck for r in notes],
        "hashes": [r.hash for r in notes],
        "mods": [r.mod for r in notes],
        "tags": [list(r.tags) for r in notes],
        "cards": [list(r.cards) for r in notes],
        "withdrawn": [r.withdrawn for r in notes],
        "note_types": {k: r.to_dict() for k, r in manifest.note_types.items()},
        "banks": {k: r.to_dict() for k, r in manifest.banks.items()},
    }
    return json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogateescape")


def manifest_from_summary(summary: bytes, data: bytes, path: Path) -> Manifest:
    """The manifest whose :func:`manifest_summary` is ``summary`` and whose file held ``data``.

    The notes' field values are parsed from ``data`` only when one is read.
    ``summary`` must be one written for exactly that file (the caller checks);
    each of its columns is checked whole.

    Raises:
        KeyError, TypeError, ValueError: ``summary`` is not one.
    """
    parsed = json.loads(summary)
    keys, guids, kinds, decks = parsed["keys"], parsed["guids"], parsed["types"], parsed["decks"]
    hashes, mods, tags, cards = parsed["hashes"], parsed["mods"], parsed["tags"], parsed["cards"]
    withdrawn = parsed["withdrawn"]
    columns = (keys, guids, kinds, decks, hashes, mods, tags, cards, withdrawn)
    if (
        not {*map(type, columns)} <= {list}
        or len({*map(len, columns)}) != 1
        or not {*map(type, keys), *map(type, guids), *map(type, decks), *map(type, hashes)} <= {str}
        or not set(kinds) <= set(QUESTION_TYPES)
        or not set(map(type, mods)) <= {int}
        or not set(map(type, withdrawn)) <= {bool}
        or not {*map(type, tags), *map(type, cards)} <= {list}
        or not set(map(type, itertools.chain.from_iterable(tags))) <= {str}
        or not set(map(type, itertools.chain.from_iterable(cards))) <= {int}
    ):
        raise ValueError("not a manifest summary")
    deferred = _Deferred(data, path)
    notes = {
        key: NoteRecord(
            guid,
            kind,
            deck,
            digest,
            mod,
            _DeferredFields(deferred, key),
            tuple(note_tags),
            tuple(numbers),
            gone,
        )
        for key, guid, kind, deck, digest, mod, note_tags, numbers, gone in zip(
            *columns, strict=True
        )
    }
    return Manifest(
        notes=notes,
        note_types={
            _kind(k): NoteTypeRecord.from_dict(_mapping(v))
            for k, v in _mapping(parsed["note_types"]).items()
        },
        banks={
            _text(k): BankRecord.from_dict(_mapping(v))
            for k, v in _mapping(parsed["banks"]).items()
        },
    )


def _read_text(path: Path) -> str | None:
    """The text of the regular file at ``path`` (not a symlink), or None when there is none.

    Raises:
        ExportError: as :func:`_read_data`, or it is not UTF-8.
    """
    data = _read_data(path)
    return None if data is None else _decode(data, path)


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ExportError(f"cannot read {path}: {_why(error)}") from None


def _read_data(path: Path) -> bytes | None:
    """The bytes of the regular file at ``path`` (not a symlink), or None when there is none.

    Raises:
        ExportError: it is a symlink, not a regular file, too large, or unreadable.
    """
    try:
        fd = os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ExportError(
                f"{path} is a symbolic link: the release manifest must be a regular file "
                "(hoquiz does not follow a link in a bank's folder)"
            ) from None
        raise ExportError(f"cannot read {path}: {_why(error)}") from None
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ExportError(f"{path} is not a regular file")
            data = handle.read(MAX_MANIFEST_BYTES + 1)
        if len(data) > MAX_MANIFEST_BYTES:
            raise ExportError(
                f"{path} is too large (the limit is {MAX_MANIFEST_BYTES // 1048576} MB)"
            )
        return data
    except OSError as error:
        raise ExportError(f"cannot read {path}: {_why(error)}") from None


def write_manifest(path: Path, manifest: Manifest) -> bool:
    """Write ``manifest`` atomically unless the file already says the same.

    Returns whether the file was written.

    Raises:
        ExportError: it cannot be written.
    """
    return write_manifest_text(path, manifest.to_text())


def write_manifest_text(path: Path, text: str) -> bool:
    """Write a manifest's text (:meth:`Manifest.to_text`) as :func:`write_manifest` does.

    Raises:
        ExportError: it cannot be written.
    """
    try:
        if _read_text(path) == text:
            return False
    except ExportError:
        pass
    try:
        atomic.write_atomically(path, text.encode("utf-8"))
    except OSError as error:
        raise ExportError(f"cannot write {path}: {_why(error)}") from None
    return True


def _why(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[:1].lower() + error.strerror[1:]
    if isinstance(error, KeyError):
        return f"missing {error.args[0]!r}"
    return str(error)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


def _kind(value: Any) -> QuestionKind:
    if value not in QUESTION_TYPES:
        raise TypeError(f"unknown question type {value!r}")
    return cast(QuestionKind, value)


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected a whole number, found {type(value).__name__}")
    return value


def _text_mapping(value: Any) -> dict[str, str]:
    """A JSON object of text keys and values, as a dict of its own."""
    mapping = _mapping(value)
    # The types checked in one pass in C (a manifest holds every note's
    # fields); only a wrong one is looked for key by key, for its message.
    if {*map(type, mapping), *map(type, mapping.values())} <= {str}:
        return dict(mapping)
    return {_text(k): _text(v) for k, v in mapping.items()}


def _items(value: Any, kind: type, check: Callable[[Any], Any]) -> tuple[Any, ...]:
    """A JSON list whose items are all exactly of ``kind`` (``check`` finds a wrong one)."""
    items = _list(value)
    if set(map(type, items)) <= {kind}:  # as _text_mapping; bool is not int here
        return tuple(items)
    return tuple(check(item) for item in items)


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, found {type(value).__name__}")
    return value


def _mapping(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, found {type(value).__name__}")
    return value
