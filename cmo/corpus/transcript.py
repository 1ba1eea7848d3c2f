"""Parse stage: a transcript's bytes -> front matter, fenced `cmo` blocks, and the text evidence is found in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cmo.core.diagnostics import Diagnostics, Severity
from cmo.core.rules import Rule
from cmo.yamlio.reader import YamlError, load, not_utf8

# A CommonMark code fence: up to three spaces, then ``` or ~~~ (or longer), then the info string.
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^\n]*)$", re.MULTILINE)
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_ANNOTATION_INFO = "cmo"


@dataclass(frozen=True)
class Block:
    """One fenced `cmo` block: where its fences are and the YAML between them."""

    fence_line: int
    fence_offset: int
    close_line: int
    yaml: str


@dataclass
class ParsedTranscript:
    """A transcript split into its parts; `text` is the whole file with front matter and `cmo` blocks blanked."""

    front_matter: Any
    front_matter_line: int
    blocks: list[Block] = field(default_factory=list)
    text: str = ""


def decode(raw: bytes, path: str, diagnostics: Diagnostics) -> str | None:
    """UTF-8 (a BOM allowed) with line endings made `\\n`; anything else is reported, not guessed."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        mark, message = not_utf8(raw)
        diagnostics.add(path, mark.line, mark.column, Rule.ENCODING, message)
        return None
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _front_matter(text: str, path: str, diagnostics: Diagnostics) -> tuple[Any, int, int] | None:
    """(data, line of its first key, offset where the body starts), or None after reporting why."""
    found = front_matter_text(text, path, diagnostics)
    if found is None:
        return None
    yaml_text, body_start = found
    try:
        data = load(yaml_text, line_offset=1)
    except YamlError as exc:
        diagnostics.add(path, exc.mark.line, exc.mark.column, exc.rule, f"front matter: {exc.message}")
        return None
    return data, 2, body_start


def front_matter_text(text: str, path: str, diagnostics: Diagnostics) -> tuple[str, int] | None:
    """(the front matter's YAML, from line 2; offset where the body starts), or None after reporting why."""
    first_line_end = text.find("\n")
    first = text if first_line_end < 0 else text[:first_line_end]
    if first.rstrip() != "---":
        diagnostics.add(
            path,
            1,
            1,
            Rule.FRONT_MATTER_MISSING,
            "transcript has no YAML front matter: start the file with a '---' line, then `source: interview` "
            "(or observation, document, workshop), then a closing '---' line",
        )
        return None
    end = _FRONT_MATTER_END.search(text, first_line_end + 1) if first_line_end >= 0 else None
    if end is None:
        diagnostics.add(path, 1, 1, Rule.FRONT_MATTER_UNCLOSED, "front matter opened with '---' is never closed")
        return None
    body_start = text.find("\n", end.end())
    return text[first_line_end + 1 : end.start()], len(text) if body_start < 0 else body_start + 1


def parse(text: str, path: str, diagnostics: Diagnostics) -> ParsedTranscript | None:
    """Split a decoded transcript; report structural problems (front matter, fences) into `diagnostics`."""
    front = _front_matter(text, path, diagnostics)
    if front is None:
        return None
    data, data_line, body_start = front
    parsed = ParsedTranscript(front_matter=data, front_matter_line=data_line)
    parsed.blocks, parsed.text = scan_body(text, body_start, path, diagnostics)
    return parsed


