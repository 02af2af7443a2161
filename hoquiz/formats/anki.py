"""Banks -> an Anki package (``.apkg``) that updates in place on re-import.

genanki is imported here and nowhere else, and only inside functions, so
``hoquiz --help`` does not pay for it. The notes themselves (note types,
identities, field values) are :mod:`hoquiz.formats.anki_notes`'; this module
gathers the media and packs the notes.

Identity is the point of the export (see docs/anki-export.md):

* a note's GUID comes from ``(namespace, bank id, question id)`` only, never
  from the wording, so a re-exported bank updates the learner's notes and
  keeps their progress; banks without a namespace keep the GUIDs of hoquiz
  before namespaces;
* a deck's id comes from its namespace and bank id;
* each question type has one note type whose id is a fixed constant below.

Anki replaces an existing note on import only when the incoming note's
modification time is newer than its own. Which time each note gets is decided
against the folder's release manifest (:mod:`hoquiz.formats.anki_release`):
an unchanged note keeps the time it was last shipped with, a changed one gets
the time of this export. Without a manifest each bank's notes carry the newest
modification time of its files (the bank, its ``sources.yaml``, its images),
or ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar

from hoquiz import atomic
from hoquiz.banks import media
from hoquiz.banks.paths import find_sources_file
from hoquiz.collector import collector_paused
from hoquiz.errors import ExportError, os_error_text
from hoquiz.formats.anki_notes import (
    NOTE_TYPES,
    NOTE_TYPES_REVISED,
    NoteType,
    _h,
    deck_id,
    model_templates,
)
from hoquiz.formats.base import Exported
from hoquiz.model import (
    Bank,
    QuestionKind,
)

if TYPE_CHECKING:
    import genanki

    from hoquiz.formats.anki_release import ExportBank, ExportPlan
    from hoquiz.formats.release import Rendered


SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"

# Fixed zip entry time (the earliest a zip can hold): no wall clock in the file.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What an export wrote, for the one-line report."""

    path: Path
    decks: int
    notes: int
    cards: int
    media: int
    # Notes Anki will report as new or updated, when a manifest was used.
    updates: int | None = None
    warnings: tuple[str, ...] = ()
    manifests_written: tuple[Path, ...] = ()


