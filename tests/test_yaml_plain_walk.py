"""The quick walk that builds plain data gives what PyYAML's constructor gives.

Valid banks are built by one walk over the node tree; any tree it does not
take (tags beyond the core schema, repeated keys, aliases, deep nesting) goes
to the base constructor. Either way a text means the same data and the same
problems: compared here on generated YAML, with the walk turned off.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoquiz.banks import yamlio

SCALARS = st.sampled_from(
    [
        "text",
        "'quoted'",
        '"double"',
        "1",
        "-2",
        "0777",
        "1.5",
        ".5",
        "1e3",
        "true",
        "False",
        "yes",
        "null",
        "~",
        "",
        "!!str 12",
        "!!int 3",
        "!!int abc",
        "!!float 2",
        "!!bool true",
        "!!null ''",
        "!!timestamp 2025-08-07",
        "!!timestamp 2025-02-30",
        "!!binary aGk=",
        "!mine x",
        "! 12",
        "<<",
        "=",
    ]
)
KEYS = st.sampled_from(["a", "b", "1", "true", "null", "'a'", "!!int 1", "[x]", "? {k: v}"])


def _flow(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return SCALARS
    inner = _flow(depth - 1)
    return st.one_of(
        SCALARS,
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(KEYS.filter(lambda k: not k.startswith("?")), inner), max_size=3).map(
            lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
        ),
        inner.map(lambda item: "!!set {" + item + "}" if item.isalpha() else item),
    )


def _block(depth: int, pad: str = "") -> st.SearchStrategy[str]:
    if depth == 0:
        return _flow(2).map(lambda v: f"{pad}k: {v}\n")
    return st.lists(
        st.tuples(KEYS, st.one_of(_flow(2), _block(depth - 1, pad + "  "))), min_size=1, max_size=4
    ).map(
        lambda pairs: "".join(
            f"{pad}{k}:\n{v}" if v.endswith("\n") else f"{pad}{k}: {v}\n" for k, v in pairs
        )
    )


def _both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    walked = yamlio.parse(text, "bank.yaml")
    with monkeypatch.context() as patch:
        patch.setattr(yamlio._Loader, "plain_walk", False)
        constructed = yamlio.parse(text, "bank.yaml")
    return walked, constructed


@settings(max_examples=300, deadline=None)
@given(_block(3))
def test_the_walk_and_the_constructor_agree(text: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        walked, constructed = _both(text, monkeypatch)
    assert repr(walked) == repr(constructed)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # a repeated key is reported
        "a: [" * 60 + "]" * 60 + "\n",  # nested past the bound
        "a: [" * 120 + "]" * 120 + "\n",
        "a: !!set {x}\n",
        "? [x]\n: y\n",
        "a: !!int x\nb: !!int y\n",
        "a: &x 1\nb: *x\n",
        "<<: {a: 1}\n",
    ],
)
def test_trees_the_walk_leaves_are_read_as_before(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    walked, constructed = _both(text, monkeypatch)
    assert repr(walked) == repr(constructed)
