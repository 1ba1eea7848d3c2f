"""Writing files safely: atomically (temp file + rename) and under a lock, so an interrupted write leaves the old file."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8, `\\n` line endings) or leave it exactly as it was."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` or leave it exactly as it was."""
    write_chunks_atomic(path, [data])


def write_chunks_atomic(path: Path, chunks: Iterable[bytes | str]) -> None:
    """Replace `path` with the chunks (text as UTF-8) written one after another, or leave it as it was.

    An OSError (read-only folder, full disk) names `path`, not the temporary file, and leaves nothing behind.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _naming(exc, path) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(temp, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise _naming(exc, path) from exc
        raise


def _naming(exc: OSError, path: Path) -> OSError:
    """The same error, about `path`: what a person asked to write, not a temporary name."""
    if exc.errno is None:
        return exc
    return type(exc)(exc.errno, exc.strerror or str(exc), str(path))


# mkstemp's names for `write_chunks_atomic`: ".<name>." + 8 of [a-z0-9_] + ".tmp".
_TEMP_NAME = re.compile(r"\..+\.yaml\.[a-z0-9_]{8}\.tmp")
MERGE_LOCK = ".cmo-merge.lock"


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Delete the temporary files an interrupted write of a `.yaml` file left in `folder`; return them.

    Only safe under the folder's writers' lock: every writer of theory files holds it while its temporary
    file exists, so any found then is a leftover.
    """
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if _TEMP_NAME.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


class LockTimeout(Exception):
    """Another process held the lock for too long."""


@contextlib.contextmanager
def locked(folder: Path, name: str = MERGE_LOCK, timeout: float = 60.0) -> Iterator[None]:
    """Hold an exclusive lock on `folder` so two writers cannot interleave; released even if the holder dies.

    Holding the theories lock (`MERGE_LOCK`) also clears the temporary files an interrupted write left there.
    """
    import fcntl
    import time

    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    with open(folder / name, "a+b") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeout(f"{folder / name} is held by another process") from None
                time.sleep(0.05)
        if name == MERGE_LOCK:
            remove_stale_temp_files(folder)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
