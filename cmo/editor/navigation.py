"""Hover, go to definition and find references for code ids and CMOC ids, in transcripts, codebooks and theories."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from cmo.corpus.layout import DeclaredCode
from cmo.editor.completion import cursor_at, names_code
from cmo.editor.study_index import CmocEntry, StudyIndex, is_transcript
from cmo.editor.text import split_lines, to_column, word_at

_ID_CHARS = "A-Za-z0-9._-"


@dataclass(frozen=True)
class Target:
    """What the word under the cursor names: a code (of a programme) or a CMOC, and the word's span on its line."""

    kind: str  # "code" or "cmoc"
    id: str
    programme: str
    start: int
    end: int


def target_at(index: StudyIndex, path: Path, lines: list[str], line: int, character: int) -> Target | None:
    """The code or CMOC id under the cursor, if the word there is one the document's programme knows.

    In a transcript only a word where a code or CMOC goes counts (in a `cmo` block, never its quotes, notes or the
    prose around it); in codebooks and theories any word that is a known id.
    """
    if line >= len(lines):
        return None
    found = word_at(lines[line], character)
    if found is None:
        return None
    word, start, end = found
    cursor = cursor_at(lines, line, end)
    in_cmoc = cursor.section == "block" and cursor.typing == "value" and cursor.key == "cmoc"
    if is_transcript(path) and not in_cmoc and not names_code(cursor):
        return None
    for programme in _programmes_for(index, path):
        if in_cmoc and word in index.cmocs.get(programme, {}):
            return Target("cmoc", word, programme, start, end)
        if in_cmoc and is_transcript(path):
            continue
        if word in index.codes(programme):
            return Target("code", word, programme, start, end)
        if word in index.cmocs.get(programme, {}) and index.theory_programme(path) == programme:
            return Target("cmoc", word, programme, start, end)
    return None


def _programmes_for(index: StudyIndex, path: Path) -> list[str]:
    """The programmes whose codes a document may name: its own, a theory's, or every one (the shared codebook)."""
    source = index.programme_of(path)
    if source is not None:
        return [source.id]
    theory = index.theory_programme(path)
    if theory is not None:
        return [theory]
    return sorted(index.corpus.programmes)


def _line_range(line: int, text: str = "", start: int = 0, end: int = 0) -> types.Range:
    return types.Range(
        start=types.Position(line=line, character=to_column(text, start)),
        end=types.Position(line=line, character=to_column(text, end)),
    )


def code_hover(index: StudyIndex, declared: DeclaredCode, programme: str) -> str:
    code = declared.code
    where = index.codebook_path(declared, programme)
    shown = where.relative_to(index.root.parent) if index.root.parent in where.parents else where
    parts = [f"**{declared.id}** ({code.kind}): {code.label}"]
    if code.description:
        parts.append(code.description)
    if code.same_as:
        parts.append("same as: " + ", ".join(code.same_as))
    used = index.total_usage(declared.id)
    parts.append(f"declared in {shown}:{declared.line}; used by {used} record{'s' if used != 1 else ''}")
    return "\n\n".join(parts)


def cmoc_hover(entry: CmocEntry) -> str:
    parts = [f"**CMOC {entry.id}** (status: {entry.status or 'none'})"]
    if entry.statement:
        parts.append(entry.statement)
    return "\n\n".join(parts)


def hover(index: StudyIndex, path: Path, lines: list[str], line: int, character: int) -> types.Hover | None:
    target = target_at(index, path, lines, line, character)
    if target is None:
        return None
    if target.kind == "code":
        text = code_hover(index, index.codes(target.programme)[target.id], target.programme)
    else:
        text = cmoc_hover(index.cmocs[target.programme][target.id])
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
        range=_line_range(line, lines[line], target.start, target.end),
    )


def definition(index: StudyIndex, path: Path, lines: list[str], line: int, character: int) -> types.Location | None:
    """Where the code or CMOC under the cursor is declared: its codebook entry, or its entry in the theory file."""
    target = target_at(index, path, lines, line, character)
    if target is None:
        return None
    if target.kind == "code":
        declared = index.codes(target.programme)[target.id]
        where, at, column = index.codebook_path(declared, target.programme), declared.line, declared.column
        length = len(target.id)
    else:
        entry = index.cmocs[target.programme][target.id]
        where, at, column, length = entry.path, entry.line, entry.column, len(target.id)
    return types.Location(uri=where.as_uri(), range=_declared_range(index, where, at, column - 1, length))


def _declared_range(index: StudyIndex, where: Path, line: int, start: int, length: int) -> types.Range:
    """The range of an id declared on 1-based `line` of a file, from code point `start`, in the client's columns."""
    raw = index.buffers.get(where.resolve())
    if raw is None:
        try:
            raw = where.read_bytes()
        except OSError:
            raw = b""
    lines = split_lines(raw.decode("utf-8", errors="replace"))
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if len(text) < start + length:  # the file changed under the index: code points are the best there is
        return types.Range(
            start=types.Position(line=line - 1, character=start),
            end=types.Position(line=line - 1, character=start + length),
        )
    return _line_range(line - 1, text, start, start + length)


def uses_in(text: str, code: str) -> list[tuple[int, int, int]]:
    """(line, start, end) of every use of `code` as a code in the text's `cmo` blocks (never in quotes or notes)."""
    pattern = re.compile(rf"(?<![{_ID_CHARS}]){re.escape(code)}(?![{_ID_CHARS}])")
    lines = split_lines(text)
    found = []
    for number, line in enumerate(lines):
        for match in pattern.finditer(line):
            if names_code(cursor_at(lines, number, match.end())):
                found.append((number, match.start(), match.end()))
    return found


def references(
    index: StudyIndex,
    path: Path,
    lines: list[str],
    line: int,
    character: int,
    opened: Callable[[Path], str | None],
    include_declaration: bool,
) -> list[types.Location]:
    """Every annotation across the corpus that uses the code under the cursor; open buffers before files on disk."""
    target = target_at(index, path, lines, line, character)
    if target is None or target.kind != "code":
        return []
    found: list[types.Location] = []
    for source in index.corpus.programmes.values():
        declared = source.codes.get(target.id)
        if declared is None or (not declared.shared and source.id != target.programme):
            continue
        for file in source.transcripts:
            text = opened(file.resolve())
            if text is None:
                try:
                    text = file.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
            file_lines = split_lines(text)
            for number, start, end in uses_in(text, target.id):
                uri = file.resolve().as_uri()
                found.append(types.Location(uri=uri, range=_line_range(number, file_lines[number], start, end)))
    if include_declaration:
        place = definition(index, path, lines, line, character)
        if place is not None:
            found.insert(0, place)
    return found
