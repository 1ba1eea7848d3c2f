"""Report stage: programme theories (and their comparison) -> one report model that every renderer reads."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cmo.across.compare import Comparison
from cmo.corpus.models import SourceType
from cmo.render.overarching import OverarchingView, overarching_view
from cmo.theory.model import Cmoc, OverarchingTheory, Theory

# RAMESES II reporting standards for realist evaluations (Wong et al. 2016): the items a report covers.
RAMESES_ITEMS: tuple[tuple[int, str, str, str], ...] = (
    (4, "Programme theory", "theory", "each programme's theory as CMOCs and a diagram"),
    (9, "Describe the programme evaluated", "programmes", "programme descriptions side by side"),
    (11, "Data collection methods", "cmocs", "evidence by source type (interview, observation, document, workshop)"),
    (13, "Data analysis", "cmocs", "how evidence was coded into CMOCs: counts, stances and triangulation"),
    (14, "Details of participants", "cmocs", "distinct participants behind each CMOC"),
    (15, "Main findings", "cmocs", "each CMOC with its statement, status and the quotes behind it"),
    (16, "Summary of findings", "comparison", "convergence and divergence across programmes"),
)
# Item 16 when the report holds the overarching theory: what holds across programmes, and on what it depends.
OVERARCHING_ITEM = (
    16,
    "Summary of findings",
    "overarching",
    "the overarching theory: configurations that hold across programmes, each programme's evidence for them, "
    "the contexts, enablers and barriers they hold in, and what is context-specific",
)

SOURCES: tuple[str, ...] = tuple(source.value for source in SourceType)
ROLE_TITLES = {
    "context": "Context",
    "intervention": "Intervention",
    "actor": "Actor",
    "mechanism": "Mechanism",
    "resource": "Mechanism: resource",
    "reasoning": "Mechanism: reasoning",
    "outcome": "Outcome",
    "enablers": "Enablers",
    "barriers": "Barriers",
}


@dataclass(frozen=True)
class Quote:
    """A piece of evidence as a reader checks it: the words, and where they come from."""

    record: str
    transcript: str
    source: str
    lines: str
    quote: str
    stance: str
    participants: tuple[str, ...]
    coder: str | None


@dataclass
class CmocView:
    """One CMOC as the report shows it."""

    id: str
    statement: str
    statement_composed: bool
    status: str
    notes: str | None
    links: list[str]
    imported_from: str | None
    codes: dict[str, list[tuple[str, str]]]  # role -> (code id, label)
    excerpts: int
    transcripts: int
    participants: int
    refuting: int
    by_source: dict[str, int]
    triangulated: bool
    quotes: list[Quote]


@dataclass(frozen=True)
class Node:
    """A code in a programme-theory diagram, in one column."""

    column: str  # context | resource | mechanism | reasoning | outcome
    code: str
    label: str


@dataclass
class Diagram:
    """A programme theory drawn as contexts -> mechanisms (resource -> reasoning) -> outcomes, plus CMOC chains."""

    columns: dict[str, list[Node]] = field(default_factory=dict)
    edges: dict[tuple[Node, Node], int] = field(default_factory=dict)  # how many CMOCs draw each edge
    chains: dict[tuple[Node, Node], int] = field(default_factory=dict)  # outcome of one CMOC -> context of a linked one


@dataclass
class ProgrammeView:
    """One programme: its description, theory diagram and CMOCs."""

    id: str
    name: str
    framework: str | None
    attributes: dict[str, str]
    cmocs: list[CmocView]
    diagram: Diagram


@dataclass
class Report:
    """Everything a report shows, in order; renderers only lay it out."""

    title: str
    programmes: list[ProgrammeView]
    comparison: Comparison | None
    checklist: tuple[tuple[int, str, str, str], ...] = RAMESES_ITEMS
    overarching: OverarchingView | None = None


DIAGRAM_COLUMNS = ("context", "resource", "mechanism", "reasoning", "outcome")


def _labels(cmoc: Cmoc, role: str) -> list[str]:
    return [ref.label or ref.id for ref in cmoc.codes.get(role, [])]  # type: ignore[call-overload]


def _join(words: Sequence[str]) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def composed_statement(cmoc: Cmoc) -> str:
    """An if-then-because sentence from the code labels, for a CMOC nobody has written a statement for."""
    context = _join(_labels(cmoc, "context") + _labels(cmoc, "enablers")).lower() or "this programme runs"
    outcome = _join(_labels(cmoc, "outcome")).lower() or "(no outcome coded)"
    resource, reasoning = _join(_labels(cmoc, "resource")).lower(), _join(_labels(cmoc, "reasoning")).lower()
    if resource and reasoning:
        because = f"the programme offers {resource}, which triggers {reasoning}"
    else:
        because = _join(_labels(cmoc, "mechanism")).lower() or "(no mechanism coded)"
    sentence = f"If {context}, then {outcome}, because {because}."
    barriers = _labels(cmoc, "barriers")
    if barriers:
        sentence += f" Hindered by {_join(barriers).lower()}."
    return sentence


def cmoc_view(cmoc: Cmoc) -> CmocView:
    by_source = {source: cmoc.counts.by_source.get(SourceType(source), 0) for source in SOURCES}
    origin = f"{cmoc.imported_from.programme}/{cmoc.imported_from.cmoc}" if cmoc.imported_from else None
    return CmocView(
        id=cmoc.id,
        statement=cmoc.statement or composed_statement(cmoc),
        statement_composed=not cmoc.statement,
        status=(cmoc.status.value if cmoc.status else "new"),
        notes=cmoc.notes,
        links=list(cmoc.links),
        imported_from=origin,
        codes={role: [(ref.id, ref.label or ref.id) for ref in refs] for role, refs in cmoc.codes.items() if refs},
        excerpts=cmoc.counts.excerpts,
        transcripts=cmoc.counts.transcripts,
        participants=cmoc.counts.participants,
        refuting=cmoc.counts.refuting,
        by_source=by_source,
        triangulated=cmoc.triangulated,
        quotes=[
            Quote(
                e.record, e.transcript, e.source.value, e.lines, e.quote, e.stance.value, tuple(e.participants), e.coder
            )
            for e in cmoc.evidence
        ],
    )


def _cmoc_nodes(cmoc: Cmoc) -> dict[str, list[Node]]:
    def nodes(column: str, role: str) -> list[Node]:
        return [Node(column, ref.id, ref.label or ref.id) for ref in cmoc.codes.get(role, [])]  # type: ignore[call-overload]

    resource, reasoning = nodes("resource", "resource"), nodes("reasoning", "reasoning")
    split = {node.code for node in resource + reasoning}
    plain = [node for node in nodes("mechanism", "mechanism") if node.code not in split]
    return {
        "context": nodes("context", "context"),
        "resource": resource,
        "mechanism": plain,
        "reasoning": reasoning,
        "outcome": nodes("outcome", "outcome"),
    }


def diagram(theory: Theory) -> Diagram:
    """Nodes per column (codes, in first-use order) and edges weighted by how many CMOCs draw them."""
    result = Diagram(columns={column: [] for column in DIAGRAM_COLUMNS})
    per_cmoc = {cmoc.id: _cmoc_nodes(cmoc) for cmoc in theory.cmocs}
    for nodes in per_cmoc.values():
        for column, column_nodes in nodes.items():
            for node in column_nodes:
                if node not in result.columns[column]:
                    result.columns[column].append(node)
        # One CMOC's path through the columns it has: context -> resource (or plain mechanism) -> reasoning -> outcome.
        layers = [nodes["context"], nodes["resource"] + nodes["mechanism"], nodes["reasoning"], nodes["outcome"]]
        layers = [layer for layer in layers if layer]
        for left, right in itertools.pairwise(layers):
            for a in left:
                for b in right:
                    result.edges[a, b] = result.edges.get((a, b), 0) + 1
    for cmoc in theory.cmocs:
        for link in cmoc.links:
            target = per_cmoc.get(link)
            if target is None:
                continue
            for a in per_cmoc[cmoc.id]["outcome"]:
                for b in target["context"]:
                    result.chains[a, b] = result.chains.get((a, b), 0) + 1
    for column in result.columns:
        result.columns[column].sort(key=lambda node: node.label.lower())
    return result


def _sort_key(view: CmocView) -> tuple[Any, ...]:
    curated = not view.statement_composed
    return (not curated, -view.excerpts, view.id)


def build_report(
    theories: Sequence[Theory], comparison: Comparison | None, overarching: OverarchingTheory | None = None
) -> Report:
    """The report of one programme theory, of two or more with their comparison, and/or of an overarching theory."""
    programmes = []
    for theory in theories:
        views = sorted((cmoc_view(cmoc) for cmoc in theory.cmocs), key=_sort_key)
        programme = theory.programme
        programmes.append(
            ProgrammeView(
                id=programme.id,
                name=programme.name,
                framework=programme.framework,
                attributes=dict(programme.attributes),
                cmocs=views,
                diagram=diagram(theory),
            )
        )
    checklist = tuple(item for item in RAMESES_ITEMS if comparison is not None or item[2] != "comparison")
    if not programmes:  # the overarching theory alone: no programme theory, CMOC or quote is shown
        checklist = ()
    if overarching is not None:
        number, title, section, what = OVERARCHING_ITEM
        if comparison is not None:
            what = "convergence and divergence across programmes, and " + what
        checklist = (*(item for item in checklist if item[0] != number), (number, title, section, what))
    return Report(
        title=_title(programmes, overarching),
        programmes=programmes,
        comparison=comparison,
        checklist=checklist,
        overarching=overarching_view(overarching) if overarching is not None else None,
    )


def _title(programmes: Sequence[ProgrammeView], overarching: OverarchingTheory | None) -> str:
    if not programmes and overarching is not None:
        return f"Overarching programme theory across {_join(overarching.programmes)}"
    names = " and ".join(p.name for p in programmes) if len(programmes) <= 2 else f"{len(programmes)} programmes"
    return f"Programme theory of {names}" if len(programmes) == 1 else f"Realist comparison of {names}"
