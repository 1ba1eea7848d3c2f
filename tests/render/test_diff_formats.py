"""The diff's text, Markdown, JSON and textconv forms, exactly, for every kind of change they show."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from cmo.render.diff_text import format_json, format_markdown, format_text, format_theory, text_diff
from cmo.render.escape import md_escape, printable
from cmo.theory.diff import Change, ValueChange, diff_theories
from cmo.theory.model import CodeRef, Theory

PROGRAMME: dict[str, Any] = {
    "id": "alpha",
    "name": "Alpha Connectors",
    "framework": "ABCD",
    "attributes": {"funding": "Grant", "region": "North"},
}


def theory(*cmocs: dict[str, Any], fragments: tuple[dict[str, Any], ...] = (), **programme: Any) -> Theory:
    data = {"programme": {**PROGRAMME, **programme}, "cmocs": list(cmocs), "fragments": list(fragments)}
    return Theory.model_validate(data)


def evidence(record: str, quote: str, **fields: Any) -> dict[str, Any]:
    entry = {"record": f"alpha/{record}", "transcript": record.split("#")[0], "source": "interview", "lines": "3-4"}
    return {**entry, "quote": quote, "stance": "supports", **fields}


COUNTS = {"excerpts": 1, "transcripts": 1, "participants": 1, "by_source": {"interview": 1}}
BEFORE: dict[str, Any] = {
    "id": "trust",
    "statement": "If A, then B",
    "status": "supported",
    "confidence": {"level": "moderate", "rationale": "Two coders agree"},
    "links": ["loop"],
    "completeness": ["context", "mechanism"],
    "codes": {
        "context": [{"id": "stigma", "label": "Stigma"}, {"id": "gone", "label": "Gone code"}],
        "mechanism": [{"id": "bare"}],
    },
    "counts": COUNTS,
    "evidence": [evidence("int-01#1", "It took months"), evidence("int-01#2", "Same")],
}
# The same CMOC with one of each change a kept CMOC can have, but counts and the statement.
AFTER: dict[str, Any] = {
    **BEFORE,
    "confidence": {"level": "high", "rationale": "Two coders agree"},
    "links": ["loop", "next"],
    "completeness": ["context", "mechanism", "outcome"],
    "notes": "First line\nsecond line",
    "imported_from": {
        "programme": "beta",
        "cmoc": "b-one",
        "untranslated": {"context": [{"id": "x"}, {"id": "y"}], "outcome": [{"id": "z"}]},
    },
    "codes": {
        "context": [{"id": "stigma", "label": "Stigma in the group"}],
        "mechanism": [{"id": "bare"}],
        "outcome": [{"id": "help", "label": "Help"}],
    },
    "evidence": [
        evidence("int-01#1", "It took\nmonths and months", lines="3-5", coder="AB", participants=["P01", "P02"]),
        evidence("int-01#2", "Same", stance="refutes", lines="7"),
    ],
}


def ref(record: str, lines: str = "9", stance: str = "supports") -> dict[str, Any]:
    return {"record": f"alpha/{record}", "transcript": record.split("#")[0], "lines": lines, "stance": stance}


# Fragments with each change one can have: a code added, one removed, and one kept whose label, excerpts and
# evidence changed (a ref added, one withdrawn, one with a new stance, one that only moved: no change).
CONNECTORS = {"code": "connectors", "role": "intervention", "label": "Connectors", "excerpts": 3}
FRAGMENTS_BEFORE = (
    {**CONNECTORS, "evidence": [ref("int-02#1"), ref("int-02#2"), ref("int-02#3"), ref("int-02#4")]},
    {"code": "gone-actor", "role": "actor", "excerpts": 1, "evidence": [ref("int-03#1", lines="2-3")]},
)
FRAGMENTS_AFTER = (
    {"code": "faith-leaders", "role": "actor", "label": "Faith leaders", "excerpts": 1, "evidence": [ref("int-04#1")]},
    {
        **CONNECTORS,
        "label": "Community connectors",
        "excerpts": 4,
        "evidence": [ref("int-02#1", lines="19"), ref("int-02#2", stance="refutes"), ref("int-02#4"), ref("int-02#5")],
    },
)
OLD = theory(BEFORE, fragments=FRAGMENTS_BEFORE)
NEW = theory(
    AFTER, fragments=FRAGMENTS_AFTER, name="Alpha Two", framework=None, attributes={"funding": "Grant", "area": "East"}
)

# --- a CMOC kept under its id, and the programme description ---------------------------------

CHANGED_TEXT = """\
programme theory alpha: 0 CMOCs added, 1 changed, 0 removed; programme description changed; fragments: 1 code added, 1 changed, 1 removed

programme:
  name: Alpha Connectors -> Alpha Two
  framework: ABCD -> (none)
  + attribute area: East
  - attribute region: North

