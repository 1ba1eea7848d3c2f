"""The rows queries and matrices run over: one `Coded` per record of the corpus, with its passage and CMOCs."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmo.core.diagnostics import Diagnostic, Diagnostics
from cmo.corpus.coding import CodingResult, code_corpus
from cmo.corpus.identity import passage_key
from cmo.corpus.layout import Corpus
from cmo.corpus.models import FIELD_KINDS, CodeKind

# The roles a record's codes are in, as its fields are named; `mechanism` holds resource and reasoning codes too.
ROLE_FIELDS = (
    "context",
    "intervention",
    "actor",
    "mechanism",
    "resource",
    "reasoning",
    "outcome",
    "enablers",
    "barriers",
)
# The fields that hold every code of a record once (resource and reasoning codes are in `mechanism` too).
ANY_ROLE_FIELDS = ("context", "intervention", "actor", "mechanism", "outcome", "enablers", "barriers")
# The codebook kind each role's codes are of: an annotation field's, and a mechanism's for resource and reasoning.
ROLE_KINDS = {
    **{name: kind.value for name, kind in FIELD_KINDS.items()},
    "resource": CodeKind.MECHANISM.value,
    "reasoning": CodeKind.MECHANISM.value,
}


@dataclass(frozen=True, slots=True)
class Coded:
    """One record as a query sees it: its data, the passage it codes, its CMOCs and where it is shown."""

    record: dict[str, Any]  # as `Record.model_dump(mode="json")` gives it: what the coding cache holds
    passage: str  # `passage_key`: two coders' codings of one paragraph are one passage
    cmocs: tuple[str, ...]  # the theory's CMOCs whose evidence lists it, else its explicit `cmoc`, else none
    programme: str
    shown: str  # the transcript's path as cmo shows paths (relative to the working directory)

    @property
    def transcript(self) -> tuple[str, str]:
        """The transcript it is in, told apart from another programme's transcript of the same id."""
        return self.programme, self.record["transcript"]


@dataclass(frozen=True)
class CodeInfo:
    """A code as the codebooks declare it: its label and the kinds it is declared as (one, unless in conflict)."""

    label: str
    kinds: frozenset[str]


@dataclass
class Seen:
    """What the records name, for telling a misspelt filter value from one no record has: filled as rows are read."""

    coders: set[str] = field(default_factory=set)
    attributes: dict[str, set[str]] = field(default_factory=dict)  # participant attribute (role too) -> its values
    cmocs: set[str] = field(default_factory=set)
    complete: bool = False  # every row has been read


@dataclass
class Evidence:
    """The records of the paths, read as rows transcript by transcript; what codebooks and theories declare; problems."""

    coding: CodingResult
    by_record: dict[str, tuple[str, ...]] = field(default_factory=dict)  # record id -> its theory's CMOCs
    codes: dict[str, CodeInfo] = field(default_factory=dict)
    programmes: list[str] = field(default_factory=list)
    theory_cmocs: set[str] = field(default_factory=set)  # every CMOC id the programmes' theories hold
    transcripts: list[tuple[str, str]] = field(default_factory=list)  # (programme, id) of every transcript coded
    diagnostics: list[Diagnostic] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seen: Seen = field(default_factory=Seen)

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)

    def labels(self) -> dict[str, str]:
        """Code id -> its codebook label."""
        return {code: info.label for code, info in self.codes.items()}

    def iter_rows(self) -> Iterator[Coded]:
        """Every record as a row, in corpus order; a transcript's records are let go once read (held only if kept).

        Reading them all fills `seen`.
        """
        by_record, seen = self.by_record, self.seen
        coders, attributes, cmoc_ids = seen.coders, seen.attributes, seen.cmocs
        for transcript in self.coding.transcripts:
            shown, programme = transcript.shown, transcript.programme
            for record in transcript.record_dicts():
                record_id = record["id"]
                cmocs = by_record.get(record_id)
                if cmocs is None:
                    explicit = record["cmoc"]
                    cmocs = (explicit,) if explicit else ()
                cmoc_ids.update(cmocs)
                if record["coder"]:
                    coders.add(record["coder"])
                for participant in record["participants"]:
                    _note_participant(participant, attributes)
                yield Coded(record, passage_key(record_id, lines_of(record)), cmocs, programme, shown)
        seen.complete = True

    @functools.cached_property
    def rows(self) -> list[Coded]:
        """Every row, held: for callers that go over them more than once (a query's own pass holds only its hits)."""
        return list(self.iter_rows())


def _note_participant(participant: dict[str, Any], attributes: dict[str, set[str]]) -> None:
    role = participant.get("role")
    if role:
        attributes.setdefault("role", set()).add(role)
    for name, value in (participant.get("attributes") or {}).items():
        attributes.setdefault(name, set()).add(value)


