"""Atomic file writes: a temporary file in the target folder, then a rename.

A reader (or a crash) sees the old file or the new one, never half of one,
and no temporary file is left behind on any failure.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path


def file_mode(path: Path) -> int:
    """An existing file's permissions, or the usual ones for a new file (umask)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived during an atomic write (the temporary file is removed)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.exit_code = 128 + signum


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`Terminated` while the block runs (main thread only).

    Their default action kills the process at once, leaving the temporary file behind.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise Terminated(signum)

    wanted = [s for s in ("SIGTERM", "SIGHUP") if hasattr(signal, s)]
    before = {name: signal.signal(getattr(signal, name), terminate) for name in wanted}
    try:
        yield
    finally:
        for name, handler in before.items():
            signal.signal(getattr(signal, name), handler)


def write_atomically(path: Path, data: bytes, *, replace: bool = True) -> None:
    """Write ``data`` to ``path`` atomically.

    With ``replace=False`` an existing file is never overwritten: the new
    file is linked into place, which fails with ``FileExistsError``.

    Raises:
        OSError: the file could not be written; ``path`` is unchanged.
    """
    import tempfile  # off the start of commands that write nothing

    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with _signals_raise():
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, file_mode(path))
            if replace:
                os.replace(temp, path)
            else:
                os.link(temp, path)
    finally:
        with contextlib.suppress(OSError):  # gone already after a replace
            os.unlink(temp)
