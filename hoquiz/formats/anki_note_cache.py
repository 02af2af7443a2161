"""A cache of each bank's rendered Anki notes, beside the bank cache's entries.

An Anki export of unchanged banks then parses, validates and renders
nothing: each bank comes from the bank cache's index
(:func:`hoquiz.banks.cache.load_index`, no question decoded) and its notes
from this cache. One entry per bank file, ``notes-<name>.json`` beside the
bank's own entry, holds what :func:`hoquiz.formats.anki_release.render_notes`
made of the whole bank: per question its GUID, type, field values, tags and
cloze numbers, and the images it shows with the media name each had.

An entry is keyed on the bank entry's key (a SHA-256 of the bank file's
bytes, its ``sources.yaml``'s, its name and hoquiz's code: an edit or an
upgrade is a miss); the media names are checked against those of the images
as read for this export (a media name comes from an image's bytes), so an
image changed in place re-renders its bank. What a release manifest adds
(the withdrawn cards of a cloze note) is added after the cache, at each
export. An entry is JSON whose body is checked against the SHA-256 in its
header line before use, and then field by field: anything damaged, crafted
or truncated is a miss, and the bank is rendered from its questions and its
entry rewritten (atomically). An export narrowed by ``--tag`` reads entries
but writes none.

Two more kinds of entry serve what an unchanged export would otherwise
redo: a stamp per release manifest (:func:`manifest_reader`,
:func:`manifest_unchanged`) and the package's zip (:func:`cached_package`).
Neither changes a byte of what is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import hoquiz
from hoquiz.banks.cache import (
    BankIndex,
    Questions,
    code_digest,
    load_index,
    materialize,
    read_checked,
    select_index,
    write_checked,
)
from hoquiz.formats.anki_notes import NOTE_TYPES
from hoquiz.formats.anki_release import ExportBank, images_of, render_notes
from hoquiz.formats.manifest import (
    Manifest,
    NoteRecord,
    manifest_from_data,
    manifest_from_summary,
    manifest_summary,
    read_manifest_data,
)
from hoquiz.formats.release import Rendered
from hoquiz.model import AnyQuestion, Bank, QuestionKind

if TYPE_CHECKING:
    from hoquiz.formats.anki_release import FolderPlan

NOTES_FORMAT = 3
MANIFEST_STAMP_FORMAT = 3
PACKAGE_FORMAT = 2

_FIELDS: dict[str, tuple[QuestionKind, tuple[str, ...]]] = {
    kind: (kind, note_type.fields) for kind, note_type in NOTE_TYPES.items()
}


def load_export_banks(
    paths: Sequence[Path],
    cache_dir: Path | None,
    bank_ids: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> list[ExportBank]:
    """The banks under ``paths`` narrowed to ``bank_ids`` and ``tags``, for an Anki export,
    through the bank cache and this one in ``cache_dir`` (``None``: neither).

    Raises:
        BankError, UsageError: as :func:`hoquiz.banks.loader.load_banks` and
            :func:`hoquiz.banks.loader.select_banks`.
    """
    from hoquiz.collector import collector_paused

    with collector_paused():  # the index: many objects, kept for the export
        index = load_index(paths, cache_dir)
        return cached_banks(index, bank_ids, tags)


def cached_banks(
    index: BankIndex, bank_ids: Sequence[str] = (), tags: Sequence[str] = ()
) -> list[ExportBank]:
    """The banks of ``index`` narrowed to ``bank_ids`` and ``tags``, notes from the cache.

    Raises:
        UsageError: as :func:`hoquiz.banks.loader.select_banks`.
    """
    chosen = select_index(index, bank_ids, tags) if bank_ids or tags else index
    whole = {bank.id: rows for bank, rows in index}
    out: list[ExportBank] = []
    for bank, rows in chosen:
        full = whole[bank.id]
        if rows is full or len(rows) == len(full):  # a subset keeps the order
            out.append(CachedBank(bank, full, None))
        else:
            wanted = set(rows.ids)
            out.append(CachedBank(bank, full, [i for i, q in enumerate(full.ids) if q in wanted]))
    return out


class _Stored:
    """A decoded entry: every note of the bank, its images by row, their media names."""

    __slots__ = ("images", "media", "notes")

    def __init__(
        self, notes: list[Rendered], images: dict[int, Path], media: dict[Path, str]
    ) -> None:
        self.notes = notes
        self.images = images
        self.media = media


class CachedBank:
    """A bank of the bank index whose notes come from its entry when it is valid.

    The entry is read when the export first asks for the bank's images; on a
    miss the questions are decoded from the bank cache and rendered.
    """

    __slots__ = ("_chosen", "_questions", "_read", "_rows", "_stored", "bank")

    def __init__(self, bank: Bank, rows: Questions, chosen: list[int] | None) -> None:
        self.bank = bank
        self._rows = rows
        self._chosen = chosen  # the rows exported (None: all of them)
        self._read = False
        self._stored: _Stored | None = None
        self._questions: list[AnyQuestion] | None = None

    @property
    def question_ids(self) -> list[str]:
        ids = self._rows.ids
        return ids if self._chosen is None else [ids[i] for i in self._chosen]

    def _positions(self) -> Sequence[int]:
        return range(len(self._rows)) if self._chosen is None else self._chosen

    def _entry(self) -> _Stored | None:
        if not self._read:
            self._read = True
            place = _place(self._rows)
            body = read_checked(*place) if place is not None else None
            self._stored = _decode(body, self.bank, self._rows) if body is not None else None
        return self._stored

    def _loaded(self) -> list[AnyQuestion]:
        if self._questions is None:
            rows = self._rows
            self._questions = [materialize(rows.bodies[i], rows.ids[i]) for i in self._positions()]
        return self._questions

    @property
    def images(self) -> list[Path]:
        stored = self._entry()
        if stored is None:
            return images_of(self._loaded())
        return list(
            dict.fromkeys(stored.images[i] for i in self._positions() if i in stored.images)
        )

    def notes(self, media: Mapping[Path, str]) -> list[Rendered]:
        stored = self._entry()
        if stored is not None and all(
            media.get(path) == stored.media[path] for path in self.images
        ):
            if self._chosen is None:
                return stored.notes
            return [stored.notes[i] for i in self._chosen]
        notes = render_notes(self.bank, self._loaded(), media)
        place = _place(self._rows)
        if self._chosen is None and place is not None:
            write_checked(place[0], {"key": place[1]}, _encode(notes, self._loaded(), media))
        return notes


def _place(rows: Questions) -> tuple[Path, str] | None:
    """Where a bank's entry lives and its key, beside the bank cache's entry."""
    if rows.entry is None:
        return None
    entry, key = rows.entry
    name = entry.name.removeprefix("bank-")
    return entry.with_name(f"notes-{name}"), f"{NOTES_FORMAT}:{key}"


def _encode(
    notes: Sequence[Rendered], questions: Sequence[AnyQuestion], media: Mapping[Path, str]
) -> bytes:
    """An entry's body: the notes column by column (see :func:`_decode`)."""
    images = [[i, str(q.image)] for i, q in enumerate(questions) if q.image is not None]
    names = {str(path): media[path] for path in images_of(questions) if path in media}
    data = {
        "ids": [q.id for q in questions],
        "kinds": [n.type for n in notes],
        "guids": [n.guid for n in notes],
        "values": [value for n in notes for value in n.fields.values()],
        "tags": [list(n.tags) for n in notes],
        "cards": [list(n.cards) for n in notes],
        "digests": [n.digest for n in notes],
        "images": images,
        "media": names,
    }
    return json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogateescape")


