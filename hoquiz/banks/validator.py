"""One bank file's plain data -> a :class:`Bank`, every problem recorded with its data path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hoquiz.banks.checks import misread, show
from hoquiz.banks.fields import TypeFields
from hoquiz.banks.invisible import check_bank_data
from hoquiz.banks.media import ImageMissing, ImageRefused, check_image
from hoquiz.banks.yamlio import DataPath, iso_date
from hoquiz.model import (
    CLASS_OF_TYPE,
    QUESTION_CLASSES,
    QUESTION_TYPES,
    AnyQuestion,
    Bank,
    Source,
    SourceRef,
)
from hoquiz.model import invariants as rules
from hoquiz.text import did_you_mean

BANK_REQUIRED = ("id", "title", "questions")
BANK_OPTIONAL = ("deck", "description", "tags")
QUESTION_REQUIRED = ("id", "type", "explanation", "source")
QUESTION_OPTIONAL = ("tags", "image", "revision")
ALL_QUESTION_KEYS = tuple(
    sorted(
        {*QUESTION_REQUIRED, *QUESTION_OPTIONAL}
        | {k for cls in QUESTION_CLASSES for k in (*cls.yaml_keys, *cls.yaml_optional)}
    )
)
# Each type's (required keys, optional keys): every question's and its own.
_TYPE_KEYS = {
    cls: ((*QUESTION_REQUIRED, *cls.yaml_keys), (*QUESTION_OPTIONAL, *cls.yaml_optional))
    for cls in QUESTION_CLASSES
}
SOURCE_KEYS_REQUIRED = ("id", "title", "kind")
SOURCE_KEYS_OPTIONAL = ("date", "sections")


@dataclass
class Validator(TypeFields):
    """Checks one file's plain data: a bank, its questions, or a sources file."""

    sources: dict[str, Source] = field(default_factory=dict)
    sources_file: Path | None = None
    folder: Path | None = None
    # Whether to check each question's source against the sources file
    # (not when that file is invalid: its own problems come first).
    check_sources: bool = True
    namespace: str | None = None

    # -- sources ----------------------------------------------------------

    def source_entry(self, entry: Any, path: DataPath) -> Source | None:
        if not isinstance(entry, dict):
            self.error(path, "a source must be a mapping with id, title, kind and date")
            return None
        self.keys(entry, path, SOURCE_KEYS_REQUIRED, SOURCE_KEYS_OPTIONAL, "source")
        sid = self.slug(entry, "id", path)
        title = self.text(entry, "title", path, required=True)
        kind = self.text(entry, "kind", path, required=True)
        date = self.date(entry, path)
        sections = self.text_list(entry, "sections", path, what="section headings") or []
        if sid is None or title is None or kind is None:
            return None
        return Source(sid, title, kind, date, tuple(sections))

    def date(self, entry: dict[Any, Any], path: DataPath) -> str | None:
        """A source's ``date``: a date such as 2025-08-07 (checked), or other text as written."""
        date = entry.get("date")
        if isinstance(date, (dt.date, dt.datetime)):  # tagged !!timestamp
            return date.isoformat()
        if date is None:
            return None
        if not isinstance(date, str):
            self.error(
                (*path, "date"), f"'date' must be a date such as 2025-08-07, not {show(date)}"
            )
            return None
        try:
            return iso_date(date) or date
        except ValueError:
            self.error((*path, "date"), f"{show(date)} is not a valid date (write YYYY-MM-DD)")
            return None

    # -- banks ------------------------------------------------------------

    def bank(self, data: Any, file: Path, *, may_hide: bool = True) -> Bank | None:
        """The bank ``data`` describes, or ``None`` with its problems recorded.

        ``may_hide=False``: the file's text cannot hold an invisible character
        (:func:`~hoquiz.banks.invisible.may_hold_invisible`), so it is not looked for.
        """
        if not isinstance(data, dict):
            shape = "empty" if data is None else show(data)
            self.error(
                (), f"a bank must be a mapping with id, title and questions; this file is {shape}"
            )
            return None
        self.keys(data, (), BANK_REQUIRED, BANK_OPTIONAL, "bank")
        bank_id = self.slug(data, "id", ())
        title = self.text(data, "title", (), required=True)
        deck = self.text(data, "deck", (), required=False)
        description = self.text(data, "description", (), required=False)
        tags = self.text_list(data, "tags", (), what="tags") or []
        if deck is not None and any(not part.strip() for part in deck.split("::")):
            self.error(("deck",), f"deck {show(deck)} has an empty part between '::'")
        if self.sources_file is None:
            self.error((), "no sources.yaml found beside this bank or in a folder above it")
        questions: list[AnyQuestion] = []
        raw = data.get("questions")
        if "questions" in data:
            if not isinstance(raw, list):
                self.error(("questions",), f"'questions' must be a list, not {show(raw)}")
            elif not raw:
                self.error(("questions",), "bank has no questions")
        seen_ids: dict[str, int] = {}
        for i, item in enumerate(raw if isinstance(raw, list) else []):
            question = self.question(item, ("questions", i))
            raw_id = item.get("id") if isinstance(item, dict) else None
            if isinstance(raw_id, str) and raw_id in seen_ids:
                self.error(
                    ("questions", i, "id"),
                    f"duplicate question id {show(raw_id)} "
                    f"(question {seen_ids[raw_id] + 1} has it too)",
                )
                continue
            if isinstance(raw_id, str):
                seen_ids[raw_id] = i
            if question is not None:
                questions.append(question)
        if may_hide:
            check_bank_data(self, data)
        if self.pending or bank_id is None or title is None:
            return None
        return Bank(
            id=bank_id,
            title=title,
            questions=tuple(questions),
            path=file,
            sources=self.sources,
            deck=deck,
            description=description,
            tags=tuple(tags),
            namespace=self.namespace,
        )

    def question(self, data: Any, path: DataPath) -> AnyQuestion | None:
        if not isinstance(data, dict):
            self.error(path, f"a question must be a mapping, not {show(data)}")
            return None
        qtype = data.get("type")
        before = len(self.pending)
        if "type" in data and qtype not in QUESTION_TYPES:
            if isinstance(qtype, str):
                hint = did_you_mean(qtype, QUESTION_TYPES)
                self.error(
                    (*path, "type"),
                    f"unknown question type {show(qtype)}{hint}; "
                    f"expected one of {', '.join(QUESTION_TYPES)}",
                )
            else:
                self.error((*path, "type"), f"'type' must be one of {', '.join(QUESTION_TYPES)}")
            qtype = None
        cls = CLASS_OF_TYPE[qtype] if isinstance(qtype, str) else None
        if cls is not None:
            required, optional = _TYPE_KEYS[cls]
            self.keys(
                data,
                path,
                required,
                optional,
                f"{qtype} question",
                suggestions=(*required, *optional),
            )
        else:
            self.keys(data, path, QUESTION_REQUIRED, ALL_QUESTION_KEYS, "question")
        qid = self.slug(data, "id", path)
        explanation = self.text(data, "explanation", path, required=True)
        source = self.source_ref(data, path)
        tags = self.text_list(data, "tags", path, what="tags") or []
        image = self.image(data, path)
        revision = self.revision(data, path)
        fields = self.type_fields(cls, data, path) if cls is not None else None
        if len(self.pending) > before or cls is None or fields is None:
            return None
        assert qid is not None and explanation is not None and source is not None
        return cls(
            id=qid,
            explanation=explanation,
            source=source,
            tags=tuple(tags),
            image=image,
            revision=revision,
            **fields,
        )

    def source_ref(self, data: dict[Any, Any], path: DataPath) -> SourceRef | None:
        if "source" not in data:
            return None
        value = data["source"]
        here = (*path, "source")
        if not isinstance(value, dict):
            self.error(here, "'source' must be a mapping {doc: <source id>, section: <heading>}")
            return None
        self.keys(value, here, ("doc", "section"), (), "source")
        doc = self.text(value, "doc", here, required=True)
        section = self.text(value, "section", here, required=True)
        if doc is None or section is None:
            return None
        if self.check_sources:
            declared = self.sources.get(doc)
            if declared is None:
                self.error(
                    (*here, "doc"),
                    f"unknown source {show(doc)}{did_you_mean(doc, self.sources)}; "
                    f"declare it in {self.sources_file}",
                )
                return None
            if declared.sections and section not in declared.sections:
                self.error(
                    (*here, "section"),
                    f"{show(section)} is not a section of '{doc}'"
                    f"{did_you_mean(section, declared.sections)}",
                )
                return None
        return SourceRef(doc, section)

    def image(self, data: dict[Any, Any], path: DataPath) -> Path | None:
        if "image" not in data:  # most questions
            return None
        name = self.text(data, "image", path, required=True)
        if name is None or self.folder is None:
            return None
        root = (self.sources_file.parent if self.sources_file else self.folder).resolve()
        try:
            check_image(root, self.folder, name)
        except ImageMissing:
            self.error(
                (*path, "image"), f"image file not found: {show(name)} (relative to the bank file)"
            )
            return None
        except ImageRefused as refused:
            self.error((*path, "image"), f"image {show(name)} {refused}")
            return None
        return self.folder / name

    def revision(self, data: dict[Any, Any], path: DataPath) -> int:
        if "revision" not in data:  # most questions: the first revision
            return 1
        value = data["revision"]
        if isinstance(value, bool) or not isinstance(value, int):
            message = misread("revision", value, boolean=False) or (
                f"'revision' must be a whole number from 1 to {rules.MAX_REVISION}, "
                f"not {show(value)}"
            )
            self.error((*path, "revision"), message)
            return 1
        self.broken(path, rules.revision(value))
        return value
