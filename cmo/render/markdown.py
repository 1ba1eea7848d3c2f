"""The report as Markdown: tables, blockquoted evidence, and Mermaid diagrams that code hosts draw."""

from __future__ import annotations

import re

from cmo.across.compare import CONVERGENT_KINDS, Comparison
from cmo.core.words import numbered
from cmo.render.compare_text import divergence, findings
from cmo.render.escape import md_escape, printable
from cmo.render.overarching import CONDITION_TITLES, OverarchingCmocView, OverarchingView
from cmo.render.refinement import markdown_section
from cmo.render.svg import MATRIX_ROLES, ROLE_PLURALS
from cmo.render.view import (
    DIAGRAM_COLUMNS,
    ELICITED_MARK,
    FRAGMENTS_NOTE,
    FRAGMENTS_TITLE,
    ROLE_TITLES,
    SORT_NOTE,
    SOURCES,
    CmocView,
    Diagram,
    Node,
    ProgrammeView,
    Report,
    completeness_summary,
    completeness_text,
    confidence_text,
    evidence_text,
    fragment_passages,
    fragment_where,
    with_excerpts,
)
from cmo.theory.model import CONDITION_ROLES

_COLUMN_TITLES = {
    "context": "Context",
    "resource": "Mechanism: resource",
    "mechanism": "Mechanism",
    "reasoning": "Mechanism: reasoning",
    "outcome": "Outcome",
}


def _cell(text: str) -> str:
    return md_escape(text).replace("\n", " ")


def _node_id(node: Node) -> str:
    return f"{node.column[:3]}_{re.sub(r'[^a-z0-9]', '_', node.code)}"


def _mermaid_label(text: str) -> str:
    """A Mermaid node label: quoted, with the characters Mermaid reads as syntax given as entity codes."""
    # One line: a label's \r (or any other line break YAML lets through) would end the node mid-label.
    text = printable(" ".join(text.split()))
    for char, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("`", "#96;")):
        text = text.replace(char, code)
    return f'"{text}"'


def mermaid(diagram: Diagram) -> str:
    """contexts -> mechanisms (resource -> reasoning) -> outcomes as a Mermaid flowchart; links dashed."""
    lines = ["flowchart LR"]
    for column in DIAGRAM_COLUMNS:
        nodes = diagram.columns.get(column, [])
        if not nodes:
            continue
        lines.append(f'  subgraph {column}["{_COLUMN_TITLES[column]}"]')
        lines += [f"    {_node_id(node)}[{_mermaid_label(node.label)}]" for node in nodes]
        lines.append("  end")
    for (a, b), count in sorted(diagram.edges.items(), key=lambda e: (_node_id(e[0][0]), _node_id(e[0][1]))):
        arrow = "-->" if count == 1 else f"-->|{count}|"
        lines.append(f"  {_node_id(a)} {arrow} {_node_id(b)}")
    for (a, b), _ in sorted(diagram.chains.items(), key=lambda e: (_node_id(e[0][0]), _node_id(e[0][1]))):
        lines.append(f"  {_node_id(a)} -.->|link| {_node_id(b)}")
    return "\n".join(lines)


def _programmes(report: Report) -> list[str]:
    programmes = report.programmes
    out = ["## Programmes", ""]
    out.append(
        "| | "
        + " | ".join(f"**{_cell(p.name)}** (`{p.id}`)" for p in programmes)
        + (" | |" if len(programmes) > 1 else " |")
    )
    out.append("|---" * (len(programmes) + 1 + (len(programmes) > 1)) + "|")
    names = ["framework", *list(dict.fromkeys(name for p in programmes for name in p.attributes))]
    for name in names:
        values = [(p.framework if name == "framework" else p.attributes.get(name)) for p in programmes]
        cells = [_cell(v) if v else "*(not given)*" for v in values]
        row = f"| {_cell(name)} | " + " | ".join(cells)
        if len(programmes) > 1:
            same = None not in values and len({" ".join(str(v).lower().split()) for v in values}) == 1
            row += " | " + ("agree" if same else "**differ**")
        out.append(row + " |")
    return [*out, ""]


def _candidates(comparison: Comparison) -> list[str]:
    out = [
        "",
        "### Possible matches to confirm",
        "",
        f"Labels that read alike (similarity ≥ {comparison.threshold:g}); not counted as convergence until an "
        "analyst confirms one with the command shown.",
        "",
    ]
    rows = [c for candidates in comparison.candidates.values() for c in candidates]
    for candidate in rows:
        sides = " ~ ".join(f"`{p}:{c}` {_cell(candidate.labels[p])}" for p, c in candidate.codes.items())
        out.append(f"- {candidate.role}: {sides} (fuzzy {candidate.score:.0f}): `{candidate.link_command}`")
    return [*out, *([] if rows else ["None."])]


