"""Validate stage: every transcript of the corpus coded into CMO records, in worker processes and through the cache, every problem collected."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from cmo.core.diagnostics import Diagnostic, Diagnostics
from cmo.core.paths import display_path
from cmo.core.rules import Rule
from cmo.corpus.cache import Cache, Entry, context_key, digest
from cmo.corpus.layout import CODEBOOK_FILE, PROGRAMME_FILE, Corpus, ProgrammeSource, discover
from cmo.corpus.models import (
    Record,
)
from cmo.corpus.transcript_coding import TranscriptCoder, TranscriptData, TranscriptResult, UndeclaredCode


@dataclass
class CodingResult:
    """The whole corpus coded: transcripts in corpus order (their records in file order), and every diagnostic."""

    corpus: Corpus | None
    transcripts: list[TranscriptResult]
    diagnostics: list[Diagnostic]
    undeclared: list[UndeclaredCode]
    warnings: list[str] = field(default_factory=list)  # not findings: e.g. the cache could not be saved

    @property
    def records(self) -> list[Record]:
        return [record for transcript in self.transcripts for record in transcript.records]

    def iter_records(self) -> Iterator[Record]:
        """Records transcript by transcript, so a caller can write them without holding them all."""
        for result in self.transcripts:
            yield from result.records
            if result.pending is not None:  # can be built again: let these go
                result.built = None

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


class _Coded(NamedTuple):
    """What coding one transcript gives to send on (from a worker) or keep (in the cache)."""

    result: TranscriptData
    records: list[dict[str, Any]]
    content: str  # digest of the bytes coded; "" when they are not to be cached (changed while coded)
    size: int
    mtime: int
    inode: int


def _code_for_transfer(
    file: Path, root: Path, programme: ProgrammeSource, shown: str, want_records: bool = True
) -> tuple[TranscriptResult, _Coded]:
    coder = TranscriptCoder(file, root, programme, shown)
    before = _file_identity(file)  # taken before reading: an edit made while coding is not cached as this content
    result = coder.run()
    after = _file_identity(file)
    if after is None or before != after or coder.raw is None or len(coder.raw) != after[0]:
        identity: tuple[str, int, int, int] = ("", -1, -1, -1)  # not cached
    else:
        identity = (digest(coder.raw), *after)
    records = [record.model_dump(mode="json") for record in result.records] if want_records else []
    return result, _Coded(result.to_data(), records, *identity)


def _file_identity(file: Path) -> tuple[int, int, int] | None:
    """Size, mtime and inode: what a cache entry is recognised by."""
    try:
        stat = file.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def _code_chunk(task: tuple[Path, ProgrammeSource, list[tuple[Path, str]], bool]) -> list[_Coded]:
    """Worker-process entry: code a run of transcripts of one programme."""
    root, programme, files, want_records = task
    return [_code_for_transfer(file, root, programme, shown, want_records)[1] for file, shown in files]


def _default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _run_parallel(
    root: Path, tasks: list[tuple[ProgrammeSource, Path, str]], jobs: int, want_records: bool
) -> list[_Coded]:
    """Code the tasks on `jobs` processes, in chunks of one programme's files, results in task order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = max(4, min(64, len(tasks) // (jobs * 8) or 1))
    chunks: list[tuple[Path, ProgrammeSource, list[tuple[Path, str]], bool]] = []
    for programme, file, shown in tasks:
        if chunks and chunks[-1][1] is programme and len(chunks[-1][2]) < size:
            chunks[-1][2].append((file, shown))
        else:
            chunks.append((root, programme, [(file, shown)], want_records))
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method)) as pool:
        return [coded for chunk in pool.map(_code_chunk, chunks) for coded in chunk]


def _given(records: list[dict[str, Any]]) -> Callable[[], list[dict[str, Any]]]:
    return lambda: records


# Below this many transcripts to code, starting worker processes costs more than it saves.
_PARALLEL_MINIMUM = 32


