"""The dimensions a matrix's rows and columns can be: a role's codes, the source type, programme, coder, ..., a participant attribute."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from cmo.analysis.evidence import Coded, speakers_of
from cmo.analysis.selection import participant_value
from cmo.core.suggest import did_you_mean

# What a record with no value in a dimension is counted under, when asked to (--include-none).
NONE = "(none)"
PARTICIPANT = "participant."
# Role dimensions, singular and plural, to the record field that holds their codes.
ROLES: dict[str, str] = {
    "context": "context",
    "contexts": "context",
    "intervention": "intervention",
    "interventions": "intervention",
    "actor": "actor",
    "actors": "actor",
    "mechanism": "mechanism",
    "mechanisms": "mechanism",
    "resource": "resource",
    "resources": "resource",
    "reasoning": "reasoning",
    "outcome": "outcome",
    "outcomes": "outcome",
    "enabler": "enablers",
    "enablers": "enablers",
    "barrier": "barriers",
    "barriers": "barriers",
}
OTHERS = ("source", "programme", "coder", "stance", "cmoc", "transcript")
# Every dimension's canonical name, as `cmo matrix --help` and messages list them.
CANONICAL = (*dict.fromkeys(ROLES.values()), *OTHERS, f"{PARTICIPANT}role", f"{PARTICIPANT}<attribute>")


class DimensionError(ValueError):
    """A dimension no matrix has: a usage error, with a did-you-mean."""


def canonical(text: str, attributes: Iterable[str] | None = ("role",)) -> str:
    """The dimension `text` names (`enabler` -> `enablers`, `participant.role`), or a DimensionError.

    `attributes` are the participant attributes there are; None takes any attribute name (to check later).
    """
    name = text.strip().lower()
    if name in ROLES:
        return ROLES[name]
    if name in OTHERS:
        return name
    if name.endswith("s") and name[:-1] in OTHERS:
        return name[:-1]
    known = sorted(set(attributes or ()) | {"role"})
    if name.startswith(PARTICIPANT):
        attribute = name[len(PARTICIPANT) :]
        if attribute in known or (attributes is None and attribute):
            return PARTICIPANT + attribute
        hint = did_you_mean(attribute, known)
        raise DimensionError(f"no participant has the attribute {attribute!r}{hint} (attributes: {', '.join(known)})")
    choices = [*ROLES, *OTHERS, *(PARTICIPANT + a for a in known)]
    listed = ", ".join([*dict.fromkeys(ROLES.values()), *OTHERS, *(PARTICIPANT + a for a in known)])
    raise DimensionError(f"unknown dimension {text!r}{did_you_mean(name, choices)} (dimensions: {listed})")


def getter(dimension: str) -> Callable[[Coded], list[str]]:
    """A function of a row giving its values in the (canonical) dimension: none, one or several, distinct."""
    if dimension in ROLES.values():
        return lambda row: row.record[dimension]
    if dimension in ("source", "stance", "transcript", "coder"):
        return lambda row: [] if row.record[dimension] is None else [row.record[dimension]]
    if dimension == "programme":
        return lambda row: [row.programme]
    if dimension == "cmoc":
        return lambda row: list(row.cmocs)
    if dimension.startswith(PARTICIPANT):
        attribute = dimension[len(PARTICIPANT) :]
        return lambda row: sorted(
            {
                value
                for participant in speakers_of(row.record)
                if (value := participant_value(participant, attribute)) is not None
            }
        )
    raise DimensionError(f"unknown dimension {dimension!r}")


def values(row: Coded, dimension: str) -> list[str]:
    """The row's values in the dimension (empty when it has none: counted under NONE only when asked)."""
    return getter(dimension)(row)


def is_code_dimension(dimension: str) -> bool:
    return dimension in ROLES.values()


def labels(dimension: str, ids: Iterable[str], code_labels: Mapping[str, str]) -> dict[str, str]:
    """Each id's label: the codebook's for a role's codes, else the id itself."""
    if is_code_dimension(dimension):
        return {value: code_labels.get(value, value) for value in ids}
    return {value: value for value in ids}
