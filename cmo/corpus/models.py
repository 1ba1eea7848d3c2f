"""Pydantic models of the corpus files (programme, codebook, front matter, annotation) and of CMO records; the theory models are in cmo.theory.model."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    Tag,
    field_validator,
    model_serializer,
)
from pydantic_core import PydanticCustomError

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


# A participant attribute's name: what `participant.<name>` and `--where name=value` take.
ATTRIBUTE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")


def attribute_name(value: str) -> str:
    """An attribute's name as given, if it is one (lower-case letters, digits, '_' and '-'); else a validation error."""
    if ATTRIBUTE_NAME.match(value):
        return value
    fix = re.sub(r"[^a-z0-9_-]+", "_", value.lower()).strip("_-")
    hint = f"; did you mean {fix!r}?" if fix and ATTRIBUTE_NAME.match(fix) else ""
    message = f"{value!r} is not an attribute name (lower-case letters, digits, '_' and '-'){hint}"
    raise PydanticCustomError("attribute_name", "{message}", {"message": message})


def attribute_text(value: Any) -> str:
    """An attribute's value as text: one line of text, a number, true/false or a date; else a validation error."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | dt.date):
        return str(value)
    if isinstance(value, str) and value and "\n" not in value:
        return value
    if value is None or value == "":
        shape = "empty"
    else:
        shape = "more than one line" if isinstance(value, str) else "a list or mapping"
    message = f"an attribute is one value (text, a number, true or false), not {shape}"
    raise PydanticCustomError("attribute_value", "{message}", {"message": message})


AttributeName = Annotated[str, AfterValidator(attribute_name)]
AttributeText = Annotated[str, BeforeValidator(attribute_text)]
ParticipantId = Annotated[str, BeforeValidator(_scalar_text), StringConstraints(min_length=1)]


class Participant(_Strict):
    """A pseudonymised participant, optionally with their role and attributes (group, age band, ...): never a name."""

    id: ParticipantId
    role: FreeText | None = None
    attributes: dict[AttributeName, AttributeText] = Field(default_factory=dict)

    @field_validator("attributes")
    @classmethod
    def _role_is_its_own_key(cls, value: dict[str, str]) -> dict[str, str]:
        if "role" in value:
            raise PydanticCustomError("attribute_role", "`role` is the participant's own key, beside `attributes`")
        return value

    @model_serializer(mode="wrap")
    def _attributes_when_any(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Records of participants without attributes read as before attributes existed.
        data: dict[str, Any] = handler(self)
        if not self.attributes:
            data.pop("attributes", None)
        return data


def _declared(value: Any) -> Any:
    return {} if value is None else value  # `P01:` alone declares the id, with nothing about it yet


class ParticipantsFile(_Strict):
    """A programme's `participants.yaml`: participant id -> role and attributes (pseudonymous data only)."""

    participants: dict[ParticipantId, Annotated[dict[AttributeName, AttributeText], BeforeValidator(_declared)]] = (
        Field(default_factory=dict)
    )


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
