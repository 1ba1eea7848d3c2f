"""`cmo import`: carry CMOCs from one programme theory into another as hypotheses to test (status: imported)."""

from __future__ import annotations

from typing import Annotated

import typer

from cmo.across.matching import DEFAULT_THRESHOLD
from cmo.cli.app import EXIT_FINDINGS, EXIT_OK
from cmo.cli.options import CorpusOption, StaleStrictOption, TheoriesOption, ThresholdOption
from cmo.core.words import numbered


def register(app: typer.Typer) -> None:
    """Add `cmo import` to the `cmo` command."""
    app.command(
        "import",
        epilog="Example: cmo import northcliffe-connect --into riverside-bridges --cmoc belonging-staff-understand-group --dry-run",
    )(import_command)


def import_command(
    source: Annotated[str, typer.Argument(help="Programme (or theory file) to import CMOCs from.")],
    into: Annotated[str, typer.Option("--into", help="Programme (or theory file) to import them into.")],
    cmoc: Annotated[list[str] | None, typer.Option("--cmoc", help="Only this CMOC (repeat for several).")] = None,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    theories: TheoriesOption = None,
    corpus: CorpusOption = None,
    strict: StaleStrictOption = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write nothing; print what the import would do.")] = False,
    allow_partial: Annotated[
        bool,
        typer.Option(
            "--allow-partial",
            help="Import a CMOC even when part of its configuration has no equivalent (kept as untranslated).",
        ),
    ] = False,
) -> None:
    """Carry CMOCs from one programme theory into another as hypotheses to test (status: imported)."""
    from cmo.across.compare import codebooks_for
    from cmo.across.importing import ImportFailed, code_kinds, import_text, report_lines, translations
    from cmo.cli.inputs import default_corpus, theories_folder, theories_or_exit, warn_if_stale
    from cmo.cli.output import print_diagnostics
    from cmo.cli.writing import curated, write_curated
    from cmo.core.diagnostics import Diagnostics
    from cmo.core.paths import display_path
    from cmo.corpus.layout import discover
    from cmo.theory.store import resolve_theory

    theories = theories_folder(theories, writes=None if dry_run else "import")
    diagnostics = Diagnostics()
    loaded = theories_or_exit([source, into], theories, diagnostics)
    warn_if_stale([theory.programme.id for theory in loaded], theories, corpus or default_corpus(), strict=strict)
    origin, target = loaded
    found = discover([corpus or default_corpus()], Diagnostics())
    codebooks = codebooks_for(loaded, found)
    path = resolve_theory(into, theories)
    shown = display_path(path)
    translate = translations(origin, target, codebooks, code_kinds(found), threshold)
    labels = codebooks[target.programme.id]
    try:
        with curated(path.parent, check=dry_run, shown=shown, others="merge or import") as files:
            before = path.read_bytes().decode("utf-8-sig")
            result = import_text(origin, target, before, translate, labels, cmoc, diagnostics, shown, allow_partial)
            write_curated(files, path, shown, result.text, changed=result.text != before)
    except ImportFailed:
        print_diagnostics(diagnostics.sorted())
        raise typer.Exit(EXIT_FINDINGS) from None
    print_diagnostics(diagnostics.sorted())
    for line in report_lines(result, origin.programme.id, target.programme.id, dry_run=dry_run):
        typer.echo(line)
    typer.echo(_summary(shown, origin.programme.id, len(result.imported), len(result.cmocs), dry_run))
    raise typer.Exit(EXIT_FINDINGS if diagnostics.errors else EXIT_OK)


def _summary(shown: str, source: str, imported: int, asked: int, dry_run: bool) -> str:
    refused = f", {asked - imported} not imported" if asked > imported else ""
    cmocs = numbered(imported, "CMOC")
    if dry_run:
        return f"{shown}: {cmocs} would be imported from {source}{refused} (dry run: nothing written)"
    return f"{shown}: {cmocs} imported from {source}{refused}"
