"""Nothing from a bank, a file name or the database reaches the terminal raw.

A bank holding ``ESC ] 0 ; pwned BEL`` would retitle the learner's terminal,
``ESC [ 2 J`` would clear it, OSC 52 would write the clipboard and OSC 8 hide a
link. Every command shows such characters visibly (``\\x1b``) instead.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hoquiz.cli import cli
from hoquiz.cli.study import ClickConsole
from hoquiz.text import terminal_safe

# What a terminal would act on: C0 controls but tab and newline, DEL, C1.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# YAML double-quoted escapes: title, clear screen, a bare C1 CSI, clipboard, hyperlink.
EVIL_YAML = r"\e]0;pwned\a\e[2J\x9b2J\e]52;c;Zm9v\a\e]8;;http://x\e\\L\e]8;;\e\\\x7f\rX"
EVIL_SHOWN = (
    r"\x1b]0;pwned\x07\x1b[2J\x9b2J\x1b]52;c;Zm9v\x07\x1b]8;;http://x\x1b\L\x1b]8;;\x1b\\x7f\x0dX"
)

SOURCES = f"""\
sources:
  - id: doc
    title: "Doc {EVIL_YAML}"
    kind: test document
    sections: [Intro]
"""

BANK = f"""\
id: evil
title: "Bank {EVIL_YAML}"
description: "D {EVIL_YAML}"
questions:
  - id: q1
    type: mcq
    prompt: "Prompt {EVIL_YAML}"
    choices:
      - {{text: "Right {EVIL_YAML}", feedback: "Feedback {EVIL_YAML}"}}
      - "Wrong {EVIL_YAML}"
    answer: "Right {EVIL_YAML}"
    explanation: "Explanation {EVIL_YAML}"
    source: {{doc: doc, section: Intro}}
  - id: q2
    type: short
    prompt: "Short {EVIL_YAML}"
    accept: ["Accepted {EVIL_YAML}"]
    explanation: "E {EVIL_YAML}"
    source: {{doc: doc, section: Intro}}
