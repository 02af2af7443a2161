"""The bundled banks: valid, lint-clean, big enough, cited, and paraphrased."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from hoquiz.banks.loader import bundled_decks_dir, load_banks
from hoquiz.cli import cli
from hoquiz.model import MCQ, Bank, Cloze, Multi, Question
from hoquiz.text import normalize

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
NAMED_BANKS = ("fop-genetics", "imaging", "prevention", "pitfalls")


@pytest.fixture(scope="module")
def banks() -> list[Bank]:
    return load_banks([])


def all_questions(banks: list[Bank]) -> list[tuple[Bank, Question]]:
    return [(b, q) for b in banks for q in b.questions]


def test_bundled_decks_are_package_data() -> None:
    folder = bundled_decks_dir()
    assert (folder / "sources.yaml").is_file()
    assert len(list(folder.glob("*.yaml"))) >= 5


def test_validate_and_lint_are_clean() -> None:
    runner = CliRunner()
    validated = runner.invoke(cli, ["validate"])
    assert validated.exit_code == 0, validated.output
    assert re.fullmatch(r"\d+ banks, \d+ questions OK\n", validated.stdout)
    linted = runner.invoke(cli, ["lint"])
    assert linted.exit_code == 0, linted.output


def test_at_least_240_questions(banks: list[Bank]) -> None:
    assert sum(len(b.questions) for b in banks) >= 240


# The documents hold no number that the pitfalls, prevention or treatment banks
# could ask for, so those banks have no numeric question.
WITHOUT_NUMERIC = {"pitfalls", "prevention", "treatment"}


def test_every_bank_uses_every_type_that_fits(banks: list[Bank]) -> None:
    for bank in banks:
        types = {q.type for q in bank.questions}
        wanted = {"mcq", "multi", "true_false", "short", "cloze", "flashcard", "order", "match"}
        if bank.id not in WITHOUT_NUMERIC:
            wanted.add("numeric")
        assert wanted <= types, (bank.id, wanted - types)


def test_no_topic_takes_more_than_a_tenth(banks: list[Bank]) -> None:
    """FOP (its bank), the Brooker grades and any topic tag stay at or under 10%."""
    questions = all_questions(banks)
    total = len(questions)
    fop = next(b for b in banks if b.id == "fop-genetics")
    assert len(fop.questions) * 10 <= total
    tags = Counter(t for _, q in questions for t in q.tags if t != "vignette")
    assert all(n * 10 <= total for n in tags.values()), tags.most_common(3)
    brooker = [q for _, q in questions if "brooker" in q.tags]
    assert len(brooker) <= 4
    notation = [q for _, q in questions if re.search(r"617|R206H", q.stem)]
    assert len(notation) <= 1


@pytest.mark.parametrize("bank_id", NAMED_BANKS)
def test_named_banks_have_20_questions(banks: list[Bank], bank_id: str) -> None:
    bank = next(b for b in banks if b.id == bank_id)
    assert len(bank.questions) >= 20


def test_topics_beyond_the_named_four_are_covered(banks: list[Bank]) -> None:
    ids = {b.id for b in banks}
    assert {"classification", "clinical-course", "treatment", "causes", "overview"} <= ids


def test_every_type_is_used_enough(banks: list[Bank]) -> None:
    counts = Counter(q.type for _, q in all_questions(banks))
    for qtype in ("mcq", "multi", "true_false", "short", "numeric", "cloze", "flashcard"):
        assert counts[qtype] >= 5, (qtype, counts)
    assert counts["order"] >= 3 and counts["match"] >= 3, counts


def test_a_quarter_of_choice_questions_are_vignettes(banks: list[Bank]) -> None:
    choice = [q for _, q in all_questions(banks) if isinstance(q, (MCQ, Multi))]
    vignettes = [q for q in choice if "vignette" in q.tags]
    assert len(vignettes) * 4 >= len(choice), (len(vignettes), len(choice))


def test_vignettes_describe_a_patient(banks: list[Bank]) -> None:
    patient = re.compile(
        r"\b(\d{1,2}-year-old|man|woman|boy|girl|child|patient|person|athlete|worker)\b", re.I
    )
    for bank, q in all_questions(banks):
        if "vignette" in q.tags:
            assert patient.search(q.stem), f"{bank.id}/{q.id} is tagged vignette"


def test_every_source_is_declared_with_a_known_section(banks: list[Bank]) -> None:
    for bank, q in all_questions(banks):
        source = bank.sources[q.source.doc]
        assert q.source.section in source.sections, f"{bank.id}/{q.id}"


def test_the_three_documents_are_declared(banks: list[Bank]) -> None:
    sources = banks[0].sources
    assert set(sources) == {"clinical-overview", "orthopaedic-primer", "patient-guide"}
    assert sources["clinical-overview"].date == "2025-08-07"
    assert sources["patient-guide"].date == "2022-10-11"


def test_no_prompt_appears_twice(banks: list[Bank]) -> None:
    seen: dict[str, str] = {}
    for bank, q in all_questions(banks):
        key = normalize(q.stem)
        assert key not in seen, f"{bank.id}/{q.id} repeats {seen[key]}"
        seen[key] = f"{bank.id}/{q.id}"


def test_question_ids_are_unique_across_banks_as_card_keys(banks: list[Bank]) -> None:
    keys = [f"{b.id}/{q.id}" for b, q in all_questions(banks)]
    assert len(keys) == len(set(keys))


def test_every_cloze_card_has_a_short_deletion(banks: list[Bank]) -> None:
    for bank, q in all_questions(banks):
        if isinstance(q, Cloze):
            for d in q.deletions:
                assert len(d.answer) <= 30, f"{bank.id}/{q.id} c{d.number}"


def _words(text: str) -> list[str]:
    return normalize(text.replace("\u2019", "'")).split()


@pytest.mark.skipif(not SEEDS.is_dir(), reason="reference documents not beside the checkout")
def test_no_sentence_is_copied_from_the_reference_documents(banks: list[Bank]) -> None:
    """Facts are paraphrased: no run of 9 words matches a reference document."""
    run = 9
    seed_runs: set[tuple[str, ...]] = set()
    for seed in SEEDS.glob("*.txt"):
        words = _words(seed.read_text(encoding="utf-8"))
        seed_runs.update(tuple(words[i : i + run]) for i in range(len(words) - run + 1))
    copied = []
    for bank, q in all_questions(banks):
        texts = [q.stem, q.explanation]
        for text in texts:
            words = _words(text)
            for i in range(len(words) - run + 1):
                if tuple(words[i : i + run]) in seed_runs:
                    copied.append(f"{bank.id}/{q.id}: {' '.join(words[i : i + run])}")
                    break
    assert not copied, "\n".join(copied)
