"""The bank cache is keyed on all of hoquiz's code, so no code change can serve stale banks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import hoquiz
from hoquiz.banks.cache import _package_checksum as code_digest  # uncached: read anew


def test_any_module_of_the_package_changes_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "hoquiz"
    shutil.copytree(Path(hoquiz.__file__).parent, copy)
    monkeypatch.setattr(hoquiz, "__file__", str(copy / "__init__.py"))
    before = code_digest()
    assert code_digest() == before
    text = copy / "cli" / "quiz_text.py"  # nothing to do with loading banks
    text.write_text(text.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    edited = code_digest()
    assert edited != before
    (copy / "model" / "new_module.py").write_text("", encoding="utf-8")
    assert code_digest() != edited


def test_the_digest_is_read_once_and_the_same_from_a_thread() -> None:
    from hoquiz.banks import cache

    cache.start_code_digest()
    first = cache.code_digest()
    assert first == cache._package_checksum()
    assert cache.code_digest() is first
