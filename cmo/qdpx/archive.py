"""Reading a `.qdpx` zip safely: every entry's name and size checked before anything is read; nothing extracted to disk."""

from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from cmo.core.rules import Rule
from cmo.qdpx.errors import QdpxError

PROJECT_FILE = "project.qde"
SOURCE_FOLDERS = ("sources", "Sources")
_DRIVE = re.compile(r"^[A-Za-z]:")
# A highly compressed small entry (a file of spaces) is harmless; bombs are large when inflated.
_RATIO_FLOOR = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What a project may inflate to: total bytes, compression ratio of an entry, number of entries."""

    total_bytes: int = 512 << 20
    ratio: int = 100
    entries: int = 20_000


def _safe_name(raw: str) -> str:
    """The entry name with `/` separators, or QdpxError when it could point outside the project."""
    name = raw.replace("\\", "/")
    parts = name.split("/")
    if name.startswith("/") or _DRIVE.match(name) or ".." in parts or "\x00" in name:
        raise QdpxError(
            Rule.QDPX_UNSAFE_ENTRY,
            f"refused: zip entry {raw!r} points outside the project (absolute path or '..'); "
            "the file may be crafted to overwrite other files",
        )
    return "/".join(part for part in parts if part not in ("", "."))


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


class Archive:
    """An open `.qdpx`: its checked entry names, read into memory one at a time with bounds."""

    def __init__(self, path: Path, limits: Limits) -> None:
        if not path.is_file():
            raise QdpxError(Rule.PATH_MISSING, "no such file")
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise QdpxError(Rule.QDPX_ARCHIVE, f"not a readable .qdpx (zip) file: {exc}") from None
        try:
            self._infos = self._check(limits)
        except QdpxError:
            self._zip.close()
            raise
        self._folded = {_folded(name): name for name in self._infos}

    def _check(self, limits: Limits) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        if len(infos) > limits.entries:
            raise QdpxError(
                Rule.QDPX_TOO_MANY_ENTRIES, f"refused: {len(infos)} zip entries (the limit is {limits.entries})"
            )
        total = sum(info.file_size for info in infos)
        if total > limits.total_bytes:
            raise QdpxError(
                Rule.QDPX_TOO_LARGE,
                f"refused: the project inflates to {total:,} bytes (the limit is {limits.total_bytes:,})",
            )
        checked: dict[str, zipfile.ZipInfo] = {}
        folded: dict[str, str] = {}
        for info in infos:
            name = _safe_name(info.filename)
            if info.is_dir() or not name:
                continue
            if info.file_size > _RATIO_FLOOR and info.file_size > limits.ratio * max(info.compress_size, 1):
                raise QdpxError(
                    Rule.QDPX_COMPRESSION,
                    f"refused: zip entry {info.filename!r} inflates {info.file_size // max(info.compress_size, 1)}"
                    f" times its stored size (the limit is {limits.ratio}); a zip bomb?",
                )
            if name in checked:
                raise QdpxError(Rule.QDPX_UNSAFE_ENTRY, f"refused: zip entry {name!r} appears twice")
            # `find` ignores case, and file systems may fold case or Unicode forms: names equal so are one file.
            key = _folded(name)
            if key in folded:
                raise QdpxError(
                    Rule.QDPX_UNSAFE_ENTRY,
                    f"refused: zip entries {folded[key]!r} and {name!r} name the same file; which one is meant?",
                )
            folded[key] = name
            checked[name] = info
        return checked

    @property
    def names(self) -> list[str]:
        return list(self._infos)

    def find(self, name: str) -> str | None:
        """The entry called `name`, matched exactly, else ignoring case (tools differ on `Sources/`)."""
        if name in self._infos:
            return name
        return self._folded.get(_folded(name))

    def read(self, name: str) -> bytes:
        """One entry's bytes, never more than its checked size."""
        info = self._infos[name]
        try:
            with self._zip.open(info) as handle:
                data = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
            raise QdpxError(Rule.QDPX_ARCHIVE, f"cannot read zip entry {name!r}: {exc}") from None
        if len(data) > info.file_size:
            raise QdpxError(Rule.QDPX_COMPRESSION, f"refused: zip entry {name!r} inflates beyond its declared size")
        return data

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def open_archive(path: Path, limits: Limits | None = None) -> Archive:
    """Open and check a `.qdpx`; QdpxError when it is not a zip or any entry is unsafe."""
    return Archive(path, limits or Limits())


def project_entry(archive: Archive) -> str:
    """The entry holding the project XML: `project.qde`, else the one `.qde` at the top."""
    found = archive.find(PROJECT_FILE)
    if found is not None:
        return found
    others = [name for name in archive.names if "/" not in name and name.lower().endswith(".qde")]
    if len(others) == 1:
        return others[0]
    raise QdpxError(Rule.QDPX_PROJECT_MISSING, f"no {PROJECT_FILE} in the file: not a REFI-QDA project")


def source_entry(archive: Archive, internal_path: str) -> str | None:
    """The entry an `internal://` path names, in `sources/` or `Sources/` (or at the top)."""
    relative = internal_path.replace("\\", "/").lstrip("/")
    for folder in SOURCE_FOLDERS:
        found = archive.find(f"{folder}/{relative}")
        if found is not None:
            return found
    return archive.find(relative)
