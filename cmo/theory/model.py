"""Programme-theory files (`theories/<programme>.yaml`) and the overarching theory: their models, key order, and loading one with line marks."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from cmo.core.diagnostics import Diagnostics
from cmo.core.files import read_or_report
from cmo.corpus.identity import passage_key
from cmo.corpus.models import Programme, Slug, SourceType, Stance
from cmo.yamlio.reader import UNREAD, load_reported
from cmo.yamlio.schema import validate

# Which keys of a CMOC people curate (merge never changes them) and which merge generates.
CURATED_KEYS = ("statement", "status", "confidence", "notes", "links", "imported_from")
GENERATED_KEYS = ("completeness", "codes", "counts", "triangulated", "evidence")
# The parts a configuration needs; `completeness` lists those a CMOC has.
CMO_PARTS = ("context", "mechanism", "outcome")
CmoPart = Literal["context", "mechanism", "outcome"]
CodeRole = Literal[
    "context", "intervention", "actor", "mechanism", "resource", "reasoning", "outcome", "enablers", "barriers"
]
CODE_ROLES: tuple[str, ...] = get_args(CodeRole)
# Key order of a CMOC in the file: who it is, what people say of it, what the evidence says.
CMOC_KEY_ORDER = ("id", *CURATED_KEYS, *GENERATED_KEYS)


class Status(StrEnum):
    """Where a CMOC stands in the analysis."""

    INITIAL = "initial"
    IMPORTED = "imported"
    SUPPORTED = "supported"
    REFINED = "refined"
    REFUTED = "refuted"
    NEW = "new"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CodeRef(_Strict):
    """A code as a theory shows it: its id, codebook label, and how many of the CMOC's passages carry it."""

    id: Slug
    label: str | None = None
    excerpts: int | None = None
    refuting: int | None = None  # of the code's passages, those refuting the CMOC (written only when some do)


class ConfidenceLevel(StrEnum):
    """The analyst's confidence in a CMOC, judged from the evidence's relevance, richness and rigour."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"


class Confidence(_Strict):
    """A curated judgement of a CMOC's evidence: a level and the reasons for it."""

    level: ConfidenceLevel
    rationale: str | None = None


class Counts(_Strict):
    """Figures computed from a CMOC's evidence; every count but `codings` counts distinct passages."""

    excerpts: int = 0
    codings: int = 0  # annotations: a passage two coders coded counts twice here, once everywhere else
    supporting: int = 0
    refining: int = 0
    refuting: int = 0
    elicited: int = 0  # in answer to a theory the evaluator put to the participant
    spontaneous: int = 0  # interviews and workshops, unprompted
    observed: int = 0  # observations
    transcripts: int = 0
    participants: int = 0
    by_source: dict[SourceType, int] = Field(default_factory=dict)


class EvidenceEntry(_Strict):
    """One record's evidence in a CMOC."""

    record: str
    transcript: str
    source: SourceType
    lines: Annotated[str, StringConstraints(pattern=r"^\d+(-\d+)?$")]
    quote: str
    stance: Stance = Stance.SUPPORTS
    elicited: bool = False
    coder: str | None = None
    participants: list[str] = Field(default_factory=list)


class UnconfirmedCode(_Strict):
    """A source code that an import translated by label similarity alone: a guess until an analyst links the two."""

    id: Slug
    label: str | None = None
    to: Slug
    score: float


class ImportedFrom(_Strict):
    """Where an imported CMOC came from, the codes the receiving codebook had no equivalent for, and the guessed ones."""

    programme: Slug
    cmoc: Slug
    untranslated: dict[CodeRole, list[CodeRef]] = Field(default_factory=dict)
    unconfirmed: dict[CodeRole, list[UnconfirmedCode]] = Field(default_factory=dict)


