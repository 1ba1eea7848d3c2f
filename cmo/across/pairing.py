"""CMOCs of different programmes paired by shared mechanism, each pair given the kind a reader may conclude from it."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cmo.across.matching import Concept
from cmo.corpus.identity import passage_key
from cmo.corpus.models import Stance
from cmo.theory.model import Cmoc, Status, Theory

# What a pair of CMOCs lets a reader conclude, strongest first; `one-programme` is a CMOC paired with nothing.
KINDS = ("converged", "mechanism-shared", "untested", "contradicted", "one-programme")
# The one definition of convergence: findings, synthesis and reports count only these kinds.
CONVERGENT_KINDS = frozenset({"converged", "mechanism-shared"})
# Conditions whose differences a pair reports (comparison roles); a barrier difference stops plain convergence.
DIFFER_ROLES = ("context", "enabler", "barrier")
# Comparison role -> the theory code role it reads.
ROLES: dict[str, str] = {
    "intervention": "intervention",
    "context": "context",
    "actor": "actor",
    "mechanism": "mechanism",
    "outcome": "outcome",
    "enabler": "enablers",
    "barrier": "barriers",
}
# Two CMOCs share a mechanism when their mechanism concepts overlap at least this much (Jaccard).
MECHANISM_OVERLAP = 0.5
_SIGNATURE_ROLES = ("mechanism", "outcome", *DIFFER_ROLES)


@dataclass(slots=True)  # there are as many as pairs of CMOCs: slots keep each small
class CmocPairing:
    """CMOCs of two programmes that share a mechanism, or a CMOC found in one programme only.

    `differs` maps context / enabler / barrier -> programme -> the codes only that side has (a role is
    absent when both sides have the same concepts).
    """

    kind: str
    cmocs: dict[str, str]
    excerpts: dict[str, int]
    mechanism: list[str] = field(default_factory=list)
    outcome: list[str] = field(default_factory=list)
    differs: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    curated: bool = False  # every CMOC of the pair has a statement or a status other than `new`

    @property
    def converges(self) -> bool:
        return self.kind in CONVERGENT_KINDS


@dataclass(frozen=True)
class _Side:
    """What pairing reads of one CMOC: its concepts by role, whether people curated it, what its evidence says."""

    cmoc: str
    excerpts: int
    curated: bool
    standing: str | None  # "contradicted", "untested" or None (evidenced, not contradicted)
    concepts: dict[str, dict[int, str]]  # role -> concept number -> the CMOC's code for it
    # Worked out once, as pairing asks for them for every candidate pair: role -> its concepts, and
    # role -> (code, concept) in code order (a code is one concept: the index is keyed by code).
    sets: dict[str, frozenset[int]] = field(default_factory=dict)
    by_code: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def of(self, role: str) -> frozenset[int]:
        return self.sets[role]


def passages(cmoc: Cmoc) -> tuple[set[str], set[str]]:
    """(passages that bear the CMOC out, passages that refute it): each passage once, however often coded."""
    backing: set[str] = set()
    refuting: set[str] = set()
    for entry in cmoc.evidence:
        (refuting if entry.stance is Stance.REFUTES else backing).add(passage_key(entry.record, entry.lines))
    return backing, refuting


def standing(cmoc: Cmoc) -> str | None:
    """`contradicted` (refuted, or more refuting than supporting passages), `untested` (no support), else None."""
    return _standing(cmoc, *passages(cmoc))


def _standing(cmoc: Cmoc, backing: set[str], refuting: set[str]) -> str | None:
    if cmoc.status is Status.REFUTED or len(refuting) > len(backing):
        return "contradicted"
    return "untested" if not backing else None


def curated(cmoc: Cmoc) -> bool:
    """True for a CMOC people have worked on: it has a statement, or a status other than `new`."""
    return cmoc.statement is not None or (cmoc.status is not None and cmoc.status is not Status.NEW)


def concept_index(concepts: Mapping[str, list[Concept]]) -> dict[tuple[str, str, str], int]:
    """(role, programme, code) -> concept number, so CMOCs can be compared by meaning, not by id."""
    index = {}
    number = 0
    for role, role_concepts in concepts.items():
        for concept in role_concepts:
            for programme, code in concept.codes.items():
                index[role, programme, code] = number
            number += 1
    return index


def _side(cmoc: Cmoc, programme: str, index: Mapping[tuple[str, str, str], int]) -> _Side:
    concepts = {
        role: {
            index[role, programme, ref.id]: ref.id
            for ref in cmoc.codes.get(ROLES[role], [])  # type: ignore[call-overload]
            if (role, programme, ref.id) in index
        }
        for role in _SIGNATURE_ROLES
    }
    sets = {role: frozenset(found) for role, found in concepts.items()}
    by_code = {role: sorted((code, concept) for concept, code in concepts[role].items()) for role in DIFFER_ROLES}
    backing, refuting = passages(cmoc)
    return _Side(cmoc.id, len(backing), curated(cmoc), _standing(cmoc, backing, refuting), concepts, sets, by_code)


def _jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _prefix(concepts: frozenset[int], rank: Mapping[int, int]) -> list[int]:
    """Prefix filtering: two sets reach the Jaccard threshold only if their rarest-first prefixes meet."""
    ordered = sorted(concepts, key=lambda c: (rank[c], c))
    keep = len(ordered) - math.ceil(MECHANISM_OVERLAP * len(ordered)) + 1
    return ordered[:keep]


def _overlapping(first: list[_Side], second: list[_Side]) -> list[tuple[float, int, int]]:
    """(mechanism overlap, i, j) for CMOC pairs whose mechanisms overlap enough, without comparing every pair."""
    frequency: dict[int, int] = {}
    for side in first + second:
        for concept in side.concepts["mechanism"]:
            frequency[concept] = frequency.get(concept, 0) + 1
    index: dict[int, list[int]] = {}
    for j, side in enumerate(second):
        for concept in _prefix(side.of("mechanism"), frequency):
            index.setdefault(concept, []).append(j)
    found = []
    for i, side in enumerate(first):
        mechanisms = side.of("mechanism")
        if not mechanisms:
            continue
        for j in sorted({j for concept in _prefix(mechanisms, frequency) for j in index.get(concept, [])}):
            overlap = _jaccard(mechanisms, second[j].of("mechanism"))
            if overlap >= MECHANISM_OVERLAP:
                found.append((overlap, i, j))
    return found


# Pairs are many (the square of the CMOCs): equal lists of labels or codes are one list, shared, never changed.
_Shared = dict[tuple[str, ...], list[str]]


def _shared(lists: _Shared, items: Iterable[str]) -> list[str]:
    key = tuple(items)
    found = lists.get(key)
    if found is None:
        found = lists[key] = list(key)
    return found


def _differs(a: str, left: _Side, b: str, right: _Side, lists: _Shared) -> dict[str, dict[str, list[str]]]:
    """Role -> programme -> the codes of that side whose concept the other side lacks, for roles that differ."""
    result = {}
    for role in DIFFER_ROLES:
        mine, theirs = left.sets[role], right.sets[role]
        if mine == theirs:
            continue
        # In code order already: by_code is sorted, and filtering keeps the order.
        only = {
            a: _shared(lists, [code for code, concept in left.by_code[role] if concept not in theirs]),
            b: _shared(lists, [code for code, concept in right.by_code[role] if concept not in mine]),
        }
        result[role] = only
    return result


def _kind(left: _Side, right: _Side, shared_outcome: bool, barriers_differ: bool) -> str:
    """Contradicted beats untested beats converged: convergence needs evidence, and no refutation, on every side."""
    standings = {left.standing, right.standing}
    if "contradicted" in standings:
        return "contradicted"
    if "untested" in standings:
        return "untested"
    return "converged" if shared_outcome and not barriers_differ else "mechanism-shared"


_RANK = {kind: number for number, kind in enumerate(KINDS)}
# How pairs are ordered: kind, curated sides, mechanism / outcome / context overlap, same id, evidence, ids.
_Key = tuple[int, int, float, float, float, bool, int, str, str]


def _pair_two(
    programmes: tuple[str, str], sides: Mapping[str, list[_Side]], labels: Mapping[int, str]
) -> list[tuple[_Key, CmocPairing]]:
    """Every pair of the two programmes' CMOCs whose mechanisms overlap enough: many to many, best first."""
    a, b = programmes
    left, right = sides[a], sides[b]
    ranked: list[tuple[_Key, CmocPairing]] = []
    lists: _Shared = {}
    for overlap, x, y in _overlapping(left, right):
        first, second = left[x], right[y]
        shared_outcome = first.of("outcome") & second.of("outcome")
        differs = _differs(a, first, b, second, lists)
        kind = _kind(first, second, bool(shared_outcome), "barrier" in differs)
        pairing = CmocPairing(
            kind=kind,
            cmocs={a: first.cmoc, b: second.cmoc},
            excerpts={a: first.excerpts, b: second.excerpts},
            mechanism=_shared(lists, sorted(labels[n] for n in first.of("mechanism") & second.of("mechanism"))),
            outcome=_shared(lists, sorted(labels[n] for n in shared_outcome)),
            differs=differs,
            curated=first.curated and second.curated,
        )
        # Kind, then curated CMOCs, then overlap of mechanism, outcome and context, then the same CMOC id
        # (a shared or imported configuration), then evidence, then ids.
        key = (
            _RANK[kind],
            -(first.curated + second.curated),
            -overlap,
            -_jaccard(first.of("outcome"), second.of("outcome")),
            -_jaccard(first.of("context"), second.of("context")),
            first.cmoc != second.cmoc,
            -(first.excerpts + second.excerpts),
            first.cmoc,
            second.cmoc,
        )
        ranked.append((key, pairing))
    return ranked


