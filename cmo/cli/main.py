"""The `cmo` console script (pyproject's entry point): the app with every command registered on it."""

from __future__ import annotations

from cmo.cli.app import app, run
from cmo.cli.commands import register_all

register_all(app)

__all__ = ["app", "run"]
