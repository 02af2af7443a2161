"""`hoquiz lint`: one test per rule (exact message and position), then the command."""

from __future__ import annotations

import dataclasses
import difflib
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from hoquiz.banks.loader import load_banks
from hoquiz.cli import cli
from hoquiz.lint import RULES, check, locate
from hoquiz.text import normalize

SOURCES = """\
sources:
  - id: doc
    title: A reference document
    kind: test document
"""

EXPLAIN = (
    "Plain films come first because they are quick and show mature ectopic bone; "
    "the tempting alternative adds detail only later."
)


def write_bank(folder: Path, body: str, name: str = "bank.yaml") -> Path:
    """A bank file (dedented ``body``) with a sources.yaml beside it."""
    (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    path = folder / name
    path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["lint", *map(str, args)])


def warnings(path: Path) -> list[str]:
    """The warning lines `hoquiz lint PATH` prints (stderr, without the count)."""
    result = run(path)
    assert result.exit_code in (0, 1), result.output
    return result.stderr.splitlines()[:-1]


# -- one test per rule -------------------------------------------------------


def test_all_of_the_above(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path,
        f"""
        id: t
        title: T
        questions:
          - id: q1
            type: mcq
            prompt: Which study is the usual first choice for suspected HO?
            choices:
              - Radiography
              - Computed tomography
              - None of the above
            answer: Radiography
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Imaging}}
        """,
    )
    assert warnings(path) == [
        f"{path}:10:9: option 'None of the above' is an all/none-of-the-above option; "
        "write a specific option instead [all-of-the-above]"
    ]


def test_option_with_feedback_points_at_its_text(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path,
        f"""
        id: t
        title: T
        questions:
          - id: q1
            type: mcq
            prompt: Which study is the usual first choice for suspected HO?
            choices:
              - Radiography
              - {{feedback: It is not an option at all., text: All of these}}
            answer: Radiography
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Imaging}}
        """,
    )
    assert warnings(path) == [
        f"{path}:9:55: option 'All of these' is an all/none-of-the-above option; "
        "write a specific option instead [all-of-the-above]"
    ]


def _choice_question(qid: str, key: str, distractors: list[str]) -> str:
    choices = "".join(f"      - {c}\n" for c in [key, *distractors])
    return (
        f"  - id: {qid}\n"
        f"    type: mcq\n"
        f"    prompt: Which description fits question {qid}?\n"
        f"    choices:\n{choices}"
        f"    answer: {key}\n"
        f"    explanation: {EXPLAIN}\n"
        f"    source: {{doc: doc, section: Imaging}}\n"
    )


def test_longest_key_when_common_in_the_bank(tmp_path: Path) -> None:
    long_key = "Bone scan, whose early phase shows the inflammation"  # 51 characters
    body = (
        "id: t\ntitle: T\nquestions:\n"
        + _choice_question("q1", long_key, ["Plain radiography today", "Computed tomography"])
        + _choice_question("q2", "Indomethacin taken", ["Warfarin", "Etidronate"])
        + _choice_question("q3", "Warfarin", ["Indomethacin", "Etidronate"])
    )
    path = write_bank(tmp_path, body)
    # q1's key is at line 8; keys are the longest option in q1 and q2: 2 of 3.
    assert warnings(path) == [
        f"{path}:8:9: key is the longest option by far (51 characters, longest distractor 23), "
        "and the key is the longest option in 2 of 3 mcq/multi questions of this bank; "
        "shorten the key or lengthen the distractors [longest-key]"
    ]


def test_longest_key_is_quiet_when_rare_in_the_bank(tmp_path: Path) -> None:
    long_key = "Bone scan, whose early phase shows the inflammation"
    body = (
        "id: t\ntitle: T\nquestions:\n"
        + _choice_question("q1", long_key, ["Plain radiography today", "Computed tomography"])
        + _choice_question("q2", "Warfarin", ["Indomethacin", "Etidronate"])
        + _choice_question("q3", "Etidronate", ["Indomethacin", "Warfarin"])
    )
    assert warnings(write_bank(tmp_path, body)) == []


