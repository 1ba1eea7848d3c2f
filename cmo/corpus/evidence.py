"""Where an annotation's evidence is: its quote found in the transcript, or the paragraph above its fence."""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

# Typographic and straight quotes are the same character to a coder copying a passage.
_STRAIGHTEN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
_TYPOGRAPHIC = "‘’“”"
_SNIPPET = 80
_PARAGRAPH_BREAK = re.compile(r"(\n[ \t]*\n)")


@dataclass(frozen=True)
class Evidence:
    """A passage of a transcript: its first and last line (1-based) and its text."""

    line_start: int
    line_end: int
    text: str


# Every character `str.split()` splits at (`str.isspace()`) but the space and the newline.
ODD_SPACES = (
    "\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
_ASCII_ODD_SPACES = ODD_SPACES[:8]


def flat_lines(text: str) -> list[str]:
    """`[" ".join(line.split()) for line in text.split("\\n")]`, splitting into words only the lines that need it.

    Most lines have single spaces between their words: stripped, they are already what joining their words gives.
    """
    lines = text.split("\n")
    odd = _ASCII_ODD_SPACES if text.isascii() else ODD_SPACES
    if any(space in text for space in odd):
        return [" ".join(line.split()) for line in lines]
    return [" ".join(piece.split()) if "  " in piece else piece for piece in [line.strip(" ") for line in lines]]


class QuoteIndex:
    """A transcript's lines, each with its runs of whitespace made one space, joined into one searchable text.

    Built once per transcript with `str.split` (C speed), so finding each quote is a plain substring search,
    not a regular expression compiled per quote. Positions map back to line numbers, which is all evidence needs.
    """

    def __init__(self, text: str) -> None:
        flattened = flat_lines(text)
        pieces = [piece for piece in flattened if piece]
        self.lines = [number for number, piece in enumerate(flattened, 1) if piece]  # of each non-blank line
        # where each of those lines starts in `flat`
        self.starts = list(itertools.accumulate([len(piece) + 1 for piece in pieces], initial=0))[:-1]
        self.flat = " ".join(pieces)  # the words as written, for the evidence text
        typographic = any(mark in self.flat for mark in _TYPOGRAPHIC)  # four scans in C, not a regex at each character
        self.search = self.flat.translate(_STRAIGHTEN) if typographic else self.flat

    def _line(self, position: int) -> int:
        return self.lines[bisect.bisect_right(self.starts, position) - 1]

    def find(self, quote: str, fence_line: int) -> Evidence | None:
        """The occurrence of `quote` nearest above the fence (whitespace-insensitive), else the first below."""
        needle = " ".join(quote.split()).translate(_STRAIGHTEN)
        if not needle:
            return None
        above = bisect.bisect_left(self.lines, fence_line)
        fence = self.starts[above] if above < len(self.starts) else len(self.search)
        # The last occurrence starting above the fence, else the first below: two C-speed scans, never a
        # Python loop over every occurrence (a common word quoted under each of many blocks).
        best = self.search.rfind(needle, 0, fence + len(needle) - 1)
        if best == -1:
            best = self.search.find(needle, fence)
        if best == -1:
            return None
        last = best + len(needle) - 1
        return Evidence(self._line(best), self._line(last), self.flat[best : last + 1])


def find_quote(text: str, quote: str, fence_line: int) -> Evidence | None:
    """The occurrence of `quote` in `text` (whitespace-insensitive) nearest above the fence, else the first below."""
    return QuoteIndex(text).find(quote, fence_line)


def closest_passage(text: str, quote: str) -> tuple[int, float, str] | None:
    """(line, similarity 0-100, passage) of the text most like `quote`, for a 'not found' message.

    The passage is whole words: the closest match widened to the words it cuts into.
    """
    found = _closest(text, quote)
    if found is None:
        return None
    line, score, flat, start, end = found
    return line, score, flat[start:end]


def _closest(text: str, quote: str) -> tuple[int, float, str, int, int] | None:
    """(line, score, paragraph flattened, start, end) of the closest match, start and end at word boundaries."""
    best: tuple[int, float, str, int, int] | None = None
    line = 1
    needle = " ".join(quote.split())
    for index, paragraph in enumerate(_PARAGRAPH_BREAK.split(text)):
        if index % 2 == 0 and paragraph.strip():  # odd pieces are the captured breaks
            flat = " ".join(paragraph.split())
            alignment = fuzz.partial_ratio_alignment(needle, flat, score_cutoff=best[1] if best else 0)
            if alignment is not None and (best is None or alignment.score > best[1]):
                start, end = _whole_words(flat, alignment.dest_start, alignment.dest_end)
                leading = len(paragraph) - len(paragraph.lstrip())
                best = (line + paragraph.count("\n", 0, leading), alignment.score, flat, start, end)
        line += paragraph.count("\n")
    return best


def _whole_words(flat: str, start: int, end: int) -> tuple[int, int]:
    """`flat[start:end]` widened to the words it cuts into, without the spaces at its ends."""
    while start < end and flat[start] == " ":
        start += 1
    while end > start and flat[end - 1] == " ":
        end -= 1
    if start < end:
        start = flat.rfind(" ", 0, start) + 1
        stop = flat.find(" ", end)
        end = len(flat) if stop < 0 else stop
    return start, end


# A speaker label opening a passage, as transcripts write them: `**P01:**`, `**Interviewer**:`, `Q:`, `P01:`.
_SPEAKER_LABEL = re.compile(r"[*_]{0,2}[A-Za-z0-9][\w.'-]*(?: [\w.'-]+){0,2}[*_]{0,2}:[*_]{0,2}(?= |$)")


def describe_closest(text: str, quote: str) -> str:
    """Where the passage most like `quote` is, and its words; when the quote garbles its speaker label, how to fix it."""
    found = _closest(text, quote)
    if found is None:
        return "the transcript has no text to quote from"
    line, score, flat, start, end = found
    label = _SPEAKER_LABEL.match(flat)
    needle = " ".join(quote.split()).translate(_STRAIGHTEN)
    garbled = label is not None and start < label.end() and not needle.startswith(label.group())
    if garbled:
        start = 0  # the passage shows the label whole
    passage = flat[start:end]
    if len(passage) > _SNIPPET:
        cut = passage[: _SNIPPET - 3]
        space = cut.rfind(" ")
        passage = (cut[:space] if passage[_SNIPPET - 3] != " " and space > 0 else cut).rstrip() + "..."
    described = f"closest passage is at line {line} ({score:.0f}% similar): {passage!r}"
    if garbled and label is not None:
        described += (
            f"; the passage starts with the speaker label {label.group()!r}: the quote must include it exactly "
            "as written, or leave the label out entirely"
        )
    return described


class _Paragraphs:
    """A text's non-blank lines (start offset, line, first line of their paragraph), found in one pass."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []  # offset of each non-blank line
        self.lines: list[int] = []  # its line number
        self.first: list[int] = []  # index (into the lists above) of the first line of its paragraph
        lines = text.split("\n")
        offsets = itertools.accumulate([len(line) + 1 for line in lines], initial=0)
        previous_blank = True
        for number, (line, offset) in enumerate(zip(lines, offsets, strict=False), 1):
            if line and not line.isspace():
                self.first.append(len(self.starts) if previous_blank else self.first[-1])
                self.starts.append(offset)
                self.lines.append(number)
                previous_blank = False
            else:
                previous_blank = True


# The text the last index was built for: coding asks for each block of one transcript in turn, and a
# walk per block over the blank lines and blocks above it would cost the square of the file's size.
_last: tuple[str, _Paragraphs] | None = None


def _paragraphs(text: str) -> _Paragraphs:
    global _last
    cached = _last
    if cached is not None and cached[0] is text:
        return cached[1]
    index = _Paragraphs(text)
    _last = (text, index)
    return index


def paragraph_above(text: str, fence_offset: int, fence_line: int) -> Evidence | None:
    """The run of non-blank lines ending just above the fence (blank lines and other blocks skipped).

    `fence_line` is the line of `fence_offset` as counted in `text` itself, so the index's own line numbers
    serve; counting the newlines back to the fence per block would make stacked blocks quadratic again.
    """
    index = _paragraphs(text)
    below = bisect.bisect_left(index.starts, fence_offset)
    if below == 0:
        return None
    last = below - 1
    first = index.first[last]
    start, end = index.starts[first], index.starts[last]
    last_end = text.find("\n", end)
    return Evidence(
        index.lines[first],
        index.lines[last],
        " ".join(text[start : len(text) if last_end < 0 else last_end].split()),
    )
