"""Markdown and JSON reports: golden files on the demo, escaping of corpus text, Mermaid diagrams."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.corpus.models import Programme
from cmo.render.json_data import report_dict
from cmo.render.markdown import mermaid, render_markdown
from cmo.render.view import build_report, diagram
from cmo.theory.model import Cmoc, CodeRef, Counts, EvidenceEntry, Theory
from tests.conftest import REPO, Result, assert_golden

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
DEMO = ("northcliffe-connect", "riverside-bridges")


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_demo_report_matches_the_golden_file(
    fmt: str, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    result = cli("report", *DEMO, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert_golden(f"report.{fmt}", result.stdout)


HOSTILE = '<script>alert(1)</script> | "><img src=x onerror=alert(1)> **bold** [x](javascript:alert(1))'


def _hostile_theory() -> Theory:
    ref = CodeRef(id="trust", label='Trust "quoted" <b>')
    return Theory(
        programme=Programme(id="a", name="A <i>", attributes={"funding": HOSTILE}),
        cmocs=[
            Cmoc(
                id="x",
                statement=HOSTILE,
                notes=HOSTILE,
                codes={"context": [ref], "mechanism": [ref], "outcome": [ref]},
                counts=Counts(excerpts=1),
                evidence=[EvidenceEntry(record="a/t#1", transcript="t", source="interview", lines="3", quote=HOSTILE)],
            )
        ],
    )


def test_markdown_escapes_corpus_text() -> None:
    text = render_markdown(build_report([_hostile_theory()], None))
    assert not re.search(r"(?<!\\)<", text)  # every < is escaped: no raw HTML reaches a Markdown viewer
    assert not re.search(r"(?<!\\)\]\(javascript", text)  # no live link
    assert "\\<script\\>alert(1)\\</script\\>" in text
    assert "\\*\\*bold\\*\\*" in text


def test_mermaid_labels_cannot_break_out_of_the_diagram() -> None:
    chart = mermaid(diagram(_hostile_theory()))
    assert chart.startswith("flowchart LR\n")
    assert 'con_trust["Trust #quot;quoted#quot; #lt;b#gt;"]' in chart
    assert "con_trust --> mec_trust" in chart and "mec_trust --> out_trust" in chart
    assert "<" not in chart and '"quoted"' not in chart


def test_json_report_holds_what_the_theory_holds() -> None:
    data = report_dict(build_report([_hostile_theory()], None))
    [cmoc] = data["programmes"][0]["cmocs"]
    assert (cmoc["statement"], cmoc["statement_composed"], cmoc["quotes"][0]["quote"]) == (HOSTILE, False, HOSTILE)
    assert data["comparison"] is None
    assert json.loads(json.dumps(data)) == data
