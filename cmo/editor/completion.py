"""Completion in a transcript: annotation keys and, by the key the cursor is under, codes, CMOC ids and stances."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from cmo.corpus.models import ANNOTATION_KEYS, FIELD_KINDS, FRONT_MATTER_KEYS, CodeKind, SourceType, Stance
from cmo.editor.study_index import StudyIndex
from cmo.editor.text import to_column

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)")
_KEY_LINE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w-]*)\s*:(?:\s+|$)(.*)$")
_KEY_TYPED = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w-]*)?$")
_ITEM_LINE = re.compile(r"^(\s*)-\s*(.*)$")
_FLOW_KEY = re.compile(r"([A-Za-z_][\w-]*)\s*:")
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


def _section(lines: list[str], line: int) -> tuple[str, int]:
    """Whether `line` is in the front matter or a `cmo` block, and the first line of that section (after its opener)."""
    if lines and lines[0].rstrip() == "---":
        for number in range(1, len(lines)):
            if lines[number].rstrip() in ("---", "..."):
                if 0 < line < number:
                    return "front", 1
                if line == number:
                    return "", 0
                start = number + 1
                break
        else:
            return ("front", 1) if line > 0 else ("", 0)
    else:
        start = 0
    fence: tuple[str, int, bool] | None = None  # (fence characters, opening line, a cmo block)
    for number in range(start, min(line + 1, len(lines))):
        match = _FENCE.match(lines[number])
        if match is None:
            continue
        if fence is None:
            fence = (match.group(1), number, match.group(2) == "cmo")
        elif match.group(1)[0] == fence[0][0] and len(match.group(1)) >= len(fence[0]) and not match.group(2):
            if number == line:
                return "", 0
            fence = None
    if fence is not None and fence[2] and fence[1] < line:
        return "block", fence[1] + 1
    return "", 0


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


def _flow_key(value: str, key: str) -> str:
    """In `mechanism: {resource: [a, b], reasoning: c`, the key of the innermost mapping the value is open in."""
    depth = 0
    for char in value:
        depth += (char in "[{") - (char in "]}")
    if key == "mechanism" and "{" in value and depth > 0:
        inner = _FLOW_KEY.findall(value)
        if inner:
            return str(inner[-1])
    return key


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
        inner = _flow_key(match.group(3), key)
        if inner != key:
            return Cursor(section, "value", inner, key, typed)
        return Cursor(section, "value", key, parent, typed)
    if _ITEM_LINE.match(before):
        owner, parent, _ = _owner(lines, first, line, indent + 1)
        return Cursor(section, "value", owner, parent, typed)
    return Cursor(section, "", None, None, typed)


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
