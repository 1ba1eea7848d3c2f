"""What a project says about a source, for its front matter: source type and date (variables), participants (cases)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from cmo.core.suggest import did_you_mean
from cmo.corpus.models import SourceType
from cmo.qdpx.project import QdaCase, QdaProject, QdaSource, QdaValue

SOURCE_TYPE_VARIABLE = "source type"
ROLE_VARIABLE = "role"
DATE_VARIABLE = "date"
# Variable names that hold a source type, compared with case and spaces ignored.
_SOURCE_TYPE_NAMES = frozenset({"sourcetype", "datatype", "typeofsource", "typeofdata", "source", "datasource"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass
class SourceFacts:
    """A source's front-matter facts, and problems met finding them (reported as warnings)."""

    source_type: SourceType | None = None
    date: dt.date | None = None
    participants: list[dict[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.casefold())


def _named(project: QdaProject, values: tuple[QdaValue, ...], names: frozenset[str]) -> str | None:
    for value in values:
        if _key(project.variables.get(value.variable, "")) in names and value.value and value.value.strip():
            return " ".join(value.value.split())
    return None


def _source_type(value: str) -> SourceType | None:
    word = value.casefold().strip()
    for candidate in (word, word.removesuffix("s")):
        if candidate in set(SourceType):
            return SourceType(candidate)
    return None


def _cases(project: QdaProject, source: QdaSource) -> list[QdaCase]:
    selections = {selection.guid for selection in source.selections}
    return [case for case in project.cases if source.guid in case.sources or selections & set(case.selections)]


def source_facts(project: QdaProject, source: QdaSource, default: SourceType | None) -> SourceFacts:
    """Source type from the source's variables, else a case's, else `default`; participants from its cases."""
    facts = SourceFacts()
    cases = _cases(project, source)
    given = _named(project, source.values, _SOURCE_TYPE_NAMES) or next(
        (found for case in cases if (found := _named(project, case.values, _SOURCE_TYPE_NAMES))), None
    )
    facts.source_type = _source_type(given) if given else None
    if given and facts.source_type is None:
        fallback = f"; using --source-type {default}" if default else ""
        facts.problems.append(
            f"source {source.name!r}: source type {given!r} is not one of {', '.join(SourceType)}"
            f"{did_you_mean(given.casefold(), list(SourceType))}{fallback}"
        )
    facts.source_type = facts.source_type or default
    date = _named(project, source.values, frozenset({DATE_VARIABLE}))
    if date and _DATE.match(date):
        try:
            facts.date = dt.date.fromisoformat(date[:10])
        except ValueError:
            facts.problems.append(f"source {source.name!r}: date {date!r} is not a date; left out")
    seen = set()
    for case in cases:
        participant = " ".join(case.name.split()) or case.guid
        if participant in seen:
            continue
        seen.add(participant)
        entry = {"id": participant}
        role = _named(project, case.values, frozenset({ROLE_VARIABLE}))
        if role:
            entry["role"] = role
        facts.participants.append(entry)
    return facts
