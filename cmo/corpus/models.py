"""Pydantic models of the corpus files (programme, codebook, front matter, annotation) and of CMO records; the theory models are in cmo.theory.model."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
)

from cmo.yamlio.schema import ONE_LINE_PATTERN, SLUG_PATTERN, TRANSCRIPT_ID_PATTERN

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
TranscriptId = Annotated[str, StringConstraints(pattern=TRANSCRIPT_ID_PATTERN)]
OneLine = Annotated[str, StringConstraints(pattern=ONE_LINE_PATTERN, strip_whitespace=True, min_length=1)]


class SourceType(StrEnum):
    """The kind of data a transcript holds."""

    INTERVIEW = "interview"
    OBSERVATION = "observation"
    DOCUMENT = "document"
    WORKSHOP = "workshop"


class CodeKind(StrEnum):
    """The role a code plays in a CMOC (ICAMO: intervention, context, actor, mechanism, outcome)."""

    INTERVENTION = "intervention"
    CONTEXT = "context"
    ACTOR = "actor"
    MECHANISM = "mechanism"
    OUTCOME = "outcome"


class Stance(StrEnum):
    """How a piece of evidence bears on its configuration."""

    SUPPORTS = "supports"
    REFUTES = "refutes"
    REFINES = "refines"


def _one_or_many(value: Any) -> Any:
    """A field that takes one code or a list of codes always holds a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return value


CodeList = Annotated[list[Annotated[str, StringConstraints(min_length=1)]], BeforeValidator(_one_or_many)]


def _scalar_text(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | dt.date):
        return str(value)
    return value


FreeText = Annotated[str, BeforeValidator(_scalar_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- programme.yaml and codebooks ------------------------------------------------------------


DEFAULT_INTERVIEWERS = ("Interviewer", "Q", "I")


class Programme(_Strict):
    """`programme.yaml`: what the programme is, and facts to compare across programmes."""

    id: Slug
    name: OneLine
    framework: FreeText | None = None
    attributes: dict[str, FreeText] = Field(default_factory=dict)
    # Speaker labels of the evaluators asking the questions: a passage of theirs is a question, not evidence.
    interviewers: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]] = Field(
        default_factory=lambda: list(DEFAULT_INTERVIEWERS)
    )


class Code(_Strict):
    """One codebook entry."""

    kind: CodeKind
    label: OneLine
    description: FreeText | None = None
    same_as: CodeList = Field(
        default_factory=list
    )  # ids of other programmes' codes the analyst confirmed mean the same
    not_same_as: CodeList = Field(default_factory=list)  # candidates the analyst rejected: never proposed again


class Codebook(_Strict):
    """A `codebook.yaml` file: code id -> code."""

    codes: dict[Slug, Code] = Field(default_factory=dict)


# --- transcripts -----------------------------------------------------------------------------


class Participant(_Strict):
    """A pseudonymised participant, optionally with their role."""

    id: Annotated[str, BeforeValidator(_scalar_text), StringConstraints(min_length=1)]
    role: FreeText | None = None


def _participants(value: Any) -> Any:
    if isinstance(value, str | int):
        value = [value]
    if isinstance(value, list):
        return [{"id": str(item)} if isinstance(item, str | int) else item for item in value]
    return value


class FrontMatter(_Strict):
    """A transcript's YAML front matter."""

    id: TranscriptId | None = None
    programme: Slug | None = None
    source: SourceType
    date: dt.date | None = None
    participants: Annotated[list[Participant], BeforeValidator(_participants)] = Field(default_factory=list)
    coder: FreeText | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _no_datetime(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        return value


class MechanismSplit(_Strict):
    """A mechanism written as the resource the programme offers and the reasoning it triggers."""

    resource: CodeList = Field(default_factory=list)
    reasoning: CodeList = Field(default_factory=list)


def _mechanism_form(value: Any) -> str:
    return "mechanism-split" if isinstance(value, dict) else "mechanism-codes"


# `mechanism: code`, `mechanism: [a, b]` or `mechanism: {resource: ..., reasoning: ...}`; the
# discriminator picks the form so an error names one form's problem, not both.
MechanismField = Annotated[
    Annotated[MechanismSplit, Tag("mechanism-split")] | Annotated[CodeList, Tag("mechanism-codes")],
    Discriminator(_mechanism_form),
]


class Annotation(_Strict):
    """One mapping inside a fenced `cmo` block, as the coder wrote it."""

    context: CodeList = Field(default_factory=list)
    intervention: CodeList = Field(default_factory=list)
    actor: CodeList = Field(default_factory=list)
    mechanism: MechanismField | None = None
    outcome: CodeList = Field(default_factory=list)
    enablers: CodeList = Field(default_factory=list)
    barriers: CodeList = Field(default_factory=list)
    cmoc: Slug | None = None
    stance: Stance = Stance.SUPPORTS
    # The participant was answering a theory the evaluator put to them (teacher-learner cycle), not unprompted.
    elicited: bool = False
    quote: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = None
    note: FreeText | None = None
    coder: FreeText | None = None


ANNOTATION_KEYS: tuple[str, ...] = tuple(Annotation.model_fields)
FRONT_MATTER_KEYS: tuple[str, ...] = tuple(FrontMatter.model_fields)

# Which codebook kind each annotation field takes.
FIELD_KINDS: dict[str, CodeKind] = {
    "context": CodeKind.CONTEXT,
    "intervention": CodeKind.INTERVENTION,
    "actor": CodeKind.ACTOR,
    "mechanism": CodeKind.MECHANISM,
    "outcome": CodeKind.OUTCOME,
    "enablers": CodeKind.CONTEXT,
    "barriers": CodeKind.CONTEXT,
}


# --- records ---------------------------------------------------------------------------------


class Record(BaseModel):
    """One CMO record: a coded piece of evidence, with where it came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(
        description="<programme>/<transcript>#<digest of the evidence text>, '.2', '.3' for the same passage again"
    )
    programme: str
    transcript: str
    source: SourceType
    path: str = Field(description="the transcript's path relative to the corpus root, with / separators")
    line_start: int = Field(description="first line of the evidence, 1-based")
    line_end: int = Field(description="last line of the evidence, 1-based")
    quote: str
    participants: list[Participant] = Field(default_factory=list)
    coder: str | None = None
    date: dt.date | None = None
    context: list[str] = Field(default_factory=list)
    intervention: list[str] = Field(default_factory=list)
    actor: list[str] = Field(default_factory=list)
    mechanism: list[str] = Field(
        default_factory=list, description="every mechanism code, resource and reasoning included"
    )
    resource: list[str] = Field(default_factory=list, description="mechanism codes given as the resource")
    reasoning: list[str] = Field(default_factory=list, description="mechanism codes given as the reasoning")
    outcome: list[str] = Field(default_factory=list)
    enablers: list[str] = Field(default_factory=list)
    barriers: list[str] = Field(default_factory=list)
    cmoc: str | None = None
    stance: Stance = Stance.SUPPORTS
    elicited: bool = False
    note: str | None = None
    annotation_line: int = Field(description="line of the annotation's first key in the transcript")

    def codes(self) -> list[tuple[str, str]]:
        """(field, code) for every code the record carries, in field order."""
        fields = ("context", "intervention", "actor", "mechanism", "outcome", "enablers", "barriers")
        return [(name, code) for name in fields for code in getattr(self, name)]
