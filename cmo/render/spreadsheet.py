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
from cmo.render.sheet_xml import Sheet, Styles, fits, plain
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
    text = str(value)
    if text.isprintable():  # no line break of any kind (they are all unprintable): one line
        return len(text)
    return max((len(line) for line in text.splitlines()), default=0)


def _columns(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[tuple[int, bool]]:
    """Each column's width, and whether its cells wrap (text longer than the widest column, or of many lines)."""
    found = []
    for column, name in enumerate(header):
        values = [row[column] for row in rows]
        widest = max([_width(name), *(_width(value) for value in values if value is not None)])
        long_text = widest > WIDEST_COLUMN or any(isinstance(v, str) and "\n" in v for v in values)
        found.append((max(NARROWEST_COLUMN, min(widest, WIDEST_COLUMN) + 2), long_text))
    return found


def _add_sheet(workbook: Workbook, title: str, table: Table) -> None:
    """The sheet through openpyxl's cells: the reference the direct writer (sheet_xml) matches byte for byte."""
    header, rows = table
    sheet = workbook.create_sheet(title)
    bold, top = Font(bold=True), Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = bold
    for row in rows:
        sheet.append([(excel_text(value) or None) if isinstance(value, str) else value for value in row])
    for column, (width, long_text) in enumerate(_columns(header, rows), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
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


def _plain_sheet(workbook: Workbook, title: str, table: Table, styles: Styles) -> Sheet:
    """The sheet as _add_sheet makes it, but without cells: sheet_xml writes them into the file."""
    header, rows = table
    sheet = workbook.create_sheet(title)
    font = workbook._fonts.add(Font(bold=True))
    top, wrapped = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    alignments = []
    for column, (width, long_text) in enumerate(_columns(header, rows), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
        # As openpyxl numbers alignments: when the first cell gets one (none without rows).
        alignments.append(workbook._alignments.add(wrapped if long_text else top) if rows else 0)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    # Where ExcelWriter puts it: worksheets are numbered in order from 1 (render_xlsx checks it is there).
    member = f"xl/worksheets/sheet{len(workbook.worksheets)}.xml"
    return Sheet(member, header, rows, font, alignments, styles)


def fixed_times(data: bytes, sheets: Sequence[Sheet] = ()) -> bytes:
    """The same zip with every member dated FIXED_TIME, as zipfile stamps each with the time of writing.

    The `sheets` are written into their (empty) worksheets on the way, a piece at a time.
    """
    out = io.BytesIO()
    cells = {sheet.member: sheet for sheet in sheets}
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            if member.filename not in cells:
                target.writestr(info, source.read(member))
                continue
            with target.open(info, "w") as handle:
                for piece in cells[member.filename].into(source.read(member), excel_text):
                    handle.write(piece)
    return out.getvalue()


def render_xlsx(report: Report) -> bytes:
    """A workbook with sheets CMOCs, Evidence, Codes, Fragments (Comparison when it compares, Overarching when it has one, Refinement with --since)."""
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
    # The cells written directly when every table is of the kinds sheet_xml knows, else through openpyxl.
    data, written = _workbook(report.title, sheets, all(plain(*table) for _, table in sheets))
    if written:
        with zipfile.ZipFile(io.BytesIO(data)) as made:
            members = set(made.namelist())
            if not all(sheet.member in members and fits(made.read(sheet.member)) for sheet in written):
                data, written = _workbook(report.title, sheets, False)
    return fixed_times(data, written)


def _workbook(title: str, sheets: Sequence[tuple[str, Table]], direct: bool) -> tuple[bytes, list[Sheet]]:
    """The workbook's file; `direct`, with empty worksheets and the sheets to write into them."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    styles = Styles(workbook._cell_styles)
    written = [_plain_sheet(workbook, name, table, styles) for name, table in sheets] if direct else []
    for sheet in written:
        sheet.register()
    if not direct:
        for name, table in sheets:
            _add_sheet(workbook, name, table)
    workbook.properties.title = excel_text(title)
    workbook.properties.creator = "cmo"
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    # ExcelWriter directly: Workbook.save() would stamp the file with the time of saving.
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return buffer.getvalue(), written
