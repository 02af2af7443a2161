"""YAML banks -> model, with every problem located as ``path:line:col``.

Validation walks the plain data that libyaml produced and records each
problem with its data path (``("questions", 3, "answer")``); only when a file
has problems is its node tree composed to turn those paths into positions.
"""

from __future__ import annotations

import datetime as dt
import difflib
import gc
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hoquiz.banks.paths import bundled_decks_dir, discover, find_sources_file
from hoquiz.banks.yamlio import DataPath, Locator, parse, read_text
from hoquiz.errors import BankError, Problem, UsageError
from hoquiz.model import (
    CLOZE_RE,
    MCQ,
    QUESTION_TYPES,
    Bank,
    Choice,
    Cloze,
    Flashcard,
    Match,
    Multi,
    Numeric,
    Order,
    Question,
    Short,
    Source,
    SourceRef,
    TrueFalse,
    parse_cloze,
)
from hoquiz.text import normalize as _norm

SLUG_RE = re.compile(r"[a-z0-9-]+")

BANK_REQUIRED = ("id", "title", "questions")
BANK_OPTIONAL = ("deck", "description", "tags")
QUESTION_REQUIRED = ("id", "type", "explanation", "source")
QUESTION_OPTIONAL = ("tags", "image", "revision")
TYPE_REQUIRED: dict[str, tuple[str, ...]] = {
    "mcq": ("prompt", "choices", "answer"),
    "multi": ("prompt", "choices", "answer"),
    "true_false": ("prompt", "answer"),
    "short": ("prompt", "accept"),
    "numeric": ("prompt", "answer"),
    "cloze": ("text",),
    "flashcard": ("front", "back"),
    "order": ("prompt", "items"),
    "match": ("prompt", "pairs"),
}
TYPE_OPTIONAL: dict[str, tuple[str, ...]] = {"numeric": ("tolerance", "unit")}
ALL_QUESTION_KEYS = sorted(
    {*QUESTION_REQUIRED, *QUESTION_OPTIONAL}
    | {k for keys in TYPE_REQUIRED.values() for k in keys}
    | {k for keys in TYPE_OPTIONAL.values() for k in keys}
)
SOURCE_KEYS_REQUIRED = ("id", "title", "kind")
SOURCE_KEYS_OPTIONAL = ("date", "sections")


def load_banks(paths: Sequence[Path]) -> list[Bank]:
    """Load and validate every bank under ``paths`` (default: the bundled decks).

    Raises:
        BankError: with every problem of every file, located.
        UsageError: a path does not exist or holds no bank.
    """
    files = discover(paths or [bundled_decks_dir()])
    # Loading allocates hundreds of thousands of small containers and no
    # cycles; pausing the cyclic collector roughly halves the time it takes.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_files(files)
    finally:
        if gc_was_enabled:
            gc.enable()


def _load_files(files: list[Path]) -> list[Bank]:
    problems: list[Problem] = []
    banks: list[Bank] = []
    sources_cache: dict[Path, _SourcesFound] = {}
    first_seen: dict[str, tuple[Bank, str]] = {}
    for file in files:
        display = str(file)
        found = _sources_for(file, sources_cache, problems)
        bank, file_problems, locator = _load_bank(file, display, found)
        if bank is not None and bank.id in first_seen:
            other = first_seen[bank.id][1]
            line, column = locator.locate(("id",)) if locator else (1, 1)
            file_problems.append(
                Problem(display, line, column, f"duplicate bank id '{bank.id}' (also in {other})")
            )
        problems.extend(file_problems)
        if bank is not None and not file_problems:
            first_seen[bank.id] = (bank, display)
            banks.append(bank)
    if problems:
        raise BankError(problems)
    return banks


