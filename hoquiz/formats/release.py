"""What the next Anki export changes, against the release manifest: pure.

The exporter renders every note, then :func:`plan_release` compares each one
with what the manifest says was shipped last and decides its modification
time: the old time when nothing it renders to changed (Anki then reports it
as unchanged and leaves the learner's tags and edits alone), else a time
newer than both ``now`` and its old time. ``hoquiz diff`` shows the same
comparison. No I/O and no clock here: ``now`` is a parameter.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from hoquiz.formats.manifest import BankRecord, Manifest, NoteRecord, NoteTypeRecord
from hoquiz.model import QuestionKind


@dataclass(frozen=True, slots=True)
class Rendered:
    """One note exactly as the package will hold it (a question or a tombstone)."""

    key: str  # "bank/question", unique within a manifest
    bank: str
    guid: str
    type: QuestionKind
    deck: str
    fields: Mapping[str, str]
    tags: tuple[str, ...]
    cards: tuple[int, ...] = ()  # cloze numbers, withdrawn ones included
    withdrawn: bool = False
    namespace: str | None = None  # the bank folder's (part of ``guid`` already)
    # :attr:`digest` as it was computed when the note was rendered (the
    # rendered-note cache keeps it); None: computed from the note.
    known_digest: str | None = field(default=None, compare=False, repr=False)

    @property
    def digest(self) -> str:
        """A hash of everything an import writes into the learner's note."""
        if self.known_digest is not None:
            return self.known_digest
        return note_digest(self.guid, self.type, self.fields, self.tags)


def note_digest(guid: str, kind: str, fields: Mapping[str, str], tags: Sequence[str]) -> str:
    """:attr:`Rendered.digest` of a note with these values."""
    content = [guid, kind, list(fields.items()), list(tags)]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:16]


class Change(StrEnum):
    """How a note differs from the manifest (the order ``hoquiz diff`` lists them)."""

    NEW = "new"
    CHANGED = "changed"
    WITHDRAWN = "withdrawn"
    RETYPED = "retyped"
    MOVED = "moved"


@dataclass(frozen=True, slots=True)
class FieldChange:
    name: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class NoteChange:
    """One note the next import creates or updates (or, for ``moved``, only reports)."""

    change: Change
    key: str
    fields: tuple[FieldChange, ...] = ()
    old: str = ""  # old type (retyped) or deck (moved)
    new: str = ""

    @property
    def updates_anki(self) -> bool:
        """Whether Anki counts it as new or updated (a move alone is not)."""
        return self.change is not Change.MOVED


@dataclass(frozen=True, slots=True)
class Release:
    """The plan of one export: times per note key, what changed, the next manifest."""

    times: Mapping[str, int]
    note_type_times: Mapping[QuestionKind, int]
    changes: tuple[NoteChange, ...]
    note_types_changed: tuple[QuestionKind, ...]
    renamed_decks: tuple[tuple[str, str, str], ...]  # (bank id, old deck, new deck)
    manifest: Manifest = field(default_factory=Manifest)

    @property
    def updates(self) -> int:
        """How many notes Anki will report as new or updated."""
        return sum(1 for c in self.changes if c.updates_anki)


def plan_release(
    notes: Sequence[Rendered],
    note_type_hashes: Mapping[QuestionKind, str],
    banks: Mapping[str, BankRecord],
    previous: Manifest | None,
    *,
    now: int,
    first_times: Mapping[str, int],
    first_note_type_time: int,
) -> Release:
    """Times and changes for ``notes`` against the ``previous`` manifest.

    ``note_type_hashes`` are the hashes of the note types this export uses,
    ``banks`` the exported banks. Without a previous manifest every note
    takes ``first_times[bank id]`` and every note type
    ``first_note_type_time`` (the exporter's behaviour before manifests).
    Records of notes and banks not in this export are carried over as they are.
    """
    old = previous or Manifest()
    times: dict[str, int] = {}
    records: dict[str, NoteRecord] = dict(old.notes)
    changes: list[NoteChange] = []
    for note in notes:
        before = old.notes.get(note.key)
        digest = note.digest
        if previous is None:
            mod = first_times[note.bank]
        elif before is None:
            mod = now
            changes.append(NoteChange(Change.NEW, note.key))
        elif before.hash == digest:
            mod = before.mod
        else:
            mod = max(now, before.mod + 1)
            changes.append(_what_changed(before, note))
        if before is not None and before.deck != note.deck:
            changes.append(NoteChange(Change.MOVED, note.key, old=before.deck, new=note.deck))
        times[note.key] = mod
        records[note.key] = NoteRecord(
            guid=note.guid,
            type=note.type,
            deck=note.deck,
            hash=digest,
            mod=mod,
            fields=note.fields,  # a rendered note's own mapping, never changed after
            tags=note.tags,
            cards=note.cards,
            withdrawn=note.withdrawn,
        )

    type_times: dict[QuestionKind, int] = {}
    type_records: dict[QuestionKind, NoteTypeRecord] = dict(old.note_types)
    types_changed: list[QuestionKind] = []
    for kind, digest in sorted(note_type_hashes.items()):
        before_type = old.note_types.get(kind)
        if before_type is None:
            mod = first_note_type_time
        elif before_type.hash == digest:
            mod = before_type.mod
        else:
            mod = max(now, before_type.mod + 1)
            types_changed.append(kind)
        type_times[kind] = mod
        type_records[kind] = NoteTypeRecord(digest, mod)

    renamed = tuple(
        (bank_id, old.banks[bank_id].deck, record.deck)
        for bank_id, record in sorted(banks.items())
        if bank_id in old.banks and old.banks[bank_id].deck != record.deck
    )
    manifest = Manifest(
        notes=dict(sorted(records.items())),
        note_types=dict(sorted(type_records.items())),
        banks=dict(sorted({**old.banks, **banks}.items())),
    )
    order = list(Change)
    changes.sort(key=lambda c: (order.index(c.change), c.key))
    return Release(times, type_times, tuple(changes), tuple(types_changed), renamed, manifest)


def _what_changed(before: NoteRecord, note: Rendered) -> NoteChange:
    if note.withdrawn and not before.withdrawn:
        return NoteChange(Change.WITHDRAWN, note.key)
    if before.type != note.type:
        return NoteChange(Change.RETYPED, note.key, old=before.type, new=note.type)
    fields = tuple(
        FieldChange(name, before.fields.get(name, ""), value)
        for name, value in note.fields.items()
        if before.fields.get(name, "") != value
    )
    if before.tags != note.tags:
        fields += (FieldChange("Tags", " ".join(before.tags), " ".join(note.tags)),)
    return NoteChange(Change.CHANGED, note.key, fields)
