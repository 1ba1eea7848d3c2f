"""The report as one self-contained HTML page: inline CSS and SVG, no script, every piece of corpus text escaped."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from importlib.resources import files
from typing import TYPE_CHECKING

from cmo.across.compare import CONVERGENT_KINDS, AttributeRow, Comparison
from cmo.across.matching import Concept, Match
from cmo.core.words import numbered
from cmo.render.compare_text import divergence, findings
from cmo.render.escape import esc
from cmo.render.html_cmoc import cmoc_anchor, cmoc_card, fragments_section
from cmo.render.html_overarching import overarching_section
from cmo.render.html_refinement import PARTS as REFINEMENT_PARTS
from cmo.render.html_refinement import checklist_links, refinement_section, toc_items
from cmo.render.svg import MATRIX_ROLES, ROLE_PLURALS, convergence_matrix, theory_diagram
from cmo.render.view import FRAGMENTS_TITLE, SORT_NOTE, ProgrammeView, Report, completeness_summary, fragment_passages

if TYPE_CHECKING:
    from cmo.analysis.matrix import Matrix

# Nothing may load or run: no script, no network, only the inline style sheet and data: images.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CSS = files("cmo.render").joinpath("report.css").read_text(encoding="utf-8")


def _badge(kind: str, text: str | None = None) -> str:
    return f'<span class="badge {esc(kind)}">{esc(text or kind)}</span>'


def _compared(report: Report) -> Comparison | None:
    return report.comparison if len(report.programmes) >= 2 else None


def _head(report: Report) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="cmo">\n'
        f"<title>{esc(report.title)}</title>\n<style>\n{CSS}</style>\n</head>"
    )


def _glance(programme: ProgrammeView) -> str:
    figures = (
        ("CMOCs", len(programme.cmocs)),
        ("complete (C+M+O)", sum(1 for c in programme.cmocs if not c.missing)),
        ("curated statements", sum(1 for c in programme.cmocs if not c.statement_composed)),
        ("triangulated", sum(1 for c in programme.cmocs if c.triangulated)),
        ("passages not yet in a CMOC", fragment_passages(programme)),
    )
    rows = "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in figures)
    framework = esc(programme.framework) if programme.framework else "no framework given"
    return (
        f'<div class="card"><h3><a href="#theory-{esc(programme.id)}">{esc(programme.name)}</a></h3>'
        f'<div class="framework">{framework}</div><dl class="figures">{rows}</dl></div>'
    )


def _header(report: Report) -> str:
    names = " and ".join(esc(p.name) for p in report.programmes)
    if not report.programmes:
        lede = (
            "The overarching programme theory: the configurations that hold across programmes, each with "
            "every programme's evidence and the contexts, enablers and barriers it holds in."
        )
    elif _compared(report):
        lede = (
            f"The programme theories of {names} side by side: where their contexts, mechanisms and outcomes "
            "converge and diverge, each theory drawn as a diagram, and every CMOC with the evidence behind it."
        )
    else:
        lede = (
            f"The programme theory of {names} as context-mechanism-outcome configurations (CMOCs), "
            "drawn as a diagram, each CMOC with the evidence behind it."
        )
    cards = "".join(_glance(p) for p in report.programmes)
    return (
        f'<header>\n<p class="eyebrow">Realist evaluation report</p>\n<h1>{esc(report.title)}</h1>\n'
        f'<p class="lede">{lede}</p>\n<div class="glance">{cards}</div>\n</header>'
    )


def _toc(report: Report) -> str:
    items = ['<li><a href="#programmes">Programmes</a></li>'] if report.programmes else []
    if _compared(report):
        items += [
            '<li><a href="#comparison">Convergence and divergence</a></li>',
            '<li><a href="#matrix">Convergence matrix</a></li>',
        ]
    if report.overarching:
        items.append('<li><a href="#overarching">Overarching theory</a></li>')
    for p in report.programmes:
        items.append(
            f'<li><a href="#theory-{esc(p.id)}">{esc(p.name)}</a><ol>'
            f'<li><a href="#theory-{esc(p.id)}">Programme theory diagram</a></li>'
            f'<li><a href="#cmocs-{esc(p.id)}">CMOCs ({len(p.cmocs)})</a></li>'
            f'<li><a href="#fragments-{esc(p.id)}">{esc(FRAGMENTS_TITLE)}</a></li>'
            + (f'<li><a href="#matrices-{esc(p.id)}">{MATRICES_TITLE}</a></li>' if report.matrices.get(p.id) else "")
            + "</ol></li>"
        )
    items += toc_items(report)
    items.append('<li><a href="#checklist">Reporting checklist (RAMESES II)</a></li>')
    return f'<nav class="toc" aria-label="Contents">\n<h2>Contents</h2>\n<ol>{"".join(items)}</ol>\n</nav>'


def _value(value: str | None) -> str:
    return f"<td>{esc(value)}</td>" if value else '<td class="absent">not given</td>'


def _programmes(report: Report) -> str:
    programmes = report.programmes
    several = len(programmes) > 1
    heads = "".join(f'<th scope="col">{esc(p.name)}<br><code>{esc(p.id)}</code></th>' for p in programmes)
    names = ["framework", *dict.fromkeys(name for p in programmes for name in p.attributes)]
    rows = []
    for name in names:
        row = AttributeRow(
            name, {p.id: p.framework if name == "framework" else p.attributes.get(name) for p in programmes}
        )
        cells = "".join(_value(v) for v in row.values.values())
        mark = f"<td>{_badge('agree') if row.agree else _badge('differ')}</td>" if several else ""
        rows.append(f'<tr><th scope="row">{esc(name)}</th>{cells}{mark}</tr>')
    last = '<th scope="col">agree / differ</th>' if several else ""
    return (
        '<section id="programmes">\n<h2>Programmes</h2>\n'
        f'<table class="side-by-side"><thead><tr><th scope="col">attribute</th>{heads}{last}</tr></thead>\n'
        f"<tbody>{''.join(rows)}</tbody></table>\n</section>"
    )


def _match(concept: Concept) -> str:
    """How the concept's codes were matched; a fuzzy match is flagged with its score, as a suggestion."""
    if concept.match is Match.FUZZY:
        return f"<td>{_badge('fuzzy', f'fuzzy match {concept.score or 0:.0f}')}</td>"
    if concept.match:
        return f"<td>{_badge(concept.match.value)}</td>"
    return '<td class="absent">—</td>'


