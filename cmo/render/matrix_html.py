"""A framework matrix as an HTML heatmap: a self-contained page, or a section of the report; every text escaped."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files
from typing import TYPE_CHECKING

from cmo.core.words import numbered
from cmo.render.escape import esc

if TYPE_CHECKING:
    from cmo.analysis.matrix import Matrix, Quote

# As the report's: nothing may load or run, only the inline style sheet.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
# The report's style sheet holds the heatmap's rules too, so a page and a report section look alike.
CSS = files("cmo.render").joinpath("report.css").read_text(encoding="utf-8")
# Shades above zero: heat-1 (a few) to heat-5 (the largest cell); heat-0 is an empty cell.
LEVELS = 5
# What a cell counts, by `--cells`: quotes count passages and list them.
CELL_WORDS = {"passages": "distinct passages", "transcripts": "distinct transcripts", "quotes": "distinct passages"}
COUNTING_NOTE = (
    "A passage counts once in a cell however many coders coded it. A passage with several codes counts in "
    "each of their cells, so the cells do not add up to the passages in all."
)


def cell_values(matrix: Matrix, cells: str) -> list[list[int]]:
    """The numbers the cells show: distinct passages (also for `quotes`) or distinct transcripts."""
    if cells not in CELL_WORDS:
        raise ValueError(f"unknown cells {cells!r}: one of {', '.join(CELL_WORDS)}")
    return matrix.transcripts if cells == "transcripts" else matrix.counts


def heat_level(count: int, maximum: int) -> int:
    """0 for an empty cell, else 1..LEVELS by the count's share of the largest cell (the largest is LEVELS)."""
    if count <= 0 or maximum <= 0:
        return 0
    return min(LEVELS, -(-LEVELS * count // maximum))


def legend_ranges(maximum: int) -> list[tuple[int, int, int]]:
    """(level, lowest count, highest count) of each shade in use: together they cover 0..maximum once each."""
    found = [(0, 0, 0)]
    for level in range(1, LEVELS + 1):
        low, high = (level - 1) * maximum // LEVELS + 1, level * maximum // LEVELS
        if low <= high:
            found.append((level, low, high))
    return found


def _largest(values: Sequence[Sequence[int]]) -> int:
    return max((value for row in values for value in row), default=0)


def _label(labels: dict[str, str], code: str) -> str:
    label = labels.get(code) or code
    return esc(code) if label == code else f"{esc(label)} <code>{esc(code)}</code>"


def _cell_quotes(matrix: Matrix, row: int, column: int) -> list[Quote]:
    """A cell's quotes; none when they were not asked for (the lists may then be empty at any depth)."""
    quotes = matrix.quotes
    if row < len(quotes) and column < len(quotes[row]):
        return list(quotes[row][column])
    return []


def _cell(count: int, maximum: int, quotes: Sequence[Quote]) -> str:
    shade = f' class="heat-{heat_level(count, maximum)}"'
    if not quotes:
        return f"<td{shade}>{count}</td>"
    items = "".join(
        f'<li><q>{esc(quote.quote)}</q> <span class="where">{esc(quote.path)}:{esc(quote.line)}</span></li>'
        for quote in quotes
    )
    return f'<td{shade}><details><summary>{count}</summary><ul class="cell-quotes">{items}</ul></details></td>'


def _caption(matrix: Matrix, cells: str) -> str:
    return (
        f"{esc(matrix.row_dimension)} (rows) by {esc(matrix.column_dimension)} (columns): "
        f"{CELL_WORDS[cells]} in each cell, of {numbered(matrix.total_passages, 'passage')} in all"
    )


def heatmap_table(matrix: Matrix, cells: str = "passages") -> str:
    """The matrix as a table: <th scope> headers with label and id, each cell's number printed on its shade."""
    values = cell_values(matrix, cells)
    maximum = _largest(values)
    corner = f'<th scope="col" class="corner">{esc(matrix.row_dimension)} \\ {esc(matrix.column_dimension)}</th>'
    heads = "".join(f'<th scope="col">{_label(matrix.column_labels, code)}</th>' for code in matrix.columns)
    rows = []
    for r, code in enumerate(matrix.rows):
        tds = "".join(_cell(values[r][c], maximum, _cell_quotes(matrix, r, c)) for c in range(len(matrix.columns)))
        rows.append(f'<tr><th scope="row">{_label(matrix.row_labels, code)}</th>{tds}</tr>')
    return (
        f'<div class="heatmap-wrap"><table class="heatmap"><caption>{_caption(matrix, cells)}</caption>'
        f"<thead><tr>{corner}{heads}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def legend(maximum: int, cells: str = "passages") -> str:
    """Each shade with the counts it stands for; the numbers are in the cells too, so the shade is only a guide."""
    swatches = "".join(
        f'<li class="swatch heat-{level}">{low}{"" if low == high else f"–{high}"}</li>'
        for level, low, high in legend_ranges(maximum)
    )
    return (
        f'<div class="heat-legend"><p>Shade: {CELL_WORDS[cells]} in a cell, darker for more '
        f"(the largest cell has {maximum}):</p><ul>{swatches}</ul></div>"
    )


def matrix_section(
    matrix: Matrix, heading: str | None, cells: str = "passages", *, anchor: str | None = None, level: int = 4
) -> str:
    """The heatmap with its heading, legend and counting note, as a fragment of a page (the report's section)."""
    values = cell_values(matrix, cells)
    ident = f' id="{esc(anchor)}"' if anchor else ""
    title = f"<h{level}>{esc(heading)}</h{level}>" if heading else ""
    if not matrix.rows or not matrix.columns:
        rows, columns = esc(matrix.row_dimension), esc(matrix.column_dimension)
        body = f'<p class="absent">No coded passage has both {rows} and {columns}.</p>'
    else:
        body = (
            f'{legend(_largest(values), cells)}\n{heatmap_table(matrix, cells)}\n<p class="muted">{COUNTING_NOTE}</p>'
        )
    return f'<section class="heatmap-section"{ident}>{title}\n{body}\n</section>'


def matrix_page(matrix: Matrix, title: str, cells: str = "passages") -> str:
    """The matrix as one HTML page that needs nothing else: inline CSS, no script, no address outside it."""
    section = matrix_section(matrix, None, cells)  # first: an unknown `cells` is a ValueError
    lede = (
        f"{esc(matrix.row_dimension).capitalize()} against {esc(matrix.column_dimension)} in the coded evidence: "
        f"each cell counts the {CELL_WORDS[cells]} that carry both."
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="cmo">\n'
        f"<title>{esc(title)}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n"
        f'<div class="page">\n<header>\n<p class="eyebrow">Framework matrix</p>\n<h1>{esc(title)}</h1>\n'
        f'<p class="lede">{lede}</p>\n</header>\n<main>\n{section}\n</main>\n'
        '<footer class="generator">Generated by cmo from the coded corpus.</footer>\n</div>\n</body>\n</html>\n'
    )
