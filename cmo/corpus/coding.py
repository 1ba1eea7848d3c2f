"""Validate stage: annotated transcripts -> CMO records, with every problem in the corpus collected."""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmo.core.diagnostics import Diagnostic, Diagnostics, Severity
from cmo.core.suggest import did_you_mean
from cmo.corpus import evidence, transcript
from cmo.corpus.cache import Cache, Entry, context_key, digest
from cmo.corpus.layout import (
    CODEBOOK_FILE,
    PROGRAMME_FILE,
    Corpus,
    ProgrammeSource,
    discover,
    display_path,
    suggest_code,
)
from cmo.corpus.models import (
    FIELD_KINDS,
    TRANSCRIPT_ID_PATTERN,
    Annotation,
    FrontMatter,
    MechanismSplit,
    Record,
    SourceType,
)
from cmo.yamlio.reader import Mark, locate
from cmo.yamlio.schema import valid_part, validate

_TRANSCRIPT_ID = re.compile(TRANSCRIPT_ID_PATTERN)
_CORE_FIELDS = ("context", "mechanism", "outcome")


@dataclass(frozen=True)
class UndeclaredCode:
    """A code used in an annotation that the programme's codebooks do not declare."""

    programme: str
    code: str
    path: str
    line: int


@dataclass
class TranscriptResult:
    """What coding one transcript gave: its identity, a summary of its records, the records, its problems.

    Records may be held as built, or as plain data (from a worker process or the cache) turned into
    models only when something asks for them: a summary of 10,000 transcripts never builds 100,000 models.
    """

    programme: str
    path: str
    shown: str
    transcript_id: str | None = None
    id_mark: Mark = field(default_factory=lambda: Mark(1, 1))
    source: SourceType | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    undeclared: list[UndeclaredCode] = field(default_factory=list)
    record_count: int = 0
    code_uses: dict[str, int] = field(default_factory=dict)  # code -> how many records use it
    built: list[Record] | None = None
    pending: Callable[[], list[dict[str, Any]] | None] | None = None

    @property
    def records(self) -> list[Record]:
        if self.built is None:
            data = self.pending() if self.pending else []
            self.built = [Record.model_validate(item) for item in data or []]
        return self.built

    def summarise(self, records: list[Record]) -> None:
        self.built = records
        self.record_count = len(records)
        uses: Counter[str] = Counter()
        for record in records:
            uses.update({code for _, code in record.codes()})
        self.code_uses = dict(sorted(uses.items()))

    def to_data(self) -> dict[str, Any]:
        """Everything but the records and the display path, as plain data (for the cache and worker processes)."""
        return {
            "programme": self.programme,
            "path": self.path,
            "transcript_id": self.transcript_id,
            "id_mark": (self.id_mark.line, self.id_mark.column),
            "source": self.source.value if self.source else None,
            "diagnostics": [(d.line, d.column, d.rule, d.message, d.severity.value) for d in self.diagnostics],
            "undeclared": [(u.code, u.line) for u in self.undeclared],
            "record_count": self.record_count,
            "code_uses": self.code_uses,
        }

    @classmethod
    def from_data(
        cls, data: dict[str, Any], shown: str, pending: Callable[[], list[dict[str, Any]] | None]
    ) -> TranscriptResult:
        programme = data["programme"]
        return cls(
            programme=programme,
            path=data["path"],
            shown=shown,
            transcript_id=data["transcript_id"],
            id_mark=Mark(*data["id_mark"]),
            source=SourceType(data["source"]) if data["source"] else None,
            diagnostics=[
                Diagnostic(shown, line, column, rule, message, Severity(severity))
                for line, column, rule, message, severity in data["diagnostics"]
            ],
            undeclared=[UndeclaredCode(programme, code, shown, line) for code, line in data["undeclared"]],
            record_count=data["record_count"],
            code_uses=dict(data["code_uses"]),
            pending=pending,
        )


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


