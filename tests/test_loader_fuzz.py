"""Any input gives banks or located problems, never another exception (hypothesis)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ALL_TYPES_BANK, TEST_SOURCES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hoquiz.banks.loader import load_banks
from hoquiz.banks.validator import ALL_QUESTION_KEYS, BANK_OPTIONAL, BANK_REQUIRED
from hoquiz.errors import BankError
from hoquiz.model import QUESTION_TYPES, Bank

FUZZ = settings(
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("fuzz")
    (path / "sources.yaml").write_text(TEST_SOURCES, encoding="utf-8")
    yield path


def check(path: Path, raw: bytes) -> list[Bank] | None:
    """Load ``raw`` as a bank file: banks, or problems that are all located."""
    path.write_bytes(raw)
    try:
        return load_banks([path])
    except BankError as error:
        assert error.problems
        lines = raw.decode("utf-8", errors="replace").splitlines()
        for problem in error.problems:
            assert problem.path in (str(path), str(path.parent / "sources.yaml"))
            assert 1 <= problem.line <= len(lines) + 1, problem
            assert problem.column >= 1, problem
            assert problem.message.strip() and "\n" not in problem.message, problem
            # One style: lowercase start (acronyms aside).
            assert not problem.message[0].isupper() or problem.message.startswith("YAML"), problem
        return None


def test_the_fuzzed_bank_is_valid(folder: Path) -> None:
    banks = check(folder / "bank.yaml", ALL_TYPES_BANK.encode())
    assert banks is not None
    assert [q.type for q in banks[0].questions] == list(QUESTION_TYPES)


@FUZZ
@given(st.text())
def test_random_text(folder: Path, text: str) -> None:
    check(folder / "bank.yaml", text.encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(st.binary())
def test_random_bytes(folder: Path, raw: bytes) -> None:
    check(folder / "bank.yaml", raw)


# -- mutations of the valid bank -------------------------------------------------------------

LINES = ALL_TYPES_BANK.splitlines(keepends=True)
YAML_CHARS = st.sampled_from([*":-[]{},&*!|>'\"#%@`? \t\n\r\x00\ufeff", "{{", "}}", "::"])


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "char", "insert", "value"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op in ("char", "insert"):
            line = lines[i]
            at = draw(st.integers(0, len(line)))
            char = draw(YAML_CHARS | st.characters())
            lines[i] = line[:at] + char + line[at + (op == "char") :]
        else:  # swap the values of two "key: value" lines
            j = draw(st.integers(0, len(lines) - 1))
            if ": " in lines[i] and ": " in lines[j]:
                key_i, value_i = lines[i].split(": ", 1)
                key_j, value_j = lines[j].split(": ", 1)
                lines[i], lines[j] = f"{key_i}: {value_j}", f"{key_j}: {value_i}"
    return "".join(lines)


@FUZZ
@given(mutated())
def test_mutated_bank(folder: Path, text: str) -> None:
    check(folder / "bank.yaml", text.encode("utf-8", errors="surrogatepass"))


# -- random structures, written as JSON (which is YAML) ------------------------------------------

KEYS = st.sampled_from([*BANK_REQUIRED, *BANK_OPTIONAL, *ALL_QUESTION_KEYS, "doc", "section"])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["", " ", "x", "doc", "Intro", "a-b", "A B", "{{c1::x}}", *QUESTION_TYPES])
    | st.text(max_size=5)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=10,
)
SHALLOW = (
    SCALARS
    | st.lists(SCALARS | st.lists(SCALARS, max_size=3), max_size=4)
    | st.dictionaries(KEYS, SCALARS, max_size=3)
)
QUESTION = st.fixed_dictionaries(
    {"id": st.sampled_from(["q1", "q2", "Q 3"]), "type": st.sampled_from(QUESTION_TYPES)},
    optional={k: SHALLOW for k in ALL_QUESTION_KEYS if k not in ("id", "type")},
)
BANK = st.fixed_dictionaries(
    {"id": st.just("b"), "title": st.just("T"), "questions": st.lists(QUESTION, max_size=3)},
    optional={k: SHALLOW for k in BANK_OPTIONAL},
)


@FUZZ
@given(BANK | VALUES)
def test_random_structures(folder: Path, data: object) -> None:
    check(folder / "bank.yaml", json.dumps(data, indent=2).encode())
