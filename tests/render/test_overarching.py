"""The overarching theory in every report format: its CMOCs, each programme's evidence and conditions, escaped."""

from __future__ import annotations

import io
import json

import pytest

from cmo.across.compare import compare
from cmo.core.diagnostics import Diagnostics
from cmo.corpus.layout import discover
from cmo.render.html import render_html
from cmo.render.json_data import render_json
from cmo.render.markdown import render_markdown
from cmo.render.spreadsheet import render_xlsx
from cmo.render.view import Report, build_report
from cmo.theory.model import OverarchingTheory, load_overarching_bytes
from cmo.theory.store import load_theories
from tests.conftest import REPO
from tests.render.test_html import HOSTILE, Page, demo_report

DEMO = ("northcliffe-connect", "riverside-bridges")


def demo_overarching() -> OverarchingTheory:
    diagnostics = Diagnostics()
    path = REPO / "theories" / "overarching.yaml"
    theory = load_overarching_bytes(path.read_bytes(), str(path), diagnostics)
    assert theory is not None and not diagnostics.errors, diagnostics.sorted()
    return theory


def with_overarching() -> Report:
    """The demo's comparison report with its overarching theory, as `cmo report` builds it."""
    diagnostics = Diagnostics()
    theories = load_theories(list(DEMO), REPO / "theories", diagnostics)
    comparison = compare(theories, discover([REPO / "corpus"], diagnostics))
    return build_report(theories, comparison, demo_overarching())


@pytest.fixture(scope="module")
def report() -> Report:
    return with_overarching()


def _barrier_cmoc(report: Report) -> str:
    """The demo's overarching CMOC that keeps both programmes' barriers: shared mechanism, divergent barriers."""
    assert report.overarching is not None
    [found] = [
        c
        for c in report.overarching.cmocs
        if c.kind == "mechanism-shared"
        and len(c.mechanism) == 2
        and c.outcome
        and any("distrust-blocks-partnership" in side.cmocs for side in c.sides)
    ]
    assert found.finding is not None and found.finding.startswith("shared mechanism, divergent barriers: ")
    return found.id


def test_html_has_the_overarching_section_with_each_side_and_its_barriers(report: Report) -> None:
    page = Page(render_html(report))
    ids = page.ids()
    assert "overarching" in ids
    assert report.overarching is not None
    assert all(f"overarching-{cmoc.id}" in ids for cmoc in report.overarching.cmocs)
    text = page.all_text()
    assert "Distrust between community providers" in text and "Limited time scale of the project" in text
    assert "shared mechanism, divergent barriers: northcliffe-connect: Limited time scale of the project" in text
    # the programme CMOCs behind it link to their cards on the same page
    hrefs = {a.get("href") for tag, a in page.tags if tag == "a"}
    assert "#cmoc-riverside-bridges-distrust-blocks-partnership" in hrefs
    assert "#overarching" in hrefs  # contents and the checklist point at it


def test_markdown_json_and_workbook_hold_the_overarching_theory(report: Report) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    barrier = _barrier_cmoc(report)
    markdown = render_markdown(report)
    assert "## Overarching theory across `northcliffe-connect`, `riverside-bridges`" in markdown
    assert f"### `{barrier}`" in markdown
    assert "Distrust between community providers (5)" in markdown
    data = json.loads(render_json(report))
    [entry] = [c for c in data["overarching"]["cmocs"] if c["id"] == barrier]
    assert {b["code"] for b in entry["programmes"]["riverside-bridges"]["barriers"]} >= {"provider-distrust"}
    assert entry["programmes"]["northcliffe-connect"]["barriers"] == [
        {"code": "limited-timescale", "label": "Limited time scale of the project", "excerpts": 4}
    ]
    assert data["checklist"][-1]["section"] == "overarching"
    workbook = load_workbook(io.BytesIO(render_xlsx(report)))
    assert workbook.sheetnames == ["CMOCs", "Evidence", "Codes", "Fragments", "Comparison", "Overarching"]
    rows = [[cell.value for cell in row] for row in workbook["Overarching"].iter_rows()]
    header = rows[0]
    barriers = [row[header.index("Barriers")] for row in rows[1:] if row[0] == barrier]
    assert any("Distrust between community providers (provider-distrust): 5" in (b or "") for b in barriers)


def test_no_overarching_key_or_section_without_the_file() -> None:
    report = demo_report()
    assert json.loads(render_json(report))["overarching"] is None
    assert "overarching" not in Page(render_html(report)).ids()
    assert "Overarching theory" not in render_markdown(report)


def test_the_overarching_theory_alone_claims_only_the_summary_item() -> None:
    report = build_report([], None, demo_overarching())
    assert report.title == "Overarching programme theory across northcliffe-connect and riverside-bridges"
    assert [item[0] for item in report.checklist] == [16]
    page = Page(render_html(report))
    assert "overarching" in page.ids() and "programmes" not in page.ids()


def test_every_piece_of_curated_text_is_escaped() -> None:
    theory = demo_overarching()
    first = theory.cmocs[0].model_copy(update={"statement": HOSTILE, "notes": HOSTILE})
    hostile = theory.model_copy(update={"cmocs": [first, *theory.cmocs[1:]]})
    report = build_report([], None, hostile)
    page = Page(render_html(report))
    assert [tag for tag, _ in page.tags if tag in ("script", "img")] == []
    assert HOSTILE in page.all_text()
    markdown = render_markdown(report)
    assert "<script>" not in markdown and "\\<script\\>alert(1)\\</script\\>" in markdown
