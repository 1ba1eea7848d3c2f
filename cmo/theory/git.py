"""Reading history through real git: a file's content at a revision, `--rev` ranges, external-diff arguments."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

# git's object name for "no such file on this side" in GIT_EXTERNAL_DIFF arguments.
_ABSENT = {os.devnull, "/dev/null"}


class GitError(Exception):
    """git cannot answer: not a repository, an unknown revision, git missing. The message says which."""


@dataclass(frozen=True)
class RevisionRange:
    """What `--rev` compares: `old` against `new`, where `new` None is the working copy.

    `REV` is REV against the working copy; `A..B` is A against B (either side defaults to HEAD);
    `A...B` is the merge base of A and B against B, as a pull request shows it.
    """

    old: str
    new: str | None
    merge_base: bool = False


def parse_rev(spec: str) -> RevisionRange:
    """The range a `--rev` value names; GitError when it is malformed."""
    if "..." in spec:
        old, _, new = spec.partition("...")
        merge_base = True
    elif ".." in spec:
        old, _, new = spec.partition("..")
        merge_base = False
    else:
        _check_revision(spec, spec)
        return RevisionRange(spec, None)
    if not old and not new:
        raise GitError(f"--rev {spec!r} names no revision; write REV, A..B or A...B")
    old, new = old or "HEAD", new or "HEAD"
    _check_revision(old, spec)
    _check_revision(new, spec)
    return RevisionRange(old, new, merge_base)


def _check_revision(rev: str, spec: str) -> None:
    # A revision starting with '-' would reach git as an option.
    if not rev or rev.startswith("-") or any(c.isspace() for c in rev) or ".." in rev:
        raise GitError(f"--rev {spec!r}: {rev!r} is not a revision")


def _git(args: list[str], cwd: Path, given: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=given, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror}") from None


def _existing_folder(path: Path) -> Path:
    """The folder holding `path`, or its nearest ancestor that exists (the file may be gone)."""
    folder = path.absolute().parent
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    return folder


@dataclass(frozen=True)
class RepoPath:
    """A file inside a git working tree: the tree's top folder and the path relative to it."""

    top: Path
    relative: str  # with '/' separators, as `REV:path` wants it


def repo_path(path: Path) -> RepoPath:
    """Where `path` sits in its git working tree; GitError outside one."""
    folder = _existing_folder(path)
    found = _git(["rev-parse", "--show-toplevel"], folder)
    if found.returncode != 0:
        raise GitError(f"{path} is not in a git working tree (git rev-parse --show-toplevel failed in {folder})")
    top = Path(os.fsdecode(found.stdout.rstrip(b"\n"))).resolve()
    # Resolve the folder, not the file: a symlinked theory file is still read at its own path.
    absolute = path.absolute().parent.resolve() / path.name
    try:
        relative = absolute.relative_to(top)
    except ValueError:
        raise GitError(f"{path} is outside the git working tree {top}") from None
    if not relative.parts:
        raise GitError(f"{path} is the top of the working tree, not a file in it")
    return RepoPath(top, relative.as_posix())


def resolve_commit(where: RepoPath, rev: str) -> str:
    """The commit id `rev` names in the repository; GitError when it names none."""
    found = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], where.top)
    if found.returncode != 0:
        raise GitError(f"unknown revision {rev!r} in {where.top}")
    return found.stdout.decode("ascii").strip()


def merge_base(where: RepoPath, old: str, new: str) -> str:
    """The best common ancestor of two revisions (what `A...B` compares B with)."""
    found = _git(["merge-base", resolve_commit(where, old), resolve_commit(where, new)], where.top)
    if found.returncode != 0:
        raise GitError(f"revisions {old!r} and {new!r} have no common ancestor")
    return found.stdout.decode("ascii").strip()


def read_at(where: RepoPath, commit: str) -> bytes | None:
    """The file's bytes as committed in `commit`; None when the file does not exist there."""
    spec = f"{commit}:{where.relative}"
    kind = _git(["cat-file", "-t", spec], where.top)
    if kind.returncode != 0:
        return None  # the commit is known (resolve_commit), so the path is what is missing
    if kind.stdout.strip() != b"blob":
        raise GitError(f"{where.relative} is a {kind.stdout.decode().strip()} at {commit[:12]}, not a file")
    # `git show REV:path` would do, but would honour a textconv set up for the file (cmo's own, say):
    # cat-file gives the committed bytes, whatever the configuration.
    shown = _git(["cat-file", "blob", spec], where.top)
    if shown.returncode != 0:
        message = shown.stderr.decode("utf-8", errors="replace").strip()
        raise GitError(f"cannot read {spec}: {message}")
    return shown.stdout


