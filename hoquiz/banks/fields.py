"""The fields of each question type, read from a question's plain YAML data.

Shapes are checked here; the domain rules (an answer among the choices,
unique items, cloze numbering) are :mod:`hoquiz.model.invariants`'.
"""

from __future__ import annotations

from typing import Any, assert_never

from hoquiz.banks.checks import Checker, misread, not_text, show
from hoquiz.banks.yamlio import DataPath
from hoquiz.model import AnyQuestion, Choice, QuestionKind
from hoquiz.model import invariants as rules


class TypeFields(Checker):
    """Per-type readers: each returns the type's fields, or ``None`` after recording why not."""

    def type_fields(
        self, cls: type[AnyQuestion], data: dict[Any, Any], path: DataPath
    ) -> dict[str, Any] | None:
        """The fields of a question of class ``cls``, or ``None`` after an error."""
        kind: QuestionKind = cls.type
        match kind:
            case "mcq":
                return self.mcq(data, path)
            case "multi":
                return self.multi(data, path)
            case "true_false":
                return self.true_false(data, path)
            case "short":
                return self.short(data, path)
            case "numeric":
                return self.numeric(data, path)
            case "cloze":
                return self.cloze(data, path)
            case "flashcard":
                return self.flashcard(data, path)
            case "order":
                return self.order(data, path)
            case "match":
                return self.match(data, path)
            case _:
                assert_never(kind)

    def choices(self, data: dict[Any, Any], path: DataPath) -> list[Choice] | None:
        if "choices" not in data:
            return None
        raw = data["choices"]
        here = (*path, "choices")
        if not isinstance(raw, list):
            self.error(here, f"'choices' must be a list, not {show(raw)}")
            return None
        out: list[Choice] = []
        for i, item in enumerate(raw):
            if isinstance(item, str) and item.strip():
                out.append(Choice(item))
            elif isinstance(item, dict):
                self.keys(item, (*here, i), ("text",), ("feedback",), "choice")
                text = self.text(item, "text", (*here, i), required=True)
                feedback = self.text(item, "feedback", (*here, i), required=False)
                if text is not None:
                    out.append(Choice(text, feedback))
            else:
                self.error((*here, i), not_text("a choice", item, "text or {text, feedback}"))
        if len(out) != len(raw):
            return None
        if self.broken(path, rules.choices([c.text for c in out])):
            return None
        return out

    def choice_index(self, value: Any, choices: list[Choice], path: DataPath) -> int | None:
        if not isinstance(value, str):
            hint = " (quote it to make it text)" if isinstance(value, (bool, int, float)) else ""
            self.error(path, f"the answer must be the text of one of the choices{hint}")
            return None
        found = rules.choice_index(value, [c.text for c in choices])
        if isinstance(found, rules.Violation):
            self.broken(path, [found])
            return None
        return found

    def mcq(self, data: dict[Any, Any], path: DataPath) -> dict[str, Any] | None:
        prompt = self.text(data, "prompt", path, required=True)
        choices = self.choices(data, path)
        if choices is None or "answer" not in data:
            return None
        if isinstance(data["answer"], list):
            self.error(
                (*path, "answer"), "an mcq has exactly one answer; use type 'multi' for several"
            )
            return None
        index = self.choice_index(data["answer"], choices, (*path, "answer"))
        if prompt is None or index is None:
            return None
        return {"prompt": prompt, "choices": tuple(choices), "answer": index}

    def multi(self, data: dict[Any, Any], path: DataPath) -> dict[str, Any] | None:
        prompt = self.text(data, "prompt", path, required=True)
        choices = self.choices(data, path)
        if choices is None or "answer" not in data:
            return None
        raw = data["answer"]
        here = (*path, "answer")
        if not isinstance(raw, list):
            self.error(here, "a multi answer must be a list of choices, e.g. [first, third]")
            return None
        if self.broken(path, rules.some_answers(raw)):
            return None
        indexes: list[int] = []
        for i, value in enumerate(raw):
            index = self.choice_index(value, choices, (*here, i))
            if index is None:
                return None
            twice = rules.listed_twice(value, index, indexes)
            if twice is not None:
                self.broken((*here, i), [twice])
                return None
            indexes.append(index)
        if prompt is None:
            return None
        return {"prompt": prompt, "choices": tuple(choices), "answer": tuple(sorted(indexes))}

    def true_false(self, data: dict[Any, Any], path: DataPath) -> dict[str, Any] | None:
        prompt = self.text(data, "prompt", path, required=True)
        if "answer" not in data:
            return None
        answer = data["answer"]
        if not isinstance(answer, bool):
            self.error(
                (*path, "answer"),
                misread("answer", answer, boolean=True)
                or f"a true_false answer must be true or false (unquoted), not {show(answer)}",
            )
            return None
        return None if prompt is None else {"prompt": prompt, "answer": answer}

    def short(self, data: dict[Any, Any], path: DataPath) -> dict[str, Any] | None:
        prompt = self.text(data, "prompt", path, required=True)
        accept = self.text_list(data, "accept", path, what="accepted answers")
        if accept is not None and self.broken(path, rules.accepted(accept)):
            return None
        exact = self.match_mode(data, path)
        if prompt is None or accept is None or exact is None:
            return None
        return {"prompt": prompt, "accept": tuple(accept), "exact_match": exact}

    def match_mode(self, data: dict[Any, Any], path: DataPath) -> bool | None:
        """``match: exact`` as True, ``lenient`` or no key as False; None after an error."""
        value = data.get("match", "lenient")
        if value not in ("lenient", "exact"):
            self.error((*path, "match"), f"'match' must be 'exact' or 'lenient', not {show(value)}")
            return None
        return bool(value == "exact")

    def numeric(self, data: dict[Any, Any], path: DataPath) -> dict[str, Any] | None:
        prompt = self.text(data, "prompt", path, required=True)
        answer = self.number(data, "answer", path)
        tolerance = self.number(data, "tolerance", path) if "tolerance" in data else 0.0
        if tolerance is not None and self.broken(path, rules.tolerance(tolerance)):
            tolerance = None
        unit = self.text(data, "unit", path, required=False)
        if prompt is None or answer is None or tolerance is None:
            return None
        return {"prompt": prompt, "answer": answer, "tolerance": tolerance, "unit": unit}

    def cloze(self, data: dict[Any, Any], path: DataPath) -> dict[str, Any] | None:
        text = self.text(data, "text", path, required=True)
        if text is None:
            return None
        deletions = rules.cloze(text)
        if isinstance(deletions, rules.Violation):
            self.broken(path, [deletions])
            return None
        exact = self.match_mode(data, path)
        if exact is None:
            return None
        return {"text": text, "deletions": deletions, "exact_match": exact}

    def flashcard(self, data: dict[Any, Any], path: DataPath) -> dict[str, Any] | None:
        front = self.text(data, "front", path, required=True)
        back = self.text(data, "back", path, required=True)
        if front is None or back is None:
            return None
        return {"front": front, "back": back}

    def order(self, data: dict[Any, Any], path: DataPath) -> dict[str, Any] | None:
        prompt = self.text(data, "prompt", path, required=True)
        items = self.text_list(data, "items", path, what="items")
        if items is None:
            return None
        if self.broken(path, rules.order_items(items)) or prompt is None:
            return None
        return {"prompt": prompt, "items": tuple(items)}

    def match(self, data: dict[Any, Any], path: DataPath) -> dict[str, Any] | None:
        prompt = self.text(data, "prompt", path, required=True)
        if "pairs" not in data:
            return None
        raw = data["pairs"]
        here = (*path, "pairs")
        if not isinstance(raw, list):
            self.error(here, f"'pairs' must be a list of [left, right], not {show(raw)}")
            return None
        pairs: list[tuple[str, str]] = []
        for i, pair in enumerate(raw):
            if (
                isinstance(pair, list)
                and len(pair) == 2
                and all(isinstance(side, str) and side.strip() for side in pair)
            ):
                pairs.append((pair[0], pair[1]))
            else:
                self.error((*here, i), "a pair must be a list of two texts: [left, right]")
        if len(pairs) != len(raw):
            return None
        if self.broken(path, rules.match_pairs(pairs)) or prompt is None:
            return None
        return {"prompt": prompt, "pairs": tuple(pairs)}
