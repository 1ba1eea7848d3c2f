"""What the commands read before they call the core: the default corpus, and the named theories (or exit 1)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cmo.cli.app import EXIT_FINDINGS

if TYPE_CHECKING:
    from cmo.core.diagnostics import Diagnostics
    from cmo.theory.model import Theory


def corpus_paths(paths: list[Path] | None) -> list[Path]:
    """The paths given, or the default corpus."""
    from cmo.corpus.layout import default_corpus

    return list(paths) if paths else [default_corpus()]


def theories_or_exit(names: list[str], theories: Path, diagnostics: Diagnostics) -> list[Theory]:
    """The named programme theories, or their problems printed and exit 1."""
    from cmo.cli.output import print_diagnostics
    from cmo.theory.store import TheoryError, load_theories

    try:
        return load_theories(names, theories, diagnostics)
    except TheoryError:
        print_diagnostics(diagnostics.sorted())
        raise typer.Exit(EXIT_FINDINGS) from None
