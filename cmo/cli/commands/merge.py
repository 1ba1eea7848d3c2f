"""`cmo merge`: build or update theories/<programme>.yaml from the records, keeping every curated field and comment."""

from __future__ import annotations

from typing import Annotated

import typer

from cmo.cli.app import EXIT_FINDINGS, EXIT_OK
from cmo.cli.options import JobsOption, NoCacheOption, PathsArg, TheoriesOption


def register(app: typer.Typer) -> None:
    """Add `cmo merge` to the `cmo` command."""
    app.command("merge", epilog="Examples: cmo merge; cmo merge --check (in CI: exit 1 when a theory is stale)")(
        merge_command
    )


def merge_command(
    paths: PathsArg = None,
    theories: TheoriesOption = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when a theory file is stale against the corpus.")
    ] = False,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Build or update theories/<programme>.yaml from the records, keeping every curated field and comment."""
    from cmo.cli.inputs import corpus_paths, theories_folder, whole_programmes
    from cmo.cli.output import print_diagnostics, warn
    from cmo.cli.writing import curated, write_curated
    from cmo.core.files import Curated
    from cmo.core.paths import display_path
    from cmo.corpus.coding import code_corpus
    from cmo.theory.merge import merge_corpus

    theories = theories_folder(theories, paths, writes=None if check else "merge")
    result = code_corpus(whole_programmes(corpus_paths(paths)), jobs=jobs, cache=not no_cache)
    warn(result.warnings)
    print_diagnostics(result.diagnostics)
    if not result.ok:
        typer.echo("cmo: nothing merged: fix the errors above first", err=True)
        raise typer.Exit(EXIT_FINDINGS)
    failed = False
    with curated(theories, check=check, shown=theories, others="merge") as files:
        for outcome in merge_corpus(result, theories, jobs):
            print_diagnostics(outcome.diagnostics)
            shown = display_path(outcome.path)
            if outcome.text is None:
                failed = True
                typer.echo(f"{shown}: not merged: fix the errors above first", err=True)
                continue
            done = write_curated(files, outcome.path, shown, outcome.text, changed=outcome.changed)
            if done is Curated.STALE:
                failed = True
                typer.echo(f"{shown}: stale: run `cmo merge` to update it")
            elif done is Curated.UPDATED or not check:  # --check names only what is stale
                typer.echo(f"{shown}: {done}")
    if not failed and not check and not no_cache and result.corpus is not None:
        from cmo.theory import stamp

        # Every theory file is now what merge writes: the next staleness check need not code or merge again.
        programmes = result.corpus.programmes.values()
        stamp.record([source.folder for source in programmes], theories, [source.id for source in programmes])
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)