def _pairs(comparison: Comparison) -> list[str]:
    paired = [p for p in comparison.cmocs if p.kind != "one-programme"]
    converging = sum(1 for p in paired if p.kind in CONVERGENT_KINDS)
    out = [
        "",
        "### CMOCs across programmes",
        "",
        f"{len(paired)} pairs share a mechanism; {converging} converge with evidence on every side (converged or "
        "mechanism-shared), the rest are untested or contradicted.",
        "",
        "| pairing | "
        + " | ".join(f"`{p}`" for p in comparison.programmes)
        + " | shared mechanism | how they differ |",
        "|---" * (len(comparison.programmes) + 3) + "|",
    ]
    for pairing in paired:
        cells = [
            f"`{pairing.cmocs[p]}` ({pairing.excerpts[p]})" if p in pairing.cmocs else "—"
            for p in comparison.programmes
        ]
        differs = "; ".join(divergence(comparison, pairing, role) for role in pairing.differs)
        out.append(
            f"| {pairing.kind} | "
            + " | ".join(cells)
            + f" | {_cell('; '.join(pairing.mechanism))} | {_cell(differs)} |"
        )
    return out


def _comparison(report: Report) -> list[str]:
    comparison = report.comparison
    if comparison is None:
        return []
    programmes = comparison.programmes
    out = ["## Convergence and divergence", ""]
    out += [f"- {_cell(line)}" for line in findings(comparison)]
    out += [
        "",
        "| | " + " | ".join(f"`{p}`" for p in programmes) + " | | match |",
        "|---" * (len(programmes) + 3) + "|",
    ]
    for row in comparison.attributes:
        cells = [_cell(v) if v else "—" for v in row.values.values()]
        out.append(
            f"| attribute: {_cell(row.name)} | "
            + " | ".join(cells)
            + f" | {'converge' if row.agree else 'diverge'} | |"
        )
    for role in MATRIX_ROLES:
        for concept in comparison.codes.get(role, []):
            evidenced = comparison.evidenced_in(role, concept)
            cells = [
                (_cell(concept.labels[p]) + ("" if p in evidenced else " *(hypothesised)*"))
                if p in concept.codes
                else "—"
                for p in programmes
            ]
            direction = "converge" if comparison.converges(role, concept) else "diverge"
            match = concept.explain() if concept.match else ""
            out.append(f"| {role} | " + " | ".join(cells) + f" | {direction} | {match} |")
    out += _candidates(comparison)
    out += _pairs(comparison)
    out += ["", "### Convergence matrix", "", "| concept | " + " | ".join(f"`{p}`" for p in programmes) + " |"]
    out.append("|---" * (len(programmes) + 1) + "|")
    for role in MATRIX_ROLES:
        for concept in comparison.codes.get(role, []):
            label = _cell(next(iter(concept.labels.values())))
            marks = ["●" if p in concept.codes else "○" for p in programmes]
            out.append(f"| {role}: {label} | " + " | ".join(marks) + " |")
    return [*out, ""]


def _cmoc(view: CmocView) -> list[str]:
    out = [f"#### `{view.id}`", ""]
    statement = _cell(view.statement)
    out.append(f"*{statement}* (composed from code labels)" if view.statement_composed else f"**{statement}**")
    facts = [f"status: **{view.status}**"]
    if view.imported_from:
        facts.append(f"imported from `{view.imported_from}`")
    if view.links:
        facts.append("links: " + ", ".join(f"`{link}`" for link in view.links))
    out += ["", " · ".join(facts), "", f"Completeness: {completeness_text(view)}.", ""]
    out += [f"Confidence: {_cell(confidence_text(view))}", ""]
    if view.notes:
        out += [f"Notes: {_cell(view.notes)}", ""]
    for role, codes in view.codes.items():
        shown = "; ".join(f"{_cell(with_excerpts(view, role, code, label))} (`{code}`)" for code, label in codes)
        out.append(f"- {ROLE_TITLES.get(role, role)}: {shown}")
    out += [
        "",
        f"Evidence: {_cell(evidence_text(view))}; {'triangulated' if view.triangulated else 'one source type'}.",
        "",
        "| " + " | ".join(SOURCES) + " |",
        "|---" * len(SOURCES) + "|",
        "| " + " | ".join(str(view.by_source[s]) for s in SOURCES) + " |",
        "",
    ]
    for quote in view.quotes:
        who = ", ".join(quote.participants) if quote.participants else "no participant named"
        out += [f"> {_cell(quote.quote)}", ">"]
        out.append(
            f"> — `{quote.transcript}` lines {quote.lines} ({quote.source}; {_cell(who)}; {quote.stance}"
            + (f"; **{_cell(ELICITED_MARK)}**" if quote.elicited else "")
            + (f"; coded by {_cell(quote.coder)}" if quote.coder else "")
            + ")"
        )
        out.append("")
    return out


