"""Grading typed answers: pure functions from (question, presentation, text) to a verdict.

The quiz shows a question in a :class:`Presentation` (the shuffled option
order and, for cloze questions, the active deletion) and hands whatever the
learner typed to :func:`grade`. Input that cannot be read as an answer of
that type is :class:`Unparseable`, with a one-line hint, and is never graded.

A correct answer may end in ``+`` (it was easy) or ``-`` (it was hard),
separated by a space (``b +``, ``femur -``); for answers made of letters the
mark may also be attached (``b+``).
"""

import math
import re
from typing import NamedTuple, assert_never

from hoquiz.model import (
    MCQ,
    AnyQuestion,
    Cloze,
    Flashcard,
    Match,
    Multi,
    Numeric,
    Order,
    Question,
    Short,
    TrueFalse,
)
from hoquiz.render import LETTERS, natural_order
from hoquiz.study.matching import Accepted, MatchKind, match_answer, unit_key
from hoquiz.study.scheduling import Rating
from hoquiz.text import format_number, normalize, plural

EASY_MARK, HARD_MARK = "+", "-"

TRUE_WORDS = frozenset({"t", "true", "y", "yes"})
FALSE_WORDS = frozenset({"f", "false", "n", "no"})
SELF_RATINGS: dict[str, Rating] = {
    **{str(int(r)): r for r in Rating},
    **{r.label: r for r in Rating},
    **{r.label[0]: r for r in Rating},
}
"""What a learner may type to rate a flashcard: 1-4, again/hard/good/easy, a/h/g/e."""

# Patterns as text: the re module compiles and caches them on first use, off start-up.
_NUMBER = (
    r"\s*(?P<number>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:[.,]\d+)?(?:[eE][+-]?\d+)?"
    r"|[+-]?[.,]\d+(?:[eE][+-]?\d+)?)\s*(?P<unit>.*?)\s*"
)
_PAIR = r"(\d+)\s*[-=:]?\s*([a-zA-Z])"


class Presentation(NamedTuple):
    """How a card is shown.

    Attributes:
        order: option indexes in display order (mcq and multi choices, order
            items, match right-hand sides); empty for other types.
        cloze: the active deletion number of a cloze card.
    """

    order: tuple[int, ...] = ()
    cloze: int | None = None

    @classmethod
    def natural(cls, question: Question, cloze: int | None = None) -> "Presentation":
        """Options as written in the bank."""
        if cloze is None:
            cloze = question.card_numbers[0]
        return cls(tuple(natural_order(question)), cloze)


class Unparseable(NamedTuple):
    """Input that is not an answer of the question's type; ``hint`` says what is."""

    hint: str


class Grade(NamedTuple):
    """The verdict on one answer.

    Attributes:
        correct: the answer is right (for a flashcard: rated above "again").
        rating: the FSRS rating it earns: AGAIN when wrong, else GOOD, or
            HARD/EASY when the learner marked it so.
        given: the answer as understood, for feedback and the review log.
        chosen: the options given, as indexes in the bank's order: the
            choices picked (mcq; multi, ascending), the items in the order
            given (order), the right side given for each left (match).
        detail: what was partly right, e.g. "2 of 3 in the right place", or
            the range a numeric answer accepts.
        kind: how a typed answer matched (short and cloze): exactly, leniently
            (an article, a plural...) or with a spelling slip.
        accepted: the accepted answer it matched, as the bank writes it.
    """

    correct: bool
    rating: Rating
    given: str
    chosen: tuple[int, ...] = ()
    detail: str | None = None
    kind: MatchKind = MatchKind.EXACT
    accepted: str | None = None


def grade(question: AnyQuestion, shown: Presentation, typed: str) -> Grade | Unparseable:
    """Grade what the learner ``typed`` for ``question`` as it was ``shown``.

    Flashcards are self-graded: use :func:`self_rating` instead.
    """
    text = typed.strip()
    if not text:
        return Unparseable(_hint(question, shown))
    text, mark = _split_mark(text, attached=question.lettered)
    if not text:
        return Unparseable(_hint(question, shown))
    result = _grade(question, shown, text)
    if isinstance(result, Grade) and result.correct and mark is not None:
        return result._replace(rating=Rating.EASY if mark == EASY_MARK else Rating.HARD)
    return result


def verdict_line(verdict: Grade) -> str:
    """The one-line verdict a front end shows for a graded answer.

    ``Correct.``, ``Correct (accepted "bisphosphonate"; you typed
    "bisphosphonates")``, ``Correct, but check the spelling: indomethacin``,
    or ``Incorrect. You answered: ...``.
    """
    if not verdict.correct:
        detail = f" ({verdict.detail})" if verdict.detail else ""
        return f"Incorrect. You answered: {verdict.given}{detail}"
    notes: list[str] = []
    head = "Correct"
    if verdict.kind is MatchKind.SPELLING:
        head = f"Correct, but check the spelling: {verdict.accepted}"
    elif verdict.kind is MatchKind.LENIENT:
        notes.append(f'accepted "{verdict.accepted}"; you typed "{verdict.given}"')
    if verdict.detail:
        notes.append(verdict.detail)
    if verdict.rating.marked:
        notes.append(f"marked {verdict.rating.label}")
    line = f"{head} ({'; '.join(notes)})" if notes else head
    return line if verdict.kind is not MatchKind.EXACT else line + "."


