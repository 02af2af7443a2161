"""Shared fixtures."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

# A sources.yaml for test banks: `doc` has sections (checked), `other` has none.
TEST_SOURCES = """\
sources:
  - id: doc
    title: A reference document
    kind: test document
    date: 2025-01-31
    sections: [Intro, Imaging]
  - id: other
    title: Another document
    kind: test document
"""

MakeBank = Callable[..., Path]


@pytest.fixture
def make_bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MakeBank:
    """Write a bank (dedented text) into the current folder, which is ``tmp_path``.

    The working directory becomes ``tmp_path``, so the returned path is
    relative (``bank.yaml``) and error lines read ``bank.yaml:LINE:COL: ...``.
    A ``sources.yaml`` (``TEST_SOURCES`` unless ``sources`` says otherwise;
    ``None`` for none) is written beside the bank unless one is there already.
    """
    monkeypatch.chdir(tmp_path)

    def make(body: str, name: str = "bank.yaml", *, sources: str | None = TEST_SOURCES) -> Path:
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        sources_file = path.parent / "sources.yaml"
        if sources is not None and not sources_file.exists():
            sources_file.write_text(sources, encoding="utf-8")
        path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
        return path

    return make