def source_date_epoch(environ: Mapping[str, str]) -> int | None:
    """``SOURCE_DATE_EPOCH`` from ``environ``, if set.

    Raises:
        ExportError: it is set but is not a whole number of seconds.
    """
    value = environ.get(SOURCE_DATE_EPOCH, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ExportError(
            f"{SOURCE_DATE_EPOCH} must be a whole number of seconds since 1970, not {value!r}"
        )
    return int(value)


def bank_mtime(bank: Bank, images: Sequence[Path] | None = None) -> int:
    """The newest modification time (whole seconds) of the files a bank's cards show.

    ``images``: the images its exported questions show (default: every question's).
    """
    files: list[Path] = [bank.path]
    sources = find_sources_file(bank.path.parent)
    if sources is not None:
        files.append(sources)
    if images is None:
        images = [q.image for q in bank.questions if q.image is not None]
    files.extend(images)
    try:
        return max(int(f.stat().st_mtime) for f in files)
    except OSError as error:
        raise ExportError(f"cannot read {error.filename}: {os_error_text(error)}") from None


# -- media ------------------------------------------------------------------------


def media_name(data: bytes, suffix: str) -> str:
    """A media file name unique by content: ``hoquiz-<sha256 prefix><suffix>``."""
    ext = re.sub(r"[^a-z0-9.]", "", suffix.lower())
    return f"hoquiz-{hashlib.sha256(data).hexdigest()[:16]}{ext}"


def _collect_media(banks: Sequence[ExportBank]) -> tuple[dict[Path, str], dict[str, bytes]]:
    """Image path -> media name, and media name -> bytes (each content once)."""
    names: dict[Path, str] = {}
    files: dict[str, bytes] = {}
    for bank in banks:
        root: Path | None = None
        for path in bank.images:
            if path in names:
                continue
            if root is None:
                root = media.bank_folder(bank.bank.path)
            try:  # every check again, on the file as it is read now
                data = media.read_image(root, path)
            except media.ImageRefused as refused:
                raise ExportError(f"image {path} {refused}") from None
            name = media_name(data, path.suffix)
            names[path] = name
            files.setdefault(name, data)
    return names, files


# -- package ----------------------------------------------------------------------


def _genanki_model(kind: QuestionKind, note_type: NoteType) -> genanki.Model:
    import genanki

    front, back, css = model_templates(kind)
    return genanki.Model(
        note_type.model_id,
        note_type.name,
        fields=[{"name": name} for name in note_type.fields],
        templates=[{"name": "Card", "qfmt": front, "afmt": back}],
        css=css,
        model_type=genanki.Model.CLOZE if note_type.cloze else genanki.Model.FRONT_BACK,
    )


@dataclass(frozen=True, slots=True)
class Package:
    """An export in memory: the ``.apkg`` bytes and what they hold."""

    data: bytes
    decks: int
    notes: int
    cards: int
    media: int
    plan: ExportPlan


def build_package(
    banks: Sequence[Bank | ExportBank],
    *,
    source_date_epoch: int | None = None,
    progress: Callable[[int], None] | None = None,
    now: int | None = None,
    manifests: bool = False,
    complete: bool = True,
    cache_dir: Path | None = None,
) -> Package:
    """Build the ``.apkg`` for ``banks``; the same banks and manifests give the same bytes.

    With ``manifests`` each note's time comes from its folder's manifest (a
    changed or new note gets ``now``, or a second more than its old time);
    else each bank's notes carry ``source_date_epoch`` if given, else the
    newest modification time of that bank's files (see :func:`bank_mtime`).
    ``progress`` is called with the number of notes done since its last call.

    ``banks`` may be answered from the rendered-note cache
    (:mod:`hoquiz.formats.anki_note_cache`), and manifests from its stamps in
    ``cache_dir``: the bytes are the same.

    Raises:
        ExportError: an image, bank or manifest file cannot be read.
    """
    from hoquiz.formats.anki_release import export_banks

    chosen = export_banks(banks)
    with collector_paused():  # every note rendered, planned and packed: many objects
        media_files, plan = _plan(chosen, source_date_epoch, now, manifests, complete, cache_dir)
        data, notes, cards = _package_bytes(chosen, plan, media_files, progress, cache_dir)
    return Package(data, len(chosen), notes, cards, len(media_files), plan)


def export_plan(
    banks: Sequence[Bank | ExportBank],
    *,
    now: int,
    source_date_epoch: int | None = None,
    manifests: bool = True,
    complete: bool = True,
    cache_dir: Path | None = None,
) -> ExportPlan:
    """What exporting ``banks`` at time ``now`` would change, without writing anything.

    ``cache_dir``: as :func:`build_package`.

    Raises:
        ExportError: an image, bank or manifest file cannot be read.
    """
    from hoquiz.formats.anki_release import export_banks

    with collector_paused():
        chosen = export_banks(banks)
        return _plan(chosen, source_date_epoch, now, manifests, complete, cache_dir)[1]


def _plan(
    banks: Sequence[ExportBank],
    source_date_epoch: int | None,
    now: int | None,
    manifests: bool,
    complete: bool,
    cache_dir: Path | None,
) -> tuple[dict[str, bytes], ExportPlan]:
    from hoquiz.formats.anki_note_cache import manifest_reader
    from hoquiz.formats.anki_release import plan_export
    from hoquiz.formats.manifest import read_manifest_digest

    media, media_files = _collect_media(banks)
    first_times: dict[str, int] = {}

    def first_time(bank: ExportBank) -> int:
        if source_date_epoch is not None:
            return source_date_epoch
        if bank.bank.id not in first_times:
            first_times[bank.bank.id] = bank_mtime(bank.bank, bank.images)
        return first_times[bank.bank.id]

    plan = plan_export(
        banks,
        media,
        now=now if now is not None else (source_date_epoch or 0),
        first_time=first_time,
        manifests=manifests,
        complete=complete,
        read=read_manifest_digest if cache_dir is None else manifest_reader(cache_dir),
    )
    return media_files, plan


def _package_bytes(
    banks: Sequence[ExportBank],
    plan: ExportPlan,
    media_files: Mapping[str, bytes],
    progress: Callable[[int], None] | None,
    cache_dir: Path | None = None,
) -> tuple[bytes, int, int]:
    """The package's zip, its number of notes and of cards.

    With ``cache_dir``, the zip an earlier export made from the same inputs
    (see :func:`_package_key`) is used as it is: an unchanged re-export then
    never imports genanki nor writes a collection.
    """
    planned = plan.notes
    notes = len(planned)
    cards = sum(len(spec.cards) if spec.type == "cloze" else 1 for spec, _ in planned)

    def make() -> bytes:
        buffer = io.BytesIO()
        _write_zip(buffer, _collection(banks, plan, planned, progress), media_files)
        made.append(True)
        return buffer.getvalue()

    made: list[bool] = []
    if cache_dir is None:
        return make(), notes, cards
    from hoquiz.formats.anki_note_cache import cached_package

    where = "\0".join(sorted(str(b.bank.path) for b in banks))
    data = cached_package(cache_dir, where, _package_key(banks, plan, planned, media_files), make)
    if progress is not None and not made:
        progress(notes)
    return data, notes, cards


def _collection(
    banks: Sequence[ExportBank],
    plan: ExportPlan,
    planned: Sequence[tuple[Rendered, int]],
    progress: Callable[[int], None] | None,
) -> bytes:
    """The package's ``collection.anki2``, written by genanki."""
    import sqlite3

    import genanki

    newest = max((mod for _, mod in planned), default=NOTE_TYPES_REVISED)
    model_time = max(plan.note_type_times.values(), default=NOTE_TYPES_REVISED)
    models = {key: _genanki_model(key, nt) for key, nt in NOTE_TYPES.items()}
    decks: dict[str, genanki.Deck] = {}
    for bank in (b.bank for b in banks):
        decks.setdefault(
            bank.deck_name,
            genanki.Deck(
                deck_id(bank.id, bank.namespace), bank.deck_name, _h(bank.description or "")
            ),
        )

    # genanki's Package.write_to_file gives every note one time, leaves its
    # database in the system temp folder and stamps the zip with the wall
    # clock. So genanki writes into an in-memory database here (sqlite3 only
    # as genanki's storage), each note with its own time, and the zip
    # has fixed entry times.
    conn = sqlite3.connect(":memory:")
    try:
        cursor = conn.cursor()
        ids = itertools.count(newest * 1000)
        genanki.Package([]).write_to_db(cursor, model_time, ids)  # schema and collection row
        decks_json: dict[str, Any] = json.loads(
            cursor.execute("SELECT decks FROM col").fetchone()[0]
        )
        for deck in decks.values():
            decks_json[str(deck.deck_id)] = deck.to_json()
        used_models: dict[int, tuple[genanki.Model, int]] = {}
        pending = 0
        for written, (spec, mod) in enumerate(planned):
            model = models[spec.type]
            used_models[model.model_id] = (model, plan.note_type_times[spec.type])
            deck = decks.get(spec.deck)
            if deck is None:  # a tombstone of a bank no longer exported
                deck = genanki.Deck(deck_id(spec.bank, spec.namespace), spec.deck)
                decks[spec.deck] = deck
                decks_json[str(deck.deck_id)] = deck.to_json()
            note = genanki.Note(
                model=model,
                fields=list(spec.fields.values()),
                guid=spec.guid,
                tags=list(spec.tags),
                due=written,
            )
            note.write_to_db(cursor, mod, deck.deck_id, ids)
            pending += 1
            if progress is not None and pending >= 200:
                progress(pending)
                pending = 0
        first_deck = next(iter(decks.values())).deck_id if decks else 1
        models_json = {
            str(mid): model.to_json(mod, first_deck)
            for mid, (model, mod) in sorted(used_models.items())
        }
        cursor.execute(
            "UPDATE col SET decks = ?, models = ?",
            (json.dumps(decks_json, sort_keys=True), json.dumps(models_json, sort_keys=True)),
        )
        conn.commit()
        database = conn.serialize()
    finally:
        conn.close()
    if progress is not None and pending:
        progress(pending)
    return database


def _package_key(
    banks: Sequence[ExportBank],
    plan: ExportPlan,
    planned: Sequence[tuple[Rendered, int]],
    media_files: Mapping[str, bytes],
) -> str:
    """A SHA-256 of everything the package's bytes are made from, and of what makes them.

    Made from: each note in order, by its digest (its guid, type, fields and
    tags: what genanki writes of it), deck, bank, folder and time; the decks
    of the banks; the note types' times; the media, byte for byte; and the
    code that writes the package besides hoquiz's own (in the cache entry's
    key): Python, SQLite and zlib's versions, and genanki's and chevron's
    module files by size and modification time, so that an upgrade of
    either is a miss. Found without importing genanki.
    """
    import sqlite3
    import sys
    import zlib

    digest = hashlib.sha256(
        repr(
            (sys.version, sqlite3.sqlite_version, zlib.ZLIB_RUNTIME_VERSION, _writer_files())
        ).encode()
    )
    decks = [
        (b.bank.deck_name, deck_id(b.bank.id, b.bank.namespace), b.bank.description) for b in banks
    ]
    digest.update(repr((decks, sorted(plan.note_type_times.items()))).encode())
    for spec, mod in planned:
        digest.update(repr((spec.digest, spec.deck, spec.bank, spec.namespace, mod)).encode())
    for name, data in sorted(media_files.items()):
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _writer_files() -> list[tuple[str, int, int]]:
    """The module files of genanki and chevron (its templates), by path, size and time."""
    import importlib.util

    stamps: list[tuple[str, int, int]] = []
    for package in ("genanki", "chevron"):
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            stamps.append((package, -1, -1))
            continue
        for path in sorted(Path(spec.origin).parent.glob("*.py")):
            stat = path.stat()
            stamps.append((str(path), stat.st_size, stat.st_mtime_ns))
    return stamps


def _write_zip(out: BinaryIO, database: bytes, media_files: Mapping[str, bytes]) -> None:
    names = sorted(media_files)
    entries: list[tuple[str, bytes]] = [
        ("collection.anki2", database),
        ("media", json.dumps({str(i): n for i, n in enumerate(names)}, sort_keys=True).encode()),
        *((str(i), media_files[n]) for i, n in enumerate(names)),
    ]
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # the same bytes whichever system writes them
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data)