def _theory(programme: ProgrammeView) -> list[str]:
    out = [f"## Programme theory: {_cell(programme.name)}", "", "```mermaid", mermaid(programme.diagram), "```", ""]
    out += [f"### CMOCs of `{programme.id}` ({len(programme.cmocs)})", ""]
    out += [f"**{_cell(completeness_summary(programme))}** {SORT_NOTE}", ""]
    for view in programme.cmocs:
        out += _cmoc(view)
    return out + _fragments(programme)


def _fragments(programme: ProgrammeView) -> list[str]:
    out = [f"### {FRAGMENTS_TITLE} (`{programme.id}`)", "", FRAGMENTS_NOTE, ""]
    if not programme.fragments:
        return [*out, "None: every coded passage is in a configuration.", ""]
    out += [
        f"{numbered(len(programme.fragments), 'code')} over {numbered(fragment_passages(programme), 'passage')}.",
        "",
    ]
    out += ["| role | code | passages | where |", "|---|---|---|---|"]
    for fragment in programme.fragments:
        role = ROLE_TITLES.get(fragment.role, fragment.role)
        where = _cell(fragment_where(fragment))
        out.append(f"| {role} | {_cell(fragment.label)} (`{fragment.code}`) | {fragment.excerpts} | {where} |")
    return [*out, ""]


def _overarching_cmoc(view: OverarchingCmocView) -> list[str]:
    statement = _cell(view.statement)
    out = [f"### `{view.id}`", ""]
    out.append(f"*{statement}* (composed from shared concepts)" if view.statement_composed else f"**{statement}**")
    out += ["", f"{view.kind} · status: **{view.status}**", ""]
    out.append(f"- Shared mechanism: {_cell('; '.join(view.mechanism))}")
    if view.outcome:
        out.append(f"- Shared outcome: {_cell('; '.join(view.outcome))}")
    if view.finding:
        out.append(f"- **{_cell(view.finding)}**")
    if view.notes:
        out.append(f"- Notes: {_cell(view.notes)}")
    titles = [CONDITION_TITLES[role] for role in CONDITION_ROLES]
    out += ["", "| programme | CMOCs | excerpts | outcomes | " + " | ".join(titles) + " |"]
    out.append("|---" * (4 + len(titles)) + "|")
    for side in view.sides:
        evidence = f"{side.excerpts} ({side.supporting} supporting, {side.refining} refining, {side.refuting} refuting)"
        conditions = [
            "; ".join(f"{_cell(c.label)} ({c.excerpts})" for c in side.conditions.get(role, [])) or "—"
            for role in CONDITION_ROLES
        ]
        cmocs = ", ".join(f"`{cmoc}`" for cmoc in side.cmocs)
        outcome = _cell("; ".join(side.outcome)) or "—"
        out.append(f"| `{side.programme}` | {cmocs} | {evidence} | {outcome} | " + " | ".join(conditions) + " |")
    return [*out, ""]


def _overarching(view: OverarchingView | None) -> list[str]:
    if view is None:
        return []
    where = ", ".join(f"`{p}`" for p in view.programmes)
    out = [
        f"## Overarching theory across {where}",
        "",
        "Only confirmed matches (same id or `same_as`) and CMOC pairs with evidence on every side (converged, or "
        "sharing a mechanism). Each programme's side keeps the contexts, enablers and barriers of its CMOCs, with "
        "the excerpts behind each in brackets.",
        "",
        "### Shared concepts",
        "",
    ]
    for role, concepts in view.concepts.items():
        labels = "; ".join(f"{_cell(label)} ({match})" for label, _, match in concepts)
        out.append(f"- {ROLE_PLURALS.get(role, role)}: {labels}")
    out.append("")
    for cmoc in view.cmocs:
        out += _overarching_cmoc(cmoc)
    out += ["### Context-specific", ""]
    for programme, specific in view.context_specific.items():
        out.append(
            f"- `{programme}`: CMOCs in this programme only: " + (", ".join(f"`{c}`" for c in specific.cmocs) or "none")
        )
        if specific.hypotheses:
            out.append("  - hypotheses, not yet evidenced: " + ", ".join(f"`{c}`" for c in specific.hypotheses))
        if specific.contradicted:
            out.append("  - contradicted by the evidence: " + ", ".join(f"`{c}`" for c in specific.contradicted))
        for role, only in specific.concepts.items():
            out.append(f"  - {ROLE_PLURALS.get(role, role).lower()} only here: " + "; ".join(_cell(x) for x in only))
    return [*out, ""]


def _checklist(report: Report) -> list[str]:
    out = ["## Reporting checklist (RAMESES II)", "", "| item | | in this report | covered by |", "|---|---|---|---|"]
    for number, title, section, what in report.checklist:
        out.append(f"| {number} | {title} | {section} | {what} |")
    return [*out, ""]


def render_markdown(report: Report) -> str:
    out = [f"# {_cell(report.title)}", ""]
    out += _programmes(report) if report.programmes else []
    out += _comparison(report)
    out += _overarching(report.overarching)
    for programme in report.programmes:
        out += _theory(programme)
    out += markdown_section(report.refinement)
    out += _checklist(report)
    return "\n".join(out)
