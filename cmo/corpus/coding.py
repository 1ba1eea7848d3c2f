"""Validate stage: every transcript of the corpus coded into CMO records, in worker processes and through the cache, every problem collected."""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from cmo.core.diagnostics import Diagnostic, Diagnostics
from cmo.core.paths import display_path
from cmo.core.rules import Rule
from cmo.corpus import fast_coding, speakers
from cmo.corpus.cache import Cache, Entry, context_key, digest
from cmo.corpus.layout import CODEBOOK_FILE, PROGRAMME_FILE, Corpus, ProgrammeSource, discover
from cmo.corpus.models import DEFAULT_INTERVIEWERS, Record
from cmo.corpus.participants import PARTICIPANTS_FILE
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

    def iter_record_dicts(self) -> Iterator[dict[str, Any]]:
        """`iter_records` as plain data (`Record.model_dump(mode="json")`), never building a model to dump it."""
        for result in self.transcripts:
            yield from result.record_dicts()

    def iter_record_lines(self) -> Iterator[str]:
        """Each record as one line of JSON text (no newline): what `--out records.jsonl` writes."""
        for result in self.transcripts:
            yield from result.record_lines()

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


class _Coded(NamedTuple):
    """What coding one transcript gives to send on (from a worker) or keep (in the cache)."""

    result: TranscriptData
    records: list[dict[str, Any]]  # with `form` DATA; [] otherwise
    lines: list[str] | None  # with `form` LINES: the records as JSON text, one line each
    content: str  # digest of the bytes coded; "" when they are not to be cached (changed while coded, or no cache)
    size: int
    mtime: int
    inode: int


# What a transcript's coding sends on of its records: none, plain data (the cache's form), or JSON lines.
NONE, DATA, LINES = "", "data", "lines"
_NOT_CACHED: tuple[str, int, int, int] = ("", -1, -1, -1)
_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(record, ensure_ascii=False), without a new encoder each time


def _code_for_transfer(
    file: Path, root: Path, programme: ProgrammeSource, shown: str, form: str = DATA, caching: bool = False
) -> _Coded:
    """Code one transcript into what is sent on and cached: `caching` takes what the cache recognises it by."""
    before = _file_identity(file) if caching else None  # before reading: an edit made while coding is not cached
    raw, data, records = _code_file(file, root, programme, shown, form != NONE)
    identity = _NOT_CACHED
    if caching:
        after = _file_identity(file)
        if after is not None and before == after and raw is not None and len(raw) == after[0]:
            identity = (digest(raw), *after)
    lines = [_JSON.encode(record) for record in records] if form == LINES else None
    return _Coded(data, records if form == DATA else [], lines, *identity)


def _code_file(
    file: Path, root: Path, programme: ProgrammeSource, shown: str, want_records: bool
) -> tuple[bytes | None, TranscriptData, list[dict[str, Any]]]:
    """(the bytes coded, the result as data, its records): by the fast path when it can answer."""
    raw: bytes | None = None
    if fast_coding.enabled():
        with contextlib.suppress(OSError):  # the full coder reports it
            raw = file.read_bytes()
        if raw is not None:
            fast = fast_coding.code_fast(raw, file, _relative(file, root), programme, _questions(programme))
            if fast is not None:
                return raw, *fast
    coder = TranscriptCoder(file, root, programme, shown)
    result = coder.run(raw)
    records = [record.model_dump(mode="json") for record in result.records] if want_records else []
    return coder.raw, result.to_data(), records


def _relative(file: Path, root: Path) -> str:
    """`file.relative_to(root).as_posix()`, by string where the file's path starts with the root's."""
    name, prefix = str(file), str(root) + os.sep
    if name.startswith(prefix):
        return name[len(prefix) :].replace(os.sep, "/")
    return file.relative_to(root).as_posix()


def _questions(programme: ProgrammeSource) -> re.Pattern[str] | None:
    labels = programme.programme.interviewers if programme.programme else DEFAULT_INTERVIEWERS
    return speakers.question_pattern(labels)


def _file_identity(file: Path) -> tuple[int, int, int] | None:
    """Size, mtime and inode: what a cache entry is recognised by."""
    try:
        stat = file.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


# A worker process's work: the corpus root, every task (programme, file, shown), the form, and whether cached.
# Set once per worker by the pool's initializer (inherited, not pickled, where processes fork).
_work: tuple[Path, list[tuple[ProgrammeSource, Path, str]], str, bool] | None = None


def _start_worker(root: Path, tasks: list[tuple[ProgrammeSource, Path, str]], form: str, caching: bool) -> None:
    global _work
    _work = (root, tasks, form, caching)
    gc.freeze()  # what the worker inherited is never garbage: no collection need look at it again
    gc.set_threshold(_FEW_COLLECTIONS, *gc.get_threshold()[1:])


