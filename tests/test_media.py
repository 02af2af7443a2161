"""Images stay inside the bank: what validate says, what export packages, what it refuses."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MakeBank
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hoquiz.banks import media
from hoquiz.banks.loader import load_banks
from hoquiz.cli import cli
from hoquiz.errors import BankError, ExportError
from hoquiz.formats.anki import build_package

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 16
SECRET = b"\x89PNG\r\n\x1a\n SECRET-OUTSIDE-THE-BANK"

BANK = """\
id: b
title: B
questions:
  - id: q1
    type: flashcard
    front: F
    back: B
    image: {image}
    explanation: E
    source: {{doc: doc, section: Intro}}
"""


def validate(path: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["validate", str(path)])
    return result.exit_code, result.stderr.splitlines()


def refused(make_bank: MakeBank, image: str) -> list[str]:
    code, lines = validate(make_bank(BANK.format(image=image), "bank/b.yaml"))
    assert code == 1
    assert lines[-1] == "1 problem in 1 file"
    return lines[:-1]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A readable PNG next to (not inside) the bank folder ``bank/``."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(SECRET)
    return secret


def test_absolute_path_is_refused(make_bank: MakeBank) -> None:
    assert refused(make_bank, "/proc/self/environ") == [
        "bank/b.yaml:8:12: image '/proc/self/environ' is an absolute path: an image is named "
        "relative to the bank file (copy it into the bank's folder)"
    ]


def test_dot_dot_out_of_the_bank_is_refused(make_bank: MakeBank, outside: Path) -> None:
    assert refused(make_bank, "../secret.png") == [
        f"bank/b.yaml:8:12: image '../secret.png' leads outside the bank's folder (to {outside}):"
        " an image must be a file in the folder of the bank's sources.yaml or below it"
    ]


def test_symlink_to_a_file_outside_is_refused(make_bank: MakeBank, outside: Path) -> None:
    Path("bank").mkdir()
    Path("bank/x.png").symlink_to(outside)
    assert refused(make_bank, "x.png") == [
        f"bank/b.yaml:8:12: image 'x.png' leads outside the bank's folder (to {outside}):"
        " an image must be a file in the folder of the bank's sources.yaml or below it"
    ]


def test_symlink_to_etc_shadow_is_refused(make_bank: MakeBank) -> None:
    Path("bank").mkdir()
    Path("bank/x.png").symlink_to("/etc/shadow")
    assert refused(make_bank, "x.png") == [
        "bank/b.yaml:8:12: image 'x.png' leads outside the bank's folder (to /etc/shadow):"
        " an image must be a file in the folder of the bank's sources.yaml or below it"
    ]


def test_symlink_within_the_bank_is_fine(make_bank: MakeBank) -> None:
    Path("bank/img").mkdir(parents=True)
    Path("bank/img/real.png").write_bytes(PNG)
    Path("bank/x.png").symlink_to("img/real.png")
    assert validate(make_bank(BANK.format(image="x.png"), "bank/b.yaml"))[0] == 0


def test_image_in_a_folder_above_the_bank_but_below_sources_is_fine(
    make_bank: MakeBank,
) -> None:
    make_bank(BANK.format(image="../shared/x.png"), "bank/sub/b.yaml")
    Path("bank/shared").mkdir()
    Path("bank/shared/x.png").write_bytes(PNG)
    Path("bank/sub/sources.yaml").rename("bank/sources.yaml")
    assert validate(Path("bank/sub/b.yaml"))[0] == 0


def test_symlink_loop_is_named(make_bank: MakeBank) -> None:
    Path("bank").mkdir()
    os.symlink("loop.png", "bank/loop.png")
    assert refused(make_bank, "loop.png") == [
        "bank/b.yaml:8:12: image 'loop.png' is a loop of symbolic links"
    ]


def test_fifo_is_not_a_regular_file(make_bank: MakeBank) -> None:
    Path("bank").mkdir()
    os.mkfifo("bank/x.png")
    assert refused(make_bank, "x.png") == ["bank/b.yaml:8:12: image 'x.png' is not a regular file"]


def test_folder_is_not_a_regular_file(make_bank: MakeBank) -> None:
    Path("bank/x.png").mkdir(parents=True)
    assert refused(make_bank, "x.png") == ["bank/b.yaml:8:12: image 'x.png' is not a regular file"]


def test_image_over_10_mb_is_refused_without_reading_it(make_bank: MakeBank) -> None:
    Path("bank").mkdir()
    with open("bank/x.png", "wb") as handle:  # sparse: no 11 MB written
        handle.write(PNG)
        handle.truncate(11 * 1024 * 1024)
    assert refused(make_bank, "x.png") == [
        "bank/b.yaml:8:12: image 'x.png' is too large (11.0 MB; the limit is 10 MB)"
    ]


def test_text_named_png_is_not_an_image(make_bank: MakeBank) -> None:
    Path("bank").mkdir()
    Path("bank/x.png").write_text("<svg onload='alert(1)'/>", encoding="utf-8")
    assert refused(make_bank, "x.png") == [
        "bank/b.yaml:8:12: image 'x.png' is not a PNG, JPEG, GIF or WebP image "
        "(its content does not start like one)"
    ]


def test_jpeg_named_png_is_named_for_what_it_is(make_bank: MakeBank) -> None:
    Path("bank").mkdir()
    Path("bank/x.png").write_bytes(JPEG)
    assert refused(make_bank, "x.png") == [
        "bank/b.yaml:8:12: image 'x.png' holds JPEG data but its name ends in '.png'; name it .jpg"
    ]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.png", PNG),
        ("a.JPG", JPEG),
        ("a.jpeg", JPEG),
        ("a.gif", b"GIF89a" + b"\0" * 8),
        ("a.webp", b"RIFF\0\0\0\0WEBPVP8 "),
    ],
)
def test_each_accepted_format(make_bank: MakeBank, name: str, data: bytes) -> None:
    Path("bank").mkdir()
    Path("bank", name).write_bytes(data)
    assert validate(make_bank(BANK.format(image=name), "bank/b.yaml")) == (0, [])


# -- the exporter checks again as it reads -------------------------------------------


def valid_bank(make_bank: MakeBank) -> Path:
    Path("bank").mkdir()
    Path("bank/x.png").write_bytes(PNG)
    return make_bank(BANK.format(image="x.png"), "bank/b.yaml")


def test_image_swapped_for_a_symlink_after_loading_is_not_exported(
    make_bank: MakeBank, outside: Path
) -> None:
    banks = load_banks([valid_bank(make_bank)])
    Path("bank/x.png").unlink()
    Path("bank/x.png").symlink_to(outside)
    with pytest.raises(ExportError) as error:
        build_package(banks)
    assert str(error.value) == (
        f"image bank/x.png leads outside the bank's folder (to {outside}): an image must be "
        "a file in the folder of the bank's sources.yaml or below it"
    )


def test_symlink_appearing_between_check_and_open_is_refused(
    make_bank: MakeBank, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The race itself: the path resolved (a plain file), then became a symlink
    # before it was opened. O_NOFOLLOW on the opened name refuses it.
    banks = load_banks([valid_bank(make_bank)])
    real = Path("bank/x.png").resolve()
    monkeypatch.setattr(media, "resolve_image", lambda root, folder, name: real)
    real.unlink()
    real.symlink_to(outside)
    with pytest.raises(ExportError) as error:
        build_package(banks)
    assert str(error.value) == "image bank/x.png changed into a symbolic link after it was checked"


def test_folder_swapped_for_a_symlink_between_check_and_open_is_refused(
    make_bank: MakeBank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path("bank/img").mkdir(parents=True)
    Path("bank/img/x.png").write_bytes(PNG)
    banks = load_banks([make_bank(BANK.format(image="img/x.png"), "bank/b.yaml")])
    real = Path("bank/img/x.png").resolve()
    monkeypatch.setattr(media, "resolve_image", lambda root, folder, name: real)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.png").write_bytes(SECRET)
    Path("bank/img/x.png").unlink()
    Path("bank/img").rmdir()
    Path("bank/img").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ExportError) as error:
        build_package(banks)
    assert str(error.value) == (
        "image bank/img/x.png changed into a symbolic link after it was checked"
    )


def test_image_replaced_by_a_fifo_after_loading_does_not_hang_export(
    make_bank: MakeBank,
) -> None:
    banks = load_banks([valid_bank(make_bank)])
    Path("bank/x.png").unlink()
    os.mkfifo("bank/x.png")
    with pytest.raises(ExportError) as error:
        build_package(banks)
    assert str(error.value) == "image bank/x.png is not a regular file"


def test_export_refusal_is_one_line(make_bank: MakeBank, outside: Path) -> None:
    path = valid_bank(make_bank)
    Path("bank/x.png").unlink()
    Path("bank/x.png").symlink_to(outside)
    # validate now refuses too: export goes through the same loader first.
    result = CliRunner().invoke(cli, ["export", str(path), "-o", "out.apkg"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith("bank/b.yaml:8:12: image 'x.png' leads")
    assert not Path("out.apkg").exists()


# -- property: whatever `image:` says, nothing outside the bank is packaged ------------

IMAGE_PARTS = st.sampled_from(
    ["..", ".", "sub", "link-out", "link-secret", "link-in", "loop", "secret.png", "ok.png"]
)


def hostile_image_folder(top: Path) -> tuple[Path, Path]:
    """A bank folder whose links lead out, in and round, beside a secret file: (bank, secret).

    ``image:`` values built from :data:`IMAGE_PARTS` reach every one of them.
    """
    bank = top / "bank"
    (bank / "sub").mkdir(parents=True)
    secret = top / "secret.png"
    secret.write_bytes(SECRET)
    (bank / "ok.png").write_bytes(PNG)
    (bank / "sub" / "ok.png").write_bytes(PNG)
    (bank / "link-out").symlink_to(top)
    (bank / "link-secret").symlink_to(secret)
    (bank / "sub" / "link-secret").symlink_to("../../secret.png")
    (bank / "sub" / "link-out").symlink_to(secret)
    (bank / "link-in").symlink_to(bank / "sub")
    (bank / "loop").symlink_to(bank / "loop")
    (bank / "sources.yaml").write_text(
        "sources:\n  - {id: doc, title: D, kind: k, sections: [Intro]}\n", encoding="utf-8"
    )
    return bank, secret


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(IMAGE_PARTS, min_size=1, max_size=6), absolute=st.booleans())
def test_no_image_value_packages_a_file_from_outside(
    tmp_path_factory: pytest.TempPathFactory, parts: list[str], absolute: bool
) -> None:
    bank, _ = hostile_image_folder(tmp_path_factory.mktemp("fuzz"))
    name = "/".join(parts)
    if absolute:
        name = str(bank / name)
    (bank / "b.yaml").write_text(BANK.format(image=f"'{name}'"), encoding="utf-8")
    try:
        banks = load_banks([bank / "b.yaml"])
    except BankError:
        return
    package = build_package(banks, source_date_epoch=0)
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        for member in archive.namelist():
            assert b"SECRET-OUTSIDE-THE-BANK" not in archive.read(member)
