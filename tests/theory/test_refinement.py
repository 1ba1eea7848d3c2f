"""The refinement trail as data: CMOCs then against now, merges found by their passages, the IPT, the checklist."""

from __future__ import annotations

from typing import Any

import pytest

from cmo.render.view import RAMESES_ITEMS, build_report
from cmo.theory.git import GitError
from cmo.theory.model import Status, Theory
from cmo.theory.refinement import Change, Refinement, StanceCounts, check_since, stance_counts, trail

PROGRAMME = {"id": "alpha", "name": "Alpha Connectors"}


def _evidence(record: str, stance: str = "supports") -> dict[str, Any]:
    return {
        "record": f"alpha/a-int-01#{record}",
        "transcript": "a-int-01",
        "source": "interview",
        "lines": "3",
        "quote": "words",
        "stance": stance,
    }


def _theory(*cmocs: dict[str, Any]) -> Theory:
    return Theory.model_validate({"programme": PROGRAMME, "cmocs": list(cmocs)})


def _refinement(then: Theory | None, now: Theory) -> Refinement:
    return Refinement("alpha", "ipt", "0" * 40, "ipt:theories/alpha.yaml", then is not None, trail(then, now))


def test_stances_count_distinct_passages_not_annotations() -> None:
    evidence = [_evidence("aaaa0001"), _evidence("aaaa0001.2"), _evidence("bbbb0002", "refines")]
    evidence.append(_evidence("cccc0003", "refutes"))
    cmoc = _theory({"id": "c", "evidence": evidence}).cmocs[0]
    # Two coders on one passage (`.2`) are one supporting passage.
    assert stance_counts(cmoc.evidence) == StanceCounts(supporting=1, refining=1, refuting=1)


def test_a_cmoc_gone_whose_passages_sit_elsewhere_was_merged_into_those() -> None:
    then = _theory(
        {"id": "trust", "status": "initial", "evidence": [_evidence("aaaa0001")]},
        {"id": "key-persons", "status": "initial", "evidence": [_evidence("bbbb0002"), _evidence("cccc0003")]},
        {"id": "loose", "status": "initial", "evidence": [_evidence("dddd0004")]},
    )
    now = _theory(
        {"id": "trust", "status": "refined", "evidence": [_evidence("aaaa0001"), _evidence("bbbb0002.2")]},
        {"id": "peers", "evidence": [_evidence("cccc0003"), _evidence("eeee0005")]},
    )
    refinement = _refinement(then, now)
    # Both now hold one of key-persons' two passages: the tie goes by id. A second annotation (`.2`) is the passage.
    assert refinement.merged == {"key-persons": ("peers", "trust")}
    assert refinement.removed == ["loose"]  # its passage is in no CMOC now
    assert refinement.added == ["peers"]
    changes = {t.id: t.change for t in refinement.cmocs}
    assert changes == {
        "trust": Change.KEPT,
        "key-persons": Change.MERGED,
        "loose": Change.REMOVED,
        "peers": Change.ADDED,
    }


def test_a_cmoc_without_evidence_then_cannot_have_been_merged() -> None:
    refinement = _refinement(_theory({"id": "idea", "status": "initial"}), _theory({"id": "other"}))
    assert (refinement.removed, refinement.merged) == (["idea"], {})


def test_refuted_means_the_status_became_refuted() -> None:
    then = _theory({"id": "a", "status": "initial"}, {"id": "b", "status": "refuted"}, {"id": "c"})
    now = _theory(
        {"id": "a", "status": "refuted"},
        {"id": "b", "status": "refuted"},  # refuted already at the revision
        {"id": "c", "status": "supported"},
        {"id": "d", "status": "refuted"},  # added since: an addition, not a refutation of the theory then
    )
    assert _refinement(then, now).refuted == ["a"]


def test_the_ipt_is_initial_then_or_still_initial_now() -> None:
    then = _theory({"id": "a", "status": "initial"}, {"id": "b", "status": "supported"}, {"id": "c"})
    now = _theory({"id": "a", "status": "supported"}, {"id": "b"}, {"id": "c", "status": "initial"})
    assert [t.id for t in _refinement(then, now).ipt] == ["a", "c"]
    # A file absent at the revision: every CMOC is added, and the IPT is what is initial now.
    absent = _refinement(None, now)
    assert absent.added == ["a", "b", "c"] and [t.id for t in absent.ipt] == ["c"]
    assert absent.cmocs[2].then is None and absent.cmocs[2].now is not None
    assert absent.cmocs[2].now.status is Status.INITIAL


def test_a_rewritten_statement_is_restated() -> None:
    then = _theory({"id": "a", "statement": "If x, then y"}, {"id": "b", "statement": "If p, then q"})
    now = _theory({"id": "a", "statement": "If x and z, then y"}, {"id": "b", "statement": "If p, then q"})
    assert [t.restated for t in _refinement(then, now).cmocs] == [True, False]


@pytest.mark.parametrize("revision", ["", "-p", "--all", "a b", "ipt..HEAD", "ipt...HEAD", "..HEAD"])
def test_since_names_one_revision(revision: str) -> None:
    with pytest.raises(GitError):
        check_since(revision)
    check_since("ipt")
    check_since("HEAD~2")


def _checklist(refinement: Refinement, theory: Theory) -> dict[int, tuple[str, str]]:
    report = build_report([theory], None, None, [refinement])
    return {number: (part, what) for number, _, part, what in report.checklist}


def test_checklist_claims_the_ipt_only_when_there_is_one_to_show() -> None:
    now = _theory({"id": "a", "status": "supported"})
    plain = {number: (part, what) for number, _, part, what in build_report([now], None).checklist}
    assert plain[4] == next((p, w) for n, _, p, w in RAMESES_ITEMS if n == 4)
    assert "refine" not in plain[15][1]
    with_ipt = _checklist(_refinement(_theory({"id": "a", "status": "initial"}), now), now)
    assert with_ipt[4][0] == "ipt" and "initial programme theory" in with_ipt[4][1]
    assert with_ipt[15][0] == "refinement" and "refined the theory" in with_ipt[15][1]
    # Nothing was ever initial: the trail is there (item 15), but there is no initial theory to point item 4 at.
    without_ipt = _checklist(_refinement(_theory({"id": "a", "status": "new"}), now), now)
    assert without_ipt[4] == plain[4]
    assert without_ipt[15][0] == "refinement"
