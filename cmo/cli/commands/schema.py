"""`cmo schema`: the JSON Schemas of a study's YAML files, for editors: one on stdout, or every one into a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cmo.cli.app import EXIT_OK, fail_usage


def register(app: typer.Typer) -> None:
    """Add `cmo schema` to the `cmo` command."""
    app.command("schema", epilog="Examples: cmo schema codebook; cmo schema --out .cmo/schemas")(schema_command)


def schema_command(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME",
            help="The schema to print: programme, codebook, participants, theory, ... (default: with --out, all).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", metavar="DIR", help="Write the schemas into DIR (made when missing).", show_default=False
        ),
    ] = None,
) -> None:
    """Print the JSON Schema of one kind of YAML file, or write them all (NAME.schema.json) into a folder.

    Editors with the YAML language server check and complete a file whose first line is
    `# yaml-language-server: $schema=<path to its schema>`; `cmo init` writes the schemas into .cmo/schemas
    and that line atop the files it makes. Run `cmo schema --out .cmo/schemas` after upgrading cmo.
    """
    from cmo.core.suggest import did_you_mean
    from cmo.editor.schemas import by_name, names, render, schema_files, shipped

    chosen = list(schema_files())
    if name is not None:
        found = by_name(name)
        if found is None:
            known = names()
            fail_usage(f"no schema {name!r}{did_you_mean(name, known)} (the schemas: {', '.join(known)})")
        chosen = [found]
    texts = [(schema.file_name, shipped(schema) or render(schema)) for schema in chosen]
    if out is None:
        if name is None:
            fail_usage(f"give a schema's NAME to print it, or --out DIR to write them all ({', '.join(names())})")
        typer.echo(texts[0][1], nl=False)
        raise typer.Exit(EXIT_OK)
    _write(out, texts)
    raise typer.Exit(EXIT_OK)


def _write(folder: Path, texts: list[tuple[str, str]]) -> None:
    """Each schema into `folder`, atomically; one line per file written."""
    from cmo.cli.writing import writing
    from cmo.core.files import write_atomic
    from cmo.core.paths import display_path

    for file_name, text in texts:
        path = folder / file_name
        with writing(display_path(path)):
            write_atomic(path, text)
        typer.echo(f"wrote {display_path(path)}")