def test_option_length(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path,
        f"""
        id: t
        title: T
        questions:
          - id: q1
            type: multi
            prompt: Which drugs may prevent HO?
            choices:
              - NSAIDs
              - Etidronate
              - Paracetamol given every six hours for several weeks
            answer: [NSAIDs, Etidronate]
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Prevention}}
        """,
    )
    assert warnings(path) == [
        f"{path}:10:9: options run from 6 to 51 characters; make them similar in length "
        "[option-length]"
    ]


def test_absolute_word_in_options_and_statements(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path,
        f"""
        id: t
        title: T
        questions:
          - id: q1
            type: mcq
            prompt: What does HO do to a joint?
            choices:
              - It restricts motion
              - It always fuses it and only in adults
              - None of the above
            answer: It restricts motion
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Symptoms}}
          - id: q2
            type: true_false
            prompt: HO never causes pain.
            answer: false
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Symptoms}}
        """,
    )
    assert warnings(path) == [
        f"{path}:9:9: option uses the absolute words 'always' and 'only', "
        "a cue for testwise guessing; qualify or reword it [absolute-word]",
        f"{path}:10:9: option 'None of the above' is an all/none-of-the-above option; "
        "write a specific option instead [all-of-the-above]",
        f"{path}:16:13: statement uses the absolute word 'never', "
        "a cue for testwise guessing; qualify or reword it [absolute-word]",
    ]


def test_hedged_key_among_absolute_distractors(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path,
        f"""
        id: t
        title: T
        questions:
          - id: q1
            type: mcq
            prompt: How is the timing of excision decided?
            choices:
              - Fixed six-week wait
              - It varies by clinician and case
              - As soon as bone is seen
            answer: It varies by clinician and case
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Surgery}}
          - id: q2
            type: mcq
            prompt: How is the timing of surgery decided?
            choices:
              - It often follows a fixed wait
              - It varies by clinician and case
              - It is usually done at once
            answer: It varies by clinician and case
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Surgery}}
          - id: q3
            type: multi
            prompt: Which statements about early HO hold?
            choices:
              - It may not show on X-ray
              - It can mimic infection
              - It is a tumour
              - It is a fracture
            answer: [It may not show on X-ray, It can mimic infection]
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Early HO}}
        """,
    )
    assert warnings(path) == [
        f"{path}:9:9: the key alone is hedged ('varies') and every distractor is absolute; "
        "hedge the distractors too or ask for the specific claim [hedged-key]",
        f"{path}:28:9: the key alone is hedged ('may') and every distractor is absolute; "
        "hedge the distractors too or ask for the specific claim [hedged-key]",
    ]


def _prompt_question(qid: str, prompt: str) -> str:
    return _choice_question(qid, "Warfarin", ["Indomethacin", "Etidronate"]).replace(
        f"Which description fits question {qid}?", prompt
    )


def test_negative_stem_not_in_capitals(tmp_path: Path) -> None:
    body = (
        "id: t\ntitle: T\nquestions:\n"
        + _prompt_question("q1", "Which drug is not used to prevent HO?")
        + _prompt_question("q2", "Which drug is NOT a bisphosphonate?")
        + _prompt_question("q3", "A man could not walk. Which drug prevents HO?")
        + _prompt_question("q4", "Which drug must be given for at least a week?")
        + _prompt_question("q5", "Which drug lowers vitamin K activity?")
        + _prompt_question("q6", "Which drug lowers the rate of bone formation?")
        + _prompt_question("q7", "Which drug reduces inflammation after surgery?")
        + _prompt_question("q8", "Which drug delays mineralisation?")
        + _prompt_question("q9", "Which drug is used after hip surgery?")
        + _prompt_question("q10", "Which drug acts through vitamin K?")
        + _prompt_question("q11", "Which drug is given by mouth?")
        + _prompt_question("q12", "Which drug is given after radiation?")
    )
    path = write_bank(tmp_path, body)
    # Two negative lead-ins of twelve (17%) is also above the share.
    assert warnings(path) == [
        f"{path}:3:1: 2 of 12 mcq/multi lead-ins (17%) are negative; keep them under 15% "
        "by asking positively [negative-stem-share]",
        f"{path}:6:13: negative lead-in word 'not' is not in capitals; ask positively, "
        "or write NOT [negative-stem]",
    ]


def test_negative_stem_share_needs_two(tmp_path: Path) -> None:
    body = (
        "id: t\ntitle: T\nquestions:\n"
        + _prompt_question("q1", "Which drug is NOT used to prevent HO?")
        + _prompt_question("q2", "Which drug is a bisphosphonate?")
    )
    assert warnings(write_bank(tmp_path, body)) == []