changed CMOC trust
  confidence: moderate -> high (rationale: Two coders agree)
  notes:
    + First line
    + second line
  links: loop -> loop, next
  imported_from: (none) -> cmoc=b-one programme=beta untranslated=context: x, y; outcome: z
  completeness: context, mechanism -> context, mechanism, outcome
  codes:
    - context gone (Gone code)
    ~ context stigma: label Stigma -> Stigma in the group
    + outcome help (Help)
  evidence:
    ~ alpha/int-01#1 (interview int-01, lines 3-5, supports)
        quote:
          - It took months
          + It took
          + months and months
        coder: (none) -> AB
        participants: (none) -> P01, P02
    ~ alpha/int-01#2 (interview int-01, lines 7, refutes)
        stance: supports -> refutes

fragments (coded evidence not yet in a configuration):
  + actor faith-leaders (Faith leaders): excerpts 1
    + alpha/int-04#1 (int-04, lines 9, supports)
  ~ intervention connectors: label Connectors -> Community connectors, excerpts 3 -> 4
    + alpha/int-02#5 (int-02, lines 9, supports)
    - alpha/int-02#3 (int-02, lines 9, supports)
    ~ alpha/int-02#2 (int-02, lines 9, refutes): stance supports -> refutes
  - actor gone-actor: excerpts 1
    - alpha/int-03#1 (int-03, lines 2-3, supports)
"""

CHANGED_MARKDOWN = """\
### Programme theory `alpha`: 0 CMOCs added, 1 changed, 0 removed; programme description changed; fragments: 1 code added, 1 changed, 1 removed

#### Programme

- **name**: Alpha Connectors → Alpha Two
- **framework**: ABCD → *(none)*
- attribute `area` added: East
- attribute `region` removed (was: North)

#### Changed CMOC `trust`

- **confidence**: moderate → high (rationale: Two coders agree)
- **notes**
  - before: *(none)*
  - after: First line\\
    second line
- **links**: `loop` → `loop`, `next`
- **imported_from**: *(none)* → cmoc=b-one programme=beta untranslated=context: x, y; outcome: z

**Completeness**: context, mechanism → context, mechanism, outcome

**Codes**

- removed context `gone` (Gone code)
- relabelled context `stigma`: Stigma → Stigma in the group
- added outcome `help` (Help)

**Evidence changed** (2)

- `alpha/int-01#1`
  - quote before:

    > It took months

  - quote after:

    > It took
    > months and months

  - coder: *(none)* → AB
  - participants: *(none)* → `P01`, `P02`
- `alpha/int-01#2`
  - stance: supports → refutes

#### Fragments: coded evidence not yet in a configuration

- added actor `faith-leaders` (Faith leaders): excerpts 1
  - added `alpha/int-04#1` (`int-04`, lines 9, supports)
- changed intervention `connectors`: label Connectors → Community connectors, excerpts 3 → 4
  - added `alpha/int-02#5` (`int-02`, lines 9, supports)
  - withdrawn `alpha/int-02#3` (`int-02`, lines 9, supports)
  - changed `alpha/int-02#2` (`int-02`, lines 9, refutes): stance supports → refutes
- removed actor `gone-actor`: excerpts 1
  - withdrawn `alpha/int-03#1` (`int-03`, lines 2-3, supports)
