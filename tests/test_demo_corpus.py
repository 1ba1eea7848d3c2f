"""The demo corpus is valid and holds the study's picture for later comparison."""

from __future__ import annotations

from collections import Counter

import pytest

from cmo.corpus.coding import CodingResult, code_corpus
from cmo.corpus.models import SourceType, Stance
from tests.conftest import DEMO_CORPUS

A, B = "northcliffe-connect", "riverside-bridges"


@pytest.fixture(scope="module")
def demo() -> CodingResult:
    return code_corpus([DEMO_CORPUS])


def _codes_used(demo: CodingResult, programme: str, field: str) -> set[str]:
    return {code for r in demo.records if r.programme == programme for code in getattr(r, field)}


def test_demo_corpus_has_no_diagnostics(demo: CodingResult) -> None:
    assert [d.format() for d in demo.diagnostics] == []


def test_each_programme_covers_every_source_type(demo: CodingResult) -> None:
    for programme in (A, B):
        transcripts = [t for t in demo.transcripts if t.programme == programme]
        assert len(transcripts) >= 6
        assert {t.source for t in transcripts} == set(SourceType)
    assert len(demo.records) >= 40


def test_programmes_differ_in_their_description(demo: CodingResult) -> None:
    assert demo.corpus is not None
    a, b = (demo.corpus.programmes[p].programme for p in (A, B))
    assert a is not None and b is not None
    assert a.framework == "Asset Based Community Development"
    assert b.framework == "none"
    for attribute in ("funding", "aims", "length", "ways of working", "type of employee"):
        assert a.attributes[attribute] != b.attributes[attribute]


def test_mechanisms_and_enablers_converge_barriers_diverge(demo: CodingResult) -> None:
    for programme in (A, B):
        assert {"building-trust", "key-persons"} <= _codes_used(demo, programme, "mechanism")
    assert {"understanding-group-life", "talk-about-mental-health"} <= _codes_used(demo, A, "mechanism")
    assert {"insider-understanding", "mental-health-language"} <= _codes_used(demo, B, "mechanism")
    assert {"staff-from-community", "varied-careers"} <= _codes_used(demo, A, "enablers")
    assert {"workers-belong-to-group", "diverse-work-backgrounds"} <= _codes_used(demo, B, "enablers")
    assert "limited-timescale" in _codes_used(demo, A, "barriers")
    assert "provider-distrust" in _codes_used(demo, B, "barriers")
    assert "provider-distrust" not in _codes_used(demo, A, "barriers") | _codes_used(demo, A, "context")


def test_evidence_mixes_stances_and_triangulates(demo: CodingResult) -> None:
    stances = Counter(r.stance for r in demo.records)
    assert stances[Stance.REFUTES] >= 2 and stances[Stance.REFINES] >= 2
    by_cmoc: dict[tuple[str, str], set[str]] = {}
    for record in demo.records:
        if record.cmoc:
            by_cmoc.setdefault((record.programme, record.cmoc), set()).add(record.source)
    assert any(len(sources) >= 2 for sources in by_cmoc.values())
