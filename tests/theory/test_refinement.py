"""The refinement trail as data: CMOCs then against now, merges found by their passages, the IPT, the checklist."""

from __future__ import annotations

from typing import Any

import pytest

from cmo.core.diagnostics import Diagnostics
from cmo.render.refinement import IPT_ITEM, became
from cmo.render.view import build_report
from cmo.theory import refinement as refinement_module
from cmo.theory.git import GitError
from cmo.theory.model import Status, Theory, load_theory_bytes
from cmo.theory.refinement import Change, Refinement, StanceCounts, check_since, stance_counts, trail

PROGRAMME = {"id": "alpha", "name": "Alpha Connectors"}


def _evidence(record: str, stance: str = "supports", quote: str | None = None) -> dict[str, Any]:
    """Evidence of the passage `record` names: its annotations (`.2`, `.3`) quote the same words."""
    return {
        "record": f"alpha/a-int-01#{record}",
        "transcript": "a-int-01",
        "source": "interview",
        "lines": "3",
        "quote": quote if quote is not None else f"Words of passage {record.split('.')[0]}.",
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


# A theory merged before content-based record ids: positional ids (`#1`, `#2`, a passage coded twice got two),
# quotes as raw Markdown, counts without codings, supporting or refining, no completeness, no code excerpts.
OLD_FORMAT = b"""\
programme: {id: alpha, name: Alpha Connectors}
cmocs:
  - id: trust
    status: initial
    codes:
      mechanism: [{id: building-trust, label: Building trust}]
    counts: {excerpts: 1, transcripts: 1, participants: 1, refuting: 0, by_source: {interview: 1}}
    evidence:
      - {record: alpha/a-int-01#2, transcript: a-int-01, source: interview, lines: '19',
         quote: '**P01:** Once the imam said I was all right, people came to me.', stance: supports}
  - id: key-persons
    status: initial
    counts: {excerpts: 2, transcripts: 1, participants: 1, refuting: 0, by_source: {interview: 2}}
    evidence:
      - {record: alpha/a-int-01#1, transcript: a-int-01, source: interview, lines: 9-10,
         quote: '**P01:** It took *months* before anyone at the mosque   would talk to me.', stance: supports}
      - {record: alpha/a-int-01#3, transcript: a-int-01, source: interview, lines: 9-10, coder: CD,
         quote: '**P01:** It took *months* before anyone at the mosque   would talk to me.', stance: supports}
"""
IMAM = "P01: Once the imam said I was all right, people came to me."
MOSQUE = "P01: It took months before anyone at the mosque would talk to me."


def test_the_trail_knows_a_passage_by_its_words_across_the_record_id_change() -> None:
    diagnostics = Diagnostics()
    then, _ = load_theory_bytes(OLD_FORMAT, "old:theories/alpha.yaml", diagnostics)
    assert then is not None, [d.format() for d in diagnostics.sorted()]
    # Now, merged by today's cmo: digest ids, reading text, and key-persons folded into trust.
    now = _theory(
        {
            "id": "trust",
            "status": "supported",
            "evidence": [_evidence("23f08ea1", quote=IMAM), _evidence("f1fdef61", quote=MOSQUE)],
        }
    )
    refinement = _refinement(then, now)
    assert (refinement.merged, refinement.removed) == ({"key-persons": ("trust",)}, [])
    sides = {t.id: t for t in refinement.cmocs}
    # Two codings of one passage then (positional ids #1 and #3) are one supporting passage.
    assert sides["key-persons"].then is not None
    assert sides["key-persons"].then.evidence == StanceCounts(supporting=1)
    trust = sides["trust"]
    assert trust.then is not None and trust.now is not None
    assert (trust.then.evidence, trust.now.evidence) == (StanceCounts(supporting=1), StanceCounts(supporting=2))


def test_only_passages_that_moved_make_a_merge() -> None:
    then = _theory(
        {"id": "trust", "evidence": [_evidence("aaaa0001"), _evidence("bbbb0002")]},
        # Both of its passages were in trust already at the revision: deleting it moved nothing.
        {"id": "duplicate", "evidence": [_evidence("aaaa0001.2"), _evidence("bbbb0002.2")]},
        # One passage trust held then, one that only it held: only the second can have moved.
        {"id": "partly", "evidence": [_evidence("aaaa0001.3"), _evidence("cccc0003")]},
        {"id": "peers", "evidence": [_evidence("dddd0004")]},
    )
    now = _theory(
        {"id": "trust", "evidence": [_evidence("aaaa0001"), _evidence("bbbb0002")]},
        {"id": "peers", "evidence": [_evidence("dddd0004"), _evidence("cccc0003")]},
    )
    refinement = _refinement(then, now)
    # trust holds duplicate's passages now, as it did then: nothing moved, so nothing was merged into it.
    assert refinement.removed == ["duplicate"]
    # partly's aaaa0001 stayed in trust; its cccc0003 moved into peers.
    assert refinement.merged == {"partly": ("peers",)}


def test_merges_are_found_from_one_index_not_per_pair_of_cmocs(monkeypatch: pytest.MonkeyPatch) -> None:
    def cmocs(prefix: str, count: int) -> list[dict[str, Any]]:
        return [
            {"id": f"{prefix}-{n}", "evidence": [_evidence(f"{prefix}{n:04d}{e:03d}") for e in range(5)]}
            for n in range(count)
        ]

    then, now = _theory(*cmocs("a", 1000)), _theory(*cmocs("b", 1000))
    read = 0
    passage = refinement_module.passage

    def counted(entry: Any) -> tuple[str, str]:
        nonlocal read
        read += 1
        return passage(entry)

    monkeypatch.setattr(refinement_module, "passage", counted)
    refinement = _refinement(then, now)
    assert len(refinement.removed) == 1000 and len(refinement.added) == 1000
    # Each evidence entry of either version is read once: 1,000 gone x 1,000 current never multiply.
    assert read == 2 * 1000 * 5


def test_refuted_means_the_status_became_refuted() -> None:
    then = _theory({"id": "a", "status": "initial"}, {"id": "b", "status": "refuted"}, {"id": "c"})
    now = _theory(
        {"id": "a", "status": "refuted"},
        {"id": "b", "status": "refuted"},  # refuted already at the revision
        {"id": "c", "status": "supported"},
        {"id": "d", "status": "refuted"},  # added since: an addition, not a refutation of the theory then
    )
    assert _refinement(then, now).refuted == ["a"]


def test_the_ipt_is_what_was_initial_at_the_revision() -> None:
    then = _theory({"id": "a", "status": "initial"}, {"id": "b", "status": "supported"}, {"id": "c"})
    now = _theory(
        {"id": "a", "status": "supported"},
        {"id": "b"},
        {"id": "c", "status": "initial"},  # initial now, but not at the revision: not part of the IPT agreed then
        {"id": "d", "status": "initial"},  # added since as initial: a new hypothesis, not the IPT
    )
    refinement = _refinement(then, now)
    assert [t.id for t in refinement.ipt] == ["a"]
    assert became(refinement.cmocs[3]) == "added since, initial: no evidence yet"
    # A file absent at the revision: every CMOC is added, and there was no IPT to show.
    absent = _refinement(None, now)
    assert absent.added == ["a", "b", "c", "d"] and absent.ipt == []
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


def test_checklist_claims_item_4_only_when_it_shows_the_initial_programme_theory() -> None:
    now = _theory({"id": "a", "status": "supported"}, {"id": "b", "status": "initial"})
    # RAMESES II item 4 is the *initial* programme theory: a report without --since does not show one.
    plain = {number: what for number, _, _, what in build_report([now], None).checklist}
    assert list(plain) == [9, 11, 13, 14, 15]
    assert "refine" not in plain[15]
    with_ipt = _checklist(_refinement(_theory({"id": "a", "status": "initial"}), now), now)
    assert list(with_ipt) == [4, 9, 11, 13, 14, 15]  # in item order
    assert with_ipt[4] == (IPT_ITEM[2], IPT_ITEM[3]) and "initial programme theory" in with_ipt[4][1]
    assert with_ipt[15][0] == "refinement" and "refined the theory" in with_ipt[15][1]
    # Nothing initial at the revision (b is initial now, added since): the trail is there (item 15), no item 4.
    without_ipt = _checklist(_refinement(_theory({"id": "a", "status": "new"}), now), now)
    assert 4 not in without_ipt
    assert without_ipt[15][0] == "refinement"
    assert 4 not in _checklist(_refinement(None, now), now)  # the file did not exist then
