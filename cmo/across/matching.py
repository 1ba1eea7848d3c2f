"""Which codes of different programmes mean the same: same id or `same_as` (confirmed), or similar labels (candidates)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from cmo.across.similarity import DEFAULT_THRESHOLD, similarity_matrix

__all__ = ["DEFAULT_THRESHOLD", "Candidate", "CodeInfo", "Concept", "Match", "Matching", "match_codes", "match_role"]


class Match(StrEnum):
    """How the codes of one concept were matched; the weakest link of the concept is reported."""

    SAME_ID = "same-id"
    SAME_AS = "same-as"
    FUZZY = "fuzzy"  # only ever a Candidate's match: similar labels prove nothing until an analyst confirms them


_STRENGTH = {Match.SAME_ID: 2, Match.SAME_AS: 1, Match.FUZZY: 0}
CONFIRMED = frozenset({Match.SAME_ID, Match.SAME_AS})


@dataclass(frozen=True)
class CodeInfo:
    """What matching needs to know of one code of one programme."""

    label: str
    same_as: tuple[str, ...] = ()
    not_same_as: tuple[str, ...] = ()


@dataclass
class Concept:
    """Codes of one role, one per programme at most, that an analyst has said mean the same (or one code alone)."""

    codes: dict[str, str]
    labels: dict[str, str]
    match: Match | None = None
    score: float | None = None

    @property
    def programmes(self) -> list[str]:
        return list(self.codes)

    @property
    def confirmed(self) -> bool:
        """True when the codes are one concept by the same id or a `same_as` some codebook declares."""
        return self.match in CONFIRMED

    def explain(self) -> str:
        if self.match is Match.FUZZY:
            return f"fuzzy {self.score:.0f}"
        return self.match.value if self.match else "one programme"


@dataclass(frozen=True)
class Candidate:
    """Two codes of different programmes whose labels read alike: a possible match for the analyst to confirm."""

    role: str
    codes: dict[str, str]
    labels: dict[str, str]
    score: float
    match: Match = Match.FUZZY

    @property
    def programmes(self) -> list[str]:
        return list(self.codes)

    @property
    def link_command(self) -> str:
        """The command that confirms this match (it adds `same_as` to the first code's codebook)."""
        return "cmo codebook link " + " ".join(f"{p}:{c}" for p, c in self.codes.items())

    @property
    def reject_command(self) -> str:
        """The command that rejects it (it adds `not_same_as`), so it is never proposed again."""
        return "cmo codebook link --reject " + " ".join(f"{p}:{c}" for p, c in self.codes.items())

    def explain(self) -> str:
        return f"fuzzy {self.score:.0f}, unconfirmed"


@dataclass
class Matching:
    """The concepts of one role (confirmed equivalence only) and the candidate matches left to confirm."""

    concepts: list[Concept]
    candidates: list[Candidate]


Node = tuple[str, str]  # (programme, code id)


@dataclass
class _Components:
    """Union-find over (programme, code) nodes that never puts two codes of one programme together."""

    parent: dict[Node, Node] = field(default_factory=dict)
    members: dict[Node, list[Node]] = field(default_factory=dict)
    match: dict[Node, Match] = field(default_factory=dict)

    def add(self, node: Node) -> None:
        self.parent[node] = node
        self.members[node] = [node]

    def find(self, node: Node) -> Node:
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def programmes(self, root: Node) -> set[str]:
        return {programme for programme, _ in self.members[root]}

    def union(self, a: Node, b: Node, how: Match) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b or self.programmes(root_a) & self.programmes(root_b):
            return False
        root_a, root_b = sorted((root_a, root_b))
        self.parent[root_b] = root_a
        self.members[root_a] += self.members.pop(root_b)
        links = [how] + [self.match.pop(root) for root in (root_a, root_b) if root in self.match]
        self.match[root_a] = min(links, key=lambda link: _STRENGTH[link])
        return True


def _same_as_groups(codebooks: Mapping[str, Mapping[str, CodeInfo]]) -> dict[str, int]:
    """Code id -> group number, grouping ids linked by `same_as` in either direction, transitively."""
    neighbours: dict[str, set[str]] = {}
    for codes in codebooks.values():
        for code_id, info in codes.items():
            for other in info.same_as:
                neighbours.setdefault(code_id, set()).add(other)
                neighbours.setdefault(other, set()).add(code_id)
    group: dict[str, int] = {}
    for start in sorted(neighbours):
        if start in group:
            continue
        number = len(group)
        stack = [start]
        while stack:
            code = stack.pop()
            if code not in group:
                group[code] = number
                stack.extend(neighbours[code] - group.keys())
    return group


def _union_same_ids(components: _Components) -> None:
    """Codes of different programmes with the same id are one concept."""
    by_id: dict[str, list[Node]] = {}
    for node in components.parent:
        by_id.setdefault(node[1], []).append(node)
    for nodes in by_id.values():
        for node in nodes[1:]:
            components.union(nodes[0], node, Match.SAME_ID)


def _union_same_as(components: _Components, codebooks: Mapping[str, Mapping[str, CodeInfo]]) -> None:
    """Codes a codebook declares `same_as` each other (transitively) are one concept."""
    groups = _same_as_groups(codebooks)
    by_group: dict[int, list[Node]] = {}
    for node in components.parent:
        if node[1] in groups:
            by_group.setdefault(groups[node[1]], []).append(node)
    for nodes in by_group.values():
        for node in sorted(nodes)[1:]:
            components.union(sorted(nodes)[0], node, Match.SAME_AS)


class _Labels:
    """Labels and rejections of (programme, code) nodes, read from the codebooks (the id when none is declared)."""

    def __init__(self, codebooks: Mapping[str, Mapping[str, CodeInfo]]) -> None:
        self.codebooks = codebooks

    def info(self, node: Node) -> CodeInfo:
        return self.codebooks.get(node[0], {}).get(node[1]) or CodeInfo(node[1])

    def label(self, node: Node) -> str:
        return self.info(node).label

    def rejected(self, a: Node, b: Node) -> bool:
        """True when either code's `not_same_as` names the other: the analyst said they differ."""
        return b[1] in self.info(a).not_same_as or a[1] in self.info(b).not_same_as


def _candidates(
    components: _Components, used: Mapping[str, Sequence[str]], labels: _Labels, threshold: float, role: str
) -> list[Candidate]:
    """For each pair of programmes, code pairs not already one concept whose labels score >= threshold, best first."""
    programmes = list(used)
    found: list[Candidate] = []
    for i, first in enumerate(programmes):
        for second in programmes[i + 1 :]:
            left = [
                n for n in ((first, c) for c in used[first]) if second not in components.programmes(components.find(n))
            ]
            right = [
                n for n in ((second, c) for c in used[second]) if first not in components.programmes(components.find(n))
            ]
            if not left or not right:
                continue
            pairs = similarity_matrix([labels.label(n) for n in left], [labels.label(n) for n in right], threshold)
            for a, b, score in sorted(pairs, key=lambda p: (-p[2], left[p[0]][1], right[p[1]][1])):
                if labels.rejected(left[a], right[b]):
                    continue
                nodes = (left[a], right[b])
                found.append(Candidate(role, dict(nodes), {p: labels.label((p, c)) for p, c in nodes}, round(score, 1)))
    return found


def _concepts(components: _Components, programmes: Sequence[str], labels: _Labels) -> list[Concept]:
    order = {programme: index for index, programme in enumerate(programmes)}
    concepts = []
    for root, members in components.members.items():
        members.sort(key=lambda node: order[node[0]])
        concepts.append(
            Concept(
                codes=dict(members),
                labels={p: labels.label((p, c)) for p, c in members},
                match=components.match.get(root),
            )
        )
    # Concepts shared by more programmes first, then by which programmes, then by label.
    concepts.sort(key=lambda c: (-len(c.codes), [order[p] for p in c.codes], next(iter(c.labels.values())).lower()))
    return concepts


def match_role(
    used: Mapping[str, Sequence[str]],
    codebooks: Mapping[str, Mapping[str, CodeInfo]],
    threshold: float = DEFAULT_THRESHOLD,
    role: str = "",
) -> Matching:
    """Concepts of one role by confirmed equivalence, and the candidate matches (similar labels) left to confirm.

    `used` maps programme -> code ids it uses; `codebooks` programme -> code id -> CodeInfo (labels, same_as,
    not_same_as). Programmes keep the order of `used`. Candidates never join concepts; a pair either code
    rejects with `not_same_as`, and a label against its opposite, is never a candidate.
    """
    components = _Components()
    for programme in used:
        for code in used[programme]:
            components.add((programme, code))
    _union_same_ids(components)
    _union_same_as(components, codebooks)
    labels = _Labels(codebooks)
    return Matching(_concepts(components, list(used), labels), _candidates(components, used, labels, threshold, role))


def match_codes(
    used: Mapping[str, Sequence[str]],
    codebooks: Mapping[str, Mapping[str, CodeInfo]],
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Concept]:
    """The concepts of `match_role`: codes grouped by same id and `same_as` only."""
    return match_role(used, codebooks, threshold).concepts