def test_explanation_repeats_the_answer(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path,
        """
        id: t
        title: T
        questions:
          - id: q1
            type: short
            prompt: Which gene is mutated in FOP?
            accept: [ACVR1]
            explanation: The correct answer is ACVR1.
            source: {doc: doc, section: Genetics}
          - id: q2
            type: mcq
            prompt: Which study is most sensitive for early HO?
            choices: [Three-phase bone scan, Radiography]
            answer: Three-phase bone scan
            explanation: Tracer uptake, early.
            source: {doc: doc, section: Imaging}
        """,
    )
    advice = "say why the key is right and why the most tempting distractor is wrong"
    assert warnings(path) == [
        f"{path}:8:18: explanation only repeats the question and its answer; {advice} "
        "[explanation-repeats-answer]",
        f"{path}:15:18: explanation (19 characters) is shorter than 1.5x the answer (21); "
        f"{advice} [explanation-repeats-answer]",
    ]


def test_missing_explanation_and_source(tmp_path: Path) -> None:
    # The validator refuses both, so build the banks in code: the linter still guards.
    path = write_bank(
        tmp_path,
        f"""
        id: t
        title: T
        questions:
          - id: q1
            type: true_false
            prompt: Bone scans show HO before radiographs do.
            answer: true
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Imaging}}
        """,
    )
    (bank,) = load_banks([path])
    (question,) = bank.questions
    emptied = dataclasses.replace(
        question, explanation=" ", source=dataclasses.replace(question.source, section="")
    )
    bank = dataclasses.replace(bank, questions=(emptied,))
    problems = locate(check([bank]), {path: path.read_text(encoding="utf-8")})
    assert [str(p) for p in problems] == [
        f"{path}:8:18: question has no explanation; say why the key is right "
        "and why the most tempting distractor is wrong [missing-explanation]",
        f"{path}:9:13: question has no source document and section; "
        "cite where its fact is stated [missing-source]",
    ]


def test_duplicate_prompts_across_banks(tmp_path: Path) -> None:
    first = write_bank(
        tmp_path,
        f"""
        id: first
        title: First
        questions:
          - id: q1
            type: true_false
            prompt: Brooker grade 1 means islands of bone in the soft tissue about the hip.
            answer: true
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Brooker}}
          - id: q2
            type: flashcard
            front: Which imaging study usually comes first when HO is suspected?
            back: Radiography
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Imaging}}
        """,
        name="a.yaml",
    )
    second = write_bank(
        tmp_path,
        f"""
        id: second
        title: Second
        questions:
          - id: q1
            type: short
            prompt: "Which imaging study usually comes first when HO is suspected?"
            accept: [radiography]
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Imaging}}
          - id: q2
            type: true_false
            prompt: Brooker grade 1 means islands of bone in soft tissue about the hip.
            answer: true
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Brooker}}
          - id: q3
            type: true_false
            prompt: Brooker grade 3 means islands of bone in the soft tissue about the hip.
            answer: false
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Brooker}}
        """,
        name="b.yaml",
    )
    result = run(first, second)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{second}:6:13: prompt duplicates first/q2 (same wording once normalised) "
        "[duplicate-prompt]",
        f"{second}:12:13: prompt nearly duplicates first/q1 (97% similar); merge them or "
        "make them ask different things [duplicate-prompt]",
        "2 warnings in 1 file",
    ]


def test_short_answer_a_guess_would_hit(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path,
        f"""
        id: t
        title: T
        questions:
          - id: q1
            type: short
            prompt: Which tissue forms outside the skeleton in HO?
            accept:
              - lamellar bone
              - Bone
              - b
              - CT
              - "?"
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Definition}}
        """,
    )
    assert warnings(path) == [
        f"{path}:9:9: accepted answer 'Bone' is a common word a guess would match; "
        "ask for something more specific, or make it an mcq [short-common-answer]",
        f"{path}:10:9: accepted answer 'b' is only 1 character once normalised; "
        "a guess could match it, so accept a longer form [short-common-answer]",
        f"{path}:12:9: accepted answer '?' is empty once punctuation is ignored; "
        "a guess could match it, so accept a longer form [short-common-answer]",
    ]


