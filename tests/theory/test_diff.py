"""The semantic diff of programme theories: what counts as a change, and its text, Markdown and JSON forms."""

from __future__ import annotations

from typing import Any

from cmo.render.diff_text import format_markdown, format_text
from cmo.theory.diff import Change, ValueChange, diff_theories
from cmo.theory.model import Counts, Fragment, Theory

PROGRAMME = {
    "id": "alpha",
    "name": "Alpha Connectors",
    "framework": "Asset Based Community Development",
    "attributes": {"funding": "Three-year grant", "region": "North"},
}


def evidence(record: str, quote: str, **fields: Any) -> dict[str, Any]:
    transcript = record.split("#")[0]
    entry = {"record": f"alpha/{record}", "transcript": transcript, "source": "interview", "lines": "10-12"}
    return {**entry, "quote": quote, "stance": "supports", **fields}


TRUST: dict[str, Any] = {
    "id": "trust",
    "statement": "If connectors work through key persons, then people seek help, because they trust them",
    "status": "supported",
    "links": ["loop"],
    "codes": {
        "context": [{"id": "stigma", "label": "Stigma around mental health"}],
        "mechanism": [{"id": "key-persons", "label": "Working through key persons"}],
    },
    "counts": {
        "excerpts": 2,
        "codings": 2,
        "supporting": 2,
        "transcripts": 2,
        "participants": 2,
        "by_source": {"interview": 1, "observation": 1},
    },
    "triangulated": True,
    "evidence": [
        evidence("a-int-01#3", "It took months before anyone would talk to me"),
        evidence("a-obs-01#1", "The imam introduced her", source="observation", transcript="a-obs-01"),
    ],
}
OLD_ONE: dict[str, Any] = {"id": "old-one", "statement": "If A, then B, because C", "status": "initial"}


def theory(*cmocs: dict[str, Any], **programme: Any) -> Theory:
    return Theory.model_validate({"programme": {**PROGRAMME, **programme}, "cmocs": list(cmocs)})


def changed(cmoc: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**cmoc, **fields}


# --- what counts as a change -------------------------------------------------------------------


def test_cmocs_added_removed_and_changed_in_new_order_then_removed_in_old_order() -> None:
    old = theory({"id": "c"}, OLD_ONE, {"id": "a"}, TRUST, {"id": "b"})
    new = theory({"id": "fresh"}, changed(TRUST, status="refined"), {"id": "z"}, {"id": "c"})
    diff = diff_theories(old, new)
    assert [(c.id, c.change) for c in diff.cmocs] == [
        ("fresh", Change.ADDED),
        ("trust", Change.CHANGED),
        ("z", Change.ADDED),
        ("old-one", Change.REMOVED),
        ("a", Change.REMOVED),
        ("b", Change.REMOVED),
    ]
    assert diff.summary() == "2 CMOCs added, 1 changed, 3 removed"
    assert diff.theory is Change.CHANGED and not diff.empty


def test_curated_fields_old_to_new() -> None:
    new = changed(TRUST, statement="If X, then Y, because Z", notes="Strongest in the women's groups.", links=[])
    new["imported_from"] = {"programme": "beta", "cmoc": "trust-beta"}
    [cmoc] = diff_theories(theory(TRUST), theory(new)).cmocs
    assert cmoc.curated == (
        ValueChange("statement", TRUST["statement"], "If X, then Y, because Z"),
        ValueChange("notes", None, "Strongest in the women's groups."),
        ValueChange("links", ["loop"], []),
        ValueChange("imported_from", None, {"programme": "beta", "cmoc": "trust-beta"}),
    )
    assert (cmoc.codes, cmoc.counts, cmoc.evidence_added, cmoc.evidence_withdrawn) == ((), (), (), ())


def test_status_change_alone_is_a_change() -> None:
    [cmoc] = diff_theories(theory(TRUST), theory(changed(TRUST, status="refuted"))).cmocs
    assert cmoc.curated == (ValueChange("status", "supported", "refuted"),)


