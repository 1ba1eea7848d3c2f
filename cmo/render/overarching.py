"""The overarching theory as reports show it: each cross-programme CMOC with every programme's evidence and conditions."""

from __future__ import annotations

from dataclasses import dataclass, field

from cmo.render.statement import composed_overarching_statement
from cmo.theory.model import CONDITION_ROLES, OverarchingCmoc, OverarchingTheory

CONDITION_TITLES = {"context": "contexts", "enablers": "enablers", "barriers": "barriers"}


@dataclass(frozen=True)
class ConditionView:
    """A context, enabler or barrier of one programme's side, and the excerpts that carry it."""

    code: str
    label: str
    excerpts: int


@dataclass
class SideView:
    """One programme's side of an overarching CMOC: its CMOCs, their evidence, and the conditions they hold in."""

    programme: str
    cmocs: list[str]
    excerpts: int
    supporting: int
    refining: int
    refuting: int
    outcome: list[str]
    conditions: dict[str, list[ConditionView]]  # context | enablers | barriers -> conditions, most evidenced first


@dataclass
class OverarchingCmocView:
    """One configuration that holds across programmes, as the report shows it."""

    id: str
    statement: str
    statement_composed: bool
    status: str
    notes: str | None
    links: list[str]
    kind: str
    mechanism: list[str]
    outcome: list[str]
    differs: dict[str, dict[str, list[str]]]  # role -> programme -> labels only that side has
    sides: list[SideView]

    @property
    def finding(self) -> str | None:
        """'shared mechanism, divergent barriers: A: x; B: y': how the programmes' conditions differ."""
        return divergence(self.kind, self.differs)


@dataclass
class SpecificView:
    """What only one programme has: evidenced CMOCs behind no overarching one, hypotheses, contradicted ones."""

    cmocs: list[str]
    hypotheses: list[str]
    contradicted: list[str]
    concepts: dict[str, list[str]]


@dataclass
class OverarchingView:
    """The overarching theory: shared confirmed concepts, cross-programme CMOCs, and what is context-specific."""

    programmes: list[str]
    concepts: dict[str, list[tuple[str, dict[str, str], str]]]  # role -> (label, programme -> code, match)
    cmocs: list[OverarchingCmocView]
    context_specific: dict[str, SpecificView] = field(default_factory=dict)


def divergence(kind: str, differs: dict[str, dict[str, list[str]]]) -> str | None:
    """The divergence sentence of a CMOC pair or an overarching CMOC, or None when the conditions agree."""
    parts = []
    for role in ("barriers", "enablers", "context"):  # barriers first: they decide whether a pair converges
        sides = differs.get(role)
        if sides:
            held = "; ".join(f"{programme}: {', '.join(labels)}" for programme, labels in sides.items())
            parts.append(f"divergent {CONDITION_TITLES[role]}: {held}")
    if not parts:
        return None
    lead = "shared mechanism, " if kind == "mechanism-shared" and "barriers" in differs else ""
    return lead + ". ".join(parts)


def _cmoc(cmoc: OverarchingCmoc) -> OverarchingCmocView:
    sides = [
        SideView(
            programme=programme,
            cmocs=list(side.cmocs),
            excerpts=side.excerpts,
            supporting=side.supporting,
            refining=side.refining,
            refuting=side.refuting,
            outcome=list(side.outcome),
            conditions={
                role: [ConditionView(c.code, c.label, c.excerpts) for c in getattr(side, role)]
                for role in CONDITION_ROLES
                if getattr(side, role)
            },
        )
        for programme, side in cmoc.programmes.items()
    ]
    return OverarchingCmocView(
        id=cmoc.id,
        statement=cmoc.statement or composed_overarching_statement(cmoc),
        statement_composed=not cmoc.statement,
        status=cmoc.status.value if cmoc.status else "new",
        notes=cmoc.notes,
        links=list(cmoc.links),
        kind=cmoc.kind or "converged",
        mechanism=list(cmoc.mechanism),
        outcome=list(cmoc.outcome),
        differs={role: dict(sides) for role, sides in cmoc.differs.items()},
        sides=sides,
    )


def overarching_view(theory: OverarchingTheory) -> OverarchingView:
    """The report's view of an overarching theory: converged CMOCs first, curated ones first within a kind."""
    cmocs = [_cmoc(cmoc) for cmoc in theory.cmocs]
    cmocs.sort(key=lambda view: (view.kind != "converged", view.statement_composed))
    return OverarchingView(
        programmes=list(theory.programmes),
        concepts={
            role: [(c.label, dict(c.codes), c.match) for c in concepts] for role, concepts in theory.concepts.items()
        },
        cmocs=cmocs,
        context_specific={
            programme: SpecificView(
                list(specific.cmocs),
                list(specific.hypotheses),
                list(specific.contradicted),
                {role: list(labels) for role, labels in specific.concepts.items()},
            )
            for programme, specific in theory.context_specific.items()
        },
    )
