"""Report stage: programme theories (and their comparison) -> one report model that every renderer reads."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cmo.across.compare import Comparison
from cmo.core.words import numbered
from cmo.corpus.identity import passage_key
from cmo.corpus.models import SourceType
from cmo.render.overarching import OverarchingView, overarching_view
from cmo.render.refinement import RefinementView, refined_checklist, refinement_view
from cmo.render.statement import composed_statement as composed_statement
from cmo.render.statement import join
from cmo.theory.check import missing_parts
from cmo.theory.model import CMO_PARTS, Cmoc, Fragment, OverarchingTheory, Theory
from cmo.theory.refinement import Refinement

if TYPE_CHECKING:
    from cmo.analysis.matrix import Matrix

# RAMESES II reporting standards for realist evaluations (Wong et al. 2016): the items a report covers.
# Item 4 is the *initial* programme theory: only a report with --since shows one (refinement.IPT_ITEM).
RAMESES_ITEMS: tuple[tuple[int, str, str, str], ...] = (
    (9, "Describe the programme evaluated", "programmes", "programme descriptions side by side"),
    (11, "Data collection methods", "cmocs", "evidence by source type (interview, observation, document, workshop)"),
    (
        13,
        "Data analysis",
        "cmocs",
        "how evidence was coded into CMOCs: distinct passages and codings, stances, elicited or spontaneous, "
        "triangulation, completeness and confidence; and the coded evidence not yet in a configuration",
    ),
    (14, "Details of participants", "cmocs", "distinct participants behind each CMOC"),
    (15, "Main findings", "cmocs", "each CMOC with its statement, status, contexts and the quotes behind it"),
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
    elicited: bool = False  # the participant answered a theory the evaluator put to them


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
    completeness: tuple[str, ...] = ()  # which of context, mechanism and outcome it has
    confidence: str | None = None  # high | moderate | low; None: not yet judged
    confidence_rationale: str | None = None
    codings: int = 0  # annotations; every other count counts distinct passages
    supporting: int = 0
    refining: int = 0
    elicited: int = 0
    spontaneous: int = 0
    observed: int = 0
    code_excerpts: dict[str, dict[str, int]] = field(default_factory=dict)  # role -> code -> passages carrying it

    @property
    def missing(self) -> tuple[str, ...]:
        """The parts of a configuration (context, mechanism, outcome) not yet coded."""
        return tuple(part for part in CMO_PARTS if part not in self.completeness)

    @property
    def backing(self) -> int:
        """Passages that support or refine it: what orders CMOCs (refuting passages back nothing)."""
        return self.supporting + self.refining


@dataclass(frozen=True)
class FragmentPlace:
    """One passage of a fragment: its record, and where it is."""

    record: str
    transcript: str
    lines: str
    stance: str


@dataclass(frozen=True)
class FragmentView:
    """A code of coded evidence not yet in a configuration, and the passages that carry it."""

    code: str
    role: str
    label: str
    excerpts: int
    places: tuple[FragmentPlace, ...]


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
    fragments: list[FragmentView] = field(default_factory=list)


@dataclass
class Report:
    """Everything a report shows, in order; renderers only lay it out."""

    title: str
    programmes: list[ProgrammeView]
    comparison: Comparison | None
    checklist: tuple[tuple[int, str, str, str], ...] = RAMESES_ITEMS
    overarching: OverarchingView | None = None
    refinement: tuple[RefinementView, ...] = ()  # with --since: each theory against itself then
    # Per programme id, (heading, matrix) of its coded records, shown after its CMOCs; none: no such section.
    matrices: dict[str, list[tuple[str, Matrix]]] = field(default_factory=dict)


DIAGRAM_COLUMNS = ("context", "resource", "mechanism", "reasoning", "outcome")

# The words every format uses, so a reader meets one vocabulary whatever the format.
NOT_YET_CODED = "not yet coded"
NOT_YET_JUDGED = "not yet judged"
ELICITED_MARK = "elicited: answering the evaluator's theory"
FRAGMENTS_TITLE = "Coded evidence not yet in a configuration"
FRAGMENTS_NOTE = (
    "These passages were coded without a mechanism or without an outcome, so they belong to no "
    "configuration yet: they are not counted or compared as CMOCs."
)
SORT_NOTE = "Curated statements first, then by the passages that support or refine them."


def completeness_text(view: CmocView) -> str:
    """`complete (context, mechanism and outcome)`, or each part, a missing one plainly `not yet coded`."""
    if not view.missing:
        return "complete (context, mechanism and outcome)"
    return "; ".join(f"{part}: {'coded' if part in view.completeness else NOT_YET_CODED}" for part in CMO_PARTS)


def confidence_text(view: CmocView) -> str:
    """`moderate (<rationale>)`, or `not yet judged`: what follows "confidence: "."""
    if view.confidence is None:
        return NOT_YET_JUDGED
    reason = f" ({view.confidence_rationale})" if view.confidence_rationale else ""
    return f"{view.confidence}{reason}"


def stance_text(view: CmocView) -> str:
    """`3 supporting, 1 refining, 1 refuting`: refuting passages are never counted as support."""
    return f"{view.supporting} supporting, {view.refining} refining, {view.refuting} refuting"


def evidence_text(view: CmocView) -> str:
    """The counts of a CMOC's evidence in one line: passages by stance, codings, how they were gathered, who."""
    return "; ".join(evidence_parts(view))


