"""Spreadsheet renderers: the CMOC matrix as CSV, and a workbook of CMOCs, evidence, codes and the comparison (xlsx)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped]

from cmo.across.compare import CONVERGENT_KINDS, Comparison
from cmo.render.compare_text import divergence
from cmo.render.escape import FORMULA_STARTS, defuse
from cmo.render.overarching import CONDITION_TITLES, OverarchingView
from cmo.render.refinement import sheet_rows as refinement_rows
from cmo.render.view import (
    NOT_YET_JUDGED,
    ROLE_TITLES,
    SOURCES,
    CmocView,
    Report,
    completeness_text,
    fragment_where,
)
from cmo.theory.model import CONDITION_ROLES

Cell = str | int | float | None
Table = tuple[list[str], Sequence[Sequence[Cell]]]

# Spreadsheet programs run a cell that starts with one of these as a formula (OWASP, "CSV Injection").
# Excel's limit on the characters in one cell; longer text makes it "repair" the file.
EXCEL_CELL_LIMIT = 32767
TRUNCATED = " […]"
# Every file carries this time, so the same report gives the same bytes.
FIXED_TIME = datetime(2000, 1, 1)
_ZIP_TIME = (FIXED_TIME.year, FIXED_TIME.month, FIXED_TIME.day, 0, 0, 0)
WIDEST_COLUMN = 60
NARROWEST_COLUMN = 8


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _codes(view: CmocView, role: str) -> str:
    """`label (code): passages; ...`, as the Overarching sheet writes a condition."""
    passages = view.code_excerpts.get(role, {})
    return "; ".join(
        f"{label} ({code})" + (f": {passages[code]}" if code in passages else "")
        for code, label in view.codes.get(role, [])
    )


def cmoc_rows(report: Report) -> tuple[list[str], list[list[str | int]]]:
    """The CMOC (ICAMO) matrix: one row per CMOC per programme, codes as 'label (code-id); ...'."""
    header = [
        "Programme",
        "CMOC",
        "Status",
        "Confidence",
        "Confidence rationale",
        "Completeness",
        "Statement",
        "Statement composed",
        *ROLE_TITLES.values(),
        "Excerpts",
        "Codings",
        "Supporting",
        "Refining",
        "Refuting",
        "Elicited",
        "Spontaneous",
        "Observed",
        "Transcripts",
        "Participants",
        *(source.capitalize() for source in SOURCES),
        "Triangulated",
        "Links",
        "Imported from",
        "Notes",
    ]
    rows: list[list[str | int]] = []
    for programme in report.programmes:
        for view in programme.cmocs:
            rows.append(
                [
                    programme.id,
                    view.id,
                    view.status,
                    view.confidence or NOT_YET_JUDGED,
                    view.confidence_rationale or "",
                    completeness_text(view),
                    view.statement,
                    _yes(view.statement_composed),
                    *(_codes(view, role) for role in ROLE_TITLES),
                    view.excerpts,
                    view.codings,
                    view.supporting,
                    view.refining,
                    view.refuting,
                    view.elicited,
                    view.spontaneous,
                    view.observed,
                    view.transcripts,
                    view.participants,
                    *(view.by_source.get(source, 0) for source in SOURCES),
                    _yes(view.triangulated),
                    "; ".join(view.links),
                    view.imported_from or "",
                    view.notes or "",
                ]
            )
    return header, rows


def evidence_rows(report: Report) -> Table:
    """One row per quote, with where it comes from, so every claim can be checked against its words."""
    header = [
        "Programme",
        "CMOC",
        "Record",
        "Transcript",
        "Source type",
        "Lines",
        "Stance",
        "Elicited",
        "Participants",
        "Coder",
        "Quote",
    ]
    rows: list[list[Cell]] = [
        [
            programme.id,
            view.id,
            quote.record,
            quote.transcript,
            quote.source,
            quote.lines,
            quote.stance,
            _yes(quote.elicited),
            ", ".join(quote.participants),
            quote.coder,
            quote.quote,
        ]
        for programme in report.programmes
        for view in programme.cmocs
        for quote in view.quotes
    ]
    return header, rows


def code_rows(report: Report) -> Table:
    """Each programme's codes by role, with how many CMOCs use each."""
    header = ["Programme", "Role", "Code", "Label", "CMOCs"]
    rows: list[list[Cell]] = []
    for programme in report.programmes:
        for role in ROLE_TITLES:
            labels: dict[str, str] = {}
            used: dict[str, int] = {}
            for view in programme.cmocs:
                for code, label in dict(view.codes.get(role, [])).items():
                    labels.setdefault(code, label)
                    used[code] = used.get(code, 0) + 1
            for code in sorted(labels, key=lambda c: (labels[c].lower(), c)):
                rows.append([programme.id, role, code, labels[code], used[code]])
    return header, rows


