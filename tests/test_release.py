"""The release plan on its own: which time each note gets, and what changed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hoquiz.formats.manifest import BankRecord, Manifest
from hoquiz.formats.release import Change, Rendered, plan_release

BANKS = {"b": BankRecord("b.yaml", "Deck")}


def note(prompt: str, *, kind: str = "mcq", deck: str = "Deck") -> Rendered:
    return Rendered(
        key="b/q",
        bank="b",
        guid="guid",
        type=kind,  # type: ignore[arg-type]
        deck=deck,
        fields={"Prompt": prompt},
        tags=("hoquiz::bank::b",),
    )


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 10**6)), max_size=12))
def test_times_rise_exactly_when_the_content_changes(steps: list[tuple[str, int]]) -> None:
    previous: Manifest | None = None
    last: tuple[str, int] | None = None
    for prompt, now in steps:
        plan = plan_release(
            [note(prompt)],
            {"mcq": "h1"},
            BANKS,
            previous,
            now=now,
            first_times={"b": 100},
            first_note_type_time=50,
        )
        mod = plan.times["b/q"]
        if last is None:
            assert mod == 100
        elif prompt == last[0]:
            assert mod == last[1]
            assert plan.changes == ()
        else:
            assert mod > last[1] and mod >= now
            assert [c.change for c in plan.changes] == [Change.CHANGED]
        previous, last = plan.manifest, (prompt, mod)


def test_changes_name_the_field_the_type_and_the_deck() -> None:
    first = plan_release(
        [note("Old wording")],
        {"mcq": "h1"},
        BANKS,
        None,
        now=0,
        first_times={"b": 100},
        first_note_type_time=50,
    ).manifest
    changed = plan_release(
        [note("New wording")],
        {"mcq": "h1"},
        BANKS,
        first,
        now=200,
        first_times={},
        first_note_type_time=50,
    )
    (change,) = changed.changes
    assert (change.change, change.key, [f.name for f in change.fields]) == (
        Change.CHANGED,
        "b/q",
        ["Prompt"],
    )
    retyped = plan_release(
        [note("Old wording", kind="multi", deck="Other")],
        {"multi": "h2"},
        BANKS,
        first,
        now=200,
        first_times={},
        first_note_type_time=50,
    )
    assert [(c.change, c.old, c.new) for c in retyped.changes] == [
        (Change.RETYPED, "mcq", "multi"),
        (Change.MOVED, "Deck", "Other"),
    ]
    assert retyped.updates == 1
    css = plan_release(
        [note("Old wording")],
        {"mcq": "h9"},
        BANKS,
        first,
        now=10,
        first_times={},
        first_note_type_time=50,
    )
    assert (css.note_types_changed, css.note_type_times["mcq"], css.times["b/q"]) == (
        ("mcq",),
        51,
        100,
    )
