"""Item-writing checks over loaded banks: warnings, not errors.

The checks follow the NBME's single-best-answer guidance ("Constructing
Written Test Questions for the Basic and Clinical Sciences"): no
all/none-of-the-above options, no cues in option length or absolute words,
rare and capitalised negative stems, explanations that teach, no duplicates.
Each rule has a stable id (see :data:`RULES` and ``docs/lint.md``); the
thresholds are the module constants below.

:func:`check` is pure: banks in, :class:`Finding` values (a bank file, a data
path into it, a rule id and a message) out. :func:`locate` turns findings into
:class:`~hoquiz.errors.Problem` lines ``path:line:col: message [rule-id]``
using the bank files' text; :func:`lint_banks` reads that text and does both.
Banks reach the linter only after validation succeeded, so question ``i`` of a
bank is item ``i`` of its file's ``questions`` list.
"""

from __future__ import annotations

import re
import zlib
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, assert_never

from hoquiz.banks.yamlio import DataPath, Locator, read_text
from hoquiz.errors import Problem, UsageError
from hoquiz.model import (
    MCQ,
    AnyQuestion,
    Bank,
    Cloze,
    Flashcard,
    Match,
    Multi,
    Numeric,
    Order,
    Short,
    TrueFalse,
)
from hoquiz.text import PLACEHOLDER_MARK, did_you_mean, format_number, normalize, plural, quote

if TYPE_CHECKING:
    from hoquiz.neardup import PackedTexts, Texts

# Stable rule ids, in the order docs/lint.md describes them.
RULES: dict[str, str] = {
    "all-of-the-above": "an 'all of the above' or 'none of the above' option",
    "longest-key": "the key is the longest option by a wide margin, in a bank where that is common",
    "option-length": "option lengths far apart within a question",
    "absolute-word": "'always', 'never', 'all', 'none' or 'only' in an option or statement",
    "negative-stem": "a negative lead-in (not, except, least...) not written in capitals",
    "negative-stem-share": "too many negative lead-ins in one bank",
    "missing-explanation": "no explanation",
    "missing-source": "no source document or section",
    "explanation-repeats-answer": "an explanation that only repeats the question and its answer",
    "duplicate-prompt": "the same or nearly the same prompt twice, across all banks linted",
    "short-common-answer": "a short answer a guess would hit: a common word or 1-2 characters",
    "cloze-too-long": "a cloze deletion too long to recall",
    "hedged-key": "the key is the only hedged option ('may', 'varies'...) among absolute ones",
    "confusable-answers": "accepted answers of two questions the matcher takes one for the other",
    "key-near-distractor": "an mcq or multi key within a spelling slip of a distractor",
    "import-placeholder": "a placeholder left by hoquiz import, still to be written",
    "option-position": "feedback or an explanation naming an option by its place (shuffled)",
    "invisible-characters": "a zero-width, bidi or other invisible character in bank text",
    "control-characters": "a control character (ESC, BEL, U+001F...) in bank text",
}

# longest-key: the key is longer than LONGEST_KEY_RATIO x the longest distractor
# and at least LONGEST_KEY_MIN_EXTRA characters longer, in a bank where the
# longest option is a key in more than LONGEST_KEY_BANK_SHARE of its mcq/multi
# questions.
LONGEST_KEY_RATIO = 1.5
LONGEST_KEY_MIN_EXTRA = 15
LONGEST_KEY_BANK_SHARE = 1 / 3

# option-length: longest option > OPTION_LENGTH_RATIO x the shortest and more
# than OPTION_LENGTH_MIN_GAP characters longer.
OPTION_LENGTH_RATIO = 3.0
OPTION_LENGTH_MIN_GAP = 30

# negative-stem-share: more than NEGATIVE_SHARE of a bank's mcq/multi lead-ins
# are negative, and at least NEGATIVE_SHARE_MIN_COUNT of them.
NEGATIVE_SHARE = 0.15
NEGATIVE_SHARE_MIN_COUNT = 2

# explanation-repeats-answer: an explanation shorter than REPEAT_LENGTH_RATIO x
# the answer (normalised characters; for multi the longest key, for cloze the
# longest card's deletions) cannot say why the key is right. Not
# applied to flashcard, order and match, whose answer is itself the lesson.
REPEAT_LENGTH_RATIO = 1.5

# duplicate-prompt: normalised stems equal, or a difflib ratio above this.
DUPLICATE_RATIO = 0.9

# short-common-answer: accepted answers shorter than this (normalised) are
# flagged, except two-letter abbreviations written in capitals (CT, HO).
SHORT_ANSWER_MIN_CHARS = 3

# cloze-too-long: a deletion longer than this many words or characters.
CLOZE_MAX_WORDS = 4
CLOZE_MAX_CHARS = 30

