"""The semantic diff of programme theories: what counts as a change, and its text, Markdown and JSON forms."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmo.core.diagnostics import Diagnostics
from cmo.theory.diff import (
    Change,
    ValueChange,
    diff_theories,
    format_json,
    format_markdown,
    format_text,
    format_theory,
    load_theory_bytes,
    md_escape,
    text_diff,
)
from cmo.theory.model import Theory, load_theory
from tests.conftest import Result

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


# --- renderers -----------------------------------------------------------------------------------

OLD = theory(TRUST, OLD_ONE)
NEW = theory(
    {
        "id": "fresh",
        "status": "new",
        "codes": {"outcome": [{"id": "help-seeking", "label": "Group members seek help"}]},
        "counts": {"excerpts": 1, "transcripts": 1, "participants": 1, "by_source": {"interview": 1}},
        "evidence": [evidence("a-int-02#1", "I went along because she did")],
    },
    changed(
        TRUST,
        status="refined",
        statement="If connectors work through key persons, then people seek help, because they trust *them*",
        evidence=[TRUST["evidence"][0], evidence("a-int-03#2", "Nobody <b>came</b>\n- twice", stance="refutes")],
        counts={**TRUST["counts"], "refuting": 1, "by_source": {"interview": 2}},
        triangulated=False,
    ),
    attributes={"funding": "Five-year grant", "region": "North"},
)

EXPECTED_TEXT = """\
programme theory alpha: 1 CMOC added, 1 changed, 1 removed; programme description changed

programme:
  ~ attribute funding: Three-year grant -> Five-year grant

added CMOC fresh
  status: new
  codes:
    + outcome help-seeking (Group members seek help)
  evidence:
    + alpha/a-int-02#1 (interview a-int-02, lines 10-12, supports)
        I went along because she did
  counts: excerpts 1, transcripts 1, participants 1, interview 1

changed CMOC trust
  statement:
    - If connectors work through key persons, then people seek help, because they trust them
    + If connectors work through key persons, then people seek help, because they trust *them*
  status: supported -> refined
  evidence:
    + alpha/a-int-03#2 (interview a-int-03, lines 10-12, refutes)
        Nobody <b>came</b>
        - twice
    - alpha/a-obs-01#1 (observation a-obs-01, lines 10-12, supports)
        The imam introduced her
  counts: refuting 0 -> 1, interview 1 -> 2, observation 1 -> 0, triangulated yes -> no

removed CMOC old-one
  statement: If A, then B, because C
  status: initial
"""

EXPECTED_MARKDOWN = """\
### Programme theory `alpha`: 1 CMOC added, 1 changed, 1 removed; programme description changed

#### Programme

- attribute `funding`: Three-year grant → Five-year grant

#### Added CMOC `fresh`

- **status**: new

**Codes**

- outcome `help-seeking` (Group members seek help)

**Evidence added** (1)

> I went along because she did
>
> — `alpha/a-int-02#1` (interview `a-int-02`, lines 10-12, supports)

**Counts**: excerpts 1, transcripts 1, participants 1, interview 1

#### Changed CMOC `trust`

- **statement**
  - before: If connectors work through key persons, then people seek help, because they trust them
  - after: If connectors work through key persons, then people seek help, because they trust \\*them\\*
- **status**: supported → refined

**Evidence added** (1)

> Nobody \\<b\\>came\\</b\\>
> \\- twice
>
> — `alpha/a-int-03#2` (interview `a-int-03`, lines 10-12, refutes)

**Evidence withdrawn** (1)

> The imam introduced her
>
> — `alpha/a-obs-01#1` (observation `a-obs-01`, lines 10-12, supports)

| count | before | after |
|---|--:|--:|
| refuting | 0 | 1 |
| interview | 1 | 2 |
| observation | 1 | 0 |
| triangulated | yes | no |

#### Removed CMOC `old-one`

