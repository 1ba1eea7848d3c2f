"""`cmo compare`: programme theories side by side: attributes, codes by role, CMOCs paired across programmes."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cmo.across.matching import DEFAULT_THRESHOLD
from cmo.cli.app import EXIT_OK, fail_usage
from cmo.cli.options import (
    CompareFormat,
    CorpusOption,
    ProgrammesArg,
    StaleStrictOption,
    TheoriesOption,
    ThresholdOption,
)


def register(app: typer.Typer) -> None:
    """Add `cmo compare` to the `cmo` command."""
    app.command(
        "compare", epilog="Example: cmo compare northcliffe-connect riverside-bridges --format md > comparison.md"
    )(compare_command)


def compare_command(
    programmes: ProgrammesArg,
    fmt: Annotated[CompareFormat, typer.Option("--format", "-f", help="Output format.")] = CompareFormat.text,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    theories: TheoriesOption = None,
    corpus: CorpusOption = None,
    strict: StaleStrictOption = False,
) -> None:
    """Compare programme theories: attributes, codes by role (converge / diverge), CMOCs paired across programmes."""
    from cmo.across.compare import compare
    from cmo.cli.inputs import default_corpus, theories_folder, theories_or_exit, warn_if_stale
    from cmo.core.diagnostics import Diagnostics
    from cmo.corpus.layout import discover
    from cmo.render.compare_text import format_json, format_markdown, format_text

    theories = theories_folder(theories)
    if len(programmes) < 2:
        fail_usage("compare needs at least two programmes")
    diagnostics = Diagnostics()
    loaded = theories_or_exit(programmes, theories, diagnostics)
    warn_if_stale([theory.programme.id for theory in loaded], theories, corpus or default_corpus(), strict=strict)
    codebooks = Diagnostics()  # a corpus with problems still gives labels; `cmo validate` reports them
    comparison = compare(loaded, discover([corpus or default_corpus()], codebooks), threshold)
    render = {CompareFormat.text: format_text, CompareFormat.md: format_markdown, CompareFormat.json: format_json}[fmt]
    sys.stdout.write(render(comparison))
    raise typer.Exit(EXIT_OK)