class Cmoc(_Strict):
    """One context-mechanism-outcome configuration of a programme theory."""

    id: Slug
    statement: str | None = None
    status: Status | None = None
    confidence: Confidence | None = None
    notes: str | None = None
    links: list[Slug] = Field(default_factory=list)
    imported_from: ImportedFrom | None = None
    completeness: list[CmoPart] = Field(default_factory=list)
    codes: dict[CodeRole, list[CodeRef]] = Field(default_factory=dict)
    counts: Counts = Field(default_factory=Counts)
    triangulated: bool = False
    evidence: list[EvidenceEntry] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _counts_of_an_earlier_cmo(cls, data: Any) -> Any:
        """A theory merged before counts had stances: its counts read from its evidence, never as zeros."""
        if isinstance(data, dict):
            counts, evidence = data.get("counts"), data.get("evidence")
            if isinstance(counts, dict) and set(counts) == _EARLIER_COUNTS and isinstance(evidence, list) and evidence:
                return {**data, "counts": {**counts, **_counts_from_evidence(evidence)}}
        return data


# The counts every theory merged before issue 13's passage counts had, and only those.
_EARLIER_COUNTS = frozenset({"excerpts", "transcripts", "participants", "refuting", "by_source"})


def _counts_from_evidence(evidence: list[Any]) -> dict[str, int]:
    """Distinct passages by stance and kind of data, from evidence entries as written (bad ones skipped)."""
    entries = [e for e in evidence if isinstance(e, dict) and isinstance(e.get("record"), str)]
    passages: dict[str, set[str]] = {}
    for entry in entries:
        key = passage_key(entry["record"], str(entry.get("lines", "")))
        for name in (str(entry.get("stance", "supports")), str(entry.get("source", ""))):
            passages.setdefault(name, set()).add(key)
        passages.setdefault("all", set()).add(key)
    spoken = passages.get("interview", set()) | passages.get("workshop", set())
    return {
        "excerpts": len(passages.get("all", ())),
        "codings": len(entries),
        "supporting": len(passages.get("supports", ())),
        "refining": len(passages.get("refines", ())),
        "refuting": len(passages.get("refutes", ())),
        "spontaneous": len(spoken),
        "observed": len(passages.get("observation", ())),
    }


class FragmentRef(_Strict):
    """Where one passage of a fragment is: its record, transcript and lines."""

    record: str
    transcript: str
    lines: Annotated[str, StringConstraints(pattern=r"^\d+(-\d+)?$")]
    stance: Stance = Stance.SUPPORTS


class Fragment(_Strict):
    """A code of evidence not yet in a configuration: the passages coded with it that have no mechanism or outcome."""

    code: Slug
    role: CodeRole
    label: str | None = None
    excerpts: int = 0
    evidence: list[FragmentRef] = Field(default_factory=list)


class Theory(_Strict):
    """A programme theory: the programme's description, its CMOCs, and the coded evidence not yet in one."""

    programme: Programme
    cmocs: list[Cmoc] = Field(default_factory=list)
    fragments: list[Fragment] = Field(default_factory=list)


def no_evidence() -> dict[str, Any]:
    """The generated part of a CMOC no record supports yet: zero counts, no evidence."""
    return {
        "counts": {
            **{name: 0 for name in Counts.model_fields if name != "by_source"},
            "by_source": {source.value: 0 for source in SourceType},
        },
        "triangulated": False,
        "evidence": [],
    }


def load_theory(path: Path, shown: str, diagnostics: Diagnostics) -> tuple[Theory | None, Any]:
    """(theory, the marked YAML data) from a theory file; problems are reported with their lines."""
    raw = read_or_report(path, shown, diagnostics)
    if raw is None:
        return None, None
    return load_theory_bytes(raw, shown, diagnostics)


def parse_document(raw: bytes, shown: str, diagnostics: Diagnostics) -> Any:
    """The marked YAML data of a theory file's bytes, or `UNREAD` after reporting why."""
    return load_reported(raw, shown, diagnostics)


def readable(data: Any) -> bool:
    return data is not UNREAD


def load_theory_bytes(raw: bytes, shown: str, diagnostics: Diagnostics) -> tuple[Theory | None, Any]:
    """The same as `load_theory`, for content that is not a working-copy file (a version read from git)."""
    data = parse_document(raw, shown, diagnostics)
    if not readable(data):
        return None, None
    return validate(Theory, data, path=shown, diagnostics=diagnostics, what="a theory file"), data


