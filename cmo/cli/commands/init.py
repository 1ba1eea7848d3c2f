"""`cmo init`: scaffold a study (marker, codebooks, programmes, an example transcript, git files); overwrite nothing."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path
from typing import Annotated

import typer

from cmo.cli.app import EXIT_FINDINGS, EXIT_OK, fail_usage

# The theory diff driver (docs/diff.md): set in a repository `cmo init` makes, printed for one it did not.
DIFF_DRIVER = (
    ("diff.cmo.command", "cmo diff --git-external"),
    ("diff.cmo.textconv", "cmo diff --textconv"),
)


def register(app: typer.Typer) -> None:
    """Add `cmo init` to the `cmo` command."""
    app.command("init", epilog="Example: cmo init my-study --programme northcliffe --programme riverside")(init_command)


def init_command(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="DIR", help="Folder of the new study, made when missing (default: here).", show_default=False
        ),
    ] = Path("."),
    programmes: Annotated[
        list[str] | None,
        typer.Option(
            "--programme",
            "-p",
            metavar="ID",
            help="Id of a programme (a slug such as my-programme); repeat for several.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Start a study: cmo.yaml, corpus/ with codebooks, programmes and an example transcript, theories/, git files.

    Without --programme the study has one programme, my-programme. Nothing is written when any of the files
    exists already. A git repository is made when DIR is in none.

    Example: cmo init study --programme northcliffe-connect --programme riverside-bridges
    """
    from cmo.core.paths import display_path
    from cmo.corpus.scaffold import DEFAULT_PROGRAMME, StudyExists, study_files, write_study
    from cmo.editor.schemas import study_schemas

    ids = _programme_ids(programmes or [DEFAULT_PROGRAMME])
    files = study_files(ids, study_schemas())
    top = _repository_top(folder)
    try:
        written = write_study(folder, files)
    except StudyExists as exc:
        for path in exc.paths:
            typer.echo(f"{display_path(path)}: already exists; cmo init writes nothing over existing files", err=True)
        raise typer.Exit(EXIT_FINDINGS) from None
    for path in written:
        typer.echo(f"wrote {display_path(path)}")
    _git_repository(folder, top)
    place = "" if folder.resolve() == Path.cwd().resolve() else f"cd {shlex.quote(display_path(folder))} && "
    typer.echo(f"next: {place}cmo validate && cmo merge   (then read {display_path(folder / 'README.md')})")
    raise typer.Exit(EXIT_OK)


def _programme_ids(given: list[str]) -> list[str]:
    """The programme ids, each a slug and given once; else a usage error that suggests the slug."""
    from cmo.corpus.scaffold import is_slug, slug_for

    seen: list[str] = []
    for programme in given:
        if not is_slug(programme):
            suggestion = slug_for(programme)
            hint = f"; did you mean {suggestion!r}?" if suggestion else ""
            fail_usage(
                f"--programme {programme!r} is not a valid id (lower-case letters, digits and '-', "
                f"starting with a letter or digit){hint}"
            )
        if programme in seen:
            fail_usage(f"--programme {programme!r} is given twice")
        seen.append(programme)
    return seen


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str] | None:
    """git's answer, or None when git cannot be run at all (not installed)."""
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError:
        return None


def _repository_top(folder: Path) -> Path | None:
    """The top of the git working tree `folder` is (or will be) inside, or None (also when git is missing)."""
    existing = folder.absolute()
    while not existing.is_dir() and existing != existing.parent:
        existing = existing.parent
    found = _git(["rev-parse", "--show-toplevel"], existing)
    if found is None or found.returncode != 0 or not found.stdout.strip():
        return None
    return Path(found.stdout.strip())


def _git_repository(folder: Path, top: Path | None) -> None:
    """`git init` with the theory diff driver when `folder` is in no repository; one line saying what was done."""
    from cmo.core.paths import display_path

    settings = " && ".join(f'git config {key} "{value}"' for key, value in DIFF_DRIVER)
    if top is not None:
        typer.echo(f"git: inside the repository at {display_path(top)}; to diff theories there, run once: {settings}")
        return
    made = _git(["init", "--quiet", "."], folder)
    if made is None:
        typer.echo(
            "cmo: note: git is not installed (or not on PATH): no repository made; run `git init` later", err=True
        )
        return
    problems = [made] if made.returncode != 0 else []
    for key, value in DIFF_DRIVER:
        if not problems:
            done = _git(["config", key, value], folder)
            problems += [done] if done is not None and done.returncode != 0 else []
    if problems:
        why = (problems[0].stderr.strip().splitlines() or ["git failed"])[0]
        typer.echo(f"cmo: note: git: {why}; set up the repository by hand: git init && {settings}", err=True)
        return
    typer.echo(f"git: made a repository in {display_path(folder)}, with the cmo diff driver for theories/*.yaml")
