"""YAML banks -> model, with every problem located as ``path:line:col``.

Validation walks the plain data that libyaml produced and records each
problem with its data path (``("questions", 3, "answer")``); only when a file
has problems is its node tree composed to turn those paths into positions
(:func:`scan_banks_located` instead keeps the tree of the one parse, for
callers that locate much, such as lint).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from hoquiz.banks.invisible import may_hold_invisible
from hoquiz.banks.paths import bundled_decks_dir, discover, find_sources_file
from hoquiz.banks.validator import Validator
from hoquiz.banks.yamlio import Locator, parse, parse_located, read_text
from hoquiz.collector import collector_paused
from hoquiz.errors import BankError, Problem, UsageError
from hoquiz.model import AnyQuestion, Bank, Source
from hoquiz.text import did_you_mean

T = TypeVar("T")


def load_banks(paths: Sequence[Path]) -> list[Bank]:
    """Load and validate every bank under ``paths`` (default: the bundled decks).

    Raises:
        BankError: with every problem of every file, located.
        UsageError: a path does not exist or holds no bank.
    """
    return scan_banks(paths, _itself)


def scan_banks(paths: Sequence[Path], keep: Callable[[Bank], T]) -> list[T]:
    """:func:`load_banks`, keeping only ``keep(bank)`` of each bank, bank by bank.

    Memory is then bounded by the largest bank, not by all of them (for
    commands that need a summary of each bank, such as validate and list).

    Raises:
        BankError, UsageError: as :func:`load_banks`.
    """
    return _scan(paths, lambda bank, _: keep(bank), keep_nodes=False)


def scan_banks_located(paths: Sequence[Path], keep: Callable[[Bank, Locator], T]) -> list[T]:
    """:func:`scan_banks`, handing ``keep`` each bank with a locator for its file.

    The locator reuses the node tree of the bank's one parse, so locating
    costs no second parse; the tree is let go with the bank.

    Raises:
        BankError, UsageError: as :func:`load_banks`.
    """
    return _scan(paths, keep, keep_nodes=True)


def _scan(
    paths: Sequence[Path], keep: Callable[[Bank, Locator], T], *, keep_nodes: bool
) -> list[T]:
    files = discover(paths or [bundled_decks_dir()])
    with collector_paused():
        return _load_files(files, keep, keep_nodes)


def _itself(bank: Bank) -> Bank:
    return bank


def load_bank_file(file: Path) -> Bank:
    """One bank file and the sources.yaml it uses, validated on its own.

    Checks across banks (the same bank id twice) are the caller's: see
    :func:`load_banks`.

    Raises:
        BankError: with every problem of the file and of its sources.yaml, located.
    """
    problems: list[Problem] = []
    with collector_paused():
        found = _sources_for(file, {}, problems)
        bank, file_problems, _ = _load_bank(file, str(file), found)
    problems.extend(file_problems)
    if problems or bank is None:
        raise BankError(problems or [Problem(str(file), 1, 1, "not a bank")])
    return bank


def _load_files(files: list[Path], keep: Callable[[Bank, Locator], T], keep_nodes: bool) -> list[T]:
    problems: list[Problem] = []
    banks: list[T] = []
    sources_cache: dict[Path, _SourcesFound] = {}
    first_seen: dict[str, str] = {}  # bank id -> the file that has it
    for file in files:
        display = str(file)
        found = _sources_for(file, sources_cache, problems)
        bank, file_problems, locator = _load_bank(file, display, found, keep_nodes)
        if bank is not None and bank.id in first_seen:
            other = first_seen[bank.id]
            line, column = locator.locate(("id",)) if locator else (1, 1)
            file_problems.append(
                Problem(display, line, column, f"duplicate bank id '{bank.id}' (also in {other})")
            )
        problems.extend(file_problems)
        if bank is not None and not file_problems:
            first_seen[bank.id] = display
            if not problems:  # once a file has problems, only problems are collected
                assert locator is not None
                banks.append(keep(bank, locator))
        bank = locator = None  # let go of this bank before reading the next one
    if problems:
        raise BankError(problems)
    return banks


def load_sources_file(path: Path) -> tuple[dict[str, Source], list[Problem]]:
    """Read one ``sources.yaml``; problems are located like a bank's."""
    sources, _, problems = read_sources_file(path)
    return sources, problems