def scan_body(text: str, body_start: int, path: str, diagnostics: Diagnostics) -> tuple[list[Block], str]:
    """The `cmo` blocks of the body starting at `body_start`, and the text with front matter and blocks blanked."""
    blocks: list[Block] = []
    line = text.count("\n", 0, body_start) + 1
    pos = body_start
    blanked: list[tuple[int, int]] = [(0, body_start)]
    opening: re.Match[str] | None = None
    opening_line = 0
    for match in fences(text, body_start):
        line += text.count("\n", pos, match.start())
        pos = match.start()
        fence, info = match.group(1), match.group(2).strip()
        if opening is None:
            if fence[0] == "`" and "`" in info:
                continue  # inline code, not a fence (CommonMark)
            opening, opening_line = match, line
            word = info.split(maxsplit=1)[0] if info else ""
            if word != _ANNOTATION_INFO and word.strip("{}.:").lower() == _ANNOTATION_INFO:
                diagnostics.add(
                    path,
                    line,
                    match.start(1) - match.start() + 1,
                    Rule.FENCE_INFO,
                    f"code block info string {word!r} is not an annotation; did you mean 'cmo'?",
                    Severity.WARNING,
                )
            continue
        open_fence = opening.group(1)
        if info or fence[0] != open_fence[0] or len(fence) < len(open_fence):
            continue  # a line inside the block that only looks like a fence
        if _info_word(opening) == _ANNOTATION_INFO:
            blocks.append(Block(opening_line, opening.start(), line, text[opening.end() + 1 : match.start()]))
            blanked.append((opening.start(), match.end()))
        opening = None
    if opening is not None:
        is_annotation = _info_word(opening) == _ANNOTATION_INFO
        what = "`cmo` block" if is_annotation else "code block"
        diagnostics.add(
            path,
            opening_line,
            1,
            Rule.FENCE_UNCLOSED,
            f"{what} opened here is never closed (add a closing {opening.group(1)} line)"
            + ("" if is_annotation else "; everything after it is hidden from cmo"),
            Severity.ERROR if is_annotation else Severity.WARNING,
        )
    return blocks, _blank(text, blanked)


def fences(text: str, start: int) -> list[re.Match[str]]:
    """`_FENCE.finditer(text, start)` for `start` at a line's start, found from the runs of ``` and ~~~.

    A fence can only start where one of those does, so the regular expression is tried at those lines alone,
    not at every character of a long transcript.
    """
    found: list[re.Match[str]] = []
    for run in ("```", "~~~"):
        at = text.find(run, start)
        while at >= 0:
            line_start = text.rfind("\n", 0, at) + 1
            if at - line_start <= 3 and text.startswith(" " * (at - line_start), line_start):
                match = _FENCE.match(text, line_start)
                if match is not None:
                    found.append(match)
            line_end = text.find("\n", at)
            at = text.find(run, line_end + 1) if line_end >= 0 else -1
    if len(found) > 1:
        found.sort(key=lambda match: match.start())
    return found


def _info_word(match: re.Match[str]) -> str:
    info = match.group(2).strip()
    return info.split(maxsplit=1)[0] if info else ""


def _blank(text: str, ranges: list[tuple[int, int]]) -> str:
    """`text` with every character but newlines in `ranges` made a space: offsets and line numbers stay put."""
    pieces = []
    cursor = 0
    for start, end in ranges:
        pieces.append(text[cursor:start])
        pieces.append("\n".join([" " * len(line) for line in text[start:end].split("\n")]))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _empty_block(block: Block, path: str, diagnostics: Diagnostics) -> list[tuple[Any, int]]:
    diagnostics.add(
        path,
        block.fence_line,
        1,
        Rule.BLOCK_EMPTY,
        "`cmo` block is empty: write at least a context, mechanism or outcome",
    )
    return []


def parse_block(block: Block, path: str, diagnostics: Diagnostics) -> list[tuple[Any, int]]:
    """The annotation mappings of one block, each with the line it starts on; problems reported."""
    if not block.yaml.strip():
        return _empty_block(block, path, diagnostics)
    try:
        data = load(block.yaml, line_offset=block.fence_line)
    except YamlError as exc:
        diagnostics.add(path, exc.mark.line, exc.mark.column, exc.rule, exc.message)
        return []
    if data is None:
        return _empty_block(block, path, diagnostics)
    items = data if isinstance(data, list) else [data]
    marks = getattr(data, "item_marks", None) if isinstance(data, list) else None
    result = []
    for index, item in enumerate(items):
        mark = getattr(item, "mark", None) or (marks[index] if marks else None)
        result.append((item, mark.line if mark else block.fence_line + 1))
    if not items:
        diagnostics.add(path, block.fence_line, 1, Rule.BLOCK_EMPTY, "`cmo` block holds an empty list")
    return result
