"""The coding cache: each transcript's result keyed by its content, so re-running `cmo code` redoes only what changed.

A cache is never trusted: its files carry a keyed BLAKE2 MAC with a random key kept beside them (created
once, readable by its owner only); a file that is corrupt, foreign (made with another key), of another
format version, or made for other codebooks and programme files is ignored and rebuilt. What it holds is
plain data (marshal of dicts, lists and strings, read only after the MAC matched), and records read from it
are validated again by their pydantic model when they are used.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmo import __version__
from cmo.files import write_bytes_atomic

FORMAT = 1
_SHARDS = 64
_MAC_SIZE = 32


def cache_home() -> Path:
    """Where caches live: $CMO_CACHE_DIR, else $XDG_CACHE_HOME/cmo, else ~/.cache/cmo."""
    if os.environ.get("CMO_CACHE_DIR"):
        return Path(os.environ["CMO_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cmo"


def _key(home: Path) -> bytes:
    path = home / "key"
    with contextlib.suppress(OSError):
        key = path.read_bytes()
        if len(key) == 32:
            return key
    home.mkdir(parents=True, exist_ok=True)
    key = os.urandom(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def context_key(files: Iterable[Path]) -> str:
    """What every cached result depends on besides its transcript: cmo, Python, codebooks, programme files."""
    mac = hashlib.blake2b(digest_size=16)
    mac.update(f"{FORMAT}|{__version__}|{sys.version_info[:2]}".encode())
    for path in sorted(files):
        mac.update(str(path).encode() + b"\0")
        with contextlib.suppress(OSError):
            mac.update(path.read_bytes())
        mac.update(b"\0")
    return mac.hexdigest()


@dataclass
class Entry:
    """A cached transcript: how to recognise it, and its result in plain data."""

    size: int
    mtime_ns: int
    inode: int
    digest: str
    result: dict[str, Any]  # TranscriptResult.to_data() without the records


class Cache:
    """The cache of one corpus; load() once, look entries up, put() new ones, save() at the end."""

    def __init__(self, root: Path, context: str, home: Path | None = None) -> None:
        self.home = home or cache_home()
        self.folder = self.home / digest(str(root.resolve()).encode())
        self.context = context
        self.entries: dict[str, Entry] = {}
        self.fresh: dict[str, tuple[Entry, list[dict[str, Any]]]] = {}
        self._shards: dict[int, dict[str, list[dict[str, Any]]]] = {}
        self._key = b""

    def _read(self, path: Path) -> Any:
        """The data of one cache file, or None when it is missing, corrupt, foreign or stale."""
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        mac, payload = raw[:_MAC_SIZE], raw[_MAC_SIZE:]
        expected = hashlib.blake2b(payload, key=self._key, digest_size=_MAC_SIZE).digest()
        if len(raw) <= _MAC_SIZE or not _equal(mac, expected):
            return None
        try:
            data = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("context") != self.context:
            return None
        return data

    def _write(self, path: Path, data: dict[str, Any]) -> None:
        payload = marshal.dumps({"format": FORMAT, "context": self.context, **data})
        write_bytes_atomic(path, hashlib.blake2b(payload, key=self._key, digest_size=_MAC_SIZE).digest() + payload)

    def load(self) -> None:
        try:
            self._key = _key(self.home)
        except OSError:
            return  # no writable cache home: run without a cache
        data = self._read(self.folder / "index")
        if data is None:
            return
        with contextlib.suppress(TypeError, ValueError, KeyError):
            self.entries = {path: Entry(*fields) for path, fields in data["entries"].items()}

    def lookup(self, path: str, stat: os.stat_result) -> Entry | None:
        """The entry of a file whose size, mtime and inode are unchanged (so its content is too, as git assumes)."""
        entry = self.entries.get(path)
        if entry and (entry.size, entry.mtime_ns, entry.inode) == (stat.st_size, stat.st_mtime_ns, stat.st_ino):
            return entry
        return None

    def lookup_content(self, path: str, content_digest: str) -> Entry | None:
        entry = self.entries.get(path)
        return entry if entry and entry.digest == content_digest else None

    def records(self, path: str) -> list[dict[str, Any]] | None:
        """A cached transcript's records as plain data (its shard is read on first use)."""
        if path in self.fresh:
            return self.fresh[path][1]
        shard = _shard(path)
        if shard not in self._shards:
            data = self._read(self.folder / f"records-{shard:02d}")
            self._shards[shard] = data.get("records", {}) if data else {}
        found = self._shards[shard].get(path)
        return found if isinstance(found, list) else None

    def put(self, path: str, entry: Entry, records: list[dict[str, Any]]) -> None:
        self.fresh[path] = (entry, records)

    def save(self, keep: set[str]) -> None:
        """Write what changed: the index, and the record shards that hold a new or removed transcript."""
        if not self._key:
            return
        stale = set(self.entries) - keep
        if not self.fresh and not stale:
            return
        touched = {_shard(path) for path in set(self.fresh) | stale}
        for shard in sorted(touched):
            if shard not in self._shards:
                data = self._read(self.folder / f"records-{shard:02d}")
                self._shards[shard] = data.get("records", {}) if data else {}
            records = {p: r for p, r in self._shards[shard].items() if p in keep and p not in self.fresh}
            records.update({p: r for p, (_, r) in self.fresh.items() if _shard(p) == shard})
            self._write(self.folder / f"records-{shard:02d}", {"records": records})
        entries = {p: e for p, e in self.entries.items() if p in keep}
        entries.update({p: e for p, (e, _) in self.fresh.items()})
        self._write(
            self.folder / "index",
            {"entries": {p: (e.size, e.mtime_ns, e.inode, e.digest, e.result) for p, e in entries.items()}},
        )


def _shard(path: str) -> int:
    return int(hashlib.blake2b(path.encode(), digest_size=2).hexdigest(), 16) % _SHARDS


def _equal(a: bytes, b: bytes) -> bool:
    import hmac

    return hmac.compare_digest(a, b)
