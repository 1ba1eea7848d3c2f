"""Loaded YAML -> pydantic model, with each validation error turned into a located diagnostic."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cmo.core.diagnostics import Diagnostics
from cmo.core.rules import Rule
from cmo.core.suggest import did_you_mean, slug_of
from cmo.yamlio.reader import Mark, locate
from cmo.yamlio.syntax import space_after_colon

M = TypeVar("M", bound=BaseModel)

# Discriminator tags pydantic puts in error locations; they are not keys of the data.
_UNION_TAGS = frozenset({"mechanism-split", "mechanism-codes"})
# The last part of the location of an error in a mapping's key (rather than its value).
_KEY = "[key]"
# What each pattern of cmo.corpus.models asks for, in words, so the message says what the pattern says.
# The shapes an id or a one-line field may take in any cmo file, with how an error names each.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
TRANSCRIPT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
ONE_LINE_PATTERN = r"^[^\n]*$"

_PATTERN_RULES = {
    SLUG_PATTERN: "is not a valid id (lower-case letters, digits and '-', starting with a letter or digit)",
    TRANSCRIPT_ID_PATTERN: "is not a valid transcript id (letters, digits, '.', '_' and '-', starting with a letter or digit)",
    ONE_LINE_PATTERN: "must be one line of text",
    r"^\d+(-\d+)?$": "is not a line or a range of lines (such as 12 or 12-15)",  # cmo.theory.model's evidence lines
}


def _data_path(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    return tuple(part for part in loc if part not in _UNION_TAGS and part != _KEY)


def _field_name(path: tuple[int | str, ...]) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def _allowed_keys(model: type[BaseModel], path: tuple[int | str, ...]) -> list[str]:
    """The keys the mapping that holds `path` may have, for 'did you mean'."""
    current: Any = model
    for part in path[:-1]:
        if isinstance(part, int) or not (isinstance(current, type) and issubclass(current, BaseModel)):
            continue
        field = current.model_fields.get(part)
        if field is None:
            return []
        current = _model_in(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _model_in(annotation: Any) -> Any:
    """The BaseModel class inside an annotation such as `list[Participant] | None`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    for meta in getattr(annotation, "__metadata__", ()) or ():
        found = _model_in(meta)
        if found is not None:
            return found
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and origin is not annotation:
        return _model_in(origin)
    return None


def _message(error: Any, path: tuple[int | str, ...], model: type[BaseModel]) -> tuple[str, str]:
    kind = error["type"]
    name = _field_name(path)
    value = error.get("input")
    if kind == "extra_forbidden":
        key = str(path[-1])
        where = f"{_field_name(path[:-1])}: " if len(path) > 1 else ""
        return Rule.UNKNOWN_KEY, f"{where}unknown key {key!r}{did_you_mean(key, _allowed_keys(model, path))}"
    if kind == "missing":
        return Rule.MISSING_KEY, f"required key {name!r} is missing"
    if kind in ("enum", "literal_error"):
        expected = error.get("ctx", {}).get("expected", "")
        choices = [c.strip(" '") for c in expected.replace(" or ", ",").split(",") if c.strip(" '")]
        return Rule.INVALID_VALUE, f"{name}: {value!r} is not one of {expected}{did_you_mean(str(value), choices)}"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern")
        rule = _PATTERN_RULES.get(pattern, f"does not match {pattern!r}")
        fix = slug_of(value) if pattern == SLUG_PATTERN and isinstance(value, str) else ""
        return Rule.INVALID_VALUE, f"{name}: {value!r} {rule}" + (f"; did you mean {fix!r}?" if fix else "")
    if kind == "list_type":
        return Rule.INVALID_VALUE, f"{name}: expected a list (or a single value), got {value!r}"
    return Rule.INVALID_VALUE, f"{name}: {error['msg'][0].lower()}{error['msg'][1:]}" if name else error["msg"]


def validate(
    model: type[M],
    data: Any,
    *,
    path: str,
    diagnostics: Diagnostics,
    what: str,
    at: Mark | None = None,
) -> M | None:
    """Validate YAML data against `model`; on failure add one diagnostic per problem and return None.

    `at` is where the data starts when it has no mark of its own (a plain value: `context:stigma` in a block).
    """
    if not isinstance(data, dict):
        mark = getattr(data, "mark", None) or at or Mark(1, 1)
        shape = "empty" if data is None else f"a {type(data).__name__}"
        hint = space_after_colon(data) if isinstance(data, str) else None
        message = f"{what} must be a YAML mapping, not {shape}" + (f": {hint}" if hint else "")
        diagnostics.add(path, mark.line, mark.column, Rule.NOT_A_MAPPING, message)
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            data_path = _data_path(error["loc"])
            on_key = error["type"] == "extra_forbidden" or error["loc"][-1:] == (_KEY,)
            mark = locate(data, data_path, key=on_key) or Mark(1, 1)
            rule, message = _message(error, data_path, model)
            diagnostics.add(path, mark.line, mark.column, rule, message)
        return None


def valid_part(model: type[M], data: Any) -> M | None:
    """The model built from only the top-level keys that are valid on their own, or None.

    Lets a caller go on checking the rest of a mapping (its codes, say) after reporting the
    errors `validate` found, so one misspelt key does not hide an unknown code beside it.
    """
    if not isinstance(data, dict):
        return None
    kept = {key: value for key, value in data.items() if key in model.model_fields}
    try:
        return model.model_validate(kept)
    except ValidationError as exc:
        bad = {error["loc"][0] for error in exc.errors() if error["loc"]}
        try:
            return model.model_validate({key: value for key, value in kept.items() if key not in bad})
        except ValidationError:
            return None
