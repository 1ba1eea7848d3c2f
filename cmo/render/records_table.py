"""Records as a table: one row per CMO record, one column per field, as CSV (streamed) or an Excel workbook."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from cmo.corpus.models import Participant, Record
from cmo.render.escape import FORMULA_STARTS, defuse

# One column per field of a record, in the record's own order; the header row is these names.
RECORD_COLUMNS: tuple[str, ...] = tuple(Record.model_fields)
LIST_SEPARATOR = "; "
# Column widths of the workbook, in characters: a streamed sheet is sized before its rows are written.
_WIDTHS = {"id": 36, "path": 36, "quote": 60, "note": 40, "participants": 24}
_NARROW = {"line_start", "line_end", "annotation_line", "source", "stance", "elicited", "date", "coder"}
_WRAPPED = ("quote", "note")


def _participant(participant: Participant) -> str:
    return f"{participant.id} ({participant.role})" if participant.role else participant.id


def record_row(record: Record) -> list[str | int | None]:
    """A record's cells: lists joined with '; ', participants as 'P01 (role)', yes/no for a flag, None for no value."""
    row: list[str | int | None] = []
    for name in RECORD_COLUMNS:
        value: Any = getattr(record, name)
        if name == "participants":
            row.append(LIST_SEPARATOR.join(_participant(p) for p in value))
        elif isinstance(value, list):
            row.append(LIST_SEPARATOR.join(value))
        elif isinstance(value, bool):
            row.append("yes" if value else "no")
        elif isinstance(value, int) or value is None:
            row.append(value)
        else:
            row.append(str(value))  # a date as YYYY-MM-DD, the source type and stance as their names
    return row


def csv_chunks(records: Iterable[Record]) -> Iterator[str]:
    """The records as CSV, a row at a time: a byte-order mark first, CRLF rows, cells defused as the report's CSV."""
    return csv_rows(RECORD_COLUMNS, (record_row(record) for record in records))


def csv_rows(header: Sequence[str], rows: Iterable[Sequence[str | int | None]]) -> Iterator[str]:
    """A header and rows as CSV text, a row at a time: a byte-order mark first, CRLF rows, text cells defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # the csv module ends rows with CRLF, as `cmo report --format csv`

    def line(cells: Iterable[str | int | None]) -> str:
        writer.writerow([defuse(cell) if isinstance(cell, str) else cell for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(header)
    for row in rows:
        yield line(row)


def _width(name: str) -> int:
    return _WIDTHS.get(name, 12 if name in _NARROW else 20)


def records_workbook(records: Iterable[Record]) -> bytes:
    """The records as a workbook with one sheet, Records, written row by row; text stays text as in the report."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
    from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped]

    from cmo.render.spreadsheet import FIXED_TIME, excel_text, fixed_times

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Records")
    for column, name in enumerate(RECORD_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = _width(name)
    sheet.freeze_panes = "A2"
    bold, top, wrapped = Font(bold=True), Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    wrap_columns = {RECORD_COLUMNS.index(name) for name in _WRAPPED}

    def cell(value: str | int | None, column: int, header: bool = False) -> Any:
        if not isinstance(value, str) or not value:
            return value or None  # an empty cell for no text; a line number as a number
        made = WriteOnlyCell(sheet, value=excel_text(value))
        # Text stays text, never a formula or an error value; the quote prefix keeps it text when edited.
        made.data_type = "s"
        made.quotePrefix = value.startswith(FORMULA_STARTS)
        if header:
            made.font = bold
        made.alignment = wrapped if column in wrap_columns and not header else top
        return made

    sheet.append([cell(name, index, header=True) for index, name in enumerate(RECORD_COLUMNS)])
    count = 0
    for record in records:
        sheet.append([cell(value, index) for index, value in enumerate(record_row(record))])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(RECORD_COLUMNS))}{count + 1}"
    workbook.properties.title = "CMO records"
    workbook.properties.creator = "cmo"
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    # ExcelWriter directly, as the report: Workbook.save() would stamp the file with the time of saving.
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return fixed_times(buffer.getvalue())
