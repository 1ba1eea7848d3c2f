"""Completion in a transcript: annotation keys and, by the key the cursor is under, codes, CMOC ids and stances."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from cmo.corpus.models import ANNOTATION_KEYS, FIELD_KINDS, FRONT_MATTER_KEYS, CodeKind, SourceType, Stance
from cmo.editor.study_index import StudyIndex
from cmo.editor.text import closing_quote, to_column

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)")
_KEY_LINE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w-]*)\s*:(?:\s+|$)(.*)$")
_KEY_TYPED = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w-]*)?$")
_ITEM_LINE = re.compile(r"^(\s*)-\s*(.*)$")
_PARTIAL = re.compile(r"[A-Za-z0-9._-]*$")
MECHANISM_KEYS = ("resource", "reasoning")
# Keys whose values are not codes: what completes after them.
_BOOLEAN = ("true", "false")


@dataclass(frozen=True)
class Cursor:
    """Where the cursor is: in a `cmo` block or the front matter, typing a key or the value of `key` (under `parent`)."""

    section: str  # "block", "front" or "" (prose, or outside the study's files)
    typing: str  # "key", "value" or ""
    key: str | None = None
    parent: str | None = None  # `mechanism` for resource and reasoning
    prefix: str = ""  # the part of the word typed so far


_NOWHERE = Cursor("", "")


def _sections(lines: list[str], upto: int) -> Iterator[tuple[str, int]]:
    """Of each line up to `upto`: front matter, a `cmo` block or neither, and the first line of that section."""
    upto = min(upto, len(lines) - 1)
    start = 0
    if lines and lines[0].rstrip() == "---":
        close = next((n for n in range(1, len(lines)) if lines[n].rstrip() in ("---", "...")), len(lines))
        for number in range(min(close, upto) + 1):
            yield ("front", 1) if 0 < number < close else ("", 0)
        start = close + 1
    fence: tuple[str, int, bool] | None = None  # (fence characters, opening line, a cmo block)
    for number in range(start, upto + 1):
        match = _FENCE.match(lines[number])
        if match is not None and fence is None:
            fence = (match.group(1), number, match.group(2) == "cmo")
            yield "", 0
            continue
        if match is not None and fence is not None and _closes(match, fence[0]):
            fence = None
            yield "", 0
            continue
        yield ("block", fence[1] + 1) if fence is not None and fence[2] else ("", 0)


def _closes(match: re.Match[str], opener: str) -> bool:
    """Whether a fence line closes the fence `opener` opened: the same character, as many or more, no info string."""
    return match.group(1)[0] == opener[0] and len(match.group(1)) >= len(opener) and not match.group(2)


def _section(lines: list[str], line: int) -> tuple[str, int]:
    """Whether `line` is in the front matter or a `cmo` block, and the first line of that section (after its opener)."""
    found = ("", 0)
    for place in _sections(lines, line):
        found = place
    return found


def sections(lines: list[str], upto: int) -> list[str]:
    """'front', 'block' or '' for each line up to `upto` (the lines that open and close a section are '')."""
    return [section for section, _ in _sections(lines, upto)]


def _owner(lines: list[str], first: int, line: int, indent: int) -> tuple[str | None, str | None, str]:
    """The key a line indented by `indent` belongs to (the nearest `key:` above indented less), its parent, its value."""
    key: str | None = None
    value = ""
    for number in range(line - 1, first - 1, -1):
        text = lines[number]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        match = _KEY_LINE.match(text)
        depth = len(text) - len(text.lstrip())
        if match is None or depth >= indent:
            continue
        if key is not None:
            return key, match.group(2), value
        key, value, indent = match.group(2), match.group(3).strip(), depth
        if depth == 0:
            break
    return key, None, value


@dataclass
class _Open:
    """A flow collection open at the cursor: `[` or `{`, the key it is the value of, and that key's parent."""

    bracket: str
    owner: str | None
    parent: str | None
    key: str | None = None  # in a mapping, the key whose value comes next (None: a key comes next)
    done: bool = False  # a value in it was closed (`[a]`): nothing fits until the next `,`


