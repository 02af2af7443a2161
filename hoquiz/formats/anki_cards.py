"""The script and styles that make Anki cards grade like ``hoquiz quiz``.

Anki compares a typed answer with one expected text, character by character.
hoquiz's note types instead carry their own script (``anki_cards.js``, a copy
of :mod:`hoquiz.study.matching` and the numeric grading): the front has an
answer box, or clickable options; what the learner typed or chose is kept in
``sessionStorage`` (AnkiDroid, AnkiMobile) and in a global (Anki desktop keeps
the page between the sides); the back grades it against every accepted answer
and shows the verdict the terminal would print. With JavaScript off, the back
still lists every accepted answer and marks the key among the options.

The exporter calls :func:`templates` for each note type and
:func:`card_fields` for each note; nothing else here knows genanki.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources

from hoquiz.model import MCQ, Bank, Cloze, Multi, Numeric, Question, Short
from hoquiz.render import answer_text, fixed_order
from hoquiz.study.matching import RULES
from hoquiz.text import control_safe

# Raise when the script's behaviour changes: a card showing an older copy
# (Anki desktop keeps one page for many cards) then loads the new one.
SCRIPT_VERSION = 1

_TYPED = ("short", "numeric", "cloze")
_INPUT = (
    '<input class="hoquiz-typed" type="text" hidden autocomplete="off" autocapitalize="none" '
    'autocorrect="off" spellcheck="false" enterkeyhint="done" aria-label="Your answer" '
    'placeholder="Type your answer">'
)
_VERDICT = '<div class="hoquiz-verdict" role="status" hidden></div>'
_TRUE_FALSE = (
    '<div class="hoquiz-tf-row"><button class="hoquiz-tf" type="button" hidden>True</button>'
    '<button class="hoquiz-tf" type="button" hidden>False</button></div>'
)


def _resource(name: str) -> str:
    return resources.files("hoquiz.formats").joinpath(name).read_text(encoding="utf-8")


@cache
def script() -> str:
    """The card script with the matching rules filled in."""
    rules = json.dumps(RULES, ensure_ascii=True, separators=(", ", ": "))
    text = _resource("anki_cards.js")
    text = text.replace("HOQUIZ_RULES", rules).replace("HOQUIZ_VERSION", str(SCRIPT_VERSION))
    # Anki would read a pair of braces as a field, "</" could end the <script>.
    if "{{" in text or "}}" in text or "</" in text:
        raise ValueError("the card script must not contain '{{', '}}' or '</'")
    return text


@cache
def css() -> str:
    """Styles for the answer box, the options, the key and the verdict."""
    return _resource("anki_cards.css")


def _wrap(kind: str, html_text: str, side: str) -> str:
    classes = "hoquiz-card hoquiz-back" if side == "back" else "hoquiz-card"
    return (
        f'<div class="{classes}" data-kind="{kind}" data-ref="{{{{text:Ref}}}}">\n{html_text}\n'
        f'</div>\n<script>\n{script()}\nhoquiz.side("{side}");\n</script>'
    )


def templates(kind: str, front: str, back: str) -> tuple[str, str]:
    """A note type's front and back with the answer box or options, verdict and script."""
    if kind in _TYPED:
        front = front.replace("{{type:Answer}}", "")
        back = back.replace("{{type:Answer}}", "")
        front = front.rstrip() + "\n" + _INPUT
        back = back.replace('<hr id="answer">', f'<hr id="answer">\n{_VERDICT}', 1)
    elif kind in ("mcq", "multi", "true_false"):
        if kind == "true_false":
            front += "\n" + _TRUE_FALSE
        back = back.replace('<hr id="answer">', f'<hr id="answer">\n{_VERDICT}', 1)
    else:
        return front, back
    return _wrap(kind, front, "front"), _wrap(kind, back, "back")


def card_fields(bank: Bank, question: Question, values: Mapping[str, str]) -> dict[str, str]:
    """The note's field values with what the script reads: accepted answers, keys, numbers."""
    from hoquiz.formats.anki_notes import _h

    out = dict(values)
    exact = isinstance(question, (Short, Cloze)) and question.exact_match
    match = "exact" if exact else "lenient"
    if isinstance(question, Short):
        items = " / ".join(f'<span class="accepted">{_h(a)}</span>' for a in question.accept)
        out["Accepted"] = f'<span class="hoquiz-accept" data-match="{match}">{items}</span>'
    elif isinstance(question, Numeric):
        attributes = (
            f'data-answer="{_attr(repr(question.answer))}" '
            f'data-tolerance="{_attr(repr(question.tolerance))}" '
            f'data-unit="{_attr(question.unit or "")}"'
        )
        out["Accepted"] = (
            f'<span class="hoquiz-number" {attributes}>{_h(answer_text(question))}</span>'
        )
    elif isinstance(question, Cloze) and exact:
        out["Text"] = values["Text"] + '<span data-match="exact" hidden></span>'
    elif isinstance(question, (MCQ, Multi)):
        order = fixed_order(question, f"{bank.id}/{question.id}")
        keys = {question.answer} if isinstance(question, MCQ) else set(question.answer)
        positions = {n for n, index in enumerate(order) if index in keys}
        out["Options"] = _mark_keys(values["Options"], positions)
    return out


def _attr(text: str) -> str:
    """Text for an HTML attribute value in double quotes, shown literally by Anki
    (control characters visible, '[' an entity: see ``anki_notes._h_inline``)."""
    return html.escape(control_safe(text), quote=True).replace("[", "&#91;")


def _mark_keys(options: str, positions: set[int]) -> str:
    """``<li class="is-key">`` for the keys of an options list built by the exporter.

    Option texts are escaped, so every ``<li>`` in it opens an option.
    """
    counter = iter(range(len(options)))

    def mark(match: re.Match[str]) -> str:
        return '<li class="is-key">' if next(counter) in positions else match.group(0)

    return re.sub(r"<li>", mark, options)
