"""Synthesise stage: an overarching theory across programmes, from their comparison; curated content kept."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cmo.across.compare import CONVERGENT_KINDS, CmocPairing, Comparison
from cmo.across.pairing import standing
from cmo.core.diagnostics import Diagnostics, Severity
from cmo.core.rules import Rule
from cmo.corpus.identity import passage_key
from cmo.corpus.models import Stance
from cmo.theory.model import (
    CONDITION_ROLES,
    OVERARCHING_CURATED_KEYS,
    OVERARCHING_GENERATED_KEYS,
    Cmoc,
    Status,
    Theory,
)
from cmo.yamlio.reader import dump_round_trip, load_round_trip
from cmo.yamlio.roundtrip import commented, remove_item, set_in_order, sync

CMOC_KEY_ORDER = ("id", *OVERARCHING_CURATED_KEYS, *OVERARCHING_GENERATED_KEYS)
TOP_KEY_ORDER = ("programmes", "concepts", "cmocs", "context_specific")
# A condition role of a programme theory and the comparison role its concepts are matched in.
_COMPARISON_ROLE = {"context": "context", "enablers": "enabler", "barriers": "barrier"}
_ID_PART = 48
_HEADER = (
    "Overarching programme theory across {programmes}, kept by `cmo synthesise`.\n"
    "Yours to curate: statement, status, notes and links on each CMOC (and any comment).\n"
    "concepts, cmocs' kind / mechanism / outcome / differs / programmes, and context_specific are\n"
    "regenerated from the programme theories on every run. Only confirmed matches (same id, same_as)\n"
    "and CMOC pairs with evidence on every side (converged, mechanism-shared) are in it."
)


@dataclass(frozen=True)
class Support:
    """The records behind one CMOC, by stance: what the data says of it."""

    supporting: frozenset[str] = frozenset()
    refining: frozenset[str] = frozenset()
    refuting: frozenset[str] = frozenset()

    @property
    def evidence(self) -> frozenset[str]:
        """The records that bear the CMOC out (supporting or refining it)."""
        return self.supporting | self.refining


def support(cmoc: Cmoc) -> Support:
    """Each passage of the CMOC's evidence once (two coders' codings of it are one), by the stance it takes."""
    by_stance: dict[Stance, set[str]] = {stance: set() for stance in Stance}
    for entry in cmoc.evidence:
        by_stance[entry.stance].add(passage_key(entry.record, entry.lines))
    return Support(
        frozenset(by_stance[Stance.SUPPORTS]),
        frozenset(by_stance[Stance.REFINES]),
        frozenset(by_stance[Stance.REFUTES]),
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _cmoc_id(kind: str, mechanism: list[str], outcome: list[str]) -> str:
    words = _slug(" ".join(mechanism + outcome)) or "cmoc"
    if len(words) > _ID_PART:
        words = words[:_ID_PART].rsplit("-", 1)[0]
    digest = hashlib.sha1(repr((kind, mechanism, outcome)).encode()).hexdigest()[:6]
    return f"{words}-{digest}"


@dataclass
class _Group:
    """The convergent pairs that share one kind, mechanism and outcome: one overarching CMOC."""

    kind: str
    mechanism: list[str]
    outcome: list[str]
    cmocs: dict[str, set[str]] = field(default_factory=dict)  # programme -> its CMOCs behind the group


class _Sources:
    """The programme theories' CMOCs, their support, and which concept each condition code belongs to."""

    def __init__(self, comparison: Comparison, theories: Sequence[Theory]) -> None:
        self.cmocs = {(t.programme.id, c.id): c for t in theories for c in t.cmocs}
        self.support = {key: support(cmoc) for key, cmoc in self.cmocs.items()}
        self.concept: dict[tuple[str, str, str], int] = {}
        for role, concepts in comparison.codes.items():
            for number, concept in enumerate(concepts):
                if concept.confirmed:
                    for programme, code in concept.codes.items():
                        self.concept[role, programme, code] = number

    def evidenced(self, programme: str, cmoc: str) -> bool:
        """Borne out by supporting or refining evidence, and not contradicted (compare's `standing`)."""
        found = self.cmocs.get((programme, cmoc))
        return found is not None and standing(found) is None and bool(self.support[programme, cmoc].evidence)

    def key(self, role: str, programme: str, code: str) -> tuple[str, ...]:
        """What makes two programmes' condition codes the same: one confirmed concept, else the code itself."""
        comparison_role = _COMPARISON_ROLE[role]
        number = self.concept.get((comparison_role, programme, code))
        return (comparison_role, str(number)) if number is not None else (comparison_role, programme, code)


def _admissible(pairing: CmocPairing, sources: _Sources) -> bool:
    """A pair that may stand in the overarching theory: convergent, and borne out by evidence on every side."""
    if pairing.kind not in CONVERGENT_KINDS or len(pairing.cmocs) < 2:
        return False
    return all(sources.evidenced(programme, cmoc) for programme, cmoc in pairing.cmocs.items())