# -- writing ----------------------------------------------------------------------


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    On any failure an existing file at ``path`` is left as it was and no
    temporary file remains.

    Raises:
        ExportError: the folder is missing, ``path`` is a folder, or writing failed.
    """
    folder = path.parent
    if not folder.is_dir():
        problem = (
            f"{folder} is not a folder" if folder.exists() else f"folder {folder} does not exist"
        )
        raise ExportError(f"cannot write {path}: {problem}")
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder")
    # A device, FIFO or socket is never replaced by a file (`-o /dev/null` as root
    # would otherwise swap the device node for a regular file). A symlink is
    # replaced itself, never written through: the file it names stays as it was.
    if path.exists() and not path.is_symlink() and not path.is_file():
        raise ExportError(
            f"cannot write {path}: it is not a regular file (use -o - for standard output)"
        )
    try:
        atomic.write_atomically(path, data)
    except OSError as error:
        raise ExportError(f"cannot write {path}: {os_error_text(error)}") from None


def export_apkg(
    banks: Sequence[Bank | ExportBank],
    output: Path,
    *,
    source_date_epoch: int | None = None,
    progress: Callable[[int], None] | None = None,
    now: int | None = None,
    manifests: bool = True,
    complete: bool = True,
    cache_dir: Path | None = None,
) -> ExportSummary:
    """Export ``banks`` to the Anki package ``output``, then update their manifests.

    Both are written atomically, the package first. ``now`` is the time a
    changed note gets (``SOURCE_DATE_EPOCH`` if given, else the clock).
    ``manifests=False`` neither reads nor writes a manifest; ``complete=False``
    (an export narrowed by ``--bank`` or ``--tag``) withdraws no question.
    With a ``cache_dir`` manifests are read from the stamps the cache keeps
    of them, and one that already says what it would be rewritten with is
    known as such without writing out its text
    (:func:`hoquiz.formats.anki_note_cache.manifest_unchanged`).

    Raises:
        ExportError: a file cannot be written, or a bank's file cannot be read.
    """
    import time

    from hoquiz.formats.anki_note_cache import manifest_unchanged, remember_manifest
    from hoquiz.formats.manifest import write_manifest_text

    if now is None:
        now = source_date_epoch if source_date_epoch is not None else int(time.time())
    package = build_package(
        banks,
        source_date_epoch=source_date_epoch,
        progress=progress,
        now=now,
        manifests=manifests,
        complete=complete,
        cache_dir=cache_dir,
    )
    write_atomically(output, package.data)
    written: list[Path] = []
    if manifests:
        with collector_paused():  # a manifest's text and stamp: many objects
            for folder in package.plan.folders:
                if cache_dir is not None and manifest_unchanged(cache_dir, folder):
                    continue
                manifest = folder.release.manifest
                text = manifest.to_text()
                if write_manifest_text(folder.manifest_path, text):
                    written.append(folder.manifest_path)
                if cache_dir is not None:
                    remember_manifest(cache_dir, folder.manifest_path, manifest, text)
    updates = sum(f.release.updates for f in package.plan.folders if f.previous is not None)
    used = any(f.previous is not None for f in package.plan.folders)
    return ExportSummary(
        output,
        package.decks,
        package.notes,
        package.cards,
        package.media,
        updates if used else None,
        tuple(package.plan.warnings),
        tuple(written),
    )


class AnkiExporter:
    """The Anki package behind the common :class:`~hoquiz.formats.base.Exporter` interface.

    Unlike the text formats it reads files besides the banks' data: their
    images (which it packs) and their modification times (the notes' times,
    unless ``source_date_epoch`` is given). It neither reads nor writes a release
    manifest: that is :func:`export_apkg`'s job.
    """

    name: ClassVar[str] = "anki"
    suffix: ClassVar[str] = ".apkg"

    def __init__(self, *, source_date_epoch: int | None = None) -> None:
        self.source_date_epoch = source_date_epoch

    def export(self, banks: Sequence[Bank]) -> Exported:
        package = build_package(banks, source_date_epoch=self.source_date_epoch)
        return Exported(package.data, package.notes)
