"""The semantic diff of programme theories: what counts as a change, and its text, Markdown and JSON forms."""

from __future__ import annotations

from typing import Any

from cmo.render.diff_text import format_markdown, format_text
from cmo.theory.diff import Change, ValueChange, diff_theories
from cmo.theory.model import Theory

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
    "counts": {"excerpts": 2, "transcripts": 2, "participants": 2, "by_source": {"interview": 1, "observation": 1}},
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
    assert kept.changes == (
        ValueChange("lines", "10-12", "10-13"),
        ValueChange("quote", first["quote"], "It took months before anyone at the mosque would talk to me"),
    )


def test_evidence_stance_change() -> None:
    first, second = TRUST["evidence"]
    new = changed(TRUST, evidence=[{**first, "stance": "refines"}, second])
    [cmoc] = diff_theories(theory(TRUST), theory(new)).cmocs
    assert [c.changes for c in cmoc.evidence_changed] == [(ValueChange("stance", "supports", "refines"),)]


def test_counts_before_and_after_only_those_that_changed() -> None:
    counts = {"excerpts": 3, "transcripts": 2, "participants": 2, "refuting": 1, "by_source": {"interview": 2}}
    [cmoc] = diff_theories(theory(TRUST), theory(changed(TRUST, counts=counts, triangulated=False))).cmocs
    assert cmoc.counts == (
        ValueChange("excerpts", 2, 3),
        ValueChange("refuting", 0, 1),
        ValueChange("by_source.interview", 1, 2),
        ValueChange("by_source.observation", 1, 0),
        ValueChange("triangulated", True, False),
    )


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
