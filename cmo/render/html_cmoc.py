"""One CMOC as the HTML report shows it: statement, status, codes, evidence counts, triangulation and quotes."""

from __future__ import annotations

from collections.abc import Collection

from cmo.core.words import numbered
from cmo.render.escape import esc
from cmo.render.view import ROLE_TITLES, SOURCES, CmocView, Quote


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


def _codes(view: CmocView) -> str:
    rows = []
    for role, codes in view.codes.items():
        items = "".join(f'<span class="code">{esc(label)} <code>{esc(code)}</code></span>' for code, label in codes)
        rows.append(f"<dt>{esc(ROLE_TITLES.get(role, role))}</dt><dd>{items}</dd>")
    return f'<dl class="codes">{"".join(rows)}</dl>' if rows else ""


def _evidence(view: CmocView) -> str:
    counts = " · ".join(
        [
            f"{numbered(view.excerpts, 'excerpt')} from {numbered(view.transcripts, 'transcript')}",
            numbered(view.participants, "participant"),
            f"{view.refuting} refuting",
        ]
    )
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
        f"{_statement(view)}\n{notes}{_links(programme, view, known)}\n{_codes(view)}\n{_evidence(view)}\n"
        f"{quotes}\n</article>"
    )