def fragment_rows(report: Report) -> Table:
    """Coded evidence not yet in a configuration: each code with its passages, never counted as a CMOC."""
    header = ["Programme", "Role", "Code", "Label", "Passages", "Where", "Records"]
    rows: list[list[Cell]] = [
        [
            programme.id,
            fragment.role,
            fragment.code,
            fragment.label,
            fragment.excerpts,
            fragment_where(fragment),
            "; ".join(place.record for place in fragment.places),
        ]
        for programme in report.programmes
        for fragment in programme.fragments
    ]
    return header, rows


def comparison_rows(comparison: Comparison) -> Table:
    """Attributes (agree / differ), then concepts by role (converge / diverge), then CMOCs paired across programmes."""
    programmes = comparison.programmes
    header = ["Role", "Attribute or concept", *programmes, "In programmes", "Converge / diverge", "Match", "Score"]
    rows: list[list[Cell]] = []
    for attribute in comparison.attributes:
        values = [attribute.values.get(p) for p in programmes]
        present = sum(1 for value in values if value is not None)
        rows.append(
            ["attribute", attribute.name, *values, present, "agree" if attribute.agree else "differ", None, None]
        )
    for role, concepts in comparison.codes.items():
        for concept in concepts:
            label = " = ".join(dict.fromkeys(concept.labels.values()))
            direction = "converge" if comparison.converges(role, concept) else "diverge"
            match = concept.match.value if concept.match else "one programme"
            codes = [concept.codes.get(p) for p in programmes]
            rows.append([role, label, *codes, len(concept.codes), direction, match, None])
    for role, candidates in comparison.candidates.items():
        for candidate in candidates:
            label = " ~ ".join(dict.fromkeys(candidate.labels.values()))
            codes = [candidate.codes.get(p) for p in programmes]
            confirm = f"possible match to confirm: {candidate.link_command}"
            rows.append([role, label, *codes, len(candidate.codes), confirm, "fuzzy", round(candidate.score, 1)])
    for pairing in comparison.cmocs:
        shared = [f"mechanism: {'; '.join(pairing.mechanism)}"] if pairing.mechanism else []
        shared += [f"outcome: {'; '.join(pairing.outcome)}"] if pairing.outcome else []
        shared += [divergence(comparison, pairing, role) for role in pairing.differs]
        cmocs = [pairing.cmocs.get(p) for p in programmes]
        kind = pairing.kind + (" (converges)" if pairing.kind in CONVERGENT_KINDS else "")
        rows.append(["CMOC", " | ".join(shared), *cmocs, len(pairing.cmocs), kind, None, None])
    return header, rows