def _decode(body: bytes, bank: Bank, rows: Questions) -> _Stored | None:
    """The entry's notes, or ``None`` if anything in it is not what :func:`_encode` writes.

    The body holds the notes column by column, every note's field values in
    one list: each column is checked whole, at C speed.
    """
    try:
        data: Any = json.loads(body)
        ids = rows.ids
        kinds, guids, values = data["kinds"], data["guids"], data["values"]
        tags, cards, digests = data["tags"], data["cards"], data["digests"]
        if (
            data["ids"] != ids
            or kinds != rows.kinds
            or not len(guids) == len(tags) == len(cards) == len(digests) == len(ids)
            or type(values) is not list
            or sum(len(_FIELDS[kind][1]) for kind in kinds) != len(values)
            or not {*map(type, guids), *map(type, digests), *map(type, values)} <= {str}
            or not {*map(type, tags), *map(type, cards)} <= {list}
            or not set(map(type, itertools.chain.from_iterable(tags))) <= {str}
            or not set(map(type, itertools.chain.from_iterable(cards))) <= {int}
        ):
            return None
        prefix, bank_id = bank.id + "/", bank.id
        deck, namespace = bank.deck_name, bank.namespace
        notes: list[Rendered] = []
        at = 0
        for question_id, kind, guid, note_tags, numbers, digest in zip(
            ids, kinds, guids, tags, cards, digests, strict=True
        ):
            known, names = _FIELDS[kind]
            end = at + len(names)
            fields = dict(zip(names, values[at:end], strict=True))
            at = end
            notes.append(
                Rendered(
                    prefix + question_id,
                    bank_id,
                    guid,
                    known,
                    deck,
                    fields,
                    tuple(note_tags),
                    tuple(numbers),
                    False,
                    namespace,
                    digest,
                )
            )
        images: dict[int, Path] = {}
        for position, path in data["images"]:
            if type(position) is not int or not 0 <= position < len(ids) or type(path) is not str:
                return None
            images[position] = Path(path)
        media = data["media"]
        if not isinstance(media, dict) or not set(map(type, media.values())) <= {str}:
            return None
        names_of = {Path(path): cast(str, name) for path, name in media.items()}
        if set(names_of) != set(images.values()):
            return None
    except Exception:  # any unreadable entry is a miss
        return None
    return _Stored(notes, images, names_of)