class _Coder:
    """Codes one transcript of one programme."""

    def __init__(self, file: Path, root: Path, programme: ProgrammeSource, shown: str | None = None) -> None:
        self.file = file
        self.programme = programme
        self.diagnostics = Diagnostics()
        self.shown = shown if shown is not None else display_path(file)
        self.result = TranscriptResult(programme.id, file.relative_to(root).as_posix(), self.shown)
        self.quotes: evidence.QuoteIndex | None = None  # built on the first quote, shared by the rest
        self.records: list[Record] = []
        self.raw: bytes | None = None

    def error(self, mark: Mark | None, rule: str, message: str) -> None:
        mark = mark or Mark(1, 1)
        self.diagnostics.add(self.shown, mark.line, mark.column, rule, message)

    def run(self) -> TranscriptResult:
        try:
            raw = self.raw = self.file.read_bytes()
        except OSError as exc:
            self.error(None, "unreadable", f"cannot read file: {exc.strerror}")
            return self.finish()
        text = transcript.decode(raw, self.shown, self.diagnostics)
        if text is None:
            return self.finish()
        parsed = transcript.parse(text, self.shown, self.diagnostics)
        if parsed is None:
            return self.finish()
        front = self.front_matter(parsed.front_matter)
        number = 0
        for block in parsed.blocks:
            for data, line in transcript.parse_block(block, self.shown, self.diagnostics):
                number += 1
                record = self.record(data, line, number, block, parsed.text, front)
                if record is not None:
                    self.records.append(record)
        return self.finish()

    def finish(self) -> TranscriptResult:
        self.result.diagnostics = self.diagnostics.items
        self.result.summarise(self.records)
        return self.result

    def front_matter(self, data: Any) -> FrontMatter | None:
        front = validate(FrontMatter, data, path=self.shown, diagnostics=self.diagnostics, what="front matter")
        stem = self.file.stem
        if front is None:
            self.result.transcript_id = stem
            return None
        self.result.source = front.source
        if front.id is not None:
            self.result.transcript_id = front.id
            self.result.id_mark = locate(data, ("id",)) or Mark(1, 1)
        elif _TRANSCRIPT_ID.match(stem):
            self.result.transcript_id = stem
        else:
            self.error(
                Mark(1, 1),
                "transcript-id",
                f"file name {stem!r} is not a usable transcript id (letters, digits, '.', '_', '-'); "
                "add `id:` to the front matter",
            )
        if front.programme is not None and front.programme != self.programme.id:
            self.error(
                locate(data, ("programme",)),
                "programme-mismatch",
                f"front matter says programme {front.programme!r}, but the file is in programme "
                f"{self.programme.id!r}{did_you_mean(front.programme, [self.programme.id])}",
            )
        return front

    def record(
        self,
        data: Any,
        line: int,
        number: int,
        block: transcript.Block,
        text: str,
        front: FrontMatter | None,
    ) -> Record | None:
        annotation = validate(Annotation, data, path=self.shown, diagnostics=self.diagnostics, what="an annotation")
        if annotation is None:
            partial = valid_part(Annotation, data)
            if partial is not None:
                self.codes(partial, data)  # report its code problems too; the record is lost anyway
            return None
        if not any(getattr(annotation, name) for name in _CORE_FIELDS):
            self.error(
                getattr(data, "mark", None) or Mark(line, 1),
                "annotation-incomplete",
                "an annotation must name at least one of context, mechanism, outcome",
            )
            return None
        codes = self.codes(annotation, data)
        found = self.evidence(annotation, data, block, text)
        if codes is None or found is None or front is None or self.result.transcript_id is None:
            return None
        programme = self.programme.id
        return Record(
            id=f"{programme}/{self.result.transcript_id}#{number}",
            programme=programme,
            transcript=self.result.transcript_id,
            source=front.source,
            path=self.result.path,
            line_start=found.line_start,
            line_end=found.line_end,
            quote=found.text,
            participants=list(front.participants),
            coder=annotation.coder or front.coder,
            date=front.date,
            cmoc=annotation.cmoc,
            stance=annotation.stance,
            note=annotation.note,
            annotation_line=line,
            **codes,
        )

    def codes(self, annotation: Annotation, data: Any) -> dict[str, list[str]] | None:
        """Each coded field's codes, checked against the codebook; None when any code is wrong."""
        fields: dict[str, list[tuple[str, tuple[str | int, ...]]]] = {}
        for name in FIELD_KINDS:
            value = getattr(annotation, name)
            if name == "mechanism":
                continue
            fields[name] = _with_locations(value, data.get(name), (name,))
        mechanism = annotation.mechanism
        if isinstance(mechanism, MechanismSplit):
            raw = data.get("mechanism")
            fields["resource"] = _with_locations(mechanism.resource, raw.get("resource"), ("mechanism", "resource"))
            fields["reasoning"] = _with_locations(mechanism.reasoning, raw.get("reasoning"), ("mechanism", "reasoning"))
            fields["mechanism"] = fields["resource"] + fields["reasoning"]
        else:
            fields["mechanism"] = _with_locations(mechanism or [], data.get("mechanism"), ("mechanism",))
            fields["resource"] = fields["reasoning"] = []
        ok = True
        for name, codes in fields.items():
            if name in ("resource", "reasoning"):
                continue  # checked as part of `mechanism`
            expected = FIELD_KINDS[name]
            for code, loc in codes:
                declared = self.programme.codes.get(code)
                mark = locate(data, loc)
                if declared is None:
                    ok = False
                    self.result.undeclared.append(
                        UndeclaredCode(self.programme.id, code, self.shown, mark.line if mark else 1)
                    )
                    self.error(
                        mark,
                        "unknown-code",
                        f"unknown code {code!r}: not in any codebook of programme {self.programme.id!r}"
                        f"{suggest_code(code, self.programme, expected)}",
                    )
                elif declared.code.kind != expected:
                    ok = False
                    self.error(
                        mark,
                        "code-kind",
                        f"code {code!r} is a {declared.code.kind} code, but `{name}` takes {expected} codes"
                        f"{suggest_code(code, self.programme, expected) if name != 'enablers' and name != 'barriers' else ''}",
                    )
        if not ok:
            return None
        return {name: _unique(code for code, _ in codes) for name, codes in fields.items()}

    def evidence(
        self, annotation: Annotation, data: Any, block: transcript.Block, text: str
    ) -> evidence.Evidence | None:
        if annotation.quote is not None:
            if self.quotes is None:
                self.quotes = evidence.QuoteIndex(text)
            found = self.quotes.find(annotation.quote, block.fence_line)
            if found is None:
                self.error(
                    locate(data, ("quote",)),
                    "quote-not-found",
                    f"quote does not occur in the transcript; {evidence.describe_closest(text, annotation.quote)}",
                )
            return found
        found = evidence.paragraph_above(text, block.fence_offset, block.fence_line)
        if found is None:
            self.error(
                Mark(block.fence_line, 1),
                "evidence-missing",
                "no passage above this block to take as its evidence; put the block after the passage or add `quote:`",
            )
        return found