def overarching_rows(view: OverarchingView) -> Table:
    """One row per overarching CMOC per programme: its CMOCs there, their evidence, and the conditions they hold in."""
    header = [
        "Overarching CMOC",
        "Kind",
        "Status",
        "Statement",
        "Shared mechanism",
        "Shared outcome",
        "Divergence",
        "Programme",
        "CMOCs",
        "Excerpts",
        "Supporting",
        "Refining",
        "Refuting",
        "Outcomes",
        *(CONDITION_TITLES[role].capitalize() for role in CONDITION_ROLES),
    ]
    rows: list[list[Cell]] = []
    for cmoc in view.cmocs:
        shared = [
            cmoc.id,
            cmoc.kind,
            cmoc.status,
            cmoc.statement,
            "; ".join(cmoc.mechanism),
            "; ".join(cmoc.outcome),
            cmoc.finding,
        ]
        for side in cmoc.sides:
            conditions = [
                "; ".join(f"{c.label} ({c.code}): {c.excerpts}" for c in side.conditions.get(role, []))
                for role in CONDITION_ROLES
            ]
            evidence = [side.excerpts, side.supporting, side.refining, side.refuting]
            rows.append(
                [*shared, side.programme, "; ".join(side.cmocs), *evidence, "; ".join(side.outcome), *conditions]
            )
    return header, rows


def render_csv(report: Report) -> bytes:
    """The CMOC table as CSV: UTF-8 with a byte-order mark (so Excel reads it as UTF-8), CRLF lines, formulas defused."""
    header, rows = cmoc_rows(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([defuse(name) for name in header])
    for row in rows:
        writer.writerow([defuse(cell) if isinstance(cell, str) else cell for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def excel_text(text: str) -> str:
    # XML 1.0 cannot hold most control characters; openpyxl refuses them rather than drop them.
    text = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", text)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - len(TRUNCATED)] + TRUNCATED
    return text


def _width(value: Cell) -> int:
    return max((len(line) for line in str(value).splitlines()), default=0)


def _add_sheet(workbook: Workbook, title: str, table: Table) -> None:
    header, rows = table
    sheet = workbook.create_sheet(title)
    bold, top = Font(bold=True), Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = bold
    for row in rows:
        sheet.append([(excel_text(value) or None) if isinstance(value, str) else value for value in row])
    for column, name in enumerate(header, start=1):
        values = [row[column - 1] for row in rows]
        widest = max([_width(name), *(_width(value) for value in values if value is not None)])
        long_text = widest > WIDEST_COLUMN or any(isinstance(v, str) and "\n" in v for v in values)
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = max(NARROWEST_COLUMN, min(widest, WIDEST_COLUMN) + 2)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.alignment = wrapped if long_text else top
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                # Text stays text, never a formula or an error value, whatever the corpus says;
                # the quote prefix keeps it text when someone edits the cell.
                cell.data_type = "s"
                if cell.value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"


def fixed_times(data: bytes) -> bytes:
    """The same zip with every member dated FIXED_TIME, as zipfile stamps each with the time of writing."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(member))
    return out.getvalue()


def render_xlsx(report: Report) -> bytes:
    """A workbook with sheets CMOCs, Evidence, Codes, Fragments (Comparison when it compares, Overarching when it has one, Refinement with --since)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets: list[tuple[str, Table]] = []
    if report.programmes:  # the overarching theory alone has no programme CMOC, quote or code to list
        sheets += [("CMOCs", cmoc_rows(report)), ("Evidence", evidence_rows(report)), ("Codes", code_rows(report))]
        sheets.append(("Fragments", fragment_rows(report)))
    if report.comparison is not None:
        sheets.append(("Comparison", comparison_rows(report.comparison)))
    if report.overarching is not None:
        sheets.append(("Overarching", overarching_rows(report.overarching)))
    if report.refinement:
        sheets.append(("Refinement", refinement_rows(report.refinement)))
    for title, table in sheets:
        _add_sheet(workbook, title, table)
    workbook.properties.title = excel_text(report.title)
    workbook.properties.creator = "cmo"
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    # ExcelWriter directly: Workbook.save() would stamp the file with the time of saving.
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return fixed_times(buffer.getvalue())
