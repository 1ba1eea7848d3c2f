"""The coding cache: each transcript's result keyed by its content, so re-running `cmo code` redoes only what changed.

A cache can only make a run faster, never different. It is never trusted: its files carry a keyed BLAKE2
MAC with a random key kept beside them (created once, readable by its owner only); a file that is corrupt,
foreign (made with another key), of another format version, or made for other codebooks and programme
files is ignored and rebuilt. Each index entry also holds the digest of its transcript's records as
cached, so records are used only when the record shard holds exactly those (a shard that was damaged,
deleted, or rewritten by a concurrent run is a miss, and the transcript is coded again). Writers merge
into what is on disk under a lock, shards before the index; a write that fails is given up with a note,
never an error. What it holds is plain data (marshal of dicts, lists, strings and bytes, read only after
the MAC matched), and records read from it are validated again by their pydantic model when they are used.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import marshal
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmo import __version__
from cmo.core.files import LockTimeout, cache_home, is_regular, locked, write_bytes_atomic

FORMAT = 3
_SHARDS = 64
_MAC_SIZE = 32
# Records are marshalled at version 2, which writes no back-references: equal records give equal bytes.
_RECORDS_MARSHAL = 2
# A save waits this long for a concurrent one, then gives up: the cache is only an optimisation.
LOCK_TIMEOUT = 2.0
_LOCK_NAME = "lock"


def _key(home: Path) -> bytes:
    path = home / "key"
    with contextlib.suppress(OSError):
        key = path.read_bytes()
        if len(key) == 32:
            return key
    home.mkdir(parents=True, exist_ok=True)
    key = os.urandom(32)
    try:  # exclusive, so that two first runs at once agree on one key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with contextlib.suppress(OSError):
            existing = path.read_bytes()
            if len(existing) == 32:
                return existing
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
        if is_regular(path):  # never a device or pipe: reading /dev/zero never ends
            with contextlib.suppress(OSError):
                mac.update(path.read_bytes())
        mac.update(b"\0")
    return mac.hexdigest()


@dataclass
class Entry:
    """A cached transcript: how to recognise it, what it was coded against, its result, the digest of its records."""

    size: int
    mtime_ns: int
    inode: int
    digest: str
    result: dict[str, Any]  # TranscriptResult.to_data() without the records
    context: str  # context_key() of its programme's codebooks and programme file
    records_digest: str = ""  # of the records' bytes in the shard; set by put()

    def fields(self) -> tuple[Any, ...]:
        return (self.size, self.mtime_ns, self.inode, self.digest, self.result, self.context, self.records_digest)


class Cache:
    """The cache of one corpus; load() once, look entries up, put() new ones, save() at the end."""

    def __init__(self, root: Path, context: str = "", home: Path | None = None) -> None:
        self.home = home or cache_home()
        self.root = root
        self.folder = self.home / digest(str(root.resolve()).encode())
        self.context = context
        self.entries: dict[str, Entry] = {}
        self.fresh: dict[str, tuple[Entry, bytes]] = {}  # path -> (entry, its records marshalled)
        self._shards: dict[int, dict[str, bytes]] = {}
        self._key = b""
        self.warning: str | None = None  # why the cache could not be used or updated, if it could not

    def _read(self, path: Path) -> Any:
        """The data of one cache file, or None when it is missing, corrupt, foreign or stale."""
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        mac, payload = raw[:_MAC_SIZE], raw[_MAC_SIZE:]
        expected = hashlib.blake2b(payload, key=self._key, digest_size=_MAC_SIZE).digest()
        if len(raw) <= _MAC_SIZE or not hmac.compare_digest(mac, expected):
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

    def _read_entries(self) -> dict[str, Entry]:
        data = self._read(self.folder / "index")
        if data is None:
            return {}
        try:
            return {path: Entry(*fields) for path, fields in data["entries"].items()}
        except (TypeError, ValueError, KeyError, AttributeError):
            return {}

    def _read_shard(self, shard: int) -> dict[str, bytes]:
        data = self._read(self.folder / f"records-{shard:02d}")
        found = data.get("records") if data else None
        if not isinstance(found, dict):
            return {}
        return {path: blob for path, blob in found.items() if isinstance(blob, bytes)}

    def load(self) -> None:
        try:
            self._key = _key(self.home)
        except OSError as exc:
            self.warning = f"coding cache not used: {_reason(exc)}"
            return  # no writable cache home: run without a cache
        self.entries = self._read_entries()

    def lookup(self, path: str, stat: os.stat_result, context: str) -> Entry | None:
        """The entry of a file whose size, mtime and inode are unchanged (so its content is too, as git assumes).

        `context` is what its result depends on besides the file (its programme's codebooks): it must match too.
        """
        entry = self.entries.get(path)
        if (
            entry
            and (entry.size, entry.mtime_ns, entry.inode) == (stat.st_size, stat.st_mtime_ns, stat.st_ino)
            and entry.context == context
        ):
            return entry
        return None

    def records(self, path: str) -> list[dict[str, Any]] | None:
        """A transcript's records as plain data, exactly as cached for its entry; None when they are not there whole."""
        if path in self.fresh:
            return _decode(self.fresh[path][1])
        blob = self._blob(path)
        records = _decode(blob) if blob is not None else None
        if records is None or len(records) != self.entries[path].result.get("record_count"):
            return None
        return records

    def _blob(self, path: str) -> bytes | None:
        """The path's records in its shard (read on first use), if they have the digest its index entry has."""
        if path in self.fresh:
            return self.fresh[path][1]
        entry = self.entries.get(path)
        if entry is None or not entry.records_digest:
            return None
        shard = _shard(path)
        if shard not in self._shards:
            self._shards[shard] = self._read_shard(shard)
        blob = self._shards[shard].get(path)
        if blob is None or not hmac.compare_digest(digest(blob), entry.records_digest):
            return None
        return blob

    def has_records(self, path: str) -> bool:
        """Whether the shard holds exactly the records cached for this path's entry (read, not decoded)."""
        return self._blob(path) is not None

    def put(self, path: str, entry: Entry, records: list[dict[str, Any]]) -> None:
        blob = marshal.dumps(records, _RECORDS_MARSHAL)
        entry.records_digest = digest(blob)
        self.fresh[path] = (entry, blob)

    def save(self, seen: set[str]) -> None:
        """Merge the new entries into the cache on disk; give up (with a warning) rather than fail the run.

        `seen` are the transcripts this run found: their files exist; others are checked before being dropped.
        """
        if not self._key or not self.fresh:
            return
        try:
            with locked(self.folder, _LOCK_NAME, timeout=LOCK_TIMEOUT):
                self._merge_into_disk(seen)
        except LockTimeout:
            self.warning = "coding cache not updated: another cmo run kept it locked"
        except OSError as exc:
            self.warning = f"coding cache not updated: {_reason(exc)}"

    def _merge_into_disk(self, seen: set[str]) -> None:
        """Under the lock: re-read the index and the shards to touch, add ours, write shards first, then the index.

        Entries of files outside this run stay (a run over one file must not drop the others'); only entries
        of files that no longer exist go, and entries whose records are no longer in their shard.
        """
        entries = self._read_entries()
        entries.update({path: entry for path, (entry, _) in self.fresh.items()})
        gone = {path for path in entries if path not in seen and not os.path.lexists(self.root / path)}
        for path in gone:
            del entries[path]
        touched = {_shard(path) for path in set(self.fresh) | gone}
        by_shard: dict[int, list[str]] = {}
        for path in entries:
            shard = _shard(path)
            if shard in touched:
                by_shard.setdefault(shard, []).append(path)
        for shard in sorted(touched):
            old = self._read_shard(shard)
            blobs = {path: old[path] for path in by_shard.get(shard, []) if path in old}
            blobs.update({path: blob for path, (_, blob) in self.fresh.items() if _shard(path) == shard})
            for path in by_shard.get(shard, []):
                if path not in blobs:
                    del entries[path]  # its records are lost: code it again rather than keep a summary alone
            self._write(self.folder / f"records-{shard:02d}", {"records": blobs})
        self._write(self.folder / "index", {"entries": {path: entry.fields() for path, entry in entries.items()}})


def _decode(blob: bytes) -> list[dict[str, Any]] | None:
    try:
        records = marshal.loads(blob)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        return None
    return records


def _reason(exc: OSError) -> str:
    where = exc.filename if exc.filename is not None else ""
    what = exc.strerror or str(exc) or type(exc).__name__
    return f"{where}: {what}" if where else what


def _shard(path: str) -> int:
    return int(hashlib.blake2b(path.encode(), digest_size=2).hexdigest(), 16) % _SHARDS
