"""What the commands read before they call the core: the study, its corpus and theories, the named theories."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cmo.cli.app import EXIT_FINDINGS, fail_usage

if TYPE_CHECKING:
    from cmo.core.diagnostics import Diagnostics
    from cmo.corpus.study import Study
    from cmo.theory.model import Theory

DEMO_NOTICE = (
    "cmo: no study in this folder or above (no cmo.yaml, corpus/ or theories/): using the demo corpus that ships "
    "with cmo; `cmo init` starts a study of your own"
)


def _study_at(start: Path) -> Study | None:
    from cmo.cli.output import print_diagnostics
    from cmo.core.diagnostics import Diagnostics
    from cmo.corpus.study import find_study

    diagnostics = Diagnostics()
    study = find_study(start, diagnostics)
    if diagnostics.items:  # a broken cmo.yaml: no guessing where the study's files are
        print_diagnostics(diagnostics.sorted())
        raise typer.Exit(EXIT_FINDINGS)
    return study


def current_study(paths: list[Path] | None = None) -> Study | None:
    """The study the working directory is in, else the one the first path given is in, else None."""
    study = _study_at(Path("."))
    if study is None and paths:
        first = paths[0]
        study = _study_at(first if first.is_dir() else first.parent)
    return study


def _demo_corpus() -> Path:
    from cmo.cli.app import _state
    from cmo.corpus.layout import demo_corpus

    if not _state["demo_noticed"]:
        _state["demo_noticed"] = True
        typer.echo(DEMO_NOTICE, err=True)
    return demo_corpus()


def default_corpus() -> Path:
    """The study's corpus, else the demo corpus (with a one-line notice on stderr that it is the demo)."""
    study = current_study()
    return study.corpus if study else _demo_corpus()


def corpus_to_write(corpus: Path | None, what: str) -> Path:
    """`--corpus` as given, else the study's corpus; outside a study a usage error, never the demo's files."""
    if corpus is not None:
        return corpus
    study = current_study()
    if study is None:
        fail_usage(
            f"not inside a study (no cmo.yaml, corpus/ or theories/ here or above), so {what} has no corpus to "
            "write into: run it inside a study (`cmo init` makes one) or say where with --corpus DIR"
        )
    return study.corpus


def corpus_paths(paths: list[Path] | None) -> list[Path]:
    """The paths given, or the study's corpus (the demo's outside any study)."""
    return list(paths) if paths else [default_corpus()]


def theories_folder(theories: Path | None, paths: list[Path] | None = None, *, writes: str | None = None) -> Path:
    """`--theories` as given, else the study's `theories/`; outside a study, the demo's (read only).

    `writes` names the command when it would write there: outside a study it then stops with a usage error
    rather than writing a `theories/` folder into whatever folder it was run in.
    """
    if theories is not None:
        return theories
    study = current_study(paths)
    if study is not None:
        return study.theories
    if writes is not None:
        fail_usage(
            f"not inside a study (no cmo.yaml, corpus/ or theories/ here or above), so {writes} has nowhere to write: "
            "run it inside a study (`cmo init` makes one) or say where with --theories DIR"
        )
    return _demo_corpus().parent / "theories"


def theories_or_exit(names: list[str], theories: Path, diagnostics: Diagnostics) -> list[Theory]:
    """The named programme theories, or their problems printed and exit 1."""
    from cmo.cli.output import print_diagnostics
    from cmo.theory.store import TheoryError, load_theories

    try:
        return load_theories(names, theories, diagnostics)
    except TheoryError:
        print_diagnostics(diagnostics.sorted())
        raise typer.Exit(EXIT_FINDINGS) from None


def whole_programmes(paths: list[Path]) -> list[Path]:
    """The programme folders the paths lie in: merging a transcript or a sub-folder merges all of its programme.

    A theory holds the evidence of every transcript of its programme, so a narrower set of paths would make
    merge drop the rest. Paths that name no programme are passed on as given, for coding to report.
    """
    from cmo.core.diagnostics import Diagnostics
    from cmo.corpus.layout import discover

    problems = Diagnostics()
    found = discover(paths, problems)
    if found is None or not found.programmes or problems.errors:
        return paths
    return [source.folder for source in found.programmes.values()]


def warn_if_stale(programmes: Iterable[str], theories: Path, corpus: Path, *, strict: bool) -> None:
    """Say on stderr which programme theories are older than the corpus; with `strict`, that is an error (exit 1)."""
    from cmo.core.paths import display_path
    from cmo.theory.staleness import stale_theories

    found = stale_theories(corpus, theories, programmes)
    level = "error" if strict else "warning"
    for programme, path in found.stale:
        typer.echo(
            f"{level}: {display_path(path)} is stale: the corpus of {programme} has changed since the last merge, "
            "so this shows the theory as it was then; run `cmo merge` to update it",
            err=True,
        )
    for programme in found.unknown:
        typer.echo(
            f"warning: cannot tell whether the theory of {programme} is current: its corpus has errors", err=True
        )
    if strict and found.stale:
        raise typer.Exit(EXIT_FINDINGS)
