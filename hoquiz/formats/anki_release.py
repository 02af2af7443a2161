"""An Anki export planned against each bank folder's release manifest.

Banks are grouped by the folder of the ``sources.yaml`` they use; each folder
has its own manifest (``hoquiz-manifest.json`` beside that file). For each
folder this module renders the notes (questions, plus a tombstone for every
question withdrawn since the manifest was written, plus a withdrawn card for
every cloze number that disappeared) and asks :mod:`hoquiz.formats.release`
which time each note gets. The exporter writes the package from the plan, then
the manifests; ``hoquiz diff`` prints the plan's changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from hoquiz.banks.paths import find_sources_file
from hoquiz.formats import anki_notes
from hoquiz.formats.manifest import (
    BankRecord,
    Manifest,
    NoteRecord,
    manifest_path,
    read_manifest_digest,
)
from hoquiz.formats.release import Change, Release, Rendered, note_digest, plan_release
from hoquiz.model import AnyQuestion, Bank, Cloze, QuestionKind

WITHDRAWN_TAG = "hoquiz::withdrawn"
# A sibling of WITHDRAWN_TAG, not a child: Anki's `tag:hoquiz::withdrawn`
# also matches child tags, and a note with one withdrawn cloze card is not
# withdrawn as a whole.
WITHDRAWN_CARD_TAG = "hoquiz::withdrawn-card"


class ExportBank(Protocol):
    """A bank as the Anki export reads it: loaded (:class:`LoadedBank`), or answered from
    the rendered-note cache (:mod:`hoquiz.formats.anki_note_cache`)."""

    @property
    def bank(self) -> Bank:
        """The bank's own fields (its questions may be left out)."""
        ...

    @property
    def question_ids(self) -> Sequence[str]:
        """The ids of the questions exported, in bank order."""
        ...

    @property
    def images(self) -> Sequence[Path]:
        """The images those questions show, each once, in the order questions name them."""
        ...

    def notes(self, media: Mapping[Path, str]) -> Sequence[Rendered]:
        """Their notes as :func:`render_notes` makes them, ``media`` naming :attr:`images`."""
        ...


@dataclass(frozen=True, slots=True)
class LoadedBank:
    """A loaded bank, every question rendered when asked."""

    bank: Bank

    @property
    def question_ids(self) -> list[str]:
        return [q.id for q in self.bank.questions]

    @property
    def images(self) -> list[Path]:
        return images_of(self.bank.questions)

    def notes(self, media: Mapping[Path, str]) -> list[Rendered]:
        return render_notes(self.bank, self.bank.questions, media)


def images_of(questions: Sequence[AnyQuestion]) -> list[Path]:
    """The images ``questions`` show, each once, in order."""
    return list(dict.fromkeys(q.image for q in questions if q.image is not None))


def export_banks(banks: Sequence[Bank | ExportBank]) -> list[ExportBank]:
    """Loaded banks as :class:`ExportBank` (others as they are)."""
    return [LoadedBank(b) if isinstance(b, Bank) else b for b in banks]


@dataclass(frozen=True, slots=True)
class FolderPlan:
    """One bank folder: its manifest file, what the manifest said, the plan."""

    folder: Path
    manifest_path: Path
    previous: Manifest | None
    release: Release
    notes: tuple[Rendered, ...]
    # The SHA-256 of the manifest file's bytes as read (None: no manifest read).
    previous_digest: str | None = None


