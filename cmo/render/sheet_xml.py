"""Worksheet cells as XML, written directly: byte for byte what openpyxl writes for a table of text and numbers."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.styles.cell_style import StyleArray  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from cmo.render.escape import FORMULA_STARTS

# Excel's limit on the characters in one cell (openpyxl cuts a longer header to it).
CELL_LIMIT = 32767
# What openpyxl refuses in a cell (its ILLEGAL_CHARACTERS_RE): XML 1.0 cannot hold these control characters.
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
# openpyxl writes an empty worksheet with these; the cells and their extent replace them.
EMPTY_DIMENSION = b'<dimension ref="A1:A1" />'
EMPTY_DATA = b"<sheetData></sheetData>"
# Cells written out at a time: the sheet's XML is never held whole.
_PIECE = 20_000


def plain(header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> bool:
    """Whether this writer writes the table exactly as openpyxl would: anything else is left to openpyxl.

    Header cells must be text openpyxl takes as it is; every row as wide as the header; every value
    text, an int or a finite float (never a bool, a date or a subclass).
    """
    width = len(header)
    if not all(type(name) is str and len(name) <= CELL_LIMIT and not _ILLEGAL.search(name) for name in header):
        return False
    for row in rows:
        if len(row) != width:
            return False
        for value in row:
            kind = type(value)
            if kind is float:
                if not math.isfinite(value):
                    return False
            elif value is not None and kind is not str and kind is not int:
                return False
    return True


def fits(empty: bytes) -> bool:
    """Whether a worksheet openpyxl wrote without cells has one place for their extent and one for them."""
    return empty.count(EMPTY_DIMENSION) == 1 and empty.count(EMPTY_DATA) == 1


class Styles:
    """The workbook's cell styles, each registered the first time a cell uses it, as openpyxl does when it writes."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry  # the workbook's _cell_styles
        self.ids: dict[tuple[int, int, bool], str] = {}

    def id(self, font: int, alignment: int, quoted: bool) -> str:
        key = (font, alignment, quoted)
        found = self.ids.get(key)
        if found is None:
            style = StyleArray([font, 0, 0, 0, 0, alignment, 0, int(quoted), 0])
            found = self.ids[key] = str(self.registry.add(style))
        return found


@dataclass(frozen=True)
class Sheet:
    """A table `plain()` accepted, with its zip member, its header's font and each column's alignment (0: no rows)."""

    member: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    font: int
    alignments: Sequence[int]
    styles: Styles

    def register(self) -> None:
        """Register the styles of the cells in the order openpyxl meets them (so they get the same numbers)."""
        styles = self.styles
        for name in self.header:
            styles.id(self.font, 0, name.startswith(FORMULA_STARTS))
        # Only the first cell of each style numbers it: once every style the rows can have is known, stop.
        unknown = {(0, alignment, quoted) for alignment in self.alignments for quoted in (False, True)} - set(
            styles.ids
        )
        for row in self.rows:
            if not unknown:
                return
            for alignment, value in zip(self.alignments, row, strict=True):
                key = (0, alignment, type(value) is str and value.startswith(FORMULA_STARTS))
                if key in unknown:
                    styles.id(*key)
                    unknown.discard(key)

    def dimension(self) -> bytes:
        """The `<dimension>` openpyxl writes for the table's cells."""
        return f'<dimension ref="A1:{get_column_letter(len(self.header))}{len(self.rows) + 1}" />'.encode()

    def into(self, empty: bytes, shown: Callable[[str], str]) -> Iterator[bytes]:
        """The worksheet openpyxl wrote without cells (`empty`, which `fits`), with the cells, in pieces."""
        top, rest = empty.split(EMPTY_DIMENSION)
        middle, bottom = rest.split(EMPTY_DATA)
        yield top + self.dimension() + middle
        yield from self.data(shown)
        yield bottom

    def data(self, shown: Callable[[str], str]) -> Iterator[bytes]:
        """`<sheetData>` in pieces: a header row in the sheet's font, then the rows, aligned by column.

        `shown` is what a cell holds of a string value (empty for none: an empty cell); text that would
        start a formula has Excel's quote prefix.
        """
        styles = self.styles
        letters = [get_column_letter(column) for column in range(1, len(self.header) + 1)]
        out = ['<sheetData><row r="1">']
        for letter, name in zip(letters, self.header, strict=True):
            out.append(_text(f"{letter}1", styles.id(self.font, 0, name.startswith(FORMULA_STARTS)), name))
        out.append("</row>")
        style = styles.id
        for index, row in enumerate(self.rows, start=2):
            out.append(f'<row r="{index}">')
            for letter, alignment, value in zip(letters, self.alignments, row, strict=True):
                where = f"{letter}{index}"
                if type(value) is str:
                    text = shown(value)
                    if text:
                        out.append(_text(where, style(0, alignment, text.startswith(FORMULA_STARTS)), text))
                        continue
                    value = None
                if value is None:
                    out.append(f'<c r="{where}" s="{style(0, alignment, False)}" t="n" />')
                else:
                    number = f"{value:.16g}"
                    out.append(f'<c r="{where}" s="{style(0, alignment, False)}" t="n"><v>{number}</v></c>')
            out.append("</row>")
            if len(out) > _PIECE:
                yield "".join(out).encode("utf-8")
                out = []
        out.append("</sheetData>")
        yield "".join(out).encode("utf-8")


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _text(where: str, style: str, text: str) -> str:
    if not text:
        return f'<c r="{where}" s="{style}" t="inlineStr" />'
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    return f'<c r="{where}" s="{style}" t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'
