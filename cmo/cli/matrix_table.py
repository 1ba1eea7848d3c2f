"""A framework matrix in the terminal: a rich table, each cell shaded by its count where the terminal shows colour."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from cmo.analysis.matrix import Matrix

# Background shades from a few to the largest cell; an empty cell is left plain.
SHADES = ("grey23", "dark_green", "green4", "green3", "green1")
# The widest a label column grows (longer labels wrap).
_LABEL_WIDTH = 40


def shade(count: int, maximum: int) -> str:
    """The cell's style: none when empty, else one of SHADES by its share of the largest cell."""
    if count <= 0 or maximum <= 0:
        return ""
    level = min(len(SHADES), -(-len(SHADES) * count // maximum))
    return f"bold {'black' if level > 2 else 'white'} on {SHADES[level - 1]}"


def _fits_labels(matrix: Matrix, width: int) -> bool:
    """Whether a label column fits beside the counts: rows' labels only when every column keeps its heading whole."""
    if all(matrix.row_labels.get(row, row) == row for row in matrix.rows):
        return False
    ids = max(len(row) for row in matrix.rows)
    labels = max(len(matrix.row_labels.get(row, row)) for row in matrix.rows)
    columns = sum(max(len(column), 4) + 3 for column in matrix.columns)
    return ids + 3 + min(labels, _LABEL_WIDTH) + 3 + columns + 1 <= width


def matrix_table(matrix: Matrix, cells: str = "passages", width: int = 160) -> Table:
    """The matrix as a rich table: row ids (and codebook labels, when they fit in `width`) down the side, column ids across."""
    from rich.table import Table
    from rich.text import Text

    from cmo.render.matrix_text import cell_counts

    # Every piece of text is the corpus's (ids, attribute values, coders, labels): a Text, never read as markup.
    values = cell_counts(matrix, cells)
    maximum = max((n for line in values for n in line), default=0)
    table = Table()
    table.add_column(Text(f"{matrix.row_dimension} \\ {matrix.column_dimension}"), no_wrap=True)
    labelled = _fits_labels(matrix, width)
    if labelled:
        table.add_column(Text("label"), style="dim", max_width=_LABEL_WIDTH)
    for column in matrix.columns:
        table.add_column(Text(column), justify="right", overflow="fold")
    for r, row in enumerate(matrix.rows):
        label = [Text(matrix.row_labels.get(row, row))] if labelled else []
        shaded = [Text(f" {n} ", style=shade(n, maximum)) for n in values[r]]
        table.add_row(Text(row), *label, *shaded)
    return table


def print_matrix(matrix: Matrix, out: Console, cells: str = "passages") -> None:
    """The table, then (with quotes) each cell's passages as `path:line: [row x column] quote`."""
    from cmo.render.query_text import shorten

    if not matrix.rows:
        out.print("no passage has a value in both dimensions", markup=False, emoji=False)
        return
    from cmo.render.matrix_text import caption

    out.print(matrix_table(matrix, cells, out.width))
    out.print(caption(matrix, cells), markup=False, emoji=False, highlight=False, soft_wrap=True)
    if cells != "quotes":
        return
    for r, row in enumerate(matrix.rows):
        for c, column in enumerate(matrix.columns):
            for quote in matrix.quotes[r][c] if matrix.quotes else []:
                where = f"{quote.path}:{quote.line}"
                out.print(
                    f"{where}: [{row} x {column}] {shorten(quote.quote)}",
                    markup=False,
                    emoji=False,
                    highlight=False,
                    soft_wrap=True,
                )
