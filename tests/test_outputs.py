"""Where exports go: files replaced atomically, devices never, stdout on request."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from export_banks import write_banks

from hoquiz.cli import cli
from hoquiz.cli.study import MAX_ANSWER_CHARS, read_answer


@pytest.fixture
def banks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_banks(tmp_path / "banks")


def export(*args: str) -> tuple[int, str, bytes]:
    result = CliRunner().invoke(cli, ["export", *args])
    return result.exit_code, result.stderr, result.stdout_bytes


def test_a_device_is_never_replaced(banks: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, err, _ = export(str(banks), "-o", str(fifo))
    assert code == 1
    assert (
        err
        == f"Error: cannot write {fifo}: it is not a regular file (use -o - for standard output)\n"
    )
    assert fifo.is_fifo()
    code, err, _ = export(str(banks), "-o", "/dev/null")
    assert code == 1 and "it is not a regular file" in err
    assert Path("/dev/null").is_char_device()


def test_dash_writes_the_package_to_stdout(banks: Path) -> None:
    code, err, out = export(str(banks), "-o", "-")
    assert code == 0, err
    assert zipfile.ZipFile(io.BytesIO(out)).namelist()[0] == "collection.anki2"
    assert err.startswith("Wrote standard output: ")
    assert not Path("-").exists()


def test_dash_neither_reads_nor_writes_the_release_manifest(
    banks: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The manifest records what a file export shipped; a stream leaves nothing to
    # compare the next export with, so `-o -` is a throwaway export (--no-manifest).
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    manifest = banks / "hoquiz-manifest.json"
    code, err, out = export(str(banks), "-o", "-")
    assert code == 0, err
    assert not manifest.exists() and not Path("-").exists()
    code, err, _ = export(str(banks), "-o", "kept.apkg", "--no-manifest")
    assert code == 0, err
    assert out == Path("kept.apkg").read_bytes()  # the same package a file would hold
    assert not manifest.exists()
    code, err, _ = export(str(banks), "-o", "release.apkg")
    assert code == 0, err
    shipped = manifest.read_bytes()
    code, err, again = export(str(banks), "-o", "-")
    assert code == 0, err
    assert again == out
    assert manifest.read_bytes() == shipped
    assert sorted(p.name for p in tmp_path.iterdir()) == ["banks", "kept.apkg", "release.apkg"]


def test_missing_folder_with_a_slash_is_an_error_not_a_file(banks: Path) -> None:
    code, err, _ = export(str(banks), "-o", "newdir/")
    assert code == 2
    assert err.splitlines()[-1] == "Error: -o names a file, not a folder: newdir/"
    assert not Path("newdir").exists()


def test_a_symlink_is_replaced_not_written_through(banks: Path, tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    Path("out.apkg").symlink_to(target)
    code, err, _ = export(str(banks), "-o", "out.apkg")
    assert code == 0, err
    assert target.read_text(encoding="utf-8") == "keep me"
    assert Path("out.apkg").is_file() and not Path("out.apkg").is_symlink()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_an_atomic_write_leaves_no_temp_file(tmp_path: Path, signum: int) -> None:
    # The child is stopped inside write_atomically (its write blocks on a slow fsync
    # stand-in) and signalled there.
    code = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from hoquiz import atomic\n"
        "real = os.fsync\n"
        f"os.fsync = lambda fd: os.kill(os.getpid(), {int(signum)})\n"
        "try:\n"
        f"    atomic.write_atomically(Path({str(tmp_path / 'out.bin')!r}), b'x' * 1000)\n"
        "except atomic.Terminated as stop:\n"
        "    sys.exit(stop.exit_code)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert result.returncode == 128 + signum, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_typed_answers_are_bounded_and_invalid_utf8_is_replaced() -> None:
    raw = io.BytesIO(b"caf\xe9\n" + b"x" * (MAX_ANSWER_CHARS * 5) + b"\nnext\n")
    stream = io.TextIOWrapper(raw, encoding="utf-8")
    assert read_answer(stream) == "caf\ufffd"
    assert read_answer(stream) == "x" * MAX_ANSWER_CHARS
    assert read_answer(stream) == "next"
    assert read_answer(stream) is None


def test_invalid_utf8_in_a_quiz_does_not_crash(tmp_path: Path) -> None:
    folder = write_banks(tmp_path / "banks")
    env = {**os.environ, "HOQUIZ_DB": str(tmp_path / "p.db"), "XDG_CACHE_HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-m", "hoquiz", "quiz", str(folder)],
        input=b"\xff\xfe\nq\n",
        capture_output=True,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert b"Traceback" not in out.stderr


def test_stats_never_writes_a_schema_into_an_empty_file(tmp_path: Path) -> None:
    folder = write_banks(tmp_path / "banks")
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    result = CliRunner().invoke(cli, ["stats", str(folder), "--db", str(empty)])
    assert result.exit_code == 0, result.output
    assert empty.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["banks", "empty.db"]
