"""The theory diff's text, Markdown, JSON and textconv forms."""

from __future__ import annotations

import json
from pathlib import Path

from cmo.core.diagnostics import Diagnostics
from cmo.render.diff_text import format_json, format_markdown, format_text, format_theory, text_diff
from cmo.render.escape import md_escape
from cmo.theory.diff import diff_theories
from cmo.theory.model import load_theory, load_theory_bytes
from tests.theory.test_diff import OLD_ONE, TRUST, changed, evidence, theory

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
    assert set(data) == {"programme", "theory", "summary", "programme_changes", "cmocs", "fragments"}
    assert data["fragments"] == []
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
        assert set(cmoc) == {"id", "change", "curated", "completeness", "codes", "evidence", "counts"}
        assert cmoc["completeness"] is None
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
        "elicited": False,
        "coder": None,
        "participants": [],
    }
    assert data["cmocs"][0]["codes"] == {
        "outcome": {
            "added": [{"id": "help-seeking", "label": "Group members seek help", "excerpts": None, "refuting": None}],
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
        "fragments": [],
    }


def test_textconv_lines_are_sorted_and_independent_of_file_order() -> None:
    text = format_theory(theory(TRUST, OLD_ONE))
    assert format_theory(theory(OLD_ONE, changed(TRUST, evidence=TRUST["evidence"][::-1]))) == text
    assert text.index("CMOC old-one") < text.index("CMOC trust")
    assert (
        "  counts: excerpts 2, codings 2, supporting 2, refining 0, refuting 0, elicited 0, spontaneous 0, "
        "observed 0, transcripts 2, participants 2, interview 1, observation 1, document 0, workshop 0, "
        "triangulated yes\n"
    ) in text
    assert "  evidence alpha/a-int-01#3 (interview a-int-01, supports)\n" in text
    moved = changed(TRUST, evidence=[{**e, "lines": "90-92"} for e in TRUST["evidence"]])
    assert format_theory(theory(OLD_ONE, moved)) == text  # a passage that only moved is the same evidence


def test_text_diff_fallback() -> None:
    assert text_diff(b"a\nb\n", b"a\nc", "a/x", "b/x") == (
        "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n"
    )


def test_a_version_from_bytes_is_checked_like_a_file(tmp_path: Path) -> None:
    content = b"programme:\n  id: alpha\n  nme: Alpha\n"
    (tmp_path / "t.yaml").write_bytes(content)
    from_file, from_bytes = Diagnostics(), Diagnostics()
    load_theory(tmp_path / "t.yaml", "HEAD:t.yaml", from_file)
    assert load_theory_bytes(content, "HEAD:t.yaml", from_bytes)[0] is None
    assert from_bytes.items == from_file.items
    assert [d.format() for d in from_bytes.items] == [
        "HEAD:t.yaml:2:3: error[missing-key]: required key 'programme.name' is missing",
        "HEAD:t.yaml:3:3: error[unknown-key]: programme: unknown key 'nme'; did you mean 'name'?",
    ]
