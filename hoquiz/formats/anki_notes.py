"""Anki note types and note content, one note type per question type: no genanki, no I/O.

Identity lives here (see docs/anki-export.md): a note's GUID comes from
``(namespace, bank id, question id)`` only, never from the wording; a deck's
id from its namespace and bank id; each question type has one note type whose
id is a fixed constant below. Every field is bank text escaped for HTML by
:func:`_h`, so that Anki shows it literally. :mod:`hoquiz.formats.anki` packs
these notes into a package.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import assert_never

from hoquiz.formats import anki_cards
from hoquiz.model import (
    MCQ,
    QUESTION_TYPES,
    AnyQuestion,
    Bank,
    Cloze,
    Flashcard,
    Match,
    Multi,
    Numeric,
    Order,
    Question,
    QuestionKind,
    Short,
    TrueFalse,
)
from hoquiz.render import LETTERS, answer_text, fixed_order, source_text
from hoquiz.text import control_safe, format_number, normalize

# -- note type ids ------------------------------------------------------------
#
# Anki keys a note type by its id. The ids below are permanent:
#
# * Change a template's wording or the CSS freely, and move NOTE_TYPES_REVISED
#   to the time of the change: Anki then replaces the learner's copy of the
#   note type on import (it does so only when the incoming one is newer).
# * Give a note type a NEW id (a never-used number; list the old one under
#   RETIRED_MODEL_IDS) when its fields change: added, removed, renamed or
#   reordered, or when its number of card templates changes. Anki cannot update
#   notes across a change of fields; with a new id and "Merge note types"
#   ticked in its import dialog, the learner's notes move to the new note type
#   with their progress. Never reuse an id.
MCQ_MODEL_ID = 1_739_204_801
MULTI_MODEL_ID = 1_739_204_802
TRUE_FALSE_MODEL_ID = 1_739_204_803
SHORT_MODEL_ID = 1_739_204_804
NUMERIC_MODEL_ID = 1_739_204_805
CLOZE_MODEL_ID = 1_739_204_806
FLASHCARD_MODEL_ID = 1_739_204_807
ORDER_MODEL_ID = 1_739_204_808
MATCH_MODEL_ID = 1_739_204_809
RETIRED_MODEL_IDS: tuple[int, ...] = ()

# The time of every note type in a first export (no manifest yet). Once a
# folder has a manifest, a note type's time is moved only when a hash of its
# fields, templates and CSS changes (see anki_release.note_type_hash).
NOTE_TYPES_REVISED = 1_796_083_200  # 2026-12-01: card script (anki_cards.py)


CSS = """\
.card {
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue",
    Arial, sans-serif;
  font-size: 20px;
  line-height: 1.45;
  text-align: left;
  max-width: 40em;
  margin: 0 auto;
  padding: 0 0.6em;
  overflow-wrap: anywhere;
}
.prompt { font-weight: 600; margin: 0.4em 0 0.6em; }
.hint { font-size: 0.85em; opacity: 0.75; margin: 0.3em 0; }
.image { text-align: center; margin: 0.6em 0; }
.image img { max-width: 100%; height: auto; }
ol.options, ol.lefts, ul.feedback, ol.order, ul.pairs {
  list-style: none;
  padding: 0;
  margin: 0.4em 0;
}
ol.options li, ol.lefts li {
  margin: 0.35em 0;
  padding: 0.35em 0.6em;
  border: 1px solid rgba(128, 128, 128, 0.4);
  border-radius: 6px;
}
ul.feedback li, ol.order li, ul.pairs li { margin: 0.35em 0; }
.letter { font-weight: 700; margin-right: 0.3em; }
.key { font-weight: 700; color: #1a7f37; margin: 0.4em 0; }
.wrong { color: #b42318; }
.nightMode .key, .night_mode .key { color: #56d364; }
.nightMode .wrong, .night_mode .wrong { color: #ff7b72; }
.explanation { margin-top: 0.8em; }
.source { margin-top: 0.8em; font-size: 0.8em; opacity: 0.75; }
.ref { margin-top: 0.3em; font-size: 0.7em; opacity: 0.5; }
.cloze { font-weight: 700; color: #0b66d6; }
.nightMode .cloze, .night_mode .cloze { color: #6cb6ff; }
#typeans { width: 100%; box-sizing: border-box; font-size: 1em; }
@media (max-width: 480px) {
  .card { font-size: 18px; padding: 0 0.2em; }
}
"""

_IMAGE = '{{#Image}}<div class="image">{{Image}}</div>{{/Image}}'
_BACK = (
    '<div class="explanation">{{Explanation}}</div>\n'
    '<div class="source">Source: {{Source}}</div>\n'
    '<div class="ref">{{Ref}}</div>'
)
_COMMON_FIELDS = ("Explanation", "Source", "Ref")


@dataclass(frozen=True, slots=True)
class NoteType:
    """One Anki note type: a fixed id, its fields and its single card template."""

    model_id: int
    name: str
    fields: tuple[str, ...]
    front: str
    back: str
    cloze: bool = False


def _choice_type(
    model_id: int, name: str, hint: str, extra_fields: tuple[str, ...] = ()
) -> NoteType:
    front = f'<div class="prompt">{{{{Prompt}}}}</div>\n{_IMAGE}\n{hint}{{{{Options}}}}'
    back = (
        '{{FrontSide}}\n<hr id="answer">\n<div class="key">{{Answer}}</div>\n'
        "{{#Feedback}}{{Feedback}}{{/Feedback}}\n" + _BACK
    )
    return NoteType(
        model_id,
        name,
        ("Prompt", "Image", *extra_fields, "Options", "Answer", "Feedback", *_COMMON_FIELDS),
        front,
        back,
    )


def _typed_type(model_id: int, name: str, extra_fields: tuple[str, ...], hint: str) -> NoteType:
    # The back repeats the front rather than using {{FrontSide}}: Anki would
    # otherwise show the comparison of the typed answer twice.
    top = f'<div class="prompt">{{{{Prompt}}}}</div>\n{_IMAGE}\n{hint}'
    return NoteType(
        model_id,
        name,
        ("Prompt", "Image", *extra_fields, "Answer", "Accepted", *_COMMON_FIELDS),
        top + "{{type:Answer}}",
        top + '<hr id="answer">\n{{type:Answer}}\n'
        '<div class="key">Accepted: {{Accepted}}</div>\n' + _BACK,
    )


def note_type(kind: QuestionKind) -> NoteType:
    """The Anki note type of a question type (fixed ids: see the policy above)."""
    match kind:
        case "mcq":
            return _choice_type(MCQ_MODEL_ID, "hoquiz: single best answer", "")
        case "multi":
            return _choice_type(
                MULTI_MODEL_ID,
                "hoquiz: select all that apply",
                '{{#Hint}}<div class="hint">{{Hint}}</div>{{/Hint}}\n',
                ("Hint",),
            )
        case "true_false":
            return NoteType(
                TRUE_FALSE_MODEL_ID,
                "hoquiz: true or false",
                ("Prompt", "Image", "Answer", *_COMMON_FIELDS),
                f'<div class="prompt">{{{{Prompt}}}}</div>\n{_IMAGE}\n'
                '<div class="hint">True or false?</div>',
                '{{FrontSide}}\n<hr id="answer">\n<div class="key">{{Answer}}</div>\n' + _BACK,
            )
        case "short":
            return _typed_type(SHORT_MODEL_ID, "hoquiz: short answer", (), "")
        case "numeric":
            return _typed_type(
                NUMERIC_MODEL_ID,
                "hoquiz: numeric",
                ("Unit",),
                '{{#Unit}}<div class="hint">Answer in {{Unit}}.</div>{{/Unit}}\n',
            )
        case "cloze":
            return NoteType(
                CLOZE_MODEL_ID,
                "hoquiz: cloze",
                ("Text", "Image", *_COMMON_FIELDS),
                f'<div class="prompt">{{{{cloze:Text}}}}</div>\n{_IMAGE}',
                f'<div class="prompt">{{{{cloze:Text}}}}</div>\n{_IMAGE}\n<hr id="answer">\n'
                + _BACK,
                cloze=True,
            )
        case "flashcard":
            return NoteType(
                FLASHCARD_MODEL_ID,
                "hoquiz: flashcard",
                ("Front", "Image", "Back", *_COMMON_FIELDS),
                f'<div class="prompt">{{{{Front}}}}</div>\n{_IMAGE}',
                '{{FrontSide}}\n<hr id="answer">\n<div class="key">{{Back}}</div>\n' + _BACK,
            )
        case "order":
            return NoteType(
                ORDER_MODEL_ID,
                "hoquiz: order",
                ("Prompt", "Image", "Items", "Answer", *_COMMON_FIELDS),
                f'<div class="prompt">{{{{Prompt}}}}</div>\n{_IMAGE}\n'
                '<div class="hint">Put these in order.</div>\n{{Items}}',
                '{{FrontSide}}\n<hr id="answer">\n{{Answer}}\n' + _BACK,
            )
        case "match":
            return NoteType(
                MATCH_MODEL_ID,
                "hoquiz: match",
                ("Prompt", "Image", "Lefts", "Rights", "Answer", *_COMMON_FIELDS),
                f'<div class="prompt">{{{{Prompt}}}}</div>\n{_IMAGE}\n'
                '<div class="hint">Match each numbered item with a lettered one.</div>\n'
                "{{Lefts}}\n{{Rights}}",
                '{{FrontSide}}\n<hr id="answer">\n{{Answer}}\n' + _BACK,
            )
        case _:
            assert_never(kind)


NOTE_TYPES: dict[QuestionKind, NoteType] = {kind: note_type(kind) for kind in QUESTION_TYPES}


# -- identity -------------------------------------------------------------------


# Anki's base-91 alphabet for GUIDs (the one genanki's guid_for uses).
_BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)


def note_guid(bank_id: str, question_id: str, namespace: str | None = None) -> str:
    """The note's GUID: from the namespace, bank and question ids only, never the wording.

    Computed here rather than by genanki so that a genanki upgrade can never
    change a learner's note identities (without a namespace it equals
    genanki's ``guid_for("hoquiz", bank_id, question_id)``).
    """
    head = "hoquiz" if namespace is None else f"hoquiz/{namespace}"
    digest = hashlib.sha256(f"{head}__{bank_id}__{question_id}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    chars: list[str] = []
    while number:
        number, digit = divmod(number, len(_BASE91))
        chars.append(_BASE91[digit])
    return "".join(reversed(chars))


def deck_id(bank_id: str, namespace: str | None = None) -> int:
    """A stable deck id for a bank, in the range genanki recommends."""
    name = bank_id if namespace is None else f"{namespace}/{bank_id}"
    digest = hashlib.sha256(f"hoquiz deck {name}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


TAG_PREFIX = "hoquiz::"
_SPACES = re.compile(r"\s+")


def bank_tag(bank_id: str) -> str:
    """The tag of every note of a bank: ``hoquiz::bank::<id>``."""
    return f"{TAG_PREFIX}bank::{bank_id}"


def anki_tags(bank: Bank, question: Question) -> tuple[str, ...]:
    """The bank's tag and the question's tags, under ``hoquiz::``, made Anki-safe.

    Every tag hoquiz writes starts with ``hoquiz::`` so that it never mixes
    with a learner's own tags. Whitespace becomes ``_`` (Anki separates tags
    with spaces), empty ``::`` levels are dropped, and tags that differ only
    in case are kept once, as Anki treats them as one.
    """
    out: list[str] = [bank_tag(bank.id)]
    seen: set[str] = {out[0].casefold()}
    for raw in question.tags:
        parts = [_SPACES.sub("_", part.strip()) for part in raw.split("::")]
        tag = "::".join(p for p in parts if p)
        if tag and f"{TAG_PREFIX}tag::{tag}".casefold() not in seen:
            tag = f"{TAG_PREFIX}tag::{tag}"
            seen.add(tag.casefold())
            out.append(tag)
    return tuple(out)


# -- fields -----------------------------------------------------------------------


def _h(text: str) -> str:
    """Text as HTML that shows literally (``<1 cm`` stays ``<1 cm``)."""
    return _h_inline(text.strip()).replace("\n", "<br>")


def _h_inline(text: str) -> str:
    # '[' as an entity: Anki reads "[sound:...]" and "[anki:tts]" in a field's HTML
    # as tags that play files; bank text must show them as written. Control
    # characters are written visibly, as the terminal shows them: U+001F is
    # Anki's field separator, and one in a field makes the package unimportable.
    # (Printable ASCII, most bank text, holds no control character: not searched.)
    safe = text if text.isascii() and text.isprintable() else control_safe(text)
    return html.escape(safe, quote=False).replace("[", "&#91;")


def _letter(i: int) -> str:
    return LETTERS[i]  # the validator allows no more options than letters


def _lettered(items: Sequence[str], order: Sequence[int], css: str) -> str:
    rows = "".join(
        f'<li><span class="letter">{_letter(n)})</span> {_h(items[i])}</li>'
        for n, i in enumerate(order)
    )
    return f'<ol class="{css}">{rows}</ol>'


def _choice_fields(question: MCQ | Multi, order: list[int]) -> dict[str, str]:
    keys = {question.answer} if isinstance(question, MCQ) else set(question.answer)
    texts = [c.text for c in question.choices]
    feedback = "".join(
        f'<li class="{"key" if i in keys else "wrong"}">'
        f'<span class="letter">{_letter(order.index(i))})</span> {"✓" if i in keys else "✗"} '
        f"{_h(question.choices[i].feedback or '')}</li>"
        for i in order
        if question.choices[i].feedback
    )
    fields = {
        "Prompt": _h(question.prompt),
        "Options": _lettered(texts, order, "options"),
        "Answer": _h(answer_text(question, order)),
        "Feedback": f'<ul class="feedback">{feedback}</ul>' if feedback else "",
    }
    if isinstance(question, Multi):
        # Many prompts already say so; the card should not say it twice.
        said = "select all" in normalize(question.prompt)
        fields["Hint"] = "" if said else "Select all that apply."
    return fields


def _cloze_text(question: Cloze) -> str:
    """The cloze text with every piece escaped and the ``{{cN::...}}`` markers kept."""
    out: list[str] = []
    pos = 0
    for d in question.deletions:
        out.append(_h_inline(question.text[pos : d.start]))
        hint = f"::{_h_inline(d.hint)}" if d.hint else ""
        out.append(f"{{{{c{d.number}::{_h_inline(d.answer)}{hint}}}}}")
        pos = d.end
    out.append(_h_inline(question.text[pos:]))
    return "".join(out).strip().replace("\n", "<br>")


def _type_fields(bank: Bank, question: AnyQuestion) -> dict[str, str]:
    seed = f"{bank.id}/{question.id}"
    match question:
        case MCQ() | Multi():
            return _choice_fields(question, fixed_order(question, seed))
        case TrueFalse():
            return {"Prompt": _h(question.prompt), "Answer": "True" if question.answer else "False"}
        case Numeric():
            return {
                "Prompt": _h(question.prompt),
                "Unit": _h(question.unit or ""),
                "Answer": _h(format_number(question.answer)),
                "Accepted": _h(answer_text(question)),
            }
        case Short():
            return {
                "Prompt": _h(question.prompt),
                "Answer": _h(question.accept[0]),
                "Accepted": _h(answer_text(question)),
            }
        case Cloze():
            return {"Text": _cloze_text(question)}
        case Flashcard():
            return {"Front": _h(question.front), "Back": _h(question.back)}
        case Order():
            order = fixed_order(question, seed)
            letters = " → ".join(_letter(order.index(n)) for n in range(len(question.items)))
            steps = "".join(
                f'<li><span class="letter">{n + 1}.</span> {_h(item)} '
                f"({_letter(order.index(n))})</li>"
                for n, item in enumerate(question.items)
            )
            return {
                "Prompt": _h(question.prompt),
                "Items": _lettered(question.items, order, "options"),
                "Answer": f'<div class="key">{letters}</div><ol class="order">{steps}</ol>',
            }
        case Match():
            order = fixed_order(question, seed)
            lefts = "".join(
                f'<li><span class="letter">{n + 1}.</span> {_h(left)}</li>'
                for n, (left, _) in enumerate(question.pairs)
            )
            codes = [f"{n + 1}{_letter(order.index(n))}" for n in range(len(question.pairs))]
            pairs = "".join(
                f'<li><span class="letter">{code}</span> {_h(left)} → {_h(right)}</li>'
                for code, (left, right) in zip(codes, question.pairs, strict=True)
            )
            return {
                "Prompt": _h(question.prompt),
                "Lefts": f'<ol class="lefts">{lefts}</ol>',
                "Rights": _lettered([r for _, r in question.pairs], order, "options"),
                "Answer": f'<div class="key">{" ".join(codes)}</div><ul class="pairs">{pairs}</ul>',
            }
        case _:
            assert_never(question)


def note_fields(
    bank: Bank, question: AnyQuestion, image_name: str | None = None
) -> tuple[str, ...]:
    """The note's field values, in its note type's field order; all HTML-escaped."""
    note_type = NOTE_TYPES[question.type]
    values = _type_fields(bank, question)
    values["Image"] = f'<img src="{html.escape(image_name)}">' if image_name else ""
    values["Explanation"] = _h(question.explanation)
    values["Source"] = _h(source_text(bank, question))
    values["Ref"] = _h(f"{bank.id}/{question.id}")
    values = anki_cards.card_fields(bank, question, values)
    return tuple(values[name] for name in note_type.fields)


def card_count(question: Question) -> int:
    """How many Anki cards a question makes: one per cloze number, else one."""
    return len(question.card_numbers)


# -- templates -------------------------------------------------------------------


def model_templates(kind: QuestionKind) -> tuple[str, str, str]:
    """A note type's front and back templates and CSS, exactly as packaged."""
    note_type = NOTE_TYPES[kind]
    front, back = anki_cards.templates(kind, note_type.front, note_type.back)
    return front, back, CSS + anki_cards.css()
