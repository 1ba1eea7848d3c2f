"""Which codes of different programmes mean the same: same id, `same_as` (transitive), or similar labels."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

# Default similarity (rapidfuzz token_set_ratio, 0-100) above which two labels are taken to mean the same.
DEFAULT_THRESHOLD = 80.0
# Rows of the similarity matrix computed at once: bounds memory at 10,000 x 10,000 labels.
_CHUNK = 2048


class Match(StrEnum):
    """How the codes of one concept were matched; the weakest link of the concept is reported."""

    SAME_ID = "same-id"
    SAME_AS = "same-as"
    FUZZY = "fuzzy"


_STRENGTH = {Match.SAME_ID: 2, Match.SAME_AS: 1, Match.FUZZY: 0}


@dataclass(frozen=True)
class CodeInfo:
    """What matching needs to know of one code of one programme."""

    label: str
    same_as: tuple[str, ...] = ()


@dataclass
class Concept:
    """Codes of one role, one per programme at most, that mean the same."""

    codes: dict[str, str]
    labels: dict[str, str]
    match: Match | None = None
    score: float | None = None

    @property
    def programmes(self) -> list[str]:
        return list(self.codes)

    def explain(self) -> str:
        if self.match is Match.FUZZY:
            return f"fuzzy {self.score:.0f}"
        return self.match.value if self.match else "one programme"


@dataclass
class _Components:
    """Union-find over (programme, code) nodes that never puts two codes of one programme together."""

    parent: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    members: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    match: dict[tuple[str, str], Match] = field(default_factory=dict)
    score: dict[tuple[str, str], float] = field(default_factory=dict)

    def add(self, node: tuple[str, str]) -> None:
        self.parent[node] = node
        self.members[node] = [node]

    def find(self, node: tuple[str, str]) -> tuple[str, str]:
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def programmes(self, root: tuple[str, str]) -> set[str]:
        return {programme for programme, _ in self.members[root]}

    def union(self, a: tuple[str, str], b: tuple[str, str], how: Match, score: float = 100.0) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b or self.programmes(root_a) & self.programmes(root_b):
            return False
        root_a, root_b = sorted((root_a, root_b))
        self.parent[root_b] = root_a
        self.members[root_a] += self.members.pop(root_b)
        links = [(how, score)]
        for root in (root_a, root_b):
            if root in self.match:
                links.append((self.match.pop(root), self.score.pop(root)))
        weakest = min(links, key=lambda link: (_STRENGTH[link[0]], link[1]))
        self.match[root_a], self.score[root_a] = weakest
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


def _fuzzy_pairs(left: Sequence[str], right: Sequence[str], threshold: float) -> list[tuple[float, int, int]]:
    """(score, i, j) for every label pair at or above threshold, computed as a matrix on all cores."""
    import numpy as np
    from rapidfuzz import fuzz, process, utils

    pairs: list[tuple[float, int, int]] = []
    for start in range(0, len(left), _CHUNK):
        block = process.cdist(
            left[start : start + _CHUNK],
            right,
            scorer=fuzz.token_set_ratio,
            processor=utils.default_process,
            score_cutoff=threshold,
            dtype=np.uint8,
            workers=-1,
        )
        rows, columns = np.nonzero(block)
        pairs.extend(
            (float(block[i, j]), int(i) + start, int(j)) for i, j in zip(rows.tolist(), columns.tolist(), strict=True)
        )
    return pairs


def _union_same_ids(components: _Components) -> None:
    """Codes of different programmes with the same id are one concept."""
    by_id: dict[str, list[tuple[str, str]]] = {}
    for node in components.parent:
        by_id.setdefault(node[1], []).append(node)
    for nodes in by_id.values():
        for node in nodes[1:]:
            components.union(nodes[0], node, Match.SAME_ID)


def _union_same_as(components: _Components, codebooks: Mapping[str, Mapping[str, CodeInfo]]) -> None:
    """Codes a codebook declares `same_as` each other (transitively) are one concept."""
    groups = _same_as_groups(codebooks)
    by_group: dict[int, list[tuple[str, str]]] = {}
    for node in components.parent:
        if node[1] in groups:
            by_group.setdefault(groups[node[1]], []).append(node)
    for nodes in by_group.values():
        for node in sorted(nodes)[1:]:
            components.union(sorted(nodes)[0], node, Match.SAME_AS)


def _union_fuzzy(
    components: _Components,
    used: Mapping[str, Sequence[str]],
    label: Callable[[tuple[str, str]], str],
    threshold: float,
) -> None:
    """For each pair of programmes, codes not yet matched across them join by label similarity, best first."""
    programmes = list(used)
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
            pairs = _fuzzy_pairs([label(n) for n in left], [label(n) for n in right], threshold)
            for score, a, b in sorted(pairs, key=lambda p: (-p[0], left[p[1]][1], right[p[2]][1])):
                components.union(left[a], right[b], Match.FUZZY, score)


def _concepts(
    components: _Components, programmes: Sequence[str], label: Callable[[tuple[str, str]], str]
) -> list[Concept]:
    order = {programme: index for index, programme in enumerate(programmes)}
    concepts = []
    for root, members in components.members.items():
        members.sort(key=lambda node: order[node[0]])
        match = components.match.get(root)
        concepts.append(
            Concept(
                codes=dict(members),
                labels={p: label((p, c)) for p, c in members},
                match=match,
                score=components.score.get(root) if match else None,
            )
        )
    # Converging concepts first, then by how many programmes share them, then by label.
    concepts.sort(key=lambda c: (-len(c.codes), [order[p] for p in c.codes], next(iter(c.labels.values())).lower()))
    return concepts


def match_codes(
    used: Mapping[str, Sequence[str]],
    codebooks: Mapping[str, Mapping[str, CodeInfo]],
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Concept]:
    """Group the codes each programme uses (in one role) into concepts, strongest evidence of sameness first.

    `used` maps programme -> code ids it uses; `codebooks` programme -> code id -> CodeInfo (for labels
    and same_as). Programmes keep the order of `used`.
    """
    components = _Components()
    for programme in used:
        for code in used[programme]:
            components.add((programme, code))
    _union_same_ids(components)
    _union_same_as(components, codebooks)

    def label(node: tuple[str, str]) -> str:
        info = codebooks.get(node[0], {}).get(node[1])
        return info.label if info else node[1]

    _union_fuzzy(components, used, label, threshold)
    return _concepts(components, list(used), label)
