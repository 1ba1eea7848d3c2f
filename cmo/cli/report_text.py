"""The report in the terminal: rich tables of programmes, findings and CMOCs."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape as _markup_escape
from rich.table import Table

from cmo.render.compare_text import findings
from cmo.render.escape import printable
from cmo.render.overarching import CONDITION_TITLES, OverarchingView
from cmo.render.view import SOURCES, Report
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
        table = Table(title=f"\nCMOCs of {escape(programme.name)}", title_justify="left", show_lines=True)
        for column in ("CMOC", "status", "statement", "excerpts", *SOURCES, "triangulated"):
            table.add_column(column, justify="right" if column in ("excerpts", *SOURCES) else "left")
        for view in programme.cmocs:
            statement = escape(view.statement) + (" [dim](composed)[/dim]" if view.statement_composed else "")
            table.add_row(
                escape(view.id),
                escape(view.status),
                statement,
                str(view.excerpts),
                *(str(view.by_source[s]) for s in SOURCES),
                "yes" if view.triangulated else "no",
            )
        out.print(table)


def render_text(report: Report) -> str:
    """The terminal layout as text, for `--format text --out FILE`: wide enough that tables do not truncate."""
    import io

    buffer = io.StringIO()
    print_report(report, Console(file=buffer, width=160, highlight=False))
    return buffer.getvalue()
