"""`cmo compare`: programme theories side by side: attributes, codes by role, CMOCs paired across programmes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cmo.across.matching import DEFAULT_THRESHOLD
from cmo.cli.app import EXIT_OK, fail_usage
from cmo.cli.options import CompareFormat, CorpusOption, ProgrammesArg, TheoriesOption, ThresholdOption


def register(app: typer.Typer) -> None:
    """Add `cmo compare` to the `cmo` command."""
    app.command("compare")(compare_command)


def compare_command(
    programmes: ProgrammesArg,
    fmt: Annotated[CompareFormat, typer.Option("--format", "-f", help="Output format.")] = CompareFormat.text,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    theories: TheoriesOption = Path("theories"),
    corpus: CorpusOption = None,
) -> None:
    """Compare programme theories: attributes, codes by role (converge / diverge), CMOCs paired across programmes."""
    from cmo.across.compare import compare
    from cmo.cli.inputs import theories_or_exit
    from cmo.core.diagnostics import Diagnostics
    from cmo.corpus.layout import default_corpus, discover
    from cmo.render.compare_text import format_json, format_markdown, format_text

    if len(programmes) < 2:
        fail_usage("compare needs at least two programmes")
    diagnostics = Diagnostics()
    loaded = theories_or_exit(programmes, theories, diagnostics)
    codebooks = Diagnostics()  # a corpus with problems still gives labels; `cmo validate` reports them
    comparison = compare(loaded, discover([corpus or default_corpus()], codebooks), threshold)
    render = {CompareFormat.text: format_text, CompareFormat.md: format_markdown, CompareFormat.json: format_json}[fmt]
    sys.stdout.write(render(comparison))
    raise typer.Exit(EXIT_OK)
