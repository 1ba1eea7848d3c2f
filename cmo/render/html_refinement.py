"""The refinement trail in the HTML report: the initial programme theory and each CMOC then and now, per programme."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from cmo.render.escape import esc
from cmo.render.html_cmoc import cmoc_anchor
from cmo.render.refinement import (
    ABSENT,
    IPT_PART,
    IPT_TITLE,
    NO_IPT,
    REFINEMENT_PART,
    SECTION_TITLE,
    TABLE_HEADER,
    RefinementView,
    evidence_text,
    ipt_lede,
    lede,
    summary,
    table_rows,
)
from cmo.render.view import ProgrammeView, Report
from cmo.theory.refinement import Side

SECTION_ID = "refinement"
PARTS = (IPT_PART, REFINEMENT_PART)


def _code(text: str) -> str:
    return f"<code>{esc(text)}</code>"


def _cmoc(programme: str, cmoc: str, known: Collection[str]) -> str:
    """A CMOC id, linked to its card when the report shows one."""
    if cmoc in known:
        return f'<a href="#{esc(cmoc_anchor(programme, cmoc))}">{_code(cmoc)}</a>'
    return _code(cmoc)


def _statement(side: Side | None) -> str:
    if side is None:
        return f'<td class="absent">{ABSENT}</td>'
    if not side.statement:
        return '<td class="absent">no statement</td>'
    return f"<td>{esc(side.statement)}</td>"


def _ipt(view: RefinementView, known: Collection[str]) -> str:
    if not view.ipt:
        return f'<p class="absent">{esc(NO_IPT)}</p>'
    rows = []
    for row in view.ipt:
        kept = row.then is not None and row.now is not None and row.now.statement == row.then.statement
        now = '<td class="absent">unchanged</td>' if kept else _statement(row.now)
        rows.append(
            f"<tr><td>{_cmoc(view.programme, row.id, known)}</td>{_statement(row.then)}"
            f"<td>{esc(evidence_text(row.then))}</td><td>{esc(row.became)}</td>{now}</tr>"
        )
    return (
        '<table class="ipt"><thead><tr><th scope="col">CMOC</th><th scope="col">statement then</th>'
        '<th scope="col">evidence then</th><th scope="col">what became of it</th>'
        f'<th scope="col">statement now</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _trail(view: RefinementView, known: Collection[str]) -> str:
    heads = "".join(f'<th scope="col">{esc(title)}</th>' for title in TABLE_HEADER)
    rows = "".join(
        f"<tr><td>{_cmoc(view.programme, cells[0], known)}</td>" + "".join(f"<td>{esc(c)}</td>" for c in cells[1:])
        for cells in table_rows(view)
    )
    return f'<table class="refinement"><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>'


def _programme(view: RefinementView, known: Collection[str]) -> str:
    sentences = "".join(f"<li>{line}</li>" for line in summary(view, _code))
    return (
        f'<section id="refinement-{esc(view.programme)}">\n'
        f"<h3>{esc(view.name)} since {_code(view.revision)}</h3>\n<p>{lede(view, _code)}</p>\n"
        f'<ul class="findings">{sentences}</ul>\n'
        f'<h4 id="ipt-{esc(view.programme)}">{esc(IPT_TITLE)}</h4>\n<p class="muted">{ipt_lede(view, _code)}</p>\n'
        f"{_ipt(view, known)}\n<h4>CMOCs then and now</h4>\n{_trail(view, known)}\n</section>"
    )


def refinement_section(report: Report) -> list[str]:
    """The section (one or none), each CMOC id linked to its card in the report."""
    if not report.refinement:
        return []
    shown = {p.id: {view.id for view in p.cmocs} for p in report.programmes}
    parts = "\n".join(_programme(view, shown.get(view.programme, set())) for view in report.refinement)
    return [f'<section id="{SECTION_ID}">\n<h2>{esc(SECTION_TITLE)}</h2>\n{parts}\n</section>']


def toc_items(report: Report) -> list[str]:
    """The section's entry in the contents, when the report has it."""
    if not report.refinement:
        return []
    return [f'<li><a href="#{SECTION_ID}">{esc(SECTION_TITLE)}</a></li>']


def checklist_links(
    programmes: Sequence[ProgrammeView], views: Sequence[RefinementView], part: str
) -> list[tuple[str, str]]:
    """Where the checklist's refinement parts are: item 4 the IPT tables, item 15 the trail beside the CMOCs.

    Item 4 is the initial programme theory alone: the theory diagrams show the theory now, not the IPT.
    """
    if part == IPT_PART:
        return [(f"ipt-{view.programme}", f"{view.name}: initial programme theory") for view in views if view.ipt]
    links = [(f"cmocs-{p.id}", f"{p.name}: CMOCs") for p in programmes]
    return links + [(f"refinement-{view.programme}", f"{view.name}: {SECTION_TITLE.lower()}") for view in views]
