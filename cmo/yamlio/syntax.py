"""PyYAML's syntax errors in plain words: what is wrong, on the line where the slip is, how to fix it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import yaml

__all__ = ["Explained", "explain", "space_after_colon"]

# A line that holds a key: its indentation, any '- ' before the key, the key itself.
_KEY_LINE = re.compile(r"^( *)((?:- +)*)([A-Za-z0-9_][\w .-]*?) *:(?= |$)")
# A key glued to its value (`context:stigma`): YAML reads the whole as one word, not as a key.
_GLUED = re.compile(r"^( *(?:- +)*)([A-Za-z0-9_][\w-]*):([^\s:][^:]*)$")
# A key and a value on one line, up to where the value starts.
_KEY_AND_VALUE = re.compile(r"^( *(?:- +)*)([A-Za-z0-9_][\w .-]*?) *: +")
_SHOWN = 40  # characters of a line a message quotes at most


@dataclass(frozen=True)
class Explained:
    """A syntax error as cmo reports it: the line and column of the slip (0-based, in the text parsed), and words."""

    line: int
    column: int
    message: str


@dataclass(frozen=True)
class _Error:
    """One PyYAML error and the text it is about."""

    lines: list[str]
    problem: str
    context: str
    at: tuple[int, int]  # (line, column) of the problem, 0-based
    start: tuple[int, int] | None  # (line, column) of the context: where the construct in trouble began

    def row(self, line: int) -> str:
        return self.lines[line] if 0 <= line < len(self.lines) else ""

    def char(self, line: int, column: int) -> str:
        return self.row(line)[column : column + 1]


def explain(exc: yaml.MarkedYAMLError, text: str) -> Explained:
    """Where the human slip behind a PyYAML error is, and a message saying it in words, the parser's own after it."""
    problem_mark, context_mark = exc.problem_mark, exc.context_mark
    mark = problem_mark or context_mark
    at = (mark.line, mark.column) if mark else (0, 0)
    start = (context_mark.line, context_mark.column) if context_mark else None
    error = _Error(text.split("\n"), exc.problem or "", exc.context or "", at, start)
    parser = _parser_text(error)
    for applies, explainer in _TABLE:
        if applies(error):
            found = explainer(error)
            if found is not None:
                line, column, plain = found
                return Explained(line, column, f"{plain} (parser: {parser})")
    return Explained(*at, f"invalid YAML (parser: {parser})")


def _parser_text(error: _Error) -> str:
    problem, context = error.problem or "invalid YAML", error.context
    if not context:
        return problem
    return f"{problem} {context}" if context.startswith("while") else f"{context}, {problem}"


def _shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _quoted(value: str) -> str:
    """A value as it would be written in quotes (shortened): double quotes, or single ones when it holds a double."""
    value = _shown(value)
    if '"' in value and "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _indent(row: str) -> int:
    return len(row) - len(row.lstrip(" "))


def _previous(error: _Error, line: int) -> int | None:
    """The nearest line above `line` with something on it other than a comment."""
    for number in range(line - 1, -1, -1):
        stripped = error.row(number).strip()
        if stripped and not stripped.startswith("#"):
            return number
    return None


def _owner(error: _Error, line: int, column: int) -> str | None:
    """The key whose value the list with a '- ' at (line, column) is: the nearest key above, no deeper than it."""
    for number in range(line - 1, -1, -1):
        row = error.row(number)
        if not row.strip() or row.lstrip().startswith("#") or _indent(row) > column:
            continue
        key = _KEY_LINE.match(row)
        if key and not row[key.end() :].strip():
            return key.group(3)
        return None
    return None


def _not_lined_up(owner: str | None) -> str:
    under = f" under '{owner}:'" if owner else ""
    return f"the list items{under} are not lined up: indent each '- ' by the same number of spaces"


def space_after_colon(text: str) -> str | None:
    """For text that is a key glued to its value (`context:stigma`), the hint to part them; else None."""
    found = _GLUED.match(text.rstrip())
    if found is None or "\n" in text:
        return None
    return f"put a space after the colon: `{found.group(2)}: {found.group(3).strip()}`"


def _glued(error: _Error, line: int) -> tuple[int, int, str] | None:
    """A key written without the space after its colon (`context:stigma`), at its own line."""
    found = _GLUED.match(error.row(line).rstrip())
    if found is None:
        return None
    key, value = found.group(2), found.group(3).strip()
    return line, found.end(2), f"'{key}:{value}' is not read as a key: put a space after the colon: `{key}: {value}`"