"""


@pytest.fixture
def evil(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("HOQUIZ_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (folder / "evil.yaml").write_text(BANK, encoding="utf-8")
    return folder


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def assert_clean(text: str) -> None:
    found = RAW_CONTROL.search(text)
    assert found is None, f"raw {found.group()!r} at {found.start()}: {text[: found.start()]!r}"


def test_terminal_safe_shows_controls_and_keeps_text() -> None:
    assert terminal_safe("a\x1b[2Jb\tc\nd\x9b\x7f\x00é") == "a\\x1b[2Jb\tc\nd\\x9b\\x7f\\x00é"
    assert terminal_safe("bad \udcff byte") == "bad \\udcff byte"


def test_show_prints_every_field_visibly(evil: Path) -> None:
    result = run("show", "evil/q1", str(evil))
    assert result.exit_code == 0, result.output
    assert_clean(result.output)
    assert f"Prompt {EVIL_SHOWN}" in result.output
    assert f"Explanation: Explanation {EVIL_SHOWN}" in result.output
    assert f"Feedback {EVIL_SHOWN}" in result.output
    assert f"Doc {EVIL_SHOWN}" in result.output


def test_list_text_and_json(evil: Path) -> None:
    text = run("list", str(evil))
    assert text.exit_code == 0
    assert_clean(text.output)
    assert text.output.startswith(f"evil  Bank {EVIL_SHOWN}  (2 questions)\n")
    as_json = run("list", "--json", str(evil))
    assert_clean(as_json.output)
    assert json.loads(as_json.output)[0]["title"].startswith("Bank \x1b]0;pwned\x07")


@pytest.mark.parametrize("mode", ["review", "cram", "exam"])
def test_quiz_in_every_mode(evil: Path, tmp_path: Path, mode: str) -> None:
    result = run(
        "quiz", str(evil), "--mode", mode, "--seed", "1", "--db", str(tmp_path / "p.db"),
        input="a\na\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert_clean(result.output)
    assert f"Prompt {EVIL_SHOWN}" in result.output
    assert f"Short {EVIL_SHOWN}" in result.output
    assert f"E {EVIL_SHOWN}" in result.output  # feedback, or the exam report's missed question


def test_piped_answer_is_echoed_visibly(evil: Path, tmp_path: Path) -> None:
    result = run("quiz", str(evil), "--db", str(tmp_path / "p.db"), input="\x1b]0;x\x07\nq\n")
    assert_clean(result.output)
    assert "> \\x1b]0;x\\x07\n" in result.output


def test_stats_text_and_json(evil: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "p.db")
    run("quiz", str(evil), "--db", db, "--seed", "1", input="a\n")
    for args in ((), ("--json",)):
        result = run("stats", str(evil), "--db", db, *args)
        assert result.exit_code == 0, result.output
        assert_clean(result.output)


def test_validate_names_a_hostile_file_visibly(evil: Path) -> None:
    (evil / "ev\x1b]0;pwned\x07il.yaml").write_text("id: [\n", encoding="utf-8")
    result = run("validate", "banks")
    assert result.exit_code == 1
    assert_clean(result.stderr)
    assert result.stderr.startswith("banks/ev\\x1b]0;pwned\\x07il.yaml:2:1: ")


def test_lint_output_is_clean(evil: Path) -> None:
    result = run("lint", str(evil))
    assert_clean(result.output)


def test_error_line_quoting_bank_text_is_clean(evil: Path) -> None:
    result = run("show", "evil/\x1b[2Jnope", str(evil))
    assert result.exit_code != 0
    assert_clean(result.output)
    assert "\\x1b[2Jnope" in result.output


def test_export_summary_names_the_file_visibly(evil: Path) -> None:
    result = run("export", str(evil), "-o", "out\x1b[2J.apkg")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Wrote out\\x1b[2J.apkg: 1 deck, 2 notes")


def test_own_colours_still_work(capsys: pytest.CaptureFixture[str]) -> None:
    ClickConsole(color=True, echo_input=False).show("ok \x1b[2J", "good")
    assert capsys.readouterr().out == "\x1b[32m\x1b[1mok \\x1b[2J\x1b[0m\n"


def test_bytes_on_a_real_stdout(evil: Path, tmp_path: Path) -> None:
    # The bytes a terminal would receive, from a real process.
    env = {**os.environ, "HOQUIZ_DB": str(tmp_path / "p.db")}
    for args in (["show", "evil/q1"], ["list"], ["quiz", "--seed", "1"], ["stats"]):
        out = subprocess.run(
            [sys.executable, "-m", "hoquiz", *args, str(evil)],
            input=b"a\nq\n",
            capture_output=True,
            env=env,
            check=False,
        )
        assert out.returncode == 0, out.stderr
        assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", out.stdout), out.stdout
        assert b"\\x1b]0;pwned\\x07" in out.stdout or args == ["stats"]


# -- property: whatever text a bank holds, no control character is printed ----------

_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prompt=_TEXT, explanation=_TEXT)
def test_no_control_character_from_bank_text_reaches_stdout(
    tmp_path_factory: pytest.TempPathFactory, prompt: str, explanation: str
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "sources.yaml").write_text(
        "sources:\n  - {id: doc, title: D, kind: k, sections: [Intro]}\n", encoding="utf-8"
    )
    bank = {
        "id": "f",
        "title": "F",
        "questions": [
            {
                "id": "q",
                "type": "flashcard",
                "front": prompt,
                "back": "B",
                "explanation": explanation,
                "source": {"doc": "doc", "section": "Intro"},
            }
        ],
    }
    # JSON is YAML: every character arrives escaped, as a hostile author would write it.
    (folder / "f.yaml").write_text(json.dumps(bank), encoding="utf-8")
    for args in (["show", "f/q"], ["list"]):
        result = run(*args, str(folder))
        assert_clean(result.output)


# -- property: every command, every field, hostile file names ---------------------------

# Characters a hostile author reaches for: ESC and the sequences it starts, C1 controls,
# BEL, CR, DEL, bidi controls; mixed with plain text so the sequences are well formed.
_HOSTILE = st.lists(
    st.sampled_from(
        [
            "\x1b]0;pwned\x07", "\x1b[2J", "\x1b]52;c;Zm9v\x07", "\x1b]8;;http://x\x1b\\",
            "\x9b2J", "\x9d0;t\x9c", "\x07", "\r", "\x7f", "\x00", "\u202e", "\u2066", "\u200f",
            "\x1bP+q\x1b\\", "\x1b[6n", "ok", " ", "é", "\n",
        ]
    ),
    min_size=1,
    max_size=8,
).map("".join) | _TEXT  # fmt: skip
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(_HOSTILE, min_size=5, max_size=5), name=_HOSTILE)
def test_no_control_character_reaches_the_terminal_from_any_command(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str], name: str
) -> None:
    prompt, first, second, feedback, title = texts
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "sources.yaml").write_text(
        "sources:\n  - {id: doc, title: D, kind: k, sections: [Intro]}\n", encoding="utf-8"
    )
    question = {
        "id": "q",
        "type": "mcq",
        "prompt": "P" + prompt,
        "choices": [{"text": "A" + first, "feedback": "F" + feedback}, "B" + second],
        "answer": "A" + first,
        "explanation": "E" + prompt,
        "source": {"doc": "doc", "section": "Intro"},
    }
    bank = {"id": "f", "title": "T" + title, "questions": [question]}
    (folder / "f.yaml").write_text(json.dumps(bank), encoding="utf-8")
    db = str(folder / "p.db")
    for args, given_input in (
        (["show", "f/q"], None),
        (["list"], None),
        (["lint"], None),
        (["validate"], None),
        (["quiz", "--seed", "1", "--db", db], "b\nq\n"),
        (["quiz", "--mode", "exam", "--seed", "1", "--db", db], "b\n"),
        (["stats", "--db", db], None),
    ):
        result = run(*args, str(folder), input=given_input)
        assert result.exit_code in (0, 1), (args, result.output)
        assert_clean(result.output)
        assert not _BIDI.search(result.output), (args, result.output)
    # An answer that is not a choice: the error line quotes bank text; a file named by the bank.
    question["answer"] = "Z" + first
    hostile_name = "b" + name.replace("/", "_").replace("\x00", "_") + ".yaml"
    (folder / hostile_name).write_text(json.dumps({**bank, "id": "g"}), encoding="utf-8")
    result = run("validate", str(folder))
    assert result.exit_code == 1
    assert_clean(result.output)
    assert not _BIDI.search(result.output)