# -- packages ---------------------------------------------------------------------


def cached_package(cache_dir: Path, where: str, key: str, make: Callable[[], bytes]) -> bytes:
    """The zip of a package: ``make()``, or its bytes kept from an export that made it
    from the same inputs (``key``: a SHA-256 of the notes, decks and media it packs, and
    of the code outside hoquiz that writes them; see ``hoquiz.formats.anki``). One entry
    per set of bank files, named by ``where``; writing the collection with genanki and
    compressing it are most of what an unchanged export would cost.
    """
    name = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    entry = cache_dir / f"package-{name}.zip"
    full_key = repr((PACKAGE_FORMAT, hoquiz.__version__, code_digest(), key))
    found = read_checked(entry, full_key)
    if found is not None:
        return found
    data = make()
    write_checked(entry, {"key": full_key}, data)
    return data


# -- release manifests ------------------------------------------------------------
#
# A stamp per manifest file: the SHA-256 of the text an export last wrote to it
# (or found it already held), and the manifest's records without their field
# values (:func:`~hoquiz.formats.manifest.manifest_summary`). A manifest file
# with that SHA-256 is one this hoquiz wrote: it is read from the stamp (its
# field values parsed from the file only if a note changed), and left alone
# when the export would write it with the same records.


def manifest_reader(cache_dir: Path) -> Callable[[Path], tuple[Manifest | None, str | None]]:
    """:func:`~hoquiz.formats.manifest.read_manifest_digest`, answered from the stamps."""

    def read(path: Path) -> tuple[Manifest | None, str | None]:
        data = read_manifest_data(path)
        if data is None:
            return None, None
        digest = hashlib.sha256(data).hexdigest()
        stamp = read_checked(*_stamp(cache_dir, path))
        if stamp is not None and stamp[:65] == digest.encode() + b"\n":
            with contextlib.suppress(Exception):  # a damaged stamp: the file instead
                return manifest_from_summary(stamp[65:], data, path), digest
        return manifest_from_data(data, path), digest

    return read


def manifest_unchanged(cache_dir: Path, folder: FolderPlan) -> bool:
    """Whether ``folder``'s manifest file already holds the text the export would write.

    True when the file read is one this hoquiz wrote (its SHA-256 is the one
    the stamp records, for this code) and the manifest planned has the same
    records: the same hash of each note's fields (the file's hashes are of
    its own fields, as it was written by hoquiz). :meth:`Manifest.to_text`
    is a function of the records, so its text is the file's.
    """
    previous, new = folder.previous, folder.release.manifest
    if previous is None or folder.previous_digest is None:
        return False
    stamp = read_checked(*_stamp(cache_dir, folder.manifest_path))
    if stamp is None or stamp[:65] != folder.previous_digest.encode() + b"\n":
        return False
    return (
        new.note_types == previous.note_types
        and new.banks == previous.banks
        and new.notes.keys() == previous.notes.keys()
        and all(_same(record, previous.notes[key]) for key, record in new.notes.items())
    )


def _same(a: NoteRecord, b: NoteRecord) -> bool:
    """The same record, the field values compared by their hash."""
    return a is b or (
        (a.guid, a.type, a.deck, a.hash, a.mod, a.tags, a.cards, a.withdrawn)
        == (b.guid, b.type, b.deck, b.hash, b.mod, b.tags, b.cards, b.withdrawn)
    )


def remember_manifest(cache_dir: Path, path: Path, manifest: Manifest, text: str) -> None:
    """Record that the manifest file at ``path`` holds ``text``, ``manifest``'s text."""
    entry, key = _stamp(cache_dir, path)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    write_checked(entry, {"key": key}, digest.encode() + b"\n" + manifest_summary(manifest))


def _stamp(cache_dir: Path, path: Path) -> tuple[Path, str]:
    where = str(path).encode("utf-8", "surrogateescape")
    name = hashlib.sha256(where).hexdigest()[:32]
    code = repr((MANIFEST_STAMP_FORMAT, hoquiz.__version__, code_digest()))
    return cache_dir / f"manifest-{name}.json", f"{path}\0{code}"
