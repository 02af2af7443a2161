"""Whatever ``image:`` says, no file outside the bank is opened: not by validate, lint, export.

The kernel is the witness: an inotify watch on a secret file beside the bank
folder reports any open or read of it, by any code path (a symlink, ``..``,
an absolute path, a file swapped in between check and use), so the test does
not depend on which Python function hoquiz happens to call.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_media import BANK, IMAGE_PARTS, SECRET, hostile_image_folder

from hoquiz.banks.loader import load_banks
from hoquiz.banks.paths import discover
from hoquiz.errors import BankError, UsageError
from hoquiz.formats.anki import build_package
from hoquiz.lint import lint_banks

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")

IN_ACCESS, IN_OPEN, IN_NONBLOCK = 0x1, 0x20, 0o4000


@contextmanager
def watched(path: Path) -> Iterator[list[int]]:
    """Inotify events (their masks) on ``path`` while the block runs, filled in at its end."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    fd = libc.inotify_init1(IN_NONBLOCK)
    assert fd >= 0
    try:
        assert libc.inotify_add_watch(fd, os.fsencode(path), IN_OPEN | IN_ACCESS) >= 0
        events: list[int] = []
        yield events
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            data = b""
        while data:
            _, mask, _, length = struct.unpack_from("iIII", data)
            events.append(mask)
            data = data[16 + length :]
    finally:
        os.close(fd)


def test_the_watch_sees_a_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(SECRET)
    (tmp_path / "link").symlink_to(secret)
    with watched(secret) as events:
        (tmp_path / "link").read_bytes()
    assert events and all(mask & (IN_OPEN | IN_ACCESS) for mask in events)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(IMAGE_PARTS, min_size=1, max_size=6), absolute=st.booleans())
def test_no_image_value_opens_a_file_outside_the_bank(
    tmp_path_factory: pytest.TempPathFactory, parts: list[str], absolute: bool
) -> None:
    bank, secret = hostile_image_folder(tmp_path_factory.mktemp("confined"))
    name = "/".join(parts)
    if absolute:
        name = str(bank / name)
    (bank / "b.yaml").write_text(BANK.format(image=f"'{name}'"), encoding="utf-8")
    target = Path(os.path.realpath(bank / name))
    with watched(secret) as events:
        try:
            banks = load_banks([bank / "b.yaml"])
        except BankError:
            banks = []
        if banks:
            lint_banks(banks)
            build_package(banks, source_date_epoch=0)
    assert events == [], f"{name!r} opened the secret"
    # Whatever reaches outside the folder is refused, not skipped.
    if not target.is_relative_to(bank.resolve()) or absolute:
        assert banks == []


def test_a_bank_file_symlinked_outside_the_folder_is_not_read(tmp_path: Path) -> None:
    # An error line quotes a bank's first characters: a symlink to /etc/passwd
    # showed 'root:x:0:0:root:/root:/bin/bash ...' (in a CI log, any file's start).
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "sources.yaml").write_text(
        "sources:\n  - {id: doc, title: D, kind: k, sections: [Intro]}\n", encoding="utf-8"
    )
    private = tmp_path / "private.yaml"
    private.write_text("token: SECRET-OUTSIDE-THE-BANK\n", encoding="utf-8")
    (folder / "leak.yaml").symlink_to(private)
    with watched(private) as events, pytest.raises(UsageError) as refused:
        load_banks([folder])
    assert events == []
    assert str(refused.value) == (
        f"{folder / 'leak.yaml'} is a symlink to a file outside {folder}; hoquiz reads only "
        "the files inside a folder it searches (copy the bank in, or name the file itself)"
    )
    inside = folder / "inner.yaml"  # a link within the folder is still followed
    inside.write_text(private.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "leak.yaml").unlink()
    (folder / "alias.yaml").symlink_to("inner.yaml")
    assert [p.name for p in discover([folder])] == ["alias.yaml"]


def test_a_sources_file_symlinked_outside_its_folder_is_not_read(tmp_path: Path) -> None:
    folder = tmp_path / "bank"
    folder.mkdir()
    private = tmp_path / "private.yaml"
    private.write_text("token: SECRET-OUTSIDE-THE-BANK\n", encoding="utf-8")
    (folder / "sources.yaml").symlink_to(private)
    (folder / "b.yaml").write_text("id: b\ntitle: B\nquestions: []\n", encoding="utf-8")
    with watched(private) as events, pytest.raises(UsageError) as refused:
        load_banks([folder])
    assert events == []
    assert str(refused.value) == (
        f"{folder / 'sources.yaml'} is a symlink to a file outside {folder}; "
        "copy the file in instead"
    )
