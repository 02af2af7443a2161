"""Moodle's GIFT text format: export every type GIFT holds, import GIFT files.

GIFT has one answer block ``{...}`` per question, so a cloze becomes one
question per deletion number, and ``order`` questions have no GIFT form.
Text goes out in Moodle's default (auto) format: HTML-escaped, then with
GIFT's special characters escaped by :func:`escape`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, assert_never

from hoquiz.errors import Problem
from hoquiz.formats.base import Exported, Imported, Skipped
from hoquiz.formats.common import (
    PLACEHOLDER_BACK,
    IdMaker,
    LineIndex,
    general_feedback,
    html_to_text,
    slug,
    split_feedback,
    weight,
)
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
from hoquiz.text import control_safe

# -- escaping ----------------------------------------------------------------------

_SPECIAL = "\\~=#{}:"
_ESCAPES = str.maketrans({**{c: "\\" + c for c in _SPECIAL}, "\n": "\\n", "\r": ""})


def escape(text: str) -> str:
    """Bank text as GIFT text that Moodle shows literally: HTML, then GIFT escapes.

    A leading '%' (which GIFT would read as the start of a weight) is written
    as an HTML character reference.
    """
    text = html.escape(control_safe(text.strip()), quote=False)
    if text.startswith("%"):
        text = "&#37;" + text[1:]
    return text.translate(_ESCAPES)


def escape_plain(text: str) -> str:
    """GIFT escapes only, for the places Moodle treats as plain text (match answers)."""
    return control_safe(text.strip()).translate(_ESCAPES)


def decimal(value: float) -> str:
    """A number as GIFT writes it: digits and a point, never an exponent."""
    if value == int(value):
        return str(int(value))
    return f"{Decimal(repr(value)):f}"


# -- export ------------------------------------------------------------------------


class GiftExporter:
    """Banks -> one GIFT file, a ``$CATEGORY`` per bank."""

    name: ClassVar[str] = "gift"
    suffix: ClassVar[str] = ".gift"

    def export(self, banks: Sequence[Bank]) -> Exported:
        blocks: list[str] = []
        skipped: list[Skipped] = []
        count = 0
        for bank in banks:
            blocks.append(f"$CATEGORY: $course$/top/{_category(bank.title)}")
            for question in bank.questions:
                made, left_out = _question_blocks(bank, question)
                blocks.extend(made)
                count += len(made) > 0
                skipped.extend(left_out)
        return Exported(("\n\n".join(blocks) + "\n").encode("utf-8"), count, tuple(skipped))


def _category(title: str) -> str:
    # Moodle writes a '/' inside a category name as '//'.
    return " ".join(control_safe(title).split()).replace("/", "//")


def _header(bank: Bank, question: AnyQuestion, name: str) -> str:
    lines = [f"// [id:{bank.id}/{question.id}]"]
    lines += [f"// [tag:{' '.join(control_safe(tag).split())}]" for tag in question.tags]
    return "\n".join(lines) + f"\n::{escape(name)}::"


def _choices_block(feedback: str, answers: Sequence[str]) -> str:
    body = "\n".join(answers)
    return f"{{\n{body}\n####{feedback}\n}}"


def _feedback(text: str | None) -> str:
    return f"#{escape(text)}" if text else ""


def _question_blocks(bank: Bank, question: AnyQuestion) -> tuple[list[str], list[Skipped]]:
    head = _header(bank, question, question.id)
    feedback = escape(general_feedback(bank, question))
    # The stem as written: a cloze's is per deletion, below.
    prompt = head + escape(question.stem) if not isinstance(question, Cloze) else ""
    match question:
        case MCQ():
            answers = [
                ("=" if i == question.answer else "~") + escape(c.text) + _feedback(c.feedback)
                for i, c in enumerate(question.choices)
            ]
            return [f"{prompt} {_choices_block(feedback, answers)}"], []
        case Multi():
            keys = set(question.answer)
            right, wrong = weight(len(keys)), "-100"
            answers = [
                f"~%{right if i in keys else wrong}%{escape(c.text)}{_feedback(c.feedback)}"
                for i, c in enumerate(question.choices)
            ]
            return [f"{prompt} {_choices_block(feedback, answers)}"], []
        case TrueFalse():
            letter = "TRUE" if question.answer else "FALSE"
            return [f"{prompt} {{{letter}####{feedback}}}"], []
        case Short():
            answers = ["=" + escape(a) for a in question.accept]
            return [f"{prompt} {_choices_block(feedback, answers)}"], []
        case Numeric():
            value = f"{decimal(question.answer)}:{decimal(question.tolerance)}"
            return [f"{prompt} {{#{value}####{feedback}}}"], []
        case Cloze():
            return _cloze_blocks(bank, question, feedback)
        case Flashcard():
            back = escape(f"Answer: {question.back.strip()}")
            return [f"{prompt} {{####{back}\\n{feedback}}}"], []
        case Order():
            return [], [Skipped(bank.id, question.id, "order questions have no GIFT form; skipped")]
        case Match():
            pairs = [f"={escape(left)} -> {escape_plain(right)}" for left, right in question.pairs]
            return [f"{prompt} {_choices_block(feedback, pairs)}"], []
        case _:
            assert_never(question)


def _cloze_blocks(bank: Bank, q: Cloze, feedback: str) -> tuple[list[str], list[Skipped]]:
    blocks: list[str] = []
    skipped: list[Skipped] = []
    for number in q.numbers:
        active = [d for d in q.deletions if d.number == number]
        if len(active) > 1:
            skipped.append(
                Skipped(
                    bank.id,
                    f"{q.id}#c{number}",
                    f"c{number} hides {len(active)} blanks at once; GIFT holds one blank; skipped",
                )
            )
            continue
        blank = active[0]
        before = _revealed(q, 0, blank.start)
        after = _revealed(q, blank.end, len(q.text))
        head = _header(bank, q, f"{q.id}-c{number}")
        answer = f"{{={escape(blank.answer)}####{feedback}}}"
        text = f"{escape(before)} {answer}"
        if after.strip():
            glue = "" if after.lstrip()[:1] in ",.;:!?)" else " "
            text += glue + escape(after)
        blocks.append(head + text)
    return blocks, skipped


def _revealed(q: Cloze, start: int, end: int) -> str:
    """The cloze text between two offsets, every deletion there shown as its answer."""
    out, pos = [], start
    for d in q.deletions:
        if d.start >= start and d.end <= end:
            out.append(q.text[pos : d.start])
            out.append(d.answer)
            pos = d.end
    out.append(q.text[pos:end])
    return "".join(out)


# -- import ------------------------------------------------------------------------


class GiftError(Exception):
    """A problem in one GIFT question, at an offset of the file."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


