"""`cmo report`: what people read, one programme's theory or the comparison of several, in the format asked for."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cmo.across.matching import DEFAULT_THRESHOLD
from cmo.cli.app import EXIT_FINDINGS, EXIT_OK, fail_usage
from cmo.cli.options import CorpusOption, ReportFormat, StaleStrictOption, TheoriesOption, ThresholdOption

if TYPE_CHECKING:
    from cmo.core.diagnostics import Diagnostics
    from cmo.render.formats import Renderer
    from cmo.render.view import Report
    from cmo.theory.model import OverarchingTheory, Theory
    from cmo.theory.refinement import Refinement


def register(app: typer.Typer) -> None:
    """Add `cmo report` to the `cmo` command."""
    app.command(
        "report",
        epilog="Examples: cmo report northcliffe-connect riverside-bridges --out report.html; cmo report northcliffe-connect --since ipt --format md",
    )(report_command)


def renderers() -> dict[str, Renderer]:
    """Every format `--format` offers: the core's renderers, and the terminal's rich layout as text."""
    from cmo.cli.report_text import render_text
    from cmo.render.formats import RENDERERS, Renderer

    return {"text": Renderer(render_text), **RENDERERS}


def _inputs_or_exit(
    names: list[str], theories: Path, diagnostics: Diagnostics
) -> tuple[list[Theory], OverarchingTheory | None]:
    """The programme theories named and the overarching theory to report (named, or the folder's), or exit 1.

    The folder's overarching theory joins a comparison report when every programme it spans is in the report.
    """
    from cmo.cli.output import print_diagnostics
    from cmo.theory.store import TheoryError, load_named, overarching_beside

    try:
        loaded = load_named(names, theories, diagnostics, overarching_ok=True)
    except TheoryError:
        print_diagnostics(diagnostics.sorted())
        raise typer.Exit(EXIT_FINDINGS) from None
    overarching = loaded.overarching
    if overarching is None and len(loaded.theories) > 1:
        overarching = overarching_beside(theories, diagnostics)
        if diagnostics.errors:
            print_diagnostics(diagnostics.sorted())
            raise typer.Exit(EXIT_FINDINGS)
        reported = {theory.programme.id for theory in loaded.theories}
        if overarching is not None and not set(overarching.programmes) <= reported:
            overarching = None
    return loaded.theories, overarching


def _refinement_or_exit(since: str, names: list[str], theories: Path, loaded: list[Theory]) -> list[Refinement]:
    """Each programme theory against its version at `since`: exit 2 when git cannot say, 1 when that version is broken."""
    from cmo.cli.output import print_diagnostics
    from cmo.core.diagnostics import Diagnostics
    from cmo.theory.git import GitError
    from cmo.theory.refinement import refinements_since, theory_paths

    if not loaded:
        fail_usage("--since compares programme theories with their past; the overarching theory alone has none")
    diagnostics = Diagnostics()
    try:
        found = refinements_since(since, loaded, theory_paths(names, theories), diagnostics)
    except GitError as exc:
        fail_usage(str(exc))
    print_diagnostics(diagnostics.sorted())
    if diagnostics.errors:
        raise typer.Exit(EXIT_FINDINGS)
    return found


def report_command(
    programmes: Annotated[
        list[str] | None,
        typer.Argument(
            help="Programme ids or theory files (default: every programme theory in --theories).", show_default=False
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option("--format", "-f", help="Output format (default: from --out's suffix, else text)."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")] = None,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    theories: TheoriesOption = None,
    corpus: CorpusOption = None,
    strict: StaleStrictOption = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="REV",
            help="Add how the theory was refined since git revision REV (e.g. the tag where the initial "
            "programme theory was agreed): each CMOC's status, statement and evidence then and now.",
        ),
    ] = None,
) -> None:
    """Render what people read: one programme's theory, the comparison of several, or the overarching theory, as HTML, Markdown, Excel, CSV, JSON or text."""
    from cmo.across.compare import compare
    from cmo.cli.inputs import default_corpus, theories_folder, warn_if_stale
    from cmo.cli.output import console, progress
    from cmo.cli.writing import write_output
    from cmo.core.diagnostics import Diagnostics
    from cmo.corpus.layout import discover
    from cmo.render.formats import FORMAT_BY_SUFFIX
    from cmo.render.view import build_report
    from cmo.theory.store import programme_theory_names

    theories = theories_folder(theories)
    chosen = fmt.value if fmt else FORMAT_BY_SUFFIX.get(out.suffix.lower(), "text") if out else "text"
    renderer = renderers()[chosen]
    if renderer.binary and out is None:
        fail_usage(f"--format {chosen} needs --out FILE")
    names = list(programmes or []) or programme_theory_names(theories)
    if not names:
        fail_usage(f"no programme theories in {theories}/ (run `cmo merge` first)")
    diagnostics = Diagnostics()
    with progress(f"loading {len(names)} programme theories"):
        loaded, overarching = _inputs_or_exit(names, theories, diagnostics)
        if loaded:
            warn_if_stale(
                [theory.programme.id for theory in loaded], theories, corpus or default_corpus(), strict=strict
            )
        comparison = None
        if len(loaded) > 1:
            comparison = compare(loaded, discover([corpus or default_corpus()], Diagnostics()), threshold)
        trail = _refinement_or_exit(since, names, theories, loaded) if since is not None else []
        report = build_report(loaded, comparison, overarching, trail)
        if chosen == "html" and loaded:  # the HTML report shows each programme's matrices after its CMOCs
            from cmo.analysis.matrix import programme_matrices

            report.matrices = programme_matrices([theory.programme.id for theory in loaded], corpus or default_corpus())
    if chosen == "text" and out is None:  # straight to the terminal: rich sizes the tables to it
        from cmo.cli.report_text import print_report

        print_report(report, console())
        raise typer.Exit(EXIT_OK)
    chunks = _chunks(chosen, renderer, report)
    if out is None:
        for data in chunks:
            if isinstance(data, bytes):
                sys.stdout.buffer.write(data)
            else:
                sys.stdout.write(data)
    else:
        write_output(out, chunks)
        typer.echo(f"wrote {out}")
    raise typer.Exit(EXIT_OK)


def _chunks(chosen: str, renderer: Renderer, report: Report) -> Iterable[str | bytes]:
    """The rendered report in pieces: HTML a piece at a time (never the whole page held), any other format whole."""
    if chosen == "html":
        from cmo.render.html import html_chunks

        return html_chunks(report)
    return [renderer.render(report)]