def test_cloze_deletion_too_long(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path,
        f"""
        id: t
        title: T
        questions:
          - id: q1
            type: cloze
            text: >-
              FOP spreads {{{{c1::from the axial to the appendicular skeleton}}}} and
              {{{{c2::dorsal before ventral}}}}; {{{{c3::progressive osseous heteroplasia}}}}
              starts in fat.
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Genetics}}
        """,
    )
    limit = "delete at most 4 words or 30 characters [cloze-too-long]"
    assert warnings(path) == [
        f"{path}:6:11: cloze deletion c1 'from the axial to the appendicular skeleton' "
        f"is 7 words; {limit}",
        f"{path}:6:11: cloze deletion c3 'progressive osseous heteroplasia' "
        f"is 32 characters; {limit}",
    ]


# -- the command ---------------------------------------------------------------


def test_confusable_answers_of_different_questions(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path,
        f"""
        id: t
        title: T
        questions:
          - id: q1
            type: short
            prompt: Which movement away from the midline does hip HO limit?
            accept: [abduction, hip abduction]
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Hip}}
          - id: q2
            type: short
            prompt: Which tissue layer does POH reach first?
            accept: [subcutaneous fat]
            explanation: {EXPLAIN}
            source: {{doc: doc, section: POH}}
          - id: q3
            type: cloze
            text: "Grading: {{{{c1::radiographs}}}}; POH starts in {{{{c2::subcutaneus fats}}}}."
            explanation: {EXPLAIN}
            source: {{doc: doc, section: POH}}
          - id: q4
            type: short
            prompt: Which movement towards the midline?
            accept: [adduction]
            explanation: {EXPLAIN}
            source: {{doc: doc, section: Hip}}
          - id: q5
            type: short
            prompt: Which layer, spelt exactly?
            accept: [subcutaneos fat]
            match: exact
            explanation: {EXPLAIN}
            source: {{doc: doc, section: POH}}
        """,
    )
    assert warnings(path) == [
        f"{path}:18:11: 'subcutaneus fats' would be accepted for 'subcutaneous fat' of t/q2 "
        "(or the reverse): a learner mixing them up is marked right; reword one or give "
        "them match: exact [confusable-answers]",
    ]


def test_key_near_distractor(tmp_path: Path) -> None:
    body = "id: t\ntitle: T\nquestions:\n" + _choice_question(
        "q1", "Osteophytosis", ["Osteophytoses", "Osteomyelitis"]
    )
    path = write_bank(tmp_path, body)
    assert warnings(path) == [
        f"{path}:9:9: distractor 'Osteophytoses' is within a spelling slip of the key "
        "'Osteophytosis': easy to misread; reword one [key-near-distractor]",
    ]


CLEAN = f"""
id: t
title: T
questions:
  - id: q1
    type: mcq
    prompt: Which study is the usual first choice for suspected HO?
    choices: [Radiography, Computed tomography, Bone scan]
    answer: Radiography
    explanation: {EXPLAIN}
    source: {{doc: doc, section: Imaging}}
"""


def test_clean_bank_exits_0(tmp_path: Path) -> None:
    result = run(write_bank(tmp_path, CLEAN))
    assert result.exit_code == 0
    assert result.stdout == "1 bank, 1 question: no lint warnings\n"
    assert result.stderr == ""


def test_warnings_sorted_with_a_count_and_exit_1(tmp_path: Path) -> None:
    bad = CLEAN.replace("Bone scan]", "All of the above]").replace(
        "Which study is", "Which study is not"
    )
    b = write_bank(tmp_path, bad, name="b.yaml")
    a = write_bank(tmp_path, bad.replace("id: t", "id: a").replace("suspected", "early"), "a.yaml")
    result = run(tmp_path)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split(": ", 1)[0] for line in lines[:-1]] == [
        f"{a}:6:13",
        f"{a}:7:49",
        f"{b}:6:13",
        f"{b}:7:49",
    ]
    assert lines[-1] == "4 warnings in 2 files"


def test_invalid_bank_is_reported_like_validate(tmp_path: Path) -> None:
    path = write_bank(tmp_path, CLEAN.replace("answer: Radiography", "answer: Ultrasound"))
    linted, validated = run(path), CliRunner().invoke(cli, ["validate", str(path)])
    assert linted.exit_code == validated.exit_code == 1
    assert linted.stderr == validated.stderr
    assert linted.stderr.splitlines()[0].startswith(f"{path}:8:13: answer 'Ultrasound'")


