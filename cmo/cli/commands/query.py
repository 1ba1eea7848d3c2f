"""`cmo query`: the evidence behind a question, as `grep` for CMOs: one hit per line, or JSON Lines, CSV, Markdown, counts."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cmo.cli.app import EXIT_FINDINGS, EXIT_OK
from cmo.cli.options import JobsOption, NoCacheOption, PathsArg, TheoriesOption
from cmo.cli.query_options import FilterArgs, check_filters, evidence_or_exit, with_filters

EPILOG = (
    "Examples: cmo query --mechanism building-trust; "
    "cmo query --programme riverside-bridges --barrier provider-distrust --format md; "
    "cmo query --where role='peer worker' --stance refines; cmo query --text 'trust' --source interview --count"
)


class QueryFormat(StrEnum):
    text = "text"
    jsonl = "jsonl"
    csv = "csv"
    md = "md"


def register(app: typer.Typer) -> None:
    """Add `cmo query` to the `cmo` command."""
    app.command("query", epilog=EPILOG)(query_command)


@with_filters
def query_command(
    paths: PathsArg = None,
    fmt: Annotated[QueryFormat, typer.Option("--format", "-f", help="Output format.")] = QueryFormat.text,
    count: Annotated[
        bool, typer.Option("--count", "-c", help="Counts only: hits (records), distinct passages, transcripts.")
    ] = False,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")] = None,
    theories: TheoriesOption = None,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
    *,
    filters: FilterArgs,
) -> None:
    """Find the evidence that answers a question: records by code, role, CMOC, source, stance, coder, participant, date or words.

    Each hit is one coded record, printed as `path:line: [cmoc] quote`; a passage two coders coded is two hits
    and one distinct passage. Exit 1 when the corpus has errors (the hits are those of the records it has).
    """
    from cmo.analysis.selection import select
    from cmo.cli.writing import write_output
    from cmo.render.query_text import count_chunks, query_chunks

    wanted = filters.parse()
    evidence = evidence_or_exit(paths, theories, jobs, no_cache)
    hits = select(evidence.iter_rows(), wanted)  # holds the hits only
    check_filters(wanted, evidence)  # every row read: what the records name is known
    chunks = count_chunks(hits, fmt.value) if count else query_chunks(hits, fmt.value)
    if out is None:
        sys.stdout.flush()
        for chunk in chunks:
            sys.stdout.buffer.write(chunk.encode("utf-8"))  # UTF-8 whatever the locale, CSV's CRLF as written
        sys.stdout.buffer.flush()
    else:
        write_output(out, chunks)
    raise typer.Exit(EXIT_OK if evidence.ok else EXIT_FINDINGS)