- **statement**: If A, then B, because C
- **status**: initial
"""


def test_text_of_a_small_diff() -> None:
    assert format_text(diff_theories(OLD, NEW)) == EXPECTED_TEXT


def test_markdown_of_a_small_diff() -> None:
    assert format_markdown(diff_theories(OLD, NEW)) == EXPECTED_MARKDOWN


def test_output_is_deterministic() -> None:
    renders = {(format_text(d), format_markdown(d), format_json(d)) for d in (diff_theories(OLD, NEW) for _ in "ab")}
    assert len(renders) == 1


def test_markdown_escapes_corpus_text_that_would_break_the_layout() -> None:
    assert md_escape("a *b* _c_ `d` [e](f) <g> h|i ~j~ $k$ &amp; \\") == (
        "a \\*b\\* \\_c\\_ \\`d\\` \\[e\\](f) \\<g\\> h\\|i \\~j\\~ \\$k\\$ \\&amp; \\\\"
    )
    assert md_escape("# not a heading\n- not a list\n1. not a list\n    not code\n===") == (
        "\\# not a heading\n\\- not a list\n1\\. not a list\nnot code\n\\==="
    )
    hostile = changed(TRUST, notes="</details>\n<script>x</script>\n```\n| a | b |")
    markdown = format_markdown(diff_theories(theory(TRUST), theory(hostile)))
    assert "<script>" not in markdown and "</details>" not in markdown and "```" not in markdown
    assert "- **notes**\n  - before: *(none)*\n  - after: \\</details\\>\\\n    \\<script\\>" in markdown


def test_markdown_code_spans_survive_backticks() -> None:
    diff = diff_theories(theory(TRUST), theory(TRUST, attributes={"funding": "x", "region": "North", "a`b": "y"}))
    assert "- attribute ``a`b`` added: y" in format_markdown(diff)


def test_json_shape() -> None:
    data = json.loads(format_json(diff_theories(OLD, NEW)))
    assert data == diff_theories(OLD, NEW).to_dict()
    assert list(data) == sorted(data)
    assert set(data) == {"programme", "theory", "summary", "programme_changes", "cmocs"}
    assert (data["programme"], data["theory"]) == ("alpha", "changed")
    assert data["summary"] == {"added": 1, "changed": 1, "removed": 1}
    assert data["programme_changes"] == {
        "fields": {},
        "attributes": {
            "added": {},
            "removed": {},
            "changed": {"funding": {"old": "Three-year grant", "new": "Five-year grant"}},
        },
    }
    assert [(c["id"], c["change"]) for c in data["cmocs"]] == [
        ("fresh", "added"),
        ("trust", "changed"),
        ("old-one", "removed"),
    ]
    for cmoc in data["cmocs"]:
        assert set(cmoc) == {"id", "change", "curated", "codes", "evidence", "counts"}
        assert set(cmoc["evidence"]) == {"added", "withdrawn", "changed"}
    trust = data["cmocs"][1]
    assert trust["curated"]["status"] == {"old": "supported", "new": "refined"}
    assert trust["counts"]["by_source.interview"] == {"old": 1, "new": 2}
    assert trust["evidence"]["added"][0] == {
        "record": "alpha/a-int-03#2",
        "transcript": "a-int-03",
        "source": "interview",
        "lines": "10-12",
        "quote": "Nobody <b>came</b>\n- twice",
        "stance": "refutes",
        "coder": None,
        "participants": [],
    }
    assert data["cmocs"][0]["codes"] == {
        "outcome": {
            "added": [{"id": "help-seeking", "label": "Group members seek help"}],
            "removed": [],
            "relabelled": [],
        }
    }


def test_json_of_an_empty_diff() -> None:
    assert json.loads(format_json(diff_theories(None, None))) == {
        "programme": None,
        "theory": "unchanged",
        "summary": {"added": 0, "changed": 0, "removed": 0},
        "programme_changes": {"fields": {}, "attributes": {"added": {}, "removed": {}, "changed": {}}},
        "cmocs": [],
    }


def test_textconv_lines_are_sorted_and_independent_of_file_order() -> None:
    text = format_theory(theory(TRUST, OLD_ONE))
    assert format_theory(theory(OLD_ONE, changed(TRUST, evidence=TRUST["evidence"][::-1]))) == text
    assert text.index("CMOC old-one") < text.index("CMOC trust")
    assert (
        "  counts: excerpts 2, transcripts 2, participants 2, refuting 0, interview 1, observation 1, "
        "document 0, workshop 0, triangulated yes\n"
    ) in text
    assert "  evidence alpha/a-int-01#3 (interview a-int-01, lines 10-12, supports)\n" in text


def test_text_diff_fallback() -> None:
    assert text_diff(b"a\nb\n", b"a\nc", "a/x", "b/x") == (
        "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n"
    )


def test_a_version_from_bytes_is_checked_like_a_file(tmp_path: Path) -> None:
    content = b"programme:\n  id: alpha\n  nme: Alpha\n"
    (tmp_path / "t.yaml").write_bytes(content)
    from_file, from_bytes = Diagnostics(), Diagnostics()
    load_theory(tmp_path / "t.yaml", "HEAD:t.yaml", from_file)
    assert load_theory_bytes(content, "HEAD:t.yaml", from_bytes) is None
    assert from_bytes.items == from_file.items
    assert [d.format() for d in from_bytes.items] == [
        "HEAD:t.yaml:2:3: error[missing-key]: required key 'programme.name' is missing",
        "HEAD:t.yaml:3:3: error[unknown-key]: programme: unknown key 'nme'; did you mean 'name'?",
    ]


# --- the command -------------------------------------------------------------------------------


@pytest.fixture
def cmo(cli: Callable[..., Result]) -> Callable[..., Result]:
    """`cli`, with `diff` registered on the app until cmo.cli.main registers it itself."""
    from cmo.cli.diff import register
    from cmo.cli.main import app

    if not any(command.name == "diff" for command in app.registered_commands):
        register(app)
    return cli


def _yaml(value: Theory) -> str:
    return yaml.safe_dump(value.model_dump(mode="json", exclude_defaults=True), sort_keys=False)


@pytest.fixture
def files(tmp_path: Path) -> Callable[..., list[Path]]:
    def write(**texts: str) -> list[Path]:
        for name, text in texts.items():
            (tmp_path / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
        return [tmp_path / f"{name}.yaml" for name in texts]

    return write


def test_diff_two_files(cmo: Callable[..., Result], files: Callable[..., list[Path]]) -> None:
    old, new = files(old=_yaml(OLD), new=_yaml(NEW))
    result = cmo("diff", old, new)
    assert (result.exit_code, result.stdout, result.stderr) == (0, EXPECTED_TEXT, "")
    assert cmo("diff", old, new, "--format", "md").stdout == EXPECTED_MARKDOWN
    assert cmo("diff", old, new, "-f", "json").stdout == format_json(diff_theories(OLD, NEW))


def test_exit_code_flag(cmo: Callable[..., Result], files: Callable[..., list[Path]]) -> None:
    old, new, same = files(old=_yaml(OLD), new=_yaml(NEW), same=_yaml(OLD))
    assert cmo("diff", old, new, "--exit-code").exit_code == 1
    unchanged = cmo("diff", old, same, "--exit-code")
    assert (unchanged.exit_code, unchanged.stdout) == (0, "no changes to the programme theory alpha\n")


def test_dev_null_is_a_file_that_does_not_exist(cmo: Callable[..., Result], files: Callable[..., list[Path]]) -> None:
    [new] = files(new=_yaml(NEW))
    result = cmo("diff", "/dev/null", new)
    assert result.exit_code == 0
    assert result.stdout.startswith("new programme theory alpha: 2 CMOCs added, 0 changed, 0 removed\n")
    assert cmo("diff", new, "/dev/null").stdout.startswith("deleted programme theory alpha: 0 CMOCs added")


def test_invalid_theory_files_give_every_diagnostic_and_exit_1(
    cmo: Callable[..., Result], files: Callable[..., list[Path]], tmp_path: Path
) -> None:
    old, new = files(old="programme: [\n", new="programme:\n  id: alpha\n  name: A\ncmocs:\n  - id: Bad Id\n")
    result = cmo("diff", old, new)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{old}:2:1: error[yaml-syntax]: invalid YAML: did not find expected node content (while parsing a flow node)\n"
        f"{new}:5:9: error[invalid-value]: cmocs[0].id: 'Bad Id' is not a valid id (lower-case letters, digits "
        "and '-', starting with a letter or digit)\n"
    )
    missing = cmo("diff", tmp_path / "nowhere.yaml", new)
    assert missing.exit_code == 1
    assert f"{tmp_path / 'nowhere.yaml'}:1:1: error[unreadable]: cannot read file: No such file or directory\n" in (
        missing.stderr
    )
    assert "Traceback" not in result.stderr + missing.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["one.yaml"], "cmo: error: give two theory files (cmo diff OLD.yaml NEW.yaml), or one with --rev REV\n"),
        (["a", "b", "c"], "cmo: error: give two theory files (cmo diff OLD.yaml NEW.yaml), or one with --rev REV\n"),
        (["a", "b", "--rev", "HEAD"], "cmo: error: --rev compares one theory file across revisions: cmo diff FILE --rev REV\n"),
        (["a", "--rev", "HEAD", "--textconv"], "cmo: error: --rev, --git-external and --textconv do not go together\n"),
        (["--textconv", "a", "b"], "cmo: error: --textconv takes one FILE\n"),
        (["--git-external", "a", "b"], "cmo: error: --git-external takes the 7 arguments git passes (path old-file "
         "old-hex old-mode new-file new-hex new-mode), 9 for a rename or 1 for an unmerged path; got 2\n"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2(cmo: Callable[..., Result], args: list[str], message: str) -> None:
    result = cmo("diff", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


def test_unknown_format_is_a_usage_error(cmo: Callable[..., Result]) -> None:
    result = cmo("diff", "a", "b", "--format", "html")
    assert result.exit_code == 2
    assert "'html' is not one of 'text', 'md', 'json'" in result.stderr


def test_textconv_prints_stable_lines_or_passes_a_broken_file_through(
    cmo: Callable[..., Result], files: Callable[..., list[Path]]
) -> None:
    good, broken = files(good=_yaml(OLD), broken="programme: [\n")
    result = cmo("diff", "--textconv", good)
    assert (result.exit_code, result.stdout) == (0, format_theory(OLD))
    bad = cmo("diff", "--textconv", broken)
    assert (bad.exit_code, bad.stdout) == (0, "programme: [\n")
    assert bad.stderr.startswith(f"{broken}:2:1: error[yaml-syntax]: invalid YAML")


def test_git_external_mode_reads_git_arguments(cmo: Callable[..., Result], files: Callable[..., list[Path]]) -> None:
    old, new = files(old=_yaml(OLD), new=_yaml(NEW))
    sha = "0" * 40
    result = cmo("diff", "--git-external", "theories/alpha.yaml", old, sha, "100644", new, sha, "100644")
    assert (result.exit_code, result.stdout) == (
        0,
        "cmo diff a/theories/alpha.yaml b/theories/alpha.yaml\n" + EXPECTED_TEXT,
    )
    json_only = cmo("diff", "--git-external", "-f", "json", "t.yaml", "/dev/null", ".", ".", new, sha, "100644")
    assert json_only.stdout == format_json(diff_theories(None, NEW))  # no header: stdout stays one JSON document
    # With git >= 2.45 and diff.cmo.trustExitCode, git reads 1 as "the files differ".
    differ = cmo("diff", "--git-external", "--exit-code", "t.yaml", old, sha, "100644", new, sha, "100644")
    assert differ.exit_code == 1
    unmerged = cmo("diff", "--git-external", "theories/alpha.yaml")
    assert (unmerged.exit_code, unmerged.stdout) == (0, "* Unmerged path theories/alpha.yaml\n")


# --- tests that each kill a mutant the suite once let through (docs/testing.md) ----------------


def test_an_empty_statement_and_no_statement_are_the_same() -> None:
    without = {"id": "bare", "status": "initial"}
    empty = {**without, "statement": "", "notes": ""}
    assert diff_theories(theory(without), theory(empty)).cmocs == ()
    assert diff_theories(theory(empty), theory(without)).empty
    [cmoc] = diff_theories(theory(without), theory({**without, "statement": "If A"})).cmocs
    assert cmoc.curated == (ValueChange("statement", None, "If A"),)