def test_rule_and_ignore_choose_rules(tmp_path: Path) -> None:
    bad = CLEAN.replace("Bone scan]", "All of the above]").replace(
        "Which study is", "Which study is not"
    )
    path = write_bank(tmp_path, bad)
    only = run(path, "--rule", "negative-stem")
    assert only.exit_code == 1
    assert [line.rsplit(" ", 1)[-1] for line in only.stderr.splitlines()[:-1]] == [
        "[negative-stem]"
    ]
    ignored = run(path, "--ignore", "negative-stem", "--ignore", "all-of-the-above")
    assert ignored.exit_code == 0
    assert ignored.stdout == "1 bank, 1 question: no lint warnings\n"


def test_unknown_rule_is_a_usage_error(tmp_path: Path) -> None:
    result = run(write_bank(tmp_path, CLEAN), "--ignore", "negative-stems")
    assert result.exit_code == 2
    assert (
        "Error: unknown lint rule 'negative-stems' (did you mean 'negative-stem'?); rules: "
        + ", ".join(RULES)
    ) in result.stderr


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run(tmp_path / "nowhere.yaml")
    assert result.exit_code == 2
    assert f"Error: no such file or folder: {tmp_path / 'nowhere.yaml'}" in result.stderr


def test_default_path_is_the_bundled_decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hoquiz.banks.loader

    write_bank(tmp_path, CLEAN)
    monkeypatch.setattr(hoquiz.banks.loader, "bundled_decks_dir", lambda: tmp_path)
    result = run()
    assert result.exit_code == 0
    assert result.stdout == "1 bank, 1 question: no lint warnings\n"


def test_every_rule_is_documented() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "lint.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"### `{rule}`" in doc


@pytest.mark.parametrize("rule", sorted(RULES))
def test_rule_ids_are_stable_slugs(rule: str) -> None:
    assert rule == rule.lower() and " " not in rule


# -- duplicate detection agrees with a plain pairwise difflib comparison -------


@st.composite
def _prompts(draw: st.DrawFn) -> list[str]:
    """A few prompts, most of them small edits of one base text."""
    letters = "abcd 1"
    base = draw(st.text(alphabet=letters, min_size=15, max_size=40))
    prompts = []
    for _ in range(draw(st.integers(2, 8))):
        text = list(base)
        for _ in range(draw(st.integers(0, 4))):
            at = draw(st.integers(0, len(text)))
            if draw(st.booleans()) and at < len(text):
                del text[at]
            else:
                text.insert(at, draw(st.sampled_from(letters)))
        prompts.append("".join(text) or "x")
    return [p if normalize(p) else "x" + p for p in prompts]


@settings(max_examples=200, deadline=None)
@given(_prompts())
def test_duplicate_prompt_matches_pairwise_difflib(prompts: list[str]) -> None:
    from hoquiz.model import Bank, SourceRef, TrueFalse

    questions = tuple(
        TrueFalse(
            id=f"q{i}", explanation=EXPLAIN, source=SourceRef("doc", "s"), prompt=p, answer=True
        )
        for i, p in enumerate(prompts)
    )
    bank = Bank(id="b", title="B", questions=questions, path=Path("b.yaml"), sources={})
    found = {f.where[1]: f.message for f in check([bank], {"duplicate-prompt"})}
    expected: dict[int, str] = {}
    texts = [normalize(p) for p in prompts]
    for j, text in enumerate(texts):
        firsts = [i for i in range(j) if texts[i] not in texts[:i]]  # first copies only
        same = [i for i in range(j) if texts[i] == text]
        if same:
            expected[j] = f"prompt duplicates b/q{same[0]} (same wording once normalised)"
            continue
        numbers = sorted(re.findall(r"\d+(?:[.,]\d+)?", text))
        for i in firsts:
            ratio = difflib.SequenceMatcher(None, texts[i], text, autojunk=False).ratio()
            if sorted(re.findall(r"\d+(?:[.,]\d+)?", texts[i])) == numbers and ratio > 0.9:
                expected[j] = (
                    f"prompt nearly duplicates b/q{i} ({int(ratio * 100)}% similar); "
                    "merge them or make them ask different things"
                )
                break
    assert found == expected
