"""Selection positions -> offsets into a source's text with `\\n` line breaks, whether a tool counted CRLF as one or two."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from cmo.qdpx.project import QdaSelection

_CRLF = re.compile("\r\n")
# A selection whose `name` holds its text (as some tools write) decides the question almost alone.
_NAME_MATCH = 10
_OVERRUN = -5


def decode_source(raw: bytes) -> str | None:
    """A source's plain text: UTF-8, a BOM dropped (it is no position); None when not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


@dataclass(frozen=True)
class Placed:
    """A selection's span in the normalised text, or None when its positions do not fit the text."""

    selection: QdaSelection
    span: tuple[int, int] | None


def _flat(text: str) -> str:
    return " ".join(text.split())


def _word_edge(text: str, offset: int) -> bool:
    """True unless `offset` cuts a word in two."""
    return offset <= 0 or offset >= len(text) or not (text[offset - 1].isalnum() and text[offset].isalnum())


def _spans(raw: str, selections: Sequence[QdaSelection], width: int) -> list[tuple[int, int] | None]:
    """Each selection's (start, end) in the `\\n` text, reading positions with CRLF `width` code points wide."""
    pairs = [match.start() for match in _CRLF.finditer(raw)] if width == 2 else []
    length = len(raw) - (len(pairs) if width == 2 else raw.count("\r\n"))
    spans: list[tuple[int, int] | None] = []
    for selection in selections:
        start, end = selection.start, selection.end
        if start is None or end is None or start < 0 or end < start:
            spans.append(None)
            continue
        if pairs:
            start, end = start - bisect_left(pairs, start), end - bisect_left(pairs, end)
        spans.append((start, end) if end <= length else None)
    return spans


def _score(text: str, selections: Sequence[QdaSelection], spans: list[tuple[int, int] | None]) -> int:
    score = 0
    for selection, span in zip(selections, spans, strict=True):
        if span is None:
            score += _OVERRUN if selection.start is not None and selection.end is not None else 0
            continue
        start, end = span
        name = _flat(selection.name).removesuffix("...").strip()
        if len(name) > 3 and _flat(text[start:end]).startswith(name):
            score += _NAME_MATCH
        score += _word_edge(text, start) + _word_edge(text, end)
    return score


def crlf_width(raw: str, selections: Sequence[QdaSelection], origin: str) -> int:
    """1 or 2: how the tool counted CRLF, judged by which reading puts selections on word edges (or on their text)."""
    if "\r\n" not in raw:
        return 1
    text = normalise(raw)
    scores = {width: _score(text, selections, _spans(raw, selections, width)) for width in (1, 2)}
    if scores[1] != scores[2]:
        return 1 if scores[1] > scores[2] else 2
    # No evidence either way: ATLAS.ti counts a line break as one position, the standard's code points as two.
    return 1 if "atlas" in origin.casefold() else 2


def normalise(raw: str) -> str:
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def place_selections(raw: str, selections: Sequence[QdaSelection], width: int) -> list[Placed]:
    """Every selection with its span in `normalise(raw)`; None spans are positions outside the text."""
    return [Placed(s, span) for s, span in zip(selections, _spans(raw, selections, width), strict=True)]
