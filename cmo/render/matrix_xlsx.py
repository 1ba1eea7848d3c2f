"""A framework matrix as an Excel workbook: the counts as numbers, with the quotes behind them when asked for."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cmo.render.matrix_html import cell_values

if TYPE_CHECKING:
    from cmo.analysis.matrix import Matrix

QUOTE_COLUMNS = ("row", "column", "path", "line", "quote", "record")
# Widths in characters: the workbook is written a row at a time, so they are set before any row.
_QUOTE_WIDTHS = (24, 24, 36, 8, 80, 36)
_LABEL_WIDTH, _NUMBER_WIDTH = 36, 14


def _label(labels: dict[str, str], code: str) -> str:
    return labels.get(code) or code


def matrix_workbook(matrix: Matrix, cells: str = "passages") -> bytes:
    """The workbook: sheet Matrix (ids in row 1 and column A, labels in row 2 and column B, numbers from C3, panes
    frozen there), and sheet Quotes (one row per quote of a cell) when there are quotes. The same matrix gives the
    same bytes; text stays text, never a formula.
    """
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped]

    from cmo.render.spreadsheet import FIXED_TIME, excel_text, fixed_times

    values = cell_values(matrix, cells)
    workbook = Workbook(write_only=True)
    _matrix_sheet(workbook, matrix, values)
    quotes = [
        (row, column, quote)
        for r, row in enumerate(matrix.rows)
        for c, column in enumerate(matrix.columns)
        for quote in (matrix.quotes[r][c] if r < len(matrix.quotes) and c < len(matrix.quotes[r]) else [])
    ]
    if quotes:
        _quotes_sheet(workbook, [(row, column, q.path, q.line, q.quote, q.record) for row, column, q in quotes])
    workbook.properties.title = excel_text(f"{matrix.row_dimension} by {matrix.column_dimension}")
    workbook.properties.creator = "cmo"
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    # ExcelWriter directly, as the report: Workbook.save() would stamp the file with the time of saving.
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return fixed_times(buffer.getvalue())


def _text_cell(sheet: Any, value: str | int | None, bold: bool = False, wrap: bool = False) -> Any:
    """A cell as the records workbook writes one: text kept text (quote prefix before a formula start), numbers numbers."""
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]

    from cmo.render.escape import FORMULA_STARTS
    from cmo.render.spreadsheet import excel_text

    if not isinstance(value, str) or not value:
        return value if isinstance(value, int) else None
    made = WriteOnlyCell(sheet, value=excel_text(value))
    made.data_type = "s"  # never a formula or an error value, whatever the corpus says
    made.quotePrefix = value.startswith(FORMULA_STARTS)
    if bold:
        made.font = Font(bold=True)
    made.alignment = Alignment(vertical="top", wrap_text=wrap)
    return made


def _matrix_sheet(workbook: Any, matrix: Matrix, values: Sequence[Sequence[int]]) -> None:
    from openpyxl.formatting.rule import ColorScaleRule  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    sheet = workbook.create_sheet("Matrix")
    sheet.column_dimensions["A"].width = _LABEL_WIDTH
    sheet.column_dimensions["B"].width = _LABEL_WIDTH
    for column in range(3, len(matrix.columns) + 3):
        sheet.column_dimensions[get_column_letter(column)].width = _NUMBER_WIDTH
    sheet.freeze_panes = "C3"
    rows, columns = matrix.row_dimension, matrix.column_dimension
    ids = [_text_cell(sheet, code, bold=True) for code in matrix.columns]
    sheet.append([_text_cell(sheet, f"{rows} \\ {columns}", bold=True), _text_cell(sheet, f"{rows} label"), *ids])
    labels = [_text_cell(sheet, _label(matrix.column_labels, code), bold=True, wrap=True) for code in matrix.columns]
    sheet.append([None, _text_cell(sheet, f"{columns} label"), *labels])
    for r, code in enumerate(matrix.rows):
        sheet.append([_text_cell(sheet, code), _text_cell(sheet, _label(matrix.row_labels, code)), *values[r]])
    if matrix.rows and matrix.columns:
        last = f"{get_column_letter(len(matrix.columns) + 2)}{len(matrix.rows) + 2}"
        # Shaded as the HTML heatmap: white for none, the darkest blue for the largest cell.
        scale = ColorScaleRule(
            start_type="num", start_value=0, start_color="FFFFFF", end_type="max", end_color="2171B5"
        )
        sheet.conditional_formatting.add(f"C3:{last}", scale)


def _quotes_sheet(workbook: Any, rows: Sequence[Sequence[str | int]]) -> None:
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet("Quotes")
    for column, width in enumerate(_QUOTE_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_text_cell(sheet, name, bold=True) for name in QUOTE_COLUMNS])
    for row in rows:
        sheet.append([_text_cell(sheet, value, wrap=index == 4) for index, value in enumerate(row)])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(QUOTE_COLUMNS))}{len(rows) + 1}"
