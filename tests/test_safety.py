"""Hostile or odd files: no code runs, no blow-up, no crash; every refusal is located."""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import MakeBank

from hoquiz.banks.yamlio import MAX_DEPTH, MAX_FILE_BYTES
from hoquiz.cli import cli
from hoquiz.errors import Problem

VALID = """\
id: t
title: T
questions:
  - id: q1
    type: flashcard
    front: Café?
    back: Crème.
    explanation: E
    source: {doc: doc, section: Intro}
"""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["validate", *map(str, args)])


def stderr_lines(path: Path) -> list[str]:
    result = run(path)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a clean error, not a crash
    return result.stderr.splitlines()


# -- no code from YAML tags -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ('!!python/object/apply:os.system ["touch {marker}"]', "!!python/object/apply:os.system"),
        ("!!python/object/new:os.system [touch {marker}]", "!!python/object/new:os.system"),
        ("!!python/name:os.system", "!!python/name:os.system"),
        ("!custom 3", "!custom"),
    ],
)
def test_python_tags_are_errors_and_run_nothing(
    make_bank: MakeBank, tmp_path: Path, value: str, tag: str
) -> None:
    marker = tmp_path / "marker"
    path = make_bank(VALID.replace("title: T", "title: " + value.format(marker=marker)))
    assert stderr_lines(path) == [
        f"bank.yaml:2:8: tag {tag} is not allowed: banks are plain data; remove the tag",
        "1 problem in 1 file",
    ]
    assert not marker.exists()


# -- aliases: billion laughs ---------------------------------------------------------------

LAUGHS = "lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
)


def test_billion_laughs_fails_fast_small_and_located(make_bank: MakeBank) -> None:
    path = make_bank(LAUGHS)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        lines = stderr_lines(path)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == [
        "bank.yaml:1:7: YAML anchors and aliases (&name, *name) are not supported: "
        "this anchored value is reused; write it out in full",
        "1 problem in 1 file",
    ]
    # Sanity guards only (timings belong in benchmarks): a 9^9 expansion would
    # take minutes and gigabytes.
    assert elapsed < 5
    assert peak < 5 * 1024 * 1024


def test_a_single_alias_is_refused_where_its_anchor_is(make_bank: MakeBank) -> None:
    text = VALID.replace("front: Café?", "front: &f Café?").replace("back: Crème.", "back: *f")
    assert stderr_lines(make_bank(text)) == [
        "bank.yaml:6:12: YAML anchors and aliases (&name, *name) are not supported: "
        "this anchored value is reused; write it out in full",
        "1 problem in 1 file",
    ]


def test_an_unused_anchor_is_harmless(make_bank: MakeBank) -> None:
    assert run(make_bank(VALID.replace("front: Café?", "front: &f Café?"))).exit_code == 0


def test_alias_like_text_is_not_an_alias(make_bank: MakeBank) -> None:
    text = VALID.replace("back: Crème.", 'back: "*not* an alias, **bold** & co"')
    assert run(make_bank(text)).exit_code == 0


@pytest.mark.parametrize(
    "extra", ["base: &b {front: F}\n", ""], ids=["merge-of-an-alias", "merge-of-a-mapping"]
)
def test_merge_keys_are_refused(make_bank: MakeBank, extra: str) -> None:
    merged = "*b" if extra else "{front: F}"
    text = extra + VALID.replace("    front: Café?\n", f"    <<: {merged}\n")
    line = 7 if extra else 6
    assert stderr_lines(make_bank(text)) == [
        f"bank.yaml:{line}:5: YAML merge keys (<<) are not supported",
        "1 problem in 1 file",
    ]


# -- size -------------------------------------------------------------------------------


def test_file_over_20_mb_is_refused_without_reading_it(make_bank: MakeBank) -> None:
    path = make_bank(VALID)
    with path.open("r+b") as handle:  # sparse: instant, and takes no disk space
        handle.truncate(MAX_FILE_BYTES + 1)
    start = time.perf_counter()
    lines = stderr_lines(path)
    assert time.perf_counter() - start < 5
    assert lines == [
        "bank.yaml:1:1: file is too large (20.1 MB; the limit is 20 MB): "
        "split it into several bank files in this folder, each with its own id "
        "(they share its sources.yaml)",
        "1 problem in 1 file",
    ]


def test_file_of_exactly_20_mb_is_read(make_bank: MakeBank) -> None:
    path = make_bank(VALID)
    with path.open("ab") as handle:
        handle.write(b"#" * (MAX_FILE_BYTES - path.stat().st_size - 1) + b"\n")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert run(path).exit_code == 0


