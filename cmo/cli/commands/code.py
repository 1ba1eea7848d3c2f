"""`cmo code`: parse and validate transcripts into CMO records, print a summary, optionally write the records."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cmo.cli.app import EXIT_FINDINGS, EXIT_OK, fail_usage
from cmo.cli.options import JobsOption, NoCacheOption, PathsArg, RecordFormat

if TYPE_CHECKING:
    from cmo.corpus.coding import CodingResult


def register(app: typer.Typer) -> None:
    """Add `cmo code` to the `cmo` command."""
    app.command("code", epilog="Examples: cmo code; cmo code corpus/northcliffe-connect --out records.csv")(
        code_command
    )


def code_command(
    paths: PathsArg = None,
    out: Annotated[
        str | None, typer.Option("--out", "-o", help="Write the records to FILE ('-' for standard output).")
    ] = None,
    fmt: Annotated[
        RecordFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Format of the records written (default: from --out's suffix; jsonl for standard output).",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print diagnostics only, no summary.")] = False,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Parse and validate transcripts into CMO records; print a summary, optionally write the records."""
    from cmo.cli.inputs import corpus_paths
    from cmo.cli.output import coding_summary, console, print_diagnostics, tally, warn
    from cmo.cli.writing import write_output
    from cmo.corpus.coding import code_corpus
    from cmo.render.records import records_workbook

    chosen = _records_format(out, fmt)
    result = code_corpus(
        corpus_paths(paths), jobs=jobs, cache=not no_cache, keep_records=out is not None, as_lines=chosen == "jsonl"
    )
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
            sys.stdout.flush()
            for chunk in _chunks(result, chosen):
                sys.stdout.buffer.write(chunk.encode("utf-8"))  # UTF-8 whatever the locale, CSV's CRLF as written
        else:
            write_output(
                Path(out), [records_workbook(result.iter_records())] if chosen == "xlsx" else _chunks(result, chosen)
            )
            if not quiet:
                count = sum(transcript.record_count for transcript in result.transcripts)
                typer.echo(f"wrote {count} records to {out}", err=True)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)


def _chunks(result: CodingResult, chosen: str) -> Iterator[str]:
    """The records as text in the chosen format: JSON from their data or text as coded, never through models."""
    from cmo.render.records import jsonl_chunks, record_chunks

    if chosen == "jsonl":
        return jsonl_chunks(result.iter_record_lines())
    if chosen == "json":
        return record_chunks(result.iter_record_dicts(), chosen)
    return record_chunks(result.iter_records(), chosen)


def _records_format(out: str | None, fmt: RecordFormat | None) -> str:
    """--format, else --out's suffix; standard output, a device or a pipe take JSONL; anything else is exit 2."""
    from cmo.render.records import RECORD_FORMAT_BY_SUFFIX, record_format

    if fmt is not None:
        chosen: str | None = fmt.value
    elif out is None or out == "-":
        chosen = "jsonl"
    else:
        chosen = record_format(Path(out))
        if chosen is None and os.path.exists(out) and not os.path.isfile(out) and not os.path.isdir(out):
            chosen = "jsonl"  # /dev/stdout, /dev/full, a named pipe: written to as standard output is
    if chosen is None:
        suffixes, formats = _either(list(RECORD_FORMAT_BY_SUFFIX)), _either(list(RecordFormat))
        fail_usage(
            f"cannot tell the records format from --out {out}: end the file name in {suffixes}, "
            f"or give --format {formats}"
        )
    if chosen == RecordFormat.xlsx and out == "-":
        fail_usage("--format xlsx writes a workbook, which cannot go to standard output: give --out FILE.xlsx")
    return chosen


def _either(choices: list[str]) -> str:
    return ", ".join(choices[:-1]) + " or " + choices[-1]
