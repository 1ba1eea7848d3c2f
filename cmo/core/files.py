"""Writing files safely: atomically (temp file + rename) and under a lock, so an interrupted write leaves the old file."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path

from cmo.core.diagnostics import Diagnostics
from cmo.core.rules import Rule


def read_or_report(path: Path, shown: str, diagnostics: Diagnostics) -> bytes | None:
    """The bytes of a regular file, or None after reporting why it cannot be read (`unreadable`, at line 1).

    A device or pipe (a committed link to /dev/zero, a FIFO) is refused unread: reading it never ends.
    """
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            report_not_regular(shown, diagnostics)
            return None
        return path.read_bytes()
    except OSError as exc:
        diagnostics.add(shown, 1, 1, Rule.UNREADABLE, f"cannot read file: {exc.strerror or exc}")
        return None


def report_not_regular(shown: str, diagnostics: Diagnostics) -> None:
    """`unreadable` for a device, pipe or socket where a file was expected: read, it might never end."""
    diagnostics.add(shown, 1, 1, Rule.UNREADABLE, "not a regular file (a device, pipe or socket); not read")


def is_regular(path: Path) -> bool:
    """Whether `path` is a regular file (following links): the only kind cmo reads."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


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
# The theories lock's name: the file it once was in the folder, still how a timeout names it.
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


def cache_home() -> Path:
    """Where caches live: $CMO_CACHE_DIR, else $XDG_CACHE_HOME/cmo, else ~/.cache/cmo."""
    if os.environ.get("CMO_CACHE_DIR"):
        return Path(os.environ["CMO_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cmo"


def _lock_homes() -> list[Path]:
    """Where lock files may live, best first: the user's own folder in the system temp folder (the same for
    every cmo run of this user, whatever its cache settings), else the cache home."""
    user = getattr(os, "getuid", lambda: "")()  # Windows' temp folder is the user's own already
    return [Path(tempfile.gettempdir()) / f"cmo-locks{user}", cache_home() / "locks"]


def lock_path(folder: Path, name: str = MERGE_LOCK) -> Path:
    """The file that holds the lock `name` on `folder`: outside it, so `git status` never shows it.

    Keyed by the folder's resolved path, so every writer of a folder (however it spells the path) takes the
    same lock, which `remove_stale_temp_files` relies on. It is never deleted: unlinking a flock'd file lets
    a waiter lock the old inode while a newcomer locks a new one.
    """
    return _lock_files(folder, name)[0]


def _lock_files(folder: Path, name: str) -> list[Path]:
    import hashlib

    key = hashlib.blake2b(f"{folder.resolve()}\0{name}".encode("utf-8", "surrogateescape"), digest_size=16)
    found = []
    for home in _lock_homes():
        with contextlib.suppress(OSError):
            home.mkdir(parents=True, exist_ok=True)
            found.append(home / f"{key.hexdigest()}.lock")
    if not found:
        raise OSError(
            f"no folder for the lock on {folder}: neither {' nor '.join(map(str, _lock_homes()))} can be made"
        )
    return found


@contextlib.contextmanager
def locked(folder: Path, name: str = MERGE_LOCK, timeout: float = 60.0) -> Iterator[None]:
    """Hold an exclusive lock on `folder` so two writers cannot interleave; released even if the holder dies.

    Holding the theories lock (`MERGE_LOCK`) also clears the temporary files an interrupted write left there.
    """
    import filelock  # imported here: it costs more at start-up than a command that never locks should pay

    folder.mkdir(parents=True, exist_ok=True)
    candidates = _lock_files(folder, name)
    for number, path in enumerate(candidates):
        lock = filelock.FileLock(path)
        try:
            lock.acquire(timeout=timeout, poll_interval=0.05)
            break
        except filelock.Timeout:
            raise LockTimeout(f"{folder / name} is held by another process") from None
        except OSError:  # a lock folder that exists but cannot be written (a read-only home): the next one
            if number == len(candidates) - 1:
                raise
    try:
        if name == MERGE_LOCK:
            remove_stale_temp_files(folder)
        yield
    finally:
        lock.release()


class Curated(StrEnum):
    """What writing a curated file came to; the value is the word the commands print."""

    UPDATED = "updated"
    UP_TO_DATE = "up to date"
    STALE = "stale"


class CuratedFiles:
    """The curated files of one folder (theories, the overarching theory), read and written under its writers' lock.

    With `check` (`--check`) nothing is written, so no lock is taken: atomic renames keep what it reads whole, and a
    file whose text changed is reported stale. Entering raises LockTimeout when another writer holds the folder.
    """

    def __init__(self, folder: Path, *, check: bool = False) -> None:
        self.folder = folder
        self.check = check
        self._lock = contextlib.ExitStack()
        self._seen: dict[str, tuple[int, int, int, int] | None] = {}  # file name -> identity when work began

    def __enter__(self) -> CuratedFiles:
        if not self.check:
            self._lock.enter_context(locked(self.folder))
        # What each file was when the work began: an editor saving one meanwhile takes no lock, and its edit
        # must not be replaced by text made from what was there before.
        self._seen = (
            {} if self.check or not self.folder.is_dir() else {p.name: _identity(p) for p in self.folder.iterdir()}
        )
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._lock.close()

    def write(self, path: Path, text: str, *, changed: bool) -> Curated:
        """Replace `path` with `text` atomically when it changed; under `check`, only say that it is stale."""
        if not changed:
            return Curated.UP_TO_DATE
        if self.check:
            return Curated.STALE
        if path.parent.resolve() == self.folder.resolve() and _identity(path) != self._seen.get(path.name):
            raise ChangedMeanwhile(
                errno.EAGAIN,
                "it was changed by someone else while cmo worked on it; nothing written, run the command again",
                str(path),
            )
        write_atomic(path, text)
        return Curated.UPDATED


class ChangedMeanwhile(OSError):
    """A curated file changed on disk between reading it and writing it (an editor saved it)."""


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)
