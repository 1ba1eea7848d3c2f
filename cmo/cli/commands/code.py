"""`cmo code`: parse and validate transcripts into CMO records, print a summary, optionally write the records."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cmo.cli.app import EXIT_FINDINGS, EXIT_OK
from cmo.cli.options import JobsOption, NoCacheOption, PathsArg, RecordFormat


def register(app: typer.Typer) -> None:
    """Add `cmo code` to the `cmo` command."""
    app.command("code")(code_command)


def code_command(
    paths: PathsArg = None,
    out: Annotated[
        str | None, typer.Option("--out", "-o", help="Write the records to FILE ('-' for standard output).")
    ] = None,
    fmt: Annotated[RecordFormat, typer.Option("--format", "-f", help="Format of the records written.")] = (
        RecordFormat.jsonl
    ),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print diagnostics only, no summary.")] = False,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Parse and validate transcripts into CMO records; print a summary, optionally write the records."""
    from cmo.cli.inputs import corpus_paths
    from cmo.cli.output import coding_summary, console, print_diagnostics, tally, warn
    from cmo.cli.writing import write_output
    from cmo.corpus.coding import code_corpus
    from cmo.render.records import record_chunks

    result = code_corpus(corpus_paths(paths), jobs=jobs, cache=not no_cache, keep_records=out is not None)
    warn(result.warnings)
    print_diagnostics(result.diagnostics)
    to_stdout = out == "-"
    if not quiet:
        summary = console(stderr=to_stdout)
        coding_summary(result, summary)
        summary.print(tally(result.diagnostics, len(result.transcripts)))
    if out is not None:
        if not result.ok:
            typer.echo("cmo: records not written: fix the errors above first", err=True)
        elif to_stdout:
            for chunk in record_chunks(result.iter_records(), fmt.value):
                sys.stdout.write(chunk)
        else:
            write_output(Path(out), record_chunks(result.iter_records(), fmt.value))
            if not quiet:
                count = sum(transcript.record_count for transcript in result.transcripts)
                typer.echo(f"wrote {count} records to {out}", err=True)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)