def _list_broken(error: _Error) -> tuple[int, int, str] | None:
    """A list whose next line is neither a '- ' item lined up with the others nor back at the level of its key."""
    line, column = error.at
    row = error.row(line)
    start_line, start_column = error.start or (line, column)
    owner = _owner(error, start_line, start_column)
    if row.lstrip().startswith("-"):
        return line, _indent(row), _not_lined_up(owner)
    key = _KEY_LINE.match(row)
    name = f"'{key.group(3)}:'" if key else "this line"
    first = error.row(start_line)
    item = start_column + 1 + _indent(first[start_column + 1 :])
    in_item = (
        f"line it up with '{key.group(3)}:' after the '- ' ({_spaces(item)})"
        if (key := _KEY_LINE.match(" " * item + first[item:]))
        else ""
    )
    if owner is None:
        return (
            line,
            _indent(row),
            f"{name} does not line up with the list item above it" + (f": {in_item}" if in_item else ""),
        )
    end = f"line it up with '{owner}:' to end the list"
    return (
        line,
        _indent(row),
        (
            f"{name} does not line up with the list under '{owner}:': {end}"
            + (f", or {in_item} to add it to that item" if in_item else "")
        ),
    )


def _mapping_broken(error: _Error) -> tuple[int, int, str] | None:
    """A block mapping interrupted: text after a closed quote or bracket, or a line at no level of the keys above."""
    line, column = error.at
    row = error.row(line)
    if column > _indent(row):
        before = row[:column].rstrip()[-1:]
        if before in ("'", '"'):
            return (
                line,
                column,
                (
                    "text after the closing quote: put the whole value in double quotes "
                    "(an apostrophe inside single quotes is written twice: 'it''s')"
                ),
            )
        if before in ("]", "}"):
            return line, column, f"text after the closing {before!r}: end the value there, or put it all in quotes"
        return None
    if row.lstrip().startswith("-"):
        return line, _indent(row), _not_lined_up(_owner(error, line, _indent(row) - 1))
    return line, _indent(row), _misplaced_key(error, line)


def _misplaced_key(error: _Error, line: int) -> str:
    """A key at an indentation no key above has: name the nearest deeper and shallower keys it may belong with."""
    row = error.row(line)
    indent = _indent(row)
    key = _KEY_LINE.match(row)
    name = f"'{key.group(3)}:'" if key else "this line"
    deeper: tuple[str, int] | None = None
    shallower: tuple[str, int] | None = None
    for number in range(line - 1, -1, -1):
        above = _KEY_LINE.match(error.row(number))
        if above is None:
            continue
        where = len(above.group(1)) + len(above.group(2))
        if where > indent and deeper is None:
            deeper = (above.group(3), where)
        elif where < indent and shallower is None:
            shallower = (above.group(3), where)
    options = [f"with '{other}:' ({_spaces(spaces)})" for other, spaces in filter(None, (deeper, shallower))]
    return f"{name} is not lined up with the keys above it" + (
        f": line it up {' or '.join(options)}" if options else ""
    )


def _spaces(count: int) -> str:
    return "at the start of the line" if count == 0 else f"{count} space{'s' if count > 1 else ''} in"


def _value_swallows(error: _Error) -> tuple[int, int, str] | None:
    """'mapping values are not allowed': a colon inside a value, or a key YAML reads as part of the value above."""
    line, column = error.at
    row = error.row(line)
    same_line = _KEY_AND_VALUE.match(row)
    if same_line and same_line.end() <= column:
        key, value = same_line.group(2), row[same_line.end() :].strip()
        return line, same_line.end(), f"a value with ': ' in it must be in quotes: `{key}: {_quoted(value)}`"
    previous = _previous(error, line)
    if previous is None:
        return None
    glued = _glued(error, previous)
    if glued is not None:
        return glued
    above = error.row(previous)
    if _indent(row) > _indent(above):
        dash = row.lstrip().startswith("-")
        what = "this '- '" if dash else f"'{row.strip()[: column - _indent(row)]}:'"
        key = None if dash else _KEY_LINE.match(above)
        fix = f"line it up with '{key.group(3)}:'" if key else "line it up with the '- ' items above"
        return (
            line,
            _indent(row),
            (
                f"{what} is indented further than line {previous + 1} above, so YAML reads it as part of the value "
                f"there: {fix}"
            ),
        )
    return (
        previous,
        _indent(above),
        (
            f"line {previous + 1} ('{_shown(above)}') is a value without a key, so YAML reads the next line as part "
            "of it: give it a key (`key: value`) or remove it"
        ),
    )