@dataclass
class _Record:
    text: str  # the question's lines, comment lines blanked out (offsets kept)
    start: int  # offset of ``text`` in the file
    tags: list[str]


_RECORD_RE = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")
_TAG_RE = re.compile(r"\[tag:([^\x00-\x1f\x7f\]]+)\]")
_FORMAT_RE = re.compile(r"\s*\[(html|moodle|plain|markdown)\]")
_NUMERIC_RE = re.compile(
    r"\s*(?:(?P<lo>[+-]?\d+(?:\.\d+)?)\.\.(?P<hi>[+-]?\d+(?:\.\d+)?)"
    r"|(?P<value>[+-]?\d+(?:\.\d+)?)(?::(?P<tol>[+-]?\d+(?:\.\d+)?))?)\s*"
)
_TF_RE = re.compile(r"(TRUE|FALSE|T|F)(?=\s*(#|$))")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def _records(text: str) -> Iterator[_Record]:
    for m in _RECORD_RE.finditer(text):
        lines = m.group().split("\n")
        tags: list[str] = []
        kept = []
        for line in lines:
            if line.lstrip().startswith("//"):
                tags += [t.strip() for t in _TAG_RE.findall(line)]
                kept.append(" " * len(line))
            else:
                kept.append(line)
        record = "\n".join(kept)
        if record.strip():
            yield _Record(record, m.start(), tags)


