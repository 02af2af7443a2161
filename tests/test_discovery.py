"""Finding bank files: unreadable folders, symlink loops and other encodings are named."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from click.testing import CliRunner
from quiz_banks import tf_bank, write_banks
from unprivileged import as_user, shared_folder

from hoquiz.cli import cli


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def validate(*paths: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *map(str, paths)])
    return result.exit_code, result.stderr


def test_an_unreadable_subfolder_is_reported_not_skipped() -> None:
    with shared_folder() as root:
        banks = write_banks(root / "banks", tf=tf_bank("tf", 2))
        locked = banks / "locked"
        locked.mkdir()
        (locked / "more.yaml").write_text(tf_bank("more", 1), encoding="utf-8")
        locked.chmod(0o000)
        done = as_user(["validate", str(banks)], env={"XDG_CACHE_HOME": str(root / "cache")})
        assert done.returncode == 2
        assert done.stderr == (
            f"Error: cannot read the folder {locked}: permission denied "
            "(its banks would be left out)\n"
        )
        locked.chmod(0o755)
        done = as_user(["validate", str(banks)], env={"XDG_CACHE_HOME": str(root / "cache")})
        assert done.returncode == 0, done.stderr
        assert done.stdout == "2 banks, 3 questions OK\n"


@pytest.mark.parametrize("pair", [False, True])
def test_a_symlink_loop_is_named(tmp_path: Path, pair: bool) -> None:
    banks = write_banks(tmp_path / "banks", tf=tf_bank("tf", 2))
    loop = banks / "loop.yaml"
    if pair:  # loop.yaml -> other.yaml -> loop.yaml
        (banks / "other.yaml").symlink_to("loop.yaml")
        loop.symlink_to("other.yaml")
    else:
        loop.symlink_to("loop.yaml")
    assert validate(banks) == (2, f"Error: {loop} is a symlink loop\n")  # the first, by name
    assert validate(loop) == (2, f"Error: {loop} is a symlink loop\n")


def test_a_symlink_to_a_missing_bank_is_named(tmp_path: Path) -> None:
    banks = write_banks(tmp_path / "banks", tf=tf_bank("tf", 2))
    gone = banks / "gone.yaml"
    gone.symlink_to("moved/away.yaml")
    expected = f"Error: {gone} is a symlink to moved/away.yaml, which does not exist\n"
    assert validate(banks) == (2, expected)
    assert validate(gone) == (2, expected)


@pytest.mark.parametrize(
    ("bom", "name"),
    [
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ],
)
def test_the_encoding_a_bom_announces_is_named(tmp_path: Path, bom: bytes, name: str) -> None:
    codec = {
        codecs.BOM_UTF32_LE: "utf-32-le",
        codecs.BOM_UTF32_BE: "utf-32-be",
        codecs.BOM_UTF16_LE: "utf-16-le",
        codecs.BOM_UTF16_BE: "utf-16-be",
    }[bom]
    bank = tmp_path / "bank.yaml"
    bank.write_bytes(bom + tf_bank("tf", 1).encode(codec))
    assert validate(bank) == (
        1,
        f"{bank}:1:1: file is {name} text; save it as UTF-8\n1 problem in 1 file\n",
    )
