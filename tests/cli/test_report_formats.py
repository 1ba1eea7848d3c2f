"""`cmo report --format`: every format offered has a renderer, and every renderer is offered."""

from __future__ import annotations

import pytest

from cmo.cli.commands.report import renderers
from cmo.cli.options import ReportFormat
from cmo.render.formats import FORMAT_BY_SUFFIX, RENDERERS
from cmo.render.view import build_report
from cmo.theory.store import load_theories
from tests.conftest import REPO


def test_every_report_format_has_a_renderer() -> None:
    assert sorted(renderers()) == sorted(fmt.value for fmt in ReportFormat)


def test_only_the_terminal_layout_is_outside_the_core() -> None:
    assert set(renderers()) - set(RENDERERS) == {"text"}


def test_every_suffix_names_an_offered_format() -> None:
    assert set(FORMAT_BY_SUFFIX.values()) <= {fmt.value for fmt in ReportFormat}


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_each_renderer_renders_text_or_bytes_as_it_says(fmt: ReportFormat) -> None:
    from cmo.core.diagnostics import Diagnostics

    report = build_report(load_theories(["northcliffe-connect"], REPO / "theories", Diagnostics()), None)
    renderer = renderers()[fmt.value]
    data = renderer.render(report)
    assert data
    if renderer.binary:
        assert isinstance(data, bytes)


def _shown(fmt: ReportFormat) -> str:
    """What a reader of the judged report sees in `fmt`, as plain text."""
    import io

    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from rich.console import Console

    from cmo.cli.report_text import print_report
    from tests.render.test_view import judged_report

    report = judged_report()
    if fmt is ReportFormat.text:  # wide enough that no table cell wraps
        buffer = io.StringIO()
        print_report(report, Console(file=buffer, width=400, highlight=False))
        return buffer.getvalue()
    data = renderers()[fmt.value].render(report)
    if isinstance(data, bytes):
        workbook = load_workbook(io.BytesIO(data))
        assert "Fragments" in workbook.sheetnames
        return "\n".join(str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row)
    return data


@pytest.mark.parametrize("fmt", [ReportFormat.text, ReportFormat.html, ReportFormat.md, ReportFormat.xlsx])
def test_every_layout_shows_completeness_confidence_passages_and_fragments(fmt: ReportFormat) -> None:
    text = _shown(fmt)
    for shown in ("not yet coded", "not yet judged", "moderate", "Weekly drop-ins", "h-ws-01 line 40 (refutes)"):
        assert shown in text, (fmt, shown)
    if fmt is not ReportFormat.xlsx:  # a sheet gives each count a column of its own
        assert "2 of 3 CMOCs are complete (C+M+O)" in text
        assert "2 supporting, 1 refining, 2 refuting" in text and "6 codings of 5 passages" in text
        assert "Coded evidence not yet in a configuration" in text


def test_json_holds_what_the_layouts_show() -> None:
    import json

    from tests.render.test_view import judged_report

    data = json.loads(renderers()["json"].render(judged_report()))
    [programme] = data["programmes"]
    assert [c["confidence"] and c["confidence"]["level"] for c in programme["cmocs"]] == ["moderate", None, None]
    assert [c["missing"] for c in programme["cmocs"]] == [["context"], [], []]
    assert [f["code"] for f in programme["fragments"]] == ["stigma", "drop-ins"]