def test_codes_added_removed_and_relabelled_per_role() -> None:
    codes = {
        "context": [{"id": "stigma", "label": "Stigma within the group"}],
        "mechanism": [{"id": "building-trust", "label": "Building trust"}],
        "outcome": [{"id": "help-seeking"}],
    }
    [cmoc] = diff_theories(theory(TRUST), theory(changed(TRUST, codes=codes))).cmocs
    assert [(c.role, [a.id for a in c.added], [r.id for r in c.removed], c.relabelled) for c in cmoc.codes] == [
        ("context", [], [], (ValueChange("stigma", "Stigma around mental health", "Stigma within the group"),)),
        ("mechanism", ["building-trust"], ["key-persons"], ()),
        ("outcome", ["help-seeking"], [], ()),
    ]


def test_evidence_added_withdrawn_and_changed_by_record() -> None:
    first, second = TRUST["evidence"]
    new_evidence = [
        {**first, "quote": "It took months before anyone at the mosque would talk to me", "lines": "10-13"},
        evidence("a-int-02#1", "They never came back", stance="refutes", transcript="a-int-02"),
    ]
    [cmoc] = diff_theories(theory(TRUST), theory(changed(TRUST, evidence=new_evidence))).cmocs
    assert [e.record for e in cmoc.evidence_added] == ["alpha/a-int-02#1"]
    assert [(e.record, e.quote) for e in cmoc.evidence_withdrawn] == [("alpha/a-obs-01#1", second["quote"])]
    [kept] = cmoc.evidence_changed
    assert kept.record == "alpha/a-int-01#3"
    # The quote is a change; that its lines moved as well is not one, but the entry says where it is now.
    assert kept.changes == (
        ValueChange("quote", first["quote"], "It took months before anyone at the mosque would talk to me"),
    )
    assert (kept.old.lines, kept.new.lines) == ("10-12", "10-13")


def test_evidence_that_only_moved_in_its_transcript_is_no_change() -> None:
    moved = changed(TRUST, evidence=[{**entry, "lines": "40-42"} for entry in TRUST["evidence"]])
    assert diff_theories(theory(TRUST), theory(moved)).empty
    [cmoc] = diff_theories(theory(TRUST), theory(changed(moved, status="refined"))).cmocs
    assert (cmoc.curated, cmoc.evidence_changed) == ((ValueChange("status", "supported", "refined"),), ())


def test_evidence_elicited_source_transcript_coder_and_participants_are_changes() -> None:
    first, second = TRUST["evidence"]
    kept = {**first, "lines": "1-2", "elicited": True, "coder": "AB", "participants": ["P01"]}
    moved = {**second, "source": "interview", "transcript": "a-int-09"}
    [cmoc] = diff_theories(theory(TRUST), theory(changed(TRUST, evidence=[kept, moved]))).cmocs
    assert [c.changes for c in cmoc.evidence_changed] == [
        (
            ValueChange("elicited", False, True),
            ValueChange("coder", None, "AB"),
            ValueChange("participants", [], ["P01"]),
        ),
        (ValueChange("transcript", "a-obs-01", "a-int-09"), ValueChange("source", "observation", "interview")),
    ]


def test_evidence_stance_change() -> None:
    first, second = TRUST["evidence"]
    new = changed(TRUST, evidence=[{**first, "stance": "refines"}, second])
    [cmoc] = diff_theories(theory(TRUST), theory(new)).cmocs
    assert [c.changes for c in cmoc.evidence_changed] == [(ValueChange("stance", "supports", "refines"),)]


def test_counts_before_and_after_only_those_that_changed() -> None:
    counts = {**TRUST["counts"], "excerpts": 3, "refuting": 1, "by_source": {"interview": 2}}
    [cmoc] = diff_theories(theory(TRUST), theory(changed(TRUST, counts=counts, triangulated=False))).cmocs
    assert cmoc.counts == (
        ValueChange("excerpts", 2, 3),
        ValueChange("refuting", 0, 1),
        ValueChange("by_source.interview", 1, 2),
        ValueChange("by_source.observation", 1, 0),
        ValueChange("triangulated", True, False),
    )


def test_every_count_of_the_model_is_diffed_in_its_order() -> None:
    names = [name for name in Counts.model_fields if name != "by_source"]
    assert {"codings", "supporting", "refining", "elicited", "spontaneous", "observed"} <= set(names)
    counts = {**TRUST["counts"], **dict.fromkeys(names, 7)}
    [cmoc] = diff_theories(theory(TRUST), theory(changed(TRUST, counts=counts))).cmocs
    assert cmoc.counts == tuple(ValueChange(name, TRUST["counts"].get(name, 0), 7) for name in names)


