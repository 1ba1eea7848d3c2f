"""Printing for the commands: diagnostics, summaries and tables (rich lives here, not in the core)."""

from __future__ import annotations

import contextlib
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import typer

from cmo.core.words import numbered

if TYPE_CHECKING:
    from rich.console import Console

    from cmo.core.diagnostics import Diagnostic
    from cmo.corpus.codebook_usage import CodebookUsage
    from cmo.corpus.coding import CodingResult


def console(*, stderr: bool = False) -> Console:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Rich assumes 80 columns when output is piped; tables then truncate codes, so allow more.
    width = None if stream.isatty() else 160
    return Console(stderr=stderr, highlight=False, width=width)


def print_diagnostics(diagnostics: Sequence[Diagnostic], *, stderr: bool = True) -> None:
    from cmo.render.diagnostics import format_text

    stream = sys.stderr if stderr else sys.stdout
    stream.write(format_text(diagnostics))


def warn(warnings: list[str]) -> None:
    """Notes that are not findings (say, the coding cache could not be saved): stderr, never the exit code."""
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)


@contextlib.contextmanager
def progress(description: str) -> Iterator[None]:
    """A transient spinner on long runs, only when a person is watching a terminal."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    # On stderr, so a report written to standard output is never mixed with the spinner.
    spinner = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        transient=True,
        console=Console(stderr=True),
    )
    with spinner as shown:
        shown.add_task(description, total=None)
        yield


def tally(diagnostics: Sequence[Diagnostic], transcripts: int, theories: int = 0) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    checked = [numbered(transcripts, "transcript")] if transcripts or not theories else []
    if theories:
        checked.append(numbered(theories, "theory file"))
    return f"{numbered(errors, 'error')}, {numbered(len(diagnostics) - errors, 'warning')} in {' and '.join(checked)}"


def coding_summary(result: CodingResult, out: Console) -> None:
    """Per programme: transcripts, of each source type, records, and how many of its codes the records use."""
    from rich.table import Table

    from cmo.corpus.models import SourceType

    sources = list(SourceType)
    out.print("CMO records")
    table = Table(caption="interview ... workshop: transcripts of each kind")
    table.add_column("programme")
    table.add_column("transcripts", justify="right")
    for source in sources:
        table.add_column(source.value, justify="right")
    table.add_column("records", justify="right")
    table.add_column("codes used", justify="right")
    by_programme: dict[str, Counter[str]] = {}
    records: Counter[str] = Counter()
    used: dict[str, set[str]] = {}
    for transcript in result.transcripts:
        if transcript.source is not None:
            by_programme.setdefault(transcript.programme, Counter())[transcript.source] += 1
        records[transcript.programme] += transcript.record_count
        used.setdefault(transcript.programme, set()).update(transcript.code_uses)
    transcripts = Counter(t.programme for t in result.transcripts)
    programmes = result.corpus.programmes if result.corpus else {}
    for programme_id, programme in programmes.items():
        counts = by_programme.get(programme_id, Counter())
        table.add_row(
            programme_id,
            str(transcripts[programme_id]),
            *(str(counts[source]) for source in sources),
            str(records[programme_id]),
            f"{len(used.get(programme_id, ()))}/{len(programme.codes)}",
        )
    out.print(table)


def codebook_tables(report: CodebookUsage) -> None:
    from rich.table import Table

    out = console()
    programmes = sorted({c.programme for c in report.codes}, key=[c.programme for c in report.codes].index)
    for programme in programmes:
        out.print(f"codebook of {programme}")
        table = Table()
        for column in ("code", "kind", "label", "uses", "from"):
            table.add_column(column, justify="right" if column == "uses" else "left")
        for code in report.codes:
            if code.programme == programme:
                table.add_row(code.code, code.kind, code.label, str(code.uses), "shared" if code.shared else programme)
        out.print(table)
    if report.undeclared:
        out.print("used but not declared")
        table = Table()
        for column in ("programme", "code", "uses", "first use", "closest declared code"):
            table.add_column(column)
        for missing in report.undeclared:
            table.add_row(missing.programme, missing.code, str(missing.uses), missing.first_use, missing.closest or "-")
        out.print(table)