def pair_cmocs(theories: Sequence[Theory], concepts: Mapping[str, list[Concept]]) -> list[CmocPairing]:
    """For each pair of programmes, every pair of CMOCs sharing a mechanism (many to many); then the rest.

    Two CMOCs pair when their mechanism concepts overlap (Jaccard >= 0.5). The pair is `contradicted` when a
    side is refuted or mostly refuting, `untested` when a side has no supporting evidence, `converged` when
    they also share an outcome and their barriers agree, else `mechanism-shared`.
    """
    index = concept_index(concepts)
    labels: dict[int, str] = {}
    for role_concepts in concepts.values():
        for concept in role_concepts:
            labels[len(labels)] = next(iter(concept.labels.values()))
    sides = {t.programme.id: [_side(cmoc, t.programme.id, index) for cmoc in t.cmocs] for t in theories}
    ranked: list[tuple[_Key, CmocPairing]] = []
    for i, first in enumerate(theories):
        for second in theories[i + 1 :]:
            ranked += _pair_two((first.programme.id, second.programme.id), sides, labels)
    ranked.sort(key=lambda item: item[0])
    pairings = [pairing for _, pairing in ranked]
    paired = {(programme, cmoc) for pairing in pairings for programme, cmoc in pairing.cmocs.items()}
    for theory in theories:
        programme = theory.programme.id
        alone = [side for side in sides[programme] if (programme, side.cmoc) not in paired]
        for side in sorted(alone, key=lambda s: not s.curated):
            pairings.append(
                CmocPairing("one-programme", {programme: side.cmoc}, {programme: side.excerpts}, curated=side.curated)
            )
    return pairings
