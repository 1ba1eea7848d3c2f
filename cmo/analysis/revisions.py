"""A corpus as committed at a revision: its files read from git into a temporary folder, checked, and coded there."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from cmo.analysis.alignment import Coding, ContentLines, Source, codings_of, realigned, transcript_lines
from cmo.core.diagnostics import Diagnostic
from cmo.core.paths import display_path
from cmo.corpus.coding import CodingResult, code_corpus
from cmo.theory.git import GitError, files_at

_REGULAR = {"100644", "100755"}
# The name of a revision's corpus folder in the temporary folder: messages that name files from the corpus
# folder (`corpus/b/codebook.yaml`) name it, and it is told apart from any other text by its oddity.
_MARK = "cmo-revision-corpus"


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
    result.warnings = [_named_at(warning, rev, into, corpus) for warning in result.warnings]
    return CodedRevision(rev, into, result, warnings)


def _shown_at(diagnostic: Diagnostic, rev: str, into: Path, corpus: Path) -> Diagnostic:
    """A diagnostic about a file of the temporary folder, naming the file as `REV:path` in the working tree.

    Paths of the temporary folder inside its message are named so too.
    """
    message = _named_at(diagnostic.message, rev, into, corpus)
    try:
        relative = Path(os.path.abspath(diagnostic.path)).relative_to(into.absolute())
    except ValueError:
        try:
            relative = Path(diagnostic.path).resolve().relative_to(into.resolve())
        except ValueError:
            relative = None
    shown = diagnostic.path if relative is None else f"{rev}:{display_path(corpus / relative)}"
    return Diagnostic(shown, diagnostic.line, diagnostic.column, diagnostic.rule, message, diagnostic.severity)


def _named_at(text: str, rev: str, into: Path, corpus: Path) -> str:
    """The text with the temporary folder's paths (as given, absolute, resolved) named `REV:corpus`."""
    shown = f"{rev}:{display_path(corpus)}"
    prefixes = {display_path(into), str(into.absolute()), str(into.resolve())}
    for prefix in sorted(prefixes, key=len, reverse=True):  # the longest first: never half a path
        text = text.replace(prefix + os.sep, shown + os.sep).replace(prefix + "/", shown + "/")
    if into.name == _MARK:
        text = text.replace(_MARK + "/", shown + "/")
    return text


@dataclass
class RevisionCodings:
    """The revisions' codings, each revision a coder, aligned on the first revision's content lines.

    `lines` is each transcript's content lines at the first revision that has it (where units are shown),
    `covered` the revisions that have each transcript.
    """

    codings: list[Coding] = field(default_factory=list)
    lines: dict[str, ContentLines] = field(default_factory=dict)
    covered: dict[str, list[str]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def revision_codings(corpus: Path, paths: Sequence[Path], revs: Sequence[str]) -> RevisionCodings:
    """Code the paths at each revision; RevisionError when a revision cannot be read as the corpus.

    A transcript some revisions lack, and one whose text (blocks left out) differs from the first
    revision's, is named in a warning; the latter's units are aligned by difflib on its content lines.
    """
    found = RevisionCodings()
    with tempfile.TemporaryDirectory(prefix="cmo-agreement-") as folder:
        for index, rev in enumerate(revs):
            coded = code_revision(corpus, list(paths), rev, Path(folder) / str(index) / _MARK)
            found.diagnostics.extend(coded.result.diagnostics)
            found.warnings.extend([*coded.warnings, *coded.result.warnings])
            if coded.result.ok:
                _add(found, coded, corpus, rev)
    if not any(d.severity == "error" for d in found.diagnostics):
        _name_missing(found, revs)
    return found


def _add(found: RevisionCodings, coded: CodedRevision, corpus: Path, rev: str) -> None:
    """One revision's codings, moved onto the first revision's content lines where its text differs."""
    lines = {display_path(corpus / t.path): transcript_lines(coded.root / t.path) for t in coded.result.transcripts}
    sources = [
        Source(record, display_path(corpus / str(record["path"])), coded.root / str(record["path"]))
        for record in coded.result.iter_record_dicts()
    ]
    codings, _ = codings_of(sources, coder=rev, known=lines)
    by_path: dict[str, list[Coding]] = {}
    for coding in codings:
        by_path.setdefault(coding.path, []).append(coding)
    for path, content in sorted(lines.items()):
        found.covered.setdefault(path, []).append(rev)
        reference = found.lines.setdefault(path, content)
        mine = by_path.get(path, [])
        if content is not reference and content.differs(reference):
            found.warnings.append(
                f"{path}: the text (blocks left out) differs between {found.covered[path][0]} and {rev}: "
                "units aligned by content line may not match"
            )
            mine = realigned(mine, content.mapping_to(reference))
        found.codings.extend(mine)
    for path in sorted(by_path.keys() - lines.keys()):  # pragma: no cover - every record is of a transcript coded
        found.codings.extend(by_path[path])


def _name_missing(found: RevisionCodings, revs: Sequence[str]) -> None:
    for path, have in sorted(found.covered.items()):
        if len(have) < len(revs):
            missing = [rev for rev in revs if rev not in have]
            compared = "its passages are not compared" if len(have) < 2 else f"compared between {', '.join(have)}"
            found.warnings.append(f"{path} is at {', '.join(have)} only, not at {', '.join(missing)}: {compared}")
