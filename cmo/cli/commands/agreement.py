"""`cmo agreement`: inter-coder agreement on double-coded passages, from blocks side by side or from git branches."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cmo.cli.app import EXIT_FINDINGS, EXIT_OK, fail_usage
from cmo.cli.options import PathsArg, TheoriesOption

if TYPE_CHECKING:
    from collections.abc import Callable

    from cmo.analysis.agreement import Agreement


class AgreementFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"
    csv = "csv"


def register(app: typer.Typer) -> None:
    """Add `cmo agreement` to the `cmo` command."""
    app.command(
        "agreement",
        epilog="Examples: cmo agreement; cmo agreement corpus/northcliffe-connect --format json; "
        "cmo agreement --rev alice --rev bob",
    )(agreement_command)


def agreement_command(
    paths: PathsArg = None,
    revs: Annotated[
        list[str] | None,
        typer.Option(
            "--rev",
            help="A revision (branch, tag, commit) standing for one coder; give two or more to compare "
            "the same transcripts between them.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[AgreementFormat, typer.Option("--format", "-f", help="Output format.")] = AgreementFormat.text,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the output to FILE.")] = None,
    theories: TheoriesOption = None,
) -> None:
    """Inter-coder agreement: alpha, kappa and agreement per role, code and configuration, and every disagreement."""
    from cmo.cli.inputs import corpus_paths
    from cmo.cli.output import print_diagnostics, warn

    given = corpus_paths(paths)
    found = _by_revisions(given, revs) if revs else _by_blocks(given, theories, paths)
    warn(found.warnings)
    print_diagnostics(found.diagnostics)
    if not found.ok:
        typer.echo("cmo: agreement not measured: fix the errors above first", err=True)
        raise typer.Exit(EXIT_FINDINGS)
    output = _render(found, fmt)
    if out is not None:
        from cmo.cli.writing import write_output

        write_output(out, [output])
    elif isinstance(output, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(output)
    else:
        sys.stdout.write(output)
    raise typer.Exit(EXIT_OK)


def _by_blocks(given: list[Path], theories: Path | None, paths: list[Path] | None) -> Agreement:
    from cmo.analysis.agreement import of_corpus
    from cmo.cli.inputs import theories_folder, warn_if_stale

    folder = theories_folder(theories, paths)
    found = of_corpus(given, folder)
    if found.ok and found.units:  # configurations come from the theories: say when they are behind the corpus
        from cmo.core.diagnostics import Diagnostics
        from cmo.corpus.layout import discover

        corpus = discover(given, Diagnostics())
        if corpus is not None:
            warn_if_stale(sorted(corpus.programmes), folder, corpus.root, strict=False)
    return found


def _by_revisions(given: list[Path], revs: list[str]) -> Agreement:
    from cmo.analysis.agreement import of_revisions
    from cmo.analysis.revisions import RevisionError
    from cmo.core.diagnostics import Diagnostics
    from cmo.corpus.layout import discover

    if len(revs) < 2:
        fail_usage("--rev compares revisions: give two or more (`--rev alice --rev bob`)")
    repeated = sorted({rev for rev in revs if revs.count(rev) > 1})
    if repeated:
        fail_usage(f"--rev {repeated[0]!r} is given twice: each revision stands for one coder")
    corpus = discover(given, Diagnostics())
    if corpus is None:
        fail_usage(f"cannot find a corpus at {' '.join(str(path) for path in given)} in the working tree")
    try:
        return of_revisions(corpus.root, given, revs)
    except RevisionError as exc:
        fail_usage(str(exc))


def _render(found: Agreement, fmt: AgreementFormat) -> str | bytes:
    from cmo.render.agreement_text import format_csv, format_json, format_md, format_text

    renderers: dict[AgreementFormat, Callable[[Agreement], str | bytes]] = {
        AgreementFormat.text: format_text,
        AgreementFormat.md: format_md,
        AgreementFormat.json: format_json,
        AgreementFormat.csv: format_csv,
    }
    return renderers[fmt](found)
