"""Renderers of a comparison: text that reads like the study's findings, Markdown, and the JSON interface."""

from __future__ import annotations

import json
from collections.abc import Sequence

from cmo.across.compare import CONVERGENT_KINDS, DIFFER_ROLES, KINDS, CmocPairing, Comparison
from cmo.across.matching import Candidate, Concept
from cmo.core.words import numbered
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


def _split(comparison: Comparison, role: str, concepts: list[Concept]) -> tuple[list[Concept], list[Concept]]:
    """(converging, diverging): confirmed concepts evidenced everywhere; concepts evidenced in some programmes only."""
    converging = [c for c in concepts if comparison.converges(role, c)]
    diverging = [c for c in concepts if not comparison.converges(role, c) and comparison.evidenced_in(role, c)]
    return converging, diverging


def findings(comparison: Comparison) -> list[str]:
    """The study's sentences: 'mechanisms converge: ...', 'barriers diverge: A only: ...', curated pairs that converge.

    Only confirmed concepts with evidence in every programme converge; fuzzy candidates are never findings.
    """
    lines = []
    for role, concepts in comparison.codes.items():
        converging, diverging = _split(comparison, role, concepts)
        if converging:
            lines.append(f"{_PLURAL[role]} converge: " + "; ".join(_concept(c) for c in converging))
        if diverging:
            lines.append(f"{_PLURAL[role]} diverge: " + _groups(comparison, role, diverging))
    for programme, roles in comparison.hypothesised.items():
        codes = "; ".join(
            f"{_PLURAL[role]}: " + ", ".join(comparison.label(programme, c) for c in codes)
            for role, codes in roles.items()
        )
        lines.append(f"hypothesised, not yet evidenced in {programme}: {codes}")
    lines += [_pair_finding(comparison, pairing) for pairing in curated_pairs(comparison, CONVERGENT_KINDS)]
    return lines


def curated_pairs(comparison: Comparison, kinds: frozenset[str] | Sequence[str] = KINDS) -> list[CmocPairing]:
    """Pairs of the given kinds whose CMOCs people have all curated (a statement, or a status other than new)."""
    return [p for p in comparison.cmocs if p.kind in kinds and len(p.cmocs) > 1 and p.curated]


def _pair_finding(comparison: Comparison, pairing: CmocPairing) -> str:
    sides = " ~ ".join(f"{p}:{c}" for p, c in pairing.cmocs.items())
    if "barrier" in pairing.differs:
        return f"{divergence(comparison, pairing, 'barrier')} ({sides})"
    mechanism = "; ".join(pairing.mechanism)
    if pairing.kind == "converged":
        return f"configurations converge: {sides} (mechanism: {mechanism})"
    # Mechanism-shared without a barrier difference: the outcomes are what differ, and a reader must see so.
    return f"shared mechanism, different outcomes: {sides} (mechanism: {mechanism})"


def divergence(comparison: Comparison, pairing: CmocPairing, role: str) -> str:
    """'shared mechanism, divergent barriers: A: x; B: y' (or 'divergent contexts: ...'): what a pair does not share."""
    sides = "; ".join(
        f"{programme}: " + (", ".join(comparison.label(programme, code) for code in codes) or "(none)")
        for programme, codes in pairing.differs[role].items()
    )
    return f"{'shared mechanism, ' if role == 'barrier' else ''}divergent {_PLURAL[role]}: {sides}"


def _groups(comparison: Comparison, role: str, concepts: list[Concept]) -> str:
    """Diverging concepts grouped by which programmes have them: 'A only: x, y; B only: z'."""
    groups: dict[tuple[str, ...], list[Concept]] = {}
    for concept in concepts:
        groups.setdefault(tuple(comparison.evidenced_in(role, concept)), []).append(concept)
    order = {p: i for i, p in enumerate(comparison.programmes)}
    parts = []
    for programmes in sorted(groups, key=lambda ps: (len(ps), [order[p] for p in ps])):
        who = programmes[0] + " only" if len(programmes) == 1 else " and ".join(programmes) + " only"
        parts.append(f"{who}: " + ", ".join(_evidenced_labels(c, programmes) for c in groups[programmes]))
    return "; ".join(parts)


def _evidenced_labels(concept: Concept, programmes: tuple[str, ...]) -> str:
    labels = list(dict.fromkeys(label for p, label in concept.labels.items() if p in programmes))
    return " = ".join(labels) + (f" ({concept.explain()})" if len(programmes) > 1 and concept.match else "")


def _candidate_lines(comparison: Comparison) -> list[str]:
    lines = [
        "",
        f"Possible matches to confirm (label similarity >= {comparison.threshold:g}; "
        "not counted as convergence until an analyst links them)",
    ]
    for role, candidates in comparison.candidates.items():
        for candidate in candidates:
            sides = "  ~  ".join(f"{p}:{c} {candidate.labels[p]!r}" for p, c in candidate.codes.items())
            lines += [
                f"  {role}: {sides} (fuzzy {candidate.score:.0f})",
                f"    confirm: {candidate.link_command}",
                f"    reject:  {candidate.reject_command}",
            ]
    if len(lines) == 2:
        lines.append("  none")
    return lines


