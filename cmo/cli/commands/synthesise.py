"""`cmo synthesise`: write an overarching theory: what converges across programmes, and what is context-specific."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cmo.across.matching import DEFAULT_THRESHOLD
from cmo.cli.app import EXIT_FINDINGS, EXIT_OK, fail_usage
from cmo.cli.options import CorpusOption, ProgrammesArg, StaleStrictOption, TheoriesOption, ThresholdOption


def register(app: typer.Typer) -> None:
    """Add `cmo synthesise` (and its US spelling) to the `cmo` command."""
    app.command("synthesise", epilog="Example: cmo synthesise northcliffe-connect riverside-bridges")(
        synthesise_command
    )
    app.command("synthesize", hidden=True, epilog="Example: cmo synthesise northcliffe-connect riverside-bridges")(
        synthesise_command
    )  # the same, in US spelling


def synthesise_command(
    programmes: ProgrammesArg,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="The overarching theory file to write (default: overarching.yaml in --theories)."
        ),
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 when --out is stale.")] = False,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    theories: TheoriesOption = None,
    corpus: CorpusOption = None,
    strict: StaleStrictOption = False,
) -> None:
    """Write an overarching theory: converged CMOCs and concepts across programmes, and what is context-specific."""
    from cmo.across.compare import compare
    from cmo.across.synthesis import synthesis_text
    from cmo.cli.inputs import default_corpus, theories_folder, theories_or_exit, warn_if_stale
    from cmo.cli.output import print_diagnostics
    from cmo.cli.writing import curated, write_curated
    from cmo.core.diagnostics import Diagnostics
    from cmo.core.files import Curated
    from cmo.core.paths import display_path
    from cmo.corpus.layout import discover
    from cmo.theory.store import existing_overarching

    if len(programmes) < 2:
        fail_usage("synthesise needs at least two programmes")
    theories = theories_folder(theories, writes=None if out is not None or check else "synthesise")
    out = out if out is not None else theories / "overarching.yaml"
    diagnostics = Diagnostics()
    shown = display_path(out)
    loaded = theories_or_exit(programmes, theories, diagnostics)
    warn_if_stale([theory.programme.id for theory in loaded], theories, corpus or default_corpus(), strict=strict)
    comparison = compare(loaded, discover([corpus or default_corpus()], Diagnostics()), threshold)
    with curated(out.parent, check=check, shown=shown, others="merge") as files:
        existing = existing_overarching(out, shown, diagnostics)
        if diagnostics.errors:  # unreadable, or not an overarching theory: never overwritten
            print_diagnostics(diagnostics.sorted())
            raise typer.Exit(EXIT_FINDINGS)
        text = synthesis_text(existing, comparison, loaded, shown, diagnostics)
        print_diagnostics(diagnostics.sorted())
        done = write_curated(files, out, shown, text, changed=text != existing)
        if done is Curated.STALE:
            typer.echo(f"{shown}: stale: run `cmo synthesise` to update it")
            raise typer.Exit(EXIT_FINDINGS)
        typer.echo(f"{shown}: {done}")
    raise typer.Exit(EXIT_OK)
