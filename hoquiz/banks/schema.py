"""The JSON Schema (draft 2020-12) of a bank, for editors.

Built from the loader's key tables and each question class's keys, so the
two cannot drift. The schema
checks structure (keys, types, required fields); rules that need more than
one value at a time (an answer among the choices, unique ids, a known
source) are the validator's alone.
"""

from __future__ import annotations

from typing import Any, assert_never

from hoquiz.banks.validator import (
    BANK_OPTIONAL,
    BANK_REQUIRED,
    QUESTION_OPTIONAL,
    QUESTION_REQUIRED,
)
from hoquiz.model import QUESTION_CLASSES, QUESTION_TYPES, AnyQuestion, QuestionKind
from hoquiz.model import invariants as rules

SCHEMA_ID = "https://hoquiz.invalid/schema/bank.schema.json"

_MAX_NUMBER = int(rules.MAX_NUMBER)  # 1000000000000000 in the JSON, not 1e15 as a float
_TEXT = {"type": "string", "minLength": 1, "pattern": r"\S"}
_SLUG = {"type": "string", "pattern": r"^[a-z0-9-]+$"}
_TEXTS = {"type": "array", "items": {"$ref": "#/$defs/text"}}

_FIELD_SCHEMAS: dict[str, Any] = {
    "id": {"$ref": "#/$defs/slug", "description": "Permanent identity within the bank."},
    "type": {"enum": list(QUESTION_TYPES)},
    "explanation": {
        "$ref": "#/$defs/text",
        "description": "Why the key is right and the most tempting distractor wrong.",
    },
    "source": {
        "type": "object",
        "properties": {"doc": {"$ref": "#/$defs/text"}, "section": {"$ref": "#/$defs/text"}},
        "required": ["doc", "section"],
        "additionalProperties": False,
        "description": "The sources.yaml id of the document and the section heading.",
    },
    "tags": {"$ref": "#/$defs/texts"},
    "image": {"$ref": "#/$defs/text", "description": "Image file relative to the bank file."},
    "revision": {
        "type": "integer",
        "minimum": 1,
        "maximum": rules.MAX_REVISION,
        "description": "Raise to reset learners' progress on this question.",
    },
    "prompt": {"$ref": "#/$defs/text"},
    "choices": {
        "type": "array",
        "minItems": rules.MIN_CHOICES,
        "maxItems": rules.MAX_OPTIONS,
        "items": {"$ref": "#/$defs/choice"},
    },
    "accept": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/text"}},
    "tolerance": {"type": "number", "minimum": 0, "maximum": _MAX_NUMBER},
    "match": {
        "enum": ["lenient", "exact"],
        "description": "'exact': no leniency for articles, plurals or spelling slips.",
    },
    "unit": {"$ref": "#/$defs/text"},
    "text": {"$ref": "#/$defs/text", "pattern": r"\{\{c\d+::"},
    "front": {"$ref": "#/$defs/text"},
    "back": {"$ref": "#/$defs/text"},
    "items": {
        "type": "array",
        "minItems": rules.MIN_ITEMS,
        "maxItems": rules.MAX_OPTIONS,
        "uniqueItems": True,
        "items": {"$ref": "#/$defs/text"},
    },
    "pairs": {
        "type": "array",
        "minItems": rules.MIN_PAIRS,
        "maxItems": rules.MAX_OPTIONS,
        "items": {
            "type": "array",
            "prefixItems": [{"$ref": "#/$defs/text"}, {"$ref": "#/$defs/text"}],
            "minItems": 2,
            "maxItems": 2,
        },
    },
}


def _answer_schema(kind: QuestionKind) -> Any:
    """The schema of a type's ``answer`` (``None``: the type has no ``answer`` key)."""
    match kind:
        case "mcq":
            return {"$ref": "#/$defs/text", "description": "The text of the one correct choice."}
        case "multi":
            return {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/text"}}
        case "true_false":
            return {"type": "boolean"}
        case "numeric":
            return {"type": "number", "minimum": -_MAX_NUMBER, "maximum": _MAX_NUMBER}
        case "short" | "cloze" | "flashcard" | "order" | "match":
            return None
        case _:
            assert_never(kind)


def _question_variant(cls: type[AnyQuestion]) -> dict[str, Any]:
    keys = (*QUESTION_REQUIRED, *QUESTION_OPTIONAL, *cls.yaml_keys, *cls.yaml_optional)
    properties = {
        key: (_answer_schema(cls.type) if key == "answer" else _FIELD_SCHEMAS[key]) for key in keys
    }
    properties["type"] = {"const": cls.type}
    return {
        "if": {"properties": {"type": {"const": cls.type}}, "required": ["type"]},
        "then": {
            "properties": properties,
            "required": [*QUESTION_REQUIRED, *cls.yaml_keys],
            "additionalProperties": False,
        },
    }


def bank_schema() -> dict[str, Any]:
    """The schema as a JSON-ready dict."""
    bank_fields: dict[str, Any] = {
        "id": {"$ref": "#/$defs/slug", "description": "Unique across the banks loaded together."},
        "title": {"$ref": "#/$defs/text"},
        "deck": {
            "$ref": "#/$defs/text",
            # No empty part: not starting or ending with '::', no ':: ::'.
            "pattern": r"^(?!\s*::)(?!.*::\s*$)(?!.*::\s*::)",
            "description": "Anki deck path, parts joined by '::'.",
        },
        "description": {"$ref": "#/$defs/text"},
        "tags": {"$ref": "#/$defs/texts"},
        "questions": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/question"}},
    }
    assert set(bank_fields) == {*BANK_REQUIRED, *BANK_OPTIONAL}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "hoquiz question bank",
        "description": "One YAML file = one bank of questions. See docs/bank-format.md.",
        "type": "object",
        "properties": bank_fields,
        "required": list(BANK_REQUIRED),
        "additionalProperties": False,
        "$defs": {
            "text": _TEXT,
            "slug": _SLUG,
            "texts": _TEXTS,
            "choice": {
                "oneOf": [
                    {"$ref": "#/$defs/text"},
                    {
                        "type": "object",
                        "properties": {
                            "text": {"$ref": "#/$defs/text"},
                            "feedback": {"$ref": "#/$defs/text"},
                        },
                        "required": ["text"],
                        "additionalProperties": False,
                    },
                ]
            },
            "question": {
                "type": "object",
                "required": list(QUESTION_REQUIRED),
                "properties": {"type": {"enum": list(QUESTION_TYPES)}},
                "allOf": [_question_variant(cls) for cls in QUESTION_CLASSES],
            },
        },
    }
