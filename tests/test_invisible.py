"""Invisible and spoofing characters in bank text: refused where they fool a learner, linted.

A zero-width space (U+200B) or a right-to-left override (U+202E) cannot be
seen: a prompt made of one looks empty, two options differing by one look the
same, and bidi controls reorder what the terminal shows.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result
from conftest import MakeBank

from hoquiz.cli import cli
from hoquiz.text import (
    describe_character,
    invisible_characters,
    terminal_safe,
    without_invisible,
)

ZWSP, ZWJ, RLO, WJ, BOM, SHY = "\u200b", "\u200d", "\u202e", "\u2060", "\ufeff", "\u00ad"
RLM = "\u200f"

QUESTION = """\
  - id: {id}
    type: {type}
{body}
    explanation: Plain films come first because they show mature ectopic bone early enough.
    source: {{doc: doc, section: Intro}}
"""


def bank(*questions: tuple[str, str, str], title: str = "T") -> str:
    """A bank text: ``(id, type, body lines)`` per question; characters written as themselves."""
    body = "".join(QUESTION.format(id=i, type=t, body=b) for i, t, b in questions)
    return f'id: t\ntitle: "{title}"\nquestions:\n{body}'


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def problems(result: Result) -> list[str]:
    """The located lines on stderr, without the count line."""
    return result.stderr.splitlines()[:-1]


def test_character_classes() -> None:
    assert describe_character(RLO) == "U+202E RIGHT-TO-LEFT OVERRIDE"
    assert describe_character("\u2065") == "U+2065"  # unassigned, still ignorable
    assert describe_character("\U000e0041") == "U+E0041 TAG LATIN CAPITAL LETTER A"
    text = f"a{ZWSP}b{RLO}c{SHY}d\u034f\u3164\ufe0f\U000e0041é"
    assert [i for i, _ in invisible_characters(text)] == [1, 3, 5, 7, 8, 9, 10]
    assert without_invisible(text) == "abcdé"
    assert invisible_characters("plain ascii") == []
    # Ordinary letters, spaces and marks are not invisible.
    assert invisible_characters("Ossificans é ü \u00a0 \u2009 — µm") == []


def test_terminal_shows_bidi_controls_visibly() -> None:
    assert terminal_safe(f"abc{RLO}fed\u2066x\u2069\u200f") == "abc\\u202efed\\u2066x\\u2069\\u200f"
    assert terminal_safe(f"zero{ZWSP}width") == f"zero{ZWSP}width"  # invisible, reorders nothing


# -- the validator ---------------------------------------------------------------


def test_prompt_choice_and_answers_made_only_of_invisible_characters(
    make_bank: MakeBank,
) -> None:
    path = make_bank(
        bank(
            (
                "q1",
                "mcq",
                f'    prompt: "{ZWSP}"\n    choices: [A, "{ZWSP} {WJ}", C]\n    answer: A',
            ),
            ("q2", "short", f'    prompt: P\n    accept: [ok, "{SHY}"]'),
            ("q3", "order", f'    prompt: P\n    items: [x, "{BOM}", y]'),
            ("q4", "match", f'    prompt: P\n    pairs: [[a, b], [c, "{RLO}"]]'),
            ("q5", "cloze", f'    text: "The {{{{c1::{ZWSP}}}}} grows"'),
            ("q6", "flashcard", f'    front: "{ZWJ}"\n    back: B'),
            (
                "q7",
                "mcq",
                f'    prompt: P\n    choices: [{{text: A, feedback: "{ZWSP}"}}, B]\n    answer: A',
            ),
            title=ZWSP,
        )
    )
    result = run("validate", str(path))
    assert result.exit_code == 1
    only = "it holds only invisible characters"
    assert problems(result) == [
        f"bank.yaml:2:8: 'title' must not be empty: {only} (U+200B ZERO WIDTH SPACE)",
        f"bank.yaml:6:13: 'prompt' must not be empty: {only} (U+200B ZERO WIDTH SPACE)",
        f"bank.yaml:7:18: choice 2 must not be empty: {only} "
        "(U+200B ZERO WIDTH SPACE and U+2060 WORD JOINER)",
        f"bank.yaml:14:18: accepted answer 2 must not be empty: {only} (U+00AD SOFT HYPHEN)",
        f"bank.yaml:20:16: item 2 must not be empty: {only} (U+FEFF ZERO WIDTH NO-BREAK SPACE)",
        f"bank.yaml:26:25: the right side of pair 2 must not be empty: {only} "
        "(U+202E RIGHT-TO-LEFT OVERRIDE)",
        "bank.yaml:31:11: cloze deletion c1 has an empty answer: it holds only invisible "
        "characters (U+200B ZERO WIDTH SPACE)",
        f"bank.yaml:36:12: 'front' must not be empty: {only} (U+200D ZERO WIDTH JOINER)",
        f"bank.yaml:43:35: the feedback of choice 1 must not be empty: {only} "
        "(U+200B ZERO WIDTH SPACE)",
    ]


def test_options_that_differ_only_by_invisible_characters(make_bank: MakeBank) -> None:
    path = make_bank(
        bank(
            (
                "q1",
                "mcq",
                f'    prompt: P\n    choices: [Femur, "fe{ZWSP}mur", Tibia]\n    answer: Tibia',
            ),
            ("q2", "order", f'    prompt: P\n    items: [x, y, "x{BOM}"]'),
            ("q3", "match", f'    prompt: P\n    pairs: [[a, b], ["{RLO}a", c], [d, "b{WJ}"]]'),
            (
                "q4",
                "multi",
                f'    prompt: P\n    choices: [A, {{text: "A{ZWJ}"}}]\n    answer: [A]',
            ),
        )
    )
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert problems(result) == [
        "bank.yaml:7:22: duplicate choice 'fe\\u200bmur' (same as choice 1 but for invisible "
        "characters: U+200B ZERO WIDTH SPACE)",
        "bank.yaml:14:19: duplicate item 'x\\ufeff' (same as item 1 but for invisible "
        "characters: U+FEFF ZERO WIDTH NO-BREAK SPACE)",
        "bank.yaml:20:22: duplicate left side '\\u202ea' (same as pair 1 but for invisible "
        "characters: U+202E RIGHT-TO-LEFT OVERRIDE)",
        "bank.yaml:20:36: duplicate right side 'b\\u2060' (same as pair 1 but for invisible "
        "characters: U+2060 WORD JOINER)",
        "bank.yaml:26:25: duplicate choice 'A\\u200d' (same as choice 1 but for invisible "
        "characters: U+200D ZERO WIDTH JOINER)",
    ]


def test_invisible_characters_written_as_yaml_escapes_are_found(make_bank: MakeBank) -> None:
    # An all-ASCII file can still hold them, through escapes.
    path = make_bank(
        bank(("q1", "mcq", '    prompt: "\\u200b"\n    choices: [A, "\\u2060A"]\n    answer: A'))
    )
    assert path.read_text(encoding="utf-8").isascii()
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert problems(result) == [
        "bank.yaml:6:13: 'prompt' must not be empty: it holds only invisible characters "
        "(U+200B ZERO WIDTH SPACE)",
        "bank.yaml:7:18: duplicate choice '\\u2060A' (same as choice 1 but for invisible "
        "characters: U+2060 WORD JOINER)",
    ]


def test_a_plain_duplicate_is_reported_once(make_bank: MakeBank) -> None:
    body = f'    prompt: P\n    choices: [Femur, "femur{ZWSP}", femur]\n    answer: Femur'
    result = run("validate", str(make_bank(bank(("q1", "mcq", body)))))
    assert problems(result) == [
        "bank.yaml:7:22: duplicate choice 'femur\\u200b' (same as choice 1 but for invisible "
        "characters: U+200B ZERO WIDTH SPACE)",
        "bank.yaml:7:32: duplicate choice 'femur' (same as choice 1)",
    ]


def test_invisible_characters_inside_visible_text_validate(make_bank: MakeBank) -> None:
    body = f'    prompt: "Which {RLO}bone{ZWSP}?"\n    choices: [Femur, Tibia]\n    answer: Femur'
    result = run("validate", str(make_bank(bank(("q1", "mcq", body)))))
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 bank, 1 question OK\n"


# -- lint ------------------------------------------------------------------------


def lint(path: object) -> list[str]:
    result = run("lint", str(path))
    assert result.exit_code == 1, result.output
    return problems(result)


def test_lint_names_each_character_at_its_column(make_bank: MakeBank) -> None:
    path = make_bank(
        bank(
            (
                "q1",
                "short",
                f'    prompt: "Which é🦴 bone {RLO}is{ZWSP} it?"\n    accept: [fe{SHY}mur]',
            ),
            (
                "q2",
                "mcq",
                f"    prompt: |\n      First line.\n      Then {ZWJ}the\n"
                f"      question?\n    choices: [Femur, {{text: Tibia, feedback: No{WJ}.}}]\n"
                "    answer: Femur",
            ),
            ("q3", "true_false", '    prompt: "Escaped x\\u200by"\n    answer: true'),
            title=f"Title{BOM}",
        )
    )
    assert lint(path) == [
        "bank.yaml:2:14: 'title' holds U+FEFF ZERO WIDTH NO-BREAK SPACE: a learner cannot see "
        "it; delete it [invisible-characters]",
        "bank.yaml:6:28: 'prompt' holds U+202E RIGHT-TO-LEFT OVERRIDE and U+200B ZERO WIDTH "
        "SPACE: they hide or reorder the text a learner sees; delete them [invisible-characters]",
        "bank.yaml:7:16: accepted answer 1 holds U+00AD SOFT HYPHEN: a learner cannot see it; "
        "delete it [invisible-characters]",
        "bank.yaml:14:12: 'prompt' holds U+200D ZERO WIDTH JOINER: a learner cannot see it; "
        "delete it [invisible-characters]",
        "bank.yaml:16:48: the feedback of choice 2 holds U+2060 WORD JOINER: a learner cannot "
        "see it; delete it [invisible-characters]",
        # Written as an escape: the warning points at the value.
        "bank.yaml:22:13: 'prompt' holds U+200B ZERO WIDTH SPACE: a learner cannot see it; "
        "delete it [invisible-characters]",
    ]


def test_lint_flags_emoji_joiners_and_bidi_marks_too(make_bank: MakeBank) -> None:
    # Medical English banks need none of them, so none is allowed.
    body = f'    prompt: "Family 👨{ZWJ}👩 history {RLM}of FOP?"\n    answer: true'
    path = make_bank(bank(("q1", "true_false", body)))
    assert lint(path) == [
        "bank.yaml:6:22: 'prompt' holds U+200D ZERO WIDTH JOINER and U+200F RIGHT-TO-LEFT MARK: "
        "they hide or reorder the text a learner sees; delete them [invisible-characters]",
    ]


def test_lint_points_at_the_same_character_written_twice(make_bank: MakeBank) -> None:
    # The first of several: the second occurrence is in the same text, not counted again.
    body = f'    prompt: "a{ZWSP}b{ZWSP}c"\n    answer: true'
    path = make_bank(bank(("q1", "true_false", body)))
    assert [line.split(": ", 1)[0] for line in lint(path)] == ["bank.yaml:6:15"]


@pytest.mark.parametrize("where", ["tags", "section", "unit", "explanation", "item", "pair"])
def test_lint_covers_every_text(make_bank: MakeBank, where: str) -> None:
    body = {
        "tags": ("true_false", f'    prompt: P\n    answer: true\n    tags: [ok, "h{ZWSP}o"]'),
        "section": ("true_false", "    prompt: P\n    answer: true"),
        "unit": ("numeric", f'    prompt: P\n    answer: 3\n    unit: "c{ZWSP}m"'),
        "explanation": ("true_false", "    prompt: P\n    answer: true"),
        "item": ("order", f'    prompt: P\n    items: [a, "b{ZWSP}"]'),
        "pair": ("match", f'    prompt: P\n    pairs: [[a, b], [c, "d{ZWSP}"]]'),
    }[where]
    text = bank(("q1", *body))
    if where == "section":
        text = text.replace("section: Intro", f'section: "Intro{ZWSP}"')
        sources = 'sources:\n  - {id: doc, title: D, kind: k, sections: ["Intro\u200b"]}\n'
        path = make_bank(text, sources=sources)
    else:
        if where == "explanation":
            text = text.replace("early enough", f"early{ZWSP} enough")
        path = make_bank(text)
    (line,) = lint(path)
    what = {
        "tags": "tag 2",
        "section": "the source's 'section'",
        "unit": "'unit'",
        "explanation": "'explanation'",
        "item": "item 2",
        "pair": "the right side of pair 2",
    }[where]
    assert f": {what} holds U+200B ZERO WIDTH SPACE: " in line


def test_bundled_decks_hold_no_invisible_characters() -> None:
    result = run("lint", "--rule", "invisible-characters")
    assert result.exit_code == 0, result.output


def test_lint_names_control_characters(make_bank: MakeBank) -> None:
    body = '    prompt: "Retitle \\e]0;pwned\\a and \\x1f"\n    answer: true'
    path = make_bank(bank(("q1", "true_false", body), title="T\\x9b"))
    assert lint(path) == [
        "bank.yaml:2:8: 'title' holds U+009B, a control character: it shows as escapes such "
        "as \\x1b, or not at all; delete it [control-characters]",
        "bank.yaml:6:13: 'prompt' holds U+001B, U+0007 and U+001F, control characters: they "
        "show as escapes such as \\x1b, or not at all; delete them [control-characters]",
    ]
    ignored = run("lint", "--ignore", "control-characters", str(path))
    assert ignored.exit_code == 0, ignored.output