def test_a_source_type_missing_from_by_source_counts_as_zero() -> None:
    counts = {**TRUST["counts"], "by_source": {"interview": 1, "observation": 1, "document": 0, "workshop": 0}}
    assert diff_theories(theory(TRUST), theory(changed(TRUST, counts=counts))).empty


def test_programme_name_framework_and_attributes() -> None:
    new = theory(
        TRUST, name="Alpha Community Connectors", framework=None, attributes={"funding": "Five-year grant", "area": "X"}
    )
    changes = diff_theories(theory(TRUST), new).programme_changes
    assert changes.fields == (
        ValueChange("name", "Alpha Connectors", "Alpha Community Connectors"),
        ValueChange("framework", "Asset Based Community Development", None),
    )
    assert changes.attributes == (
        ValueChange("funding", "Three-year grant", "Five-year grant"),
        ValueChange("area", None, "X"),
        ValueChange("region", "North", None),
    )
    assert diff_theories(theory(TRUST), new).summary() == (
        "0 CMOCs added, 0 changed, 0 removed; programme description changed"
    )


def test_no_old_theory_means_every_cmoc_added() -> None:
    diff = diff_theories(None, theory(TRUST, OLD_ONE))
    assert (diff.theory, diff.programme) == (Change.ADDED, "alpha")
    assert [(c.id, c.change) for c in diff.cmocs] == [("trust", Change.ADDED), ("old-one", Change.ADDED)]
    [trust, _] = diff.cmocs
    assert [e.record for e in trust.evidence_added] == ["alpha/a-int-01#3", "alpha/a-obs-01#1"]
    assert ValueChange("excerpts", 0, 2) in trust.counts
    deleted = diff_theories(theory(TRUST), None)
    assert (deleted.theory, [c.change for c in deleted.cmocs]) == (Change.REMOVED, [Change.REMOVED])


def test_empty_diffs() -> None:
    assert diff_theories(None, None).empty
    assert diff_theories(theory(TRUST, OLD_ONE), theory(TRUST, OLD_ONE)).empty
    assert format_text(diff_theories(None, None)) == "no changes to the programme theory\n"
    assert format_text(diff_theories(theory(TRUST), theory(TRUST))) == "no changes to the programme theory alpha\n"
    assert format_markdown(diff_theories(theory(), theory())) == "no changes to the programme theory `alpha`\n"


def test_order_of_cmocs_codes_and_evidence_is_not_a_change() -> None:
    reordered = changed(
        TRUST,
        evidence=list(reversed(TRUST["evidence"])),
        codes={"mechanism": TRUST["codes"]["mechanism"], "context": TRUST["codes"]["context"]},
    )
    assert diff_theories(theory(TRUST, OLD_ONE), theory(OLD_ONE, reordered)).empty


def test_an_id_written_twice_is_diffed_occurrence_by_occurrence() -> None:
    diff = diff_theories(theory(TRUST, changed(TRUST, status="initial")), theory(TRUST))
    assert [(c.id, c.change) for c in diff.cmocs] == [("trust", Change.REMOVED)]
    assert diff.cmocs[0].curated[1] == ValueChange("status", "initial", None)


# --- tests that each kill a mutant the suite once let through (docs/testing.md) ----------------


def test_an_empty_statement_and_no_statement_are_the_same() -> None:
    without = {"id": "bare", "status": "initial"}
    empty = {**without, "statement": "", "notes": ""}
    assert diff_theories(theory(without), theory(empty)).cmocs == ()
    assert diff_theories(theory(empty), theory(without)).empty
    [cmoc] = diff_theories(theory(without), theory({**without, "statement": "If A"})).cmocs
    assert cmoc.curated == (ValueChange("statement", None, "If A"),)


# --- confidence, completeness and fragments ------------------------------------------------------


def test_confidence_is_a_curated_change_with_its_level_and_rationale() -> None:
    rated = changed(TRUST, confidence={"level": "moderate"})
    higher = changed(TRUST, confidence={"level": "high", "rationale": "Interviews and observations agree"})
    [cmoc] = diff_theories(theory(rated), theory(higher)).cmocs
    assert cmoc.curated == (
        ValueChange(
            "confidence", {"level": "moderate"}, {"level": "high", "rationale": "Interviews and observations agree"}
        ),
    )
    [first] = diff_theories(theory(TRUST), theory(rated)).cmocs
    assert first.curated == (ValueChange("confidence", None, {"level": "moderate"}),)


