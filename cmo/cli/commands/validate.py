"""`cmo validate`: check transcripts, codebooks, programme files and theory files; print diagnostics only."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cmo.cli.app import EXIT_FINDINGS, EXIT_OK
from cmo.cli.options import DiagnosticFormat, JobsOption, NoCacheOption, PathsArg

if TYPE_CHECKING:
    from cmo.core.diagnostics import Diagnostics
    from cmo.corpus.layout import Corpus


def register(app: typer.Typer) -> None:
    """Add `cmo validate` to the `cmo` command."""
    app.command("validate", epilog="Examples: cmo validate; cmo validate corpus theories --strict")(validate_command)


def validate_command(
    paths: PathsArg = None,
    fmt: Annotated[DiagnosticFormat, typer.Option("--format", "-f", help="How to print findings.")] = (
        DiagnosticFormat.text
    ),
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Check transcripts, codebooks, programme files and theory files; print diagnostics only."""
    from cmo.cli.inputs import corpus_paths, default_corpus
    from cmo.cli.output import tally, warn
    from cmo.core.diagnostics import Diagnostics
    from cmo.corpus.coding import code_corpus
    from cmo.render.diagnostics import format_github, format_json, format_text
    from cmo.theory.store import is_theory_path

    given = [part for path in corpus_paths(paths) for part in _study_parts(path)]
    theories = [path for path in given if is_theory_path(path)]
    corpus = [path for path in given if path not in theories]
    result = code_corpus(corpus or [default_corpus()], jobs=jobs, cache=not no_cache, keep_records=False)
    warn(result.warnings)
    found = Diagnostics()
    if corpus:
        found.extend(result.diagnostics)
    checked = _check_theories(theories, result.corpus, found) if theories else 0
    diagnostics = found.sorted()
    if fmt is DiagnosticFormat.json:
        sys.stdout.write(format_json(diagnostics))
    elif fmt is DiagnosticFormat.github:
        sys.stdout.write(format_github(diagnostics))
    else:
        sys.stdout.write(format_text(diagnostics))
        sys.stdout.flush()
        typer.echo(tally(diagnostics, len(result.transcripts) if corpus else 0, checked), err=True)
    errors = any(d.severity == "error" for d in diagnostics)
    failed = errors or (strict and bool(diagnostics))
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


def _study_parts(path: Path) -> list[Path]:
    """A study's own folder as its corpus and its theories (`cmo validate .` at the top of a study); any other path as is.

    Without this the top folder would be read as a folder of theory files: cmo.yaml and the pre-commit file among them.
    """
    from cmo.core.diagnostics import Diagnostics
    from cmo.corpus.study import find_study

    if not path.is_dir():
        return [path]
    study = find_study(path, Diagnostics())
    if study is None or study.root.resolve() != path.resolve():
        return [path]
    return [part for part in (study.corpus, study.theories) if part.is_dir()] or [path]


def _check_theories(folders: list[Path], corpus: Corpus | None, found: Diagnostics) -> int:
    """Check every theory file the folders (or files) name into `found`; how many files were checked.

    Only here, not in validate_command: the theory model is slow to import and a corpus-only run never needs it.
    """
    from cmo.theory.check import check_theory
    from cmo.theory.store import theory_files

    checked = 0
    for folder in folders:
        for file in theory_files(folder):
            check_theory(file, corpus, found)
            checked += 1
    return checked
