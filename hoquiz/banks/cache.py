"""A cache of compiled banks, one entry per bank file, so that unchanged YAML is not parsed again.

An entry is keyed on a SHA-256 of the bank file's bytes and of the
``sources.yaml`` it uses, the path it was named by (and the working
directory, for a relative one) and a digest of hoquiz's own code
(:func:`code_digest`);
images the bank names are checked by path, modification time and size.
Editing one bank of a hundred re-parses that bank only; a content hash
notices any edit, even one that restores the size and modification time.
A file's SHA-256 is recorded in the entry with the file's stat stamp
(device, inode, size, modification and change times) and reused while the
stamp is unchanged: an edit always moves the change time, which no program
can set back, and a file changed within two seconds of being hashed is
hashed again next time (timestamps have a granularity).

Entries are JSON, never pickle: reading one cannot run code. The index
line and the question lines of an entry each carry their own CRC-32 in
the header line, checked before they are used, so a changed byte or a
truncated file is a miss, never wrong text. (A checksum only guards
against damage: whoever can write an entry can write any checksum, so a
crafted index is refused by what its columns must hold, and a question
line decodes to the model's classes only. An unchanged start thus loads
no hash library.) Any miss is rebuilt from the
YAML by :func:`hoquiz.banks.loader.load_bank_file` and rewritten
atomically; damaged question lines, found when a question is first shown,
are replaced by the bank's YAML and the entry is removed. When a miss has
problems, or the banks clash (the same bank id twice),
:func:`hoquiz.banks.loader.load_banks` loads them all and reports every
problem as usual; errors are never cached.

An entry is an *index*: the bank's fields without questions, and per
question, column by column, the little that queue building and selection
need (id, type, revision, tags, card numbers), with the bank's card keys
sorted as one text. It is kept as columns (:class:`Questions`), each
decoded and checked whole at C speed: a start reads no question one by
one. The question lines are read (and checked) for a bank only when one of
its questions is shown (:func:`materialize`, :class:`Pending`).

The cache-hit path never imports the loader (and so PyYAML): it finds bank
and sources files with :mod:`hoquiz.banks.paths`, the loader's own rules.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sys
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple, overload

import hoquiz
from hoquiz.atomic import write_atomically
from hoquiz.banks.paths import bundled_decks_dir, discover, discover_resolved, find_sources_file
from hoquiz.errors import UsageError
from hoquiz.model import (
    QUESTION_CLASSES,
    QUESTION_TYPES,
    AnyQuestion,
    Bank,
    Choice,
    ClozeDeletion,
    Source,
    SourceRef,
    card_key,
)

CACHE_FORMAT = 7

FileStamp = tuple[str, int, int]  # resolved path, mtime_ns, size (-1, -1: missing)
QuestionRow = tuple[str, str, int, tuple[str, ...], tuple[int | None, ...], "AnyQuestion | Pending"]
"""(id, type, revision, tags, card numbers, the question or where its entry keeps it)."""

# The only classes an entry may name: plain data of the model.
_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (*QUESTION_CLASSES, SourceRef, Choice, ClozeDeletion, Source, Bank)
}


class _Damaged(Exception):
    """An entry that does not decode to what was written."""


class _Written(NamedTuple):
    """Columns of an index line as the entry holds them, checked whole, decoded at first use."""

    ids: str  # separated by spaces
    kinds: str  # one character per question
    tags: str  # one character per question: its set of tags in tag_sets
    tag_sets: dict[str, tuple[str, ...]]
    numbers: list[tuple[tuple[int, ...], list[int]]]  # cloze numbers, the rows that have them


class Questions(Sequence[QuestionRow]):
    """The index rows of one bank's questions, kept column by column.

    A row (:data:`QuestionRow`) is made only when asked for; queue building
    reads the columns, and the bank's card keys as one sorted text
    (:meth:`keys_text`), from which a set of keys or a comparison with the
    progress database's keys costs no Python work per card. Columns read
    from a cache entry are decoded when first used: a bank studied through
    is planned from its key text and revisions alone.
    """

    __slots__ = (
        "_count",
        "_ids",
        "_keys",
        "_keys_text",
        "_kinds",
        "_max_revision",
        "_numbers",
        "_positions",
        "_tags",
        "_written",
        "bank_id",
        "bodies",
        "entry",
        "revisions",
    )

    def __init__(
        self,
        bank_id: str,
        ids: list[str],
        kinds: list[str],
        revisions: list[int],
        tags: list[tuple[str, ...]],
        numbers: list[tuple[int | None, ...]],
        bodies: list[AnyQuestion | Pending],
        keys_text: str | None = None,
    ) -> None:
        self.bank_id = bank_id
        self._ids: list[str] | None = ids
        self._kinds: list[str] | None = kinds
        self.revisions = revisions
        self._tags: list[tuple[str, ...]] | None = tags
        self._numbers: list[tuple[int | None, ...]] | None = numbers
        self.bodies = bodies
        self._count = len(ids)
        self._written: _Written | None = None
        self._keys_text = keys_text
        self._keys: frozenset[str] | None = None
        self._positions: dict[str, int] | None = None
        self._max_revision: int | None = None
        # Where the bank's cache entry lives and its key (set by load_index): what a
        # cache of something made from this bank alone is named and keyed by.
        self.entry: tuple[Path, str] | None = None

    @classmethod
    def _from_entry(
        cls,
        bank_id: str,
        written: _Written,
        count: int,
        revisions: list[int],
        bodies: list[AnyQuestion | Pending],
        keys_text: str,
    ) -> Questions:
        """Rows whose other columns are decoded from ``written`` when first used."""
        rows = cls(bank_id, [], [], revisions, [], [], bodies, keys_text)
        rows._ids = rows._kinds = rows._tags = rows._numbers = None
        rows._count = count
        rows._written = written
        return rows

    @property
    def ids(self) -> list[str]:
        if self._ids is None:
            assert self._written is not None
            text = self._written.ids
            self._ids = text.split(" ") if text else []
        return self._ids

    @property
    def kinds(self) -> list[str]:
        if self._kinds is None:
            assert self._written is not None
            self._kinds = list(map(KIND_OF_CODE.__getitem__, self._written.kinds))
        return self._kinds

    @property
    def kind_codes(self) -> str:
        """The types as one text, a character per question (see :data:`KIND_OF_CODE`)."""
        if self._written is not None:
            return self._written.kinds
        return "".join(_KIND_CODES[kind] for kind in self.kinds)

    @property
    def tags(self) -> list[tuple[str, ...]]:
        if self._tags is None:
            assert self._written is not None
            self._tags = list(map(self._written.tag_sets.__getitem__, self._written.tags))
        return self._tags

    @property
    def numbers(self) -> list[tuple[int | None, ...]]:
        if self._numbers is None:
            assert self._written is not None
            numbers: list[tuple[int | None, ...]] = [(None,)] * self._count
            for deletions, at in self._written.numbers:
                for i in at:
                    numbers[i] = deletions
            self._numbers = numbers
        return self._numbers

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, i: int) -> QuestionRow: ...
    @overload
    def __getitem__(self, i: slice) -> list[QuestionRow]: ...
    def __getitem__(self, i: int | slice) -> QuestionRow | list[QuestionRow]:
        if isinstance(i, slice):
            return list(self)[i]
        return (
            self.ids[i],
            self.kinds[i],
            self.revisions[i],
            self.tags[i],
            self.numbers[i],
            self.bodies[i],
        )

    def __iter__(self) -> Iterator[QuestionRow]:
        return zip(
            self.ids, self.kinds, self.revisions, self.tags, self.numbers, self.bodies, strict=True
        )

    @classmethod
    def of(cls, bank_id: str, questions: Sequence[AnyQuestion]) -> Questions:
        """The rows of loaded questions (kept as objects)."""
        return cls(
            bank_id,
            [q.id for q in questions],
            [q.type for q in questions],
            [q.revision for q in questions],
            [q.tags for q in questions],
            [q.card_numbers for q in questions],
            list(questions),
        )

    def subset(self, chosen: Iterable[int]) -> Questions:
        """The rows at the positions ``chosen``, in that order."""
        at = list(chosen)
        return Questions(
            self.bank_id,
            [self.ids[i] for i in at],
            [self.kinds[i] for i in at],
            [self.revisions[i] for i in at],
            [self.tags[i] for i in at],
            [self.numbers[i] for i in at],
            [self.bodies[i] for i in at],
        )

    @property
    def max_revision(self) -> int:
        """The highest revision of these questions."""
        if self._max_revision is None:
            self._max_revision = max(self.revisions, default=1)
        return self._max_revision

    def card_keys(self) -> list[str]:
        """The key of every card of these questions, in row order."""
        prefix = self.bank_id + "/"
        single = (None,)
        keys: list[str] = []
        for question_id, numbers in zip(self.ids, self.numbers, strict=True):
            if numbers == single:
                keys.append(prefix + question_id)
            else:
                keys += [card_key(self.bank_id, question_id, n) for n in numbers]
        return keys

    def keys_text(self) -> str:
        """Every card key, sorted (as SQLite's binary collation sorts), one per line."""
        if self._keys_text is None:
            self._keys_text = "\n".join(sorted(self.card_keys()))
        return self._keys_text

    def key_set(self) -> frozenset[str]:
        """Every card key."""
        if self._keys is None:
            text = self.keys_text()
            self._keys = frozenset(text.split("\n") if text else ())
        return self._keys

    def position(self, question_id: str) -> int | None:
        """The row of the question with this id, if any."""
        if self._positions is None:
            self._positions = dict(zip(self.ids, range(len(self.ids)), strict=True))
        return self._positions.get(question_id)


BankIndex = list[tuple[Bank, Questions]]
"""Per bank: the bank without its questions, and its questions' rows."""


def materialize(question: AnyQuestion | Pending, question_id: str = "") -> AnyQuestion:
    """The question of an index row (decoded from its entry's verified line if need be).

    ``question_id`` names the question of a :class:`Pending` entry body.
    """
    if isinstance(question, Pending):
        return question.question(question_id)
    return question


def _question_from(text: bytes) -> AnyQuestion:
    loaded = decode(json.loads(text))
    if not isinstance(loaded, QUESTION_CLASSES):
        raise _Damaged("not a question")
    return loaded


class Pending:
    """The question lines of an entry: checked against their CRC-32 and split at first use.

    Every row of the entry's index holds it; :func:`materialize` decodes one
    question, by id, when it is first needed.

    A damaged body (a changed byte, a truncated file) is never shown: the
    entry is removed, and the bank is loaded from its YAML instead.
    """

    __slots__ = ("entry", "file", "from_yaml", "header", "ids", "lines", "offset")

    def __init__(
        self, entry: Path, offset: int, header: dict[str, Any], ids: str, file: Path
    ) -> None:
        self.entry = entry
        self.offset = offset
        self.header = header
        self.ids = ids  # separated by spaces
        self.file = file
        self.lines: dict[str, bytes] | None = None
        self.from_yaml: dict[str, AnyQuestion] | None = None

    def _read_lines(self) -> dict[str, bytes]:
        """The entry's question lines by id; empty if the entry changed or is damaged."""
        try:
            with self.entry.open("rb") as handle:
                if json.loads(handle.readline()) != self.header:
                    return {}  # rebuilt since: the bank changed
                handle.seek(self.offset)
                raw = handle.read()
        except Exception:
            return {}
        if zlib.crc32(raw) != self.header["lines_crc32"]:
            return {}
        return dict(zip(self.ids.split(" "), raw.split(b"\n"), strict=False))

    def question(self, question_id: str) -> AnyQuestion:
        if self.lines is None:
            self.lines = self._read_lines()
        if self.from_yaml is None:
            try:
                question = _question_from(self.lines[question_id])
                if question.id == question_id:
                    return question
            except Exception:  # damaged: the YAML instead
                pass
            with contextlib.suppress(OSError):
                self.entry.unlink()
            from hoquiz.banks.loader import load_bank_file

            self.from_yaml = {q.id: q for q in load_bank_file(self.file).questions}
        found = self.from_yaml.get(question_id)
        if found is None:
            raise UsageError(f"{self.file} changed while in use: start again")
        return found


# Per model class, the fields its constructor takes (an entry holds those).
_INIT_FIELDS: dict[type, tuple[str, ...]] = {}


def encode(value: Any) -> Any:
    """Model values as JSON-ready data: each dataclass, tuple, dict and path tagged."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    names = _INIT_FIELDS.get(type(value))
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _INIT_FIELDS[type(value)] = tuple(
            f.name for f in dataclasses.fields(value) if f.init
        )
    if names is not None:
        return {
            "c": type(value).__name__,
            "f": {name: encode(getattr(value, name)) for name in names},
        }
    if isinstance(value, tuple):
        return {"t": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"m": [[k, encode(v)] for k, v in value.items()]}
    if isinstance(value, Path):
        return {"p": str(value)}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def decode(data: Any) -> Any:
    """The inverse of :func:`encode`; only the model's classes are built.

    Raises:
        _Damaged: data that :func:`encode` could not have written.
    """
    if isinstance(data, (str, int, float, bool)) or data is None:
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if isinstance(data, dict) and len(data) == 1:
        ((tag, inner),) = data.items()
        if tag == "t" and isinstance(inner, list):
            return tuple(decode(v) for v in inner)
        if tag == "m" and isinstance(inner, list):
            return {str(k): decode(v) for k, v in inner}
        if tag == "p" and isinstance(inner, str):
            return Path(inner)
    if isinstance(data, dict) and set(data) == {"c", "f"} and isinstance(data["f"], dict):
        cls = _CLASSES.get(data["c"])
        if cls is not None:
            try:
                return cls(**{str(k): decode(v) for k, v in data["f"].items()})
            except (TypeError, ValueError) as error:
                raise _Damaged(str(error)) from None
    raise _Damaged("unexpected data")


def load_banks_cached(paths: Sequence[Path], cache_dir: Path | None) -> list[Bank]:
    """:func:`hoquiz.banks.loader.load_banks`, answered from the cache when nothing changed.

    ``cache_dir`` ``None`` turns the cache off.

    Raises:
        BankError, UsageError: as ``load_banks`` (errors are never cached).
    """
    return [
        dataclasses.replace(bank, questions=tuple(materialize(row[5], row[0]) for row in rows))
        for bank, rows in load_index(paths, cache_dir)
    ]


def index_banks(banks: Sequence[Bank]) -> BankIndex:
    """The index of loaded banks (questions kept as objects)."""
    return [
        (dataclasses.replace(bank, questions=()), Questions.of(bank.id, bank.questions))
        for bank in banks
    ]


def select_index(
    index: BankIndex, bank_ids: Sequence[str] = (), tags: Sequence[str] = ()
) -> BankIndex:
    """Narrow a bank index to ``bank_ids`` and to questions carrying any of ``tags``.

    A bank's own tags count for each of its questions. Banks left with no
    question are dropped. No question is decoded: the rows carry their tags.

    Raises:
        UsageError: an id names no loaded bank, or nothing matches.
    """
    from hoquiz.text import did_you_mean

    known = {bank.id for bank, _ in index}
    for bank_id in bank_ids:
        if bank_id not in known:
            raise UsageError(f"no bank with id '{bank_id}'{did_you_mean(bank_id, known)}")
    wanted = set(tags)
    chosen: BankIndex = []
    for bank, rows in index:
        if bank_ids and bank.id not in bank_ids:
            continue
        if wanted and not wanted & set(bank.tags):
            rows = rows.subset(i for i, tags in enumerate(rows.tags) if wanted & set(tags))
            if not rows:
                continue
        chosen.append((bank, rows))
    if not chosen:
        raise UsageError(f"no question has the tag {' or '.join(sorted(wanted))}")
    return chosen


def load_index(paths: Sequence[Path], cache_dir: Path | None) -> BankIndex:
    """The index of the banks under ``paths``: from the cache, or loaded and cached.

    Raises:
        BankError, UsageError: as :func:`hoquiz.banks.loader.load_banks`.
    """
    inputs = list(paths) or [bundled_decks_dir()]
    try:
        return list(_each_indexed(inputs, cache_dir))
    except _LoadAll:
        from hoquiz.banks.loader import load_banks

        return index_banks(load_banks(inputs))  # every problem, as usual


def question_counts(paths: Sequence[Path], cache_dir: Path | None) -> list[int]:
    """The number of questions of each bank under ``paths``, with every check of
    :func:`hoquiz.banks.loader.load_banks`: what ``hoquiz validate`` reports.

    A bank file whose entry is a hit was checked, with its sources.yaml, by
    this very code when the entry was written, so it is not parsed again;
    every other file is parsed and checked, and its entry written. Bank by
    bank: no more than one bank's questions are held at a time.

    Raises:
        BankError, UsageError: as :func:`hoquiz.banks.loader.load_banks`.
    """
    inputs = list(paths) or [bundled_decks_dir()]
    try:
        return [len(rows) for _, rows in _each_indexed(inputs, cache_dir)]
    except _LoadAll:
        from hoquiz.banks.loader import scan_banks

        return scan_banks(inputs, lambda bank: len(bank.questions))  # every problem


class _LoadAll(Exception):
    """The cache cannot answer: the loader reads every bank and reports every problem."""


def _each_indexed(inputs: list[Path], cache_dir: Path | None) -> Iterator[tuple[Bank, Questions]]:
    """Each bank's index entry, one file at a time, from the cache or loaded and cached.

    Raises:
        _LoadAll: no cache, a bank with problems, or a bank id already met (the
            loader then names both files).
    """
    files = _bank_files_resolved(inputs) if cache_dir is not None else None
    if cache_dir is None or files is None:
        raise _LoadAll
    cwd = "" if all(p.is_absolute() for p in inputs) else str(Path.cwd())
    code = _code_stamp()
    memo: dict[str, Path | None] = {}  # each folder's sources.yaml, by the folder's path
    sources: dict[str, Any] = {}  # decoded sources, by the SHA-256 of their sources.yaml
    ids: set[str] = set()
    for file, resolved in files:
        entry = cache_dir / f"bank-{_name(file, cwd, resolved)}.json"
        header, line, offset = _open(entry)
        try:
            key, hashed = _key(file, resolved, cwd, code, memo, _hashed_before(header))
        except OSError:
            key, hashed = None, []
        found = _read(header, line, offset, key, file, entry, sources) if key is not None else None
        if found is not None and header is not None and key is not None:
            found = _restamp(entry, header, line, offset, hashed, key, file) or found
            found[1].entry = (entry, key)
        if found is None:
            from hoquiz.banks.loader import load_bank_file
            from hoquiz.errors import BankError

            try:
                bank = load_bank_file(file)
            except BankError:
                raise _LoadAll from None
            found = index_banks([bank])[0]
            if key is not None:
                _write(entry, key, bank, hashed)
                found[1].entry = (entry, key)
        if found[0].id in ids:  # the loader names the clash
            raise _LoadAll
        ids.add(found[0].id)
        yield found


def bank_files(inputs: Sequence[Path]) -> list[Path] | None:
    """The bank files ``inputs`` name, as the loader finds them; ``None`` if it would fail."""
    try:
        return discover(inputs)
    except UsageError:
        return None


def _bank_files_resolved(inputs: Sequence[Path]) -> list[tuple[Path, Path]] | None:
    """:func:`bank_files`, each with where it leads."""
    try:
        return discover_resolved(inputs)
    except UsageError:
        return None


def _stamp(path: Path) -> FileStamp:
    try:
        info = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), info.st_mtime_ns, info.st_size)


def _code_stamp() -> str:
    return repr((CACHE_FORMAT, hoquiz.__version__, sys.version_info[:2], code_digest()))


def code_digest() -> tuple[int, int]:
    """A checksum of every Python file of the hoquiz package, names and contents.

    The whole package, not a list of the modules that build banks: a module
    moved or added can then never serve banks built by older code. CRC-32
    (zlib, already loaded) rather than a cryptographic hash: it only has to
    notice an edit. Read once per process (the first caller computes it, a
    caller meanwhile waits for it); :func:`start_code_digest` begins it on a
    thread.
    """
    global _digest
    with _digest_lock:
        if _digest is None:
            _digest = _package_checksum()
        return _digest


def start_code_digest() -> None:
    """Compute :func:`code_digest` on a thread, while the caller does something else.

    Reading the package's files and their checksums (zlib's, for more than a few
    kilobytes) run outside the GIL: a command that reads banks soon after
    (the quiz, stats) finds it done.
    """
    threading.Thread(target=code_digest, name="hoquiz-code-digest", daemon=True).start()


_digest_lock = threading.Lock()
_digest: tuple[int, int] | None = None


def _package_checksum() -> tuple[int, int]:
    package = os.path.dirname(os.path.realpath(hoquiz.__file__))
    names = sorted(
        os.path.relpath(os.path.join(folder, name), package)
        for folder, _, files in os.walk(package)
        for name in files
        if name.endswith(".py")
    )
    checksum = size = 0
    for name in names:
        try:
            with open(os.path.join(package, name), "rb") as handle:
                data = handle.read()
        except OSError:
            data = b"(unreadable)"
        checksum = zlib.crc32(data, zlib.crc32(name.encode() + b"\0", checksum))
        size += len(data)
    return checksum, size


def _name(file: Path, cwd: str, resolved: Path) -> str:
    """The entry's file name: one per bank file as named (``resolved``: where it leads).

    Two checksums (zlib's, already loaded) make 64 bits: two of a learner's
    bank files sharing a name would only take turns in one entry (the key
    tells them apart), never be read for each other.
    """
    where = f"{file}\0{cwd}\0{resolved}".encode("utf-8", "surrogateescape")
    return f"{zlib.crc32(where):08x}{zlib.adler32(where):08x}"


Hashed = list[tuple[str, list[int] | None, str]]
"""Per file hashed for a key: its path, its stat stamp (``None``: not to be trusted), its digest."""

# A file changed less than this long before it was hashed may change again
# without its stat stamp changing (timestamps have a granularity): hashed again.
_RACY_NS = 2_000_000_000


def _key(
    file: Path,
    resolved: Path,
    cwd: str,
    code: str,
    memo: dict[str, Path | None],
    before: dict[str, tuple[list[int], str]],
) -> tuple[str, Hashed]:
    """What the bank compiled from: its name, the code, and the SHA-256 of its bytes and of
    its sources'; as one text, compared whole with the entry's.

    A file's own SHA-256 is taken from ``before`` (what the entry recorded) when
    its stat stamp (device, inode, size, modification and change times) is the
    one recorded then: an edit changes the change time, which no program
    can set back. Otherwise the file is read and hashed.
    """
    folder = os.path.dirname(resolved)  # a text: a Path's hash would parse it
    if folder not in memo:
        memo[folder] = find_sources_file(resolved.parent)
    sources = memo[folder]
    hashed = [_file_digest(path, before) for path in (resolved, sources) if path is not None]
    return json.dumps([str(file), cwd, code, str(sources), *(h[2] for h in hashed)]), hashed


def _file_digest(
    path: Path, before: dict[str, tuple[list[int], str]]
) -> tuple[str, list[int] | None, str]:
    info = os.stat(path)
    stamp = [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]
    known = before.get(str(path))
    if known is not None and known[0] == stamp:
        return str(path), stamp, known[1]
    import hashlib  # only when a file changed: an unchanged start needs no hash

    started = time.time_ns()
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    trusted = max(info.st_mtime_ns, info.st_ctime_ns) < started - _RACY_NS
    return str(path), stamp if trusted else None, digest


def _hashed_before(header: dict[str, Any] | None) -> dict[str, tuple[list[int], str]]:
    """The files an entry's header says were hashed, with their stamps and digests."""
    known: dict[str, tuple[list[int], str]] = {}
    try:
        for path, stamp, digest in header["files"] if header is not None else ():
            if isinstance(stamp, list) and isinstance(digest, str) and len(digest) == 64:
                known[str(path)] = ([int(n) for n in stamp], digest)
    except Exception:  # a damaged header trusts nothing
        return {}
    return known


def _open(entry: Path) -> tuple[dict[str, Any] | None, bytes, int]:
    """An entry's header, its index (the index line, a line break and the card keys, as
    one text) and where its question lines start.

    ``None`` for the header if the entry cannot be read. The question lines
    are read when a question is first shown (:class:`Pending`). Read with
    plain system calls: the first usually holds the whole index.
    """
    try:
        fd = os.open(entry, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            data = os.read(fd, _FIRST_READ)

            def line_end(start: int) -> int:
                nonlocal data
                while (end := data.find(b"\n", start)) < 0:  # a longer line: read on
                    more = os.read(fd, max(_FIRST_READ, len(data)))
                    if not more:
                        raise EOFError
                    data += more
                return end + 1

            header_end = line_end(0)
            header = json.loads(data[:header_end])
            size = header["keys_bytes"]
            if type(size) is not int or size < 0:
                return None, b"", 0
            offset = line_end(header_end) + size + 1  # the index line, the keys, a break
            while len(data) < offset and (more := os.read(fd, offset - len(data))):
                data += more
        finally:
            os.close(fd)
    except Exception:  # absent, unreadable or damaged: a miss
        return None, b"", 0
    if len(data) < offset or data[offset - 1 : offset] != b"\n":
        return None, b"", 0
    return (header if isinstance(header, dict) else None), data[header_end : offset - 1], offset


_FIRST_READ = 1 << 16  # a bank of about a thousand questions: its header, index and keys


_KIND_CODES: dict[str, str] = {kind: chr(ord("a") + n) for n, kind in enumerate(QUESTION_TYPES)}
KIND_OF_CODE = {code: kind for kind, code in _KIND_CODES.items()}
"""The question type each character of :attr:`Questions.kind_codes` stands for."""


# Printable ASCII but for the quote and the backslash: characters JSON writes as they are.
_ASCII_CODES = [c for c in map(chr, range(0x23, 0x7F)) if c != "\\"]


def _code(n: int) -> str:
    """The character standing for the ``n``-th set of tags in an index line.

    One character per question, decoded at C speed: ASCII that JSON does not
    escape first, then from U+0100 on, past the surrogates (which UTF-8
    cannot hold).
    """
    if n < len(_ASCII_CODES):
        return _ASCII_CODES[n]
    point = 0x100 + n - len(_ASCII_CODES)
    return chr(point if point < 0xD800 else point + 0x800)


def _read(
    header: dict[str, Any] | None,
    line: bytes,
    offset: int,
    key: str,
    file: Path,
    entry: Path,
    sources: dict[str, Any] | None = None,
) -> tuple[Bank, Questions] | None:
    """The entry's index, or ``None`` for any miss: absent, stale, damaged or unreadable.

    Layout: a header line (key, a CRC-32 of the index and one of the
    question lines, the length of the card keys, image stamps, the files
    hashed for the key), the index line, the bank's card keys (sorted, one
    per line, read by their length), then one line per question. The index
    line holds the bank and its questions column by column, each in a form
    JSON decodes at C speed: ids as one text separated by spaces, types and
    tag sets as one character per question, revisions as runs, the card
    numbers of cloze questions with the rows that have them. Only the index
    is checked and read here, kept as columns (whole columns checked at
    once); the question lines when a question is shown.
    """
    try:
        if (
            header is None
            or header.get("key") != key
            or header.get("index_crc32") != zlib.crc32(line)
            or type(header.get("lines_crc32")) is not int
        ):
            return None
        for path, mtime, size in header["images"]:
            if _stamp(Path(path)) != (path, mtime, size):
                return None
        index_line, _, keys_read = line.partition(b"\n")
        keys = keys_read.decode()  # one per line, as SQL gives them
        data = json.loads(index_line)
        bank = _bank_from(data["bank"], header, sources)
        ids, kinds, tags = data["ids"], data["kinds"], data["tags"]
        if not all(isinstance(text, str) for text in (ids, kinds, tags)):
            return None
        count = ids.count(" ") + 1 if ids else 0
        revisions: list[int] = []
        runs = data["revisions"]
        for revision, times in runs:
            if type(revision) is not int or type(times) is not int:
                return None
            revisions += [revision] * times
        top = max((revision for revision, times in runs if times > 0), default=1)
        tag_sets = {
            _code(n): tuple(str(tag) for tag in names) for n, names in enumerate(data["tag_sets"])
        }
        numbers: list[tuple[tuple[int, ...], list[int]]] = []
        for cards, at in data["numbers"]:
            deletions = tuple(cards)
            if (
                not deletions
                or not at
                or not set(map(type, deletions)) <= {int}
                or not set(map(type, at)) <= {int}
                or min(at) < 0
                or max(at) >= count
            ):
                return None
            numbers.append((deletions, list(at)))
        if (
            not isinstance(bank, Bank)
            or not count == len(kinds) == len(revisions) == len(tags)
            or not set(kinds) <= KIND_OF_CODE.keys()
            or not set(tags) <= tag_sets.keys()
        ):
            return None
        bodies: list[AnyQuestion | Pending] = [Pending(entry, offset, header, ids, file)] * count
    except Exception:  # any unreadable entry is a miss, rebuilt from the YAML
        return None
    written = _Written(ids, kinds, tags, tag_sets, numbers)
    rows = Questions._from_entry(bank.id, written, count, revisions, bodies, keys)
    rows._max_revision = top  # from the runs, not question by question
    return bank, rows


def _bank_from(data: Any, header: dict[str, Any], sources: dict[str, Any] | None) -> Bank | None:
    """The bank of an index line; its sources decoded once per sources.yaml of a start.

    The sources of every bank using one sources.yaml are that file's, decoded the
    same way: the entry's key (checked before) holds the SHA-256 of the file, so
    banks whose headers name the same one share what was decoded.
    """
    files = header.get("files")
    digest = (
        files[1][2] if sources is not None and isinstance(files, list) and len(files) == 2 else None
    )
    if (
        not isinstance(digest, str)
        or not isinstance(data, dict)
        or data.get("c") != "Bank"
        or not isinstance(data.get("f"), dict)
        or "sources" not in data["f"]
    ):
        found = decode(data)
        return found if isinstance(found, Bank) else None
    assert sources is not None
    if digest not in sources:
        sources[digest] = decode(data["f"]["sources"])
    shared = sources[digest]
    try:
        return Bank(
            **{str(k): shared if k == "sources" else decode(v) for k, v in data["f"].items()}
        )
    except (TypeError, ValueError) as error:
        raise _Damaged(str(error)) from None


def _restamp(
    entry: Path,
    header: dict[str, Any],
    line: bytes,
    offset: int,
    hashed: Hashed,
    key: str,
    file: Path,
) -> tuple[Bank, Questions] | None:
    """Record stamps that can now be trusted (a file hashed just after a change was not),
    so that the next start does not hash the file again; the entry's index read anew from
    the rewritten entry, or ``None`` when nothing changed or it could not be written."""
    files = [list(file) for file in hashed]
    if header.get("files") == files:
        return None
    restamped = json.dumps({**header, "files": files}).encode() + b"\n"
    with contextlib.suppress(Exception):  # the cache is an optimisation
        with entry.open("rb") as handle:
            handle.seek(offset)
            rest = handle.read()
        write_atomically(entry, restamped + line + b"\n" + rest)
        return _read(json.loads(restamped), line, len(restamped) + len(line) + 1, key, file, entry)
    return None


def write_checked(path: Path, header: dict[str, Any], body: bytes) -> None:
    """Write an entry of another cache atomically: a header line (``header`` and the
    SHA-256 of ``body``), then ``body``; failures are ignored (the cache is an optimisation).
    """
    import hashlib

    with contextlib.suppress(Exception):
        line = json.dumps({**header, "sha256": hashlib.sha256(body).hexdigest()})
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, line.encode() + b"\n" + body)


def read_checked(path: Path, key: str) -> bytes | None:
    """The body :func:`write_checked` wrote with this ``key``, checked whole against its
    SHA-256; ``None`` for any miss (absent, unreadable, another key, damaged, truncated)."""
    import hashlib

    try:
        with open(path, "rb") as handle:
            header = json.loads(handle.readline())
            body = handle.read()
        if (
            isinstance(header, dict)
            and header.get("key") == key
            and header.get("sha256") == hashlib.sha256(body).hexdigest()
        ):
            return body
    except Exception:  # a miss
        pass
    return None


def _write(entry: Path, key: str, bank: Bank, hashed: Hashed) -> None:
    """Write the entry atomically; failures are ignored."""
    # The cache is an optimisation: never fail a quiz over it.
    with contextlib.suppress(Exception):
        data = _entry(key, bank, hashed)
        entry.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(entry, data)


def _entry(key: str, bank: Bank, hashed: Hashed) -> bytes:
    """An entry's bytes (see :func:`_read`)."""
    images = [_stamp(q.image.resolve()) for q in bank.questions if q.image is not None]
    questions = bank.questions
    tag_sets: dict[tuple[str, ...], str] = {}
    revisions: list[list[int]] = []  # runs: [revision, how many]
    for q in questions:
        if revisions and revisions[-1][0] == q.revision:
            revisions[-1][1] += 1
        else:
            revisions.append([q.revision, 1])
    numbers: dict[tuple[int | None, ...], list[int]] = {}
    for i, q in enumerate(questions):
        if q.card_numbers != (None,):
            numbers.setdefault(q.card_numbers, []).append(i)
    # Ids and keys are slugs: separated by spaces, which JSON writes as they are.
    index = {
        "bank": encode(dataclasses.replace(bank, questions=())),
        "ids": " ".join(q.id for q in questions),
        "kinds": "".join(_KIND_CODES[q.type] for q in questions),
        "revisions": revisions,
        "tags": "".join(tag_sets.setdefault(q.tags, _code(len(tag_sets))) for q in questions),
        "tag_sets": [list(tags) for tags in tag_sets],
        "numbers": [[list(cards), at] for cards, at in numbers.items()],
    }
    # json.dumps escapes line breaks inside strings: one line per value.
    line = json.dumps(index, ensure_ascii=False).encode("utf-8", "surrogateescape")
    # The card keys, one per line as SQL gives them, after the index line:
    # read by their length, neither parsed nor changed.
    keys = Questions.of(bank.id, questions).keys_text().encode()
    line += b"\n" + keys
    texts = "\n".join(json.dumps(encode(q), ensure_ascii=False) for q in questions)
    rest = texts.encode("utf-8", "surrogateescape")
    header = json.dumps(
        {
            "key": key,
            "keys_bytes": len(keys),
            # Checks of the index and of the question lines against damage, at C
            # speed: the index is read at every start, the lines when a question is
            # first shown. Not against a crafted entry (whoever can write one can
            # write any checksum): the index is checked by what it must hold, and a
            # question line decodes to the model's classes only.
            "index_crc32": zlib.crc32(line),
            "lines_crc32": zlib.crc32(rest),
            "images": images,
            "files": [list(file) for file in hashed],
        }
    )
    return header.encode() + b"\n" + line + b"\n" + rest