# --- the overarching (cross-programme) theory written by `cmo synthesise` -----------------------

ComparisonRole = Literal["intervention", "context", "actor", "mechanism", "outcome", "enabler", "barrier"]
OVERARCHING_CURATED_KEYS = ("statement", "status", "notes", "links")
OVERARCHING_GENERATED_KEYS = ("kind", "mechanism", "outcome", "differs", "programmes")
# The conditions kept per programme behind an overarching CMOC: the programme theory's own role names.
CONDITION_ROLES = ("context", "enablers", "barriers")
ConditionRole = Literal["context", "enablers", "barriers"]


class ConceptEntry(_Strict):
    """A confirmed concept (same id or `same_as`) found, with evidence, in every programme: its label and codes."""

    label: str
    codes: dict[Slug, Slug]
    match: Literal["same-id", "same-as"]


class Condition(_Strict):
    """A context, enabler or barrier of the CMOCs behind an overarching CMOC, and the excerpts that carry it."""

    code: Slug
    label: str
    excerpts: int


class ProgrammeEvidence(_Strict):
    """One programme's side of an overarching CMOC: its CMOCs, their evidence and the conditions they hold in."""

    cmocs: list[Slug]
    excerpts: int  # supporting + refining, each record once
    supporting: int = 0
    refining: int = 0
    refuting: int = 0
    outcome: list[str] = Field(default_factory=list)
    context: list[Condition] = Field(default_factory=list)
    enablers: list[Condition] = Field(default_factory=list)
    barriers: list[Condition] = Field(default_factory=list)


class OverarchingCmoc(_Strict):
    """A configuration that holds across programmes."""

    id: Slug
    statement: str | None = None
    status: Status | None = None
    notes: str | None = None
    links: list[Slug] = Field(default_factory=list)
    kind: Literal["converged", "mechanism-shared"] | None = None
    mechanism: list[str] = Field(default_factory=list)
    outcome: list[str] = Field(default_factory=list)
    # role -> programme -> labels only that programme's side has: "shared mechanism, divergent barriers".
    differs: dict[ConditionRole, dict[Slug, list[str]]] = Field(default_factory=dict)
    programmes: dict[Slug, ProgrammeEvidence] = Field(default_factory=dict)


class ContextSpecific(_Strict):
    """What only one programme has: evidenced CMOCs behind no overarching one, the hypotheses, the unshared concepts."""

    cmocs: list[Slug] = Field(default_factory=list)
    hypotheses: list[Slug] = Field(default_factory=list)  # no supporting or refining excerpt yet
    contradicted: list[Slug] = Field(default_factory=list)  # refuted, or mostly refuting evidence
    concepts: dict[ComparisonRole, list[str]] = Field(default_factory=dict)


class OverarchingTheory(_Strict):
    """An overarching programme theory across programmes."""

    programmes: list[Slug]
    concepts: dict[ComparisonRole, list[ConceptEntry]] = Field(default_factory=dict)
    cmocs: list[OverarchingCmoc] = Field(default_factory=list)
    context_specific: dict[Slug, ContextSpecific] = Field(default_factory=dict)


def is_overarching(data: Any) -> bool:
    """Overarching theories list `programmes`; a programme theory describes one `programme`."""
    return isinstance(data, dict) and "programmes" in data and "programme" not in data


def is_programme_theory(data: Any) -> bool:
    """A programme theory describes one `programme`."""
    return isinstance(data, dict) and "programme" in data


def load_overarching_bytes(raw: bytes, shown: str, diagnostics: Diagnostics) -> OverarchingTheory | None:
    """The overarching theory in a file's bytes; problems are reported with their lines."""
    data = parse_document(raw, shown, diagnostics)
    if not readable(data):
        return None
    return validate(OverarchingTheory, data, path=shown, diagnostics=diagnostics, what="an overarching theory")
