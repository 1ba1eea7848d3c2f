"""The report in the terminal: rich tables of programmes, findings and CMOCs."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape as _markup_escape
from rich.table import Table

from cmo.core.words import numbered
from cmo.render.compare_text import findings
from cmo.render.escape import printable
from cmo.render.overarching import CONDITION_TITLES, OverarchingView
from cmo.render.refinement import SECTION_TITLE, TABLE_HEADER, RefinementView, lede, summary, table_rows
from cmo.render.view import (
    FRAGMENTS_NOTE,
    FRAGMENTS_TITLE,
    ROLE_TITLES,
    SORT_NOTE,
    SOURCES,
    CmocView,
    ProgrammeView,
    Report,
    completeness_summary,
    completeness_text,
    confidence_text,
    evidence_parts,
    fragment_passages,
    fragment_where,
    with_excerpts,
)
from cmo.theory.model import CONDITION_ROLES


def escape(text: str) -> str:
    """Corpus text for the terminal: rich markup escaped, and control characters (ESC, OSC, ...) made visible."""
    return _markup_escape(printable(text))


def _print_overarching(view: OverarchingView, out: Console) -> None:
    out.print(f"\n[bold]Overarching theory across {escape(', '.join(view.programmes))}[/bold]")
    for cmoc in view.cmocs:
        table = Table(title=f"\n{escape(cmoc.id)} ({cmoc.kind}, {escape(cmoc.status)})", title_justify="left")
        for column in ("programme", "CMOCs", "excerpts", *(CONDITION_TITLES[r] for r in CONDITION_ROLES)):
            table.add_column(column, justify="right" if column == "excerpts" else "left")
        for side in cmoc.sides:
            conditions = [
                "; ".join(f"{escape(c.label)} ({c.excerpts})" for c in side.conditions.get(role, [])) or "-"
                for role in CONDITION_ROLES
            ]
            table.add_row(escape(side.programme), escape(", ".join(side.cmocs)), str(side.excerpts), *conditions)
        out.print(table)
        out.print(f"  {escape(cmoc.statement)}")
        if cmoc.finding:
            out.print(f"  [bold]{escape(cmoc.finding)}[/bold]")
    for programme, specific in view.context_specific.items():
        out.print(f"\n  {escape(programme)}: {len(specific.cmocs)} CMOCs in this programme only")
        if specific.hypotheses:
            out.print(f"    hypotheses, not yet evidenced: {escape(', '.join(specific.hypotheses))}")
        if specific.contradicted:
            out.print(f"    contradicted by the evidence: {escape(', '.join(specific.contradicted))}")


def _print_refinement(view: RefinementView, out: Console) -> None:
    out.print(f"\n[bold]{SECTION_TITLE}: {escape(view.name)} since {escape(view.revision)}[/bold]")
    out.print(escape(lede(view, str)))
    for line in summary(view, str):
        out.print(f"  {escape(line)}")
    for row in view.ipt:
        side = row.then or row.now
        out.print(f"  IPT {escape(row.id)}: {escape(side.statement if side and side.statement else '-')}")
    table = Table(*TABLE_HEADER, title_justify="left")
    for cells in table_rows(view):
        table.add_row(*(escape(cell) for cell in cells))
    out.print(table)


def _circumstances(view: CmocView) -> list[str]:
    """The contexts, enablers and barriers its M -> O pattern was seen in, each with the passages carrying it."""
    return [
        f"{ROLE_TITLES[role].lower()}: " + "; ".join(with_excerpts(view, role, code, label) for code, label in codes)
        for role in CONDITION_ROLES
        if (codes := view.codes.get(role))
    ]


def _print_programme(programme: ProgrammeView, out: Console) -> None:
    table = Table(title=f"\nCMOCs of {escape(programme.name)}", title_justify="left", show_lines=True, expand=True)
    table.caption, table.caption_justify = f"{escape(completeness_summary(programme))} {SORT_NOTE}", "left"
    table.add_column("CMOC", ratio=2, overflow="fold")
    table.add_column("status", ratio=1)
    table.add_column("statement", ratio=5)
    table.add_column("evidence", ratio=3)
    for view in programme.cmocs:
        statement = escape(view.statement) + (" [dim](composed)[/dim]" if view.statement_composed else "")
        details = [f"completeness: {completeness_text(view)}", f"confidence: {confidence_text(view)}"]
        sources = ", ".join(f"{source} {view.by_source[source]}" for source in SOURCES)
        evidence = [*evidence_parts(view), sources, "triangulated" if view.triangulated else "one source type"]
        table.add_row(
            escape(view.id),
            escape(view.status),
            "\n".join([statement, *(f"[dim]{escape(line)}[/dim]" for line in details + _circumstances(view))]),
            escape("\n".join(evidence)),
        )
    out.print(table)
    out.print(f"\n[bold]{FRAGMENTS_TITLE}: {escape(programme.name)}[/bold]\n{FRAGMENTS_NOTE}")
    if not programme.fragments:
        out.print("  None: every coded passage is in a configuration.")
        return
    count = f"{numbered(len(programme.fragments), 'code')} over {numbered(fragment_passages(programme), 'passage')}"
    fragments = Table("role", "code", "passages", "where", title=count, title_justify="left")
    for fragment in programme.fragments:
        code = f"{escape(fragment.label)} ({escape(fragment.code)})"
        role = ROLE_TITLES.get(fragment.role, fragment.role)
        fragments.add_row(role, code, str(fragment.excerpts), escape(fragment_where(fragment)))
    out.print(fragments)


def print_report(report: Report, out: Console) -> None:
    out.print(f"[bold]{escape(report.title)}[/bold]\n")
    if not report.programmes and report.overarching is not None:
        _print_overarching(report.overarching, out)
        return
    programmes = Table(title="Programmes", title_justify="left")
    programmes.add_column("")
    for programme in report.programmes:
        programmes.add_column(f"{escape(programme.name)} ({programme.id})")
    names = ["framework", *list(dict.fromkeys(n for p in report.programmes for n in p.attributes))]
    for name in names:
        values = [(p.framework if name == "framework" else p.attributes.get(name)) or "-" for p in report.programmes]
        programmes.add_row(escape(name), *(escape(v) for v in values))
    out.print(programmes)
    if report.comparison is not None:
        out.print("\n[bold]Convergence and divergence[/bold]")
        for line in findings(report.comparison):
            out.print(f"  {escape(line)}")
    if report.overarching is not None:
        _print_overarching(report.overarching, out)
    for programme in report.programmes:
        _print_programme(programme, out)
    for trail in report.refinement:
        _print_refinement(trail, out)


def render_text(report: Report) -> str:
    """The terminal layout as text, for `--format text --out FILE`: wide enough that tables do not truncate."""
    import io

    buffer = io.StringIO()
    print_report(report, Console(file=buffer, width=160, highlight=False))
    return buffer.getvalue()