def self_rating(typed: str) -> Rating | Unparseable:
    """A flashcard's self-grade: 1 again, 2 hard, 3 good, 4 easy."""
    rating = SELF_RATINGS.get(typed.strip().lower())
    if rating is not None:
        return rating
    return Unparseable("rate your recall: 1 again, 2 hard, 3 good, 4 easy")


def _split_mark(text: str, *, attached: bool) -> tuple[str, str | None]:
    for mark in (EASY_MARK, HARD_MARK):
        if text.endswith(" " + mark) or text.endswith("\t" + mark):
            return text[:-1].rstrip(), mark
        if attached and len(text) > 1 and text.endswith(mark):
            return text[:-1].rstrip(), mark
    return text, None


def _hint(question: AnyQuestion, shown: Presentation) -> str:
    n = len(shown.order)
    last = LETTERS[n - 1] if n else "a"
    match question:
        case MCQ():
            return f"type one letter, a to {last} (or its number, 1 to {n})"
        case Multi():
            return f"type every right letter (a to {last}), separated by spaces or commas"
        case TrueFalse():
            return "type t or f (true/false, y/n)"
        case Numeric():
            unit = f", optionally followed by {question.unit}" if question.unit else ""
            return f"type a number{unit}"
        case Short():
            return "type your answer in words"
        case Cloze():
            return "type the missing text"
        # Examples use placeholders: a real lettering could give an answer away.
        case Order():
            return f"type all {n} letters (a to {last}) in the right order, each once"
        case Match():
            pattern = " ".join(f"{i + 1}?" for i in range(n))
            return f"pair every number with a letter (a to {last}), written like {pattern}"
        case Flashcard():
            return "press Enter to reveal the answer"
        case _:
            assert_never(question)


def _letter(token: str, count: int) -> int | None:
    """A display position from a letter (``b``) or a 1-based number (``2``)."""
    token = token.strip().rstrip(").").lower()
    if len(token) == 1 and token in LETTERS[:count]:
        return LETTERS.index(token)
    if token.isascii() and token.isdigit() and 1 <= int(token) <= count:
        return int(token) - 1
    return None


def _letters(text: str, count: int) -> list[int] | None:
    """Display positions from ``a c``, ``a,c``, ``a, c``, ``ac`` or ``1 3``."""
    tokens = [t for t in re.split(r"[\s,;]+", text) if t]
    if len(tokens) == 1 and tokens[0].isalpha() and len(tokens[0]) > 1:
        tokens = list(tokens[0])
    positions = [_letter(t, count) for t in tokens]
    if not positions or any(p is None for p in positions):
        return None
    return [p for p in positions if p is not None]


def _grade(question: AnyQuestion, shown: Presentation, text: str) -> Grade | Unparseable:
    order = list(shown.order) if shown.order else natural_order(question)
    match question:
        case MCQ():
            return _grade_mcq(question, order, text)
        case Multi():
            return _grade_multi(question, order, text)
        case TrueFalse():
            word = normalize(text)
            if word in TRUE_WORDS or word in FALSE_WORDS:
                value = word in TRUE_WORDS
                return _verdict(value == question.answer, "true" if value else "false")
            return Unparseable(_hint(question, shown))
        case Numeric():
            return _grade_numeric(question, text)
        case Short():
            if not normalize(text):
                return Unparseable(_hint(question, shown))
            return _matched(match_answer(text, question.accept, exact=question.exact_match), text)
        case Cloze():
            return _grade_cloze(question, shown, text)
        case Order():
            return _grade_order(question, order, text)
        case Match():
            return _grade_match(question, order, text)
        case Flashcard():
            raise TypeError("flashcards are self-graded: use self_rating()")
        case _:
            assert_never(question)


def _verdict(
    correct: bool, given: str, chosen: tuple[int, ...] = (), detail: str | None = None
) -> Grade:
    return Grade(correct, Rating.GOOD if correct else Rating.AGAIN, given, chosen, detail)


def _matched(accepted: Accepted | None, text: str) -> Grade:
    if accepted is None:
        return _verdict(False, text)
    return Grade(True, Rating.GOOD, text, kind=accepted.kind, accepted=accepted.answer)


def _grade_mcq(question: MCQ, order: list[int], text: str) -> Grade | Unparseable:
    position = _letter(text, len(order))
    if position is None:
        return Unparseable(_hint(question, Presentation(tuple(order))))
    index = order[position]
    given = f"{LETTERS[position]}) {question.choices[index].text}"
    return _verdict(index == question.answer, given, (index,))


