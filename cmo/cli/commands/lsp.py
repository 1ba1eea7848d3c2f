"""`cmo lsp`: the language server for annotated transcripts, codebooks and theories (over stdin and stdout)."""

from __future__ import annotations

from typing import Annotated

import typer

_MISSING = "cmo lsp needs pygls: pip install 'cmo[lsp]'"


def register(app: typer.Typer) -> None:
    """Add `cmo lsp` to the `cmo` command."""
    app.command(
        "lsp", epilog="Example: cmo lsp (started by the editor: docs/editor.md has the settings for each editor)"
    )(lsp_command)


def lsp_command(
    stdio: Annotated[
        bool, typer.Option("--stdio", help="Talk over stdin and stdout (the only way it talks; editors may pass it).")
    ] = True,
) -> None:
    """Run the language server: diagnostics as you type, completion of codes, hover, definitions, quick fixes."""
    try:
        from cmo.editor.server import serve
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("pygls", "lsprotocol"):
            raise
        typer.echo(_MISSING, err=True)
        raise typer.Exit(2) from None
    serve()
