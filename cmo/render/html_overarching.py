"""The overarching theory as the HTML report shows it: each cross-programme CMOC, its programmes' evidence and conditions."""

from __future__ import annotations

from collections.abc import Collection

from cmo.render.escape import esc
from cmo.render.html_cmoc import cmoc_anchor
from cmo.render.overarching import CONDITION_TITLES, OverarchingCmocView, OverarchingView, SideView, SpecificView
from cmo.render.svg import ROLE_PLURALS
from cmo.theory.model import CONDITION_ROLES


def overarching_anchor(cmoc: str) -> str:
    """The id of an overarching CMOC's card."""
    return f"overarching-{cmoc}"


def _cmoc_link(programme: str, cmoc: str, shown: Collection[tuple[str, str]]) -> str:
    code = f"<code>{esc(cmoc)}</code>"
    return f'<a href="#{esc(cmoc_anchor(programme, cmoc))}">{code}</a>' if (programme, cmoc) in shown else code


def _conditions(side: SideView, role: str) -> str:
    conditions = side.conditions.get(role, [])
    if not conditions:
        return '<td class="absent">—</td>'
    items = "".join(
        f'<li>{esc(c.label)} <code>{esc(c.code)}</code> <span class="muted">({c.excerpts})</span></li>'
        for c in conditions
    )
    return f'<td><ul class="conditions">{items}</ul></td>'


def _side(side: SideView, shown: Collection[tuple[str, str]]) -> str:
    cmocs = "<br>".join(_cmoc_link(side.programme, cmoc, shown) for cmoc in side.cmocs)
    evidence = (
        f'{side.excerpts} <span class="muted">({side.supporting} supporting, {side.refining} refining'
        f"{f', {side.refuting} refuting' if side.refuting else ''})</span>"
    )
    outcome = esc("; ".join(side.outcome)) if side.outcome else '<span class="absent">—</span>'
    conditions = "".join(_conditions(side, role) for role in CONDITION_ROLES)
    return (
        f'<tr><th scope="row"><code>{esc(side.programme)}</code></th><td>{cmocs}</td><td>{evidence}</td>'
        f"<td>{outcome}</td>{conditions}</tr>"
    )


def _card(view: OverarchingCmocView, shown: Collection[tuple[str, str]]) -> str:
    if view.statement_composed:
        statement = (
            '<p class="statement composed"><span class="badge composed-mark">composed from shared concepts</span> '
            f"{esc(view.statement)}</p>"
        )
    else:
        statement = f'<p class="statement">{esc(view.statement)}</p>'
    facts = [f"<dt>shared mechanism</dt><dd>{esc('; '.join(view.mechanism))}</dd>"]
    if view.outcome:
        facts.append(f"<dt>shared outcome</dt><dd>{esc('; '.join(view.outcome))}</dd>")
    finding = f'<p class="finding"><strong>{esc(view.finding)}</strong></p>' if view.finding else ""
    notes = f'<div class="notes">{esc(view.notes)}</div>' if view.notes else ""
    heads = "".join(
        f'<th scope="col">{esc(title)}</th>'
        for title in ("programme", "CMOCs", "excerpts", "outcomes", *(CONDITION_TITLES[r] for r in CONDITION_ROLES))
    )
    rows = "".join(_side(side, shown) for side in view.sides)
    return (
        f'<article class="cmoc overarching" id="{esc(overarching_anchor(view.id))}">\n'
        f'<header><h4><code>{esc(view.id)}</code></h4><span class="badge {esc(view.kind)}">{esc(view.kind)}</span>'
        f'<span class="badge status status-{esc(view.status)}">{esc(view.status)}</span></header>\n'
        f'{statement}\n<dl class="codes">{"".join(facts)}</dl>\n{finding}{notes}\n'
        f'<table class="sides"><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>\n</article>'
    )


def _concepts(view: OverarchingView) -> str:
    rows = []
    for role, concepts in view.concepts.items():
        for label, codes, match in concepts:
            cells = "".join(
                f"<td><code>{esc(codes[p])}</code></td>" if p in codes else '<td class="absent">—</td>'
                for p in view.programmes
            )
            rows.append(
                f"<tr><td>{esc(ROLE_PLURALS.get(role, role))}</td><td>{esc(label)}</td>{cells}"
                f'<td><span class="badge {esc(match)}">{esc(match)}</span></td></tr>'
            )
    if not rows:
        return '<p class="absent">No confirmed concept is evidenced in every programme.</p>'
    heads = "".join(f'<th scope="col"><code>{esc(p)}</code></th>' for p in view.programmes)
    return (
        f'<table class="concepts"><thead><tr><th scope="col">role</th><th scope="col">concept</th>{heads}'
        f'<th scope="col">match</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _specific(programme: str, specific: SpecificView, shown: Collection[tuple[str, str]]) -> str:
    def links(cmocs: list[str]) -> str:
        return ", ".join(_cmoc_link(programme, cmoc, shown) for cmoc in cmocs) or '<span class="absent">none</span>'

    facts = [
        f"<dt>CMOCs in this programme only</dt><dd>{links(specific.cmocs)}</dd>",
        f"<dt>hypotheses, not yet evidenced</dt><dd>{links(specific.hypotheses)}</dd>",
        f"<dt>contradicted by the evidence</dt><dd>{links(specific.contradicted)}</dd>",
    ]
    facts += [
        f"<dt>{esc(ROLE_PLURALS.get(role, role))} in this programme only</dt><dd>{esc('; '.join(labels))}</dd>"
        for role, labels in specific.concepts.items()
    ]
    return f'<h4><code>{esc(programme)}</code></h4>\n<dl class="codes">{"".join(facts)}</dl>'


def overarching_section(view: OverarchingView, shown: Collection[tuple[str, str]]) -> str:
    """The section: shared concepts, overarching CMOCs, what is context-specific; `shown` are the CMOCs on the page."""
    where = " and ".join(f"<code>{esc(p)}</code>" for p in view.programmes)
    cards = "\n".join(_card(cmoc, shown) for cmoc in view.cmocs) or (
        '<p class="absent">No CMOC pair converges with evidence on every side.</p>'
    )
    specific = "\n".join(_specific(p, s, shown) for p, s in view.context_specific.items())
    return (
        '<section id="overarching">\n<h2>Overarching theory</h2>\n'
        f"<p>What holds across {where}, as <code>cmo synthesise</code> wrote it: only matches an analyst "
        "confirmed (same id or <code>same_as</code>) and CMOC pairs with evidence on every side "
        "(converged, or sharing a mechanism). Each programme's side keeps the contexts, enablers and barriers "
        "its CMOCs hold in, with the excerpts behind each (in brackets).</p>\n"
        f"<h3>Shared concepts</h3>\n{_concepts(view)}\n"
        f"<h3>Overarching CMOCs ({len(view.cmocs)})</h3>\n{cards}\n"
        f"<h3>Context-specific</h3>\n{specific}\n</section>"
    )
