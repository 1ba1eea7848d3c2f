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
