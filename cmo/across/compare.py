"""Compare stage: programme theories side by side: attributes, codes by role, and CMOCs paired across programmes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cmo.across.matching import DEFAULT_THRESHOLD, CodeInfo, Concept, match_codes
from cmo.corpus.layout import Corpus
from cmo.theory.model import Cmoc, Theory

# Comparison roles and the theory code role each reads.
ROLES: dict[str, str] = {
    "intervention": "intervention",
    "context": "context",
    "actor": "actor",
    "mechanism": "mechanism",
    "outcome": "outcome",
    "enabler": "enablers",
    "barrier": "barriers",
}


@dataclass
class AttributeRow:
    """One programme fact (framework, funding, ...) across programmes."""

    name: str
    values: dict[str, str | None]

    @property
    def agree(self) -> bool:
        values = list(self.values.values())
        return None not in values and len({" ".join(str(v).lower().split()) for v in values}) == 1


@dataclass
class CmocPairing:
    """CMOCs of different programmes that share a mechanism (and maybe an outcome), or a CMOC found in one only."""

    kind: str  # converged | mechanism-shared | one-programme
    cmocs: dict[str, str]
    excerpts: dict[str, int]
    mechanism: list[str] = field(default_factory=list)
    outcome: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    """Everything `cmo compare` reports, in the order it reports it."""

    programmes: list[str]
    attributes: list[AttributeRow]
    codes: dict[str, list[Concept]]
    cmocs: list[CmocPairing]
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "programmes": self.programmes,
            "threshold": self.threshold,
            "attributes": [{"name": row.name, "values": row.values, "agree": row.agree} for row in self.attributes],
            "codes": {
                role: [
                    {
                        "codes": concept.codes,
                        "labels": concept.labels,
                        "in": concept.programmes,
                        "converges": len(concept.codes) == len(self.programmes),
                        "match": concept.match.value if concept.match else None,
                        "score": round(concept.score, 1) if concept.score is not None else None,
                    }
                    for concept in concepts
                ]
                for role, concepts in self.codes.items()
            },
            "cmocs": [
                {
                    "kind": pairing.kind,
                    "cmocs": pairing.cmocs,
                    "excerpts": pairing.excerpts,
                    "mechanism": pairing.mechanism,
                    "outcome": pairing.outcome,
                }
                for pairing in self.cmocs
            ],
        }


def codebooks_for(theories: Sequence[Theory], corpus: Corpus | None) -> dict[str, dict[str, CodeInfo]]:
    """Labels and same_as of each programme's codes: from its codebooks when the corpus has them, else the theory."""
    result: dict[str, dict[str, CodeInfo]] = {}
    for theory in theories:
        programme = theory.programme.id
        known: dict[str, CodeInfo] = {}
        for cmoc in theory.cmocs:
            for refs in cmoc.codes.values():
                for ref in refs:
                    known.setdefault(ref.id, CodeInfo(ref.label or ref.id))
        source = corpus.programmes.get(programme) if corpus else None
        if source is not None:
            for code_id, declared in source.codes.items():
                known[code_id] = CodeInfo(declared.code.label, tuple(declared.code.same_as))
        result[programme] = known
    return result


def _codes_in_role(theory: Theory, role: str) -> list[str]:
    return sorted({ref.id for cmoc in theory.cmocs for ref in cmoc.codes.get(role, [])})  # type: ignore[call-overload]


def _attributes(theories: Sequence[Theory]) -> list[AttributeRow]:
    names: list[str] = []
    for theory in theories:
        names += [name for name in theory.programme.attributes if name not in names]
    rows = [AttributeRow("framework", {t.programme.id: t.programme.framework for t in theories})]
    rows += [AttributeRow(name, {t.programme.id: t.programme.attributes.get(name) for t in theories}) for name in names]
    return rows


def _concept_index(concepts: Mapping[str, list[Concept]]) -> dict[tuple[str, str, str], int]:
    """(role, programme, code) -> concept number, so CMOCs can be compared by meaning, not by id."""
    index = {}
    number = 0
    for role, role_concepts in concepts.items():
        for concept in role_concepts:
            for programme, code in concept.codes.items():
                index[role, programme, code] = number
            number += 1
    return index


def _cmoc_concepts(cmoc: Cmoc, programme: str, role: str, index: Mapping[tuple[str, str, str], int]) -> set[int]:
    return {
        index[role, programme, ref.id]
        for ref in cmoc.codes.get(ROLES[role], [])  # type: ignore[call-overload]
        if (role, programme, ref.id) in index
    }


# Two CMOCs share a mechanism when their mechanism concepts overlap at least this much (Jaccard).
MECHANISM_OVERLAP = 0.5


def _jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _prefix(concepts: set[int], rank: Mapping[int, int]) -> list[int]:
    """Prefix filtering: two sets reach the Jaccard threshold only if their rarest-first prefixes meet."""
    ordered = sorted(concepts, key=lambda c: (rank[c], c))
    keep = len(ordered) - math.ceil(MECHANISM_OVERLAP * len(ordered)) + 1
    return ordered[:keep]


Signature = tuple[str, set[int], set[int], set[int]]  # CMOC id, mechanism, outcome, context concepts


