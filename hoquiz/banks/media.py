"""Image files a bank names: confined to the bank's folder, bounded, and really images.

A bank is untrusted: ``image: /proc/self/environ``, ``image: ../../.ssh/id_rsa`` or a
symlink inside the bank pointing at ``/etc/shadow`` must never be read, or the
exporter would package the file into an ``.apkg`` for Anki to copy. The bank's
folder is the folder of the ``sources.yaml`` it uses (the bank's own folder when it
has none); an image must resolve, symlinks followed, to a regular file below it,
of at most ``MAX_IMAGE_BYTES``, whose first bytes are those of an image format
Anki shows.

The validator checks this once (``check_image``); the exporter checks it again
at the moment it reads (``read_image``), walking from the bank's folder one
component at a time with ``O_NOFOLLOW`` and checking the opened descriptor, so a
file swapped for a symlink or a device after validation is refused too.
Standard library only.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePath

from hoquiz.banks.paths import find_sources_file
from hoquiz.errors import HoquizError, os_error_text

MAX_IMAGE_BYTES = 10 * 1024 * 1024

# Formats every Anki client shows, by their first bytes, with the file name
# endings that may carry them. SVG is left out: it is text that can hold scripts.
_FORMATS: tuple[tuple[str, tuple[bytes, ...], tuple[str, ...]], ...] = (
    ("PNG", (b"\x89PNG\r\n\x1a\n",), (".png",)),
    ("JPEG", (b"\xff\xd8\xff",), (".jpg", ".jpeg")),
    ("GIF", (b"GIF87a", b"GIF89a"), (".gif",)),
    ("WebP", (b"RIFF",), (".webp",)),  # and "WEBP" at offset 8, checked below
)
_HEADER_BYTES = 12
FORMAT_NAMES = "PNG, JPEG, GIF or WebP"

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
# A FIFO must not block the open; a terminal device must not become ours.
_FILE_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_WALK_BY_FD = os.open in os.supports_dir_fd and bool(_NOFOLLOW and _DIRECTORY)


class ImageRefused(HoquizError):
    """An image a bank names cannot be used; the message completes "image NAME ..."."""


class ImageMissing(ImageRefused):
    """The image a bank names does not exist."""


def bank_folder(bank_file: Path) -> Path:
    """The folder a bank's files must stay in: its ``sources.yaml``'s, else its own (resolved)."""
    sources = find_sources_file(bank_file.parent)
    return (sources.parent if sources is not None else bank_file.parent).resolve()


def image_format(header: bytes) -> str | None:
    """The format the first bytes of a file announce, if it is one we accept."""
    for name, magics, _ in _FORMATS:
        if header.startswith(magics):
            if name == "WebP" and header[8:12] != b"WEBP":
                continue
            return name
    return None


def resolve_image(root: Path, folder: Path, name: str) -> Path:
    """The file ``name`` (relative to the bank file's ``folder``) names, if it stays in ``root``.

    Raises:
        ImageRefused: the name is absolute, the file is missing, or it lies outside ``root``
            once symlinks are resolved.
    """
    if PurePath(name).is_absolute() or name.startswith("~"):
        raise ImageRefused(
            "is an absolute path: an image is named relative to the bank file "
            "(copy it into the bank's folder)"
        )
    try:
        real = (folder / name).resolve(strict=True)
    except RuntimeError:  # Python 3.11 reports a symlink loop this way
        raise ImageRefused("is a loop of symbolic links") from None
    except (OSError, ValueError) as error:  # missing, a NUL byte, a name too long...
        if isinstance(error, OSError) and error.errno == errno.ELOOP:
            raise ImageRefused("is a loop of symbolic links") from None
        raise ImageMissing("not found (relative to the bank file)") from None
    if not real.is_relative_to(root):
        raise ImageRefused(
            f"leads outside the bank's folder (to {real}): an image must be a file "
            "in the folder of the bank's sources.yaml or below it"
        )
    return real


def _open_below(root: Path, real: Path) -> int:
    """Open ``real`` (resolved, below ``root``) for reading, following no symlink on the way."""
    if not _WALK_BY_FD:  # pragma: no cover - no dir_fd or O_NOFOLLOW (Windows)
        return os.open(real, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    parts = real.relative_to(root).parts
    if not parts:
        raise IsADirectoryError(real)
    fd = os.open(root, os.O_RDONLY | _DIRECTORY)
    try:
        for part in parts[:-1]:
            inner = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = inner
        return os.open(parts[-1], _FILE_FLAGS, dir_fd=fd)
    finally:
        os.close(fd)


def _read(root: Path, real: Path, limit: int) -> tuple[bytes, int]:
    """Up to ``limit`` bytes of the regular file ``real`` and its size, checked on the open fd."""
    try:
        fd = _open_below(root, real)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):  # O_NOFOLLOW met a symlink
            raise ImageRefused("changed into a symbolic link after it was checked") from None
        raise ImageRefused(f"cannot be read: {os_error_text(error)}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ImageRefused("is not a regular file")
        if info.st_size > MAX_IMAGE_BYTES:
            raise ImageRefused(
                f"is too large ({info.st_size / 1048576:.1f} MB; "
                f"the limit is {MAX_IMAGE_BYTES // 1048576} MB)"
            )
        chunks: list[bytes] = []
        wanted = min(limit, MAX_IMAGE_BYTES + 1)
        while wanted > 0 and (chunk := os.read(fd, min(wanted, 1 << 20))):
            chunks.append(chunk)
            wanted -= len(chunk)
        data = b"".join(chunks)
    except OSError as error:
        raise ImageRefused(f"cannot be read: {os_error_text(error)}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_IMAGE_BYTES:  # it grew after fstat
        raise ImageRefused(f"is too large (the limit is {MAX_IMAGE_BYTES // 1048576} MB)")
    return data, info.st_size


def _check_content(real: Path, header: bytes) -> None:
    found = image_format(header)
    if found is None:
        raise ImageRefused(f"is not a {FORMAT_NAMES} image (its content does not start like one)")
    suffixes = next(s for name, _, s in _FORMATS if name == found)
    if real.suffix.lower() not in suffixes:
        raise ImageRefused(
            f"holds {found} data but its name ends in {real.suffix or 'nothing'!r}; "
            f"name it {suffixes[0]}"
        )


def check_image(root: Path, folder: Path, name: str) -> Path:
    """Validate the image ``name`` of a bank in ``folder`` confined to ``root``; its real path.

    Reads only the file's first bytes.

    Raises:
        ImageRefused: why the image cannot be used (a message for the author).
    """
    real = resolve_image(root, folder, name)
    header, _ = _read(root, real, _HEADER_BYTES)
    _check_content(real, header)
    return real


def read_image(root: Path, path: Path) -> bytes:
    """The bytes of a validated image, every check repeated on the file as it is read now.

    Raises:
        ImageRefused: the file is no longer inside ``root``, regular, small or an image.
    """
    real = resolve_image(root, path.parent, path.name)
    data, _ = _read(root, real, MAX_IMAGE_BYTES + 1)
    _check_content(real, data[:_HEADER_BYTES])
    return data
