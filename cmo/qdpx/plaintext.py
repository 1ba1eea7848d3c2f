"""A transcript as a QDA tool's plain text: front matter and `cmo` blocks cut out, and where each record's evidence lands."""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from dataclasses import dataclass, field

from cmo.corpus.models import Record
from cmo.corpus.transcript import ParsedTranscript

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_BLANK_LINES = re.compile(r"(?:[ \t]*\n)*")
# Characters XML 1.0 cannot hold; each becomes a space, so positions stay put.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class PlainText:
    """The exported text, and the kept pieces of the transcript: (start, end, where the piece starts in `text`)."""

    text: str
    pieces: list[tuple[int, int, int]] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)

    def position(self, offset: int) -> int:
        """Where a transcript offset lands in the exported text (an offset in a cut-out part: the next kept one)."""
        index = bisect_right(self.pieces, (offset, sys.maxsize, sys.maxsize)) - 1
        if index < 0:
            return 0
        start, end, at = self.pieces[index]
        if offset <= end:
            return at + offset - start
        return self.pieces[index + 1][2] if index + 1 < len(self.pieces) else len(self.text)


def xml_safe(text: str) -> str:
    return _NOT_XML.sub(" ", text)


def _line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in re.finditer("\n", text))]


def _cut(text: str, start: int, end: int) -> int:
    """Extend a cut-out part that follows a blank line over the blank lines after it: no run of empty lines is left."""
    previous = text[text.rfind("\n", 0, max(start - 1, 0)) + 1 : start]
    if start > 0 and previous.strip():
        return end
    found = _BLANK_LINES.match(text, end)
    return found.end() if found else end


def plain_text(text: str, parsed: ParsedTranscript) -> PlainText:
    """The exported text of a decoded transcript: its body without front matter and `cmo` blocks."""
    starts = _line_starts(text)
    closing = _FRONT_MATTER_END.search(text, text.find("\n") + 1)
    after = text.find("\n", closing.end()) if closing else -1
    body = after + 1 if after >= 0 else len(text)
    cuts = [(0, _cut(text, 0, body))]
    for block in parsed.blocks:
        end = starts[block.close_line] if block.close_line < len(starts) else len(text)
        cuts.append((block.fence_offset, _cut(text, block.fence_offset, end)))
    result = PlainText("", line_starts=starts)
    pieces, cursor, at = [], 0, 0
    for start, end in cuts:
        if start > cursor:
            pieces.append(text[cursor:start])
            result.pieces.append((cursor, start, at))
            at += start - cursor
        cursor = max(cursor, end)
    pieces.append(text[cursor:])
    result.pieces.append((cursor, len(text), at))
    result.text = xml_safe("".join(pieces))
    return result


def evidence_span(record: Record, plain: PlainText, searched: str) -> tuple[int, int] | None:
    """Code-point positions (end exclusive) of a record's evidence in the exported text.

    `searched` is the transcript as `cmo code` searched it (`ParsedTranscript.text`): the record's quote is
    made of its tokens, found again from the evidence's first line.
    """
    tokens = record.quote.split()
    if not tokens:
        return None
    pattern = re.compile(r"\s+".join(re.escape(token) for token in tokens))
    starts = plain.line_starts
    line_start = starts[min(record.line_start, len(starts)) - 1]
    found = pattern.search(searched, line_start) or pattern.search(searched)
    if found is None:
        return None
    return plain.position(found.start()), plain.position(found.end())
