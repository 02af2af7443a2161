"""Options several commands share are declared once: the same name, type and help everywhere."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from hoquiz.cli import cli

DOCS = Path(__file__).parent.parent / "docs"


def options(command: str) -> dict[str, click.Option]:
    found = cli.commands[command].params
    return {p.opts[-1]: p for p in found if isinstance(p, click.Option) and p.name != "help"}


@pytest.mark.parametrize("flag", ["--new", "--retention", "--day-starts"])
def test_quiz_and_settings_share_the_study_settings(flag: str) -> None:
    quiz, settings = options("quiz")[flag], options("settings")[flag]
    assert quiz.to_info_dict() == settings.to_info_dict()


def test_stats_day_starts_is_the_same_option() -> None:
    assert options("stats")["--day-starts"].to_info_dict() == (
        options("settings")["--day-starts"].to_info_dict()
    )


def test_every_option_of_the_study_commands_is_documented() -> None:
    doc = (DOCS / "quiz.md").read_text(encoding="utf-8")
    for command in ("quiz", "stats", "settings"):
        synopsis = next(line for line in doc.splitlines() if line.startswith(f"hoquiz {command} "))
        start = doc.index(synopsis)
        block = doc[start : doc.index("```", start)]
        for flag in options(command):
            assert flag in block, (command, flag)
