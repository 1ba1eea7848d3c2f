"""`cmo qdpx import` / `cmo qdpx export`: REFI-QDA projects in and out (NVivo, ATLAS.ti, MAXQDA, QualCoder)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from cmo.cli.app import EXIT_FINDINGS, EXIT_OK, fail_usage
from cmo.core.rules import Rule

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

qdpx_app = typer.Typer(
    epilog="Examples: cmo qdpx import project.qdpx --programme my-programme; cmo qdpx export --out corpus.qdpx",
    name="qdpx",
    help="Exchange coded projects with NVivo, ATLAS.ti, MAXQDA and QualCoder as REFI-QDA .qdpx files.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    """Add `cmo qdpx import` and `cmo qdpx export` to the `cmo` command."""
    app.add_typer(qdpx_app, name="qdpx")


def _write_all(files: dict[Path, str]) -> None:
    """Write every file, or, when one cannot be written, put back what was there and say why (exit 1)."""
    import contextlib

    from cmo.core.files import write_atomic, write_bytes_atomic
    from cmo.core.paths import display_path

    done: list[tuple[Path, bytes | None]] = []
    made: list[Path] = []
    path = next(iter(files), Path("."))
    try:
        for path, text in files.items():
            made += reversed([folder for folder in path.parents if not folder.exists()])
            before = path.read_bytes() if path.is_file() else None
            write_atomic(path, text)
            done.append((path, before))
    except OSError as exc:
        for written, before in reversed(done):
            with contextlib.suppress(OSError):
                if before is None:
                    written.unlink()
                else:
                    write_bytes_atomic(written, before)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty: never a folder that held anything before
        typer.echo(f"cmo: error: cannot write {display_path(path)}: {exc.strerror or exc}", err=True)
        typer.echo("cmo: nothing imported", err=True)
        raise typer.Exit(EXIT_FINDINGS) from None


@qdpx_app.command(
    "import",
    no_args_is_help=True,
    epilog="Example: cmo qdpx import project.qdpx --programme my-programme --source-type interview",
)
def import_command(
    file: Annotated[Path, typer.Argument(help="The .qdpx project to import.", show_default=False)],
    programme: Annotated[str, typer.Option("--programme", "-p", help="Id of the programme to import into.")],
    corpus: Annotated[
        Path | None, typer.Option("--corpus", help="Corpus folder (default: the study's corpus/).", show_default=False)
    ] = None,
    source_type: Annotated[
        str | None,
        typer.Option(
            "--source-type", help="Source type of sources without one: interview|observation|document|workshop."
        ),
    ] = None,
    code_map: Annotated[
        Path | None, typer.Option("--map", help="MAP.yaml giving codes their kind (and id): overrides the code tree.")
    ] = None,
    crlf: Annotated[
        int | None,
        typer.Option("--crlf", min=1, max=2, help="Count a CRLF line break as 1 or 2 positions (default: detect)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite transcripts that already exist.")] = False,
) -> None:
    """Import a REFI-QDA project: a transcript per text source, a `cmo` block per coded passage, the codebook."""
    from cmo.cli.inputs import corpus_to_write
    from cmo.cli.output import print_diagnostics, tally
    from cmo.core.paths import display_path
    from cmo.core.suggest import did_you_mean
    from cmo.corpus.coding import code_corpus
    from cmo.corpus.models import SourceType
    from cmo.qdpx.importer import ImportOptions, import_qdpx

    if not _SLUG.match(programme):
        fail_usage(f"programme id {programme!r} must be a slug (lower-case letters, digits and '-')")
    kinds = [kind.value for kind in SourceType]
    if source_type is not None and source_type not in kinds:
        fail_usage(f"--source-type {source_type!r} is not one of {', '.join(kinds)}{did_you_mean(source_type, kinds)}")
    corpus = corpus_to_write(corpus, "qdpx import")
    options = ImportOptions(
        programme=programme,
        corpus=corpus,
        source_type=SourceType(source_type) if source_type else None,
        code_map=code_map,
        crlf=crlf,
        force=force,
    )
    result = import_qdpx(file, options)
    print_diagnostics(result.diagnostics.items)  # in the order found: sources, then what was left out
    if result.diagnostics.errors:
        typer.echo("cmo: nothing imported: fix the errors above first", err=True)
        raise typer.Exit(EXIT_FINDINGS)
    _write_all(result.files)
    for path in result.files:
        typer.echo(f"wrote {display_path(path)}")
    coded = code_corpus([corpus / programme])
    print_diagnostics(coded.diagnostics)
    typer.echo(
        f"{programme}: {result.transcripts} transcripts with {result.annotations} annotations imported; "
        f"{len(coded.records)} records",
    )
    typer.echo(tally(coded.diagnostics, len(coded.transcripts)), err=True)
    raise typer.Exit(EXIT_OK if coded.ok else EXIT_FINDINGS)


@qdpx_app.command(
    "export", no_args_is_help=True, epilog="Example: cmo qdpx export northcliffe-connect --out northcliffe.qdpx"
)
def export_command(
    programmes: Annotated[
        list[str] | None,
        typer.Argument(help="Programme ids to export (default: every programme in the corpus).", show_default=False),
    ] = None,
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Corpus folder (default: corpus/).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="The .qdpx file to write.")] = None,
) -> None:
    """Export programmes as a REFI-QDA project: sources, the codebook by kind, each record's evidence coded."""
    from cmo.cli.inputs import default_corpus
    from cmo.cli.output import print_diagnostics
    from cmo.core.diagnostics import Diagnostics
    from cmo.core.files import write_bytes_atomic
    from cmo.core.paths import display_path
    from cmo.core.suggest import did_you_mean
    from cmo.corpus.coding import code_corpus
    from cmo.corpus.layout import PROGRAMME_FILE
    from cmo.qdpx.exporter import export_qdpx

    if out is None:
        fail_usage("cmo qdpx export needs --out FILE.qdpx")
    root = corpus or default_corpus()
    names = list(programmes or [])
    diagnostics = Diagnostics()
    candidates = sorted(p.parent.name for p in root.glob(f"*/{PROGRAMME_FILE}")) if root.is_dir() else []
    for name in names:
        if not (root / name / PROGRAMME_FILE).is_file():
            diagnostics.add(
                display_path(root),
                1,
                1,
                Rule.QDPX_PROGRAMME,
                f"no programme {name!r} in this corpus{did_you_mean(name, candidates)}",
            )
    if diagnostics.errors:
        print_diagnostics(diagnostics.sorted())
        raise typer.Exit(EXIT_FINDINGS)
    result = code_corpus([root / name for name in names] if names else [root])
    print_diagnostics(result.diagnostics)
    if not result.ok or result.corpus is None or not result.corpus.programmes:
        typer.echo("cmo: nothing exported: fix the errors above first", err=True)
        raise typer.Exit(EXIT_FINDINGS)
    exported = export_qdpx(result, names or list(result.corpus.programmes), diagnostics)
    print_diagnostics(diagnostics.sorted())
    try:
        write_bytes_atomic(out, exported.data)
    except OSError as exc:
        typer.echo(f"cmo: error: cannot write {display_path(out)}: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_FINDINGS) from None
    typer.echo(f"wrote {display_path(out)}: {exported.sources} sources, {exported.selections} coded passages")
    raise typer.Exit(EXIT_OK)
