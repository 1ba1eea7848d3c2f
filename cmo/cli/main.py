"""The `cmo` console script (pyproject's entry point): the app, which builds only the command a run invokes."""

from __future__ import annotations

from cmo.cli.app import app, run

__all__ = ["app", "run"]