# -- encodings and line ends ------------------------------------------------------------------


def test_bom_and_crlf_are_accepted(make_bank: MakeBank) -> None:
    path = make_bank("")
    path.write_bytes(b"\xef\xbb\xbf" + VALID.replace("\n", "\r\n").encode("utf-8"))
    result = run(path)
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 bank, 1 question OK\n"


def test_crlf_and_bom_do_not_shift_positions(make_bank: MakeBank) -> None:
    path = make_bank("")
    text = VALID.replace("id: t", "id: T").replace("back: Crème.", "back: [Crème]")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert stderr_lines(path) == [
        "bank.yaml:1:5: 'id' 'T' is not a slug: use lowercase letters, digits and '-' only "
        "(e.g. 't')",
        "bank.yaml:7:11: 'back' must be text, not a list",
        "2 problems in 1 file",
    ]


def test_non_utf8_byte_is_located_in_characters(make_bank: MakeBank) -> None:
    path = make_bank("")
    # Line 6 is "    front: Café?" with a Latin-1 'é' (one byte) after "Caf";
    # a UTF-8 'é' earlier on the line counts as one column, not two.
    text = VALID.replace("front: Café?", "front: éCafé?").encode("utf-8")
    path.write_bytes(text.replace("Café".encode(), b"Caf\xe9"))
    assert stderr_lines(path) == [
        "bank.yaml:6:16: not valid UTF-8: byte 0xe9 cannot be decoded (save the file as UTF-8)",
        "1 problem in 1 file",
    ]


def test_utf16_is_named(make_bank: MakeBank) -> None:
    path = make_bank("")
    path.write_text(VALID, encoding="utf-16")
    assert stderr_lines(path) == [
        "bank.yaml:1:1: file is UTF-16 text; save it as UTF-8",
        "1 problem in 1 file",
    ]


@pytest.mark.parametrize(("char", "code"), [("\x00", "0000"), ("\x07", "0007"), ("\ufffe", "FFFE")])
def test_control_characters_are_located(make_bank: MakeBank, char: str, code: str) -> None:
    path = make_bank(VALID.replace("back: Crème.", f"back: Cr{char}me."))
    assert stderr_lines(path) == [
        f"bank.yaml:7:13: character U+{code} is not printable and not allowed in YAML; remove it",
        "1 problem in 1 file",
    ]


# -- nesting ----------------------------------------------------------------------------------

TOO_DEEP = (
    f"lists and mappings are nested more than {MAX_DEPTH} levels deep here; "
    "a bank needs only a few (look for an unclosed '[' or '{')"
)


