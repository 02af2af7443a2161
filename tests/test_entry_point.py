"""The console entry point ends the process without Python's teardown: nothing is lost.

``hoquiz.cli.main`` flushes what was printed and leaves with ``os._exit``;
these run it as a user does, in a process of its own.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from quiz_banks import tf_bank, write_banks

from hoquiz.cli import cli


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hoquiz", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_output_and_status_are_those_of_the_command(tmp_path: Path) -> None:
    banks = write_banks(tmp_path / "banks", tf=tf_bank("tf", 300))
    for args in (["list", str(banks)], ["validate", str(tmp_path / "missing")], ["nosuch"]):
        done = run(*args)
        expected = CliRunner().invoke(cli, args, prog_name="hoquiz")
        assert (done.returncode, done.stdout, done.stderr) == (
            expected.exit_code,
            expected.stdout,
            expected.stderr,
        ), args
    assert run("list", str(banks)).stdout.count("\n") > 1


def test_a_quiz_keeps_every_answer_and_leaves_no_journal(tmp_path: Path) -> None:
    banks = write_banks(tmp_path / "banks", tf=tf_bank("tf", 3))
    data = tmp_path / "data"
    data.mkdir()
    db = data / "progress.db"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = run("quiz", str(banks), "--db", str(db), stdin="t\nf\nq\n", env=env)
    assert done.returncode == 0, done.stderr
    assert "answered: 2" in done.stdout
    assert sorted(p.name for p in data.iterdir()) == ["progress.db"]  # closed: no -wal, -shm
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT count(*) FROM review_log").fetchone()[0] == 2


def test_a_reader_gone_is_status_1_without_a_message(tmp_path: Path) -> None:
    banks = write_banks(tmp_path / "banks", tf=tf_bank("tf", 3000))
    reader = subprocess.Popen(["true"], stdin=subprocess.PIPE)
    assert reader.stdin is not None
    reader.wait()  # gone before anything is written
    done = subprocess.run(
        [sys.executable, "-m", "hoquiz", "export", str(banks), "--format", "csv", "-o", "-"],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    reader.stdin.close()
    assert (done.returncode, done.stderr) == (1, "")


def test_an_export_to_standard_output_is_the_file(tmp_path: Path) -> None:
    banks = write_banks(tmp_path / "banks", tf=tf_bank("tf", 3))
    written = tmp_path / "tf.csv"
    assert run("export", str(banks), "--format", "csv", "-o", str(written)).returncode == 0
    done = subprocess.run(
        [sys.executable, "-m", "hoquiz", "export", str(banks), "--format", "csv", "-o", "-"],
        capture_output=True,
        check=False,
        cwd=tmp_path,
    )
    assert (done.returncode, done.stdout) == (0, written.read_bytes())
    assert done.stderr == b"Wrote standard output: 3 questions\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["banks", "tf.csv"]  # no file "-"