def _opened(bracket: str, stack: list[_Open], key: str | None, parent: str | None) -> _Open:
    if not stack:
        return _Open(bracket, key, parent)
    top = stack[-1]
    if top.bracket == "{":
        return _Open(bracket, top.key, top.owner)
    return _Open(bracket, top.owner, top.parent)


def _follow(text: str, stack: list[_Open], key: str | None, parent: str | None) -> bool:
    """Follow one line of `key`'s flow value (`[a, {b: c`) into `stack`, the collections open, innermost last.

    False once the outermost collection closes (whatever follows it on the line is no value).
    """
    index = token = 0
    while index < len(text):
        char = text[index]
        if char in "\"'" and text[:index].rstrip()[-1:] in ("", "[", "{", ",", ":"):
            index = closing_quote(text, index)
            continue
        if char == "#" and (index == 0 or text[index - 1] in " \t"):
            break
        if char in "[{":
            stack.append(_opened(char, stack, key, parent))
            token = index + 1
        elif char in "]}" and stack:
            stack.pop()
            if not stack:
                return False
            stack[-1].done = True
        elif char == "," and stack:
            stack[-1].key, stack[-1].done = None, False
            token = index + 1
        elif char == ":" and text[index + 1 : index + 2] in ("", " ", "\t") and _typing_key(stack):
            stack[-1].key = text[token:index].strip()
        index += 1
    return bool(stack)


def _typing_key(stack: list[_Open]) -> bool:
    return bool(stack) and stack[-1].bracket == "{" and stack[-1].key is None


def _open_above(lines: list[str], first: int, line: int) -> list[_Open] | None:
    """The flow collections a key's value opened above `line` and left open (`context: [a,`), if `line` continues it.

    A continuation line is indented more than the key (as YAML wants); one that is not starts a new key.
    """
    stack: list[_Open] = []
    column = 0  # of the key whose value is open
    for number in range(first, line + 1):
        text = lines[number]
        if stack and (text.strip() or number == line) and len(text) - len(text.lstrip()) <= column:
            stack.clear()
        if number == line:
            break
        if stack:
            _follow(text, stack, None, None)
            continue
        match = _KEY_LINE.match(text)
        if match is not None and match.group(3).startswith(("[", "{")):
            parent = _owner(lines, first, number, len(match.group(1)))[0] if match.group(1) else None
            column = match.start(2)
            _follow(match.group(3), stack, match.group(2), parent)
    return stack or None


def _in_flow(section: str, stack: list[_Open], typed: str) -> Cursor:
    """The cursor at the end of a flow value whose open collections are `stack`."""
    top = stack[-1]
    if top.done:
        return Cursor(section, "", None, None, typed)
    if top.bracket == "[":
        return Cursor(section, "value", top.owner, top.parent, typed)
    if top.key is None:  # a key of the mapping: only a mechanism's are known
        return Cursor(section, "key", None, top.owner, typed) if top.owner == "mechanism" else _nothing(section, typed)
    return Cursor(section, "value", top.key, top.owner, typed)


def _nothing(section: str, typed: str) -> Cursor:
    return Cursor(section, "", None, None, typed)


def cursor_at(lines: list[str], line: int, character: int) -> Cursor:
    """Which key the cursor at (line, code point `character`) is under, worked out from the text alone (broken YAML too)."""
    if line >= len(lines):
        return _NOWHERE
    section, first = _section(lines, line)
    if not section:
        return _NOWHERE
    before = lines[line][:character]
    prefix = _PARTIAL.search(before)
    typed = prefix.group() if prefix else ""
    indent = len(before) - len(before.lstrip())
    above = _open_above(lines, first, line)
    if above is not None:  # a continuation line of a flow value
        return _in_flow(section, above, typed) if _follow(before, above, None, None) else _nothing(section, typed)
    if _KEY_TYPED.match(before):
        if before.lstrip().startswith("-"):  # `- ` under `key:` is one of its values; else a new annotation
            owner, parent, value = _owner(lines, first, line, indent + 1)
            if owner is not None and not value:
                return Cursor(section, "value", owner, parent, typed)
            return Cursor(section, "key", None, None, typed)
        owner = _owner(lines, first, line, indent)[0] if indent else None
        return Cursor(section, "key", None, owner, typed)
    match = _KEY_LINE.match(before)
    if match is not None:
        key = match.group(2)
        parent = _owner(lines, first, line, len(match.group(1)))[0] if match.group(1) else None
        if match.group(3).startswith(("[", "{")):
            stack: list[_Open] = []
            open_ = _follow(match.group(3), stack, key, parent)
            return _in_flow(section, stack, typed) if open_ else _nothing(section, typed)
        return Cursor(section, "value", key, parent, typed)
    if _ITEM_LINE.match(before):
        owner, parent, _ = _owner(lines, first, line, indent + 1)
        return Cursor(section, "value", owner, parent, typed)
    return Cursor(section, "", None, None, typed)