def evidence_parts(view: CmocView) -> list[str]:
    """The pieces of `evidence_text`, for a layout that puts each on a line of its own."""
    parts = [f"{numbered(view.excerpts, 'excerpt')} (distinct passages): {stance_text(view)}"]
    if view.codings and view.codings != view.excerpts:
        parts.append(f"{numbered(view.codings, 'coding')} of {numbered(view.excerpts, 'passage')}")
    gathered = f"{view.elicited} elicited, {view.spontaneous} spontaneous, {view.observed} observed"
    documents = view.by_source.get(SourceType.DOCUMENT.value, 0)
    parts.append(gathered + (f", {documents} from documents" if documents else ""))
    parts.append(f"from {numbered(view.transcripts, 'transcript')}, {numbered(view.participants, 'participant')}")
    return parts


def with_excerpts(view: CmocView, role: str, code: str, label: str) -> str:
    """`Stigma around mental health (2)`: a code's label and how many of the CMOC's passages carry it."""
    count = view.code_excerpts.get(role, {}).get(code)
    return label if count is None else f"{label} ({count})"


def completeness_summary(programme: ProgrammeView) -> str:
    """One line per programme: how many CMOCs are complete, and which parts the others lack."""
    total, complete = len(programme.cmocs), sum(1 for view in programme.cmocs if not view.missing)
    line = f"{complete} of {numbered(total, 'CMOC')} {'is' if 1 in (complete, total) else 'are'} complete (C+M+O)"
    gaps = {part: sum(1 for view in programme.cmocs if part in view.missing) for part in CMO_PARTS}
    lacking = [f"{part} {NOT_YET_CODED} in {gaps[part]}" for part in CMO_PARTS if gaps[part]]
    return line + (f"; {', '.join(lacking)}" if lacking else "") + "."


def fragment_passages(programme: ProgrammeView) -> int:
    """How many distinct passages the programme's fragments hold."""
    return len(
        {passage_key(place.record, place.lines) for fragment in programme.fragments for place in fragment.places}
    )


def fragment_where(fragment: FragmentView) -> str:
    """`rb-int-02 lines 38-39, 58-59 (refutes); rb-ws-01 line 86`: each transcript once, a stance if not support."""
    places: dict[str, list[FragmentPlace]] = {}
    for place in fragment.places:
        places.setdefault(place.transcript, []).append(place)
    shown = []
    for transcript, found in places.items():
        # A passage two coders coded is one place: each span once (with each stance it was given).
        spans = list(dict.fromkeys(p.lines + ("" if p.stance == "supports" else f" ({p.stance})") for p in found))
        word = "line" if len(spans) == 1 and "-" not in found[0].lines else "lines"
        shown.append(f"{transcript} {word} {', '.join(spans)}")
    return "; ".join(shown)


def fragment_view(fragment: Fragment) -> FragmentView:
    places = tuple(FragmentPlace(r.record, r.transcript, r.lines, r.stance.value) for r in fragment.evidence)
    return FragmentView(fragment.code, fragment.role, fragment.label or fragment.code, fragment.excerpts, places)


def cmoc_view(cmoc: Cmoc) -> CmocView:
    by_source = {source: cmoc.counts.by_source.get(SourceType(source), 0) for source in SOURCES}
    origin = f"{cmoc.imported_from.programme}/{cmoc.imported_from.cmoc}" if cmoc.imported_from else None
    counts, confidence = cmoc.counts, cmoc.confidence
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
                e.record,
                e.transcript,
                e.source.value,
                e.lines,
                e.quote,
                e.stance.value,
                tuple(e.participants),
                e.coder,
                e.elicited,
            )
            for e in cmoc.evidence
        ],
        # From the codes, as `cmo validate` judges it: a hand-written or imported CMOC has no `completeness` yet.
        completeness=tuple(part for part in CMO_PARTS if part not in missing_parts(cmoc)),
        confidence=confidence.level.value if confidence else None,
        confidence_rationale=confidence.rationale if confidence else None,
        codings=counts.codings,
        supporting=counts.supporting,
        refining=counts.refining,
        elicited=counts.elicited,
        spontaneous=counts.spontaneous,
        observed=counts.observed,
        code_excerpts={
            role: {ref.id: ref.excerpts for ref in refs if ref.excerpts is not None}
            for role, refs in cmoc.codes.items()
        },
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
    return (not curated, -view.backing, view.id)


def build_report(
    theories: Sequence[Theory],
    comparison: Comparison | None,
    overarching: OverarchingTheory | None = None,
    refinement: Sequence[Refinement] = (),
) -> Report:
    """The report of one programme theory, of two or more with their comparison, and/or of an overarching theory.

    `refinement` (from `--since`) sets each programme theory against its version at a revision.
    """
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
                fragments=[fragment_view(fragment) for fragment in theory.fragments],
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
    names = {p.id: p.name for p in programmes}
    trails = tuple(refinement_view(r, names.get(r.programme, r.programme)) for r in refinement)
    if trails:
        checklist = refined_checklist(checklist, trails)
    return Report(
        title=_title(programmes, overarching),
        programmes=programmes,
        comparison=comparison,
        checklist=checklist,
        overarching=overarching_view(overarching) if overarching is not None else None,
        refinement=trails,
    )


def _title(programmes: Sequence[ProgrammeView], overarching: OverarchingTheory | None) -> str:
    if not programmes and overarching is not None:
        return f"Overarching programme theory across {join(overarching.programmes)}"
    names = " and ".join(p.name for p in programmes) if len(programmes) <= 2 else f"{len(programmes)} programmes"
    return f"Programme theory of {names}" if len(programmes) == 1 else f"Realist comparison of {names}"
