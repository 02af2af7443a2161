"""CSV for flashcard tools: one row per card, ``front,back,id,explanation,tags``.

Every question type exports: the front is what a learner reads (choices
lettered in the same fixed order as Anki cards and ``hoquiz show``), the back
the answer; a cloze gives one row per deletion number. Import reads the same
layout (``front`` and ``back`` required, the other columns optional) and
makes flashcards.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any, ClassVar

from hoquiz.errors import Problem
from hoquiz.formats.base import Exported, Imported
from hoquiz.formats.common import IdMaker
from hoquiz.model import Bank, card_key, question_cards
from hoquiz.render import answer_text, fixed_order, question_text
from hoquiz.text import control_safe

COLUMNS = ("front", "back", "id", "explanation", "tags")
TAG_SEPARATOR = ";"


class CsvExporter:
    """Banks -> one CSV file (RFC 4180, UTF-8, a header row)."""

    name: ClassVar[str] = "csv"
    suffix: ClassVar[str] = ".csv"

    def export(self, banks: Sequence[Bank]) -> Exported:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        count = 0
        for bank in banks:
            for question in bank.questions:
                order = fixed_order(question, card_key(bank.id, question.id))
                for _, number in question_cards(bank, question):
                    row_id = question.id if number is None else f"{question.id}-c{number}"
                    cells = (
                        question_text(question, order, number),
                        answer_text(question, order, number),
                        row_id,
                        question.explanation.strip(),
                        TAG_SEPARATOR.join((*bank.tags, *question.tags)),
                    )
                    writer.writerow([control_safe(cell) for cell in cells])
                count += 1
        return Exported(out.getvalue().encode("utf-8"), count)


class CsvImporter:
    """A CSV of ``front,back[,id,explanation,tags]`` rows -> flashcards."""

    name: ClassVar[str] = "csv"
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)

    def parse(self, text: str, path: str) -> Imported:
        problems: list[Problem] = []
        questions: list[dict[str, Any]] = []
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            header = [h.strip().lower() for h in next(reader, [])]
        except csv.Error as exc:
            return Imported({}, (Problem(path, 1, 1, f"CSV error: {exc}"),))
        missing = [c for c in ("front", "back") if c not in header]
        if missing:
            message = (
                f"the header row must name the columns front and back "
                f"(optional: id, explanation, tags); missing: {', '.join(missing)}"
            )
            return Imported({}, (Problem(path, 1, 1, message),))
        unknown = [h for h in header if h not in COLUMNS]
        if unknown:
            message = f"unknown column {unknown[0]!r}; columns: {', '.join(COLUMNS)}"
            return Imported({}, (Problem(path, 1, header.index(unknown[0]) + 1, message),))
        ids = IdMaker()
        line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                problems.append(Problem(path, reader.line_num, 1, f"CSV error: {exc}"))
                break
            here, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                problems.append(
                    Problem(
                        path, here, 1, f"row has {len(row)} fields; the header has {len(header)}"
                    )
                )
                continue
            cells = dict(zip(header, row, strict=True))
            empty = [c for c in ("front", "back") if not cells[c].strip()]
            if empty:
                column = header.index(empty[0]) + 1
                problems.append(Problem(path, here, column, f"empty {empty[0]}"))
                continue
            question: dict[str, Any] = {
                "id": ids.make(cells.get("id") or cells["front"]),
                "type": "flashcard",
                "front": cells["front"].strip(),
                "back": cells["back"].strip(),
            }
            if cells.get("explanation", "").strip():
                question["explanation"] = cells["explanation"].strip()
            tags = [t.strip() for t in cells.get("tags", "").split(TAG_SEPARATOR) if t.strip()]
            if tags:
                question["tags"] = tags
            questions.append(question)
        return Imported({"questions": questions}, tuple(problems))