# Answers a learner who does not know would type as a guess in a quiz about
# heterotopic ossification: yes/no words, vague quantities, and the generic
# words of the topic (body parts where HO forms, its symptoms, its triggers).
# Specific modalities, drugs and genes (radiography, CT, indomethacin, ACVR1)
# are real answers and are not listed.
COMMON_ANSWERS = frozenset(
    {
        # yes/no, quantities and filler
        "yes", "no", "true", "false", "maybe", "none", "all", "both", "neither",
        "either", "nothing", "everything", "other", "unknown", "normal", "abnormal",
        "increased", "decreased", "high", "low", "more", "less", "left", "right",
        "the", "a", "an", "it", "and", "or", "not",
        # generic words of the topic
        "bone", "bones", "pain", "swelling", "inflammation", "infection", "injury",
        "trauma", "surgery", "operation", "rest", "exercise", "calcium", "blood",
        "muscle", "muscles", "joint", "joints", "hip", "knee", "elbow", "shoulder",
    }
)  # fmt: skip

ABSOLUTE_WORDS = ("always", "never", "all", "none", "only")
# Words that qualify a claim; a key that alone carries one is cued (NBME: options
# homogeneous in certainty).
HEDGE_WORDS = (
    "may", "might", "can", "could", "often", "usually", "generally", "sometimes", "some",
    "vary", "varies", "varied", "depend", "depends", "possibly", "perhaps", "likely",
    "typically", "commonly", "frequently", "rarely", "mostly", "mainly", "tends",
)  # fmt: skip
NEGATIVE_WORDS = ("not", "except", "least", "false", "incorrect", "untrue", "wrong", "cannot")

# Words an explanation may add to the question and answer and still say nothing.
_FILLER = frozenset(
    {
        "a", "an", "the", "is", "are", "was", "were", "be", "it", "its", "this", "that",
        "these", "those", "so", "and", "or", "of", "to", "in", "on", "for", "with", "as", "by",
        "answer", "answers", "correct", "right", "key", "true", "false", "yes", "no",
        "because", "therefore", "thus", "hence",
    }
)  # fmt: skip