def load_sources_file(path: Path) -> tuple[dict[str, Source], list[Problem]]:
    """Read one ``sources.yaml``; problems are located like a bank's."""
    display = str(path)
    text, problems = read_text(path, display)
    if text is None:
        return {}, problems
    data, problems = parse(text, display)
    if problems:
        return {}, problems
    v = _Validator(display)
    sources: dict[str, Source] = {}
    if not isinstance(data, dict):
        v.error((), "a sources file must be a mapping with one key, 'sources'")
    else:
        v.keys(data, (), ("sources",), (), "sources file")
        entries = data.get("sources")
        if "sources" in data and not isinstance(entries, list):
            v.error(("sources",), "'sources' must be a list of {id, title, kind, date}")
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            source = v.source_entry(entry, ("sources", i))
            if source is None:
                continue
            if source.id in sources:
                v.error(("sources", i, "id"), f"duplicate source id '{source.id}'")
            sources[source.id] = source
    return sources, v.located(text)


@dataclass(frozen=True)
class _SourcesFound:
    """The sources.yaml a bank uses: its path, its sources, whether it is valid."""

    path: Path | None
    sources: dict[str, Source]
    valid: bool


def _sources_for(
    bank_file: Path, cache: dict[Path, _SourcesFound], problems: list[Problem]
) -> _SourcesFound:
    """The sources a bank cites, each sources.yaml read (and its problems reported) once."""
    folder = bank_file.resolve().parent
    if folder not in cache:
        found = find_sources_file(folder)
        if found is None:
            cache[folder] = _SourcesFound(None, {}, False)
        elif found in cache:
            cache[folder] = cache[found]
        else:
            shown = found if bank_file.is_absolute() else _relative_to_cwd(found)
            sources, source_problems = load_sources_file(shown)
            problems.extend(source_problems)
            cache[found] = cache[folder] = _SourcesFound(shown, sources, not source_problems)
    return cache[folder]


def _relative_to_cwd(path: Path) -> Path:
    """``path`` as seen from the working directory, when it lies below it.

    Problems in a sources.yaml then read like those of the banks given as
    relative paths.
    """
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _load_bank(
    file: Path, display: str, found: _SourcesFound
) -> tuple[Bank | None, list[Problem], Locator | None]:
    text, problems = read_text(file, display)
    if text is None:
        return None, problems, None
    data, problems = parse(text, display)
    locator = Locator(text)
    if data is None and problems:
        return None, problems, locator
    v = _Validator(display, found.sources, found.path, file.parent, found.valid)
    bank = v.bank(data, file)
    problems = problems + v.located(text, locator)
    return bank, problems, locator


def _unbalanced_braces(text: str) -> str | None:
    """Which '{{' or '}}' of a cloze text has no partner, said so a writer can find it."""

    def unclosed(start: int) -> str:
        return f"the deletion starting {_show(text[start : start + 24])} is not closed with '}}}}'"

    opened_at: int | None = None
    for match in re.finditer(r"\{\{|\}\}", text):
        if match.group() == "{{":
            if opened_at is not None:
                return unclosed(opened_at)
            opened_at = match.start()
        elif opened_at is None:
            near = _show(text[max(0, match.start() - 20) : match.end()])
            return f"'}}}}' without an opening '{{{{' near {near}"
        else:
            opened_at = None
    return None if opened_at is None else unclosed(opened_at)


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``options``, or nothing."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {_show(close[0])}?)" if close else ""


def _not_text(what: str, value: Any, expected: str = "text") -> str:
    """Why ``value`` is not the non-empty text expected of ``what``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return f"{what} must not be empty"
    hint = " (quote it to make it text)" if isinstance(value, (bool, int, float)) else ""
    return f"{what} must be {expected}, not {_show(value)}{hint}"


def _show(value: Any) -> str:
    """A value as an instructor wrote it, for error messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return str(value)