def _convergence_table(comparison: Comparison) -> str:
    programmes = comparison.programmes
    heads = "".join(f'<th scope="col"><code>{esc(p)}</code></th>' for p in programmes)
    groups = []
    rows = []
    for attribute in comparison.attributes:
        cells = "".join(_value(v) for v in attribute.values.values())
        direction = _badge("converge") if attribute.agree else _badge("diverge")
        rows.append(f'<tr><th scope="row">{esc(attribute.name)}</th>{cells}<td>{direction}</td><td></td></tr>')
    groups.append(f"<tbody>{''.join(rows)}</tbody>")
    for role in MATRIX_ROLES:
        concepts = comparison.codes.get(role, [])
        rows = []
        for k, concept in enumerate(concepts):
            first = f'<th scope="rowgroup" rowspan="{len(concepts)}">{ROLE_PLURALS[role]}</th>' if k == 0 else ""
            cells = "".join(
                f"<td>{esc(concept.labels[p])} <code>{esc(concept.codes[p])}</code></td>"
                if p in concept.codes
                else '<td class="absent">—</td>'
                for p in programmes
            )
            direction = _badge("converge") if comparison.converges(role, concept) else _badge("diverge")
            rows.append(f"<tr>{first}{cells}<td>{direction}</td>{_match(concept)}</tr>")
        if rows:
            groups.append(f"<tbody>{''.join(rows)}</tbody>")
    return (
        '<table class="convergence"><thead><tr><th scope="col">aspect</th>'
        f'{heads}<th scope="col">converge / diverge</th><th scope="col">match</th></tr></thead>\n'
        + "\n".join(groups)
        + "</table>"
    )