def _candidates(first: list[Signature], second: list[Signature]) -> list[tuple[float, float, float, int, int]]:
    """(mechanism, outcome, context overlap, i, j) for CMOC pairs whose mechanisms overlap enough."""
    frequency: dict[int, int] = {}
    for _, mechanisms, _, _ in first + second:
        for concept in mechanisms:
            frequency[concept] = frequency.get(concept, 0) + 1
    rank = frequency
    index: dict[int, list[int]] = {}
    for j, (_, mechanisms, _, _) in enumerate(second):
        for concept in _prefix(mechanisms, rank):
            index.setdefault(concept, []).append(j)
    found = []
    for i, (_, mechanisms, outcomes, contexts) in enumerate(first):
        if not mechanisms:
            continue
        for j in sorted({j for concept in _prefix(mechanisms, rank) for j in index.get(concept, [])}):
            overlap = _jaccard(mechanisms, second[j][1])
            if overlap >= MECHANISM_OVERLAP:
                found.append((overlap, _jaccard(outcomes, second[j][2]), _jaccard(contexts, second[j][3]), i, j))
    return found


def _signatures(theories: Sequence[Theory], index: Mapping[tuple[str, str, str], int]) -> dict[str, list[Signature]]:
    """Programme -> each CMOC's id and its mechanism, outcome and context concepts."""
    return {
        theory.programme.id: [
            (
                cmoc.id,
                _cmoc_concepts(cmoc, theory.programme.id, "mechanism", index),
                _cmoc_concepts(cmoc, theory.programme.id, "outcome", index),
                _cmoc_concepts(cmoc, theory.programme.id, "context", index),
            )
            for cmoc in theory.cmocs
        ]
        for theory in theories
    }


def _pair_two(
    programmes: tuple[str, str],
    signatures: Mapping[str, list[Signature]],
    labels: Mapping[int, str],
    excerpts: Mapping[tuple[str, str], int],
) -> list[CmocPairing]:
    """The CMOCs of two programmes paired one to one, best overlap first."""
    a, b = programmes
    left, right = signatures[a], signatures[b]
    taken_left: set[int] = set()
    taken_right: set[int] = set()
    pairings = []
    # Best overlap first; among equals, the same CMOC id (a shared or imported configuration), then ids.
    ranked = sorted(
        _candidates(left, right),
        key=lambda c: (-c[0], -c[1], -c[2], left[c[3]][0] != right[c[4]][0], left[c[3]][0], right[c[4]][0]),
    )
    for _, outcome_overlap, _, x, y in ranked:
        if x in taken_left or y in taken_right:
            continue
        taken_left.add(x)
        taken_right.add(y)
        (left_id, left_m, left_o, _), (right_id, right_m, right_o, _) = left[x], right[y]
        converged = outcome_overlap >= MECHANISM_OVERLAP
        pairings.append(
            CmocPairing(
                kind="converged" if converged else "mechanism-shared",
                cmocs={a: left_id, b: right_id},
                excerpts={a: excerpts[a, left_id], b: excerpts[b, right_id]},
                mechanism=sorted(labels[n] for n in left_m & right_m),
                outcome=sorted(labels[n] for n in left_o & right_o) if converged else [],
            )
        )
    return pairings


def pair_cmocs(theories: Sequence[Theory], concepts: Mapping[str, list[Concept]]) -> list[CmocPairing]:
    """For each pair of programmes, CMOCs paired one to one by shared mechanism (then outcome); then the rest.

    A pair is `converged` when mechanisms and outcomes overlap (Jaccard >= 0.5 on matched concepts),
    `mechanism-shared` when only mechanisms do. Best pairs are taken first, each CMOC once per programme pair.
    """
    index = _concept_index(concepts)
    labels: dict[int, str] = {}
    for role_concepts in concepts.values():
        for concept in role_concepts:
            labels[len(labels)] = next(iter(concept.labels.values()))
    signatures = _signatures(theories, index)
    excerpts = {(t.programme.id, cmoc.id): cmoc.counts.excerpts for t in theories for cmoc in t.cmocs}
    pairings: list[CmocPairing] = []
    for i, first in enumerate(theories):
        for second in theories[i + 1 :]:
            pairings += _pair_two((first.programme.id, second.programme.id), signatures, labels, excerpts)
    paired = {(programme, cmoc) for pairing in pairings for programme, cmoc in pairing.cmocs.items()}
    pairings.sort(key=lambda p: (p.kind != "converged", -sum(p.excerpts.values()), sorted(p.cmocs.items())))
    for theory in theories:
        for cmoc in theory.cmocs:
            if (theory.programme.id, cmoc.id) not in paired:
                pairings.append(
                    CmocPairing(
                        "one-programme", {theory.programme.id: cmoc.id}, {theory.programme.id: cmoc.counts.excerpts}
                    )
                )
    return pairings


def compare(theories: Sequence[Theory], corpus: Corpus | None, threshold: float = DEFAULT_THRESHOLD) -> Comparison:
    """Compare two or more programme theories."""
    codebooks = codebooks_for(theories, corpus)
    concepts = {
        role: match_codes({t.programme.id: _codes_in_role(t, source) for t in theories}, codebooks, threshold)
        for role, source in ROLES.items()
    }
    return Comparison(
        programmes=[t.programme.id for t in theories],
        attributes=_attributes(theories),
        codes=concepts,
        cmocs=pair_cmocs(theories, concepts),
        threshold=threshold,
    )