def _pair_lines(comparison: Comparison, pairing: CmocPairing, detail: bool) -> list[str]:
    sides = "  ~  ".join(f"{p}:{c} ({numbered(pairing.excerpts[p], 'excerpt')})" for p, c in pairing.cmocs.items())
    lines = [f"  {pairing.kind:<16} {sides}"]
    if not detail:
        return lines
    if pairing.mechanism:
        lines.append(f"  {'':<16} mechanism: {'; '.join(pairing.mechanism)}")
    if pairing.outcome:
        lines.append(f"  {'':<16} outcome: {'; '.join(pairing.outcome)}")
    lines += [f"  {'':<16} {divergence(comparison, pairing, role)}" for role in DIFFER_ROLES if role in pairing.differs]
    return lines


def _cmoc_lines(comparison: Comparison) -> list[str]:
    counts = {kind: sum(1 for p in comparison.cmocs if p.kind == kind) for kind in KINDS}
    # Pairs are many to many, so pair counts are not CMOC counts: say which is which.
    lines = [
        "",
        f"Pairs of CMOCs sharing a mechanism: {counts['converged']} converged, "
        f"{counts['mechanism-shared']} mechanism-shared, {counts['untested']} untested, "
        f"{counts['contradicted']} contradicted; CMOCs in one programme only: {counts['one-programme']}",
    ]
    curated = curated_pairs(comparison)
    if curated:
        lines += ["", "Pairs of curated CMOCs (a statement, or a status other than new)"]
        for pairing in curated:
            lines += _pair_lines(comparison, pairing, detail=True)
    lines += ["", "Every pair, best first (a CMOC may pair with several), then CMOCs in one programme only"]
    for pairing in comparison.cmocs:
        lines += _pair_lines(comparison, pairing, detail=not curated and pairing.kind != "one-programme")
    return lines


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
    lines += ["", "Findings (confirmed matches, evidence in every programme)"]
    lines += [f"  {line}" for line in findings(comparison)]
    lines += _candidate_lines(comparison)
    lines += _cmoc_lines(comparison)
    return "\n".join(lines) + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _md_candidates(comparison: Comparison) -> list[str]:
    out = [
        "",
        "### Possible matches to confirm",
        "",
        f"Label similarity ≥ {comparison.threshold:g}. Not counted as convergence until an analyst links them.",
        "",
    ]
    rows: list[Candidate] = [c for candidates in comparison.candidates.values() for c in candidates]
    if not rows:
        return [*out, "None."]
    out.append(_md_row(["role", *[f"`{p}`" for p in comparison.programmes], "score", "confirm with"]))
    out.append(_md_row(["---"] * (len(comparison.programmes) + 3)))
    for candidate in rows:
        cells = [
            f"`{candidate.codes[p]}` {md_escape(candidate.labels[p])}" if p in candidate.codes else "—"
            for p in comparison.programmes
        ]
        out.append(_md_row([candidate.role, *cells, f"{candidate.score:.0f}", f"`{candidate.link_command}`"]))
    return out


def _md_codes(comparison: Comparison) -> list[str]:
    programmes = comparison.programmes
    out = ["", "### Codes by role", ""]
    out.append(_md_row(["role", *[f"`{p}`" for p in programmes], "", "match"]))
    out.append(_md_row(["---"] * (len(programmes) + 3)))
    for role, concepts in comparison.codes.items():
        for concept in concepts:
            evidenced = comparison.evidenced_in(role, concept)
            cells = [
                (
                    f"`{concept.codes[p]}` {md_escape(concept.labels[p])}"
                    + ("" if p in evidenced else " *(hypothesised)*")
                )
                if p in concept.codes
                else "—"
                for p in programmes
            ]
            direction = "converge" if comparison.converges(role, concept) else "diverge"
            out.append(_md_row([role, *cells, direction, concept.explain()]))
    return out


def _md_differs(comparison: Comparison, pairing: CmocPairing) -> str:
    return "; ".join(divergence(comparison, pairing, role) for role in DIFFER_ROLES if role in pairing.differs)


def format_markdown(comparison: Comparison) -> str:
    programmes = comparison.programmes
    out = [f"## Comparison of {', '.join(f'`{p}`' for p in programmes)}", "", "### Programme attributes", ""]
    out.append(_md_row(["attribute", *[f"`{p}`" for p in programmes], ""]))
    out.append(_md_row(["---"] * (len(programmes) + 2)))
    for row in comparison.attributes:
        values = [md_escape(v) if v is not None else "*(not given)*" for v in row.values.values()]
        out.append(_md_row([md_escape(row.name), *values, "agree" if row.agree else "**differ**"]))
    out += ["", "### Findings", "", "Confirmed matches only, with evidence in every programme.", ""]
    out += [f"- {md_escape(line)}" for line in findings(comparison)]
    out += _md_candidates(comparison)
    out += _md_codes(comparison)
    out += ["", "### CMOCs across programmes", "", "Every pair whose mechanisms overlap, best first.", ""]
    header = ["pairing", *[f"`{p}`" for p in programmes], "shared mechanism", "shared outcome", "differs"]
    out += [_md_row(header), _md_row(["---"] * len(header))]
    for pairing in comparison.cmocs:
        cells = [f"`{pairing.cmocs[p]}` ({pairing.excerpts[p]})" if p in pairing.cmocs else "—" for p in programmes]
        shared = [md_escape("; ".join(pairing.mechanism)), md_escape("; ".join(pairing.outcome))]
        out.append(_md_row([pairing.kind, *cells, *shared, md_escape(_md_differs(comparison, pairing))]))
    return "\n".join(out) + "\n"


def format_json(comparison: Comparison) -> str:
    return json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False) + "\n"
