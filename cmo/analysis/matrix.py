"""Framework matrices: distinct passages (and transcripts, and quotes) of the evidence in each cell of two dimensions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cmo.analysis.dimensions import NONE, getter, labels
from cmo.analysis.evidence import Coded, gather


@dataclass(frozen=True)
class Quote:
    """One passage of a cell: where it is (the transcript's path as shown, its first line), its words, its record."""

    path: str
    line: int
    quote: str
    record: str  # the id of the record that first coded the passage (in corpus order)

    @property
    def record_id(self) -> str:
        return self.record


@dataclass
class Matrix:
    """Rows by columns of two dimensions; each cell counts the distinct passages (and transcripts) in both.

    Lists are row-major and follow `rows` and `columns`, each ordered by its distinct passages (most first),
    then by id, with NONE last. A passage with several values in a dimension counts under each of them, so
    cells do not add up to `total_passages` (the distinct passages in any cell).
    """

    rows: list[str]
    columns: list[str]
    counts: list[list[int]]
    transcripts: list[list[int]]
    quotes: list[list[list[Quote]]]  # [] unless asked for: then each cell's passages, by path and line
    row_labels: dict[str, str]
    column_labels: dict[str, str]
    row_dimension: str
    column_dimension: str
    total_passages: int


@dataclass
class _Cell:
    passages: dict[str, Quote | None] = field(default_factory=dict)  # passage -> its first coding's quote, if asked
    transcripts: set[tuple[str, str]] = field(default_factory=set)


def _order(totals: Mapping[str, set[str]]) -> list[str]:
    return sorted(totals, key=lambda value: (value == NONE, -len(totals[value]), value))


def _quote(row: Coded) -> Quote:
    record = row.record
    return Quote(row.shown, record["line_start"], record["quote"], record["id"])


def build_matrix(
    rows: Iterable[Coded],
    row_dim: str,
    col_dim: str,
    want_quotes: bool = False,
    *,
    include_none: bool = False,
    code_labels: Mapping[str, str] | None = None,
) -> Matrix:
    """The matrix of the rows over two canonical dimensions (see cmo.analysis.dimensions.canonical).

    A record with no value in a dimension is counted under NONE with `include_none`, else left out.
    """
    row_values, column_values = getter(row_dim), getter(col_dim)
    none = [NONE] if include_none else []
    cells: dict[tuple[str, str], _Cell] = {}
    row_totals: dict[str, set[str]] = {}
    column_totals: dict[str, set[str]] = {}
    for row in rows:
        across = row_values(row) or none
        down = column_values(row) or none
        if not across or not down:
            continue
        passage = row.passage
        for r in across:
            row_totals.setdefault(r, set()).add(passage)
            for c in down:
                cell = cells.get((r, c))
                if cell is None:
                    cell = cells[(r, c)] = _Cell()
                if passage not in cell.passages:
                    cell.passages[passage] = _quote(row) if want_quotes else None
                cell.transcripts.add(row.transcript)
        for c in down:
            column_totals.setdefault(c, set()).add(passage)
    ordered_rows, ordered_columns = _order(row_totals), _order(column_totals)
    empty = _Cell()
    grid = [[cells.get((r, c), empty) for c in ordered_columns] for r in ordered_rows]
    quotes = []
    if want_quotes:
        quotes = [
            [sorted((q for q in cell.passages.values() if q is not None), key=_quote_order) for cell in line]
            for line in grid
        ]
    found_labels = code_labels or {}
    return Matrix(
        rows=ordered_rows,
        columns=ordered_columns,
        counts=[[len(cell.passages) for cell in line] for line in grid],
        transcripts=[[len(cell.transcripts) for cell in line] for line in grid],
        quotes=quotes,
        row_labels=labels(row_dim, ordered_rows, found_labels),
        column_labels=labels(col_dim, ordered_columns, found_labels),
        row_dimension=row_dim,
        column_dimension=col_dim,
        total_passages=len(set().union(*row_totals.values())) if row_totals else 0,
    )


def _quote_order(quote: Quote) -> tuple[str, int, str]:
    return quote.path, quote.line, quote.record


# The framework matrices the HTML report shows for each programme: heading, rows, columns.
REPORT_MATRICES = (("Mechanism × outcome", "mechanism", "outcome"), ("Mechanism × source", "mechanism", "source"))


def programme_matrices(programmes: Sequence[str], corpus: Path) -> dict[str, list[tuple[str, Matrix]]]:
    """Each programme's REPORT_MATRICES of its coded records (through the coding cache); none when the corpus lacks it."""
    evidence = gather([corpus], None)
    code_labels = evidence.labels()
    found: dict[str, list[tuple[str, Matrix]]] = {}
    for programme in programmes:
        if programme not in evidence.programmes:
            continue
        rows = [row for row in evidence.rows if row.programme == programme]
        found[programme] = [
            (heading, build_matrix(rows, across, down, code_labels=code_labels))
            for heading, across, down in REPORT_MATRICES
        ]
    return found
