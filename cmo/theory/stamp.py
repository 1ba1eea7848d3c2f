"""Theory stamps: beside the coding cache, what a set of theory files was merged from when they were what merge writes.

A stamp lets the next staleness check say "not stale" without coding or merging, and only when that is
exactly what the full check would say: it records one digest of everything merge's output (and the
corpus's having no errors) depends on: cmo's and the cache's format and version, each programme's theory
file bytes, its codebooks and programme files (the cache's context key), and the path and cached content
digest of each of its transcripts, found by stat as the cache finds them. Anything else (a transcript
the cache does not know as it is now, a changed file, a missing, corrupt or unwritable stamp file) means
the full check runs. The stamp is keyed by the set of programmes checked together, as the corpus's
errors (a record id given twice) are judged over that set.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from cmo import __version__
from cmo.core.diagnostics import Diagnostics
from cmo.core.files import write_bytes_atomic
from cmo.corpus.cache import FORMAT, Cache, context_key, digest
from cmo.corpus.coding import context_files
from cmo.corpus.layout import Corpus, discover
from cmo.theory.merge import theory_path

STAMP_NAME = "theory-stamps.json"
_FORMAT = 1
# Stamps kept per corpus (the newest): one per set of programmes compared or reported together.
_KEEP = 16


def _key(theories: Path, programmes: Iterable[str]) -> str:
    return "\0".join([str(theories.resolve()), *sorted(set(programmes))])


def theory_digests(theories: Path, programmes: Iterable[str]) -> dict[str, str] | None:
    """Programme -> the digest of its theory file's bytes; None when one is not a regular file or cannot be read."""
    found = {}
    for programme in sorted(set(programmes)):
        path = theory_path(theories, programme)
        if not path.is_file():  # never a pipe: reading it would wait for ever
            return None
        try:
            found[programme] = digest(path.read_bytes())
        except OSError:
            return None
    return found


def inputs_digest(
    corpus: Corpus, theories: Path, programmes: Iterable[str], store: Cache, expected: Mapping[str, str] | None = None
) -> str | None:
    """One digest of what merging `programmes` depends on, None unless the cache knows every transcript as it is.

    With `expected` (theory_digests() from before a check), None too when a theory file has changed since.
    """
    theory = theory_digests(theories, programmes)
    if theory is None or (expected is not None and theory != expected):
        return None
    mac = hashlib.blake2b(digest_size=16)
    mac.update(f"{_FORMAT}|{FORMAT}|{__version__}|{sys.version_info[:2]}|{theories.resolve()}\0".encode())
    prefix = str(corpus.root) + os.sep
    for programme, theory_digest in theory.items():
        source = corpus.programmes.get(programme)
        if source is None:
            return None
        context = context_key(context_files(corpus, source))
        mac.update(f"{programme}\0{theory_digest}\0{context}\0{len(source.transcripts)}\0".encode())
        for file in source.transcripts:
            rel = str(file)[len(prefix) :].replace(os.sep, "/")  # as coding names it in the cache
            try:
                entry = store.lookup(rel, file.stat(), context)
            except OSError:
                return None
            if entry is None:
                return None
            mac.update(f"{rel}\0{entry.digest}\0".encode())
    return mac.hexdigest()


def _inputs(
    folders: Sequence[Path], theories: Path, programmes: Sequence[str], expected: Mapping[str, str] | None = None
) -> tuple[Cache, str] | None:
    """The coding cache of the corpus the folders are in, and the inputs digest; None when there is none."""
    diagnostics = Diagnostics()
    corpus = discover(list(folders), diagnostics)  # as coding discovers them: its errors make merge refuse
    if corpus is None or diagnostics.errors:
        return None
    store = Cache(corpus.root, context_key([]))
    store.load()
    if store.warning is not None:
        return None
    inputs = inputs_digest(corpus, theories, programmes, store, expected)
    return None if inputs is None else (store, inputs)


def _read(store: Cache) -> dict[str, str]:
    """The stamps of the cache's corpus: set key -> inputs digest; nothing when missing, corrupt or foreign."""
    try:
        data = json.loads((store.folder / STAMP_NAME).read_bytes())
    except (OSError, ValueError):
        return {}
    stamps = data.get("stamps") if isinstance(data, dict) and data.get("format") == _FORMAT else None
    if not isinstance(stamps, dict):
        return {}
    return {key: value for key, value in stamps.items() if isinstance(key, str) and isinstance(value, str)}


def is_current(folders: Sequence[Path], theories: Path, programmes: Sequence[str]) -> bool:
    """Whether a stamp says the programmes' theory files are what merge would write now (False: check in full)."""
    found = _inputs(folders, theories, programmes)
    return found is not None and _read(found[0]).get(_key(theories, programmes)) == found[1]


def record(
    folders: Sequence[Path], theories: Path, programmes: Sequence[str], expected: Mapping[str, str] | None = None
) -> None:
    """Stamp the programmes' theory files as what merge would write from the corpus as it is now.

    Call it only when that is so: after a full staleness check found none of them stale (with `expected`,
    the theory_digests() taken before it, so a file changed meanwhile is not stamped), or after merge wrote
    them all. Does nothing when the coding cache does not know every transcript; a stamp that cannot be
    written is given up silently (the next check is a full one).
    """
    found = _inputs(folders, theories, programmes, expected)
    if found is None:
        return
    store, inputs = found
    stamps = _read(store)
    key = _key(theories, programmes)
    stamps.pop(key, None)
    stamps[key] = inputs  # newest last
    kept = dict(list(stamps.items())[-_KEEP:])
    with contextlib.suppress(OSError):
        write_bytes_atomic(store.folder / STAMP_NAME, json.dumps({"format": _FORMAT, "stamps": kept}).encode())