@dataclass(frozen=True, slots=True)
class ExportPlan:
    """Every note of an export with its time, and each folder's plan."""

    folders: tuple[FolderPlan, ...]
    note_type_times: Mapping[QuestionKind, int]

    @property
    def notes(self) -> list[tuple[Rendered, int]]:
        return [(n, f.release.times[n.key]) for f in self.folders for n in f.notes]

    @property
    def warnings(self) -> list[str]:
        """What a learner must do for this update, said once per cause."""
        out: list[str] = []
        for plan in self.folders:
            retyped = [c for c in plan.release.changes if c.change is Change.RETYPED]
            for change in retyped:
                out.append(
                    f"{change.key} changed type from {change.old} to {change.new}: learners "
                    "must tick 'Merge note types' in Anki's import dialog, or Anki skips "
                    "this note as conflicting"
                )
            for bank_id, old, new in plan.release.renamed_decks:
                out.append(
                    f"bank {bank_id} moved from deck '{old}' to '{new}': Anki leaves the "
                    f"cards learners have in '{old}'; they move them with Browse, search "
                    f'"deck:{old}", Cards > Change Deck'
                )
        return out


def bank_folder(bank: Bank) -> Path:
    """The folder whose sources.yaml (and manifest) a bank uses."""
    sources = find_sources_file(bank.path.parent)
    return (sources.parent if sources is not None else bank.path.parent).resolve()


def note_type_hash(kind: QuestionKind) -> str:
    """A hash of what hoquiz writes for a note type: name, fields, templates, CSS."""
    nt = anki_notes.NOTE_TYPES[kind]
    content = [nt.model_id, nt.name, list(nt.fields), nt.cloze, *anki_notes.model_templates(kind)]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:16]


def plan_export(
    banks: Sequence[ExportBank],
    media: Mapping[Path, str],
    *,
    now: int,
    first_time: Callable[[ExportBank], int],
    manifests: bool,
    complete: bool,
    read: Callable[[Path], tuple[Manifest | None, str | None]] = read_manifest_digest,
) -> ExportPlan:
    """Plan the export of ``banks`` (images already named in ``media``).

    With ``manifests`` each folder's manifest is read; without one (or with
    ``manifests=False``) every note takes ``first_time(bank)``. ``read`` reads
    a manifest and the SHA-256 of its file. Withdrawn
    questions become tombstones only when the export is ``complete`` (no
    ``--bank`` or ``--tag`` narrowed it), so a narrowed export withdraws nothing.

    Raises:
        ExportError: a manifest cannot be read.
    """
    groups: dict[Path, list[ExportBank]] = {}
    for bank in banks:
        groups.setdefault(bank_folder(bank.bank), []).append(bank)
    folders: list[FolderPlan] = []
    type_times: dict[QuestionKind, int] = {}
    for folder, members in groups.items():
        path = manifest_path(folder)
        previous, digest = read(path) if manifests else (None, None)
        notes = [_against(note, previous) for b in members for note in b.notes(media)]
        if previous is not None and complete:
            notes.extend(_tombstones(folder, members, previous))
        release = plan_release(
            notes,
            {kind: note_type_hash(kind) for kind in sorted({n.type for n in notes})},
            {
                b.bank.id: BankRecord(_relative(b.bank.path, folder), b.bank.deck_name)
                for b in members
            },
            previous,
            now=now,
            first_times={b.bank.id: first_time(b) for b in members},
            first_note_type_time=anki_notes.NOTE_TYPES_REVISED,
        )
        for kind, mod in release.note_type_times.items():
            type_times[kind] = max(mod, type_times.get(kind, mod))
        folders.append(FolderPlan(folder, path, previous, release, tuple(notes), digest))
    return ExportPlan(tuple(folders), type_times)


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.resolve().relative_to(folder).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def render_notes(
    bank: Bank, questions: Sequence[AnyQuestion], media: Mapping[Path, str]
) -> list[Rendered]:
    """The notes of ``questions`` of ``bank`` as they render without a manifest.

    What a manifest adds (the withdrawn cards of a cloze note) is added by
    :func:`plan_export`; these notes depend only on the bank, its
    ``sources.yaml`` and the media names of its images, and can be cached.
    """
    out: list[Rendered] = []
    for question in questions:
        image = media.get(question.image) if question.image is not None else None
        names = anki_notes.NOTE_TYPES[question.type].fields
        fields = dict(zip(names, anki_notes.note_fields(bank, question, image), strict=True))
        guid = anki_notes.note_guid(bank.id, question.id, bank.namespace)
        tags = anki_notes.anki_tags(bank, question)
        out.append(
            Rendered(
                key=f"{bank.id}/{question.id}",
                bank=bank.id,
                guid=guid,
                type=question.type,
                deck=bank.deck_name,
                fields=fields,
                tags=tags,
                cards=tuple(sorted(question.numbers)) if isinstance(question, Cloze) else (),
                namespace=bank.namespace,
                known_digest=note_digest(guid, question.type, fields, tags),
            )
        )
    return out


