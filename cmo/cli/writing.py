"""Writing files for the commands: --out files and curated files, with every failure a one-line message, exit 1."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cmo.cli.app import EXIT_FINDINGS, reason

if TYPE_CHECKING:
    from cmo.core.files import Curated, CuratedFiles


@contextlib.contextmanager
def writing(path: Path | str) -> Iterator[None]:
    """An OSError while writing `path` (read-only, full disk, a file where a folder should be) is a one-line error, exit 1."""
    try:
        yield
    except OSError as exc:
        typer.echo(f"cmo: error: cannot write {path}: {reason(exc, path)}", err=True)
        raise typer.Exit(EXIT_FINDINGS) from None


def write_output(path: Path, chunks: Iterable[bytes | str]) -> None:
    """Write an --out file whole or not at all; a device or pipe (/dev/stdout, a FIFO) is written to, never replaced."""
    from cmo.core.files import write_chunks_atomic

    with writing(path):
        if path.exists() and not path.is_file() and not path.is_dir():
            with path.open("wb") as handle:
                for chunk in chunks:
                    handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        else:
            write_chunks_atomic(path, chunks)


@contextlib.contextmanager
def curated(folder: Path, *, check: bool, shown: Path | str, others: str) -> Iterator[CuratedFiles]:
    """Hold `folder`'s writers' lock for a read-update-write (none under --check); a lock that cannot be had is exit 1.

    `shown` names what cannot be written when the lock cannot be made; `others` names the commands that may hold it.
    """
    from cmo.core.files import CuratedFiles, LockTimeout

    files = CuratedFiles(folder, check=check)
    try:
        with contextlib.ExitStack() as stack:
            with writing(shown):
                stack.enter_context(files)
            yield files
    except LockTimeout as exc:
        typer.echo(f"cmo: another {others} is running ({exc})", err=True)
        raise typer.Exit(EXIT_FINDINGS) from None


def write_curated(files: CuratedFiles, path: Path, shown: str, text: str, *, changed: bool) -> Curated:
    """Write one curated file under `files`' lock; a failed write is a one-line error naming it, exit 1."""
    with writing(shown):
        return files.write(path, text, changed=changed)
