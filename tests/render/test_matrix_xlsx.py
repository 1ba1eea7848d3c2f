"""The framework matrix as a workbook: numbers as numbers, ids and labels, quotes, formulas defused, same bytes."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from cmo.render.matrix_xlsx import QUOTE_COLUMNS, matrix_workbook
from tests.render.test_matrix_html import sample_matrix

FORMULA = '=HYPERLINK("http://example.invalid","click")'


def _sheets(data: bytes) -> dict[str, list[list[object]]]:
    workbook = load_workbook(io.BytesIO(data))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def test_the_counts_are_numbers_under_ids_and_labels() -> None:
    matrix = sample_matrix()
    workbook = load_workbook(io.BytesIO(matrix_workbook(matrix)))
    assert workbook.sheetnames == ["Matrix"]  # no quotes asked for: no Quotes sheet
    sheet = workbook["Matrix"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["mechanism \\ outcome", "mechanism label", "engagement", "confidence", "referral"]
    assert rows[1] == [None, "outcome label", "Engagement", "Confidence", "referral"]
    assert rows[2] == ["trust", "Building trust", 7, 3, 1]
    assert rows[3] == ["key-person", "A key person", 2, 4, 0]
    assert all(isinstance(value, int) for row in rows[2:] for value in row[2:])
    assert sheet.freeze_panes == "C3"
    assert [str(rule.sqref) for rule in sheet.conditional_formatting] == ["C3:E4"]  # shaded as the heatmap


def test_transcripts_when_asked_for() -> None:
    rows = _sheets(matrix_workbook(sample_matrix(), cells="transcripts"))["Matrix"]
    assert [row[2:] for row in rows[2:]] == [[3, 2, 1], [1, 2, 0]]
    with pytest.raises(ValueError, match="unknown cells"):
        matrix_workbook(sample_matrix(), cells="everything")


def test_quotes_get_a_sheet_of_their_own() -> None:
    rows = _sheets(matrix_workbook(sample_matrix(quotes=True), cells="quotes"))["Quotes"]
    assert tuple(rows[0]) == QUOTE_COLUMNS
    assert len(rows) == 1 + 17  # one row per quote of every cell
    assert rows[1] == ["trust", "engagement", "corpus/a/int-01.md", 10, "It took months. (0, 0, 0)", "a/int-01#000"]
    assert rows[-1][:2] == ["key-person", "confidence"]


def test_formulas_in_labels_and_quotes_stay_text() -> None:
    matrix = sample_matrix(quotes=True, label=FORMULA, text=FORMULA)
    matrix.rows[0] = "=1+1"
    matrix.row_labels["=1+1"] = "@SUM(A1)"
    workbook = load_workbook(io.BytesIO(matrix_workbook(matrix, cells="quotes")))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    risky = [cell for cell in cells if isinstance(cell.value, str) and cell.value[:1] in "=+-@"]
    assert {cell.value for cell in risky} >= {FORMULA, "=1+1", "@SUM(A1)"}
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in risky)
    assert workbook["Matrix"]["A3"].value == "=1+1"


def test_control_characters_do_not_break_the_file() -> None:
    matrix = sample_matrix(quotes=True, label="bell\x07 here", text="escape\x1b[2J")
    rows = _sheets(matrix_workbook(matrix, cells="quotes"))
    assert rows["Matrix"][1][2] == "bell\N{REPLACEMENT CHARACTER} here"
    assert str(rows["Quotes"][1][4]).startswith("escape\N{REPLACEMENT CHARACTER}[2J")


def test_the_same_matrix_gives_the_same_bytes_dated_in_2000() -> None:
    data = matrix_workbook(sample_matrix(quotes=True), cells="quotes")
    assert data == matrix_workbook(sample_matrix(quotes=True), cells="quotes")
    with zipfile.ZipFile(io.BytesIO(data)) as made:
        assert {member.date_time for member in made.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = made.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core and core.count("2000-01-01") == 2