def test_completeness_before_and_after_in_the_order_context_mechanism_outcome() -> None:
    partial = changed(TRUST, completeness=["outcome", "mechanism"])
    whole = changed(TRUST, completeness=["context", "mechanism", "outcome"])
    [cmoc] = diff_theories(theory(partial), theory(whole)).cmocs
    assert cmoc.completeness == ValueChange(
        "completeness", ["mechanism", "outcome"], ["context", "mechanism", "outcome"]
    )
    assert (cmoc.curated, cmoc.codes, cmoc.counts) == ((), (), ())
    assert diff_theories(theory(partial), theory(changed(TRUST, completeness=["mechanism", "outcome"]))).empty


def ref(record: str, lines: str = "5", stance: str = "supports") -> dict[str, Any]:
    return {"record": f"alpha/{record}", "transcript": record.split("#")[0], "lines": lines, "stance": stance}


STIGMA: dict[str, Any] = {
    "code": "stigma",
    "role": "context",
    "label": "Stigma around mental health",
    "excerpts": 2,
    "evidence": [ref("a-int-01#aa"), ref("a-int-02#bb")],
}


def with_fragments(*fragments: dict[str, Any]) -> Theory:
    return theory(TRUST).model_copy(update={"fragments": [Fragment.model_validate(f) for f in fragments]})


def test_a_theory_whose_only_change_is_in_its_fragments_is_changed() -> None:
    grown = {**STIGMA, "excerpts": 3, "evidence": [ref("a-int-01#aa"), ref("a-int-03#cc"), ref("a-int-02#bb")]}
    diff = diff_theories(with_fragments(STIGMA), with_fragments(grown))
    assert diff.theory is Change.CHANGED and diff.cmocs == ()
    [fragment] = diff.fragments
    assert (fragment.role, fragment.code, fragment.change) == ("context", "stigma", Change.CHANGED)
    assert fragment.excerpts == ValueChange("excerpts", 2, 3) and fragment.label is None
    assert [r.record for r in fragment.evidence_added] == ["alpha/a-int-03#cc"]
    assert (fragment.evidence_withdrawn, fragment.evidence_changed) == ((), ())
    assert diff.summary() == "0 CMOCs added, 0 changed, 0 removed; fragments: 0 codes added, 1 changed, 0 removed"


def test_fragment_codes_added_and_removed_with_their_evidence() -> None:
    key_persons = {"code": "key-persons", "role": "mechanism", "excerpts": 1, "evidence": [ref("a-int-04#dd")]}
    diff = diff_theories(with_fragments(STIGMA), with_fragments(key_persons))
    assert [(f.role, f.code, f.change) for f in diff.fragments] == [
        ("mechanism", "key-persons", Change.ADDED),
        ("context", "stigma", Change.REMOVED),
    ]
    added, removed = diff.fragments
    assert [r.record for r in added.evidence_added] == ["alpha/a-int-04#dd"] and added.label is None
    assert [r.record for r in removed.evidence_withdrawn] == ["alpha/a-int-01#aa", "alpha/a-int-02#bb"]
    assert removed.label == ValueChange("label", "Stigma around mental health", None)
    assert diff.summary().endswith("; fragments: 1 code added, 0 changed, 1 removed")
    assert [f.change for f in diff_theories(None, with_fragments(STIGMA)).fragments] == [Change.ADDED]


def test_a_fragment_ref_that_only_moved_is_no_change_but_a_new_stance_is() -> None:
    moved = {**STIGMA, "evidence": [ref("a-int-02#bb", lines="30"), ref("a-int-01#aa", lines="20-21")]}
    assert diff_theories(with_fragments(STIGMA), with_fragments(moved)).empty
    refuting = {**STIGMA, "evidence": [ref("a-int-01#aa", stance="refutes"), ref("a-int-02#bb")]}
    [fragment] = diff_theories(with_fragments(STIGMA), with_fragments(refuting)).fragments
    [kept] = fragment.evidence_changed
    assert (kept.record, kept.changes) == ("alpha/a-int-01#aa", (ValueChange("stance", "supports", "refutes"),))


def test_the_same_code_in_another_role_is_another_fragment() -> None:
    diff = diff_theories(with_fragments(STIGMA), with_fragments(STIGMA, {**STIGMA, "role": "barriers"}))
    assert [(f.role, f.change) for f in diff.fragments] == [("barriers", Change.ADDED)]
