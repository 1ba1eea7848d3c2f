"""Renderers of a comparison: text that reads like the study's findings, Markdown, and the JSON interface."""

from __future__ import annotations

import json

from cmo.across.compare import Comparison
from cmo.across.matching import Concept
from cmo.render.escape import md_escape

_PLURAL = {
    "intervention": "interventions",
    "context": "contexts",
    "actor": "actors",
    "mechanism": "mechanisms",
    "outcome": "outcomes",
    "enabler": "enablers",
    "barrier": "barriers",
}


def _concept(concept: Concept) -> str:
    labels = list(dict.fromkeys(concept.labels.values()))
    return " = ".join(labels) + (f" ({concept.explain()})" if concept.match else "")


def _split(comparison: Comparison, concepts: list[Concept]) -> tuple[list[Concept], list[Concept]]:
    every = len(comparison.programmes)
    return [c for c in concepts if len(c.codes) == every], [c for c in concepts if len(c.codes) < every]


def findings(comparison: Comparison) -> list[str]:
    """One sentence per role and direction: 'mechanisms converge: ...', 'barriers diverge: A only: ...'."""
    lines = []
    for role, concepts in comparison.codes.items():
        converging, diverging = _split(comparison, concepts)
        if converging:
            lines.append(f"{_PLURAL[role]} converge: " + "; ".join(_concept(c) for c in converging))
        if diverging:
            lines.append(f"{_PLURAL[role]} diverge: " + _groups(comparison, diverging))
    return lines


def _groups(comparison: Comparison, concepts: list[Concept]) -> str:
    """Diverging concepts grouped by which programmes have them: 'A only: x, y; B only: z'."""
    groups: dict[tuple[str, ...], list[Concept]] = {}
    for concept in concepts:
        groups.setdefault(tuple(concept.codes), []).append(concept)
    order = {p: i for i, p in enumerate(comparison.programmes)}
    parts = []
    for programmes in sorted(groups, key=lambda ps: (len(ps), [order[p] for p in ps])):
        who = programmes[0] + " only" if len(programmes) == 1 else " and ".join(programmes) + " only"
        parts.append(f"{who}: " + ", ".join(_concept(c) for c in groups[programmes]))
    return "; ".join(parts)


def format_text(comparison: Comparison) -> str:
    programmes = comparison.programmes
    lines = [f"Comparing {', '.join(programmes[:-1])} and {programmes[-1]}", ""]
    agree = sum(1 for row in comparison.attributes if row.agree)
    lines.append(f"Programme attributes: {agree} agree, {len(comparison.attributes) - agree} differ")
    width = max((len(row.name) for row in comparison.attributes), default=0)
    for row in comparison.attributes:
        lines.append(f"  {row.name.ljust(width)}  {'agree ' if row.agree else 'differ'}")
        for programme, value in row.values.items():
            lines.append(f"    {programme}: {value if value is not None else '(not given)'}")
    lines += ["", "Findings"]
    lines += [f"  {line}" for line in findings(comparison)]
    lines += [
        "",
        f"Fuzzy matches (label similarity >= {comparison.threshold:g}) are suggestions: confirm one by adding "
        "`same_as` to a codebook.",
    ]
    counts = {
        kind: sum(1 for p in comparison.cmocs if p.kind == kind)
        for kind in ("converged", "mechanism-shared", "one-programme")
    }
    lines += [
        "",
        f"CMOCs: {counts['converged']} converged, {counts['mechanism-shared']} mechanism-shared, "
        f"{counts['one-programme']} in one programme only",
    ]
    for pairing in comparison.cmocs:
        sides = "  ~  ".join(
            f"{p}:{c} ({pairing.excerpts[p]} excerpt{'' if pairing.excerpts[p] == 1 else 's'})"
            for p, c in pairing.cmocs.items()
        )
        lines.append(f"  {pairing.kind:<16} {sides}")
        if pairing.mechanism:
            lines.append(f"  {'':<16} mechanism: {'; '.join(pairing.mechanism)}")
        if pairing.outcome:
            lines.append(f"  {'':<16} outcome: {'; '.join(pairing.outcome)}")
    return "\n".join(lines) + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def format_markdown(comparison: Comparison) -> str:
    programmes = comparison.programmes
    out = [f"## Comparison of {', '.join(f'`{p}`' for p in programmes)}", "", "### Programme attributes", ""]
    out.append(_md_row(["attribute", *[f"`{p}`" for p in programmes], ""]))
    out.append(_md_row(["---"] * (len(programmes) + 2)))
    for row in comparison.attributes:
        values = [md_escape(v) if v is not None else "*(not given)*" for v in row.values.values()]
        out.append(_md_row([md_escape(row.name), *values, "agree" if row.agree else "**differ**"]))
    out += ["", "### Findings", ""]
    out += [f"- {md_escape(line)}" for line in findings(comparison)]
    out += [
        "",
        f"Fuzzy matches (label similarity ≥ {comparison.threshold:g}) are suggestions: confirm one by adding "
        "`same_as` to a codebook.",
        "",
        "### Codes by role",
        "",
    ]
    out.append(_md_row(["role", *[f"`{p}`" for p in programmes], "", "match"]))
    out.append(_md_row(["---"] * (len(programmes) + 3)))
    for role, concepts in comparison.codes.items():
        for concept in concepts:
            cells = [
                f"`{concept.codes[p]}` {md_escape(concept.labels[p])}" if p in concept.codes else "—"
                for p in programmes
            ]
            direction = "converge" if len(concept.codes) == len(programmes) else "diverge"
            out.append(_md_row([role, *cells, direction, concept.explain()]))
    out += ["", "### CMOCs across programmes", ""]
    out.append(_md_row(["pairing", *[f"`{p}`" for p in programmes], "shared mechanism", "shared outcome"]))
    out.append(_md_row(["---"] * (len(programmes) + 3)))
    for pairing in comparison.cmocs:
        cells = [f"`{pairing.cmocs[p]}` ({pairing.excerpts[p]})" if p in pairing.cmocs else "—" for p in programmes]
        out.append(
            _md_row(
                [pairing.kind, *cells, md_escape("; ".join(pairing.mechanism)), md_escape("; ".join(pairing.outcome))]
            )
        )
    return "\n".join(out) + "\n"


def format_json(comparison: Comparison) -> str:
    return json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False) + "\n"