@dataclass
class _Validator:
    """Checks one file's plain data, collecting (data path, message) problems."""

    display: str
    sources: dict[str, Source] = field(default_factory=dict)
    sources_file: Path | None = None
    folder: Path | None = None
    # Whether to check each question's source against the sources file
    # (not when that file is invalid: its own problems come first).
    check_sources: bool = True
    pending: list[tuple[DataPath, bool, str]] = field(default_factory=list)

    def error(self, path: DataPath, message: str, *, key: bool = False) -> None:
        self.pending.append((path, key, message))

    def located(self, text: str, locator: Locator | None = None) -> list[Problem]:
        if not self.pending:
            return []
        locator = locator or Locator(text)
        out = []
        for path, key, message in self.pending:
            line, column = locator.locate(path, key=key)
            out.append(Problem(self.display, line, column, message))
        return out

    # -- generic shapes ---------------------------------------------------

    def keys(
        self,
        data: dict[Any, Any],
        path: DataPath,
        required: Sequence[str],
        optional: Sequence[str],
        what: str,
        *,
        suggestions: Sequence[str] | None = None,
    ) -> None:
        allowed = (*required, *optional)
        for k in data:
            if not isinstance(k, str):
                self.error((*path, k), f"{what} keys must be text, not {_show(k)}", key=True)
            elif k not in allowed:
                hint = did_you_mean(k, suggestions if suggestions is not None else allowed)
                self.error((*path, k), f"unknown key {_show(k)} in {what}{hint}", key=True)
        for k in required:
            if k not in data:
                self.error(path, f"{what} is missing required key '{k}'")

    def text(self, data: dict[Any, Any], key: str, path: DataPath, *, required: bool) -> str | None:
        if key not in data:
            return None  # reported by keys() when required
        value = data[key]
        if isinstance(value, str) and value.strip():
            return value
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error((*path, key), f"'{key}' must not be empty")
            return None
        hint = " (quote it to make it text)" if isinstance(value, (bool, int, float)) else ""
        self.error((*path, key), f"'{key}' must be text, not {_show(value)}{hint}")
        return None

    def slug(self, data: dict[Any, Any], key: str, path: DataPath) -> str | None:
        value = self.text(data, key, path, required=True)
        if value is None:
            return None
        if not SLUG_RE.fullmatch(value):
            fixed = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
            hint = f" (e.g. '{fixed}')" if fixed else ""
            self.error(
                (*path, key),
                f"'{key}' {_show(value)} is not a slug: "
                f"use lowercase letters, digits and '-' only{hint}",
            )
            return None
        return value

    def text_list(
        self, data: dict[Any, Any], key: str, path: DataPath, *, what: str
    ) -> list[str] | None:
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, list):
            hint = ""
            if isinstance(value, str) and "\n" not in value and len(value) <= 40:
                hint = f" (write a list in brackets: [{value}])"
            self.error((*path, key), f"'{key}' must be a list of {what}, not {_show(value)}{hint}")
            return None
        out: list[str] = []
        ok = True
        for i, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                out.append(item)
            else:
                self.error((*path, key, i), _not_text(what[:-1], item))
                ok = False
        return out if ok else None

    def unique(self, items: Sequence[str], path: DataPath, what: str) -> bool:
        seen: dict[str, int] = {}
        ok = True
        for i, item in enumerate(items):
            n = _norm(item)
            if n in seen:
                self.error(
                    (*path, i), f"duplicate {what} {_show(item)} (same as {what} {seen[n] + 1})"
                )
                ok = False
            else:
                seen[n] = i
        return ok

    # -- sources ----------------------------------------------------------

    def source_entry(self, entry: Any, path: DataPath) -> Source | None:
        if not isinstance(entry, dict):
            self.error(path, "a source must be a mapping with id, title, kind and date")
            return None
        self.keys(entry, path, SOURCE_KEYS_REQUIRED, SOURCE_KEYS_OPTIONAL, "source")
        sid = self.slug(entry, "id", path)
        title = self.text(entry, "title", path, required=True)
        kind = self.text(entry, "kind", path, required=True)
        date = entry.get("date")
        if isinstance(date, (dt.date, dt.datetime)):
            date = date.isoformat()
        elif date is not None and not isinstance(date, str):
            self.error(
                (*path, "date"), f"'date' must be a date such as 2025-08-07, not {_show(date)}"
            )
            date = None
        sections = self.text_list(entry, "sections", path, what="section headings") or []
        if sid is None or title is None or kind is None:
            return None
        return Source(sid, title, kind, date, tuple(sections))

    # -- banks ------------------------------------------------------------

    def bank(self, data: Any, file: Path) -> Bank | None:
        if not isinstance(data, dict):
            shape = "empty" if data is None else _show(data)
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
            self.error(("deck",), f"deck {_show(deck)} has an empty part between '::'")
        if self.sources_file is None:
            self.error((), "no sources.yaml found beside this bank or in a folder above it")
        questions: list[Question] = []
        raw = data.get("questions")
        if "questions" in data:
            if not isinstance(raw, list):
                self.error(("questions",), f"'questions' must be a list, not {_show(raw)}")
            elif not raw:
                self.error(("questions",), "bank has no questions")
        seen_ids: dict[str, int] = {}
        for i, item in enumerate(raw if isinstance(raw, list) else []):
            question = self.question(item, ("questions", i))
            raw_id = item.get("id") if isinstance(item, dict) else None
            if isinstance(raw_id, str) and raw_id in seen_ids:
                self.error(
                    ("questions", i, "id"),
                    f"duplicate question id {_show(raw_id)} "
                    f"(question {seen_ids[raw_id] + 1} has it too)",
                )
                continue
            if isinstance(raw_id, str):
                seen_ids[raw_id] = i
            if question is not None:
                questions.append(question)
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
        )

    def question(self, data: Any, path: DataPath) -> Question | None:
        if not isinstance(data, dict):
            self.error(path, f"a question must be a mapping, not {_show(data)}")
            return None
        qtype = data.get("type")
        before = len(self.pending)
        if "type" in data and qtype not in QUESTION_TYPES:
            if isinstance(qtype, str):
                hint = did_you_mean(qtype, QUESTION_TYPES)
                self.error(
                    (*path, "type"),
                    f"unknown question type {_show(qtype)}{hint}; "
                    f"expected one of {', '.join(QUESTION_TYPES)}",
                )
            else:
                self.error((*path, "type"), f"'type' must be one of {', '.join(QUESTION_TYPES)}")
            qtype = None
        if isinstance(qtype, str):
            required = (*QUESTION_REQUIRED, *TYPE_REQUIRED[qtype])
            optional = (*QUESTION_OPTIONAL, *TYPE_OPTIONAL.get(qtype, ()))
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
        fields = self.type_fields(qtype, data, path) if isinstance(qtype, str) else None
        if len(self.pending) > before or fields is None:
            return None
        assert qid is not None and explanation is not None and source is not None
        common: dict[str, Any] = {
            "id": qid,
            "explanation": explanation,
            "source": source,
            "tags": tuple(tags),
            "image": image,
            "revision": revision,
        }
        cls = _BUILDERS[str(qtype)][0]
        return cls(**common, **fields)

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
                    f"unknown source {_show(doc)}{did_you_mean(doc, self.sources)}; "
                    f"declare it in {self.sources_file}",
                )
                return None
            if declared.sections and section not in declared.sections:
                self.error(
                    (*here, "section"),
                    f"{_show(section)} is not a section of '{doc}'"
                    f"{did_you_mean(section, declared.sections)}",
                )
                return None
        return SourceRef(doc, section)

    def image(self, data: dict[Any, Any], path: DataPath) -> Path | None:
        name = self.text(data, "image", path, required=True)
        if name is None or self.folder is None:
            return None
        file = self.folder / name
        try:
            found = file.is_file()
        except OSError:  # e.g. a name too long for the file system
            found = False
        if not found:
            self.error(
                (*path, "image"), f"image file not found: {_show(name)} (relative to the bank file)"
            )
            return None
        return file

    def revision(self, data: dict[Any, Any], path: DataPath) -> int:
        value = data.get("revision", 1)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error(
                (*path, "revision"), f"'revision' must be a whole number >= 1, not {_show(value)}"
            )
            return 1
        return value

    def type_fields(
        self, qtype: str, data: dict[Any, Any], path: DataPath
    ) -> dict[str, Any] | None:
        return _BUILDERS[qtype][1](self, data, path)

    # -- per type ---------------------------------------------------------

    def choices(self, data: dict[Any, Any], path: DataPath) -> list[Choice] | None:
        if "choices" not in data:
            return None
        raw = data["choices"]
        here = (*path, "choices")
        if not isinstance(raw, list):
            self.error(here, f"'choices' must be a list, not {_show(raw)}")
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
                self.error((*here, i), _not_text("a choice", item, "text or {text, feedback}"))
        if len(out) != len(raw):
            return None
        if len(out) < 2:
            self.error(here, "a question needs at least 2 choices")
            return None
        if not self.unique([c.text for c in out], here, "choice"):
            return None
        return out

    def choice_index(self, value: Any, choices: list[Choice], path: DataPath) -> int | None:
        if not isinstance(value, str):
            hint = " (quote it to make it text)" if isinstance(value, (bool, int, float)) else ""
            self.error(path, f"the answer must be the text of one of the choices{hint}")
            return None
        for i, c in enumerate(choices):
            if c.text == value:
                return i
        self.error(
            path,
            f"answer {_show(value)} is not one of the choices"
            f"{did_you_mean(value, [c.text for c in choices])}",
        )
        return None

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
        if not raw:
            self.error(here, "a multi answer needs at least one choice")
            return None
        indexes: list[int] = []
        for i, value in enumerate(raw):
            index = self.choice_index(value, choices, (*here, i))
            if index is None:
                return None
            if index in indexes:
                self.error((*here, i), f"answer {_show(value)} is listed twice")
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
                f"a true_false answer must be true or false (unquoted), not {_show(answer)}",
            )
            return None
        return None if prompt is None else {"prompt": prompt, "answer": answer}

    def short(self, data: dict[Any, Any], path: DataPath) -> dict[str, Any] | None:
        prompt = self.text(data, "prompt", path, required=True)
        accept = self.text_list(data, "accept", path, what="accepted answers")
        if accept is not None and not accept:
            self.error((*path, "accept"), "'accept' needs at least one accepted answer")
            return None
        if prompt is None or accept is None:
            return None
        return {"prompt": prompt, "accept": tuple(accept)}

    def numeric(self, data: dict[Any, Any], path: DataPath) -> dict[str, Any] | None:
        prompt = self.text(data, "prompt", path, required=True)
        answer = self.number(data, "answer", path)
        tolerance = self.number(data, "tolerance", path) if "tolerance" in data else 0.0
        if tolerance is not None and tolerance < 0:
            self.error(
                (*path, "tolerance"),
                f"'tolerance' must be 0 or more, not {_show(data['tolerance'])}",
            )
            tolerance = None
        unit = self.text(data, "unit", path, required=False)
        if prompt is None or answer is None or tolerance is None:
            return None
        return {"prompt": prompt, "answer": answer, "tolerance": tolerance, "unit": unit}

    def number(self, data: dict[Any, Any], key: str, path: DataPath) -> float | None:
        if key not in data:
            return None
        value = data[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            hint = " (put a unit in 'unit')" if isinstance(value, str) and key == "answer" else ""
            self.error((*path, key), f"'{key}' must be a number, not {_show(value)}{hint}")
            return None
        return float(value)

    def cloze(self, data: dict[Any, Any], path: DataPath) -> dict[str, Any] | None:
        text = self.text(data, "text", path, required=True)
        if text is None:
            return None
        here = (*path, "text")
        unbalanced = _unbalanced_braces(text)
        if unbalanced is not None:
            self.error(
                here,
                f"malformed cloze: {unbalanced} (write deletions as "
                "{{c1::answer}} or {{c1::answer::hint}})",
            )
            return None
        rest = CLOZE_RE.sub("", text)
        if "{{" in rest:
            self.error(
                here,
                "malformed cloze: a deletion must start with '{{c' and a number, "
                "then '::' (e.g. {{c1::answer}})",
            )
            return None
        deletions = parse_cloze(text)
        if not deletions:
            self.error(here, "cloze text has no deletion such as {{c1::answer}}")
            return None
        for d in deletions:
            if d.number < 1:
                self.error(here, f"cloze numbers start at 1, not c{d.number}")
                return None
            if not d.answer.strip():
                self.error(here, f"cloze deletion c{d.number} has an empty answer")
                return None
            if "{{" in d.answer or "::" in d.answer or (d.hint and "::" in d.hint):
                self.error(
                    here,
                    f"malformed cloze deletion c{d.number}: "
                    "deletions cannot nest or have more than one '::hint'",
                )
                return None
        return {"text": text, "deletions": deletions}

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
        if len(items) < 2:
            self.error((*path, "items"), "an order question needs at least 2 items")
            return None
        if not self.unique(items, (*path, "items"), "item") or prompt is None:
            return None
        return {"prompt": prompt, "items": tuple(items)}

    def match(self, data: dict[Any, Any], path: DataPath) -> dict[str, Any] | None:
        prompt = self.text(data, "prompt", path, required=True)
        if "pairs" not in data:
            return None
        raw = data["pairs"]
        here = (*path, "pairs")
        if not isinstance(raw, list):
            self.error(here, f"'pairs' must be a list of [left, right], not {_show(raw)}")
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
        if len(pairs) < 2:
            self.error(here, "a match question needs at least 2 pairs")
            return None
        lefts_ok = self._unique_side([p[0] for p in pairs], here, 0, "left")
        rights_ok = self._unique_side([p[1] for p in pairs], here, 1, "right")
        if not (lefts_ok and rights_ok) or prompt is None:
            return None
        return {"prompt": prompt, "pairs": tuple(pairs)}

    def _unique_side(self, items: list[str], path: DataPath, side: int, what: str) -> bool:
        seen: dict[str, int] = {}
        ok = True
        for i, item in enumerate(items):
            n = _norm(item)
            if n in seen:
                self.error(
                    (*path, i, side),
                    f"duplicate {what} side {_show(item)} (same as pair {seen[n] + 1})",
                )
                ok = False
            else:
                seen[n] = i
        return ok


_Builder = Callable[[_Validator, dict[Any, Any], DataPath], "dict[str, Any] | None"]
_BUILDERS: dict[str, tuple[type[Question], _Builder]] = {
    "mcq": (MCQ, _Validator.mcq),
    "multi": (Multi, _Validator.multi),
    "true_false": (TrueFalse, _Validator.true_false),
    "short": (Short, _Validator.short),
    "numeric": (Numeric, _Validator.numeric),
    "cloze": (Cloze, _Validator.cloze),
    "flashcard": (Flashcard, _Validator.flashcard),
    "order": (Order, _Validator.order),
    "match": (Match, _Validator.match),
}


def select_banks(
    banks: Sequence[Bank], bank_ids: Sequence[str] = (), tags: Sequence[str] = ()
) -> list[Bank]:
    """Narrow loaded banks to ``bank_ids`` and to questions carrying any of ``tags``.

    A bank's own tags count for each of its questions. Banks left with no
    question are dropped.

    Raises:
        UsageError: an id names no loaded bank, or nothing matches.
    """
    known = {b.id for b in banks}
    for bank_id in bank_ids:
        if bank_id not in known:
            raise UsageError(f"no bank with id '{bank_id}'{did_you_mean(bank_id, known)}")
    wanted = set(tags)
    chosen: list[Bank] = []
    for bank in banks:
        if bank_ids and bank.id not in bank_ids:
            continue
        if wanted and not wanted & set(bank.tags):
            questions = tuple(q for q in bank.questions if wanted & set(q.tags))
            if not questions:
                continue
            bank = replace(bank, questions=questions)
        chosen.append(bank)
    if not chosen:
        raise UsageError(f"no question has the tag {' or '.join(sorted(wanted))}")
    return chosen
