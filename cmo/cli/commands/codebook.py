"""`cmo codebook`: each programme's codes with kind, label and use, and codes used but never declared."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cmo.cli.app import EXIT_FINDINGS, EXIT_OK
from cmo.cli.options import ListFormat


def register(app: typer.Typer) -> None:
    """Add `cmo codebook` to the `cmo` command."""
    app.command("codebook")(codebook_command)


def codebook_command(
    path: Annotated[Path | None, typer.Argument(help="Corpus or programme folder (default: corpus/).")] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.text,
) -> None:
    """List each programme's codes with kind, label and use; and codes used but never declared."""
    from cmo.cli.inputs import corpus_paths
    from cmo.cli.output import codebook_tables
    from cmo.corpus.codebook_usage import usage
    from cmo.corpus.coding import code_corpus

    result = code_corpus(corpus_paths([path] if path else None), keep_records=False)
    report = usage(result)
    if fmt is ListFormat.json:
        import json

        sys.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        codebook_tables(report)
    raise typer.Exit(EXIT_FINDINGS if report.undeclared else EXIT_OK)
