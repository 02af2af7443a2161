"""The domain rules, called the way an importer of another format calls them."""

from __future__ import annotations

from hoquiz.model import MCQ, Choice, Cloze, Match, Multi, Numeric, Order, Short, SourceRef
from hoquiz.model import invariants as rules
from hoquiz.model.invariants import Violation

SOURCE = SourceRef("doc", "Intro")


def test_choices_need_two_and_no_repeats() -> None:
    assert rules.choices(["Femur"]) == [
        Violation(("choices",), "a question needs at least 2 choices")
    ]
    assert rules.choices(["Femur", "Tibia", " femur "]) == [
        Violation(("choices", 2), "duplicate choice ' femur ' (same as choice 1)")
    ]


def test_an_answer_is_one_of_the_choices() -> None:
    assert rules.choice_index("Tibia", ["Femur", "Tibia"]) == 1
    assert rules.choice_index("Tibai", ["Femur", "Tibia"]) == Violation(
        (), "answer 'Tibai' is not one of the choices (did you mean 'Tibia'?)"
    )


def test_cloze_numbering_and_syntax() -> None:
    deletions = rules.cloze("The {{c1::femur}} and the {{c2::tibia::bone}}")
    assert not isinstance(deletions, Violation)
    assert [(d.number, d.answer, d.hint) for d in deletions] == [
        (1, "femur", None),
        (2, "tibia", "bone"),
    ]
    assert rules.cloze("The {{c0::femur}}") == Violation(
        ("text",), "cloze numbers start at 1, not c0"
    )
    assert rules.cloze("no deletion") == Violation(
        ("text",), "cloze text has no deletion such as {{c1::answer}}"
    )


def test_match_sides_are_unique_each_at_its_pair() -> None:
    found = rules.match_pairs([("a", "x"), ("b", "x"), ("a", "y")])
    assert found == [
        Violation(("pairs", 2, 0), "duplicate left side 'a' (same as pair 1)"),
        Violation(("pairs", 1, 1), "duplicate right side 'x' (same as pair 1)"),
    ]


def test_built_questions_are_checked_whole() -> None:
    common = {"id": "q", "explanation": "E", "source": SOURCE}
    good = MCQ(**common, prompt="P", choices=(Choice("a"), Choice("b")), answer=1)
    assert rules.violations(good) == []
    bad = [
        MCQ(**common, prompt="P", choices=(Choice("a"), Choice("A")), answer=2),
        Multi(**common, prompt="P", choices=(Choice("a"), Choice("b")), answer=()),
        Short(**common, prompt="P", accept=()),
        Numeric(**common, prompt="P", answer=1.0, tolerance=-0.5),
        Cloze(**common, text="{{c1::open"),
        Order(**common, prompt="P", items=("one",)),
        Match(**common, prompt="P", pairs=(("a", "x"), ("a", "y"))),
    ]
    assert [[v.at for v in rules.violations(q)] for q in bad] == [
        [("choices", 1), ("answer",)],
        [("answer",)],
        [("accept",)],
        [("tolerance",)],
        [("text",)],
        [("items",)],
        [("pairs", 1, 0)],
    ]