def names_code(cursor: Cursor) -> bool:
    """Whether a code goes at the cursor: a value, in a `cmo` block, of a code key or of a mechanism's two keys."""
    is_code = cursor.key in FIELD_KINDS or (cursor.key in MECHANISM_KEYS and cursor.parent == "mechanism")
    return cursor.section == "block" and cursor.typing == "value" and is_code


# --- what each place offers ---------------------------------------------------------------------


def _kind_for(cursor: Cursor) -> CodeKind | None:
    if cursor.key in MECHANISM_KEYS and cursor.parent == "mechanism":
        return CodeKind.MECHANISM
    return FIELD_KINDS.get(cursor.key or "")


def offers(cursor: Cursor, index: StudyIndex | None, programme: str | None) -> list[tuple[str, str, str]]:
    """(text, detail, what it is) for everything that fits at the cursor: 'key', 'code', 'cmoc' or 'value'."""
    if cursor.section == "front":
        if cursor.typing == "key":
            return [(key, "front matter key", "key") for key in FRONT_MATTER_KEYS]
        if cursor.key == "source":
            return [(value.value, "source type", "value") for value in SourceType]
        if cursor.key == "programme" and index is not None:
            return [(name, "programme", "value") for name in sorted(index.corpus.programmes)]
        return []
    if cursor.section != "block":
        return []
    if cursor.typing == "key":
        if cursor.parent == "mechanism":
            return [(key, "mechanism key", "key") for key in MECHANISM_KEYS]
        return [(key, "annotation key", "key") for key in ANNOTATION_KEYS]
    if cursor.typing != "value":
        return []
    kind = _kind_for(cursor)
    if kind is not None and index is not None and programme is not None:
        codes = index.codes(programme)
        return [
            (code, declared.code.label, "code")
            for code, declared in sorted(codes.items())
            if declared.code.kind == kind
        ]
    if cursor.key == "cmoc" and index is not None and programme is not None:
        entries = index.cmocs.get(programme, {})
        return [(cmoc, entry.statement or entry.status or "CMOC", "cmoc") for cmoc, entry in sorted(entries.items())]
    if cursor.key == "stance":
        return [(value.value, "stance", "value") for value in Stance]
    if cursor.key == "elicited":
        return [(value, "elicited", "value") for value in _BOOLEAN]
    return []


_ITEM_KINDS = {
    "key": types.CompletionItemKind.Property,
    "code": types.CompletionItemKind.Value,
    "cmoc": types.CompletionItemKind.Reference,
    "value": types.CompletionItemKind.EnumMember,
}


def complete(
    index: StudyIndex | None, path: Path, lines: list[str], line: int, character: int
) -> list[types.CompletionItem]:
    """The completion items at a cursor in a transcript, each replacing the word typed so far."""
    cursor = cursor_at(lines, line, character)
    source = index.programme_of(path) if index is not None else None
    found = offers(cursor, index, source.id if source else None)
    start = character - len(cursor.prefix)
    text = lines[line] if line < len(lines) else ""
    where = types.Range(
        start=types.Position(line=line, character=to_column(text, start)),
        end=types.Position(line=line, character=to_column(text, character)),
    )
    items = []
    for label, detail, what in found:
        insert = f"{label}: " if what == "key" else f" {label}" if text[:character].endswith(":") else label
        items.append(
            types.CompletionItem(
                label=label,
                kind=_ITEM_KINDS[what],
                detail=detail,
                filter_text=label,
                text_edit=types.TextEdit(range=where, new_text=insert),
            )
        )
    return items
