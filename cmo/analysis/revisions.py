"""A corpus as committed at a revision: its files read from git into a temporary folder, checked, and coded there."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from cmo.core.diagnostics import Diagnostic
from cmo.core.paths import display_path
from cmo.corpus.coding import CodingResult, code_corpus
from cmo.theory.git import GitError, files_at

_REGULAR = {"100644", "100755"}


class RevisionError(Exception):
    """A revision that cannot be read as a corpus: not a repository, an unknown rev, no corpus there."""


@dataclass
class CodedRevision:
    """One revision's coding: the rev as given, the temporary corpus root it was written to, and the result."""

    rev: str
    root: Path
    result: CodingResult
    warnings: list[str] = field(default_factory=list)


def _safe(path: str) -> PurePosixPath | None:
    """The committed path as a relative path with no way out of its folder, else None."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or not pure.parts or any(part in ("", ".", "..") for part in pure.parts):
        return None
    if "\\" in path or ":" in pure.parts[0]:  # a Windows drive or separator: never a path below the folder
        return None
    return pure


def write_revision(corpus: Path, rev: str, into: Path) -> list[str]:
    """Write the corpus folder's files as committed at `rev` under `into`; the warnings for files left out."""
    if not rev or rev.startswith("-") or any(c.isspace() for c in rev):
        raise RevisionError(f"--rev {rev!r} is not a revision")
    try:
        files = files_at(corpus, rev)
    except GitError as exc:
        raise RevisionError(str(exc)) from None
    if not files:
        raise RevisionError(f"revision {rev!r} has no files in {display_path(corpus)}")
    warnings = []
    for entry in files:
        relative = _safe(entry.path)
        if relative is None or entry.mode not in _REGULAR:
            what = "a symbolic link" if entry.mode == "120000" else "not a plain path below the corpus"
            warnings.append(f"{rev}:{display_path(corpus / entry.path)} left out: {what}")
            continue
        target = into.joinpath(*relative.parts)
        if not target.resolve().is_relative_to(into.resolve()):  # pragma: no cover - _safe already refused it
            warnings.append(f"{rev}:{display_path(corpus / entry.path)} left out: not a plain path below the corpus")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(entry.content)
    return warnings


def code_revision(corpus: Path, given: list[Path], rev: str, into: Path) -> CodedRevision:
    """Code the given paths (inside `corpus`, in the working tree) as they are at `rev`, in the folder `into`."""
    warnings = write_revision(corpus, rev, into)
    paths = []
    for path in given:
        try:
            relative = path.resolve().relative_to(corpus.resolve())
        except ValueError:
            raise RevisionError(f"{display_path(path)} is not inside the corpus {display_path(corpus)}") from None
        at = into / relative
        if not at.exists():
            raise RevisionError(f"revision {rev!r} has no {display_path(path)}")
        paths.append(at)
    result = code_corpus(paths, cache=False, keep_records=True)
    result.diagnostics = [_shown_at(d, rev, into, corpus) for d in result.diagnostics]
    return CodedRevision(rev, into, result, warnings)


def _shown_at(diagnostic: Diagnostic, rev: str, into: Path, corpus: Path) -> Diagnostic:
    """A diagnostic about a file of the temporary folder, naming the file as `REV:path` in the working tree."""
    try:
        relative = Path(os.path.abspath(diagnostic.path)).relative_to(into.absolute())
    except ValueError:
        try:
            relative = Path(diagnostic.path).resolve().relative_to(into.resolve())
        except ValueError:
            return diagnostic
    shown = f"{rev}:{display_path(corpus / relative)}"
    return Diagnostic(
        shown, diagnostic.line, diagnostic.column, diagnostic.rule, diagnostic.message, diagnostic.severity
    )