def _groups(comparison: Comparison, sources: _Sources) -> dict[str, _Group]:
    groups: dict[str, _Group] = {}
    for pairing in comparison.cmocs:
        if not _admissible(pairing, sources):
            continue
        # A converged CMOC states its shared outcome; one that shares none is at most mechanism-shared.
        kind = pairing.kind if pairing.outcome else "mechanism-shared"
        cmoc_id = _cmoc_id(kind, pairing.mechanism, pairing.outcome)
        group = groups.setdefault(cmoc_id, _Group(kind, list(pairing.mechanism), list(pairing.outcome)))
        for programme, cmoc in pairing.cmocs.items():
            group.cmocs.setdefault(programme, set()).add(cmoc)
    return groups


def _conditions(programme: str, cmocs: Sequence[str], role: str, sources: _Sources) -> list[dict[str, Any]]:
    """The codes of one condition role across the CMOCs, each with the passages that carry it.

    A code's own passages that bear the CMOC out (its `excerpts` less its `refuting`, from merge) are counted
    where the theory has them, never more than the backing passages of the CMOCs that carry the code (a
    passage in two of them is one); a theory merged before codes had counts counts every backing passage.
    A code only refuting passages carry is no condition the configuration holds in, and is left out.
    """
    labels: dict[str, str] = {}
    carried: dict[str, int] = {}
    within: dict[str, set[str]] = {}  # every backing passage of the CMOCs that carry the code
    for cmoc_id in cmocs:
        cmoc = sources.cmocs[programme, cmoc_id]
        backing = sources.support[programme, cmoc_id].evidence
        for ref in cmoc.codes.get(role, []):  # type: ignore[call-overload]
            labels.setdefault(ref.id, ref.label or ref.id)
            own = len(backing) if ref.excerpts is None else min(ref.excerpts - (ref.refuting or 0), len(backing))
            carried[ref.id] = carried.get(ref.id, 0) + own
            within.setdefault(ref.id, set()).update(backing)
    # A passage in two of the CMOCs is one passage: never more than the backing passages of those CMOCs.
    counted = {code: min(carried[code], len(within[code])) for code in labels}
    ordered = sorted(
        (code for code in labels if counted[code]), key=lambda code: (-counted[code], labels[code].lower(), code)
    )
    return [{"code": code, "label": labels[code], "excerpts": counted[code]} for code in ordered]


def _side(programme: str, cmocs: Sequence[str], sources: _Sources) -> dict[str, Any]:
    found = [sources.support[programme, cmoc] for cmoc in cmocs]
    supporting = frozenset().union(*(f.supporting for f in found))
    refining = frozenset().union(*(f.refining for f in found)) - supporting
    outcomes = {
        ref.label or ref.id: None for cmoc in cmocs for ref in sources.cmocs[programme, cmoc].codes.get("outcome", [])
    }
    side: dict[str, Any] = {
        "cmocs": list(cmocs),
        "excerpts": len(supporting | refining),
        "supporting": len(supporting),
        "refining": len(refining),
        "refuting": len(frozenset().union(*(f.refuting for f in found))),
    }
    if outcomes:
        side["outcome"] = sorted(outcomes, key=str.lower)
    for role in CONDITION_ROLES:
        conditions = _conditions(programme, cmocs, role, sources)
        if conditions:
            side[role] = conditions
    return side


def _differs(group: _Group, sides: Mapping[str, dict[str, Any]], sources: _Sources) -> dict[str, Any]:
    """Role -> programme -> labels of the conditions not every side holds: "shared mechanism, divergent barriers"."""
    result: dict[str, Any] = {}
    for role in CONDITION_ROLES:
        keys = {
            programme: {sources.key(role, programme, c["code"]): c["label"] for c in side.get(role, [])}
            for programme, side in sides.items()
        }
        everywhere = set.intersection(*(set(k) for k in keys.values())) if keys else set()
        only = {
            programme: sorted((label for key, label in held.items() if key not in everywhere), key=str.lower)
            for programme, held in keys.items()
        }
        only = {programme: labels for programme, labels in only.items() if labels}
        if only:
            result[role] = only
    return result


def _overarching_cmocs(comparison: Comparison, sources: _Sources) -> dict[str, dict[str, Any]]:
    order = {p: i for i, p in enumerate(comparison.programmes)}
    cmocs: dict[str, dict[str, Any]] = {}
    for cmoc_id, group in _groups(comparison, sources).items():
        sides = {
            programme: _side(programme, sorted(group.cmocs[programme]), sources)
            for programme in sorted(group.cmocs, key=order.__getitem__)
        }
        entry: dict[str, Any] = {"kind": group.kind, "mechanism": group.mechanism}
        if group.outcome:
            entry["outcome"] = group.outcome
        differs = _differs(group, sides, sources)
        if differs:
            entry["differs"] = differs
        entry["programmes"] = sides
        cmocs[cmoc_id] = entry
    return dict(sorted(cmocs.items(), key=lambda item: (item[1]["kind"] != "converged", item[0])))


