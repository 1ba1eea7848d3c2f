"""`cmo import`: carry CMOCs from one programme theory into another as hypotheses to test (status: imported)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cmo.across.matching import DEFAULT_THRESHOLD
from cmo.cli.app import EXIT_FINDINGS, EXIT_OK
from cmo.cli.options import CorpusOption, TheoriesOption, ThresholdOption


def register(app: typer.Typer) -> None:
    """Add `cmo import` to the `cmo` command."""
    app.command("import")(import_command)


def import_command(
    source: Annotated[str, typer.Argument(help="Programme (or theory file) to import CMOCs from.")],
    into: Annotated[str, typer.Option("--into", help="Programme (or theory file) to import them into.")],
    cmoc: Annotated[list[str] | None, typer.Option("--cmoc", help="Only this CMOC (repeat for several).")] = None,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    theories: TheoriesOption = Path("theories"),
    corpus: CorpusOption = None,
) -> None:
    """Carry CMOCs from one programme theory into another as hypotheses to test (status: imported)."""
    from cmo.across.compare import codebooks_for
    from cmo.across.importing import ImportFailed, code_kinds, import_text, translations
    from cmo.cli.inputs import theories_or_exit
    from cmo.cli.output import print_diagnostics
    from cmo.cli.writing import curated, write_curated
    from cmo.core.diagnostics import Diagnostics
    from cmo.core.paths import display_path
    from cmo.corpus.layout import default_corpus, discover
    from cmo.theory.store import resolve_theory

    diagnostics = Diagnostics()
    loaded = theories_or_exit([source, into], theories, diagnostics)
    origin, target = loaded
    found = discover([corpus or default_corpus()], Diagnostics())
    codebooks = codebooks_for(loaded, found)
    path = resolve_theory(into, theories)
    shown = display_path(path)
    translate = translations(origin, target, codebooks, code_kinds(found), threshold)
    try:
        with curated(path.parent, check=False, shown=shown, others="merge or import") as files:
            before = path.read_bytes().decode("utf-8-sig")
            labels = codebooks[target.programme.id]
            text, imported = import_text(origin, target, before, translate, labels, cmoc, diagnostics, shown)
            write_curated(files, path, shown, text, changed=text != before)
    except ImportFailed:
        print_diagnostics(diagnostics.sorted())
        raise typer.Exit(EXIT_FINDINGS) from None
    print_diagnostics(diagnostics.sorted())
    typer.echo(f"{shown}: {len(imported)} CMOCs imported from {origin.programme.id}")
    raise typer.Exit(EXIT_FINDINGS if diagnostics.errors else EXIT_OK)
