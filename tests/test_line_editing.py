"""Answers typed at a terminal: line editing and this session's history (a real pty)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from quiz_banks import tf_bank, write_banks

from hoquiz.store import Store

pytest.importorskip("readline", reason="line editing needs Python's readline module")

LEFT, UP = "\x1b[D", "\x1b[A"


class Terminal:
    """``hoquiz quiz`` on a pseudo-terminal: keys in, the screen's text out."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hoquiz", "quiz", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.screen = ""
        self.seen = 0  # how much of the screen earlier waits have used

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        """The screen so far, once ``text`` is on it after what an earlier call waited for."""
        deadline = time.monotonic() + timeout
        while (found := self.screen.find(text, self.seen)) < 0:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} never appeared in:\n{self.screen}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    self.screen += os.read(self.master, 4096).decode("utf-8", "replace")
                except OSError:  # the child closed the terminal
                    break
        self.seen = max(self.seen, found + len(text))
        return self.screen

    def prompt(self, after: str) -> None:
        """Wait for ``after``, then for the prompt that follows it, as a person would."""
        self.wait_for(after)
        self.wait_for("> ")
        time.sleep(0.2)  # the line editor is reading the terminal by now

    def type(self, *keys: str) -> None:
        for key in keys:  # one write per key, as a person types
            os.write(self.master, key.encode())
            time.sleep(0.05)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        os.close(self.master)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    folder = write_banks(tmp_path / "banks", a=tf_bank("a", 3))
    db = tmp_path / "p.db"
    env = {
        **os.environ,
        "TERM": "xterm",
        "INPUTRC": "/dev/null",  # the default key bindings, whatever the user's are
        "NO_COLOR": "1",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    env.pop("HOQUIZ_DB", None)
    term = Terminal([str(folder), "--db", str(db)], env)
    try:
        yield term, db
    finally:
        term.close()


def test_arrow_keys_edit_the_answer_and_up_recalls_it(terminal: tuple[Terminal, Path]) -> None:
    term, db = terminal
    term.prompt("Statement 1 of a is true.")
    # "tue", two steps left, "r": the cursor moved, nothing was inserted but the r.
    term.type("t", "u", "e", LEFT, LEFT, "r", "\r")
    term.prompt("Statement 2 of a is true.")
    term.type("?", "\r")
    term.prompt("  ?      this help")
    term.type(UP, "\r")  # the answer just given: Up skips commands such as ?
    term.prompt("Statement 3 of a is true.")
    term.type("q", "\r")
    screen = term.wait_for("Session summary")
    assert "^[[" not in screen and "\x1b[D" not in screen.split("Statement 1")[1]
    assert screen.count("\nCorrect.") == 2
    assert term.proc.wait(timeout=20) == 0
    with Store.open(db) as store:
        assert [(r.answer, r.correct) for r in store.reviews()] == [("true", True), ("true", True)]


def test_ctrl_d_ends_the_session_cleanly(terminal: tuple[Terminal, Path]) -> None:
    term, db = terminal
    term.prompt("Statement 1 of a is true.")
    term.type("t", "\r")
    term.prompt("Statement 2 of a is true.")
    term.type("\x04")
    screen = term.wait_for("  answered: 1")
    assert "Traceback" not in screen
    assert term.proc.wait(timeout=20) == 0
    with Store.open(db) as store:
        assert [r.answer for r in store.reviews()] == ["true"]