def _find(text: str, token: str, start: int = 0) -> int:
    """The offset of the first ``token`` not escaped by a backslash, or -1."""
    at = text.find(token, start)
    while at >= 0:
        before = at
        while before > start and text[before - 1] == "\\":
            before -= 1
        if (at - before) % 2 == 0:  # backslashes before it pair up: not an escape
            return at
        at = text.find(token, at + 1)
    return -1


def _split(text: str, markers: str) -> list[tuple[int, str]]:
    """``text`` cut before each unescaped marker character: (offset, piece)."""
    cuts = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in markers:
            cuts.append(i)
        i += 1
    ends = [*cuts[1:], len(text)] if cuts else []
    return [(a, text[a:b]) for a, b in zip(cuts, ends, strict=True)]


def _unescape(raw: str, fmt: str) -> str:
    """Raw GIFT text -> plain text: escapes decoded, HTML (in html/moodle format) read."""
    flat = " ".join(raw.split())
    if fmt in ("plain", "markdown"):
        return _ESCAPED.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), flat).strip()

    def decode(m: re.Match[str]) -> str:
        char = m.group(1)
        return "<br>" if char == "n" else html.escape(char, quote=False)

    return html_to_text(_ESCAPED.sub(decode, flat))


class GiftImporter:
    """A GIFT file -> plain bank data; every broken question reported, located."""

    name: ClassVar[str] = "gift"
    suffixes: ClassVar[tuple[str, ...]] = (".gift", ".txt")

    def parse(self, text: str, path: str) -> Imported:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        index = LineIndex(text)
        ids = IdMaker()
        questions: list[dict[str, Any]] = []
        problems: list[Problem] = []
        warnings: list[Problem] = []
        category: str | None = None
        first_category: str | None = None

        def located(offset: int, message: str) -> Problem:
            line, column = index.position(offset)
            return Problem(path, line, column, message)

        for record in _records(text):
            body = record.text.lstrip()
            offset = record.start + len(record.text) - len(body)
            if body.startswith("$CATEGORY:"):
                category = body.split("\n", 1)[0][len("$CATEGORY:") :].strip()
                if not questions:  # a category before any question names the bank
                    first_category = first_category or category
                continue
            try:
                question = _question(record.text, ids)
            except GiftError as error:
                problems.append(located(record.start + error.offset, error.message))
                continue
            if question is None:
                warnings.append(located(offset, "a description (no answer block) is not imported"))
                continue
            tags = [*record.tags]
            if category:
                tags.append(slug(category.rsplit("/", 1)[-1], words=12))
            if tags:
                question["tags"] = list(dict.fromkeys(tags))
            questions.append(question)
        title = _category_title(first_category) if first_category else None
        data: dict[str, Any] = {"questions": questions}
        if title:
            data["title"] = title
        return Imported(data, tuple(problems), tuple(warnings))


def _category_title(category: str) -> str:
    return category.replace("//", "\x00").rsplit("/", 1)[-1].replace("\x00", "/").strip()