def _candidates(comparison: Comparison) -> str:
    """Fuzzy candidates: possible matches for an analyst to confirm, never counted as convergence."""
    programmes = comparison.programmes
    rows = []
    for role, candidates in comparison.candidates.items():
        for candidate in candidates:
            cells = "".join(
                f"<td>{esc(candidate.labels[p])} <code>{esc(candidate.codes[p])}</code></td>"
                if p in candidate.codes
                else '<td class="absent">—</td>'
                for p in programmes
            )
            rows.append(
                f"<tr><td>{esc(ROLE_PLURALS.get(role, role))}</td>{cells}"
                f"<td>{_badge('fuzzy', f'fuzzy {candidate.score:.0f}')}</td>"
                f"<td><code>{esc(candidate.link_command)}</code></td></tr>"
            )
    lede = (
        f'<p class="muted">Labels that read alike (similarity ≥ {comparison.threshold:g}). They are not '
        "counted as convergence until an analyst confirms one with the command shown (it adds "
        "<code>same_as</code> to a codebook).</p>"
    )
    if not rows:
        return f'{lede}<p class="absent">None.</p>'
    heads = "".join(f'<th scope="col"><code>{esc(p)}</code></th>' for p in programmes)
    return (
        f'{lede}<table class="candidates"><thead><tr><th scope="col">role</th>{heads}<th scope="col">score</th>'
        f'<th scope="col">confirm with</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _pairings(comparison: Comparison) -> Iterator[str]:
    """The table of CMOCs paired across programmes, a row at a time (it grows as the square of the CMOCs)."""
    programmes = comparison.programmes
    paired = [p for p in comparison.cmocs if p.kind != "one-programme"]
    converging = sum(1 for p in paired if p.kind in CONVERGENT_KINDS)
    alone = len(comparison.cmocs) - len(paired)
    summary = (
        f"<p>{numbered(len(paired), 'pair')} of CMOCs share a mechanism across programmes; {converging} of them converge "
        f"with evidence on every side (converged or mechanism-shared), the rest are untested or contradicted. "
        f"{numbered(alone, 'CMOC')} {'is' if alone == 1 else 'are'} in one programme only.</p>"
    )
    if not paired:
        yield summary
        return
    heads = "".join(f'<th scope="col"><code>{esc(p)}</code></th>' for p in programmes)
    yield (
        f'{summary}<table class="pairings"><thead><tr><th scope="col">pairing</th>{heads}'
        '<th scope="col">shared mechanism</th><th scope="col">shared outcome</th>'
        '<th scope="col">how they differ</th></tr></thead><tbody>'
    )
    for pairing in paired:
        cells = "".join(
            f'<td><a href="#{esc(cmoc_anchor(p, pairing.cmocs[p]))}"><code>{esc(pairing.cmocs[p])}</code></a> '
            f'<span class="muted">({pairing.excerpts[p]})</span></td>'
            if p in pairing.cmocs
            else '<td class="absent">—</td>'
            for p in programmes
        )
        differs = "<br>".join(esc(divergence(comparison, pairing, role)) for role in pairing.differs)
        yield (
            f"<tr><td>{_badge(pairing.kind)}</td>{cells}<td>{esc('; '.join(pairing.mechanism))}</td>"
            f"<td>{esc('; '.join(pairing.outcome))}</td><td>{differs}</td></tr>"
        )
    yield "</tbody></table>"


def _comparison(comparison: Comparison) -> Iterator[str]:
    sentences = "".join(f"<li>{esc(sentence)}</li>" for sentence in findings(comparison))
    yield (
        '<section id="comparison">\n<h2>Convergence and divergence</h2>\n<h3>Findings</h3>\n'
        f'<ul class="findings">{sentences}</ul>\n'
        f"<h3>Convergence / divergence table</h3>\n{_convergence_table(comparison)}\n"
        f"<h3>Possible matches to confirm</h3>\n{_candidates(comparison)}\n"
        "<h3>CMOCs across programmes</h3>\n"
    )
    yield from _pairings(comparison)
    yield "\n</section>"


def _matrix(comparison: Comparison) -> str:
    return (
        '<section id="matrix">\n<h2>Convergence matrix</h2>\n<figure>\n'
        f"{convergence_matrix(comparison)}\n"
        "<figcaption>Each row is a concept: codes of different programmes that mean the same. A mark shows the "
        "programme has it; its shape and colour show how the codes were matched.</figcaption>\n</figure>\n</section>"
    )


MATRICES_TITLE = "Matrices of the coded evidence"
MATRICES_NOTE = (
    "Every coded passage of the programme, in a CMOC or not, by the codes and the kind of data it carries: which "
    "mechanisms were coded with which outcomes, and where the evidence for each comes from. Codes meeting in a "
    "passage is where a configuration is looked for, not yet a configuration."
)


def _matrices(programme: ProgrammeView, matrices: Sequence[tuple[str, Matrix]]) -> str:
    """The programme's framework matrices as heatmaps, each with its anchor (`matrix-<programme>-<rows>-<columns>`)."""
    from cmo.render.matrix_html import matrix_section

    shown = "\n".join(
        matrix_section(
            matrix, heading, anchor=f"matrix-{programme.id}-{matrix.row_dimension}-{matrix.column_dimension}"
        )
        for heading, matrix in matrices
    )
    return (
        f'<section class="matrices" id="matrices-{esc(programme.id)}">\n<h3>{MATRICES_TITLE}</h3>\n'
        f'<p class="muted">{MATRICES_NOTE}</p>\n{shown}\n</section>'
    )


def _programme(programme: ProgrammeView, matrices: Sequence[tuple[str, Matrix]] = ()) -> Iterator[str]:
    diagram = theory_diagram(programme.diagram, f"Programme theory of {programme.name}")
    yield (
        f'<div class="programme">\n<section class="theory" id="theory-{esc(programme.id)}">\n'
        f'<h2 class="programme-title">{esc(programme.name)}</h2>\n<h3>Programme theory</h3>\n<figure>\n{diagram}\n'
        "<figcaption>Contexts, mechanisms (resource and reasoning) and outcomes of the programme's CMOCs. "
        "A line's width is the number of CMOCs that draw it; dashed loops are CMOC chains, an outcome "
        "becoming the context of a linked CMOC.</figcaption>\n</figure>\n</section>\n"
        f'<section id="cmocs-{esc(programme.id)}">\n<h3>CMOCs ({len(programme.cmocs)})</h3>\n'
        f'<p class="summary">{esc(completeness_summary(programme))}</p>\n<p class="muted">{esc(SORT_NOTE)}</p>\n'
    )
    known = {view.id for view in programme.cmocs}
    for number, view in enumerate(programme.cmocs):
        yield f"\n{cmoc_card(programme.id, view, known)}" if number else cmoc_card(programme.id, view, known)
    yield f"\n</section>\n{fragments_section(programme)}"
    yield f"\n{_matrices(programme, matrices)}\n</div>" if matrices else "\n</div>"


def _where(report: Report, part: str) -> str:
    """Links to the report's parts that cover a checklist item."""
    programmes = report.programmes
    if part == "cmocs":
        links = [(f"cmocs-{p.id}", f"{p.name}: CMOCs") for p in programmes]
    elif part == "comparison":
        if not _compared(report):
            return '<span class="absent">not in this report: compare two or more programmes</span>'
        links = [("comparison", "Convergence and divergence"), ("matrix", "Convergence matrix")]
    elif part == "overarching":
        links = [("comparison", "Convergence and divergence")] if _compared(report) else []
        links.append(("overarching", "Overarching theory"))
    elif part in REFINEMENT_PARTS:
        links = checklist_links(programmes, report.refinement, part)
    else:
        links = [(part, part.capitalize())]
    return "<br>".join(f'<a href="#{esc(anchor)}">{esc(text)}</a>' for anchor, text in links)


def _checklist(report: Report) -> str:
    rows = "".join(
        f"<tr><td>{number}</td><td>{esc(item)}</td><td>{_where(report, part)}</td><td>{esc(what)}</td></tr>"
        for number, item, part, what in report.checklist
    )
    return (
        '<section id="checklist">\n<h2>Reporting checklist (RAMESES II)</h2>\n'
        "<p>The items of the RAMESES II reporting standards for realist evaluations (Wong et al. 2016) "
        "this report covers, and where.</p>\n"
        '<table><thead><tr><th scope="col">item</th><th scope="col">RAMESES II</th>'
        '<th scope="col">where in this report</th><th scope="col">covered by</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>\n</section>"
    )


def html_pieces(report: Report) -> Iterator[str]:
    """The page in pieces, in order: joined, they are render_html's page; written one by one, it is never held whole."""
    comparison = _compared(report)
    sections: list[Iterable[str]] = [[_programmes(report)]] if report.programmes else []
    if comparison:
        sections += [_comparison(comparison), [_matrix(comparison)]]
    if report.overarching:
        shown = {(p.id, view.id) for p in report.programmes for view in p.cmocs}
        sections.append([overarching_section(report.overarching, shown)])
    sections += [_programme(p, report.matrices.get(p.id, ())) for p in report.programmes]
    sections += [[section] for section in refinement_section(report)]
    sections.append([_checklist(report)])
    yield f'{_head(report)}\n<body>\n<div class="page">\n{_header(report)}\n{_toc(report)}\n<main>\n'
    for number, section in enumerate(sections):
        if number:
            yield "\n"
        yield from section
    yield (
        '\n</main>\n<footer class="generator">Generated by cmo from the programme theories in git.</footer>\n'
        "</div>\n</body>\n</html>\n"
    )


def html_chunks(report: Report, size: int = 1 << 20) -> Iterator[str]:
    """html_pieces gathered into chunks of about `size` characters: few writes, and no copy of the whole page."""
    gathered: list[str] = []
    length = 0
    for piece in html_pieces(report):
        gathered.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(gathered)
            gathered, length = [], 0
    if gathered:
        yield "".join(gathered)


def render_html(report: Report) -> str:
    """The whole report as one HTML page that needs nothing else to show or print."""
    return "".join(html_pieces(report))
