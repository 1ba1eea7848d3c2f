"""JSON Schemas of a study's YAML files, generated from the pydantic models, so editors check and complete them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from cmo.corpus import models
from cmo.corpus.scaffold import SCHEMA_SUFFIX
from cmo.theory import model as theory_model
from cmo.yamlio.schema import _PATTERN_RULES, ONE_LINE_PATTERN

DIALECT = "https://json-schema.org/draft/2020-12/schema"
VERSION = 1  # part of every $id: raise it when a schema stops accepting what it accepted
REGENERATE = ".venv/bin/python -m cmo.editor.schemas"  # writes cmo/editor/schemas/*.json from the models


@dataclass(frozen=True)
class SchemaFile:
    """One schema: its name (`cmo schema NAME`), the model it is made from, and what it describes."""

    name: str
    model: type[BaseModel]
    title: str
    description: str
    empty_allowed: bool = False  # an empty document (nothing, or comments only) is valid

    @property
    def file_name(self) -> str:
        return f"{self.name}{SCHEMA_SUFFIX}"


def schema_files() -> tuple[SchemaFile, ...]:
    """Every schema cmo ships, in a fixed order; a model not (yet) defined is left out."""
    files = [
        SchemaFile("programme", models.Programme, "cmo programme.yaml", "corpus/<programme>/programme.yaml."),
        SchemaFile("codebook", models.Codebook, "cmo codebook.yaml", "corpus/codebook.yaml or a programme's own."),
    ]
    participants = getattr(models, "ParticipantsFile", None)
    if isinstance(participants, type) and issubclass(participants, BaseModel):
        files.append(
            SchemaFile(
                "participants",
                participants,
                "cmo participants.yaml",
                "corpus/<programme>/participants.yaml: pseudonymous participants only.",
                empty_allowed=True,
            )
        )
    files.append(SchemaFile("theory", theory_model.Theory, "cmo programme theory", "theories/<programme>.yaml."))
    overarching = getattr(theory_model, "OverarchingTheory", None)
    if isinstance(overarching, type) and issubclass(overarching, BaseModel):
        files.append(
            SchemaFile("overarching-theory", overarching, "cmo overarching theory", "theories/overarching.yaml.")
        )
    files += [
        SchemaFile("front-matter", models.FrontMatter, "cmo transcript front matter", "A transcript's front matter."),
        SchemaFile("annotation", models.Annotation, "cmo annotation", "One mapping of a transcript's cmo block."),
    ]
    return tuple(files)


def names() -> list[str]:
    return [schema.name for schema in schema_files()]


class UnknownValidator(Exception):
    """A model validator the generator has no rule for: the schema could disagree with `cmo validate`."""


_NUMBER: JsonSchemaValue = {"type": "number"}
_NULL: JsonSchemaValue = {"type": "null"}
_ONE_LINE_TEXT = "must be one line of text"


def _as_text(inner: JsonSchemaValue) -> JsonSchemaValue:
    """FreeText and participant ids: a number is read as its text (a YAML date is text in the editor too)."""
    return {"anyOf": [inner, _NUMBER]}


def _one_or_many(inner: JsonSchemaValue) -> JsonSchemaValue:
    """A code list: one code, a list of codes, or nothing."""
    return {"anyOf": [inner["items"], inner, _NULL]}


def _participants(inner: JsonSchemaValue) -> JsonSchemaValue:
    """A transcript's participants: one id, or a list of ids and mappings."""
    ident: JsonSchemaValue = {"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]}
    return {"anyOf": [*ident["anyOf"], {**inner, "items": {"anyOf": [*ident["anyOf"], inner["items"]]}}]}


def _attribute_value(inner: JsonSchemaValue) -> JsonSchemaValue:
    """An attribute: one line of text, a number, or true/false."""
    line = {"type": "string", "minLength": 1, "not": {"pattern": "\n"}}
    return {"anyOf": [line, _NUMBER, {"type": "boolean"}]}


def _nullable(inner: JsonSchemaValue) -> JsonSchemaValue:
    return {"anyOf": [inner, _NULL]}


def _same(inner: JsonSchemaValue) -> JsonSchemaValue:
    return inner


def _attribute_name(inner: JsonSchemaValue) -> JsonSchemaValue:
    pattern = models.ATTRIBUTE_NAME.pattern.removesuffix(r"\Z")
    message = "is not an attribute name (lower-case letters, digits, '_' and '-')"
    return {**inner, "pattern": f"^{pattern}$", "patternErrorMessage": message}


def _role_not_an_attribute(inner: JsonSchemaValue) -> JsonSchemaValue:
    return {**inner, "propertyNames": {"not": {"const": "role"}}}


# What each validator of the models accepts beyond (or instead of) its inner type, by qualified name.
_BEFORE = {
    "cmo.corpus.models._scalar_text": _as_text,
    "cmo.corpus.models._one_or_many": _one_or_many,
    "cmo.corpus.models._participants": _participants,
    "cmo.corpus.models._declared": _nullable,
    "cmo.corpus.models.attribute_text": _attribute_value,
    "cmo.corpus.models.FrontMatter._no_datetime": _same,  # a YAML timestamp: text to the editor anyway
    "cmo.theory.model.Cmoc._counts_of_an_earlier_cmo": _same,
}
_AFTER = {
    "cmo.corpus.models.attribute_name": _attribute_name,
    "cmo.corpus.models.Participant._role_is_its_own_key": _role_not_an_attribute,
}


def _qualified(function: Any) -> str:
    inner = getattr(function, "func", function)  # functools.partial: pydantic's own constraint validators
    return f"{getattr(inner, '__module__', '?')}.{getattr(inner, '__qualname__', repr(inner))}"


class _Generator(GenerateJsonSchema):
    """pydantic's generator, with each cmo validator's widening and a stripped string's real pattern."""

    def _widened(self, table: dict[str, Any], schema: Any, inner: JsonSchemaValue) -> JsonSchemaValue:
        name = _qualified(schema["function"]["function"])
        if name.startswith("pydantic"):
            return inner
        if name not in table:
            raise UnknownValidator(f"{name}: say in {__name__} what it accepts, then run {REGENERATE}")
        widen = table[name]
        result: JsonSchemaValue = widen(inner)
        return result

    def function_before_schema(self, schema: core_schema.BeforeValidatorFunctionSchema) -> JsonSchemaValue:
        return self._widened(_BEFORE, schema, super().function_before_schema(schema))

    def function_after_schema(self, schema: core_schema.AfterValidatorFunctionSchema) -> JsonSchemaValue:
        return self._widened(_AFTER, schema, super().function_after_schema(schema))

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        result = super().str_schema(schema)
        pattern = result.get("pattern")
        if schema.get("strip_whitespace") and schema.get("min_length", 0) >= 1:
            # Stripped before it is checked: surrounding blanks (a block scalar's last newline) are allowed.
            if pattern == ONE_LINE_PATTERN:
                result["pattern"] = r"^\s*\S(?:[^\n]*\S)?\s*$"
                result["patternErrorMessage"] = f"{_ONE_LINE_TEXT}, not blank"
            elif pattern is None:
                result["pattern"] = r"\S"
                result["patternErrorMessage"] = "must not be blank"
        elif isinstance(pattern, str) and pattern in _PATTERN_RULES:
            result["patternErrorMessage"] = _PATTERN_RULES[pattern]
        return result

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        result = super().dict_schema(schema)
        if "patternProperties" in result and "additionalProperties" not in result:
            result["additionalProperties"] = False  # a key that is not an id is an error, as in cmo validate
        return result


def generate(schema: SchemaFile) -> dict[str, Any]:
    """The JSON Schema of one file, as a JSON object."""
    body = schema.model.model_json_schema(mode="validation", schema_generator=_Generator)
    if schema.empty_allowed:
        body["type"] = ["object", "null"]
    model_text = body.pop("description", "")
    return {
        "$schema": DIALECT,
        "$id": f"urn:cmo:schema:{schema.name}:{VERSION}",
        **body,
        "title": schema.title,
        "description": f"{schema.description} {model_text}".strip(),
    }


def render(schema: SchemaFile) -> str:
    """The schema's file text: sorted keys, two-space indent, a final newline (the same every run)."""
    return json.dumps(generate(schema), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def by_name(name: str) -> SchemaFile | None:
    return next((schema for schema in schema_files() if schema.name == name), None)


def shipped(schema: SchemaFile) -> str | None:
    """The schema's text as shipped in the package, or None when the file is missing."""
    path = resources.files(__package__ or "cmo.editor").joinpath("schemas", schema.file_name)
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def study_schemas() -> dict[str, str]:
    """Every shipped schema, name -> text, as `cmo init` puts them in a study (generated when one is missing)."""
    return {schema.name: shipped(schema) or render(schema) for schema in schema_files()}


def _regenerate() -> None:
    from pathlib import Path

    from cmo.core.files import write_atomic

    folder = Path(__file__).with_suffix("")
    for schema in schema_files():
        write_atomic(folder / schema.file_name, render(schema))
        print(f"wrote cmo/editor/schemas/{schema.file_name}")


if __name__ == "__main__":
    _regenerate()