def _code_span(span: tuple[int, int]) -> list[_Coded]:
    """Worker-process entry: code the tasks from index `span[0]` up to `span[1]`."""
    assert _work is not None
    root, tasks, form, caching = _work
    return [
        _code_for_transfer(file, root, programme, shown, form, caching)
        for programme, file, shown in tasks[span[0] : span[1]]
    ]


# Allocations between the youngest generation's collections while coding (Python's default is 700): the
# records kept are plain data with no cycles, and a collection per 700 of them walks everything kept so far.
_FEW_COLLECTIONS = 100_000


@contextlib.contextmanager
def _few_collections() -> Iterator[None]:
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], _FEW_COLLECTIONS), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _run_parallel(
    root: Path, tasks: list[tuple[ProgrammeSource, Path, str]], jobs: int, form: str, caching: bool
) -> list[_Coded]:
    """Code the tasks on `jobs` processes, each given the tasks once and then spans of their indexes; in task order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = max(4, min(64, len(tasks) // (jobs * 8) or 1))
    spans = [(start, min(start + size, len(tasks))) for start in range(0, len(tasks), size)]
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    gc.freeze()  # forked workers share the parent's objects; a collection in them would touch (copy) every page
    try:
        with ProcessPoolExecutor(
            jobs, context, initializer=_start_worker, initargs=(root, tasks, form, caching)
        ) as pool:
            return [coded for chunk in pool.map(_code_span, spans) for coded in chunk]
    finally:
        gc.unfreeze()


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
    contexts = {programme.id: context_key(context_files(corpus, programme)) for programme in corpus.programmes.values()}
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
    run: _Run,
    todo: list[int],
    results: list[TranscriptResult | None],
    jobs: int | None,
    form: str,
    store: Cache | None,
) -> list[_Coded]:
    """Code the transcripts at `todo` (in worker processes when there are enough), filling in their results."""
    workers = jobs if jobs is not None else _default_jobs()
    caching = store is not None
    coded: list[_Coded] = []
    if workers > 1 and len(todo) >= _PARALLEL_MINIMUM:
        coded = _run_parallel(run.corpus.root, [(*run.tasks[i], run.shown[i]) for i in todo], workers, form, caching)
        for index, item in zip(todo, coded, strict=True):
            results[index] = _received(item, run.shown[index])
        return coded
    for index in todo:
        programme, file = run.tasks[index]
        item = _code_for_transfer(file, run.corpus.root, programme, run.shown[index], form, caching)
        results[index] = _received(item, run.shown[index])  # records as data or text, never models: memory stays flat
        coded.append(item)
    return coded


def _received(item: _Coded, shown: str) -> TranscriptResult:
    """The result of a transcript coded elsewhere (a worker process, or the fast path), its records as sent."""
    lines = item.lines
    pending = _given(item.records) if lines is None else functools.partial(_parsed, lines)
    result = TranscriptResult.from_data(item.result, shown, pending)
    result.lines = lines
    return result


def _parsed(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines]


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
    paths: Sequence[Path],
    *,
    jobs: int | None = None,
    cache: bool = False,
    keep_records: bool = True,
    as_lines: bool = False,
) -> CodingResult:
    """Parse and validate every transcript the paths name; never stops at the first problem.

    `jobs` worker processes code transcripts in parallel (default: all cores; results are identical to a
    serial run). With `cache`, transcripts whose content and whose programme's codebooks and programme
    files are unchanged since the last run are not coded again (see cmo.corpus.cache). Without `keep_records`,
    only summaries and diagnostics are kept (records can still be read back from the cache, if any).
    With `as_lines` (and no cache), records are kept as the JSON lines `iter_record_lines` gives, made
    where they are coded: the cheapest form to hold and to send from a worker process.
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
    form = DATA if store is not None else (LINES if as_lines else DATA) if keep_records else NONE
    with _few_collections():
        coded = _code_todo(run, todo, results, jobs, form, store)
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
        records = _code_for_transfer(file, root, programme, shown, DATA).records
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


def context_files(corpus: Corpus, programme: ProgrammeSource) -> list[Path]:
    """The files a programme's transcripts' results depend on: the shared codebook, its programme.yaml, codebook, participants.

    And every other programme's codebook: an unknown code's message says which of them declares it.
    """
    own = [
        corpus.root / CODEBOOK_FILE,
        programme.folder / PROGRAMME_FILE,
        programme.folder / CODEBOOK_FILE,
        programme.folder / PARTICIPANTS_FILE,
    ]
    others = sorted(path for path in corpus.root.glob(f"*/{CODEBOOK_FILE}") if path.parent != programme.folder)
    return own + others