def _grade_multi(question: Multi, order: list[int], text: str) -> Grade | Unparseable:
    positions = _letters(text, len(order))
    if positions is None:
        return Unparseable(_hint(question, Presentation(tuple(order))))
    positions = sorted(set(positions))
    chosen = tuple(sorted(order[p] for p in positions))
    keys = set(question.answer)
    right = len(keys & set(chosen))
    wrong = len(set(chosen) - keys)
    correct = right == len(keys) and wrong == 0
    detail = None
    if not correct:
        detail = f"{right} of {plural(len(keys), 'right choice')}"
        if wrong:
            detail += f", {wrong} wrong"
    given = " ".join(LETTERS[p] for p in positions)
    return _verdict(correct, given, chosen, detail)


def parse_number(text: str) -> tuple[float, str] | None:
    """``(value, unit)`` from ``12``, ``-0.5``, ``2,5`` or ``1,000 mg``; ``None`` if no number."""
    match = re.fullmatch(_NUMBER, text)
    if match is None:
        return None
    raw = match.group("number")
    if re.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:[eE][+-]?\d+)?", raw):
        raw = raw.replace(",", "")  # thousands separators
    else:
        raw = raw.replace(",", ".")  # decimal comma
    try:
        value = float(raw)
    except ValueError:  # pragma: no cover - the pattern only admits numbers
        return None
    if not math.isfinite(value):
        return None
    return value, match.group("unit")


def _grade_numeric(question: Numeric, text: str) -> Grade | Unparseable:
    parsed = parse_number(text)
    if parsed is None:
        return Unparseable(_hint(question, Presentation()))
    value, unit = parsed
    if unit:
        if question.unit is None:
            return Unparseable("type just a number (this answer has no unit)")
        if unit_key(unit) != unit_key(question.unit):
            return Unparseable(f"give the number in {question.unit} (the unit is optional)")
    slack = 1e-9 * max(1.0, abs(question.answer))
    ok = abs(value - question.answer) <= question.tolerance + slack
    number = format_number(value)
    given = f"{number} {question.unit}" if question.unit else number
    return _verdict(ok, given, detail=accepted_range(question))


def accepted_range(question: Numeric) -> str | None:
    """``accepted 6.5 to 7.5 Gy`` for a numeric answer with a tolerance, else ``None``."""
    if not question.tolerance:
        return None
    low = format_number(round(question.answer - question.tolerance, 9))
    high = format_number(round(question.answer + question.tolerance, 9))
    unit = f" {question.unit}" if question.unit else ""
    return f"accepted {low} to {high}{unit}"


def _grade_cloze(question: Cloze, shown: Presentation, text: str) -> Grade | Unparseable:
    active = shown.cloze if shown.cloze is not None else question.numbers[0]
    answers = [d.answer for d in question.deletions if d.number == active]
    if not normalize(text):
        return Unparseable(_hint(question, shown))
    exact = question.exact_match
    whole = match_answer(text, [" ".join(answers)], exact=exact)
    if whole is not None or len(answers) == 1:
        return _matched(whole and Accepted(whole.kind, "; ".join(answers)), text)
    # Several deletions hidden together: "a; b" (or "a ... b"), one part each.
    parts = re.split(r";|\.\.\.|…", text)
    if len(parts) != len(answers):
        return _verdict(False, text)
    matches = [match_answer(p, [a], exact=exact) for p, a in zip(parts, answers, strict=True)]
    if any(m is None for m in matches):
        return _verdict(False, text)
    kinds = [m.kind for m in matches if m is not None]
    kind = max(kinds, key=list(MatchKind).index)
    return _matched(Accepted(kind, "; ".join(answers)), text)


def _grade_order(question: Order, order: list[int], text: str) -> Grade | Unparseable:
    n = len(order)
    positions = _letters(text, n)
    if positions is None or sorted(positions) != list(range(n)):
        return Unparseable(_hint(question, Presentation(tuple(order))))
    items = [order[p] for p in positions]
    in_place = sum(1 for slot, item in enumerate(items) if slot == item)
    correct = in_place == n
    detail = None if correct else f"{in_place} of {n} in the right place"
    given = " ".join(LETTERS[p] for p in positions)
    return _verdict(correct, given, tuple(items), detail)


def _grade_match(question: Match, order: list[int], text: str) -> Grade | Unparseable:
    n = len(question.pairs)
    hint = Unparseable(_hint(question, Presentation(tuple(order))))
    compact = re.sub(r"[\s,;]+", " ", text).strip()
    pairs: dict[int, int] = {}
    if re.fullmatch(r"(?:\d+\s*[-=:]?\s*[a-zA-Z]\s*)+", compact):
        for number, letter in re.findall(_PAIR, compact):
            left = int(number) - 1
            position = _letter(letter, n)
            if not 0 <= left < n or position is None or left in pairs:
                return hint
            pairs[left] = position
    else:
        positions = _letters(text, n)  # "b a c" pairs 1b 2a 3c
        if positions is None or len(positions) != n:
            return hint
        pairs = dict(enumerate(positions))
    if len(pairs) != n:
        return hint
    right = sum(1 for left, position in pairs.items() if order[position] == left)
    correct = right == n
    detail = None if correct else f"{right} of {n} pairs right"
    given = " ".join(f"{left + 1}{LETTERS[pairs[left]]}" for left in sorted(pairs))
    rights = tuple(order[pairs[left]] for left in sorted(pairs))
    return _verdict(correct, given, rights, detail)