def _validate_in_subprocess(folder: Path) -> subprocess.CompletedProcess[str]:
    """``hoquiz validate`` of ``folder`` in a child process, which found problems."""
    result = subprocess.run(
        [sys.executable, "-m", "hoquiz", "validate", "."],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    return result


def test_100000_open_brackets_do_not_crash(tmp_path: Path) -> None:
    # In a subprocess: without the depth bound, libyaml overflows the C stack
    # (SIGSEGV), which would take pytest down with it.
    (tmp_path / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    (tmp_path / "deep.yaml").write_text("[" * 100_000 + "\n", encoding="utf-8")
    (tmp_path / "deeper.yaml").write_text("{a: " * 50_000 + "}" * 50_000 + "\n", encoding="utf-8")
    (tmp_path / "block.yaml").write_text("- " * 50_000 + "x\n", encoding="utf-8")
    result = _validate_in_subprocess(tmp_path)
    assert result.stderr.splitlines() == [
        f"block.yaml:1:{2 * MAX_DEPTH + 1}: {TOO_DEEP}",
        f"deep.yaml:1:{MAX_DEPTH + 1}: {TOO_DEEP}",
        f"deeper.yaml:1:{4 * MAX_DEPTH + 1}: {TOO_DEEP}",
        "3 problems in 3 files",
    ]


@pytest.mark.parametrize(
    "lines",
    [
        # Each line's first quote ends the text the line before opened; the
        # brackets after it are YAML, nesting ten levels a line.
        ['a: [ "s', *['  x: ", [[[[[[[[[["'] * 3000, '  y"'],
        # A line starting with a quote continues the plain text 'w'; the ','
        # ends it, the brackets after it nest and the last quote opens a text
        # that the next line's first quote ends.
        ["a: [ w", '  "x, [[[[[[[[[[ "', *['  ", [[[[[[[[[[ "'] * 3000, '  "]'],
    ],
)
def test_brackets_after_a_quote_that_ends_a_text_count_as_nesting(
    tmp_path: Path, lines: list[str]
) -> None:
    # In a subprocess, as above: past libyaml's own limit (if it has one) this
    # would overflow the C stack if the nesting check were skipped.
    (tmp_path / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    (tmp_path / "deep.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _validate_in_subprocess(tmp_path)
    assert result.stderr.splitlines()[0].endswith(f": {TOO_DEEP}")


def test_nesting_at_the_limit_is_parsed(make_bank: MakeBank) -> None:
    # The bank mapping is level 1; 99 lists make 100 levels.
    deepest = "[" * (MAX_DEPTH - 1) + "x" + "]" * (MAX_DEPTH - 1)
    assert stderr_lines(make_bank(VALID + f"tags: {deepest}\n")) == [
        "bank.yaml:10:8: tag must be text, not a list",
        "1 problem in 1 file",
    ]


def test_nesting_one_past_the_limit_is_refused(make_bank: MakeBank) -> None:
    deepest = "[" * MAX_DEPTH + "x" + "]" * MAX_DEPTH
    assert stderr_lines(make_bank(VALID + f"tags: {deepest}\n")) == [
        f"bank.yaml:10:{6 + MAX_DEPTH}: {TOO_DEEP}",
        "1 problem in 1 file",
    ]


def test_brackets_inside_text_are_not_nesting(make_bank: MakeBank) -> None:
    text = VALID.replace("back: Crème.", f"back: '{'[' * 500}'")
    assert run(make_bank(text)).exit_code == 0


def test_many_shallow_lists_are_fine(make_bank: MakeBank) -> None:
    tags = "".join(f"  - [a{i}, b{i}]\n" for i in range(2 * MAX_DEPTH))
    assert stderr_lines(make_bank(VALID + "tags:\n" + tags))[0] == (
        "bank.yaml:11:5: tag must be text, not a list"
    )


@pytest.mark.parametrize(
    "line",
    ["  - [a, b]", "  - {a: b}", "  - k: [a, b]"],
)
def test_deep_nesting_among_many_closed_flow_lines_is_refused(
    make_bank: MakeBank, line: str
) -> None:
    # Lines that close every bracket they open are not counted as nesting;
    # the deep list after them still is.
    many = "".join(f"{line}\n" for _ in range(2 * MAX_DEPTH))
    deepest = "[" * MAX_DEPTH + "x" + "]" * MAX_DEPTH
    text = VALID + "tags:\n" + many + f"description: {deepest}\n"
    assert stderr_lines(make_bank(text)) == [
        f"bank.yaml:{11 + 2 * MAX_DEPTH}:{13 + MAX_DEPTH}: {TOO_DEEP}",
        "1 problem in 1 file",
    ]


def test_deep_nesting_among_many_quoted_lines_of_brackets_is_refused(
    make_bank: MakeBank,
) -> None:
    # Brackets inside a double-quoted text of one line (cloze texts) are not
    # nesting: many of them still leave a deep list after them refused.
    many = "".join(f'  - "{{{{c1::{i}}}}} [{i}]"\n' for i in range(2000))
    deepest = "[" * MAX_DEPTH + "x" + "]" * MAX_DEPTH
    text = VALID + "tags:\n" + many + f"description: {deepest}\n"
    assert stderr_lines(make_bank(text)) == [
        f"bank.yaml:{11 + 2000}:{13 + MAX_DEPTH}: {TOO_DEEP}",
        "1 problem in 1 file",
    ]


def test_lines_that_leave_a_bracket_open_count_as_nesting(make_bank: MakeBank) -> None:
    # Each line closes one of the two lists it opens.
    text = VALID + "tags:\n  - " + "[x, [y],\n    " * MAX_DEPTH + "z\n"
    assert stderr_lines(make_bank(text))[0].endswith(f": {TOO_DEEP}")


def test_a_lone_surrogate_is_a_located_problem_not_a_crash() -> None:
    # Text decoded leniently (surrogateescape) can hold lone surrogates, which libyaml
    # cannot encode: the parser reports where the first one is.
    from hoquiz.banks.yamlio import parse

    assert parse("id: x\ntitle: a\udcff\n", "bank.yaml") == (
        None,
        [Problem("bank.yaml", 2, 9, "U+DCFF is not a character; remove it")],
    )