def _against(note: Rendered, previous: Manifest | None) -> Rendered:
    """``note`` with a withdrawn card for every cloze number shipped before and gone now."""
    if note.type != "cloze" or previous is None:
        return note
    before = previous.notes.get(note.key)
    if before is None or before.type != note.type:
        return note
    numbers = set(note.cards)
    shipped = set(before.cards)
    if shipped <= numbers:
        return note
    gone = sorted(shipped - numbers)
    fields = dict(note.fields)
    fields["Text"] += "".join(_withdrawn_cloze(n) for n in gone)
    return dataclasses.replace(
        note,
        fields=fields,
        tags=note.tags + tuple(f"{WITHDRAWN_CARD_TAG}::c{n}" for n in gone),
        cards=tuple(sorted(shipped | numbers)),
        known_digest=None,  # the fields changed
    )


def _withdrawn_cloze(number: int) -> str:
    notice = f"Card {number} of this note was withdrawn: {{{{c{number}::withdrawn}}}}"
    return f'<div class="withdrawn">{notice}</div>'


def _tombstones(folder: Path, members: Sequence[ExportBank], previous: Manifest) -> list[Rendered]:
    """A withdrawn note for every question the manifest has and the banks no longer do."""
    present = {b.bank.id: set(b.question_ids) for b in members}
    loaded_files = {_relative(b.bank.path, folder) for b in members}
    out: list[Rendered] = []
    for key, record in previous.notes.items():
        bank_id, _, question_id = key.partition("/")
        if bank_id in present:
            if question_id in present[bank_id]:
                continue
        else:
            shipped = previous.banks.get(bank_id)
            still_there = shipped is not None and (
                shipped.file not in loaded_files and (folder / shipped.file).is_file()
            )
            if still_there:  # a bank file this export did not include
                continue
        out.append(_tombstone(key, bank_id, record, members[0].bank.namespace))
    return out


def _tombstone(key: str, bank_id: str, record: NoteRecord, namespace: str | None) -> Rendered:
    """The withdrawn note: built from the record's identity only, never its stored HTML.

    The manifest is a file of the bank folder, so nothing it holds reaches a
    card unescaped; and a tombstone renders the same at every export.
    """
    names = anki_notes.NOTE_TYPES[record.type].fields
    fields = dict.fromkeys(names, "")
    ref = html.escape(key, quote=False)
    notice = (
        f'<div class="withdrawn">Withdrawn: {ref} was removed from its bank. '
        f"Delete or suspend this note (Anki search: tag:{WITHDRAWN_TAG}).</div>"
    )
    if record.type == "cloze":
        numbers = record.cards or (1,)
        notice += " ".join(f"{{{{c{n}::withdrawn}}}}" for n in numbers)
    fields[names[0]] = notice
    fields["Ref"] = ref
    tags = (anki_notes.bank_tag(re.sub(r"\s+", "_", bank_id)), WITHDRAWN_TAG)
    return Rendered(
        key=key,
        bank=bank_id,
        guid=record.guid,
        type=record.type,
        deck=record.deck,
        fields=fields,
        tags=tags,
        cards=record.cards,
        withdrawn=True,
        namespace=namespace,
    )
