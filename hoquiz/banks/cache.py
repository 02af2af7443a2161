"""A cache of compiled banks, so that unchanged YAML is not parsed on every quiz start.

An entry is keyed on the resolved path, modification time (ns) and size of
every bank file and of the ``sources.yaml`` each one uses, plus the hoquiz
code that builds banks; images the banks name are checked too. Any change
makes a miss, and so does any failure to read an entry: the banks are then
loaded by :func:`hoquiz.banks.loader.load_banks` (which reports problems as usual)
and the entry is rewritten atomically.

An entry is an *index*: per bank, its fields without questions, and per
question the little that queue building needs (id, type, revision, tags,
cloze numbers) plus the question itself, pickled on its own. Rebuilding ten
thousand question objects costs more than the rest of a quiz start, so a
quiz unpickles a question only when it shows it (:func:`materialize`).

The cache-hit path never imports the loader (and so PyYAML): it finds bank
and sources files with :mod:`hoquiz.banks.paths`, the loader's own rules.
"""

from __future__ import annotations

import contextlib
import pickle
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import hoquiz
from hoquiz.atomic import write_atomically
from hoquiz.banks.paths import bundled_decks_dir, discover, find_sources_file
from hoquiz.errors import UsageError
from hoquiz.model import QUESTION_CLASSES, AnyQuestion, Bank

CACHE_FORMAT = 2
_CODE = (
    "model/__init__.py",
    "model/bank.py",
    "model/cloze.py",
    "model/questions.py",
    "model/invariants.py",
    "banks/loader.py",
    "banks/validator.py",
    "banks/fields.py",
    "banks/checks.py",
    "banks/yamlio.py",
    "banks/paths.py",
    "banks/cache.py",
    "text.py",
)

FileStamp = tuple[str, int, int]  # resolved path, mtime_ns, size (-1, -1: missing)
QuestionRow = tuple[str, str, int, tuple[str, ...], tuple[int | None, ...], "AnyQuestion | bytes"]
"""(id, type, revision, tags, card numbers, the question or its pickle)."""
BankIndex = list[tuple[Bank, list[QuestionRow]]]
"""Per bank: the bank without its questions, and a row per question."""


def default_cache_dir() -> Path:
    """The platform's user cache directory for hoquiz."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("hoquiz", appauthor=False))


def materialize(question: AnyQuestion | bytes) -> AnyQuestion:
    """The question of an index row."""
    if isinstance(question, bytes):
        loaded = pickle.loads(question)
        if not isinstance(loaded, QUESTION_CLASSES):
            raise TypeError("not a question")  # pragma: no cover - entries are checked
        return loaded
    return question


def load_banks_cached(paths: Sequence[Path], cache_dir: Path | None) -> list[Bank]:
    """:func:`hoquiz.banks.loader.load_banks`, answered from the cache when nothing changed.

    ``cache_dir`` ``None`` turns the cache off.

    Raises:
        BankError, UsageError: as ``load_banks`` (errors are never cached).
    """
    from dataclasses import replace

    return [
        replace(bank, questions=tuple(materialize(row[5]) for row in rows))
        for bank, rows in load_index(paths, cache_dir)
    ]


def index_banks(banks: Sequence[Bank]) -> BankIndex:
    """The index of loaded banks (questions kept as objects)."""
    from dataclasses import replace

    return [
        (
            replace(bank, questions=()),
            [
                (
                    q.id,
                    q.type,
                    q.revision,
                    q.tags,
                    q.card_numbers,
                    q,
                )
                for q in bank.questions
            ],
        )
        for bank in banks
    ]


def load_index(paths: Sequence[Path], cache_dir: Path | None) -> BankIndex:
    """The index of the banks under ``paths``: from the cache, or loaded and cached.

    Raises:
        BankError, UsageError: as :func:`hoquiz.banks.loader.load_banks`.
    """
    inputs = list(paths) or [bundled_decks_dir()]
    key = None
    entry = None
    if cache_dir is not None:
        try:
            key = _key(inputs)
        except OSError:
            key = None
        if key is not None:
            # A short name per set of inputs; the full key inside decides hits.
            digest = zlib.crc32(repr(key[:2]).encode())
            entry = cache_dir / f"banks-{digest:08x}.pickle"
            index = _read(entry, key)
            if index is not None:
                return index
    from hoquiz.banks.loader import load_banks

    banks = load_banks(inputs)
    if entry is not None and key is not None:
        _write(entry, key, banks)
    return index_banks(banks)


def bank_files(inputs: Sequence[Path]) -> list[Path] | None:
    """The bank files ``inputs`` name, as the loader finds them; ``None`` if it would fail."""
    try:
        return discover(inputs)
    except UsageError:
        return None


def _stamp(path: Path) -> FileStamp:
    try:
        info = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), info.st_mtime_ns, info.st_size)


def _sources_file(folder: Path, memo: dict[Path, Path | None]) -> Path | None:
    if folder not in memo:
        memo[folder] = find_sources_file(folder)
    return memo[folder]


def _key(inputs: Sequence[Path]) -> tuple[Any, ...] | None:
    files = bank_files(inputs)
    if files is None:
        return None
    here = Path(hoquiz.__file__).resolve().parent
    memo: dict[Path, Path | None] = {}
    stamps: list[tuple[str, FileStamp, FileStamp | None]] = []
    for file in files:
        resolved = file.resolve()
        sources = _sources_file(resolved.parent, memo)
        stamps.append((str(file), _stamp(resolved), None if sources is None else _stamp(sources)))
    return (
        tuple(str(p) for p in inputs),
        # Banks record paths as given: relative ones depend on the working directory.
        "" if all(p.is_absolute() for p in inputs) else str(Path.cwd()),
        CACHE_FORMAT,
        hoquiz.__version__,
        sys.version_info[:2],
        tuple(_stamp(here / name) for name in _CODE),
        tuple(stamps),
    )


def _images(banks: list[Bank]) -> tuple[FileStamp, ...]:
    return tuple(
        _stamp(q.image.resolve()) for bank in banks for q in bank.questions if q.image is not None
    )


def _read(entry: Path, key: tuple[Any, ...]) -> BankIndex | None:
    try:
        with entry.open("rb") as handle:
            header = pickle.load(handle)
            if not isinstance(header, tuple) or len(header) != 2 or header[0] != key:
                return None
            if any(_stamp(Path(path)) != (path, m, s) for path, m, s in header[1]):
                return None
            index = pickle.load(handle)
        if not isinstance(index, list) or not all(
            isinstance(bank, Bank) and isinstance(rows, list) for bank, rows in index
        ):
            return None
    except Exception:  # any unreadable entry is a miss
        return None
    return index


def _write(entry: Path, key: tuple[Any, ...], banks: list[Bank]) -> None:
    """Write the entry atomically; failures are ignored."""
    protocol = pickle.HIGHEST_PROTOCOL
    index = [
        (bank, [(*row[:5], pickle.dumps(row[5], protocol=protocol)) for row in rows])
        for bank, rows in index_banks(banks)
    ]
    header = pickle.dumps((key, _images(banks)), protocol=protocol)
    # The cache is an optimisation: never fail a quiz over it.
    with contextlib.suppress(Exception):
        entry.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(entry, header + pickle.dumps(index, protocol=protocol))
