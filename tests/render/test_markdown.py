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


def test_markdown_shows_completeness_confidence_passages_and_fragments() -> None:
    from tests.render.test_view import judged_report

    text = render_markdown(judged_report())
    judged = text[text.index("#### `judged`") : text.index("#### `backed`")]
    assert "Completeness: context: not yet coded; mechanism: coded; outcome: coded." in judged
    assert (
        "Confidence: moderate (Two kinds of data; the workshop agreed only when asked \\<i\\>directly\\</i\\>.)"
        in judged
    )
    assert (
        "2 supporting, 1 refining, 2 refuting; 6 codings of 5 passages; 1 elicited, 3 spontaneous, 1 observed" in judged
    )
    assert "- Mechanism: Building trust (5) (`building-trust`)" in judged
    assert "(workshop; P03; refines; **elicited: answering the evaluator's theory**)" in judged
    assert "(observation; no participant named; refutes)" in judged
    assert "Confidence: not yet judged" in text[text.index("#### `backed`") :]
    assert "**2 of 3 CMOCs are complete (C+M+O); context not yet coded in 1.**" in text
    fragments = text[text.index("### Coded evidence not yet in a configuration (`harbour`)") :]
    assert "they are not counted or compared as CMOCs." in fragments and "2 codes over 2 passages." in fragments
    assert (
        "| Context | Stigma \\<b\\>around\\</b\\> help (`stigma`) | 2 | h-int-01 lines 12-14; h-ws-01 line 40 (refutes) |"
        in fragments
    )
    assert "#### `" not in fragments  # fragments are never CMOCs


def test_json_holds_completeness_confidence_counts_and_fragments() -> None:
    from tests.render.test_view import judged_report

    [programme] = report_dict(judged_report())["programmes"]
    judged, backed = programme["cmocs"][0], programme["cmocs"][1]
    assert (judged["completeness"], judged["missing"]) == (["mechanism", "outcome"], ["context"])
    assert judged["confidence"] == {
        "level": "moderate",
        "rationale": "Two kinds of data; the workshop agreed only when asked <i>directly</i>.",
    }
    assert backed["confidence"] is None
    counts = judged["counts"]
    assert [counts[k] for k in ("excerpts", "codings", "supporting", "refining", "refuting")] == [5, 6, 2, 1, 2]
    assert [counts[k] for k in ("elicited", "spontaneous", "observed")] == [1, 3, 1]
    assert judged["codes"]["mechanism"] == [{"id": "building-trust", "label": "Building trust", "excerpts": 5}]
    assert [(q["stance"], q["elicited"]) for q in judged["quotes"]] == [("refines", True), ("refutes", False)]
    assert programme["completeness"] == "2 of 3 CMOCs are complete (C+M+O); context not yet coded in 1."
    assert programme["fragments"][0] == {
        "code": "stigma",
        "role": "context",
        "label": "Stigma <b>around</b> help",
        "excerpts": 2,
        "evidence": [
            {"record": "harbour/h-int-01#aaaa0001", "transcript": "h-int-01", "lines": "12-14", "stance": "supports"},
            {"record": "harbour/h-ws-01#bbbb0002.2", "transcript": "h-ws-01", "lines": "40", "stance": "refutes"},
        ],
    }
    assert [f["code"] for f in programme["fragments"]] == ["stigma", "drop-ins"]
