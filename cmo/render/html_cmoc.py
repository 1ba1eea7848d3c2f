"""CMOCs as the HTML report shows them (statement, completeness, confidence, codes, evidence, quotes), and fragments."""

from __future__ import annotations

from collections.abc import Collection

from cmo.core.words import numbered
from cmo.render.escape import esc
from cmo.render.view import (
    ELICITED_MARK,
    FRAGMENTS_NOTE,
    FRAGMENTS_TITLE,
    NOT_YET_CODED,
    NOT_YET_JUDGED,
    ROLE_TITLES,
    SOURCES,
    CmocView,
    ProgrammeView,
    Quote,
    evidence_text,
    fragment_passages,
    fragment_where,
)
from cmo.theory.model import CMO_PARTS


def cmoc_anchor(programme: str, cmoc: str) -> str:
    """The id of a CMOC's card, so links and the comparison can point at it."""
    return f"cmoc-{programme}-{cmoc}"


def _statement(view: CmocView) -> str:
    if view.statement_composed:
        return (
            '<p class="statement composed"><span class="badge composed-mark">composed from code labels</span> '
            f"{esc(view.statement)}</p>"
        )
    return f'<p class="statement">{esc(view.statement)}</p>'


def _links(programme: str, view: CmocView, known: Collection[str]) -> str:
    if not view.links:
        return ""
    links = [
        f'<a href="#{esc(cmoc_anchor(programme, link))}"><code>{esc(link)}</code></a>'
        if link in known
        else f"<code>{esc(link)}</code>"
        for link in view.links
    ]
    return f'<p class="links">Leads on to: {", ".join(links)}</p>'


def _judged(view: CmocView) -> str:
    """Which parts of a configuration it has (a missing one plainly not yet coded), and the analyst's confidence."""
    parts = "".join(
        f'<li class="part has">{esc(part)}</li>'
        if part in view.completeness
        else f'<li class="part missing">{esc(part)}: {esc(NOT_YET_CODED)}</li>'
        for part in CMO_PARTS
    )
    if view.confidence is None:
        judged = f'<span class="badge confidence absent">confidence: {esc(NOT_YET_JUDGED)}</span>'
    else:
        level = esc(view.confidence)
        judged = f'<span class="badge confidence confidence-{level}">confidence: {level}</span>'
        if view.confidence_rationale:
            judged += f' <span class="rationale">{esc(view.confidence_rationale)}</span>'
    return (
        f'<div class="judged"><span class="muted">completeness:</span> <ul class="completeness">{parts}</ul></div>'
        f'<p class="confidence">{judged}</p>'
    )


def _passages(view: CmocView, role: str, code: str) -> str:
    count = view.code_excerpts.get(role, {}).get(code)
    return "" if count is None else f' <span class="muted" title="passages">({count})</span>'


def _codes(view: CmocView) -> str:
    rows = []
    for role, codes in view.codes.items():
        items = "".join(
            f'<span class="code">{esc(label)}{_passages(view, role, code)} <code>{esc(code)}</code></span>'
            for code, label in codes
        )
        rows.append(f"<dt>{esc(ROLE_TITLES.get(role, role))}</dt><dd>{items}</dd>")
    return f'<dl class="codes">{"".join(rows)}</dl>' if rows else ""


def _evidence(view: CmocView) -> str:
    counts = esc(evidence_text(view))
    heads = "".join(f'<th scope="col">{esc(source)}</th>' for source in SOURCES)
    cells = "".join(
        '<td class="zero">0</td>' if not view.by_source.get(source) else f"<td>{view.by_source[source]}</td>"
        for source in SOURCES
    )
    verdict = "yes" if view.triangulated else "no"
    return (
        f'<p class="evidence">Evidence: {counts}</p>'
        '<table class="triangulation"><thead><tr><th scope="col">triangulation</th>'
        f'{heads}<th scope="col">triangulated</th></tr></thead>'
        f'<tbody><tr><th scope="row">excerpts</th>{cells}<td class="verdict">{verdict}</td></tr></tbody></table>'
    )


def _quote(quote: Quote) -> str:
    who = f"participants {', '.join(quote.participants)}" if quote.participants else "no participant named"
    cite = [
        f"<cite>{esc(quote.transcript)}</cite> ({esc(quote.source)}), lines {esc(quote.lines)}",
        esc(who),
        esc(quote.stance),
    ]
    if quote.elicited:
        cite.append(f'<span class="elicited">{esc(ELICITED_MARK)}</span>')
    if quote.coder:
        cite.append(f"coded by {esc(quote.coder)}")
    return (
        f'<blockquote class="stance-{esc(quote.stance)}" title="{esc(quote.record)}">'
        f"<p>{esc(quote.quote)}</p><footer>— {' · '.join(cite)}</footer></blockquote>"
    )


def cmoc_card(programme: str, view: CmocView, known: Collection[str]) -> str:
    """A CMOC of `programme` as an <article>; `known` are the programme's CMOC ids its links may point to."""
    badges = [f'<span class="badge status status-{esc(view.status)}">{esc(view.status)}</span>']
    if view.imported_from:
        badges.append(f'<span class="badge">imported from <code>{esc(view.imported_from)}</code></span>')
    notes = f'<p class="notes">{esc(view.notes)}</p>' if view.notes else ""
    quotes = "\n".join(_quote(quote) for quote in view.quotes)
    return (
        f'<article class="cmoc" id="{esc(cmoc_anchor(programme, view.id))}">\n'
        f"<header><h4><code>{esc(view.id)}</code></h4>{''.join(badges)}</header>\n"
        f"{_statement(view)}\n{_judged(view)}\n{notes}{_links(programme, view, known)}\n{_codes(view)}\n"
        f"{_evidence(view)}\n{quotes}\n</article>"
    )


def fragments_section(programme: ProgrammeView) -> str:
    """The programme's coded evidence not yet in a configuration: each code, its passages, and where they are."""
    rows = "".join(
        f"<tr><td>{esc(ROLE_TITLES.get(f.role, f.role))}</td><td>{esc(f.label)} <code>{esc(f.code)}</code></td>"
        f"<td>{f.excerpts}</td><td>{esc(fragment_where(f))}</td></tr>"
        for f in programme.fragments
    )
    count = f" {numbered(len(programme.fragments), 'code')} over {numbered(fragment_passages(programme), 'passage')}."
    table = (
        '<table class="fragments"><thead><tr><th scope="col">role</th><th scope="col">code</th>'
        f'<th scope="col">passages</th><th scope="col">where</th></tr></thead><tbody>{rows}</tbody></table>'
        if rows
        else '<p class="absent">None: every coded passage is in a configuration.</p>'
    )
    return (
        f'<section class="fragments" id="fragments-{esc(programme.id)}">\n<h3>{esc(FRAGMENTS_TITLE)}</h3>\n'
        f'<p class="muted">{esc(FRAGMENTS_NOTE)}{esc(count) if rows else ""}</p>\n{table}\n</section>'
    )
