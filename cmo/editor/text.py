"""Text as an editor addresses it: lines split as LSP splits them, UTF-16 columns, the token at a column, the word at one."""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_QUOTES = "\"'"


def split_lines(text: str) -> list[str]:
    """The document's lines as LSP numbers them (\\n, \\r\\n and \\r end a line; nothing else does)."""
    return _LINE_BREAK.split(text)


# How the client counts a column (LSP's default, UTF-16 code units, unless it and pygls agreed on another).
_ENCODING = {"units": "utf-16"}


def set_position_encoding(kind: str) -> None:
    """Count columns as the client and server agreed at initialisation: 'utf-8', 'utf-16' or 'utf-32'."""
    _ENCODING["units"] = kind if kind in ("utf-8", "utf-16", "utf-32") else "utf-16"


def _width(char: str) -> int:
    units = _ENCODING["units"]
    if units == "utf-16":
        return 2 if ord(char) > 0xFFFF else 1
    return len(char.encode("utf-8", "surrogatepass")) if units == "utf-8" else 1


def to_column(line: str, index: int) -> int:
    """The LSP column (in the agreed units) of code point `index` in `line`."""
    head = line[: max(index, 0)]
    if head.isascii():
        return len(head)
    return sum(_width(char) for char in head)


def from_column(line: str, units: int) -> int:
    """The code point index of LSP column `units` in `line` (past the end: the end)."""
    if line.isascii():
        return min(max(units, 0), len(line))
    counted = 0
    for index, char in enumerate(line):
        if counted >= units:
            return index
        counted += _width(char)
    return len(line)


def closing_quote(line: str, start: int) -> int:
    """Just past the quote that closes the one at `start` (YAML's escapes: \\" in double quotes, '' in single)."""
    quote = line[start]
    index = start + 1
    while index < len(line):
        char = line[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and line[index + 1 : index + 2] == "'":
                index += 2
                continue
            return index + 1
        index += 1
    return len(line)


def _closing_bracket(line: str, start: int) -> int:
    """Just past the bracket that closes the flow collection opening at `start`, or the end of the line."""
    depth = 0
    index = start
    while index < len(line):
        char = line[index]
        if char in _QUOTES:
            index = closing_quote(line, index)
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return len(line)


def _in_flow(line: str, start: int) -> bool:
    """Whether `start` is inside a flow collection (`[a, b]`, `{a: b}`) opened earlier on the line."""
    depth = 0
    index = 0
    while index < start:
        char = line[index]
        if char in _QUOTES:
            index = closing_quote(line, index)
            continue
        depth += (char in "[{") - (char in "]}")
        index += 1
    return depth > 0


def _plain_end(line: str, start: int) -> int:
    """Where a plain scalar (a key or an unquoted value) starting at `start` ends."""
    flow = _in_flow(line, start)
    index = start
    while index < len(line):
        char = line[index]
        after = line[index + 1 : index + 2]
        if (char == ":" and after in ("", " ", "\t")) or (flow and char in ",[]{}"):
            break
        if char == "#" and index > start and line[index - 1] in " \t":
            break
        index += 1
    return len(line[:index].rstrip()) if index > start else index


def token_span(line: str, column: int) -> tuple[int, int]:
    """The code point span of the key or value token starting at 0-based `column`: to the end of the word or scalar."""
    if column >= len(line):
        return len(line), len(line)
    start = max(column, 0)
    char = line[start]
    if char in _QUOTES:
        end = closing_quote(line, start)
    elif char in "[{":
        end = _closing_bracket(line, start)
    elif char in "`~":
        end = start + len(line[start:].split()[0])
    else:
        end = _plain_end(line, start)
    return (start, end) if end > start else (start, start + 1)


def word_at(line: str, index: int) -> tuple[str, int, int] | None:
    """The id-like word (`building-trust`, `nc-int-01`) around code point `index`, with its span; None off a word."""
    for match in _WORD.finditer(line):
        if match.start() <= index <= match.end():
            word = match.group().rstrip(".")
            return word, match.start(), match.start() + len(word)
        if match.start() > index:
            break
    return None
