"""The simplest YAML read by hand: one `key: value` per line of plain words, quoted text and flow lists, else None.

Annotation blocks and front matter are nearly always written this way (`context: [a, b]`,
`mechanism: {resource: x, reasoning: y}`, `quote: "..."`), and reading them by hand is several times
quicker than libyaml's events in Python. Anything outside the shapes below is None, and the caller reads
the text with libyaml: a comment after a value, a nested block collection, a multi-line or escaped scalar, a
word YAML resolves to something else (`yes`, `null`, a number), a non-ASCII word in a flow list, a duplicate key.
What is read gives exactly the data, and the marks, that `cmo.corpus.plain_yaml.load_marked` gives.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

Spot = tuple[int, int]

_KEY_LINE = re.compile(r"([a-z_]+): +([^ ].*)\Z")
# A plain word as YAML resolves it to a string: a letter first, then letters, digits and a few marks;
# never a ':' or '#' (indicators) and never the ends of a flow collection or its separator.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_ ./-]*")
# At the end of a line (block context) a plain scalar may hold any printable text but ':', '#' and tabs
# (': ' and ' #' are indicators there, and a tab at its end would be trimmed); still a letter first.
_PLAIN_LINE = re.compile(r"[A-Za-z][^\t:#]*\Z")
_FLOW_KEY = re.compile(r"([a-z_]+): +")
_DATE = re.compile(r"\d{4}-\d\d-\d\d\Z")
# Words YAML 1.1's resolver (PyYAML's) makes a bool or null, whatever their case here: never read by hand,
# except `true` and `false` themselves.
_SPECIAL = frozenset(("yes", "no", "true", "false", "on", "off", "null"))
_BOOLS = {"true": True, "false": False}
# Characters YAML allows in a stream; any other (a control character) is an error libyaml reports.
# (NEL, U+2028 and U+2029 are left out too: YAML breaks lines at them, and lines here are split at LF only.)
_PRINTABLE = re.compile("[\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*\\Z")
_MAX_DEPTH = 3


class _NotSimple(Exception):
    """Not a shape read here: libyaml reads the text."""


def read_simple(text: str, line_offset: int = 0) -> tuple[Any, Spot, list[Spot]] | None:
    """(the root, where it starts, where each of its values or items starts), as libyaml's events give them; or None.

    The root is a mapping of `key: value` lines, or a sequence of such mappings (`- key: value`, then
    `  key: value` lines), the form of a block with several annotations.
    """
    if not _PRINTABLE.match(text):
        return None
    lines = [
        (number, line)
        for number, line in enumerate(text.split("\n"), start=1 + line_offset)
        if line and not line.startswith("#")  # a blank line or a whole-line comment
    ]
    if not lines:
        return None
    try:
        if lines[0][1].startswith("- "):
            return _root_sequence(lines)
        data, entries = _mapping_lines(lines, 0)
    except _NotSimple:
        return None
    return data, (lines[0][0], 1), entries


def _mapping_lines(lines: list[tuple[int, str]], indent: int) -> tuple[dict[str, Any], list[Spot]]:
    """The `key: value` lines of one block mapping whose keys start at column `indent`, and where each value starts."""
    data: dict[str, Any] = {}
    entries: list[Spot] = []
    for number, line in lines:
        found = _KEY_LINE.match(line, indent)
        if found is None or found.group(1) in _SPECIAL or found.group(1) in data:
            raise _NotSimple
        start = found.start(2)
        value, end = _value(line, start, 0)
        if end != len(line):
            raise _NotSimple  # something after the value: a comment, or another value
        entries.append((number, start + 1))
        data[found.group(1)] = value
    return data, entries


def _root_sequence(lines: list[tuple[int, str]]) -> tuple[list[Any], Spot, list[Spot]]:
    """A sequence of block mappings: each item `- key: value`, its further keys indented by two spaces."""
    items: list[Any] = []
    entries: list[Spot] = []
    group: list[tuple[int, str]] = []
    for number, line in [*lines, (0, "- ")]:  # a last dash closes the last item
        if line.startswith("- "):
            if group:
                items.append(_mapping_lines(group, 2)[0])
                entries.append((group[0][0], 3))
            group = [(number, "  " + line[2:])]
        elif line.startswith("  ") and group:
            group.append((number, line))
        else:
            raise _NotSimple
    return items, (lines[0][0], 1), entries


def _value(line: str, at: int, depth: int) -> tuple[Any, int]:
    """The value starting at `at` and where it ends; in a flow collection when depth > 0."""
    first = line[at] if at < len(line) else ""
    if first in "[{":
        if depth >= _MAX_DEPTH:
            raise _NotSimple
        return _sequence(line, at + 1, depth + 1) if first == "[" else _mapping(line, at + 1, depth + 1)
    if first == '"' or first == "'":
        close = line.find(first, at + 1)
        inner = line[at + 1 : close]
        if close < 0 or (first == '"' and "\\" in inner) or (first == "'" and line[close + 1 : close + 2] == "'"):
            raise _NotSimple  # unclosed, escaped, or a doubled quote: libyaml's rules
        return inner, close + 1
    return _word(line, at, depth)


def _word(line: str, at: int, depth: int) -> tuple[Any, int]:
    date = _DATE.match(line, at) if depth == 0 and line[at : at + 1].isdigit() else None
    if date is not None:
        try:
            return dt.date(int(line[at : at + 4]), int(line[at + 5 : at + 7]), int(line[at + 8 : at + 10])), date.end()
        except ValueError:
            raise _NotSimple from None
    found = (_PLAIN if depth else _PLAIN_LINE).match(line, at)
    if found is None:
        raise _NotSimple
    word = found.group().rstrip(" ")
    if not word or (depth == 0 and len(word) != len(found.group())):
        raise _NotSimple  # trailing spaces at the end of a line: left to libyaml
    lowered = word.lower()
    if lowered in _SPECIAL:
        if word in _BOOLS and depth == 0:
            return _BOOLS[word], at + len(word)
        raise _NotSimple
    return word, at + len(word) if depth == 0 else found.end()


def _sequence(line: str, at: int, depth: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    at = _spaces(line, at)
    if line[at : at + 1] == "]":
        return items, at + 1
    while True:
        item, at = _value(line, at, depth)
        items.append(item)
        at = _spaces(line, at)
        mark = line[at : at + 1]
        if mark == "]":
            return items, at + 1
        if mark != ",":
            raise _NotSimple
        at = _spaces(line, at + 1)


def _mapping(line: str, at: int, depth: int) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    at = _spaces(line, at)
    if line[at : at + 1] == "}":
        return result, at + 1
    while True:
        key = _FLOW_KEY.match(line, at)
        if key is None or key.group(1) in _SPECIAL or key.group(1) in result:
            raise _NotSimple
        value, at = _value(line, key.end(), depth)
        result[key.group(1)] = value
        at = _spaces(line, at)
        mark = line[at : at + 1]
        if mark == "}":
            return result, at + 1
        if mark != ",":
            raise _NotSimple
        at = _spaces(line, at + 1)


def _spaces(line: str, at: int) -> int:
    while line[at : at + 1] == " ":
        at += 1
    return at
