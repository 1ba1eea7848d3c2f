"""The subcommands, one module each; `register_all` puts them on the `cmo` app."""

from __future__ import annotations

import typer

_registered: set[int] = set()


def register_all(app: typer.Typer) -> None:
    """Add every command to `app`, once, in the order `cmo --help` lists them."""
    if id(app) in _registered:
        return
    _registered.add(id(app))
    # Imported here, not at the top: each command module imports cmo.cli.app, which calls this.
    from . import code, codebook, compare, diff, importing, init, merge, qdpx, report, synthesise, validate

    for command in (init, code, validate, codebook, merge, compare, importing, synthesise, report, diff, qdpx):
        command.register(app)
