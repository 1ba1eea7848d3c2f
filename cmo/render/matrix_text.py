"""A framework matrix as Markdown, CSV or JSON (the JSON shape is part of the interface); xlsx and HTML are elsewhere."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from cmo.analysis.matrix import Matrix, Quote
from cmo.core.words import numbered
from cmo.render.escape import defuse, json_controls, md_escape

CELLS = ("passages", "transcripts", "quotes")
CELL_WORDS = {"passages": "distinct passages", "transcripts": "distinct transcripts", "quotes": "distinct passages"}


def cell_counts(matrix: Matrix, cells: str) -> list[list[int]]:
    """What the cells show: distinct transcripts, or distinct passages (also for quotes)."""
    return matrix.transcripts if cells == "transcripts" else matrix.counts


def caption(matrix: Matrix, cells: str) -> str:
    return (
        f"{matrix.row_dimension} (rows) by {matrix.column_dimension} (columns): {CELL_WORDS[cells]} in each cell, "
        f"of {numbered(matrix.total_passages, 'passage')} in all"
    )


def _heading(labels: dict[str, str], value: str) -> str:
    label = labels.get(value, value)
    return value if label == value else f"{label} ({value})"


def _md(text: str) -> str:
    return md_escape(" ".join(text.split()))


def _md_quotes(matrix: Matrix) -> list[str]:
    lines: list[str] = []
    for r, row in enumerate(matrix.rows):
        for c, column in enumerate(matrix.columns):
            found = matrix.quotes[r][c] if matrix.quotes else []
            if not found:
                continue
            where = f"{_heading(matrix.row_labels, row)} × {_heading(matrix.column_labels, column)}"
            lines += ["", f"### {_md(where)}: {numbered(len(found), 'passage')}", ""]
            lines += [f"- {_md(quote.quote)} ({_md(f'{quote.path}:{quote.line}')})" for quote in found]
    return lines


def render_md(matrix: Matrix, cells: str = "passages") -> str:
    """A Markdown table (row and column headings with their labels), then each cell's quotes when asked for."""
    values = cell_counts(matrix, cells)
    lines = [f"{_md(caption(matrix, cells))}", ""]
    if not matrix.rows:
        return "\n".join([*lines, "No passage has a value in both dimensions.", ""])
    corner = _md(f"{matrix.row_dimension} \\ {matrix.column_dimension}")
    heads = [_md(_heading(matrix.column_labels, column)) for column in matrix.columns]
    lines.append(f"| {corner} | {' | '.join(heads)} |")
    lines.append("|---|" + "---:|" * len(matrix.columns))
    for r, row in enumerate(matrix.rows):
        lines.append(f"| {_md(_heading(matrix.row_labels, row))} | {' | '.join(str(n) for n in values[r])} |")
    if cells == "quotes":
        lines += _md_quotes(matrix)
    return "\n".join(lines) + "\n"


def render_csv(matrix: Matrix, cells: str = "passages") -> str:
    """A byte-order mark, a header row of column ids, then each row: its id, its label and its counts (CRLF rows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [defuse(f"{matrix.row_dimension} \\ {matrix.column_dimension}"), "label", *map(defuse, matrix.columns)]
    )
    values = cell_counts(matrix, cells)
    for r, row in enumerate(matrix.rows):
        writer.writerow([defuse(row), defuse(matrix.row_labels.get(row, row)), *values[r]])
    return "\ufeff" + buffer.getvalue()


def _quote_data(quote: Quote) -> dict[str, Any]:
    return {"path": quote.path, "line": quote.line, "record": quote.record, "quote": quote.quote}


def matrix_data(matrix: Matrix, cells: str = "passages") -> dict[str, Any]:
    """The matrix as JSON data: rows, columns, counts (row-major distinct passages), labels, transcripts; quotes when asked."""
    data: dict[str, Any] = {
        "rows": matrix.rows,
        "columns": matrix.columns,
        "counts": matrix.counts,
        "row_dimension": matrix.row_dimension,
        "column_dimension": matrix.column_dimension,
        "row_labels": matrix.row_labels,
        "column_labels": matrix.column_labels,
        "transcripts": matrix.transcripts,
        "total_passages": matrix.total_passages,
    }
    if cells == "quotes":
        data["quotes"] = [[[_quote_data(q) for q in cell] for cell in line] for line in matrix.quotes]
    return data


def _json(value: Any) -> str:
    return json_controls(json.dumps(value, ensure_ascii=False))


def render_json(matrix: Matrix, cells: str = "passages") -> str:
    """`matrix_data` as JSON: one key a line, and each row of `counts`, `transcripts` and `quotes` on a line of its own."""
    parts = []
    for key, value in matrix_data(matrix, cells).items():
        if key in ("counts", "transcripts", "quotes") and value:
            inner = ",\n".join(f"    {_json(line)}" for line in value)
            parts.append(f'  "{key}": [\n{inner}\n  ]')
        else:
            parts.append(f"  {_json(key)}: {_json(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"