def _duplicate_ids(results: list[TranscriptResult], diagnostics: Diagnostics) -> None:
    seen: dict[tuple[str, str], TranscriptResult] = {}
    for result in results:
        if result.transcript_id is None:
            continue
        key = (result.programme, result.transcript_id)
        first = seen.setdefault(key, result)
        if first is not result:
            diagnostics.add(
                result.shown,
                result.id_mark.line,
                result.id_mark.column,
                Rule.DUPLICATE_TRANSCRIPT,
                f"transcript id {result.transcript_id!r} is already used by {first.shown} in programme {result.programme!r}",
            )


@dataclass
class _Run:
    """The transcripts of one run, each as a task with its path in the corpus and as shown: worked out once."""

    corpus: Corpus
    tasks: list[tuple[ProgrammeSource, Path]]
    rels: list[str]
    shown: list[str]
    contexts: dict[str, str]  # programme -> context_key() of what its results depend on besides the transcript


def _run(corpus: Corpus, tasks: list[tuple[ProgrammeSource, Path]]) -> _Run:
    # Paths as strings, worked out once: at 10,000 transcripts pathlib's per-call cost shows.
    prefix = str(corpus.root) + os.sep
    rels = [str(file)[len(prefix) :].replace(os.sep, "/") for _, file in tasks]
    root_shown = display_path(corpus.root)
    shown = [rel if root_shown == "." else f"{root_shown}/{rel}" for rel in rels]
    # Per programme, not per run: a run over one programme's files and a run over all share their entries.
    contexts = {
        programme.id: context_key(_context_files(corpus, programme)) for programme in corpus.programmes.values()
    }
    return _Run(corpus, tasks, rels, shown, contexts)


def _from_cache(
    run: _Run, store: Cache | None, keep_records: bool, results: list[TranscriptResult | None]
) -> list[int]:
    """Fill in the results the cache holds; the indexes of the transcripts still to code."""
    todo: list[int] = []
    for index, (programme, file) in enumerate(run.tasks):
        entry = None
        if store is not None:
            with contextlib.suppress(OSError):
                entry = store.lookup(run.rels[index], file.stat(), run.contexts[programme.id])
            if entry is not None and keep_records and not store.has_records(run.rels[index]):
                entry = None  # its records are not in the cache whole: code it again
        if entry is None:
            todo.append(index)
        else:
            assert store is not None
            rel, shown = run.rels[index], run.shown[index]
            results[index] = TranscriptResult.from_data(
                entry.result,
                shown,
                functools.partial(_cached_records, store, rel, file, run.corpus.root, programme, shown),
            )
    return todo


def _code_todo(
    run: _Run, todo: list[int], results: list[TranscriptResult | None], jobs: int | None, want: bool, keep: bool
) -> list[_Coded]:
    """Code the transcripts at `todo` (in worker processes when there are enough), filling in their results."""
    workers = jobs if jobs is not None else _default_jobs()
    coded: list[_Coded] = []
    if workers > 1 and len(todo) >= _PARALLEL_MINIMUM:
        coded = _run_parallel(run.corpus.root, [(*run.tasks[i], run.shown[i]) for i in todo], workers, want)
        for index, item in zip(todo, coded, strict=True):
            results[index] = TranscriptResult.from_data(item.result, run.shown[index], _given(item.records))
        return coded
    for index in todo:
        programme, file = run.tasks[index]
        result, item = _code_for_transfer(file, run.corpus.root, programme, run.shown[index], want)
        if not keep:
            result.built = None  # let this transcript's records go now: memory stays flat
        results[index] = result
        coded.append(item)
    return coded


def _save(run: _Run, store: Cache, todo: list[int], coded: list[_Coded]) -> None:
    for index, item in zip(todo, coded, strict=True):
        if item.size >= 0:
            context = run.contexts[run.tasks[index][0].id]
            entry = Entry(item.size, item.mtime, item.inode, item.content, dict(item.result), context)
            store.put(run.rels[index], entry, item.records)
    store.save(set(run.rels))


