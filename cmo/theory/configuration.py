"""Records -> configurations: which CMOC each record's evidence belongs to, and what merge generates for each CMOC.

A record with a `cmoc:` id belongs to that CMOC. Any other record is keyed by its mechanism (resource and
reasoning) and its outcome: the records of one M -> O pattern form one CMOC, and their contexts,
interventions, actors, enablers and barriers accumulate inside it, each with the passages that carry it,
so the CMOC shows the circumstances in which the pattern was seen. A record with no mechanism or no
outcome is a fragment: coded evidence not yet in a configuration, kept apart and never counted as a CMOC.
A CMOC people curated under the id the earlier keying (by the exact set of codes) gave keeps its records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cmo.corpus.identity import passage_key
from cmo.corpus.layout import DeclaredCode
from cmo.corpus.models import Record, SourceType, Stance
from cmo.corpus.reading import reading_text
from cmo.theory.model import CMO_PARTS, CODE_ROLES, Counts

_ID_PART = 48
_SPOKEN = (SourceType.INTERVIEW, SourceType.WORKSHOP)
_REFUTES = Stance.REFUTES
_CONTEXT_ROLES = ("context", "enablers", "barriers")
_FRAGMENT_ROLES = ("context", "intervention", "actor", "mechanism", "outcome", "enablers", "barriers")


def configuration_key(record: Record) -> tuple[tuple[str, ...], ...]:
    """What makes two records one configuration: the same resource, reasoning, mechanism and outcome codes."""
    return tuple(tuple(sorted(getattr(record, role))) for role in ("resource", "reasoning", "mechanism", "outcome"))


def is_fragment(record: Record) -> bool:
    """A record outside any named CMOC that lacks a mechanism or an outcome."""
    return record.cmoc is None and not (record.mechanism and record.outcome)


def _readable_id(words: Sequence[str], key: object) -> str:
    text = "-".join(words) or "cmoc"
    if len(text) > _ID_PART:
        text = text[:_ID_PART].rsplit("-", 1)[0]
    return f"{text}-{hashlib.sha1(repr(key).encode()).hexdigest()[:6]}"


def generated_id(record: Record) -> str:
    """A stable, readable id from a record's mechanism and outcome codes, plus a short hash of the key.

    The words come from the key, not from the order a coder wrote the codes in: one key, one id.
    """
    resource, reasoning, mechanism, outcome = configuration_key(record)
    split = {*resource, *reasoning}
    words = [*resource, *reasoning, *(code for code in mechanism if code not in split), *outcome]
    return _readable_id(words, (resource, reasoning, mechanism, outcome))


def legacy_generated_id(record: Record) -> str:
    """The id the earlier keying (by every code of the record) gave, so CMOCs curated under it keep resolving."""
    key = tuple(
        tuple(sorted(getattr(record, role)))
        for role in ("context", "intervention", "actor", "resource", "reasoning", "mechanism", "outcome")
    )
    return _readable_id([*record.context, *record.mechanism, *record.outcome], key)


@dataclass
class Grouping:
    """Records sorted into CMOCs (id -> records) and the fragments outside any."""

    cmocs: dict[str, list[Record]] = field(default_factory=dict)
    fragments: list[Record] = field(default_factory=list)


def group_records(records: Iterable[Record], curated: Collection[str] = ()) -> Grouping:
    """Each record to its CMOC: named by `cmoc`, or the curated CMOC of its legacy id, or its M -> O key.

    `curated` holds the ids of the CMOCs people curated in the theory file being merged into.
    """
    grouping = Grouping()
    for record in records:
        cmoc_id = record.cmoc
        if cmoc_id is None and curated:
            legacy = legacy_generated_id(record)
            cmoc_id = legacy if legacy in curated else None
        if cmoc_id is None:
            if is_fragment(record):
                grouping.fragments.append(record)
                continue
            cmoc_id = generated_id(record)
        grouping.cmocs.setdefault(cmoc_id, []).append(record)
    return grouping


def _evidence_order(record: Record) -> tuple[str, int, int]:
    return (record.path, record.line_start, record.annotation_line)


def lines(record: Record) -> str:
    if record.line_start == record.line_end:
        return str(record.line_start)
    return f"{record.line_start}-{record.line_end}"


def _passages(records: Iterable[Record]) -> set[str]:
    return {passage_key(record.id, lines(record)) for record in records}


def _keyed(records: Iterable[Record]) -> list[tuple[Record, str]]:
    """Each record with its passage key, worked out once."""
    return [(record, passage_key(record.id, lines(record))) for record in records]


def counts(records: Sequence[Record], keyed: Sequence[tuple[Record, str]] | None = None) -> dict[str, Any]:
    """The counts of a CMOC's records: distinct passages (a passage coded twice is one), and the codings.

    `keyed` is `records` with their passage keys, when the caller has them already.
    """
    pairs = _keyed(records) if keyed is None else keyed
    stances: dict[Stance, set[str]] = {stance: set() for stance in Stance}
    by_source: dict[SourceType, set[str]] = {source: set() for source in SourceType}
    spoken: set[str] = set()
    elicited: set[str] = set()
    for record, key in pairs:
        stances[record.stance].add(key)
        by_source[record.source].add(key)
        if record.source in _SPOKEN:
            spoken.add(key)
            if record.elicited:
                elicited.add(key)
    figures: dict[str, Any] = {
        "excerpts": len({key for _, key in pairs}),
        "codings": len(records),
        "supporting": len(stances[Stance.SUPPORTS]),
        "refining": len(stances[Stance.REFINES]),
        "refuting": len(stances[Stance.REFUTES]),
        "elicited": len(elicited),
        "spontaneous": len(spoken - elicited),
        "observed": len(by_source[SourceType.OBSERVATION]),
        "transcripts": len({record.transcript for record in records}),
        "participants": len({p.id for record in records for p in record.participants}),
        "by_source": {source.value: len(found) for source, found in by_source.items()},
    }
    assert list(figures) == list(Counts.model_fields)  # one order, the model's
    return figures


def completeness(records: Sequence[Record]) -> list[str]:
    """Which of context, mechanism and outcome the records give (enablers and barriers are contexts too)."""
    present = {
        "context": any(getattr(record, role) for record in records for role in _CONTEXT_ROLES),
        "mechanism": any(record.mechanism for record in records),
        "outcome": any(record.outcome for record in records),
    }
    return [part for part in CMO_PARTS if present[part]]


def _code_roles(keyed: Sequence[tuple[Record, str]], codes: dict[str, DeclaredCode]) -> dict[str, Any]:
    """Role -> the refs of its codes, for the roles the records carry a code in (in `CODE_ROLES` order)."""
    carriers: dict[str, dict[str, list[tuple[Record, str]]]] = {}
    for pair in keyed:
        record = pair[0]
        for role in CODE_ROLES:
            found = getattr(record, role)
            if found:
                by_code = carriers.setdefault(role, {})
                for code in found:
                    by_code.setdefault(code, []).append(pair)
    return {role: _code_refs(carriers[role], codes) for role in CODE_ROLES if role in carriers}


def _code_refs(carriers: dict[str, list[tuple[Record, str]]], codes: dict[str, DeclaredCode]) -> list[dict[str, Any]]:
    refs = []
    for code, found in sorted(carriers.items()):
        ref: dict[str, Any] = {"id": code, "label": codes[code].code.label if code in codes else None}
        if len(found) == 1:  # the common case: one passage, refuting or not
            ref["excerpts"] = 1
            refuting = 1 if found[0][0].stance is _REFUTES else 0
        else:
            ref["excerpts"] = len({key for _, key in found})
            refuting = len({key for record, key in found if record.stance is _REFUTES})
        if refuting:  # of those passages, how many refute the configuration
            ref["refuting"] = refuting
        refs.append(ref)
    return refs


def _evidence_entry(record: Record) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "record": record.id,
        "transcript": record.transcript,
        "source": record.source.value,
        "lines": lines(record),
        "quote": reading_text(record.quote),
        "stance": record.stance.value,
    }
    if record.elicited:
        entry["elicited"] = True
    if record.coder:
        entry["coder"] = record.coder
    if record.participants:
        entry["participants"] = [p.id for p in record.participants]
    return entry


def generated_cmoc(records: Sequence[Record], codes: dict[str, DeclaredCode]) -> dict[str, Any]:
    """The generated part of one CMOC: completeness, codes with their passages, counts, triangulation, evidence."""
    ordered = sorted(records, key=_evidence_order)
    keyed = _keyed(ordered)
    code_roles = _code_roles(keyed, codes)
    figures = counts(ordered, keyed)
    backing = [r for r in ordered if r.stance is not Stance.REFUTES]
    return {
        "completeness": completeness(ordered),
        "codes": code_roles,
        "counts": figures,
        # Support from two or more kinds of data; refuting evidence triangulates nothing.
        "triangulated": len({record.source for record in backing}) >= 2,
        "evidence": [_evidence_entry(record) for record in ordered],
    }


def fragments(records: Sequence[Record], codes: dict[str, DeclaredCode]) -> list[dict[str, Any]]:
    """The fragments' codes, role by role, each with the passages that carry it: evidence awaiting a configuration."""
    carriers: dict[tuple[int, str, str], list[Record]] = {}
    for record in sorted(records, key=_evidence_order):
        for role, code in record.codes():
            carriers.setdefault((_FRAGMENT_ROLES.index(role), code, role), []).append(record)
    return [
        {
            "code": code,
            "role": role,
            "label": codes[code].code.label if code in codes else None,
            "excerpts": len(_passages(found)),
            "evidence": [
                {"record": r.id, "transcript": r.transcript, "lines": lines(r), "stance": r.stance.value} for r in found
            ],
        }
        for (_, code, role), found in sorted(carriers.items())
    ]
