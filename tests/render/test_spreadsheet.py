"""Spreadsheets: the xlsx workbook holds what the theories hold, the CSV opens right in Excel, formulas stay text."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from cmo.across.compare import compare
from cmo.core.diagnostics import Diagnostics
from cmo.corpus.layout import discover
from cmo.corpus.models import Programme
from cmo.render.spreadsheet import EXCEL_CELL_LIMIT, cmoc_rows, render_csv, render_xlsx
from cmo.render.view import Report, build_report
from cmo.theory.model import Cmoc, CodeRef, Counts, EvidenceEntry, Theory
from cmo.theory.store import load_theories
from tests.conftest import REPO, assert_golden

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
DEMO = ("northcliffe-connect", "riverside-bridges")
BOM = b"\xef\xbb\xbf"


@cache
def _demo() -> tuple[list[Theory], Report]:
    diagnostics = Diagnostics()
    theories = load_theories(DEMO, REPO / "theories", diagnostics)
    comparison = compare(theories, discover([REPO / "corpus"], diagnostics))
    assert not diagnostics.errors
    return theories, build_report(theories, comparison)


@cache
def _demo_workbook() -> Any:
    return load_workbook(io.BytesIO(render_xlsx(_demo()[1])))


def _records(sheet: Any) -> list[dict[str, Any]]:
    """Data rows as {header: value}."""
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _column(sheet: Any, name: str) -> Any:
    """The cells of the column headed `name`, header included."""
    [letter] = [cell.column_letter for cell in sheet[1] if cell.value == name]
    return sheet[letter]


def _demo_cmoc(programme: str, cmoc: str) -> Cmoc:
    theories, _ = _demo()
    [theory] = [t for t in theories if t.programme.id == programme]
    [found] = [c for c in theory.cmocs if c.id == cmoc]
    return found


def test_cmoc_sheet_holds_what_the_theory_holds() -> None:
    cmoc = _demo_cmoc("northcliffe-connect", "trust-through-key-persons")
    rows = _records(_demo_workbook()["CMOCs"])
    [row] = [r for r in rows if (r["Programme"], r["CMOC"]) == ("northcliffe-connect", "trust-through-key-persons")]
    assert row["Statement"] == cmoc.statement
    assert (row["Status"], row["Statement composed"], row["Triangulated"]) == ("supported", "no", "yes")
    assert (row["Excerpts"], row["Transcripts"], row["Participants"], row["Refuting"]) == (
        cmoc.counts.excerpts,
        cmoc.counts.transcripts,
        cmoc.counts.participants,
        cmoc.counts.refuting,
    )
    assert [row[s] for s in ("Interview", "Observation", "Document", "Workshop")] == [2, 1, 1, 1]
    counts = cmoc.counts
    assert [row[name] for name in ("Codings", "Supporting", "Refining", "Elicited", "Spontaneous", "Observed")] == [
        counts.codings,
        counts.supporting,
        counts.refining,
        counts.elicited,
        counts.spontaneous,
        counts.observed,
    ]
    assert cmoc.confidence is not None
    assert (row["Confidence"], row["Confidence rationale"]) == (cmoc.confidence.level.value, cmoc.confidence.rationale)
    assert row["Completeness"] == "complete (context, mechanism and outcome)"
    # Each code with the passages of this CMOC that carry it.
    assert row["Mechanism: resource"] == "Working through existing key persons in the community (key-persons): 5"
    assert row["Actor"] == (
        "Community matriarchs (community-matriarchs): 4; Faith leaders (faith-leaders): 4; "
        "Local shop owners (shop-owners): 1"
    )
    assert row["Intervention"] is None  # an empty role is a blank cell, not an empty string
    assert (row["Links"], row["Notes"]) == ("; ".join(cmoc.links), cmoc.notes)
    theories, _ = _demo()
    assert len(rows) == sum(len(t.cmocs) for t in theories)
    composed = [r for r in rows if r["Statement composed"] == "yes"]
    assert composed and all(r["Statement"].startswith("Draft: ") for r in composed)


def test_evidence_sheet_has_a_row_per_quote_with_its_source() -> None:
    cmoc = _demo_cmoc("northcliffe-connect", "trust-through-key-persons")
    rows = _records(_demo_workbook()["Evidence"])
    mine = [r for r in rows if r["CMOC"] == "trust-through-key-persons" and r["Programme"] == "northcliffe-connect"]
    assert [r["Quote"] for r in mine] == [e.quote for e in cmoc.evidence]
    # The mosque passage is double-coded (AB and CD): one row per coding, both of the same lines.
    mosque, again = [r for r in mine if r["Transcript"] == "nc-int-01" and r["Lines"] == "67-68"]
    assert (again["Coder"], again["Quote"]) == ("CD", mosque["Quote"])
    assert mosque == {
        "Programme": "northcliffe-connect",
        "CMOC": "trust-through-key-persons",
        "Record": "northcliffe-connect/nc-int-01#ab55274f",
        "Transcript": "nc-int-01",
        "Source type": "interview",
        "Lines": "67-68",
        "Stance": "supports",
        "Elicited": "no",
        "Participants": "P01",
        "Coder": "AB",
        "Quote": "It took months before anyone at the mosque would even talk to me about how they were feeling.",
    }
    theories, _ = _demo()
    assert len(rows) == sum(len(c.evidence) for t in theories for c in t.cmocs)


def test_codes_sheet_counts_the_cmocs_using_each_code() -> None:
    theories, _ = _demo()
    rows = _records(_demo_workbook()["Codes"])
    for theory in theories:
        expected = sum(
            1 for c in theory.cmocs if any(ref.id == "building-trust" for ref in c.codes.get("mechanism", []))
        )
        [row] = [
            r
            for r in rows
            if (r["Programme"], r["Role"], r["Code"]) == (theory.programme.id, "mechanism", "building-trust")
        ]
        assert (row["Label"], row["CMOCs"]) == ("Building trust with the group", expected)
        assert expected > 1
    assert {r["Role"] for r in rows} >= {"context", "mechanism", "resource", "reasoning", "outcome", "enablers"}


def test_every_sheet_has_a_bold_frozen_filtered_header() -> None:
    workbook = _demo_workbook()
    assert workbook.sheetnames == ["CMOCs", "Evidence", "Codes", "Fragments", "Comparison"]
    header, _ = cmoc_rows(_demo()[1])
    assert [c.value for c in workbook["CMOCs"][1]] == header
    assert [c.value for c in workbook["Evidence"][1]][-1] == "Quote"
    assert [c.value for c in workbook["Codes"][1]] == ["Programme", "Role", "Code", "Label", "CMOCs"]
    for sheet in workbook:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == sheet.dimensions
        assert sheet.max_row > 2
        assert all(cell.font.b for cell in sheet[1])
        widths = [dimension.width for dimension in sheet.column_dimensions.values()]
        assert len(widths) == sheet.max_column and all(8 <= w <= 62 for w in widths)
    statements = _column(workbook["CMOCs"], "Statement")
    assert all(cell.alignment.wrap_text for cell in statements[1:])
    assert not any(cell.alignment.wrap_text for cell in _column(workbook["CMOCs"], "Excerpts")[1:])  # short numbers


def test_comparison_sheet_shows_attributes_then_concepts_then_cmoc_pairings() -> None:
    rows = _records(_demo_workbook()["Comparison"])
    attributes = [r for r in rows if r["Role"] == "attribute"]
    assert rows[: len(attributes)] == attributes  # attributes first
    assert attributes[0] == {
        "Role": "attribute",
        "Attribute or concept": "framework",
        "northcliffe-connect": "Asset Based Community Development",
        "riverside-bridges": "none",
        "In programmes": 2,
        "Converge / diverge": "differ",
        "Match": None,
        "Score": None,
    }
    [linked] = [r for r in rows if r["northcliffe-connect"] == "talk-about-mental-health"]
    assert linked == {
        "Role": "mechanism",
        "Attribute or concept": "Understanding how the group talks about mental health"
        " = Understanding how the group talks and thinks about mental health",
        "northcliffe-connect": "talk-about-mental-health",
        "riverside-bridges": "mental-health-language",
        "In programmes": 2,
        "Converge / diverge": "converge",
        "Match": "same-as",  # confirmed in the demo codebook with `cmo codebook link`
        "Score": None,
    }
    [enabler] = [r for r in rows if r["northcliffe-connect"] == "varied-careers"]
    assert (enabler["Role"], enabler["Match"], enabler["Score"]) == ("enabler", "same-as", None)
    [barrier] = [r for r in rows if r["Role"] == "barrier" and r["northcliffe-connect"] == "limited-timescale"]
    assert (barrier["riverside-bridges"], barrier["Converge / diverge"], barrier["Match"]) == (
        None,
        "diverge",
        "one programme",
    )
    _, report = _demo()
    assert report.comparison is not None
    pairings = [r for r in rows if r["Role"] == "CMOC"]
    assert len(pairings) == len(report.comparison.cmocs)
    assert pairings[0]["Converge / diverge"] == "converged (converges)"
    kinds = {r["Converge / diverge"] for r in pairings}
    assert "mechanism-shared (converges)" in kinds and "untested" not in {k.split()[0] for k in kinds} - {"untested"}
    assert any("shared mechanism, divergent barriers: " in r["Attribute or concept"] for r in pairings)
    assert pairings[0]["Attribute or concept"].startswith("mechanism: ")


def test_one_programme_has_no_comparison_sheet() -> None:
    theories, _ = _demo()
    workbook = load_workbook(io.BytesIO(render_xlsx(build_report(theories[:1], None))))
    assert workbook.sheetnames == ["CMOCs", "Evidence", "Codes", "Fragments"]
    assert {r["Programme"] for r in _records(workbook["CMOCs"])} == {"northcliffe-connect"}


def test_xlsx_is_the_same_bytes_every_time() -> None:
    _, report = _demo()
    data = render_xlsx(report)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.properties.created == workbook.properties.modified == datetime(2000, 1, 1)
    assert workbook.properties.title == report.title
    assert render_xlsx(report) == data


def test_csv_has_a_bom_crlf_lines_and_the_cmoc_rows() -> None:
    _, report = _demo()
    data = render_csv(report)
    assert data.startswith(BOM)
    assert data.count(b"\r\n") >= len(report.programmes[0].cmocs) and b"\n" not in data.replace(b"\r\n", b"")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header, rows = cmoc_rows(report)
    assert parsed == [header, *([str(cell) for cell in row] for row in rows)]


def test_demo_csv_matches_the_golden_file() -> None:
    data = render_csv(_demo()[1])
    assert_golden("report.csv", data)


HYPERLINK = '=HYPERLINK("http://x","click")'


def _hostile_report(statement: str, quote: str, notes: str | None = None) -> Report:
    ref = CodeRef(id="trust", label="-trust")
    theory = Theory(
        programme=Programme(id="a", name="A", attributes={"funding": "+44 grant"}),
        cmocs=[
            Cmoc(
                id="x",
                statement=statement,
                notes=notes,
                codes={"mechanism": [ref], "outcome": [ref]},
                counts=Counts(excerpts=1),
                evidence=[EvidenceEntry(record="a/t#1", transcript="t", source="interview", lines="3", quote=quote)],
            )
        ],
    )
    return build_report([theory], None)


@pytest.mark.parametrize("text", ["=1+1", "@SUM(A1)", "+1", "-1", "\t=1", "\r=1", HYPERLINK])
def test_csv_defuses_formulas_in_corpus_text(text: str) -> None:
    report = _hostile_report(statement=text, quote=text, notes=text)
    [header, row] = list(csv.reader(io.StringIO(render_csv(report).decode("utf-8-sig"), newline="")))
    cells = dict(zip(header, row, strict=True))
    assert cells["Statement"] == cells["Notes"] == "'" + text
    assert cells["Mechanism"] == "'-trust (trust)"


def test_xlsx_stores_formulas_in_corpus_text_as_text() -> None:
    report = _hostile_report(statement=HYPERLINK, quote="@SUM(A1)", notes="#N/A")
    workbook = load_workbook(io.BytesIO(render_xlsx(report)))
    statement = _column(workbook["CMOCs"], "Statement")[1]
    assert (statement.value, statement.data_type, statement.quotePrefix) == (HYPERLINK, "s", True)
    quote = _column(workbook["Evidence"], "Quote")[1]
    assert (quote.value, quote.data_type, quote.quotePrefix) == ("@SUM(A1)", "s", True)
    notes = _column(workbook["CMOCs"], "Notes")[1]
    assert (notes.value, notes.data_type, notes.quotePrefix) == ("#N/A", "s", False)  # text, not an error value
    with zipfile.ZipFile(io.BytesIO(render_xlsx(report))) as archive:
        sheets = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in sheets  # no cell of any sheet holds a formula


def test_xlsx_keeps_text_excel_cannot_hold_from_breaking_the_file() -> None:
    long_quote = "word " * EXCEL_CELL_LIMIT
    report = _hostile_report(statement="bell\x07 and null\x00 here", quote=long_quote)
    workbook = load_workbook(io.BytesIO(render_xlsx(report)))
    statement = _column(workbook["CMOCs"], "Statement")[1].value
    assert statement == "bell\N{REPLACEMENT CHARACTER} and null\N{REPLACEMENT CHARACTER} here"
    quote = _column(workbook["Evidence"], "Quote")[1].value
    assert len(quote) == EXCEL_CELL_LIMIT and quote.endswith(" […]")
    assert quote.startswith("word word ")


def test_workbook_holds_completeness_confidence_elicited_quotes_and_fragments() -> None:
    from tests.render.test_view import judged_report

    workbook = load_workbook(io.BytesIO(render_xlsx(judged_report())))
    assert workbook.sheetnames == ["CMOCs", "Evidence", "Codes", "Fragments"]
    cmocs = {r["CMOC"]: r for r in _records(workbook["CMOCs"])}
    assert list(cmocs) == ["judged", "backed", "refuted-often"]  # curated, then by supporting + refining passages
    judged = cmocs["judged"]
    assert (judged["Confidence"], judged["Confidence rationale"]) == (
        "moderate",
        "Two kinds of data; the workshop agreed only when asked <i>directly</i>.",
    )
    assert (cmocs["backed"]["Confidence"], cmocs["backed"]["Confidence rationale"]) == ("not yet judged", None)
    assert judged["Completeness"] == "context: not yet coded; mechanism: coded; outcome: coded"
    assert [judged[n] for n in ("Excerpts", "Codings", "Supporting", "Refining", "Refuting")] == [5, 6, 2, 1, 2]
    assert [judged[n] for n in ("Elicited", "Spontaneous", "Observed")] == [1, 3, 1]
    assert (
        cmocs["refuted-often"]["Context"]
        == "Stigma around mental health (stigma): 2; Distance from services (distance): 1"
    )
    quotes = _records(workbook["Evidence"])
    assert [(q["Stance"], q["Elicited"]) for q in quotes] == [("refines", "yes"), ("refutes", "no")]
    fragments = _records(workbook["Fragments"])
    assert fragments == [
        {
            "Programme": "harbour",
            "Role": "context",
            "Code": "stigma",
            "Label": "Stigma <b>around</b> help",
            "Passages": 2,
            "Where": "h-int-01 lines 12-14; h-ws-01 line 40 (refutes)",
            "Records": "harbour/h-int-01#aaaa0001; harbour/h-ws-01#bbbb0002.2",
        },
        {
            "Programme": "harbour",
            "Role": "intervention",
            "Code": "drop-ins",
            "Label": "Weekly drop-ins",
            "Passages": 1,
            "Where": "h-int-01 lines 12-14",
            "Records": "harbour/h-int-01#aaaa0001.2",
        },
    ]
