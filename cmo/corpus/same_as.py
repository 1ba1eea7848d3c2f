"""The `same_as` links of a corpus's codebooks as a graph: which codes an analyst confirmed mean the same, and how."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence


def same_as_graph(codes: Iterable[tuple[str, Sequence[str]]]) -> dict[str, set[str]]:
    """Code id -> the ids it is linked to by `same_as`, in either direction (a link holds both ways)."""
    graph: dict[str, set[str]] = {}
    for code, targets in codes:
        for target in targets:
            if target != code:
                graph.setdefault(code, set()).add(target)
                graph.setdefault(target, set()).add(code)
    return graph


def chain(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """The shortest run of `same_as` links from `start` to `goal` (both included), or None when none joins them."""
    if start == goal:
        return [start]
    previous: dict[str, str] = {start: start}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for there in sorted(graph.get(here, ())):
            if there in previous:
                continue
            previous[there] = here
            if there == goal:
                path = [goal]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return path[::-1]
            queue.append(there)
    return None