# The speaker label a passage may start with, as transcripts write them (cmo/corpus/speakers.py): `P12:`,
# `**P12:**`, `**P12**:`, `_P12_:`. The label is then compared with the record's participant ids.
_SPEAKER = re.compile(r"[ \t]*[*_]*(?P<label>[^\s*:][^:\n]{0,79}?)[*_]*[ \t]*:")


@functools.lru_cache(maxsize=1024)
def _turn(participant: str) -> re.Pattern[str]:
    """A later turn of one participant within a passage (its lines are joined by spaces): ` **P14:**`."""
    return re.compile(rf"\s[*_]*{re.escape(participant)}[*_]*[ \t]*:", re.IGNORECASE)


def _named(label: str, ids: list[str]) -> str | None:
    """The id a speaker label names: as written, else regardless of case; or None."""
    label = label.rstrip()
    if label in ids:
        return label
    folded = label.casefold()
    return next((given for given in ids if given.casefold() == folded), None)


def speakers_of(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The participants who speak a record's passage, for whom it is evidence (`--where`, `participant.*`).

    When its quote starts with a speaker label naming one of the record's participants by id, that participant,
    with any other whose label starts a later turn in it; otherwise (no label, an interviewer's, a name no
    participant of the record has) every participant of its transcript.
    """
    participants: list[dict[str, Any]] = record["participants"]
    if len(participants) < 2:
        return participants  # one speaker or none, whatever the label says
    quote = record["quote"]
    ids = [participant["id"] for participant in participants]
    first = _SPEAKER.match(quote)
    lead = _named(first["label"], ids) if first else None
    if lead is None:
        return participants
    named = {lead} | {given for given in ids if given != lead and _turn(given).search(quote)}
    return [participant for participant in participants if participant["id"] in named]


def lines_of(record: dict[str, Any]) -> str:
    """A record's lines as the theories write them: `a-b`, or `a` for one line."""
    start, end = record["line_start"], record["line_end"]
    return str(start) if start == end else f"{start}-{end}"


def gather(paths: Sequence[Path], theories: Path | None, *, jobs: int | None = None, cache: bool = True) -> Evidence:
    """Code the paths (through the cache) for their records, read as rows on demand, CMOCs from `theories`.

    Through the cache a transcript's records are read back from it when the rows are read (or coded again
    when it no longer holds them whole); without it, they are kept as coded.
    """
    coding = code_corpus(paths, jobs=jobs, cache=cache, keep_records=not cache)
    diagnostics = Diagnostics(list(coding.diagnostics))
    corpus = coding.corpus
    programmes = list(corpus.programmes) if corpus else []
    by_record, theory_cmocs = theory_evidence(programmes, theories, diagnostics)
    return Evidence(
        coding=coding,
        by_record=by_record,
        codes=declared_codes(corpus),
        programmes=programmes,
        theory_cmocs=theory_cmocs,
        transcripts=[(t.programme, t.transcript_id) for t in coding.transcripts if t.transcript_id],
        diagnostics=diagnostics.sorted(),
        warnings=list(coding.warnings),
    )


def declared_codes(corpus: Corpus | None) -> dict[str, CodeInfo]:
    """Every code any programme's codebooks declare (the shared codebook's too), with its label and kinds."""
    labels: dict[str, str] = {}
    kinds: dict[str, set[str]] = {}
    for programme in sorted(corpus.programmes.values(), key=lambda p: p.id) if corpus else []:
        for code, declared in programme.codes.items():
            labels.setdefault(code, declared.code.label)
            kinds.setdefault(code, set()).add(declared.code.kind.value)
    return {code: CodeInfo(labels[code], frozenset(kinds[code])) for code in sorted(labels)}


def theory_evidence(
    programmes: Iterable[str], theories: Path | None, diagnostics: Diagnostics
) -> tuple[dict[str, tuple[str, ...]], set[str]]:
    """Record id -> the CMOCs whose evidence lists it, from each programme's theory (none yet: nothing), and every CMOC id.

    A theory that cannot be read is reported in `diagnostics`; its programme's records keep their explicit CMOC.
    """
    from cmo.theory.store import TheoryError, load_theories

    by_record: dict[str, list[str]] = {}
    cmoc_ids: set[str] = set()
    if theories is None:
        return {}, cmoc_ids
    for programme in programmes:
        if not (theories / f"{programme}.yaml").is_file():
            continue  # not merged yet: the records' own `cmoc` is all there is
        try:
            loaded = load_theories([str(theories / f"{programme}.yaml")], theories, diagnostics)
        except TheoryError:
            continue
        for theory in loaded:
            for cmoc in theory.cmocs:
                cmoc_ids.add(cmoc.id)
                for entry in cmoc.evidence:
                    found = by_record.setdefault(entry.record, [])
                    if cmoc.id not in found:
                        found.append(cmoc.id)
    return {record: tuple(cmocs) for record, cmocs in by_record.items()}, cmoc_ids
