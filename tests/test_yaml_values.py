"""Scalars a bank cannot mean: each is a located line, never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import MakeBank

from hoquiz.cli import cli

BANK = "id: y\ntitle: {title}\nquestions: []\n"


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("!!int abc", "'abc' cannot be read as !!int: remove the tag or fix the value"),
        ("!!bool maybe", "'maybe' cannot be read as !!bool: remove the tag or fix the value"),
        ("!!float x", "'x' cannot be read as !!float: remove the tag or fix the value"),
        (
            "2025-13-01",
            "'2025-13-01' is not a valid date (write YYYY-MM-DD, or quote it to keep it as text)",
        ),
        (
            "!!timestamp 2025-02-30",
            "'2025-02-30' is not a valid date (write YYYY-MM-DD, or quote it to keep it as text)",
        ),
    ],
)
def test_bad_scalar_is_located(make_bank: MakeBank, title: str, message: str) -> None:
    result = CliRunner().invoke(cli, ["validate", str(make_bank(BANK.format(title=title)))])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"bank.yaml:2:8: {message}", "1 problem in 1 file"]


def test_bad_date_in_sources_is_located(make_bank: MakeBank) -> None:
    sources = "sources:\n  - id: d\n    title: T\n    kind: k\n    date: 2025-02-29\n"
    path = make_bank(BANK.format(title="T"), sources=sources)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert (
        "sources.yaml:5:11: '2025-02-29' is not a valid date "
        "(write YYYY-MM-DD, or quote it to keep it as text)"
    ) in result.stderr.splitlines()
    assert "Traceback" not in result.output


def test_merge_tag_on_a_key_is_located(make_bank: MakeBank) -> None:
    result = CliRunner().invoke(cli, ["validate", str(make_bank("? !!merge x\n: 1\n"))])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith("bank.yaml:2:3: ")
