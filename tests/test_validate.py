"""`hoquiz validate`: one test per validator rule, asserting the exact located lines.

Every bank is written into the working directory (see the ``make_bank``
fixture), so error lines read ``bank.yaml:LINE:COL: message``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import TEST_SOURCES, MakeBank

from hoquiz.cli import cli


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["validate", *map(str, args)])


def problems(*paths: str | Path) -> list[str]:
    """The problem lines `hoquiz validate PATHS` prints, after checking exit 1 and the count."""
    result = run(*paths)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert result.stdout == ""
    *lines, count = result.stderr.splitlines()
    files = len({line.split(":", 1)[0] for line in lines})
    assert count == (
        f"{len(lines)} problem{'s' if len(lines) != 1 else ''} "
        f"in {files} file{'s' if files != 1 else ''}"
    )
    return lines


HEAD = "id: t\ntitle: T\nquestions:\n"  # questions start at line 4
SRC = "    source: {doc: doc, section: Intro}\n"


def bank(*questions: str) -> str:
    """A bank of ``questions``, each a block of '  - ' lines; header lines 1-3."""
    return HEAD + "".join(questions)


def flashcard(qid: str = "q1") -> str:
    return (
        f"  - id: {qid}\n    type: flashcard\n    front: F\n    back: B\n    explanation: E\n" + SRC
    )


# -- success and exit codes ---------------------------------------------------


def test_valid_bank_prints_counts_and_exits_0(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard("q1"), flashcard("q2")))
    result = run(path)
    assert result.exit_code == 0
    assert result.stdout == "1 bank, 2 questions OK\n"
    assert result.stderr == ""


def test_success_line_counts_banks_and_questions(make_bank: MakeBank) -> None:
    make_bank(bank(flashcard("q1")), "a.yaml")
    make_bank(bank(flashcard("q1"), flashcard("q2")).replace("id: t", "id: u", 1), "b.yml")
    make_bank(bank(flashcard("q1")).replace("id: t", "id: v", 1), "sub/c.yaml")
    result = run(".")
    assert result.exit_code == 0, result.output
    assert result.stdout == "3 banks, 4 questions OK\n"


def test_one_question_is_singular(make_bank: MakeBank) -> None:
    assert run(make_bank(bank(flashcard()))).stdout == "1 bank, 1 question OK\n"


def test_no_paths_validates_the_bundled_decks() -> None:
    result = run()
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"\d+ banks, \d+ questions OK\n", result.stdout)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.yaml"], "Error: no such file or folder: nope.yaml"),
        (["empty"], "Error: no .yaml or .yml banks found in empty"),
        (["sources.yaml"], "Error: no banks to load (sources.yaml files are not banks)"),
    ],
)
def test_usage_errors_exit_2(make_bank: MakeBank, args: list[str], message: str) -> None:
    make_bank(bank(flashcard()))
    Path("empty").mkdir()
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"
    assert result.stdout == ""


def test_unreadable_path_is_a_usage_error() -> None:
    name = "x" * 5000
    result = run(name)
    assert result.exit_code == 2
    assert result.stderr == f"Error: cannot read {name}: file name too long\n"


def test_folder_is_searched_recursively_and_sources_yaml_is_not_a_bank(
    make_bank: MakeBank,
) -> None:
    make_bank(bank(flashcard()), "deep/er/x.yml")
    Path("deep/notes.txt").write_text("not a bank", encoding="utf-8")
    assert run("deep").stdout == "1 bank, 1 question OK\n"


def test_a_file_named_twice_is_loaded_once(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard()))
    assert run(path, ".", path.resolve()).stdout == "1 bank, 1 question OK\n"


# -- reporting ------------------------------------------------------------------


def test_every_problem_of_a_file_in_one_run(make_bank: MakeBank) -> None:
    path = make_bank(
        """
        id: Demo
        titel: Demo
        questions:
          - id: q1
            type: mcq
            prompt: Which?
            choices: [a, b, c]
            answer: d
            explanation: Because.
            source: {doc: doc, section: Intro}
          - id: q1
            type: numeric
            prompt: How many?
            answer: 5 cm
            tolerance: -1
            explanation: Because.
            source: {doc: docs, section: Intro}
            revision: 0
        """
    )
    assert problems(path) == [
        "bank.yaml:1:1: bank is missing required key 'title'",
        "bank.yaml:1:5: 'id' 'Demo' is not a slug: "
        "use lowercase letters, digits and '-' only (e.g. 'demo')",
        "bank.yaml:2:1: unknown key 'titel' in bank (did you mean 'title'?)",
        "bank.yaml:8:13: answer 'd' is not one of the choices",
        "bank.yaml:11:9: duplicate question id 'q1' (question 1 has it too)",
        "bank.yaml:14:13: 'answer' must be a number, not '5 cm' (put a unit in 'unit')",
        "bank.yaml:15:16: 'tolerance' must be 0 or more, not -1",
        "bank.yaml:17:19: unknown source 'docs' (did you mean 'doc'?); declare it in sources.yaml",
        "bank.yaml:18:15: 'revision' must be a whole number from 1 to 2147483647, not 0",
    ]


def test_problems_of_several_files_sorted_by_file_and_line(make_bank: MakeBank) -> None:
    make_bank(bank(flashcard(), "  - 3\n"), "b.yaml")
    make_bank("- a list\n", "a.yaml")
    make_bank(bank(flashcard()).replace("id: t", "id: fine", 1), "c.yaml")
    result = run(".")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "a.yaml:1:1: a bank must be a mapping with id, title and questions; this file is a list",
        "b.yaml:10:5: a question must be a mapping, not 3",
        "2 problems in 2 files",
    ]


def test_count_line_is_singular_for_one_problem(make_bank: MakeBank) -> None:
    result = run(make_bank(bank(flashcard()).replace("title: T", "title:")))
    assert result.stderr.splitlines() == [
        "bank.yaml:2:7: 'title' must not be empty",
        "1 problem in 1 file",
    ]


# -- YAML and file shape --------------------------------------------------------


def test_yaml_syntax_error_is_located(make_bank: MakeBank) -> None:
    path = make_bank(bank("  - id: q1\n    type: flashcard\n   front: F\n"))
    assert problems(path) == [
        "bank.yaml:6:4: YAML syntax error: did not find expected '-' indicator "
        "(while parsing a block collection)",
    ]


def test_unclosed_flow_list_is_located(make_bank: MakeBank) -> None:
    path = make_bank("id: t\ntitle: [T\nquestions: []\n")
    assert problems(path) == [
        "bank.yaml:3:10: YAML syntax error: did not find expected ',' or ']' "
        "(while parsing a flow sequence)",
    ]


def test_tab_indentation_is_located(make_bank: MakeBank) -> None:
    assert problems(make_bank("id: t\n\ttitle: T\n")) == [
        "bank.yaml:2:1: YAML syntax error: found a tab character that violates indentation "
        "(while scanning a plain scalar)",
    ]


def test_duplicate_yaml_key(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard()).replace("    back: B\n", "    back: B\n    back: C\n"))
    assert problems(path) == ["bank.yaml:8:5: duplicate key 'back' in this mapping"]


def test_a_value_under_a_duplicate_key_is_located_at_the_one_loaded(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard()).replace("    back: B\n", "    back: B\n    back: [C]\n"))
    assert problems(path) == [
        "bank.yaml:8:5: duplicate key 'back' in this mapping",
        "bank.yaml:8:11: 'back' must be text, not a list",
    ]


def test_several_documents_in_one_file(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard()) + "---\n" + bank(flashcard()))
    assert problems(path) == [
        "bank.yaml:10:1: a bank file holds one YAML document; remove this '---' or split the file",
    ]


def test_list_as_mapping_key(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard()) + "? [a, b]\n: c\n")
    assert problems(path) == ["bank.yaml:10:3: a key must be plain text, not a list or mapping"]


def test_top_level_list(make_bank: MakeBank) -> None:
    assert problems(make_bank("- id: t\n- title: T\n")) == [
        "bank.yaml:1:1: a bank must be a mapping with id, title and questions; this file is a list",
    ]


def test_top_level_text(make_bank: MakeBank) -> None:
    assert problems(make_bank("just some words\n")) == [
        "bank.yaml:1:1: a bank must be a mapping with id, title and questions; "
        "this file is 'just some words'",
    ]


@pytest.mark.parametrize(("text", "line"), [("", 1), ("# only a comment\n", 1), ("---\n", 2)])
def test_empty_file(make_bank: MakeBank, text: str, line: int) -> None:
    assert problems(make_bank(text)) == [
        f"bank.yaml:{line}:1: a bank must be a mapping with id, title and questions; "
        "this file is empty",
    ]


def test_non_text_key(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(flashcard()) + "1: one\n")) == [
        "bank.yaml:10:1: bank keys must be text, not 1",
    ]


# -- keys -----------------------------------------------------------------------


def test_unknown_bank_key_with_suggestion(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard()) + "descripton: D\n")
    assert problems(path) == [
        "bank.yaml:10:1: unknown key 'descripton' in bank (did you mean 'description'?)",
    ]


def test_unknown_key_without_close_match_has_no_suggestion(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(flashcard()) + "author: Me\n")) == [
        "bank.yaml:10:1: unknown key 'author' in bank",
    ]


def test_unknown_question_key_suggests_a_key_of_that_type(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard().replace("    back: B\n", "    bak: B\n")))
    assert problems(path) == [
        "bank.yaml:4:5: flashcard question is missing required key 'back'",
        "bank.yaml:7:5: unknown key 'bak' in flashcard question (did you mean 'back'?)",
    ]


def test_key_of_another_type_is_unknown(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard().replace("    back: B\n", "    back: B\n    answer: B\n")))
    assert problems(path) == ["bank.yaml:8:5: unknown key 'answer' in flashcard question"]


def test_missing_bank_keys(make_bank: MakeBank) -> None:
    assert problems(make_bank("description: nothing else\n")) == [
        "bank.yaml:1:1: bank is missing required key 'id'",
        "bank.yaml:1:1: bank is missing required key 'title'",
        "bank.yaml:1:1: bank is missing required key 'questions'",
    ]


def test_missing_question_keys_are_located_at_the_question(make_bank: MakeBank) -> None:
    path = make_bank(bank("  - id: q1\n    type: short\n    accept: [x]\n"))
    assert problems(path) == [
        "bank.yaml:4:5: short question is missing required key 'explanation'",
        "bank.yaml:4:5: short question is missing required key 'source'",
        "bank.yaml:4:5: short question is missing required key 'prompt'",
    ]


def test_missing_type(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard().replace("    type: flashcard\n", "")))
    assert problems(path) == ["bank.yaml:4:5: question is missing required key 'type'"]


# -- value types and slugs --------------------------------------------------------


def test_number_where_text_is_expected(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard().replace("front: F", "front: 42")))
    assert problems(path) == [
        "bank.yaml:6:12: 'front' must be text, not 42 (quote it to make it text)",
    ]


def test_list_where_text_is_expected(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard().replace("explanation: E", "explanation: [E]")))
    assert problems(path) == ["bank.yaml:8:18: 'explanation' must be text, not a list"]


def test_empty_text(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard().replace("back: B", 'back: "  "')))
    assert problems(path) == ["bank.yaml:7:11: 'back' must not be empty"]


def test_questions_not_a_list(make_bank: MakeBank) -> None:
    assert problems(make_bank("id: t\ntitle: T\nquestions: {q1: x}\n")) == [
        "bank.yaml:3:12: 'questions' must be a list, not a mapping",
    ]


def test_question_not_a_mapping(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(flashcard(), "  - just text\n"))) == [
        "bank.yaml:10:5: a question must be a mapping, not 'just text'",
    ]


def test_tags_not_a_list(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(flashcard()) + "tags: imaging\n")) == [
        "bank.yaml:10:7: 'tags' must be a list of tags, not 'imaging' "
        "(write a list in brackets: [imaging])",
    ]


def test_tag_not_text(make_bank: MakeBank) -> None:
    path = make_bank(
        bank(flashcard().replace("    back: B\n", "    back: B\n    tags: [a, 7, '']\n"))
    )
    assert problems(path) == [
        "bank.yaml:8:15: tag must be text, not 7 (quote it to make it text)",
        "bank.yaml:8:18: tag must not be empty",
    ]


def test_bad_bank_slug(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard()).replace("id: t", "id: My Bank!", 1))
    assert problems(path) == [
        "bank.yaml:1:5: 'id' 'My Bank!' is not a slug: "
        "use lowercase letters, digits and '-' only (e.g. 'my-bank')",
    ]


def test_bad_question_slug(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard("q_1")))
    assert problems(path) == [
        "bank.yaml:4:9: 'id' 'q_1' is not a slug: "
        "use lowercase letters, digits and '-' only (e.g. 'q-1')",
    ]


def test_slug_without_any_usable_character(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard('"§§"')))
    assert problems(path) == [
        "bank.yaml:4:9: 'id' '§§' is not a slug: use lowercase letters, digits and '-' only",
    ]


def test_numeric_id_must_be_quoted(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard("12")))
    assert problems(path) == ["bank.yaml:4:9: 'id' must be text, not 12 (quote it to make it text)"]


# -- identities -----------------------------------------------------------------


def test_duplicate_bank_ids_across_files(make_bank: MakeBank) -> None:
    make_bank(bank(flashcard()), "a.yaml")
    make_bank(bank(flashcard()), "b.yaml")
    assert problems(".") == ["b.yaml:1:5: duplicate bank id 't' (also in a.yaml)"]


def test_duplicate_question_ids(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard("q1"), flashcard("q2"), flashcard("q1")))
    assert problems(path) == [
        "bank.yaml:16:9: duplicate question id 'q1' (question 1 has it too)",
    ]


def test_bank_with_no_questions(make_bank: MakeBank) -> None:
    assert problems(make_bank("id: t\ntitle: T\nquestions: []\n")) == [
        "bank.yaml:3:12: bank has no questions",
    ]


def test_bank_with_empty_questions_key(make_bank: MakeBank) -> None:
    assert problems(make_bank("id: t\ntitle: T\nquestions:\n")) == [
        "bank.yaml:3:11: 'questions' must be a list, not nothing (null)",
    ]


# -- question types ---------------------------------------------------------------


def test_unknown_type_with_suggestion(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard().replace("type: flashcard", "type: flash-card")))
    assert problems(path) == [
        "bank.yaml:5:11: unknown question type 'flash-card' (did you mean 'flashcard'?); "
        "expected one of mcq, multi, true_false, short, numeric, cloze, flashcard, order, match",
    ]


def test_type_not_text(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard().replace("type: flashcard", "type: [flashcard]")))
    assert problems(path) == [
        "bank.yaml:5:11: 'type' must be one of "
        "mcq, multi, true_false, short, numeric, cloze, flashcard, order, match",
    ]


def mcq(choices: str, answer: str) -> str:
    """An mcq question; choices on line 7, answer on line 8."""
    return (
        f"  - id: q1\n    type: mcq\n    prompt: P\n    choices: {choices}\n"
        f"    answer: {answer}\n    explanation: E\n" + SRC
    )


def test_mcq_answer_not_among_choices(make_bank: MakeBank) -> None:
    path = make_bank(bank(mcq("[Radiography, CT, MRI]", "Radiograph")))
    assert problems(path) == [
        "bank.yaml:8:13: answer 'Radiograph' is not one of the choices "
        "(did you mean 'Radiography'?)",
    ]


def test_mcq_answer_must_match_a_choice_exactly(make_bank: MakeBank) -> None:
    path = make_bank(bank(mcq("[Radiography, CT]", "ct")))
    assert problems(path) == ["bank.yaml:8:13: answer 'ct' is not one of the choices"]


def test_mcq_with_a_list_answer(make_bank: MakeBank) -> None:
    path = make_bank(bank(mcq("[a, b]", "[a]")))
    assert problems(path) == [
        "bank.yaml:8:13: an mcq has exactly one answer; use type 'multi' for several",
    ]


def test_mcq_with_a_number_answer(make_bank: MakeBank) -> None:
    path = make_bank(bank(mcq("['1', '2']", "1")))
    assert problems(path) == [
        "bank.yaml:8:13: the answer must be the text of one of the choices "
        "(quote it to make it text)",
    ]


def test_duplicate_choices_ignore_case_and_punctuation(make_bank: MakeBank) -> None:
    path = make_bank(bank(mcq("[Bone scan, CT, 'bone scan.']", "CT")))
    assert problems(path) == ["bank.yaml:7:30: duplicate choice 'bone scan.' (same as choice 1)"]


def test_choice_with_feedback_is_valid(make_bank: MakeBank) -> None:
    path = make_bank(bank(mcq("[a, {text: b, feedback: Not b.}]", "b")))
    assert run(path).stdout == "1 bank, 1 question OK\n"


def test_choice_mapping_with_unknown_key_and_no_text(make_bank: MakeBank) -> None:
    path = make_bank(bank(mcq("[a, {text: b, feedbak: F}, {feedback: G}]", "a")))
    assert problems(path) == [
        "bank.yaml:7:28: unknown key 'feedbak' in choice (did you mean 'feedback'?)",
        "bank.yaml:7:41: choice is missing required key 'text'",
    ]


def test_choice_not_text(make_bank: MakeBank) -> None:
    path = make_bank(bank(mcq("[a, 4, '', [c]]", "a")))
    assert problems(path) == [
        "bank.yaml:7:18: a choice must be text or {text, feedback}, not 4 "
        "(quote it to make it text)",
        "bank.yaml:7:21: a choice must not be empty",
        "bank.yaml:7:25: a choice must be text or {text, feedback}, not a list",
    ]


def test_fewer_than_two_choices(make_bank: MakeBank) -> None:
    path = make_bank(bank(mcq("[a]", "a")))
    assert problems(path) == ["bank.yaml:7:14: a question needs at least 2 choices"]


def test_choices_not_a_list(make_bank: MakeBank) -> None:
    path = make_bank(bank(mcq("a, b", "a")))
    assert problems(path) == ["bank.yaml:7:14: 'choices' must be a list, not 'a, b'"]


def multi(answer: str) -> str:
    """A multi question with choices [a, b, c]; answer on line 8."""
    return mcq("[a, b, c]", answer).replace("type: mcq", "type: multi")


def test_multi_with_empty_answer(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(multi("[]")))) == [
        "bank.yaml:8:13: a multi answer needs at least one choice",
    ]


def test_multi_answer_not_among_choices(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(multi("[a, d]")))) == [
        "bank.yaml:8:17: answer 'd' is not one of the choices",
    ]


def test_multi_answer_listed_twice(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(multi("[a, b, a]")))) == [
        "bank.yaml:8:20: answer 'a' is listed twice",
    ]


def test_multi_answer_not_a_list(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(multi("a")))) == [
        "bank.yaml:8:13: a multi answer must be a list of choices, e.g. [first, third]",
    ]


def typed(qtype: str, *lines: str) -> str:
    """A question of ``qtype`` whose own keys (``lines``) start at line 6."""
    body = "".join(f"    {line}\n" for line in lines)
    return f"  - id: q1\n    type: {qtype}\n{body}    explanation: E\n" + SRC


def test_true_false_with_quoted_answer(make_bank: MakeBank) -> None:
    path = make_bank(bank(typed("true_false", "prompt: P", 'answer: "true"')))
    assert problems(path) == [
        "bank.yaml:7:13: a true_false answer must be true or false (unquoted), not 'true'",
    ]


def test_short_with_no_accepted_answer(make_bank: MakeBank) -> None:
    path = make_bank(bank(typed("short", "prompt: P", "accept: []")))
    assert problems(path) == ["bank.yaml:7:13: 'accept' needs at least one accepted answer"]


def test_short_accept_not_a_list(make_bank: MakeBank) -> None:
    path = make_bank(bank(typed("short", "prompt: P", "accept: YAML")))
    assert problems(path) == [
        "bank.yaml:7:13: 'accept' must be a list of accepted answers, not 'YAML' "
        "(write a list in brackets: [YAML])",
    ]


def test_short_accepted_answer_not_text(make_bank: MakeBank) -> None:
    path = make_bank(bank(typed("short", "prompt: P", "accept: [ten, 10]")))
    assert problems(path) == [
        "bank.yaml:7:19: accepted answer must be text, not 10 (quote it to make it text)",
    ]


def test_numeric_answer_not_a_number(make_bank: MakeBank) -> None:
    path = make_bank(bank(typed("numeric", "prompt: P", "answer: 2 weeks")))
    assert problems(path) == [
        "bank.yaml:7:13: 'answer' must be a number, not '2 weeks' (put a unit in 'unit')",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            ".nan",
            "answer: .nan is text in hoquiz banks (YAML reads it as not-a-number); "
            "write a finite decimal number",
        ),
        (
            "-.inf",
            "answer: -.inf is text in hoquiz banks (YAML reads it as -infinity); "
            "write a finite decimal number",
        ),
        ("yes", "'answer' must be a number, not 'yes' (put a unit in 'unit')"),
        ("1e400", "'answer' must lie between -1e15 and 1e15, not inf"),
        ("!!float .nan", "'.nan' cannot be read as !!float: remove the tag or fix the value"),
    ],
)
def test_numeric_answer_must_be_a_finite_number(
    make_bank: MakeBank, value: str, message: str
) -> None:
    path = make_bank(bank(typed("numeric", "prompt: P", f"answer: {value}")))
    assert problems(path) == [f"bank.yaml:7:13: {message}"]


def test_negative_tolerance(make_bank: MakeBank) -> None:
    path = make_bank(bank(typed("numeric", "prompt: P", "answer: 3", "tolerance: -0.5")))
    assert problems(path) == ["bank.yaml:8:16: 'tolerance' must be 0 or more, not -0.5"]


def test_tolerance_not_a_number(make_bank: MakeBank) -> None:
    path = make_bank(bank(typed("numeric", "prompt: P", "answer: 3", "tolerance: some")))
    assert problems(path) == ["bank.yaml:8:16: 'tolerance' must be a number, not 'some'"]


def test_numeric_with_tolerance_and_unit_is_valid(make_bank: MakeBank) -> None:
    path = make_bank(
        bank(typed("numeric", "prompt: P", "answer: 3", "tolerance: 0.5", "unit: weeks"))
    )
    assert run(path).exit_code == 0


def cloze(text: str) -> str:
    """A cloze question; its text at line 6, column 11."""
    return typed("cloze", f"text: {text}")


def test_cloze_without_deletion(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(cloze("No deletion here.")))) == [
        "bank.yaml:6:11: cloze text has no deletion such as {{c1::answer}}",
    ]


HOW = "(write deletions as {{c1::answer}} or {{c1::answer::hint}})"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('"A {{c1::b} c"', "the deletion starting '{{c1::b} c' is not closed with '}}'"),
        ('"A {{c1::b}} c}}"', "'}}' without an opening '{{' near 'A {{c1::b}} c}}'"),
        ('"A {c1::b}} c"', "'}}' without an opening '{{' near 'A {c1::b}}'"),
        (
            '"{{c1::a {{c2::b}} }}"',
            "the deletion starting '{{c1::a {{c2::b}} }}' is not closed with '}}'",
        ),
    ],
)
def test_cloze_with_unbalanced_braces(make_bank: MakeBank, text: str, why: str) -> None:
    assert problems(make_bank(bank(cloze(text)))) == [
        f"bank.yaml:6:11: malformed cloze: {why} {HOW}",
    ]


def test_cloze_with_braces_but_no_cloze_number(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(cloze('"A {{b}} c"')))) == [
        "bank.yaml:6:11: malformed cloze: a deletion must start with '{{c' and a number, "
        "then '::' (e.g. {{c1::answer}})",
    ]


def test_cloze_with_two_hints(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(cloze('"A {{c1::b::hint::more}} c"')))) == [
        "bank.yaml:6:11: malformed cloze deletion c1: "
        "deletions cannot nest or have more than one '::hint'",
    ]


def test_cloze_numbered_zero(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(cloze('"A {{c0::b}} c"')))) == [
        "bank.yaml:6:11: cloze numbers start at 1, not c0",
    ]


def test_cloze_with_empty_answer(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(cloze('"A {{c1::b}} and {{c2:: }}"')))) == [
        "bank.yaml:6:11: cloze deletion c2 has an empty answer",
    ]


def test_cloze_with_hint_and_several_cards_is_valid(make_bank: MakeBank) -> None:
    path = make_bank(bank(cloze('"{{c1::Plain films::imaging}} show {{c2::mature bone}}"')))
    assert run(path).exit_code == 0


def test_order_with_one_item(make_bank: MakeBank) -> None:
    path = make_bank(bank(typed("order", "prompt: P", "items: [first]")))
    assert problems(path) == ["bank.yaml:7:12: an order question needs at least 2 items"]


def test_order_with_duplicate_items(make_bank: MakeBank) -> None:
    path = make_bank(bank(typed("order", "prompt: P", "items: [first, second, First]")))
    assert problems(path) == ["bank.yaml:7:28: duplicate item 'First' (same as item 1)"]


def match(pairs: str) -> str:
    """A match question; its pairs at line 7."""
    return typed("match", "prompt: P", f"pairs: {pairs}")


def test_match_with_duplicate_lefts(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(match("[[a, x], [b, y], [A, z]]")))) == [
        "bank.yaml:7:30: duplicate left side 'A' (same as pair 1)",
    ]


def test_match_with_duplicate_rights(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(match("[[a, x], [b, y], [c, 'y!']]")))) == [
        "bank.yaml:7:33: duplicate right side 'y!' (same as pair 2)",
    ]


def test_match_pair_not_two_texts(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(match("[[a, x], [b], [c, 3], d]")))) == [
        "bank.yaml:7:21: a pair must be a list of two texts: [left, right]",
        "bank.yaml:7:26: a pair must be a list of two texts: [left, right]",
        "bank.yaml:7:34: a pair must be a list of two texts: [left, right]",
    ]


def test_match_with_one_pair(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(match("[[a, x]]")))) == [
        "bank.yaml:7:12: a match question needs at least 2 pairs",
    ]


def test_match_pairs_not_a_list(make_bank: MakeBank) -> None:
    assert problems(make_bank(bank(match("{a: x, b: y}")))) == [
        "bank.yaml:7:12: 'pairs' must be a list of [left, right], not a mapping",
    ]


# -- sources, images, revisions ------------------------------------------------------


def test_unknown_source_doc(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard().replace("doc: doc", "doc: dco")))
    assert problems(path) == [
        "bank.yaml:9:19: unknown source 'dco' (did you mean 'doc'?); declare it in sources.yaml",
    ]


def test_unknown_source_section(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard().replace("section: Intro", "section: Imagign")))
    assert problems(path) == [
        "bank.yaml:9:33: 'Imagign' is not a section of 'doc' (did you mean 'Imaging'?)",
    ]


def test_any_section_of_a_source_without_sections(make_bank: MakeBank) -> None:
    path = make_bank(
        bank(flashcard().replace("{doc: doc, section: Intro}", "{doc: other, section: X}"))
    )
    assert run(path).exit_code == 0


def test_source_not_a_mapping(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard().replace("{doc: doc, section: Intro}", "doc")))
    assert problems(path) == [
        "bank.yaml:9:13: 'source' must be a mapping {doc: <source id>, section: <heading>}",
    ]


def test_source_keys(make_bank: MakeBank) -> None:
    path = make_bank(
        bank(flashcard().replace("{doc: doc, section: Intro}", "{doc: 3, sectoin: I}"))
    )
    assert problems(path) == [
        "bank.yaml:9:13: source is missing required key 'section'",
        "bank.yaml:9:19: 'doc' must be text, not 3 (quote it to make it text)",
        "bank.yaml:9:22: unknown key 'sectoin' in source (did you mean 'section'?)",
    ]


def test_no_sources_yaml(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard()), sources=None)
    assert problems(path) == [
        "bank.yaml:1:1: no sources.yaml found beside this bank or in a folder above it",
    ]


def test_sources_yaml_of_a_parent_folder_is_used(make_bank: MakeBank) -> None:
    Path("sources.yaml").write_text(TEST_SOURCES, encoding="utf-8")
    path = make_bank(bank(flashcard()), "topic/sub/bank.yaml", sources=None)
    assert run(path).stdout == "1 bank, 1 question OK\n"


def test_sources_yaml_problems_are_located_in_it(make_bank: MakeBank) -> None:
    make_bank(
        bank(flashcard()),
        sources=(
            "sources:\n"
            "  - id: doc\n"
            "    title: A\n"
            "    kind: k\n"
            "    date: [2025]\n"
            "  - id: doc\n"
            "    title: B\n"
            "    kind: k\n"
            "    year: 2020\n"
            "  - id: Bad Id\n"
            "  - just text\n"
        ),
    )
    result = run("bank.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "sources.yaml:5:11: 'date' must be a date such as 2025-08-07, not a list",
        "sources.yaml:6:9: duplicate source id 'doc'",
        "sources.yaml:9:5: unknown key 'year' in source",
        "sources.yaml:10:5: source is missing required key 'title'",
        "sources.yaml:10:5: source is missing required key 'kind'",
        "sources.yaml:10:9: 'id' 'Bad Id' is not a slug: "
        "use lowercase letters, digits and '-' only (e.g. 'bad-id')",
        "sources.yaml:11:5: a source must be a mapping with id, title, kind and date",
        f"{len(result.stderr.splitlines()) - 1} problems in 1 file",
    ]


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ("- id: doc\n", ["1:1: a sources file must be a mapping with one key, 'sources'"]),
        ("sources: doc\n", ["1:10: 'sources' must be a list of {id, title, kind, date}"]),
        (
            "source: []\n",
            [
                "1:1: unknown key 'source' in sources file (did you mean 'sources'?)",
                "1:1: sources file is missing required key 'sources'",
            ],
        ),
    ],
)
def test_sources_yaml_shape(make_bank: MakeBank, text: str, messages: list[str]) -> None:
    make_bank(bank(flashcard()), sources=text)
    # Only the sources file's problems: no "unknown source" for each question.
    assert problems("bank.yaml") == [f"sources.yaml:{m}" for m in messages]


def test_missing_image(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard().replace("back: B", "back: B\n    image: img/ho.png")))
    assert problems(path) == [
        "bank.yaml:8:12: image file not found: 'img/ho.png' (relative to the bank file)",
    ]


@pytest.mark.parametrize(
    ("name", "shown"), [("x" * 5000, "'" + "x" * 57 + "...'"), (r'"a\0b"', r"'a\x00b'")]
)
def test_impossible_image_name(make_bank: MakeBank, name: str, shown: str) -> None:
    path = make_bank(bank(flashcard().replace("back: B", f"back: B\n    image: {name}")))
    assert problems(path) == [
        f"bank.yaml:8:12: image file not found: {shown} (relative to the bank file)",
    ]


def test_image_relative_to_the_bank_file(make_bank: MakeBank) -> None:
    path = make_bank(
        bank(flashcard().replace("back: B", "back: B\n    image: img/ho.png")), "sub/b.yaml"
    )
    (path.parent / "img").mkdir()
    (path.parent / "img" / "ho.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert run(path).exit_code == 0


@pytest.mark.parametrize(
    ("value", "shown"),
    [("0", "0"), ("-2", "-2"), ("1.5", "1.5"), ("two", "'two'"), ("true", "true")],
)
def test_revision_must_be_a_whole_number_from_1(
    make_bank: MakeBank, value: str, shown: str
) -> None:
    path = make_bank(bank(flashcard().replace("back: B", f"back: B\n    revision: {value}")))
    assert problems(path) == [
        f"bank.yaml:8:15: 'revision' must be a whole number from 1 to 2147483647, not {shown}",
    ]


def test_revision_2_is_valid(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard().replace("back: B", "back: B\n    revision: 2")))
    assert run(path).exit_code == 0


# -- bank fields --------------------------------------------------------------------


def test_deck_with_an_empty_part(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard()) + 'deck: "HO::::Imaging"\n')
    assert problems(path) == [
        "bank.yaml:10:7: deck 'HO::::Imaging' has an empty part between '::'",
    ]


@pytest.mark.parametrize("deck", ["'::HO'", "'HO::'", "'HO:: ::x'"])
def test_deck_with_an_empty_first_or_last_part(make_bank: MakeBank, deck: str) -> None:
    assert len(problems(make_bank(bank(flashcard()) + f"deck: {deck}\n"))) == 1


def test_deck_description_and_tags_are_valid(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard()) + "deck: HO::Imaging\ndescription: D\ntags: [a, b]\n")
    assert run(path).exit_code == 0


def test_error_lines_use_the_path_as_given(make_bank: MakeBank) -> None:
    path = make_bank(bank(flashcard("Q")), "sub/x.yaml")
    absolute = path.resolve()
    assert problems(absolute)[0].startswith(f"{absolute}:4:9: ")
    assert problems(f".{os.sep}sub")[0].startswith(f"sub{os.sep}x.yaml:4:9: ")
