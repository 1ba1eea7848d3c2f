"""`cmo diff`: the semantic diff of programme-theory files: two files, git revisions, or as git's diff driver."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from cmo.cli.app import EXIT_FINDINGS, EXIT_OK, fail_usage
from cmo.cli.options import DiffFormat

if TYPE_CHECKING:
    from cmo.core.diagnostics import Diagnostics
    from cmo.theory.diff import TheoryDiff
    from cmo.theory.model import Theory

_ABSENT = {os.devnull, "/dev/null"}


def register(app: typer.Typer) -> None:
    """Add `cmo diff` to the `cmo` command."""
    app.command(
        "diff",
        no_args_is_help=True,
        epilog="Examples: cmo diff theories/northcliffe-connect.yaml --rev HEAD~1; cmo diff old.yaml new.yaml --format json",
    )(diff_command)


def _render(diff: TheoryDiff, fmt: DiffFormat) -> str:
    from cmo.render.diff_text import format_json, format_markdown, format_text

    if fmt is DiffFormat.json:
        return format_json(diff)
    if fmt is DiffFormat.md:
        return format_markdown(diff)
    return format_text(diff)


def _load(source: Path | bytes | None, shown: str, diagnostics: Diagnostics) -> Theory | None:
    """A theory from a file or from bytes read out of git; None for an absent side (or an invalid one)."""
    from cmo.theory.model import load_theory, load_theory_bytes

    if source is None:
        return None
    if isinstance(source, bytes):
        theory, _ = load_theory_bytes(source, shown, diagnostics)
        return theory
    theory, _ = load_theory(source, shown, diagnostics)
    return theory


def _finish(diff: TheoryDiff, fmt: DiffFormat, exit_code: bool) -> NoReturn:
    sys.stdout.write(_render(diff, fmt))
    raise typer.Exit(EXIT_FINDINGS if exit_code and not diff.empty else EXIT_OK)


def diff_command(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="OLD.yaml NEW.yaml; or one theory file with --rev ('/dev/null' is a file that does not exist).",
            show_default=False,
            metavar="FILES",
        ),
    ] = None,
    rev: Annotated[
        str | None,
        typer.Option(
            "--rev",
            metavar="REV",
            help="Compare FILE at git revision REV with the working copy; A..B compares two revisions, "
            "A...B compares B with where it branched from A.",
        ),
    ] = None,
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help="text, md (a review comment) or json.")] = (
        DiffFormat.text
    ),
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when the theories differ, like git diff --exit-code.")
    ] = False,
    git_external: Annotated[
        bool,
        typer.Option(
            "--git-external",
            help="Run as git's external diff driver, on the arguments git passes (docs/diff.md).",
        ),
    ] = False,
    textconv: Annotated[
        bool, typer.Option("--textconv", help="Print FILE as stable lines for git's textconv (docs/diff.md).")
    ] = False,
) -> None:
    """Show what changed in a programme theory: CMOCs added, removed or changed (codes, curated fields, evidence, counts)."""
    from cmo.cli.output import print_diagnostics
    from cmo.core.diagnostics import Diagnostics
    from cmo.theory.diff import diff_theories
    from cmo.theory.git import GitError, versions_at

    args = files or []
    if git_external + textconv + (rev is not None) > 1:
        fail_usage("--rev, --git-external and --textconv do not go together")
    if textconv:
        _textconv(args)
    if git_external:
        _git_external(args, fmt, exit_code)
    sides: list[tuple[Path | bytes | None, str]]
    if rev is not None:
        if len(args) != 1:
            fail_usage("--rev compares one theory file across revisions: cmo diff FILE --rev REV")
        path = Path(args[0])
        try:
            old, new = versions_at(path, rev)
        except GitError as exc:
            fail_usage(str(exc))
        if new is None:  # the working copy, where a missing file is a deleted one, as git sees it
            present = path.exists() or path.is_symlink()
            sides = [(old.content, old.shown), (path if present else None, str(path))]
            missing = f"{path} exists neither at {rev} nor in the working copy"
        else:
            sides = [(old.content, old.shown), (new.content, new.shown)]
            missing = f"{path} exists at neither end of {rev}"
        if all(source is None for source, _ in sides):
            fail_usage(missing)
    elif len(args) != 2:
        fail_usage("give two theory files (cmo diff OLD.yaml NEW.yaml), or one with --rev REV")
    else:
        sides = [(None if arg in _ABSENT else Path(arg), arg) for arg in args]
    diagnostics = Diagnostics()
    old_theory, new_theory = (_load(source, shown, diagnostics) for source, shown in sides)
    print_diagnostics(diagnostics.items)
    if diagnostics.errors:
        raise typer.Exit(EXIT_FINDINGS)
    _finish(diff_theories(old_theory, new_theory), fmt, exit_code)


def _textconv(args: list[str]) -> NoReturn:
    """Print one theory file as stable lines; a file that is no valid theory passes through unchanged."""
    from cmo.cli.output import print_diagnostics
    from cmo.core.diagnostics import Diagnostics
    from cmo.render.diff_text import format_theory
    from cmo.render.escape import printable

    if len(args) != 1:
        fail_usage("--textconv takes one FILE")
    path = Path(args[0])
    diagnostics = Diagnostics()
    theory = _load(path, str(path), diagnostics)
    if theory is not None:
        sys.stdout.write(format_theory(theory))
        raise typer.Exit(EXIT_OK)
    print_diagnostics(diagnostics.items)
    try:
        content = path.read_bytes()
    except OSError:
        raise typer.Exit(EXIT_FINDINGS) from None
    # git still shows a line diff of a broken file, rather than dying on it; as text fit for a terminal.
    sys.stdout.write(printable(content.decode("utf-8", errors="replace")))
    raise typer.Exit(EXIT_OK)


def _read(path: Path | None) -> bytes | None:
    try:
        return path.read_bytes() if path is not None else None
    except OSError:
        return None


def _git_external(args: list[str], fmt: DiffFormat, exit_code: bool) -> NoReturn:
    """Diff the two files git hands an external diff driver; everything goes to stdout, git's pager."""
    from cmo.core.diagnostics import Diagnostics
    from cmo.render.diagnostics import format_text as format_diagnostics
    from cmo.render.diff_text import text_diff
    from cmo.render.escape import md_escape, printable
    from cmo.theory.diff import diff_theories
    from cmo.theory.git import GitError, parse_external_diff

    try:
        call = parse_external_diff(args)
    except GitError as exc:
        fail_usage(str(exc))
    if call.unmerged:
        sys.stdout.write(f"* Unmerged path {call.path}\n")
        raise typer.Exit(EXIT_OK)
    old_label, new_label = f"a/{call.path}", f"b/{call.new_path or call.path}"
    header = printable(f"cmo diff {old_label} {new_label}\n")
    diagnostics = Diagnostics()
    old = _load(call.old_file, old_label, diagnostics)
    new = _load(call.new_file, new_label, diagnostics)
    # A non-zero exit makes git stop at this file ("external diff died"), so a broken theory
    # file gets its diagnostics and a plain text diff instead, and git goes on to the next file.
    if diagnostics.errors:
        before, after = _read(call.old_file), _read(call.new_file)
        sys.stdout.write(header + printable(format_diagnostics(diagnostics.items)))
        sys.stdout.write(text_diff(before, after, old_label, new_label))
        raise typer.Exit(EXIT_FINDINGS if exit_code and before != after else EXIT_OK)
    diff = diff_theories(old, new)
    if fmt is DiffFormat.md:
        sys.stdout.write(md_escape(header.rstrip("\n")) + "\n\n")
    elif fmt is DiffFormat.text:
        sys.stdout.write(header)
    _finish(diff, fmt, exit_code)
