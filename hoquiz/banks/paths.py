"""Where banks are: the bundled decks, bank discovery and the sources.yaml lookup.

Standard library only, so the quiz's warm start (which reads the bank
cache) can find files by exactly the loader's rules without importing YAML.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from hoquiz.errors import UsageError, os_error_text

SOURCES_NAMES = ("sources.yaml", "sources.yml")
BANK_SUFFIXES = (".yaml", ".yml")


def bundled_decks_dir() -> Path:
    """The banks that ship with hoquiz (package data, or ``decks/`` in a checkout)."""
    here = Path(__file__).resolve().parents[1]  # the hoquiz package
    installed = here / "decks"
    if installed.is_dir():
        return installed
    return here.parent / "decks"


def discover(paths: Iterable[Path]) -> list[Path]:
    """Bank files named by ``paths``: files as given, folders searched recursively.

    See :func:`discover_resolved`, which also gives where each file leads.

    Raises:
        UsageError: as :func:`discover_resolved`.
    """
    return [file for file, _ in discover_resolved(paths)]


def discover_resolved(paths: Iterable[Path]) -> list[tuple[Path, Path]]:
    """Bank files named by ``paths`` (as named, and resolved): files as given, folders
    searched recursively.

    ``sources.yaml`` files are not banks and are skipped. Symlinks to files
    inside the searched folder are followed, symlinks leading out of it are
    refused; symlinks to folders are not searched.

    Raises:
        UsageError: a path does not exist, a folder cannot be read, a symlink
            loops, leads nowhere or out of its folder, or no bank file was found.
    """
    found: list[tuple[Path, Path | None]] = []
    for path in paths:
        try:
            found.extend(_banks_at(path))
        except OSError as exc:  # a name too long...
            raise UsageError(f"cannot read {path}: {os_error_text(exc)}") from None
    unique: dict[Path, Path] = {}
    for p, resolved in found:
        unique.setdefault(p.resolve() if resolved is None else resolved, p)
    if not unique:
        raise UsageError("no banks to load (sources.yaml files are not banks)")
    return [(file, resolved) for resolved, file in unique.items()]


def _banks_at(path: Path) -> list[tuple[Path, Path | None]]:
    """The bank files of one command-line path, with where each leads if known already."""
    if path.is_dir():
        inside = sorted(_banks_in(path), key=lambda found: found[0])
        if not inside:
            raise UsageError(f"no .yaml or .yml banks found in {path}")
        return inside
    if path.is_file():
        return [] if path.name in SOURCES_NAMES else [(path, None)]
    _refuse_loop(path)
    _refuse_dangling(path)
    raise UsageError(f"no such file or folder: {path}")


def _banks_in(folder: Path) -> Iterator[tuple[Path, Path | None]]:
    """Every bank file below ``folder``, with where it leads (``None``: a symlink, resolved
    later); a subfolder that cannot be read is an error.

    A plain file leads where its folder does: one ``lstat`` per file, and one
    resolution per folder, instead of one per component of every file's path.
    """

    def unreadable(error: OSError) -> None:
        where = error.filename if error.filename is not None else folder
        raise UsageError(
            f"cannot read the folder {where}: {os_error_text(error)} (its banks would be left out)"
        )

    inside = folder.resolve()
    for directory, folders, names in os.walk(folder, onerror=unreadable):
        folders.sort()  # the same first problem on every file system
        real: Path | None = None  # the directory, resolved
        for name in sorted(names):
            candidate = Path(directory, name)
            if candidate.suffix not in BANK_SUFFIXES or name in SOURCES_NAMES:
                continue
            try:
                plain = stat.S_ISREG(os.lstat(candidate).st_mode)
            except OSError:
                plain = False
            if plain:
                if real is None:
                    real = Path(directory).resolve()
                yield candidate, real / name
            elif candidate.is_file():
                _refuse_outside(candidate, folder, inside)
                yield candidate, None
            else:
                _refuse_loop(candidate)
                _refuse_dangling(candidate)


def _refuse_loop(path: Path) -> None:
    """Name a symlink that leads back to itself (the system only says "too many levels")."""
    try:
        os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UsageError(f"{path} is a symlink loop") from None


def _refuse_outside(
    path: Path,
    folder: Path,
    inside: Path,
    advice: str = "hoquiz reads only the files inside a folder it searches "
    "(copy the bank in, or name the file itself)",
) -> None:
    """A symlink in a searched folder may not lead out of it: a shared bank folder could
    otherwise make hoquiz read, and quote in its errors, any file of the machine."""
    if path.is_symlink() and not path.resolve().is_relative_to(inside):
        raise UsageError(f"{path} is a symlink to a file outside {folder}; {advice}")


def _refuse_dangling(path: Path) -> None:
    """Name a bank symlink whose target is gone, rather than leave its bank out unsaid."""
    if path.is_symlink() and not path.exists():
        raise UsageError(f"{path} is a symlink to {os.readlink(path)}, which does not exist")


def find_sources_file(folder: Path) -> Path | None:
    """The sources.yaml a bank in ``folder`` uses: its folder's, else the nearest above."""
    folder = folder.resolve()
    for directory in (folder, *folder.parents):
        for name in SOURCES_NAMES:
            candidate = directory / name
            if candidate.is_file():
                _refuse_outside(candidate, directory, directory, "copy the file in instead")
                return candidate
    return None