def _let_records_go(
    run: _Run, store: Cache | None, todo: list[int], coded: list[_Coded], results: list[TranscriptResult | None]
) -> None:
    """Without keep_records: drop the fresh results' records, leaving a way to read them back where there is one."""
    for index, item in zip(todo, coded, strict=True):
        fresh = results[index]
        assert fresh is not None
        fresh.built = None
        if store is None:
            fresh.pending = _not_kept
        elif run.rels[index] in store.fresh:
            fresh.pending = functools.partial(store.records, run.rels[index])
        else:
            fresh.pending = _given(item.records)  # not cacheable (it changed while coded, or vanished)


def code_corpus(
    paths: Sequence[Path], *, jobs: int | None = None, cache: bool = False, keep_records: bool = True
) -> CodingResult:
    """Parse and validate every transcript the paths name; never stops at the first problem.

    `jobs` worker processes code transcripts in parallel (default: all cores; results are identical to a
    serial run). With `cache`, transcripts whose content and whose programme's codebooks and programme
    files are unchanged since the last run are not coded again (see cmo.corpus.cache). Without `keep_records`,
    only summaries and diagnostics are kept (records can still be read back from the cache, if any).
    """
    diagnostics = Diagnostics()
    corpus = discover(list(paths), diagnostics)
    tasks = [
        (programme, file)
        for programme in (corpus.programmes.values() if corpus else [])
        for file in programme.transcripts
    ]
    if corpus is None or not tasks:
        return _finish(corpus, [], diagnostics)
    store: Cache | None = None
    if cache:
        store = Cache(corpus.root, context_key([]))
        store.load()
    run = _run(corpus, tasks)
    results: list[TranscriptResult | None] = [None] * len(tasks)
    todo = _from_cache(run, store, keep_records, results)
    coded = _code_todo(run, todo, results, jobs, keep_records or store is not None, keep_records)
    if store is not None:
        _save(run, store, todo, coded)
    done = [result for result in results if result is not None]
    if not keep_records:
        _let_records_go(run, store, todo, coded, results)
    return _finish(corpus, done, diagnostics, [store.warning] if store is not None and store.warning else [])


def _cached_records(
    store: Cache, rel: str, file: Path, root: Path, programme: ProgrammeSource, shown: str
) -> list[dict[str, Any]]:
    """A cached transcript's records, checked against its entry; coded again if the cache no longer has them whole."""
    records = store.records(rel)
    if records is None:
        records = _code_for_transfer(file, root, programme, shown)[1].records
    return records


def _not_kept() -> list[dict[str, Any]]:
    raise RuntimeError("records were not kept: code the corpus with keep_records=True")


def _finish(
    corpus: Corpus | None, done: list[TranscriptResult], diagnostics: Diagnostics, warnings: list[str] | None = None
) -> CodingResult:
    for result in done:
        diagnostics.extend(result.diagnostics)
    _duplicate_ids(done, diagnostics)
    return CodingResult(
        corpus=corpus,
        transcripts=done,
        diagnostics=sorted(set(diagnostics.items), key=lambda d: (d.path, d.line, d.column, d.rule, d.message)),
        undeclared=[code for result in done for code in result.undeclared],
        warnings=warnings or [],
    )


def _context_files(corpus: Corpus, programme: ProgrammeSource) -> list[Path]:
    """The files a programme's transcripts' results depend on: the shared codebook, its programme.yaml and codebook.

    And every other programme's codebook: an unknown code's message says which of them declares it.
    """
    own = [corpus.root / CODEBOOK_FILE, programme.folder / PROGRAMME_FILE, programme.folder / CODEBOOK_FILE]
    others = sorted(path for path in corpus.root.glob(f"*/{CODEBOOK_FILE}") if path.parent != programme.folder)
    return own + others