def _question(record: str, ids: IdMaker) -> dict[str, Any] | None:
    """One GIFT question -> plain question data (None for a description)."""
    pos = len(record) - len(record.lstrip())
    title: str | None = None
    if record.startswith("::", pos):
        end = _find(record, "::", pos + 2)
        if end < 0:
            raise GiftError(pos, "question title '::' is not closed by '::'")
        title = _unescape(record[pos + 2 : end], "plain")
        pos = end + 2
    open_at = _find(record, "{", pos)
    if open_at < 0:
        return None
    close_at = _find(record, "}", open_at + 1)
    if close_at < 0:
        raise GiftError(open_at, "answer block '{' is not closed by '}'")
    stem_raw = record[pos:open_at]
    fmt_match = _FORMAT_RE.match(stem_raw)
    fmt = fmt_match.group(1) if fmt_match else "moodle"
    if fmt_match:
        stem_raw = stem_raw[fmt_match.end() :]
    stem = _unescape(stem_raw, fmt)
    tail = _unescape(record[close_at + 1 :], fmt)
    answers = _Answers(record, open_at + 1, close_at, fmt)
    question = answers.question(stem, tail)
    prompt_key = "front" if question["type"] == "flashcard" else "prompt"
    name = title or str(question.get(prompt_key, question.get("text", "")))
    if title and question["type"] == "cloze":
        name = re.sub(r"-c\d+$", "", name)  # hoquiz exports cloze cN as "<id>-cN"
    if not name.strip():
        raise GiftError(pos, "question has no title and no text")
    return {"id": ids.make(name), **question}