def _with_locations(codes: list[str], raw: Any, loc: tuple[str | int, ...]) -> list[tuple[str, tuple[str | int, ...]]]:
    if isinstance(raw, list):
        return [(code, (*loc, index)) for index, code in enumerate(codes)]
    return [(code, loc) for code in codes]


def _unique(codes: Any) -> list[str]:
    return list(dict.fromkeys(codes))


def code_transcript(file: Path, root: Path, programme: ProgrammeSource) -> TranscriptResult:
    """Code one transcript: its records and diagnostics, independent of every other file."""
    return _Coder(file, root, programme).run()


# What a worker returns for one transcript: its result as data, its records as data, and its content's identity.
_Coded = tuple[dict[str, Any], list[dict[str, Any]], str, int, int, int]


def _code_for_transfer(
    file: Path, root: Path, programme: ProgrammeSource, shown: str, want_records: bool = True
) -> tuple[TranscriptResult, _Coded]:
    coder = _Coder(file, root, programme, shown)
    before = _file_identity(file)  # taken before reading: an edit made while coding is not cached as this content
    result = coder.run()
    after = _file_identity(file)
    if after is None or before != after or coder.raw is None or len(coder.raw) != after[0]:
        identity: tuple[str, int, int, int] = ("", -1, -1, -1)  # not cached
    else:
        identity = (digest(coder.raw), *after)
    records = [record.model_dump(mode="json") for record in result.records] if want_records else []
    return result, (result.to_data(), records, *identity)


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
                "duplicate-transcript",
                f"transcript id {result.transcript_id!r} is already used by {first.shown} in programme {result.programme!r}",
            )


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
    # Paths as strings, worked out once: at 10,000 transcripts pathlib's per-call cost shows.
    prefix = str(corpus.root) + os.sep
    rels = [str(file)[len(prefix) :].replace(os.sep, "/") for _, file in tasks]
    root_shown = display_path(corpus.root)
    shown = [rel if root_shown == "." else f"{root_shown}/{rel}" for rel in rels]
    results: list[TranscriptResult | None] = [None] * len(tasks)
    store: Cache | None = None
    if cache:
        store = Cache(corpus.root, context_key([]))
        store.load()
    # Per programme, not per run: a run over one programme's files and a run over all share their entries.
    contexts = {
        programme.id: context_key(_context_files(corpus, programme)) for programme in corpus.programmes.values()
    }
    todo: list[int] = []
    for index, (programme, file) in enumerate(tasks):
        entry = None
        if store is not None:
            with contextlib.suppress(OSError):
                entry = store.lookup(rels[index], file.stat(), contexts[programme.id])
            if entry is not None and keep_records and not store.has_records(rels[index]):
                entry = None  # its records are not in the cache whole: code it again
        if entry is None:
            todo.append(index)
        else:
            assert store is not None
            results[index] = TranscriptResult.from_data(
                entry.result,
                shown[index],
                functools.partial(_cached_records, store, rels[index], file, corpus.root, programme, shown[index]),
            )
    want = keep_records or store is not None
    workers = jobs if jobs is not None else _default_jobs()
    coded: list[_Coded] = []
    if workers > 1 and len(todo) >= _PARALLEL_MINIMUM:
        coded = _run_parallel(corpus.root, [(*tasks[i], shown[i]) for i in todo], workers, want)
        for index, item in zip(todo, coded, strict=True):
            results[index] = TranscriptResult.from_data(item[0], shown[index], _given(item[1]))
    else:
        for index in todo:
            programme, file = tasks[index]
            result, item = _code_for_transfer(file, corpus.root, programme, shown[index], want)
            if not keep_records:
                result.built = None  # let this transcript's records go now: memory stays flat
            results[index] = result
            coded.append(item)
    if store is not None:
        for index, (data, records, content, size, mtime, inode) in zip(todo, coded, strict=True):
            if size >= 0:
                context = contexts[tasks[index][0].id]
                store.put(rels[index], Entry(size, mtime, inode, content, data, context), records)
        store.save(set(rels))
    done = [result for result in results if result is not None]
    if not keep_records:
        for index, item in zip(todo, coded, strict=True):
            fresh = results[index]
            assert fresh is not None
            fresh.built = None
            if store is None:
                fresh.pending = _not_kept
            elif rels[index] in store.fresh:
                fresh.pending = functools.partial(store.records, rels[index])
            else:
                fresh.pending = _given(item[1])  # not cacheable (it changed while coded, or vanished)
    return _finish(corpus, done, diagnostics, [store.warning] if store is not None and store.warning else [])


def _cached_records(
    store: Cache, rel: str, file: Path, root: Path, programme: ProgrammeSource, shown: str
) -> list[dict[str, Any]]:
    """A cached transcript's records, checked against its entry; coded again if the cache no longer has them whole."""
    records = store.records(rel)
    if records is None:
        records = _code_for_transfer(file, root, programme, shown)[1][1]
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
    """The files a programme's transcripts' results depend on: the shared codebook, its programme.yaml and codebook."""
    return [corpus.root / CODEBOOK_FILE, programme.folder / PROGRAMME_FILE, programme.folder / CODEBOOK_FILE]
