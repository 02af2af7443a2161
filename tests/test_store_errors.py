"""A database that fails while it is being prepared reports its own error, not a rollback's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from hoquiz.cli import cli
from hoquiz.errors import StoreError
from hoquiz.store import Store


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_dev_null_says_what_went_wrong() -> None:
    with pytest.raises(StoreError) as caught:
        Store.open(Path("/dev/null"))
    assert str(caught.value).startswith("cannot use /dev/null: ")
    assert "rollback" not in str(caught.value)
    result = CliRunner().invoke(cli, ["stats", "--db", "/dev/null"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot use /dev/null: ")
    assert "rollback" not in result.stderr and "Traceback" not in result.output
