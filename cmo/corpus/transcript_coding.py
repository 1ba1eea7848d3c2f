"""Coding one transcript: its front matter and annotations checked against the codebook and its text, into CMO records."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypedDict

from cmo.core.diagnostics import Diagnostic, Diagnostics, Severity
from cmo.core.paths import display_path
from cmo.core.rules import Rule
from cmo.core.suggest import did_you_mean, slug_of, with_article
from cmo.corpus import evidence, participants, speakers, transcript
from cmo.corpus.evidence import Evidence
from cmo.corpus.identity import EvidenceIds
from cmo.corpus.layout import ProgrammeSource, declared_elsewhere, suggest_code
from cmo.corpus.models import (
    DEFAULT_INTERVIEWERS,
    FIELD_KINDS,
    Annotation,
    FrontMatter,
    MechanismSplit,
    Record,
    SourceType,
)
from cmo.yamlio.reader import Mark, locate
from cmo.yamlio.schema import SLUG_PATTERN, TRANSCRIPT_ID_PATTERN, valid_part, validate
from cmo.yamlio.syntax import space_after_colon

_TRANSCRIPT_ID = re.compile(TRANSCRIPT_ID_PATTERN)
_SLUG = re.compile(SLUG_PATTERN)
_CORE_FIELDS = ("context", "mechanism", "outcome")

# Plain tuples, not named ones, inside TranscriptData: the cache writes it with marshal, which takes
# only the built-in types.
DiagnosticData = tuple[int, int, str, str, str]  # line, column, rule, message, severity
UndeclaredData = tuple[str, int]  # code, line


class TranscriptData(TypedDict):
    """A TranscriptResult as plain data: what a worker process sends back and the cache keeps."""

    programme: str
    path: str
    transcript_id: str | None
    id_mark: tuple[int, int]
    source: str | None
    diagnostics: list[DiagnosticData]
    undeclared: list[UndeclaredData]
    record_count: int
    code_uses: dict[str, int]


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
    lines: list[str] | None = None  # the records as JSON text, one line each, when they were coded for that

    @property
    def records(self) -> list[Record]:
        if self.built is None:
            self.built = [Record.model_validate(item) for item in self.record_dicts()]
        return self.built

    def record_dicts(self) -> list[dict[str, Any]]:
        """The records as plain data, as `Record.model_dump(mode="json")` gives them, without building models."""
        if self.built is not None:
            return [record.model_dump(mode="json") for record in self.built]
        return (self.pending() if self.pending else None) or []

    def record_lines(self) -> list[str]:
        """The records as JSON text, one line each (no newline), as `--out records.jsonl` writes them."""
        if self.lines is not None:
            return self.lines
        return [json.dumps(record, ensure_ascii=False) for record in self.record_dicts()]

    def summarise(self, records: list[Record]) -> None:
        self.built = records
        self.record_count = len(records)
        uses: Counter[str] = Counter()
        for record in records:
            uses.update({code for _, code in record.codes()})
        self.code_uses = dict(sorted(uses.items()))

    def to_data(self) -> TranscriptData:
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
        cls, data: Mapping[str, Any], shown: str, pending: Callable[[], list[dict[str, Any]] | None]
    ) -> TranscriptResult:
        """The result `to_data` gave (from a worker, or read back from the cache), its records still to come."""
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


class TranscriptCoder:
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
        self.questions = speakers.question_pattern(
            programme.programme.interviewers if programme.programme else DEFAULT_INTERVIEWERS
        )
        self.question_blocks: set[int] = set()  # fences of blocks already warned their evidence is a question
        self.cmocs: dict[str, int] = {}  # each CMOC id the annotations name -> the line of the first
        self.bad_cmocs: list[tuple[int, str]] = []  # (index of the diagnostic, slug) of each cmoc that is no id

    def error(self, mark: Mark | None, rule: str, message: str, severity: Severity = Severity.ERROR) -> None:
        mark = mark or Mark(1, 1)
        self.diagnostics.add(self.shown, mark.line, mark.column, rule, message, severity)

    def run(self, raw: bytes | None = None) -> TranscriptResult:
        """Code the file; `raw` is its bytes when the caller has read them already."""
        if raw is None:
            try:
                raw = self.file.read_bytes()
            except OSError as exc:
                self.error(None, Rule.UNREADABLE, f"cannot read file: {exc.strerror}")
                return self.finish()
        self.raw = raw
        text = transcript.decode(raw, self.shown, self.diagnostics)
        if text is None:
            return self.finish()
        parsed = transcript.parse(text, self.shown, self.diagnostics)
        if parsed is None:
            return self.finish()
        front = self.front_matter(parsed.front_matter)
        ids = EvidenceIds(self.programme.id, self.result.transcript_id or "")
        for block in parsed.blocks:
            for data, line in transcript.parse_block(block, self.shown, self.diagnostics):
                record = self.record(data, line, ids, block, parsed.text, front)
                if record is not None:
                    self.records.append(record)
        return self.finish()

    def finish(self) -> TranscriptResult:
        items = self.diagnostics.items
        for index, slug in self.bad_cmocs:  # known only now: the CMOC may be named further down
            if slug in self.cmocs:
                found = items[index]
                items[index] = replace(found, message=f"{found.message} (line {self.cmocs[slug]} names that CMOC)")
        self.bad_cmocs = []
        self.result.diagnostics = items
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
                Rule.TRANSCRIPT_ID,
                f"file name {stem!r} is not a usable transcript id (letters, digits, '.', '_', '-'); "
                "add `id:` to the front matter",
            )
        if front.programme is not None and front.programme != self.programme.id:
            self.error(
                locate(data, ("programme",)),
                Rule.PROGRAMME_MISMATCH,
                f"front matter says programme {front.programme!r}, but the file is in programme "
                f"{self.programme.id!r}{did_you_mean(front.programme, [self.programme.id])}",
            )
        return participants.attach(front, data, self.programme.participants, self.shown, self.diagnostics)

    def record(
        self,
        data: Any,
        line: int,
        ids: EvidenceIds,
        block: transcript.Block,
        text: str,
        front: FrontMatter | None,
    ) -> Record | None:
        reported = len(self.diagnostics.items)
        annotation = validate(
            Annotation, data, path=self.shown, diagnostics=self.diagnostics, what="an annotation", at=Mark(line, 1)
        )
        self.note_cmoc(data, line, reported)
        if annotation is None:
            partial = valid_part(Annotation, data)
            if partial is not None:
                self.codes(partial, data)  # report its code problems too; the record is lost anyway
            _claim_paragraph(ids, data, block, text)
            return None
        if not any(getattr(annotation, name) for name in _CORE_FIELDS):
            self.error(
                getattr(data, "mark", None) or Mark(line, 1),
                Rule.ANNOTATION_INCOMPLETE,
                "an annotation must name at least one of context, mechanism, outcome",
            )
            _claim_paragraph(ids, data, block, text)
            return None
        codes = self.codes(annotation, data)
        found = self.evidence(annotation, data, block, text)
        if found is not None and front is not None and front.source in (SourceType.INTERVIEW, SourceType.WORKSHOP):
            self.question(annotation, data, block, found)
        # Every annotation of a passage takes its turn, valid or not: fixing one never renames the others.
        record_id = ids.next(found.text) if found is not None else None
        if codes is None or found is None or record_id is None or front is None or self.result.transcript_id is None:
            return None
        programme = self.programme.id
        elicited = annotation.elicited
        if elicited and front.source in (SourceType.OBSERVATION, SourceType.DOCUMENT):
            self.error(
                locate(data, ("elicited",)),
                Rule.ELICITED_SOURCE,
                f"`elicited: true` in {with_article(front.source.value)}: nobody was put a theory "
                "to answer, so the evidence counts as "
                + ("observed" if front.source is SourceType.OBSERVATION else "documentary"),
                severity=Severity.WARNING,
            )
            elicited = False
        return Record(
            id=record_id,
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
            elicited=elicited,
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
            for code, loc in codes:
                ok = self.check_code(code, name, data, loc) and ok
        if not ok:
            return None
        return {name: _unique(code for code, _ in codes) for name, codes in fields.items()}

    def note_cmoc(self, data: Any, line: int, reported: int) -> None:
        """Keep the CMOC ids the annotations name, and which diagnostics (from `reported` on) say a cmoc is no id."""
        cmoc = data.get("cmoc") if isinstance(data, dict) else None
        if not isinstance(cmoc, str):
            return
        if _SLUG.match(cmoc):
            self.cmocs.setdefault(cmoc, line)
            return
        for index in range(reported, len(self.diagnostics.items)):
            if self.diagnostics.items[index].message.startswith("cmoc: "):
                self.bad_cmocs.append((index, slug_of(cmoc)))

    def check_code(self, code: str, name: str, data: Any, loc: tuple[str | int, ...]) -> bool:
        """Whether `code` (at `loc` in `data`) is declared, of the kind field `name` takes; reported when not."""
        expected = FIELD_KINDS[name]
        declared = self.programme.codes.get(code)
        if declared is not None and declared.code.kind == expected:
            return True
        mark = locate(data, loc)  # only for a problem: finding it costs more than the check
        if declared is None:
            self.result.undeclared.append(UndeclaredCode(self.programme.id, code, self.shown, mark.line if mark else 1))
            hint = declared_elsewhere(code, self.programme) or _misread(code, name, self.programme)
            self.error(
                mark,
                Rule.UNKNOWN_CODE,
                f"unknown code {code!r}: not in any codebook of programme {self.programme.id!r}"
                f"{hint or suggest_code(code, self.programme, expected)}",
            )
            return False
        # Only a code of the kind wanted is a fix; enablers and barriers are contexts any context code may fill.
        same_kind = [c for c, d in self.programme.codes.items() if d.code.kind == expected]
        self.error(
            mark,
            Rule.CODE_KIND,
            f"code {code!r} is {with_article(declared.code.kind)} code, but `{name}` takes {expected} codes"
            f"{did_you_mean(code, same_kind) if name not in ('enablers', 'barriers') else ''}",
        )
        return False

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
                    Rule.QUOTE_NOT_FOUND,
                    f"quote does not occur in the transcript; {evidence.describe_closest(text, annotation.quote)}",
                )
            return found
        found = evidence.paragraph_above(text, block.fence_offset, block.fence_line)
        if found is None:
            self.error(
                Mark(block.fence_line, 1),
                Rule.EVIDENCE_MISSING,
                "no passage above this block to take as its evidence; put the block after the passage or add `quote:`",
            )
        return found

    def question(self, annotation: Annotation, data: Any, block: transcript.Block, found: Evidence) -> None:
        """Warn when spoken evidence starts with an interviewer's label: the coder probably meant the answer."""
        label = speakers.interviewer_label(found.text, self.questions)
        if label is None:
            return
        if annotation.quote is not None:
            mark = locate(data, ("quote",))
            where, fix = f"the quote starts with {label!r}", "quote the participant's answer instead"
        elif block.fence_line in self.question_blocks:
            return  # the block's other annotations take the same passage: one warning is enough
        else:
            self.question_blocks.add(block.fence_line)
            mark = Mark(block.fence_line, 1)
            where = f"the passage above this block (line {found.line_start}) starts with {label!r}"
            fix = "put the block under the answer, or quote the answer with `quote:`"
        self.error(
            mark,
            Rule.EVIDENCE_IS_QUESTION,
            f"{where}: the evidence is the interviewer's question, not an answer; {fix}",
            severity=Severity.WARNING,
        )


def _claim_paragraph(ids: EvidenceIds, data: Any, block: transcript.Block, text: str) -> None:
    """Give a broken annotation its turn among the annotations of the passage above it (unless it quotes)."""
    if isinstance(data, dict) and "quote" in data:
        return
    found = evidence.paragraph_above(text, block.fence_offset, block.fence_line)
    if found is not None:
        ids.next(found.text)


def _with_locations(codes: list[str], raw: Any, loc: tuple[str | int, ...]) -> list[tuple[str, tuple[str | int, ...]]]:
    if isinstance(raw, list):
        return [(code, (*loc, index)) for index, code in enumerate(codes)]
    return [(code, loc) for code in codes]


def _unique(codes: Any) -> list[str]:
    return list(dict.fromkeys(codes))


def _misread(code: str, name: str, programme: ProgrammeSource) -> str:
    """A hint for an unknown code that is a YAML slip around declared codes: `a - b`, `key:value`."""
    parts = code.split(" - ")
    if len(parts) > 1 and all(part in programme.codes for part in parts):
        return (
            f"; the '- ' items under `{name}:` are not lined up, so YAML read them as this one code: "
            "indent each '- ' by the same number of spaces"
        )
    glued = space_after_colon(code)
    return f"; {glued}" if glued else ""