_ABOVE_RE = re.compile(
    r"\b(?:all|none|both|neither)\s+(?:of\s+)?(?:the\s+)?(?:above|preceding|these|following)\b",
    re.IGNORECASE,
)
_ABSOLUTE_RE = re.compile(r"\b(?:" + "|".join(ABSOLUTE_WORDS) + r")\b", re.IGNORECASE)
_HEDGE_RE = re.compile(r"\b(?:" + "|".join(HEDGE_WORDS) + r"|case[- ]by[- ]case)\b", re.IGNORECASE)
_NEGATIVE_RE = re.compile(
    r"\b(?:" + "|".join(NEGATIVE_WORDS) + r"|[a-z]+n['\u2019]t)\b", re.IGNORECASE
)
# A sentence ends at . ! or ? followed by space and a capital, digit or quote.
_SENTENCE_BREAK_RE = re.compile(r"(?<=[.!?])\s+(?=[\"'\u201c(]?[A-Z0-9])")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)?")
# "the second option", "the last choice", "option B", "choice (c)": places that
# shuffling the options changes.
_POSITION_RE = re.compile(
    r"\b(?:first|second|third|fourth|fifth|sixth|last|top|bottom)"
    r"\s+(?:option|choice|answer|alternative|item)s?\b"
    r"|\b(?:options?|choices?)\s+\(?[A-Fa-f1-6]\)?(?=[\s,.;:!?)]|$)"
    r"|\b(?:options?|choices?|answers?)\s+(?:above|below)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One warning before it is located: a data path into a bank file.

    ``key`` points at the key of ``where`` rather than its value; ``char``
    at one character of its text, by index.
    """

    file: Path
    where: DataPath
    rule: str
    message: str
    key: bool = False
    char: tuple[int, str] | None = None


def choose_rules(only: Collection[str] = (), ignore: Collection[str] = ()) -> frozenset[str]:
    """The rule ids to run: ``only`` (default all) minus ``ignore``.

    Raises:
        UsageError: an id is not a rule.
    """
    for rule in (*only, *ignore):
        if rule not in RULES:
            hint = did_you_mean(rule, RULES)
            raise UsageError(f"unknown lint rule '{rule}'{hint}; rules: {', '.join(RULES)}")
    return frozenset(only or RULES) - frozenset(ignore)


def _own_findings(bank: Bank, selected: frozenset[str]) -> list[Finding]:
    """The findings of one bank's own rules (those that look at no other bank)."""
    findings: list[Finding] = []
    for index, question in enumerate(bank.questions):
        for rule_check in _QUESTION_CHECKS:
            findings.extend(rule_check(bank, index, question))
    findings.extend(_longest_key(bank))
    findings.extend(_negative_share(bank))
    findings.extend(_invisible_characters(bank))
    return [f for f in findings if f.rule in selected]


def check(banks: Iterable[Bank], rules: Collection[str] | None = None) -> list[Finding]:
    """Every finding of ``rules`` (default: all) in ``banks``, in a stable order.

    Each bank's own findings, bank by bank, then those across banks.
    """
    selected = frozenset(RULES) if rules is None else frozenset(rules)
    across = _AcrossBanks(selected)
    findings: list[Finding] = []
    for bank in banks:
        findings.extend(_own_findings(bank, selected))
        across.add(bank)
    findings.extend(
        Finding(file, where, rule, message) for rule, file, where, _, message in across.findings()
    )
    return findings


def locate(findings: Iterable[Finding], texts: Mapping[Path, str]) -> list[Problem]:
    """Findings as ``path:line:col: message [rule-id]`` problems, sorted by position.

    ``texts`` holds each bank file's text; a missing text locates at 1:1.
    """
    locators: dict[Path, Locator] = {}
    problems = []
    for finding in findings:
        locator = locators.get(finding.file)
        if locator is None:
            locator = locators[finding.file] = Locator(texts.get(finding.file, ""))
        problems.append(_problem(finding, locator))
    return _sorted(problems)


def lint_banks(banks: Sequence[Bank], rules: Collection[str] | None = None) -> list[Problem]:
    """Run :func:`check` and locate its findings in the bank files (read from disk)."""
    return _located(check(banks, rules))


def lint_paths(
    paths: Sequence[Path], rules: Collection[str] | None = None
) -> tuple[list[Problem], int, int]:
    """Lint the banks under ``paths`` reading one bank at a time.

    Each bank's own findings are located while its node tree (of its one
    parse) is at hand; of its stems and typed answers only what the rules
    across banks need is kept, compactly, with their positions. Memory is
    then bounded by the largest bank plus that. Returns the located
    warnings, the number of banks and of questions.

    Raises:
        BankError, UsageError: as :func:`hoquiz.banks.loader.load_banks`.
    """
    from hoquiz.banks.loader import scan_banks_located

    selected = frozenset(RULES) if rules is None else frozenset(rules)
    across = _AcrossBanks(selected)
    problems: list[Problem] = []

    def keep(bank: Bank, locator: Locator) -> int:
        for finding in _own_findings(bank, selected):
            problems.append(_problem(finding, locator))
        across.add(bank, locator)
        return len(bank.questions)

    counts = scan_banks_located(list(paths), keep)
    shown: dict[Path, str] = {}  # one string per file, however many warnings it has
    for rule, file, _, position, message in across.findings():
        path = shown.get(file) or shown.setdefault(file, str(file))
        problems.append(Problem(path, position[0], position[1], f"{message} [{rule}]"))
    return _sorted(problems), len(counts), sum(counts)


def _problem(finding: Finding, locator: Locator) -> Problem:
    if finding.char is None:
        line, column = locator.locate(finding.where, key=finding.key)
    else:
        line, column = locator.locate_character(finding.where, *finding.char)
    return Problem(str(finding.file), line, column, f"{finding.message} [{finding.rule}]")


def _sorted(problems: list[Problem]) -> list[Problem]:
    """``problems`` sorted in place by position (and returned)."""
    problems.sort(key=lambda p: (p.path, p.line, p.column, p.message))
    return problems


def _located(findings: list[Finding]) -> list[Problem]:
    """Locate findings file by file, each file's text read once and then let go."""
    by_file: dict[Path, list[Finding]] = {}
    for finding in findings:
        by_file.setdefault(finding.file, []).append(finding)
    problems: list[Problem] = []
    for file, found in by_file.items():
        text, _ = read_text(file, str(file))
        problems.extend(locate(found, {file: text or ""}))
    return _sorted(problems)


# -- helpers ----------------------------------------------------------------


def _quote(text: str) -> str:
    return quote(" ".join(text.split()))


def _lead_in(prompt: str) -> str:
    """The last sentence of a prompt: the question a vignette ends with."""
    return _SENTENCE_BREAK_RE.split(prompt.strip())[-1]


def _negative_words(prompt: str) -> list[str]:
    """Negative words in the lead-in, as written ("at least", "false positive" excluded)."""
    lead = _lead_in(prompt)
    found = []
    for m in _NEGATIVE_RE.finditer(lead):
        word = m.group().lower()
        if word == "least" and re.search(r"\bat\s+$", lead[: m.start()], re.IGNORECASE):
            continue
        if word == "false" and re.match(r"[\s-]*(?:positive|negative)", lead[m.end() :], re.I):
            continue
        found.append(m.group())
    return found


def _answer_text(question: AnyQuestion) -> str:
    """The key as one text: what the explanation must say more than."""
    match question:
        case MCQ():
            return question.choices[question.answer].text
        case Multi():
            return " ".join(question.choices[i].text for i in question.answer)
        case TrueFalse():
            return "true" if question.answer else "false"
        case Short():
            return question.accept[0]
        case Numeric():
            return f"{format_number(question.answer)} {question.unit or ''}"
        case Cloze():
            return " ".join(d.answer for d in question.deletions)
        case Flashcard():
            return question.back
        case Order():
            return " ".join(question.items)
        case Match():
            return " ".join(f"{left} {right}" for left, right in question.pairs)
        case _:
            assert_never(question)


def _longest_answer(question: AnyQuestion) -> str:
    """The longest single thing a learner must produce or pick: one key, one card's deletions."""
    if isinstance(question, Multi):
        return max((question.choices[i].text for i in question.answer), key=len)
    if isinstance(question, Cloze):
        cards = [
            " ".join(d.answer for d in question.deletions if d.number == n)
            for n in question.numbers
        ]
        return max(cards, key=len)
    return _answer_text(question)


def _answer_words(question: AnyQuestion) -> set[str]:
    words = set(normalize(_answer_text(question)).split())
    if isinstance(question, Short):
        for answer in question.accept:
            words.update(normalize(answer).split())
    return words


def _key_indexes(question: MCQ | Multi) -> tuple[int, ...]:
    return (question.answer,) if isinstance(question, MCQ) else question.answer


# -- per-question rules -----------------------------------------------------

_Check = Callable[[Bank, int, AnyQuestion], Iterator[Finding]]


def _all_of_the_above(bank: Bank, i: int, q: AnyQuestion) -> Iterator[Finding]:
    if not isinstance(q, (MCQ, Multi)):
        return
    for j, choice in enumerate(q.choices):
        if _ABOVE_RE.search(choice.text):
            yield Finding(
                bank.path,
                ("questions", i, "choices", j, "text"),
                "all-of-the-above",
                f"option {_quote(choice.text)} is an all/none-of-the-above option; "
                "write a specific option instead",
            )


def _option_length(bank: Bank, i: int, q: AnyQuestion) -> Iterator[Finding]:
    if not isinstance(q, (MCQ, Multi)):
        return
    lengths = [len(c.text.strip()) for c in q.choices]
    longest, shortest = max(lengths), min(lengths)
    if longest > OPTION_LENGTH_RATIO * shortest and longest - shortest > OPTION_LENGTH_MIN_GAP:
        j = lengths.index(longest)
        yield Finding(
            bank.path,
            ("questions", i, "choices", j, "text"),
            "option-length",
            f"options run from {shortest} to {longest} characters; make them similar in length",
        )


def _absolute_word(bank: Bank, i: int, q: AnyQuestion) -> Iterator[Finding]:
    targets: list[tuple[DataPath, str]]
    if isinstance(q, (MCQ, Multi)):
        targets = [
            (("questions", i, "choices", j, "text"), c.text) for j, c in enumerate(q.choices)
        ]
        what = "option"
    elif isinstance(q, TrueFalse):
        targets = [(("questions", i, "prompt"), q.prompt)]
        what = "statement"
    else:
        return
    for where, text in targets:
        words: list[str] = []
        for m in _ABSOLUTE_RE.finditer(_ABOVE_RE.sub(" ", text)):
            if m.group().lower() not in words:
                words.append(m.group().lower())
        if words:
            listed = " and ".join(f"'{w}'" for w in words)
            yield Finding(
                bank.path,
                where,
                "absolute-word",
                f"{what} uses the absolute word{'s' if len(words) > 1 else ''} {listed}, "
                "a cue for testwise guessing; qualify or reword it",
            )


def _hedged_key(bank: Bank, i: int, q: AnyQuestion) -> Iterator[Finding]:
    if isinstance(q, MCQ):
        keys: tuple[int, ...] = (q.answer,)
    elif isinstance(q, Multi):
        keys = q.answer
    else:
        return
    hedged = [bool(_HEDGE_RE.search(c.text)) for c in q.choices]
    distractors = [j for j in range(len(q.choices)) if j not in keys]
    if distractors and all(hedged[k] for k in keys) and not any(hedged[j] for j in distractors):
        j = keys[0]
        word = _HEDGE_RE.search(q.choices[j].text)
        assert word is not None
        yield Finding(
            bank.path,
            ("questions", i, "choices", j, "text"),
            "hedged-key",
            f"the key alone is hedged ({_quote(word.group())}) and every distractor is "
            "absolute; hedge the distractors too or ask for the specific claim",
        )


def _negative_stem(bank: Bank, i: int, q: AnyQuestion) -> Iterator[Finding]:
    if not isinstance(q, (MCQ, Multi)):
        return
    lower = [w for w in _negative_words(q.prompt) if w != w.upper()]
    if lower:
        yield Finding(
            bank.path,
            ("questions", i, "prompt"),
            "negative-stem",
            f"negative lead-in word '{lower[0]}' is not in capitals; "
            f"ask positively, or write {lower[0].upper()}",
        )


def _missing_explanation(bank: Bank, i: int, q: AnyQuestion) -> Iterator[Finding]:
    if not q.explanation.strip():
        yield Finding(
            bank.path,
            ("questions", i, "explanation"),
            "missing-explanation",
            "question has no explanation; say why the key is right "
            "and why the most tempting distractor is wrong",
        )


def _missing_source(bank: Bank, i: int, q: AnyQuestion) -> Iterator[Finding]:
    if not q.source.doc.strip() or not q.source.section.strip():
        yield Finding(
            bank.path,
            ("questions", i, "source"),
            "missing-source",
            "question has no source document and section; cite where its fact is stated",
        )


def _explanation_repeats(bank: Bank, i: int, q: AnyQuestion) -> Iterator[Finding]:
    explanation = normalize(q.explanation)
    if not explanation:
        return  # missing-explanation
    unsaid = set(explanation.split())
    unsaid -= _FILLER
    unsaid.difference_update(normalize(q.stem).split())
    where = ("questions", i, "explanation")
    advice = "say why the key is right and why the most tempting distractor is wrong"
    if unsaid <= _answer_words(q):
        yield Finding(
            bank.path,
            where,
            "explanation-repeats-answer",
            f"explanation only repeats the question and its answer; {advice}",
        )
        return
    if isinstance(q, (Flashcard, Order, Match)):
        return  # their answer is itself the lesson (a back, a list); length says nothing
    answer = normalize(_longest_answer(q))
    if len(explanation) < REPEAT_LENGTH_RATIO * len(answer):
        yield Finding(
            bank.path,
            where,
            "explanation-repeats-answer",
            f"explanation ({plural(len(explanation), 'character')}) is shorter than "
            f"{REPEAT_LENGTH_RATIO:g}x the answer ({len(answer)}); {advice}",
        )


def _short_common_answer(bank: Bank, i: int, q: AnyQuestion) -> Iterator[Finding]:
    if not isinstance(q, Short):
        return
    for j, answer in enumerate(q.accept):
        folded = normalize(answer)
        where = ("questions", i, "accept", j)
        if folded in COMMON_ANSWERS:
            yield Finding(
                bank.path,
                where,
                "short-common-answer",
                f"accepted answer {_quote(answer)} is a common word a guess would match; "
                "ask for something more specific, or make it an mcq",
            )
        elif len(folded) < SHORT_ANSWER_MIN_CHARS and not re.fullmatch(r"[A-Z]{2}", answer.strip()):
            yield Finding(
                bank.path,
                where,
                "short-common-answer",
                f"accepted answer {_quote(answer)} is "
                + (
                    f"only {plural(len(folded), 'character')} once normalised; "
                    if folded
                    else "empty once punctuation is ignored; "
                )
                + "a guess could match it, so accept a longer form",
            )


def _cloze_too_long(bank: Bank, i: int, q: AnyQuestion) -> Iterator[Finding]:
    if not isinstance(q, Cloze):
        return
    for d in q.deletions:
        words = len(d.answer.split())
        chars = len(" ".join(d.answer.split()))
        if words > CLOZE_MAX_WORDS or chars > CLOZE_MAX_CHARS:
            size = plural(words, "word") if words > CLOZE_MAX_WORDS else plural(chars, "character")
            yield Finding(
                bank.path,
                ("questions", i, "text"),
                "cloze-too-long",
                f"cloze deletion c{d.number} {_quote(d.answer)} is {size}; "
                f"delete at most {CLOZE_MAX_WORDS} words or {CLOZE_MAX_CHARS} characters",
            )


def _option_position(bank: Bank, i: int, q: AnyQuestion) -> Iterator[Finding]:
    if not isinstance(q, (MCQ, Multi, Order, Match)):
        return  # only these are shown shuffled
    texts: list[tuple[DataPath, str]] = [(("questions", i, "explanation"), q.explanation)]
    if isinstance(q, (MCQ, Multi)):
        texts += [
            (("questions", i, "choices", j, "feedback"), c.feedback)
            for j, c in enumerate(q.choices)
            if c.feedback
        ]
    for where, text in texts:
        found = _POSITION_RE.search(text)
        if found:
            what = "feedback" if where[-1] == "feedback" else "explanation"
            yield Finding(
                bank.path,
                where,
                "option-position",
                f"{what} names an option by its place ({_quote(found.group())}); options are "
                "shuffled when shown, so name it by its text",
            )


def _key_near_distractor(bank: Bank, i: int, q: AnyQuestion) -> Iterator[Finding]:
    if not isinstance(q, (MCQ, Multi)):
        return
    from hoquiz.study.matching import confusable_with

    keys = _key_indexes(q)
    distractors = [j for j in range(len(q.choices)) if j not in keys]
    texts = [q.choices[j].text for j in distractors]
    for k in keys:
        for position in confusable_with(q.choices[k].text, texts):
            j = distractors[position]
            yield Finding(
                bank.path,
                ("questions", i, "choices", j),
                "key-near-distractor",
                f"distractor {_quote(q.choices[j].text)} is within a spelling slip of the key "
                f"{_quote(q.choices[k].text)}: easy to misread; reword one",
            )


def _typed_answers(bank: Bank, i: int, q: AnyQuestion) -> Iterator[tuple[DataPath, str]]:
    """Every answer a learner types for ``q``, with where the bank writes it."""
    if isinstance(q, Short) and not q.exact_match:
        for j, answer in enumerate(q.accept):
            yield ("questions", i, "accept", j), answer
    elif isinstance(q, Cloze) and not q.exact_match:
        for number in q.numbers:
            parts = [d.answer for d in q.deletions if d.number == number]
            yield ("questions", i, "text"), " ".join(parts)


def _import_placeholder(bank: Bank, i: int, q: AnyQuestion) -> Iterator[Finding]:
    fields: list[tuple[DataPath, str, str]] = [
        (("questions", i, "explanation"), q.explanation, "explanation"),
        (("questions", i, "source", "section"), q.source.section, "source section"),
    ]
    if isinstance(q, Flashcard):
        fields.append((("questions", i, "back"), q.back, "back"))
    for where, text, what in fields:
        if text.startswith(PLACEHOLDER_MARK):
            yield Finding(
                bank.path,
                where,
                "import-placeholder",
                f"{what} is a placeholder from hoquiz import; write it",
            )


_QUESTION_CHECKS: tuple[_Check, ...] = (
    _all_of_the_above,
    _option_length,
    _absolute_word,
    _hedged_key,
    _negative_stem,
    _missing_explanation,
    _missing_source,
    _explanation_repeats,
    _short_common_answer,
    _cloze_too_long,
    _key_near_distractor,
    _import_placeholder,
    _option_position,
)


# -- per-bank rules ---------------------------------------------------------


def _longest_key(bank: Bank) -> Iterator[Finding]:
    choice_questions = [(i, q) for i, q in enumerate(bank.questions) if isinstance(q, (MCQ, Multi))]
    longest_is_key = 0
    wide: list[tuple[int, int, int, int]] = []  # question, key index, key length, distractor
    for i, q in choice_questions:
        keys = _key_indexes(q)
        key_len, key_index = max((len(q.choices[k].text.strip()), k) for k in keys)
        distractors = [len(c.text.strip()) for j, c in enumerate(q.choices) if j not in keys]
        if not distractors:
            continue
        other = max(distractors)
        if key_len > other:
            longest_is_key += 1
            if key_len > LONGEST_KEY_RATIO * other and key_len - other >= LONGEST_KEY_MIN_EXTRA:
                wide.append((i, key_index, key_len, other))
    if not choice_questions or longest_is_key <= LONGEST_KEY_BANK_SHARE * len(choice_questions):
        return
    for i, key_index, key_len, other in wide:
        yield Finding(
            bank.path,
            ("questions", i, "choices", key_index, "text"),
            "longest-key",
            f"key is the longest option by far ({key_len} characters, longest distractor "
            f"{other}), and the key is the longest option in {longest_is_key} of "
            f"{len(choice_questions)} mcq/multi questions of this bank; "
            "shorten the key or lengthen the distractors",
        )


def _invisible_characters(bank: Bank) -> Iterator[Finding]:
    """Zero-width, bidi and other invisible characters, and control characters.

    One finding per text and kind, at the first such character.
    """
    from hoquiz.banks.invisible import bank_texts, control_message, lint_message
    from hoquiz.text import control_characters, invisible_characters

    for where, text in bank_texts(bank):
        if text.isascii() and text.isprintable():
            continue
        for rule, find, message in (
            ("invisible-characters", invisible_characters, lint_message),
            ("control-characters", control_characters, control_message),
        ):
            found = find(text)
            if found:
                yield Finding(bank.path, where, rule, message(where, text), char=found[0])


def _negative_share(bank: Bank) -> Iterator[Finding]:
    prompts = [q.prompt for q in bank.questions if isinstance(q, (MCQ, Multi))]
    negative = sum(1 for p in prompts if _negative_words(p))
    if negative >= NEGATIVE_SHARE_MIN_COUNT and negative > NEGATIVE_SHARE * len(prompts):
        yield Finding(
            bank.path,
            ("questions",),
            "negative-stem-share",
            f"{negative} of {len(prompts)} mcq/multi lead-ins ({negative / len(prompts):.0%}) "
            f"are negative; keep them under {NEGATIVE_SHARE:.0%} by asking positively",
            key=True,
        )


# -- across banks -----------------------------------------------------------

_STEM_KEYS = ("prompt", "text", "front")
_HASH_PARTS = 16  # the stems' hashes are sorted in this many parts
_BANKS_AT_HAND = 8  # banks whose question ids are kept split, for naming questions
_CLOZE_TEXT = -1  # the item of a typed answer that is a cloze card, not an accepted answer

# A finding across banks: rule, file, where, position (0, 0 when not located), message.
_AcrossFinding = tuple[str, Path, DataPath, tuple[int, int], str]


class _AcrossBanks:
    """What the rules across banks keep of each bank, compactly.

    Per stem: its normalised text, its bank, question and key, and its
    position; per typed answer: its text, bank, question, item and position.
    A bank's question ids are kept as one compressed string. Stems and
    answers are kept compressed (:class:`hoquiz.neardup.PackedTexts`) and
    numbers go to arrays, not to Python objects, so a stem costs about a
    quarter of its text and some 20 bytes more.
    """

    def __init__(self, selected: frozenset[str]) -> None:
        from hoquiz.neardup import PackedTexts

        self.stems_wanted = "duplicate-prompt" in selected
        self.answers_wanted = "confusable-answers" in selected
        self.files: list[Path] = []
        self.bank_ids: list[str] = []
        self.question_ids: list[bytes] = []  # per bank, joined by newlines (ids are slugs), zlib
        self.stems = PackedTexts()
        self.stem_bank, self.stem_question = array("I"), array("I")
        self.stem_key = array("B")
        self.stem_line, self.stem_column = array("I"), array("I")
        self.answers = PackedTexts()
        self.answer_bank, self.answer_question = array("I"), array("I")
        self.answer_item = array("i")
        self.answer_line, self.answer_column = array("I"), array("I")
        self._split_ids: dict[int, list[str]] = {}

    def add(self, bank: Bank, locator: Locator | None = None) -> None:
        """Keep what the rules across banks need of ``bank`` (positions from ``locator``)."""
        number = len(self.files)
        self.files.append(bank.path)
        self.bank_ids.append(bank.id)
        self.question_ids.append(zlib.compress("\n".join(q.id for q in bank.questions).encode()))
        for i, q in enumerate(bank.questions):
            if self.stems_wanted:
                text = normalize(q.stem)
                if text:
                    self.stems.append(text)
                    self.stem_bank.append(number)
                    self.stem_question.append(i)
                    self.stem_key.append(_STEM_KEYS.index(q.stem_key))
                    line, column = (
                        locator.locate(("questions", i, q.stem_key)) if locator else (0, 0)
                    )
                    self.stem_line.append(line)
                    self.stem_column.append(column)
            if self.answers_wanted:
                for where, answer in _typed_answers(bank, i, q):
                    self.answers.append(answer)
                    self.answer_bank.append(number)
                    self.answer_question.append(i)
                    self.answer_item.append(where[3] if len(where) > 3 else _CLOZE_TEXT)  # type: ignore[arg-type]
                    line, column = locator.locate(where) if locator else (0, 0)
                    self.answer_line.append(line)
                    self.answer_column.append(column)

    def findings(self) -> Iterator[_AcrossFinding]:
        """The findings of the rules across banks: duplicate prompts, then confusable answers."""
        from hoquiz.neardup import PackedTexts

        if self.stems_wanted:
            yield from self._duplicates()
            # The stems are done with: their memory goes to the answers' check.
            self.stems = PackedTexts()
            self.stem_bank, self.stem_question = array("I"), array("I")
            self.stem_key = array("B")
            self.stem_line, self.stem_column = array("I"), array("I")
        if self.answers_wanted:
            yield from self._confusable_answers()

    def _ref(self, bank: int, question: int) -> str:
        ids = self._split_ids.get(bank)
        if ids is None:
            if len(self._split_ids) >= _BANKS_AT_HAND:
                del self._split_ids[next(iter(self._split_ids))]  # the oldest
            joined = zlib.decompress(self.question_ids[bank]).decode()
            ids = self._split_ids[bank] = joined.split("\n")
        return f"{self.bank_ids[bank]}/{ids[question]}"

    def _stem_finding(self, k: int, message: str) -> _AcrossFinding:
        key = _STEM_KEYS[self.stem_key[k]]
        return (
            "duplicate-prompt",
            self.files[self.stem_bank[k]],
            ("questions", self.stem_question[k], key),
            (self.stem_line[k], self.stem_column[k]),
            f"{key} {message}",
        )

    def _duplicates(self) -> Iterator[_AcrossFinding]:
        """Each stem against the earlier ones; reported on the later question.

        Exact repeats by their hashes (confirmed on the text); near duplicates
        by :func:`hoquiz.neardup.near_duplicates`, which blocks on rare words
        so that most pairs are never compared.
        """
        from hoquiz.neardup import near_duplicates

        texts = self.stems
        first = _first_of_each(texts)  # position -> where its text is first, for repeats
        found: dict[int, str] = {}
        for position, earlier in first.items():
            ref = self._ref(self.stem_bank[earlier], self.stem_question[earlier])
            found[position] = f"duplicates {ref} (same wording once normalised)"
        # Near duplicates must mention the same numbers ("grade 1" vs "grade 2"
        # differ by one character but ask different things), so only stems with
        # equal numbers are compared.
        groups: dict[tuple[str, ...], array[int]] = {}
        for position, text in enumerate(texts):
            if position in first:
                continue
            numbers = tuple(sorted(_NUMBER_RE.findall(text)))
            members = groups.get(numbers)
            if members is None:
                members = groups[numbers] = array("I")
            members.append(position)
        for members in groups.values():
            pairs = near_duplicates(_Selected(texts, members), DUPLICATE_RATIO)
            for later, (earlier, ratio) in pairs.items():
                other = members[earlier]
                ref = self._ref(self.stem_bank[other], self.stem_question[other])
                found[members[later]] = (
                    f"nearly duplicates {ref} ({int(ratio * 100)}% similar); "
                    "merge them or make them ask different things"
                )
        del groups
        for position in sorted(found):
            yield self._stem_finding(position, found[position])

    def _confusable_answers(self) -> Iterator[_AcrossFinding]:
        """Answers of different questions either of which the matcher accepts for the other.

        Reported once per pair of questions, on the later one.
        """
        from hoquiz.study.matching import confusable_pairs

        reported: set[tuple[tuple[int, int], tuple[int, int]]] = set()
        for first, second in confusable_pairs(self.answers):
            earlier = (self.answer_bank[first], self.answer_question[first])
            later = (self.answer_bank[second], self.answer_question[second])
            if earlier == later or (earlier, later) in reported:
                continue
            reported.add((earlier, later))
            item = self.answer_item[second]
            where: DataPath = (
                ("questions", later[1], "text")
                if item == _CLOZE_TEXT
                else ("questions", later[1], "accept", item)
            )
            yield (
                "confusable-answers",
                self.files[later[0]],
                where,
                (self.answer_line[second], self.answer_column[second]),
                f"{_quote(self.answers[second])} would be accepted for "
                f"{_quote(self.answers[first])} of {self._ref(*earlier)} (or the reverse): "
                "a learner mixing them up is marked right; reword one or give them match: exact",
            )


def _first_of_each(texts: Texts) -> dict[int, int]:
    """For each text that repeats an earlier one: the position of its first occurrence.

    The texts' hashes go to arrays, sorted part by part to find the hashes
    that occur twice, so no set of every text is built; texts of those
    hashes are then compared.
    """
    parts = [array("q") for _ in range(_HASH_PARTS)]
    for text in texts:
        value = hash(text)
        parts[value % _HASH_PARTS].append(value)
    repeated: set[int] = set()
    for n, part in enumerate(parts):
        ordered = sorted(part)
        parts[n] = array("q")
        repeated.update(x for x, y in pairwise(ordered) if x == y)
    repeats: dict[int, int] = {}
    firsts: dict[str, int] = {}
    if repeated:
        for position, text in enumerate(texts):
            if hash(text) in repeated:
                repeats[position] = firsts.setdefault(text, position)
    return {position: first for position, first in repeats.items() if position != first}


class _Selected:
    """The texts at ``positions`` (ascending) of ``texts``, as texts of their own."""

    def __init__(self, texts: PackedTexts, positions: Sequence[int]) -> None:
        self._texts = texts
        self._positions = positions

    def __len__(self) -> int:
        return len(self._positions)

    def __getitem__(self, index: int, /) -> str:
        return self._texts[self._positions[index]]

    def __iter__(self) -> Iterator[str]:
        return self._texts.pick(self._positions)