"""


def test_text_of_every_change_to_a_kept_cmoc_and_to_the_programme() -> None:
    assert format_text(diff_theories(OLD, NEW)) == CHANGED_TEXT


def test_markdown_of_every_change_to_a_kept_cmoc_and_to_the_programme() -> None:
    assert format_markdown(diff_theories(OLD, NEW)) == CHANGED_MARKDOWN


def test_json_of_every_change_to_a_kept_cmoc_and_to_the_programme() -> None:
    data = json.loads(format_json(diff_theories(OLD, NEW)))
    old_first, old_second = (OLD.cmocs[0].evidence[k].model_dump(mode="json") for k in (0, 1))
    new_first, new_second = (NEW.cmocs[0].evidence[k].model_dump(mode="json") for k in (0, 1))
    assert data == {
        "programme": "alpha",
        "theory": "changed",
        "summary": {"added": 0, "changed": 1, "removed": 0},
        "programme_changes": {
            "fields": {
                "name": {"old": "Alpha Connectors", "new": "Alpha Two"},
                "framework": {"old": "ABCD", "new": None},
            },
            "attributes": {"added": {"area": "East"}, "removed": {"region": "North"}, "changed": {}},
        },
        "cmocs": [
            {
                "id": "trust",
                "change": "changed",
                "curated": {
                    "confidence": {
                        "old": {"level": "moderate", "rationale": "Two coders agree"},
                        "new": {"level": "high", "rationale": "Two coders agree"},
                    },
                    "notes": {"old": None, "new": "First line\nsecond line"},
                    "links": {"old": ["loop"], "new": ["loop", "next"]},
                    "imported_from": {
                        "old": None,
                        "new": {"programme": "beta", "cmoc": "b-one", "untranslated": "context: x, y; outcome: z"},
                    },
                },
                "completeness": {"old": ["context", "mechanism"], "new": ["context", "mechanism", "outcome"]},
                "codes": {
                    "context": {
                        "added": [],
                        "removed": [{"id": "gone", "label": "Gone code", "excerpts": None, "refuting": None}],
                        "relabelled": [{"id": "stigma", "old": "Stigma", "new": "Stigma in the group"}],
                    },
                    "outcome": {
                        "added": [{"id": "help", "label": "Help", "excerpts": None, "refuting": None}],
                        "removed": [],
                        "relabelled": [],
                    },
                },
                "evidence": {
                    "added": [],
                    "withdrawn": [],
                    "changed": [
                        {
                            "record": "alpha/int-01#1",
                            "changes": {  # its lines moved too (old and new say so): not a change
                                "quote": {"old": "It took months", "new": "It took\nmonths and months"},
                                "coder": {"old": None, "new": "AB"},
                                "participants": {"old": [], "new": ["P01", "P02"]},
                            },
                            "old": old_first,
                            "new": new_first,
                        },
                        {
                            "record": "alpha/int-01#2",
                            "changes": {"stance": {"old": "supports", "new": "refutes"}},
                            "old": old_second,
                            "new": new_second,
                        },
                    ],
                },
                "counts": {},
            }
        ],
        "fragments": [
            {
                "role": "actor",
                "code": "faith-leaders",
                "change": "added",
                "label": {"old": None, "new": "Faith leaders"},
                "excerpts": {"old": 0, "new": 1},
                "evidence": {"added": [ref("int-04#1")], "withdrawn": [], "changed": []},
            },
            {
                "role": "intervention",
                "code": "connectors",
                "change": "changed",
                "label": {"old": "Connectors", "new": "Community connectors"},
                "excerpts": {"old": 3, "new": 4},
                "evidence": {
                    "added": [ref("int-02#5")],
                    "withdrawn": [ref("int-02#3")],
                    "changed": [
                        {
                            "record": "alpha/int-02#2",
                            "changes": {"stance": {"old": "supports", "new": "refutes"}},
                            "old": ref("int-02#2"),
                            "new": ref("int-02#2", stance="refutes"),
                        }
                    ],
                },
            },
            {
                "role": "actor",
                "code": "gone-actor",
                "change": "removed",
                "label": None,
                "excerpts": {"old": 1, "new": 0},
                "evidence": {"added": [], "withdrawn": [ref("int-03#1", lines="2-3")], "changed": []},
            },
        ],
    }
    assert new_first["coder"] == "AB" and old_second["stance"] == "supports" and new_second["stance"] == "refutes"
    assert (old_first["lines"], new_first["lines"], old_first["elicited"]) == ("3-4", "3-5", False)


def test_json_keys_are_sorted_and_indented_by_two() -> None:
    text = format_json(diff_theories(OLD, NEW))
    assert text.startswith('{\n  "cmocs": [\n    {\n      "change": "changed",\n      "codes": {\n')
    assert text.endswith('\n  "theory": "changed"\n}\n')
    assert '"new": "Alpha Two"' in text


# --- a new and a deleted theory: each CMOC shown whole ---------------------------------------

ADDED_TEXT = """\
new programme theory alpha: 1 CMOC added, 0 changed, 0 removed; fragments: 2 codes added, 0 changed, 0 removed

programme:
  name: Alpha Connectors
  framework: ABCD
  + attribute funding: Grant

added CMOC trust
  statement: If A, then B
  status: supported
  confidence: high (rationale: Two coders agree)
  notes:
    First line
    second line
  links: loop, next
  imported_from: cmoc=b-one programme=beta untranslated=context: x, y; outcome: z
  completeness: context, mechanism, outcome
  codes:
    + context stigma (Stigma in the group)
    + mechanism bare
    + outcome help (Help)
  evidence:
    + alpha/int-01#1 (interview int-01, lines 3-5, supports)
        It took
        months and months
    + alpha/int-01#2 (interview int-01, lines 7, refutes)
        Same
  counts: excerpts 1, transcripts 1, participants 1, interview 1

fragments (coded evidence not yet in a configuration):
  + actor faith-leaders (Faith leaders): excerpts 1
    + alpha/int-04#1 (int-04, lines 9, supports)
  + intervention connectors (Community connectors): excerpts 4
    + alpha/int-02#1 (int-02, lines 19, supports)
    + alpha/int-02#2 (int-02, lines 9, refutes)
    + alpha/int-02#4 (int-02, lines 9, supports)
    + alpha/int-02#5 (int-02, lines 9, supports)
