"""Validate stage: annotated transcripts -> CMO records, with every problem in the corpus collected."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmo import evidence, transcript
from cmo.corpus import Corpus, ProgrammeSource, discover, display_path, suggest_code
from cmo.diagnostics import Diagnostic, Diagnostics
from cmo.models import (
    FIELD_KINDS,
    TRANSCRIPT_ID_PATTERN,
    Annotation,
    FrontMatter,
    MechanismSplit,
    Record,
    SourceType,
)
from cmo.schema import valid_part, validate
from cmo.suggest import did_you_mean
from cmo.yamlio import Mark, locate

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
    """What coding one transcript gave: its identity, its records and its problems."""

    programme: str
    path: str
    shown: str
    transcript_id: str | None = None
    id_mark: Mark = field(default_factory=lambda: Mark(1, 1))
    source: SourceType | None = None
    records: list[Record] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    undeclared: list[UndeclaredCode] = field(default_factory=list)


@dataclass
class CodingResult:
    """The whole corpus coded: records in corpus order, and every diagnostic."""

    corpus: Corpus | None
    transcripts: list[TranscriptResult]
    records: list[Record]
    diagnostics: list[Diagnostic]
    undeclared: list[UndeclaredCode]

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


class _Coder:
    """Codes one transcript of one programme."""

    def __init__(self, file: Path, root: Path, programme: ProgrammeSource) -> None:
        self.file = file
        self.programme = programme
        self.diagnostics = Diagnostics()
        self.shown = display_path(file)
        self.result = TranscriptResult(programme.id, file.relative_to(root).as_posix(), self.shown)

    def error(self, mark: Mark | None, rule: str, message: str) -> None:
        mark = mark or Mark(1, 1)
        self.diagnostics.add(self.shown, mark.line, mark.column, rule, message)

    def run(self) -> TranscriptResult:
        try:
            raw = self.file.read_bytes()
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
                    self.result.records.append(record)
        return self.finish()

    def finish(self) -> TranscriptResult:
        self.result.diagnostics = self.diagnostics.items
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
            found = evidence.find_quote(text, annotation.quote, block.fence_offset, block.fence_line)
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


def code_corpus(paths: Sequence[Path]) -> CodingResult:
    """Parse and validate every transcript the paths name; never stops at the first problem."""
    diagnostics = Diagnostics()
    corpus = discover(list(paths), diagnostics)
    results: list[TranscriptResult] = []
    if corpus is not None:
        for programme in corpus.programmes.values():
            for file in programme.transcripts:
                results.append(code_transcript(file, corpus.root, programme))
    for result in results:
        diagnostics.extend(result.diagnostics)
    _duplicate_ids(results, diagnostics)
    return CodingResult(
        corpus=corpus,
        transcripts=results,
        records=[record for result in results for record in result.records],
        diagnostics=sorted(set(diagnostics.items), key=lambda d: (d.path, d.line, d.column, d.rule, d.message)),
        undeclared=[code for result in results for code in result.undeclared],
    )