class _Answers:
    """The inside of one ``{...}`` answer block."""

    def __init__(self, record: str, start: int, end: int, fmt: str) -> None:
        self.record, self.start, self.fmt = record, start, fmt
        raw = record[start:end]
        cut = _find(raw, "####")
        self.raw = raw if cut < 0 else raw[:cut]
        general = "" if cut < 0 else _unescape(raw[cut + 4 :], fmt)
        self.explanation, self.cited = split_feedback(general) if general else ("", None)

    def text(self, raw: str) -> str:
        return _unescape(raw, self.fmt)

    def common(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.explanation:
            out["explanation"] = self.explanation
        if self.cited:
            out["cited"] = self.cited
        return out

    def question(self, stem: str, tail: str) -> dict[str, Any]:
        body = self.raw.strip()
        if not body:
            return self.essay(stem)
        if body.startswith("#"):
            return self.numeric(stem)
        if _TF_RE.match(body):
            return {"type": "true_false", "prompt": stem, "answer": body[0] == "T", **self.common()}
        if body.startswith("=") and _find(body, "->") >= 0:
            return self.matching(stem)
        return self.choices(stem, tail)

    def essay(self, stem: str) -> dict[str, Any]:
        explanation = self.explanation
        back = PLACEHOLDER_BACK
        first, _, rest = explanation.partition("\n")
        if first.startswith("Answer: "):
            back, explanation = first[len("Answer: ") :].strip(), rest.strip()
        elif explanation:
            back, explanation = explanation, ""
        out = {"type": "flashcard", "front": stem, "back": back, **self.common()}
        out.pop("explanation", None)
        if explanation:
            out["explanation"] = explanation
        return out

    def pieces(self, markers: str) -> list[tuple[int, str]]:
        lead = len(self.raw) - len(self.raw.lstrip())
        pieces = _split(self.raw, markers)
        if not pieces or pieces[0][0] != lead:
            raise GiftError(self.start + lead, "answers must start with '=' or '~'")
        return [(self.start + at, piece) for at, piece in pieces]

    def choices(self, stem: str, tail: str) -> dict[str, Any]:
        parsed = []
        for at, piece in self.pieces("=~"):
            marker, rest = piece[0], piece[1:]
            share: float | None = None
            w = re.match(r"\s*%(-?\d+(?:\.\d+)?)%", rest)
            if w:
                share = float(w.group(1))
                if not -100 <= share <= 100:
                    raise GiftError(at, f"weight {w.group(1)}% is not between -100% and 100%")
                rest = rest[w.end() :]
            elif rest.lstrip().startswith("%"):
                raise GiftError(at, "a weight is written %number%, e.g. %50%")
            cut = _find(rest, "#")
            text = self.text(rest if cut < 0 else rest[:cut])
            feedback = self.text(rest[cut + 1 :]) if cut >= 0 else ""
            if not text:
                raise GiftError(at, f"answer '{marker}' has no text")
            parsed.append((at, marker, share, text, feedback))
        glue = "" if tail[:1] in ",.;:!?)" else " "
        prompt = f"{stem} _____{glue}{tail}".strip() if tail else stem
        if all(p[1] == "=" and p[2] is None for p in parsed):
            if tail and len(parsed) == 1:
                cloze = _cloze(stem, parsed[0][3], tail)
                return {"type": "cloze", "text": cloze, **self.common()}
            accept = [p[3] for p in parsed]
            return {"type": "short", "prompt": prompt, "accept": accept, **self.common()}
        if len(parsed) < 2:
            raise GiftError(parsed[0][0], "a choice question needs at least 2 answers")
        seen: set[str] = set()
        for at, _, _, text, _ in parsed:
            if text in seen:
                raise GiftError(at, f"answer {text!r} is listed twice")
            seen.add(text)
        choices = [{"text": text, "feedback": fb} if fb else text for _, _, _, text, fb in parsed]
        # As Moodle reads GIFT: an answer marked '=' makes a single-answer
        # question (other weights are partial credit); without one, every
        # answer with a weight above 0% is a key of a select-all question.
        marked = [p for p in parsed if p[1] == "="]
        answer: Any
        if marked:
            qtype, answer = "mcq", marked[0][3]
            if len(marked) > 1:
                raise GiftError(marked[1][0], "only one answer may be marked '=' among '~'")
        else:
            keys = [p[3] for p in parsed if (p[2] or 0) > 0]
            if not keys:
                raise GiftError(
                    parsed[0][0], "no correct answer: mark one with = or a weight above 0%"
                )
            qtype, answer = "multi", keys
        return {
            "type": qtype,
            "prompt": prompt,
            "choices": choices,
            "answer": answer,
            **self.common(),
        }

    def numeric(self, stem: str) -> dict[str, Any]:
        lead = len(self.raw) - len(self.raw.lstrip())
        body = self.raw.strip()[1:]
        at = self.start + lead + 1
        if body.lstrip().startswith(("=", "~")):
            marked = [
                (a, p) for a, p in _split(body, "=~") if p.startswith("=") or "%100%" in p[:8]
            ]
            if not marked:
                raise GiftError(at, "no correct number: mark it with '='")
            offset, piece = marked[0]
            at += offset
            body = re.sub(r"^[=~]\s*(%[^%]*%)?", "", piece)
        cut = _find(body, "#")
        value_text = body if cut < 0 else body[:cut]
        m = _NUMERIC_RE.fullmatch(value_text)
        if not m:
            raise GiftError(at, f"not a number answer: {value_text.strip()!r}")
        if m.group("lo") is not None:
            lo, hi = float(m.group("lo")), float(m.group("hi"))
            value, tolerance = (lo + hi) / 2, abs(hi - lo) / 2
        else:
            value, tolerance = float(m.group("value")), abs(float(m.group("tol") or 0))
        out: dict[str, Any] = {"type": "numeric", "prompt": stem, "answer": _num(value)}
        if tolerance:
            out["tolerance"] = _num(tolerance)
        return {**out, **self.common()}

    def matching(self, stem: str) -> dict[str, Any]:
        pairs = []
        for at, piece in self.pieces("="):
            arrow = _find(piece, "->")
            if arrow < 0:
                raise GiftError(at, "a match pair is written =left -> right")
            left, right = self.text(piece[1:arrow]), _unescape(piece[arrow + 2 :], "plain")
            if not left:
                continue  # an extra wrong answer (Moodle allows them); hoquiz has none
            pairs.append([left, right])
        if len(pairs) < 2:
            raise GiftError(self.start, "a matching question needs at least 2 pairs")
        return {"type": "match", "prompt": stem, "pairs": pairs, **self.common()}


def _num(value: float) -> int | float:
    return int(value) if value == int(value) else value


def _cloze(before: str, answer: str, after: str) -> str:
    blank = "{{c1::" + answer + "}}"
    glue = "" if after[:1] in ",.;:!?)" else " "
    return f"{before} {blank}{glue}{after}".strip()
