"""`cmo matrix ROWS COLS`: a framework matrix of the evidence: distinct passages (or transcripts, or quotes) per cell."""

from __future__ import annotations

import importlib
import inspect
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cmo.cli.app import EXIT_FINDINGS, EXIT_OK, fail_usage
from cmo.cli.options import JobsOption, NoCacheOption, PathsArg, TheoriesOption
from cmo.cli.query_options import FilterArgs, check_filters, evidence_or_exit, with_filters

if TYPE_CHECKING:
    from cmo.analysis.matrix import Matrix

EPILOG = (
    "Examples: cmo matrix mechanism outcome; cmo matrix mechanism source --programme riverside-bridges; "
    "cmo matrix context participant.role; cmo matrix mechanism outcome --cells quotes --out matrix.html"
)
DIMENSIONS_HELP = (
    "context, intervention, actor, mechanism (resource and reasoning codes too), resource, reasoning, outcome, "
    "enabler, barrier, source, programme, coder, stance, cmoc, transcript or participant.ATTRIBUTE "
    "(participant.role too)."
)


class Cells(StrEnum):
    passages = "passages"
    transcripts = "transcripts"
    quotes = "quotes"


class MatrixFormat(StrEnum):
    text = "text"
    md = "md"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"
    html = "html"


FORMAT_BY_SUFFIX = {".txt": "text", ".md": "md", ".csv": "csv", ".json": "json", ".xlsx": "xlsx", ".html": "html"}


def register(app: typer.Typer) -> None:
    """Add `cmo matrix` to the `cmo` command."""
    app.command("matrix", epilog=EPILOG)(matrix_command)


@with_filters
def matrix_command(
    row_dimension: Annotated[str, typer.Argument(metavar="ROWS", help=f"The rows: {DIMENSIONS_HELP}")],
    column_dimension: Annotated[str, typer.Argument(metavar="COLS", help="The columns: any dimension ROWS can be.")],
    paths: PathsArg = None,
    cells: Annotated[
        Cells, typer.Option("--cells", help="What a cell counts: distinct passages or transcripts; quotes lists them.")
    ] = Cells.passages,
    fmt: Annotated[
        MatrixFormat | None,
        typer.Option(
            "--format", "-f", help="Output format (default: from --out's suffix, else text).", show_default=False
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")] = None,
    include_none: Annotated[
        bool, typer.Option("--include-none", help="Count records with no value in a dimension under '(none)'.")
    ] = False,
    theories: TheoriesOption = None,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
    *,
    filters: FilterArgs,
) -> None:
    """Cross two dimensions of the evidence (mechanism by outcome, context by participant.role, ...) as a matrix.

    A cell counts distinct passages: a passage two coders coded counts once. Exit 1 when the corpus has errors.
    """
    from cmo.analysis.matrix import build_matrix
    from cmo.analysis.selection import selected

    chosen = fmt.value if fmt else FORMAT_BY_SUFFIX.get(out.suffix.lower(), "text") if out else "text"
    if chosen == "xlsx" and out is None:
        fail_usage("--format xlsx needs --out FILE")
    wanted = filters.parse()
    rows, columns = _dimension_or_exit(row_dimension, None), _dimension_or_exit(column_dimension, None)
    evidence = evidence_or_exit(paths, theories, jobs, no_cache)
    found = selected(evidence.iter_rows(), wanted)
    matrix = build_matrix(
        found, rows, columns, cells == Cells.quotes, include_none=include_none, code_labels=evidence.labels()
    )
    check_filters(wanted, evidence)  # every row read: what the records name is known
    for given in (row_dimension, column_dimension):
        _dimension_or_exit(given, set(evidence.seen.attributes))
    _write(matrix, chosen, cells.value, out)
    raise typer.Exit(EXIT_OK if evidence.ok else EXIT_FINDINGS)


def _dimension_or_exit(given: str, attributes: set[str] | None) -> str:
    """The dimension's canonical name, or a usage error; `attributes` None takes any participant attribute."""
    from cmo.analysis.dimensions import DimensionError, canonical

    try:
        return canonical(given, attributes)
    except DimensionError as exc:
        fail_usage(str(exc))


def _rendered(matrix: Matrix, chosen: str, cells: str) -> str | bytes:
    """The matrix in a file format; xlsx and HTML from their own renderers (cmo.render.matrix_xlsx, matrix_html)."""
    from cmo.render import matrix_text

    if chosen == "md":
        return matrix_text.render_md(matrix, cells)
    if chosen == "csv":
        return matrix_text.render_csv(matrix, cells)
    if chosen == "json":
        return matrix_text.render_json(matrix, cells)
    if chosen == "xlsx":
        return _call("cmo.render.matrix_xlsx", "matrix_workbook", cells, matrix)  # type: ignore[no-any-return]
    if chosen == "html":
        title = f"{matrix.row_dimension} by {matrix.column_dimension}"
        return _call("cmo.render.matrix_html", "matrix_page", cells, matrix, title)  # type: ignore[no-any-return]
    return _text(matrix, cells)


def _call(module: str, name: str, cells: str, *args: Any) -> Any:
    """A renderer another module owns, given `cells` when it takes it."""
    function = getattr(importlib.import_module(module), name)
    takes_cells = "cells" in inspect.signature(function).parameters
    return function(*args, cells=cells) if takes_cells else function(*args)


def _text(matrix: Matrix, cells: str) -> str:
    """The terminal's table as plain text (no colour), for a file."""
    import io

    from rich.console import Console

    from cmo.cli.matrix_table import print_matrix

    buffer = io.StringIO()
    print_matrix(matrix, Console(file=buffer, width=200, color_system=None, highlight=False), cells)
    return buffer.getvalue()


def _write(matrix: Matrix, chosen: str, cells: str, out: Path | None) -> None:
    from cmo.cli.writing import write_output

    if out is None and chosen == "text":
        from cmo.cli.matrix_table import print_matrix
        from cmo.cli.output import console

        print_matrix(matrix, console(), cells)
        return
    rendered = _rendered(matrix, chosen, cells)
    if out is not None:
        write_output(out, [rendered])
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(rendered.encode("utf-8") if isinstance(rendered, str) else rendered)
    sys.stdout.buffer.flush()