def _no_colon(error: _Error) -> tuple[int, int, str] | None:
    """'could not find expected ':'': a key without its colon or its space, or a list item without its '- '."""
    line, column = error.start or error.at
    glued = _glued(error, line)
    if glued is not None:
        return glued
    row = error.row(line)
    if row.lstrip().startswith("-") and not row.lstrip().startswith("- "):
        return line, column, f"put a space after the '-' of a list item: `- {_shown(row.lstrip()[1:])}`"
    previous = _previous(error, line)
    if previous is not None:
        above = error.row(previous)
        if _indent(above) == _indent(row) and above.lstrip().startswith("- "):
            return line, column, f"'{_shown(row)}' is not a list item like the line above: start it with '- '"
    word = row.strip()
    key = word if re.fullmatch(r"[A-Za-z0-9_][\w-]*", word) else "key"
    return line, column, f"'{_shown(row)}' has no ':' after it: write a key as `{key}: value`"


def _flow_broken(error: _Error) -> tuple[int, int, str] | None:
    """A `[...]` or `{...}` never closed, or with a ':' inside a value."""
    line, column = error.at
    if error.context == "while parsing a flow node":
        start = _last_opener(error)
        if start is None:
            return None
    else:
        start = error.start or error.at
    opener = error.char(*start)
    closer = {"[": "]", "{": "}"}.get(opener)
    if closer is None:
        return None
    if line == start[0] and error.char(line, column) == ":":
        return line, column, f"a value inside '{opener}...{closer}' with ':' in it must be in quotes"
    kind = "list" if opener == "[" else "mapping"
    return start[0], start[1], f"the {kind} opened with '{opener}' here is not closed: end it with '{closer}'"


def _last_opener(error: _Error) -> tuple[int, int] | None:
    line, column = error.at
    for number in range(min(line, len(error.lines) - 1), -1, -1):
        row = error.row(number)[: column if number == line else None]
        found = max(row.rfind("["), row.rfind("{"))
        if found >= 0:
            return number, found
    return None


def _quote_open(error: _Error) -> tuple[int, int, str] | None:
    if "escape" in error.problem:
        return (
            error.at[0],
            error.at[1],
            (
                "a backslash inside double quotes starts an escape such as \\n: write \\\\ for a backslash, "
                "or put the value in single quotes"
            ),
        )
    start = error.start or error.at
    quote = error.char(*start)
    name = {'"': "double quote", "'": "single quote"}.get(quote, "quote")
    return start[0], start[1], f"the {name} that opens this value is never closed: end the value with {quote} too"


def _cannot_start(error: _Error) -> tuple[int, int, str] | None:
    """A value starting with a character YAML keeps for itself (`*`, `&`, `@`, a backquote), or a tab."""
    line, column = error.start if error.context.startswith("while scanning an a") and error.start else error.at
    char = error.char(line, column)
    if char == "\t" or "tab" in error.problem:
        return line, column, "a tab cannot indent YAML: indent with spaces"
    if not char or char.isspace():
        return None
    row = error.row(line)
    key = _KEY_AND_VALUE.match(row)
    fix = f": `{key.group(2)}: {_quoted(row[key.end() :])}`" if key and key.end() == column else ""
    return line, column, f"a value cannot start with {char!r} unless it is in quotes: put it in double quotes{fix}"


def _second_document(error: _Error) -> tuple[int, int, str] | None:
    return error.at[0], error.at[1], "a '---' line starts a second YAML document, which cmo does not read: remove it"


def _is(context: str = "", problem: str = "") -> Callable[[_Error], bool]:
    return lambda error: error.context.startswith(context) and problem in error.problem


# Which PyYAML problems (libyaml's and pure Python's words) mean which slip, first match first.
_TABLE: list[tuple[Callable[[_Error], bool], Callable[[_Error], tuple[int, int, str] | None]]] = [
    (_is("while parsing a block collection"), _list_broken),
    (_is("while parsing a block mapping"), _mapping_broken),
    (_is(problem="mapping values are not allowed"), _value_swallows),
    (_is(problem="could not find expected ':'"), _no_colon),
    (_is("while parsing a flow"), _flow_broken),
    (_is("while scanning a quoted scalar"), _quote_open),
    (_is(problem="escape character"), _quote_open),
    (_is("while scanning an alias"), _cannot_start),
    (_is("while scanning an anchor"), _cannot_start),
    (_is(problem="cannot start any token"), _cannot_start),
    (_is(problem="tab character"), _cannot_start),
    (_is(problem="but found another document"), _second_document),
]
