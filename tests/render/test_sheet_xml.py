"""The workbook's cells written directly give the very bytes openpyxl's cells give, and anything unusual goes to openpyxl."""

from __future__ import annotations

import io
import zipfile
from functools import cache

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from cmo.across.compare import compare
from cmo.core.diagnostics import Diagnostics
from cmo.corpus.layout import discover
from cmo.render import spreadsheet
from cmo.render.sheet_xml import plain
from cmo.render.spreadsheet import Table, render_xlsx
from cmo.render.view import Report, build_report
from cmo.theory.store import load_theories
from tests.conftest import REPO

HOSTILE = [
    "=1+1",
    "@SUM(A1)",
    "+1",
    "-1",
    "\t=1",
    "\r=1",
    "  leading",
    "trailing  ",
    "   ",
    "two\nlines",
    "cr\ronly",
    "a & b < c > d",
    "bell\x07 and nul\x00",
    "ünïcødé — “quotes” 😀",
    "x" * 40_000,
    "",
    "#DIV/0!",
    "'quoted",
]


def _tables() -> list[tuple[str, Table]]:
    """Sheets whose columns wrap and align in different orders, with text, numbers and gaps in every place."""
    numbers = [0, 1, -7, 12345678901234567, 2.5, 1 / 3, -0.0, 1e-300, None]
    first: Table = (
        ["=header", "Plain", "Long"],
        [[text, number, "y" * 70] for text, number in zip(HOSTILE, numbers * 2, strict=False)],
    )
    second: Table = (["short", " padded header ", "", "Mixed"], [["-", "ok", None, 3], ["a", "b\nc", "", "=x"]])
    empty: Table = (["Only", "a header"], [])
    return [("First", first), ("Second", second), ("Empty", empty), ("Third", (["n"], [[5], ["+"], [None]]))]


def _both(sheets: list[tuple[str, Table]]) -> tuple[bytes, bytes]:
    direct, written = spreadsheet._workbook("a title", sheets, True)
    through_openpyxl, none = spreadsheet._workbook("a title", sheets, False)
    assert written and not none
    return spreadsheet.fixed_times(direct, written), spreadsheet.fixed_times(through_openpyxl)


def test_direct_cells_are_the_bytes_openpyxl_writes() -> None:
    direct, reference = _both(_tables())
    assert direct == reference
    with zipfile.ZipFile(io.BytesIO(direct)) as made:  # and the cells really are in it
        assert b"two\nlines" in made.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("order", [[0, 1, 2, 3], [1, 0, 3, 2], [3, 2, 1, 0], [2, 0]])
def test_styles_are_numbered_as_openpyxl_numbers_them_in_any_order_of_sheets(order: list[int]) -> None:
    tables = _tables()
    direct, reference = _both([tables[i] for i in order])
    assert direct == reference


@cache
def _demo_report() -> Report:
    diagnostics = Diagnostics()
    theories = load_theories(("northcliffe-connect", "riverside-bridges"), REPO / "theories", diagnostics)
    return build_report(theories, compare(theories, discover([REPO / "corpus"], diagnostics)))


def test_the_demo_workbook_is_the_bytes_openpyxl_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = render_xlsx(_demo_report())
    monkeypatch.setattr(spreadsheet, "plain", lambda header, rows: False)
    assert render_xlsx(_demo_report()) == fast


@pytest.mark.parametrize(
    "table",
    [
        (["a", "b"], [["x"]]),  # a row narrower than the header
        (["a"], [[True]]),  # a bool is written as one
        (["a"], [[float("nan")]]),
        (["a\x01"], []),  # a header openpyxl refuses
        (["a" * 40_000], []),  # a header openpyxl cuts
    ],
)
def test_tables_the_direct_writer_does_not_know_go_through_openpyxl(table: Table) -> None:
    assert not plain(*table)


def test_a_workbook_with_a_bool_is_written_through_openpyxl_and_reads_back() -> None:
    report = _demo_report()
    sheets: list[tuple[str, Table]] = [("Odd", (["flag", "text"], [[True, "=x"], [None, "y"]]))]
    data, written = spreadsheet._workbook(report.title, sheets, all(plain(*table) for _, table in sheets))
    assert written == []
    sheet = load_workbook(io.BytesIO(spreadsheet.fixed_times(data)))["Odd"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [["flag", "text"], [True, "=x"], [None, "y"]]


@pytest.mark.parametrize(
    "text", ["plain", "", "a\nbb", "a\rbbb", "a\x0bbb", "x\x85yy", "x\u2028yyy", "no\xa0break", "é😀"]
)
def test_a_column_is_as_wide_as_the_longest_line_of_its_text(text: str) -> None:
    assert spreadsheet._width(text) == max((len(line) for line in text.splitlines()), default=0)