"""

ADDED_MARKDOWN = """\
### New programme theory `alpha`: 1 CMOC added, 0 changed, 0 removed; fragments: 2 codes added, 0 changed, 0 removed

#### Programme

- **name**: Alpha Connectors
- **framework**: ABCD
- attribute `funding` added: Grant

#### Added CMOC `trust`

- **statement**: If A, then B
- **status**: supported
- **confidence**: high (rationale: Two coders agree)
- **notes**: First line\\
  second line
- **links**: `loop`, `next`
- **imported_from**: cmoc=b-one programme=beta untranslated=context: x, y; outcome: z

**Completeness**: context, mechanism, outcome

**Codes**

- context `stigma` (Stigma in the group)
- mechanism `bare`
- outcome `help` (Help)

**Evidence added** (2)

> It took
> months and months
>
> — `alpha/int-01#1` (interview `int-01`, lines 3-5, supports)

> Same
>
> — `alpha/int-01#2` (interview `int-01`, lines 7, refutes)

**Counts**: excerpts 1, transcripts 1, participants 1, interview 1

#### Fragments: coded evidence not yet in a configuration

- added actor `faith-leaders` (Faith leaders): excerpts 1
  - added `alpha/int-04#1` (`int-04`, lines 9, supports)
- added intervention `connectors` (Community connectors): excerpts 4
  - added `alpha/int-02#1` (`int-02`, lines 19, supports)
  - added `alpha/int-02#2` (`int-02`, lines 9, refutes)
  - added `alpha/int-02#4` (`int-02`, lines 9, supports)
  - added `alpha/int-02#5` (`int-02`, lines 9, supports)
"""

REMOVED_TEXT = """\
deleted programme theory alpha: 0 CMOCs added, 0 changed, 1 removed; fragments: 0 codes added, 0 changed, 1 removed

removed CMOC trust
  statement: If A, then B
  status: supported
  confidence: high (rationale: Two coders agree)
  notes:
    First line
    second line
  links: loop, next
  imported_from: cmoc=b-one programme=beta untranslated=context: x, y; outcome: z
  completeness: context, mechanism, outcome
  codes:
    - context stigma (Stigma in the group)
    - mechanism bare
    - outcome help (Help)
  evidence:
    - alpha/int-01#1 (interview int-01, lines 3-5, supports)
        It took
        months and months
    - alpha/int-01#2 (interview int-01, lines 7, refutes)
        Same
  counts: excerpts 1, transcripts 1, participants 1, interview 1

fragments (coded evidence not yet in a configuration):
  - actor gone-actor: excerpts 1
    - alpha/int-03#1 (int-03, lines 2-3, supports)
"""

REMOVED_MARKDOWN = """\
### Deleted programme theory `alpha`: 0 CMOCs added, 0 changed, 1 removed; fragments: 0 codes added, 0 changed, 1 removed

#### Removed CMOC `trust`

- **statement**: If A, then B
- **status**: supported
- **confidence**: high (rationale: Two coders agree)
- **notes**: First line\\
  second line
- **links**: `loop`, `next`
- **imported_from**: cmoc=b-one programme=beta untranslated=context: x, y; outcome: z

**Completeness**: context, mechanism, outcome

**Codes**

- context `stigma` (Stigma in the group)
- mechanism `bare`
- outcome `help` (Help)

**Evidence withdrawn** (2)

> It took
> months and months
>
> — `alpha/int-01#1` (interview `int-01`, lines 3-5, supports)

> Same
>
> — `alpha/int-01#2` (interview `int-01`, lines 7, refutes)

**Counts**: excerpts 1, transcripts 1, participants 1, interview 1

#### Fragments: coded evidence not yet in a configuration

- removed actor `gone-actor`: excerpts 1
  - withdrawn `alpha/int-03#1` (`int-03`, lines 2-3, supports)