def read_sources_file(path: Path) -> tuple[dict[str, Source], str | None, list[Problem]]:
    """One ``sources.yaml``: its sources, its ``namespace`` (if any) and its problems."""
    display = str(path)
    text, problems = read_text(path, display)
    if text is None:
        return {}, None, problems
    data, problems = parse(text, display)
    if problems:
        return {}, None, problems
    v = Validator(display)
    sources: dict[str, Source] = {}
    namespace: str | None = None
    if not isinstance(data, dict):
        v.error((), "a sources file must be a mapping with one key, 'sources'")
    else:
        v.keys(data, (), ("sources",), ("namespace",), "sources file")
        if "namespace" in data:
            namespace = v.slug(data, "namespace", ())
        entries = data.get("sources")
        if "sources" in data and not isinstance(entries, list):
            v.error(("sources",), "'sources' must be a list of {id, title, kind, date}")
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            source = v.source_entry(entry, ("sources", i))
            if source is None:
                continue
            if source.id in sources:
                v.error(("sources", i, "id"), f"duplicate source id '{source.id}'")
            sources[source.id] = source
    return sources, namespace, v.located(text)


@dataclass(frozen=True)
class _SourcesFound:
    """The sources.yaml a bank uses: its path, its sources, whether it is valid."""

    path: Path | None
    sources: dict[str, Source]
    valid: bool
    namespace: str | None = None


def _sources_for(
    bank_file: Path, cache: dict[Path, _SourcesFound], problems: list[Problem]
) -> _SourcesFound:
    """The sources a bank cites, each sources.yaml read (and its problems reported) once."""
    folder = bank_file.resolve().parent
    if folder not in cache:
        found = find_sources_file(folder)
        if found is None:
            cache[folder] = _SourcesFound(None, {}, False)
        elif found in cache:
            cache[folder] = cache[found]
        else:
            shown = found if bank_file.is_absolute() else _relative_to_cwd(found)
            sources, namespace, source_problems = read_sources_file(shown)
            problems.extend(source_problems)
            cache[found] = cache[folder] = _SourcesFound(
                shown, sources, not source_problems, namespace
            )
    return cache[folder]


def _relative_to_cwd(path: Path) -> Path:
    """``path`` as seen from the working directory, when it lies below it.

    Problems in a sources.yaml then read like those of the banks given as
    relative paths.
    """
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _load_bank(
    file: Path, display: str, found: _SourcesFound, keep_nodes: bool = False
) -> tuple[Bank | None, list[Problem], Locator | None]:
    text, problems = read_text(file, display)
    if text is None:
        return None, problems, None
    if keep_nodes:
        data, problems, locator = parse_located(text, display)
    else:
        data, problems = parse(text, display)
        locator = Locator(text)
    if data is None and problems:
        return None, problems, locator
    v = Validator(
        display,
        sources=found.sources,
        sources_file=found.path,
        folder=file.parent,
        check_sources=found.valid,
        namespace=found.namespace,
    )
    bank = v.bank(data, file, may_hide=may_hold_invisible(text))
    problems = problems + v.located(text, locator)
    return bank, problems, locator


def select_banks(
    banks: Sequence[Bank], bank_ids: Sequence[str] = (), tags: Sequence[str] = ()
) -> list[Bank]:
    """Narrow loaded banks to ``bank_ids`` and to questions carrying any of ``tags``.

    A bank's own tags count for each of its questions. Banks left with no
    question are dropped.

    Raises:
        UsageError: an id names no loaded bank, or nothing matches.
    """
    from hoquiz.banks.cache import index_banks, materialize, select_index

    return [
        replace(bank, questions=tuple(materialize(row[5], row[0]) for row in rows))
        for bank, rows in select_index(index_banks(banks), bank_ids, tags)
    ]


def split_ref(ref: str) -> tuple[str, str]:
    """``bank_id/question_id`` -> its two ids.

    Raises:
        UsageError: ``ref`` is not of that form.
    """
    bank_id, sep, question_id = ref.partition("/")
    if not sep or not bank_id or not question_id:
        raise UsageError(f"expected BANK_ID/QUESTION_ID such as imaging/first-study, got '{ref}'")
    return bank_id, question_id


def find_question(
    banks: Sequence[Bank], bank_id: str, question_id: str
) -> tuple[Bank, AnyQuestion]:
    """The bank and question with these ids.

    Raises:
        UsageError: no loaded bank or question has that id (with the closest one).
    """
    by_id = {b.id: b for b in banks}
    bank = by_id.get(bank_id)
    if bank is None:
        raise UsageError(f"no bank with id '{bank_id}'{did_you_mean(bank_id, by_id)}")
    question = bank.question(question_id)
    if question is None:
        hint = did_you_mean(question_id, [q.id for q in bank.questions])
        raise UsageError(f"bank '{bank_id}' has no question '{question_id}'{hint}")
    return bank, question
