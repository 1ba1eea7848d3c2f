"""Where an annotation's evidence is: its quote found in the transcript, or the paragraph above its fence."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

# Typographic and straight quotes are the same character to a coder copying a passage.
_STRAIGHTEN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
_TYPOGRAPHIC = re.compile("[‘’“”]")
_SNIPPET = 80
_PARAGRAPH_BREAK = re.compile(r"(\n[ \t]*\n)")


@dataclass(frozen=True)
class Evidence:
    """A passage of a transcript: its first and last line (1-based) and its text."""

    line_start: int
    line_end: int
    text: str


def _line_at(text: str, offset: int, anchor_offset: int, anchor_line: int) -> int:
    """The line of `offset`, counted from a known (offset, line) pair so only the text between is scanned."""
    if offset >= anchor_offset:
        return anchor_line + text.count("\n", anchor_offset, offset)
    return anchor_line - text.count("\n", offset, anchor_offset)


class QuoteIndex:
    """A transcript's lines, each with its runs of whitespace made one space, joined into one searchable text.

    Built once per transcript with `str.split` (C speed), so finding each quote is a plain substring search,
    not a regular expression compiled per quote. Positions map back to line numbers, which is all evidence needs.
    """

    def __init__(self, text: str) -> None:
        self.lines: list[int] = []  # the line number of each non-blank line
        self.starts: list[int] = []  # where that line starts in `flat`
        pieces: list[str] = []
        position = 0
        for number, line in enumerate(text.split("\n"), 1):
            words = line.split()
            if words:
                piece = " ".join(words)
                self.lines.append(number)
                self.starts.append(position)
                pieces.append(piece)
                position += len(piece) + 1
        self.flat = " ".join(pieces)  # the words as written, for the evidence text
        self.search = self.flat.translate(_STRAIGHTEN) if _TYPOGRAPHIC.search(self.flat) else self.flat

    def _line(self, position: int) -> int:
        return self.lines[bisect.bisect_right(self.starts, position) - 1]

    def find(self, quote: str, fence_line: int) -> Evidence | None:
        """The occurrence of `quote` nearest above the fence (whitespace-insensitive), else the first below."""
        needle = " ".join(quote.split()).translate(_STRAIGHTEN)
        if not needle:
            return None
        above = bisect.bisect_left(self.lines, fence_line)
        fence = self.starts[above] if above < len(self.starts) else len(self.search)
        best = -1
        found = self.search.find(needle)
        while found != -1:
            if best == -1 or found < fence:
                best = found
            if found >= fence:
                break
            found = self.search.find(needle, found + 1)
        if best == -1:
            return None
        last = best + len(needle) - 1
        return Evidence(self._line(best), self._line(last), self.flat[best : last + 1])


def find_quote(text: str, quote: str, fence_line: int) -> Evidence | None:
    """The occurrence of `quote` in `text` (whitespace-insensitive) nearest above the fence, else the first below."""
    return QuoteIndex(text).find(quote, fence_line)


def closest_passage(text: str, quote: str) -> tuple[int, float, str] | None:
    """(line, similarity 0-100, passage) of the text most like `quote`, for a 'not found' message."""
    best: tuple[int, float, str] | None = None
    line = 1
    needle = " ".join(quote.split())
    for index, paragraph in enumerate(_PARAGRAPH_BREAK.split(text)):
        if index % 2 == 0 and paragraph.strip():  # odd pieces are the captured breaks
            flat = " ".join(paragraph.split())
            alignment = fuzz.partial_ratio_alignment(needle, flat, score_cutoff=best[1] if best else 0)
            if alignment is not None and (best is None or alignment.score > best[1]):
                passage = flat[alignment.dest_start : alignment.dest_end].strip()
                leading = len(paragraph) - len(paragraph.lstrip())
                best = (line + paragraph.count("\n", 0, leading), alignment.score, passage)
        line += paragraph.count("\n")
    return best


def describe_closest(text: str, quote: str) -> str:
    found = closest_passage(text, quote)
    if found is None:
        return "the transcript has no text to quote from"
    line, score, passage = found
    if len(passage) > _SNIPPET:
        passage = passage[: _SNIPPET - 3] + "..."
    return f"closest passage is at line {line} ({score:.0f}% similar): {passage!r}"


def _previous_line_start(text: str, line_start: int) -> int:
    return text.rfind("\n", 0, line_start - 1) + 1


def paragraph_above(text: str, fence_offset: int, fence_line: int) -> Evidence | None:
    """The run of non-blank lines ending just above the fence (blank lines and other blocks skipped)."""
    last = fence_offset
    while True:
        if last == 0:
            return None
        last = _previous_line_start(text, last)
        if text[last:fence_offset].strip():
            break
    last_end = text.find("\n", last)
    first = last
    while first > 0:
        previous = _previous_line_start(text, first)
        if not text[previous:first].strip():
            break
        first = previous
    return Evidence(
        _line_at(text, first, fence_offset, fence_line),
        _line_at(text, last, fence_offset, fence_line),
        " ".join(text[first:last_end].split()),
    )