"""


def test_text_and_markdown_of_a_new_theory_show_each_cmoc_whole() -> None:
    diff = diff_theories(None, theory(AFTER, fragments=FRAGMENTS_AFTER, attributes={"funding": "Grant"}))
    assert (format_text(diff), format_markdown(diff)) == (ADDED_TEXT, ADDED_MARKDOWN)


def test_text_and_markdown_of_a_deleted_theory_show_each_cmoc_whole_and_no_programme() -> None:
    diff = diff_theories(theory(AFTER, fragments=FRAGMENTS_BEFORE[1:]), None)
    assert (format_text(diff), format_markdown(diff)) == (REMOVED_TEXT, REMOVED_MARKDOWN)


def test_json_of_a_new_theory_has_every_field_and_code_as_added() -> None:
    data = json.loads(format_json(diff_theories(None, theory({"id": "c", "status": "new"}))))
    assert data["theory"] == "added" and data["summary"] == {"added": 1, "changed": 0, "removed": 0}
    assert data["programme_changes"] == {
        "fields": {
            "id": {"old": None, "new": "alpha"},
            "name": {"old": None, "new": "Alpha Connectors"},
            "framework": {"old": None, "new": "ABCD"},
        },
        "attributes": {"added": {"funding": "Grant", "region": "North"}, "removed": {}, "changed": {}},
    }
    assert data["cmocs"] == [
        {
            "id": "c",
            "change": "added",
            "curated": {"status": {"old": None, "new": "new"}},
            "completeness": None,
            "codes": {},
            "evidence": {"added": [], "withdrawn": [], "changed": []},
            "counts": {},
        }
    ]


def test_a_renamed_programme_id_is_shown_as_a_change() -> None:
    diff = diff_theories(theory(), theory(id="beta"))
    assert diff.programme == "beta" and diff.theory is Change.CHANGED
    assert format_text(diff) == (
        "programme theory beta: 0 CMOCs added, 0 changed, 0 removed; programme description changed\n\n"
        "programme:\n  id: alpha -> beta\n"
    )
    assert "- **id**: alpha → beta\n" in format_markdown(diff)


def test_the_id_of_a_deleted_theory_is_the_old_one() -> None:
    assert diff_theories(theory(), None).programme == "alpha"
    assert (
        format_text(diff_theories(theory(), None))
        == "deleted programme theory alpha: 0 CMOCs added, 0 changed, 0 removed\n"
    )


# --- the summary line --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "summary"),
    [
        ([], [{"id": "a"}], "1 CMOC added, 0 changed, 0 removed"),
        ([], [{"id": "a"}, {"id": "b"}], "2 CMOCs added, 0 changed, 0 removed"),
        ([{"id": "a"}, {"id": "b"}], [{"id": "a", "status": "new"}], "0 CMOCs added, 1 changed, 1 removed"),
    ],
)
def test_summary_counts_cmocs_with_a_plural_but_for_one(
    old: list[dict[str, Any]], new: list[dict[str, Any]], summary: str
) -> None:
    diff = diff_theories(theory(*old), theory(*new))
    assert diff.summary() == summary
    assert format_text(diff).startswith(f"programme theory alpha: {summary}\n")


def test_a_new_theory_does_not_say_its_programme_description_changed() -> None:
    assert diff_theories(None, theory()).summary() == "0 CMOCs added, 0 changed, 0 removed"


# --- what counts as a change -------------------------------------------------------------------


def test_counts_of_a_kept_cmoc_are_a_table_in_markdown_and_old_to_new_in_text() -> None:
    after = {**BEFORE, "counts": {**COUNTS, "excerpts": 3, "participants": 2}, "triangulated": True}
    diff = diff_theories(theory(BEFORE), theory(after))
    assert format_text(diff).endswith(
        "changed CMOC trust\n  counts: excerpts 1 -> 3, participants 1 -> 2, triangulated no -> yes\n"
    )
    assert format_markdown(diff).endswith(
        "#### Changed CMOC `trust`\n\n| count | before | after |\n|---|--:|--:|\n"
        "| excerpts | 1 | 3 |\n| participants | 1 | 2 |\n| triangulated | no | yes |\n"
    )


def test_a_cmoc_unequal_only_in_order_is_not_reported_beside_a_real_change() -> None:
    reordered = {**BEFORE, "evidence": BEFORE["evidence"][::-1]}
    diff = diff_theories(theory(BEFORE, {"id": "b"}), theory(reordered, {"id": "b", "status": "new"}))
    assert [(c.id, c.change) for c in diff.cmocs] == [("b", Change.CHANGED)]


def test_links_emptied_from_none_is_no_change_but_emptied_from_some_is() -> None:
    assert diff_theories(theory({"id": "a"}), theory({"id": "a", "links": []})).empty
    [cmoc] = diff_theories(theory({"id": "a", "links": ["b"]}), theory({"id": "a", "links": []})).cmocs
    assert cmoc.curated == (ValueChange("links", ["b"], []),)


def test_a_code_written_twice_in_a_role_is_added_and_removed_occurrence_by_occurrence() -> None:
    once = {"id": "a", "codes": {"context": [{"id": "x", "label": "X"}]}}
    twice = {"id": "a", "codes": {"context": [{"id": "x", "label": "X"}, {"id": "x", "label": "X again"}]}}
    [cmoc] = diff_theories(theory(once), theory(twice)).cmocs
    [context] = cmoc.codes
    assert (context.added, context.removed, context.relabelled) == (
        (CodeRef(id="x", label="X again"),),
        (),
        (),
    )
    [back] = diff_theories(theory(twice), theory(once)).cmocs
    assert [c.label for c in back.codes[0].removed] == ["X again"]


def test_evidence_written_twice_under_one_record_is_diffed_occurrence_by_occurrence() -> None:
    one = evidence("int-01#1", "First")
    diff = diff_theories(theory({"id": "a", "evidence": [one]}), theory({"id": "a", "evidence": [one, one]}))
    [cmoc] = diff.cmocs
    assert [e.quote for e in cmoc.evidence_added] == ["First"] and cmoc.evidence_withdrawn == ()


def test_roles_are_shown_in_the_realist_order_whatever_the_file_order() -> None:
    codes = {"outcome": [{"id": "o"}], "mechanism": [{"id": "m"}], "context": [{"id": "c"}]}
    [cmoc] = diff_theories(theory({"id": "a"}), theory({"id": "a", "codes": codes})).cmocs
    assert [c.role for c in cmoc.codes] == ["context", "mechanism", "outcome"]


def test_evidence_that_only_moved_shows_nothing_in_any_format() -> None:
    moved = {**BEFORE, "evidence": [{**e, "lines": "30-31"} for e in BEFORE["evidence"]]}
    diff = diff_theories(theory(BEFORE, fragments=FRAGMENTS_BEFORE), theory(moved, fragments=FRAGMENTS_BEFORE))
    assert format_text(diff) == "no changes to the programme theory alpha\n"
    assert format_markdown(diff) == "no changes to the programme theory `alpha`\n"
    assert json.loads(format_json(diff))["cmocs"] == []


def test_confidence_with_a_new_rationale_shows_both_sides_and_a_removed_one_its_old_value() -> None:
    old = {"id": "a", "confidence": {"level": "low", "rationale": "One participant"}}
    new = {"id": "a", "confidence": {"level": "low", "rationale": "Three participants,\ntwo data types"}}
    diff = diff_theories(theory(old), theory(new))
    assert format_text(diff).endswith(
        "changed CMOC a\n  confidence: low (rationale: One participant) -> low (rationale: Three participants,\n"
        "    two data types)\n"
    )
    assert format_markdown(diff).endswith(
        "- **confidence**: low (rationale: One participant) → low (rationale: Three participants,\\\n"
        "  two data types)\n"
    )
    levels = diff_theories(theory({"id": "a", "confidence": {"level": "low"}}), theory({"id": "a"}))
    assert format_text(levels).endswith("changed CMOC a\n  confidence: low -> (none)\n")
    assert "- **confidence**: low → *(none)*\n" in format_markdown(levels)


def test_completeness_reads_as_its_parts_and_a_part_lost_is_a_change() -> None:
    old = {"id": "a", "completeness": ["context", "mechanism", "outcome"]}
    diff = diff_theories(theory(old), theory({"id": "a", "completeness": ["mechanism"]}))
    assert format_text(diff).endswith("changed CMOC a\n  completeness: context, mechanism, outcome -> mechanism\n")
    assert format_markdown(diff).endswith("**Completeness**: context, mechanism, outcome → mechanism\n")
    emptied = diff_theories(theory(old), theory({"id": "a"}))
    assert format_text(emptied).endswith("  completeness: context, mechanism, outcome -> (none)\n")


# --- the textconv lines ------------------------------------------------------------------------


def test_textconv_has_one_fact_per_line() -> None:
    refuting = {**AFTER["evidence"][1], "elicited": True}
    kept = {**AFTER, "notes": "One line of notes", "triangulated": True, "evidence": [AFTER["evidence"][0], refuting]}
    # Lines are left out: a passage that moved in its transcript is the same evidence (docs/diff.md).
    assert format_theory(theory(kept, {**BEFORE, "id": "a-first"}, fragments=FRAGMENTS_AFTER)) == (
        "programme alpha: Alpha Connectors\n"
        "  framework: ABCD\n"
        "  attribute funding: Grant\n"
        "  attribute region: North\n"
        "\n"
        "CMOC a-first\n"
        "  statement: If A, then B\n"
        "  status: supported\n"
        "  confidence: moderate (rationale: Two coders agree)\n"
        "  links: loop\n"
        "  completeness: context, mechanism\n"
        "  context: gone (Gone code)\n"
        "  context: stigma (Stigma)\n"
        "  mechanism: bare\n"
        "  counts: excerpts 1, codings 0, supporting 0, refining 0, refuting 0, elicited 0, spontaneous 0, observed 0, "
        "transcripts 1, participants 1, interview 1, observation 0, document 0, workshop 0, triangulated no\n"
        "  evidence alpha/int-01#1 (interview int-01, supports)\n"
        "    It took months\n"
        "  evidence alpha/int-01#2 (interview int-01, supports)\n"
        "    Same\n"
        "\n"
        "CMOC trust\n"
        "  statement: If A, then B\n"
        "  status: supported\n"
        "  confidence: high (rationale: Two coders agree)\n"
        "  notes: One line of notes\n"
        "  links: loop, next\n"
        "  imported_from: cmoc=b-one programme=beta untranslated=context: x, y; outcome: z\n"
        "  completeness: context, mechanism, outcome\n"
        "  context: stigma (Stigma in the group)\n"
        "  mechanism: bare\n"
        "  outcome: help (Help)\n"
        "  counts: excerpts 1, codings 0, supporting 0, refining 0, refuting 0, elicited 0, spontaneous 0, observed 0, "
        "transcripts 1, participants 1, interview 1, observation 0, document 0, workshop 0, triangulated yes\n"
        "  evidence alpha/int-01#1 (interview int-01, supports, coder AB, participants P01, P02)\n"
        "    It took\n"
        "    months and months\n"
        "  evidence alpha/int-01#2 (interview int-01, refutes, elicited yes)\n"
        "    Same\n"
        "\n"
        "fragment intervention connectors (Community connectors): excerpts 4\n"
        "  evidence alpha/int-02#1 (int-02, supports)\n"
        "  evidence alpha/int-02#2 (int-02, refutes)\n"
        "  evidence alpha/int-02#4 (int-02, supports)\n"
        "  evidence alpha/int-02#5 (int-02, supports)\n"
        "\n"
        "fragment actor faith-leaders (Faith leaders): excerpts 1\n"
        "  evidence alpha/int-04#1 (int-04, supports)\n"
    )


def test_textconv_of_a_programme_without_framework_or_attributes() -> None:
    assert format_theory(theory(framework=None, attributes={})) == "programme alpha: Alpha Connectors\n"
    assert format_theory(theory({"id": "b"}, {"id": "a"}, framework="", attributes={})).startswith(
        "programme alpha: Alpha Connectors\n  framework: \n\nCMOC a\n  counts: excerpts 0,"
    )


# --- safe to print -----------------------------------------------------------------------------

CONTROLS = "a\x1b]0;owned\x07b\x00c\x08d\x0be\x1ff\x7fg\x85h\x9fi\u202ej\u2066k\u2069l\tm"
PICTURED = "a␛]0;owned␇b␀c␈d␋e␟f␡g\ufffdh\ufffdi\ufffdj\ufffdk\ufffdl\tm"


def test_control_characters_are_shown_as_pictures_and_tab_and_newline_kept() -> None:
    assert printable(CONTROLS + "\n") == PICTURED + "\n"
    assert printable("\u202a\u202d\u2065\u2067\u206a") == "\ufffd\ufffd\u2065\ufffd\u206a"
    assert printable("\x20\x7e\xa0") == "\x20\x7e\xa0"


def test_text_and_markdown_of_a_diff_show_control_characters_as_pictures() -> None:
    diff = diff_theories(theory({"id": "a"}), theory({"id": "a", "notes": CONTROLS}))
    assert format_text(diff).endswith(f"changed CMOC a\n  notes:\n    + {PICTURED}\n")
    assert f"  - after: {md_escape(PICTURED)}\n" in format_markdown(diff)
    assert "\x1b" not in format_markdown(diff) and "\u202e" not in format_markdown(diff)


def test_json_escapes_every_control_character() -> None:
    diff = diff_theories(theory({"id": "a"}), theory({"id": "a", "notes": "x\x1by\x7fz\x85w\u202ev\u2069é"}))
    text = format_json(diff)
    assert '"new": "x\\u001by\\u007fz\\u0085w\\u202ev\\u2069é"' in text
    assert json.loads(text)["cmocs"][0]["curated"]["notes"]["new"] == "x\x1by\x7fz\x85w\u202ev\u2069é"


def test_the_text_fallback_shows_control_characters_and_a_missing_side_as_empty() -> None:
    assert text_diff(None, b"a\x1b[2J\n", "a/x", "b/x") == "--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+a␛[2J\n"
    assert text_diff(b"a\n", None, "a/x", "b/x") == "--- a/x\n+++ b/x\n@@ -1 +0,0 @@\n-a\n"
    assert text_diff(b"\xff\n", b"\xff\n", "a/x", "b/x") == ""


# --- Markdown escaping -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("+ not a list", "\\+ not a list"),
        ("= not a rule", "\\= not a rule"),
        ("12) not a list", "12\\) not a list"),
        ("12. not a list", "12\\. not a list"),
        ("12 monkeys", "12 monkeys"),
        ("a - b + c # d", "a - b + c # d"),
        ("ask @someone or @org/team", "ask @\u2060someone or @\u2060org/team"),
        ("see #12 and # 3 and #x", "see #\u206012 and # 3 and #x"),
        ("mail a@ b", "mail a@ b"),
        ("one\r\ntwo\rthree", "one\ntwo\nthree"),
        ("   \t# indented heading   ", "\\# indented heading"),
        ("\x1b[31m", "␛\\[31m"),
    ],
)
def test_markdown_escapes_line_starts_mentions_and_line_breaks(text: str, escaped: str) -> None:
    assert md_escape(text) == escaped


def test_markdown_code_spans_are_padded_when_the_text_starts_or_ends_with_a_backtick() -> None:
    attributes = {"funding": "Grant", "region": "North", "`start": "a", "end`": "b", "``two``": "c"}
    markdown = format_markdown(diff_theories(theory(), theory(attributes=attributes)))
    assert "- attribute `` `start `` added: a\n" in markdown
    assert "- attribute `` end` `` added: b\n" in markdown
    assert "- attribute ``` ``two`` ``` added: c\n" in markdown


def test_markdown_keeps_multi_line_values_inside_their_list_item() -> None:
    diff = diff_theories(theory(), theory(attributes={"funding": "one\ntwo", "region": "North"}))
    assert "- attribute `funding`: Grant → one\\\n  two\n" in format_markdown(diff)
    relabel = {"id": "a", "codes": {"context": [{"id": "c", "label": "new\nlabel"}]}}
    markdown = format_markdown(diff_theories(theory({"id": "a"}), theory(relabel)))
    assert "- added context `c` (new\\\n  label)\n" in markdown


def test_markdown_evidence_with_a_blank_line_in_the_quote_stays_one_blockquote() -> None:
    entry = evidence("int-01#1", "First\n\n  - second")
    markdown = format_markdown(diff_theories(theory({"id": "a"}), theory({"id": "a", "evidence": [entry]})))
    assert "**Evidence added** (1)\n\n> First\n>\n> \\- second\n>\n> — `alpha/int-01#1`" in markdown


def test_a_cmoc_id_written_three_times_keeps_each_occurrence_apart() -> None:
    old = theory({"id": "a"}, {"id": "a", "status": "initial"}, {"id": "a", "notes": "third"})
    new = theory({"id": "a"}, {"id": "a", "status": "refined"}, {"id": "a", "notes": "third"})
    [cmoc] = diff_theories(old, new).cmocs
    assert (cmoc.change, cmoc.curated) == (Change.CHANGED, (ValueChange("status", "initial", "refined"),))


def test_statement_and_notes_changed_together_are_both_shown_and_multi_line_values_stay_in_their_item() -> None:
    old = {"id": "a", "statement": "If A,\nthen B", "notes": "Seen by X"}
    new = {"id": "a", "statement": "If A, then C", "notes": "Seen by Y and X"}
    assert format_markdown(diff_theories(theory(old), theory(new))) == (
        "### Programme theory `alpha`: 0 CMOCs added, 1 changed, 0 removed\n\n"
        "#### Changed CMOC `a`\n\n"
        "- **statement**\n  - before: If A,\\\n    then B\n  - after: If A, then C\n"
        "- **notes**\n  - before: Seen by X\n  - after: Seen by Y and X\n"
    )


def test_notes_removed_from_a_kept_cmoc_show_only_the_old_text() -> None:
    diff = diff_theories(theory({"id": "a", "notes": "Gone"}), theory({"id": "a"}))
    assert format_text(diff).endswith("changed CMOC a\n  notes:\n    - Gone\n")


def test_a_multi_line_evidence_field_stays_inside_its_list_item() -> None:
    old = {"id": "a", "evidence": [evidence("int-01#1", "Q", coder="A\nB")]}
    new = {"id": "a", "evidence": [evidence("int-01#1", "Q", coder="C\nD")]}
    markdown = format_markdown(diff_theories(theory(old), theory(new)))
    assert markdown.endswith("- `alpha/int-01#1`\n  - coder: A\\\n    B → C\\\n    D\n")


def test_markdown_of_no_theory_on_either_side() -> None:
    assert format_markdown(diff_theories(None, None)) == "no changes to the programme theory\n"


def test_the_diff_as_data_is_plain_values_any_serializer_can_write() -> None:
    """to_dict() holds str, int, bool, None, lists and dicts only: no enums (YAML's safe dumper refuses them)."""
    data = diff_theories(OLD, NEW).to_dict()
    added = diff_theories(None, theory(AFTER)).to_dict()
    removed = diff_theories(theory(AFTER), None).to_dict()
    for value in (data, added, removed):
        assert yaml.safe_load(yaml.safe_dump(value)) == value


def test_textconv_indents_a_multi_line_note_under_its_key_so_it_never_reads_as_a_fact() -> None:
    theory = Theory.model_validate(
        {
            "programme": {"id": "alpha", "name": "A"},
            "cmocs": [{"id": "c", "status": "supported", "notes": "Checked again.\nstatus: refuted"}],
        }
    )
    lines = format_theory(theory).splitlines()
    assert "  status: supported" in lines
    assert "  notes: Checked again." in lines
    assert "    status: refuted" in lines
    assert "  status: refuted" not in lines