@dataclass(frozen=True)
class TreeFile:
    """One file of a folder as committed: its path below the folder ('/' separators), git mode and bytes."""

    path: str
    mode: str
    content: bytes


def files_at(folder: Path, rev: str) -> list[TreeFile]:
    """Every file under `folder` as committed at `rev` (GitError outside a repository or for an unknown rev).

    Symbolic links (mode 120000) are listed with their target as content; submodules are left out.
    """
    found = _git(["rev-parse", "--show-toplevel"], folder)
    if found.returncode != 0:
        raise GitError(f"{folder} is not in a git working tree")
    top = Path(os.fsdecode(found.stdout.rstrip(b"\n"))).resolve()
    prefix = folder.resolve().relative_to(top).as_posix() if folder.resolve() != top else ""
    commit = resolve_commit(RepoPath(top, prefix), rev)
    spec = [f":(literal){prefix}/"] if prefix else []
    listed = _git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", *spec], top)
    if listed.returncode != 0:
        raise GitError(f"cannot list {prefix or top} at {rev!r}: {listed.stderr.decode('utf-8', 'replace').strip()}")
    entries = []
    for item in listed.stdout.split(b"\0"):
        head, tab, name = item.partition(b"\t")
        if not tab:
            continue
        mode, kind, sha = head.decode("ascii").split()
        if kind == "blob":
            path = os.fsdecode(name)
            entries.append((path[len(prefix) + 1 :] if prefix else path, mode, sha))
    contents = _blobs([sha for _, _, sha in entries], top)
    return [TreeFile(path, mode, contents[sha]) for path, mode, sha in entries]


def _blobs(shas: list[str], top: Path) -> dict[str, bytes]:
    """The bytes of each blob, read by one `git cat-file --batch` rather than a process per file."""
    if not shas:
        return {}
    shown = _git(["cat-file", "--batch"], top, "".join(f"{sha}\n" for sha in shas).encode("ascii"))
    if shown.returncode != 0:
        raise GitError(f"cannot read files: {shown.stderr.decode('utf-8', 'replace').strip()}")
    out, at, contents = shown.stdout, 0, {}
    for sha in shas:
        line_end = out.index(b"\n", at)
        header = out[at:line_end].split()
        if len(header) != 3:
            raise GitError(f"cannot read blob {sha}: {out[at:line_end].decode('utf-8', 'replace')}")
        size = int(header[2])
        contents[sha] = out[line_end + 1 : line_end + 1 + size]
        at = line_end + 1 + size + 1  # the content, then a newline
    return contents


@dataclass(frozen=True)
class Version:
    """One side of a comparison: the file's bytes (None when absent) and how to name that side."""

    content: bytes | None
    shown: str


def versions_at(path: Path, spec: str) -> tuple[Version, Version | None]:
    """The (old, new) versions `--rev spec` compares; new None means: read the working copy."""
    revisions = parse_rev(spec)
    where = repo_path(path)
    if revisions.new is None:
        old = resolve_commit(where, revisions.old)
        return Version(read_at(where, old), f"{revisions.old}:{where.relative}"), None
    new = resolve_commit(where, revisions.new)
    if revisions.merge_base:
        old = merge_base(where, revisions.old, revisions.new)
        old_shown = f"{old[:12]}:{where.relative}"  # the merge base has no name of its own
    else:
        old = resolve_commit(where, revisions.old)
        old_shown = f"{revisions.old}:{where.relative}"
    return Version(read_at(where, old), old_shown), Version(read_at(where, new), f"{revisions.new}:{where.relative}")


@dataclass(frozen=True)
class ExternalDiff:
    """The arguments git passes a GIT_EXTERNAL_DIFF program (or a `diff.<driver>.command`).

    git calls it with `path old-file old-hex old-mode new-file new-hex new-mode`, two more
    (`new-path`, rename message) for a renamed file, and only `path` for an unmerged one.
    A side that does not exist is `/dev/null`.
    """

    path: str
    old_file: Path | None
    new_file: Path | None
    new_path: str | None = None
    unmerged: bool = False


def parse_external_diff(args: list[str]) -> ExternalDiff:
    """GIT_EXTERNAL_DIFF arguments as data; GitError when they are not what git passes."""
    if len(args) == 1:
        return ExternalDiff(args[0], None, None, unmerged=True)
    if len(args) not in (7, 9):
        raise GitError(
            f"--git-external takes the 7 arguments git passes (path old-file old-hex old-mode new-file "
            f"new-hex new-mode), 9 for a rename or 1 for an unmerged path; got {len(args)}"
        )
    path, old_file, _, _, new_file, _, _ = args[:7]
    return ExternalDiff(
        path,
        None if old_file in _ABSENT else Path(old_file),
        None if new_file in _ABSENT else Path(new_file),
        new_path=args[7] if len(args) == 9 else None,
    )
