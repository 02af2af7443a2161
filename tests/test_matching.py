"""Lenient matching of typed answers: the shared case table, and the verdicts a learner reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ALL_TYPES_BANK, MakeBank

from hoquiz.banks.loader import load_banks
from hoquiz.errors import BankError
from hoquiz.model import Cloze, Numeric, Short, SourceRef, parse_cloze
from hoquiz.study.grading import Grade, Presentation, grade, verdict_line
from hoquiz.study.matching import confusable, match_answer, slips_allowed, unit_key

CASES: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "matching_cases.json").read_text(encoding="utf-8")
)
SOURCE = SourceRef("clinical-overview", "Prevention")


def _id(case: dict[str, Any]) -> str:
    return f"{case['typed']}->{case['accept'][0]}"


@pytest.mark.parametrize("case", CASES["text"], ids=_id)
def test_case_table(case: dict[str, Any]) -> None:
    matched = match_answer(case["typed"], case["accept"], exact=case.get("mode") == "exact")
    verdict = "wrong" if matched is None else matched.kind.value
    assert verdict == case["verdict"]
    if matched is not None:
        assert matched.answer == case.get("answer", case["accept"][0])


def test_shares_of_natural_variants_and_wrong_answers() -> None:
    """The figures reported for issue 10: what share of each group grades as intended."""
    groups: dict[str, list[bool]] = {}
    for case in CASES["text"]:
        accepted = match_answer(case["typed"], case["accept"]) is not None
        groups.setdefault(case["group"], []).append(accepted)
    variants = groups["issue"] + groups["variant"]
    assert len(variants) >= 40 and len(groups["wrong"]) >= 40
    assert sum(variants) / len(variants) >= 0.95
    assert not any(groups["wrong"])


def short(*accept: str) -> Short:
    return Short(id="q", explanation="e", source=SOURCE, prompt="p", accept=accept)


def line(question: Short | Cloze | Numeric, typed: str, cloze: int | None = None) -> str:
    result = grade(question, Presentation(cloze=cloze), typed)
    assert isinstance(result, Grade), result
    return verdict_line(result)


def test_verdicts_say_what_was_accepted() -> None:
    assert line(short("bisphosphonate"), "bisphosphonates") == (
        'Correct (accepted "bisphosphonate"; you typed "bisphosphonates")'
    )
    assert line(short("indomethacin", "indometacin"), "indomethicin") == (
        "Correct, but check the spelling: indomethacin"
    )
    assert line(short("Brooker classification"), "Brooker's classification") == (
        'Correct (accepted "Brooker classification"; you typed "Brooker\'s classification")'
    )
    assert line(short("resurfacing"), "RESURFACNG") == (
        "Correct, but check the spelling: resurfacing"
    )
    assert line(short("indomethacin"), "Indomethacin") == "Correct."
    assert line(short("indomethacin"), "indomethacin +") == "Correct (marked easy)."
    assert line(short("bisphosphonate"), "bisphosphonates -") == (
        'Correct (accepted "bisphosphonate"; you typed "bisphosphonates"; marked hard)'
    )
    assert line(short("indomethacin"), "ibuprofen") == "Incorrect. You answered: ibuprofen"


def test_a_lenient_grade_carries_its_kind() -> None:
    result = grade(short("bone scan"), Presentation(), "a bone scan")
    assert isinstance(result, Grade)
    assert (result.correct, result.kind, result.accepted) == (True, "lenient", "bone scan")


def cloze(text: str) -> Cloze:
    return Cloze(id="c", explanation="e", source=SOURCE, text=text, deletions=parse_cloze(text))


def test_cloze_deletions_match_leniently() -> None:
    q = cloze("Prevention uses a {{c1::bisphosphonate}} or {{c2::indomethacin}}.")
    assert line(q, "bisphosphonates", 1) == (
        'Correct (accepted "bisphosphonate"; you typed "bisphosphonates")'
    )
    assert line(q, "indomethicin", 2) == "Correct, but check the spelling: indomethacin"
    assert line(q, "ibuprofen", 2) == "Incorrect. You answered: ibuprofen"


def test_cloze_deletions_hidden_together() -> None:
    q = cloze("FOP favours {{c1::axial}} over {{c1::appendicular}} sites.")
    assert line(q, "axial appendicular", 1) == "Correct."
    spelt = "Correct, but check the spelling: axial; appendicular"
    assert line(q, "axial; apendicular", 1) == spelt
    assert line(q, "appendicular; axial", 1).startswith("Incorrect")


def numeric(answer: float, tolerance: float, unit: str | None) -> Numeric:
    return Numeric(
        id="n", explanation="e", source=SOURCE, prompt="p", answer=answer, tolerance=tolerance,
        unit=unit,
    )  # fmt: skip


@pytest.mark.parametrize("case", CASES["numeric"], ids=lambda c: f"{c['typed']}->{c['answer']}")
def test_numeric_case_table(case: dict[str, Any]) -> None:
    question = numeric(case["answer"], case["tolerance"], case["unit"])
    result = grade(question, Presentation(), case["typed"])
    verdict = "right" if isinstance(result, Grade) and result.correct else "wrong"
    if not isinstance(result, Grade):
        verdict = "unparseable"
    assert verdict == case["verdict"]


def test_numeric_verdict_shows_the_accepted_range() -> None:
    dose = numeric(7, 0.5, "Gy")
    assert line(dose, "7.4") == "Correct (accepted 6.5 to 7.5 Gy)."
    assert line(dose, "8 gray") == "Incorrect. You answered: 8 Gy (accepted 6.5 to 7.5 Gy)"
    assert line(numeric(0.3, 0.1, None), "0.2") == "Correct (accepted 0.2 to 0.4)."
    assert line(numeric(93, 0, "%"), "93 percent") == "Correct."


def test_unit_aliases() -> None:
    assert unit_key("per cent") == unit_key("%") == unit_key("Percent")
    assert unit_key("wks") == unit_key("weeks") == unit_key("Week")
    assert unit_key("yr") == unit_key("years")
    assert unit_key("furlongs") == "furlongs"


def test_slips_grow_with_length() -> None:
    assert [slips_allowed("x" * n) for n in (1, 5, 6, 12, 13, 20)] == [0, 0, 1, 1, 2, 2]


def test_confusable_answers() -> None:
    assert confusable("ilium", "ilium") is False
    assert confusable("bone scan", "bone scans") is False
    assert confusable("abduction", "adduction") is False  # opposed prefixes are told apart
    assert confusable("resection", "resections") is False
    assert confusable("flushing", "blushing") is True
    assert confusable("osteophytosis", "osteophytoses") is True


# -- match: exact in a bank ------------------------------------------------------------


def test_match_exact_in_a_bank(make_bank: MakeBank) -> None:
    text = ALL_TYPES_BANK.replace(
        '    accept: [indomethacin, "indometacin"]\n',
        '    accept: [indomethacin, "indometacin"]\n    match: exact\n',
    ).replace(
        '    text: "{{c1::Radiography::imaging}} shows {{c2::mature bone}}."\n',
        '    text: "{{c1::Radiography::imaging}} shows {{c2::mature bone}}."\n    match: exact\n',
    )
    (bank,) = load_banks([make_bank(text)])
    drug, cloze_q = bank.question("q-short"), bank.question("q-cloze")
    assert isinstance(drug, Short) and isinstance(cloze_q, Cloze)
    assert drug.exact_match and cloze_q.exact_match
    assert line(drug, " Indomethacin! ") == "Correct."
    assert line(drug, "indomethicin") == "Incorrect. You answered: indomethicin"
    assert line(cloze_q, "mature bones", 2) == "Incorrect. You answered: mature bones"
    (lenient,) = load_banks([make_bank(ALL_TYPES_BANK, name="other.yaml")])
    lenient_drug = lenient.question("q-short")
    assert isinstance(lenient_drug, Short) and not lenient_drug.exact_match


def test_match_takes_exact_or_lenient(make_bank: MakeBank) -> None:
    text = ALL_TYPES_BANK.replace(
        '    accept: [indomethacin, "indometacin"]\n',
        '    accept: [indomethacin, "indometacin"]\n    match: strict\n',
    )
    with pytest.raises(BankError) as caught:
        load_banks([make_bank(text)])
    assert [str(p) for p in caught.value.problems] == [
        "bank.yaml:36:12: 'match' must be 'exact' or 'lenient', not 'strict'"
    ]


def test_match_is_not_a_key_of_other_types(make_bank: MakeBank) -> None:
    text = ALL_TYPES_BANK.replace("    unit: weeks\n", "    unit: weeks\n    match: exact\n")
    with pytest.raises(BankError) as caught:
        load_banks([make_bank(text)])
    assert "unknown key 'match'" in str(caught.value)


def test_confusable_pairs_finds_what_pairwise_checks_find() -> None:
    """The linter's indexed search loses no pair a plain double loop finds."""
    from hoquiz.study.matching import confusable_pairs

    texts = sorted(
        {c["typed"] for c in CASES["text"]} | {a for c in CASES["text"] for a in c["accept"]}
    )
    expected = [
        (i, j)
        for i in range(len(texts))
        for j in range(i + 1, len(texts))
        if confusable(texts[i], texts[j])
    ]
    assert len(expected) > 30
    assert confusable_pairs(texts) == expected