def _shared_concepts(comparison: Comparison) -> dict[str, list[dict[str, Any]]]:
    """Confirmed concepts every programme has with evidence; a fuzzy candidate is no concept."""
    concepts: dict[str, list[dict[str, Any]]] = {}
    for role, role_concepts in comparison.codes.items():
        shared = [
            {"label": next(iter(c.labels.values())), "codes": dict(c.codes), "match": c.match.value}
            for c in role_concepts
            if c.match is not None and comparison.converges(role, c)
        ]
        if shared:
            concepts[role] = shared
    return concepts


def _context_specific(
    comparison: Comparison, sources: _Sources, behind: set[tuple[str, str]]
) -> dict[str, dict[str, Any]]:
    """Per programme: evidenced CMOCs behind no overarching CMOC, hypotheses, contradicted ones, unshared concepts."""
    specific: dict[str, dict[str, Any]] = {}
    for programme in comparison.programmes:
        hypothesised = comparison.hypothesised.get(programme, {})
        ids = sorted(cmoc for p, cmoc in sources.cmocs if p == programme)
        standings = {cmoc: standing(sources.cmocs[programme, cmoc]) for cmoc in ids}
        against = {cmoc for cmoc in ids if standings[cmoc] == "contradicted"}
        untested = {cmoc for cmoc in ids if standings[cmoc] == "untested"}
        own = {
            role: [
                next(iter(c.labels.values()))
                for c in role_concepts
                if list(c.codes) == [programme] and c.codes[programme] not in hypothesised.get(role, [])
            ]
            for role, role_concepts in comparison.codes.items()
        }
        entry: dict[str, Any] = {
            "cmocs": [c for c in ids if (programme, c) not in behind and c not in against | untested],
        }
        if untested:
            entry["hypotheses"] = sorted(untested)
        if against:
            entry["contradicted"] = sorted(against)
        entry["concepts"] = {role: labels for role, labels in own.items() if labels}
        specific[programme] = entry
    return specific


def generated(comparison: Comparison, theories: Sequence[Theory]) -> dict[str, Any]:
    """The generated content of the overarching theory, in file order."""
    sources = _Sources(comparison, theories)
    cmocs = _overarching_cmocs(comparison, sources)
    behind = {(p, c) for entry in cmocs.values() for p, side in entry["programmes"].items() for c in side["cmocs"]}
    return {
        "programmes": list(comparison.programmes),
        "concepts": _shared_concepts(comparison),
        "cmocs": cmocs,
        "context_specific": _context_specific(comparison, sources, behind),
    }


def _has_curated_content(cmoc: Any) -> bool:
    if any(cmoc.get(key) for key in ("statement", "notes", "links")):
        return True
    return cmoc.get("status") not in (None, Status.NEW.value)


def _refresh(cmoc: Any, entry: Mapping[str, Any]) -> None:
    """Set a kept CMOC's generated keys to this run's; a generated key this run has not is removed."""
    for key in OVERARCHING_GENERATED_KEYS:
        if key in entry:
            set_in_order(cmoc, key, entry[key], CMOC_KEY_ORDER)
        elif key in cmoc:
            del cmoc[key]


def synthesis_text(
    existing: str | None, comparison: Comparison, theories: Sequence[Theory], shown: str, diagnostics: Diagnostics
) -> str:
    """The overarching theory's new text, given its current text (None when there is none)."""
    content = generated(comparison, theories)
    fresh = content.pop("cmocs")
    if existing is None:
        document = commented({**content, "cmocs": []})
        document.yaml_set_start_comment(_HEADER.format(programmes=", ".join(comparison.programmes)))
    else:
        document = load_round_trip(existing)
        for key, value in content.items():
            set_in_order(document, key, value, TOP_KEY_ORDER)
        if document.get("cmocs") is None:
            set_in_order(document, "cmocs", [], TOP_KEY_ORDER)
    cmocs = document["cmocs"]
    seen: set[str] = set()
    for index in reversed(range(len(cmocs))):
        cmoc = cmocs[index]
        cmoc_id = str(cmoc["id"])
        seen.add(cmoc_id)
        if cmoc_id in fresh:
            _refresh(cmoc, fresh[cmoc_id])
        elif _has_curated_content(cmoc):
            if cmoc.get("programmes"):
                sync(cmoc, "programmes", {})
                diagnostics.add(
                    shown,
                    cmoc.lc.line + 1,
                    cmoc.lc.col + 1,
                    Rule.CMOC_NO_EVIDENCE,
                    f"overarching CMOC {cmoc_id!r} no longer converges across the programmes; kept because people curated it",
                    Severity.WARNING,
                )
        else:
            remove_item(cmocs, index)
    for cmoc_id, entry in fresh.items():
        if cmoc_id not in seen:
            cmocs.append(commented({"id": cmoc_id, "status": Status.NEW.value, **entry}))
    return dump_round_trip(document)
