"""`cmo qdpx import`: the code tree gives kinds, overlapping selections become one configuration, nothing is dropped silently."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.corpus.coding import code_corpus
from tests.conftest import Result
from tests.qdpx.conftest import TEXT, guid, selection, simple_project, span, write_qdpx

FIRST = "It took months before anyone at the mosque would talk to me.\nThen the imam vouched for me."
SECOND = "After that, three women came to me the same week."
THIRD = "We sat and had tea, nothing more."

EXPECTED_TRANSCRIPT = """\
---
# REFI-QDA source: Interview 1
id: interview-1
source: interview
coder: AB
---

**P01:** It took months before anyone at the mosque would talk to me.
Then the imam vouched for me.

```cmo
context: stigma-around-mental-health
mechanism: {resource: key-persons, reasoning: trust}
outcome: [help-seeking, reduced-isolation]
enablers: staff-from-the-community
quote: |-
  It took months before anyone at the mosque would talk to me.
  Then the imam vouched for me.
```

**P01:** After that, three women came to me the same week.

**P01:** We sat and had tea, nothing more.
"""

EXPECTED_CODEBOOK = """\
codes:
  stigma-around-mental-health:
    kind: context
    label: Stigma around mental health
    description: Shame, gossip.
  staff-from-the-community:
    kind: context
    label: Staff from the community
  key-persons:
    kind: mechanism
    label: Key persons
  trust:
    kind: mechanism
    label: Trust
  help-seeking:
    kind: outcome
    label: Help seeking
  reduced-isolation:
    kind: outcome
    label: Reduced isolation
"""


def run_import(cli: Callable[..., Result], path: Path, *extra: str | Path) -> Result:
    return cli("qdpx", "import", path, "--programme", "alpha", "--corpus", path.parent / "corpus", *extra)


def records(corpus: Path) -> list[dict[str, object]]:
    result = code_corpus([corpus])
    assert result.ok, [d.format() for d in result.diagnostics]
    return [
        record.model_dump(
            include={"quote", "context", "mechanism", "resource", "reasoning", "outcome", "enablers", "coder"}
        )
        for record in result.records
    ]


def test_realist_code_tree_gives_kinds_roles_and_a_valid_programme(cli: Callable[..., Result], tmp_path: Path) -> None:
    qdpx = write_qdpx(tmp_path / "p.qdpx", simple_project(selection(1, *span(TEXT, FIRST), [11, 13, 22, 24, 31, 4])))
    result = run_import(cli, qdpx, "--source-type", "interview")
    assert result.exit_code == 0, result.stderr
    corpus = tmp_path / "corpus"
    assert (corpus / "alpha/interviews/interview-1.md").read_text(encoding="utf-8") == EXPECTED_TRANSCRIPT
    assert (corpus / "alpha/codebook.yaml").read_text(encoding="utf-8") == EXPECTED_CODEBOOK
    assert (corpus / "alpha/programme.yaml").read_text(encoding="utf-8") == "id: alpha\nname: Test project\n"
    assert result.stdout == (
        f"wrote {corpus}/alpha/programme.yaml\n"
        f"wrote {corpus}/alpha/codebook.yaml\n"
        f"wrote {corpus}/alpha/interviews/interview-1.md\n"
        "alpha: 1 transcripts with 1 annotations imported; 1 records\n"
    )
    assert result.stderr == (
        f"{qdpx}:1:1: warning[qdpx-unplaced-code]: 1 code without a kind and without codings left out of the "
        "codebook: 'Themes/Family'\n0 errors, 0 warnings in 1 transcript\n"
    )


def test_overlapping_selections_become_one_configuration(cli: Callable[..., Result], tmp_path: Path) -> None:
    start, end = span(TEXT, FIRST)
    imam = span(TEXT, "the imam vouched for me.")
    selections = (
        selection(1, start, start + 30, [11])
        + selection(2, start + 20, end, [24])
        + selection(3, *imam, [31])
        + selection(4, *span(TEXT, THIRD), [4])
    )
    write_qdpx(tmp_path / "p.qdpx", simple_project(selections))
    assert run_import(cli, tmp_path / "p.qdpx", "--source-type", "interview").exit_code == 0
    found = records(tmp_path / "corpus")
    assert [(r["context"], r["mechanism"], r["outcome"]) for r in found] == [
        (["stigma-around-mental-health"], ["trust"], ["help-seeking"]),
        ([], [], ["reduced-isolation"]),
    ]
    assert found[0]["quote"] == " ".join(FIRST.split())


def test_codings_by_several_users_are_kept_as_coder(cli: Callable[..., Result], tmp_path: Path) -> None:
    selections = (
        selection(1, *span(TEXT, FIRST), [11, 31], coders=[900, 901])
        + selection(2, *span(TEXT, SECOND), [31], user=900)
        + selection(3, *span(TEXT, THIRD), [24], user=900)
    )
    write_qdpx(tmp_path / "p.qdpx", simple_project(selections, people=("AB", "CD")))
    assert run_import(cli, tmp_path / "p.qdpx", "--source-type", "interview").exit_code == 0
    assert [r["coder"] for r in records(tmp_path / "corpus")] == ["AB, CD", "AB", "AB"]
    text = (tmp_path / "corpus/alpha/interviews/interview-1.md").read_text(encoding="utf-8")
    assert "\ncoder: AB\n---\n" in text and text.count("coder: AB, CD") == 1


def test_a_selection_without_coding_is_reported_and_skipped(cli: Callable[..., Result], tmp_path: Path) -> None:
    selections = selection(1, *span(TEXT, FIRST), []) + selection(2, *span(TEXT, SECOND), [31])
    qdpx = write_qdpx(tmp_path / "p.qdpx", simple_project(selections))
    result = run_import(cli, qdpx, "--source-type", "interview")
    assert result.exit_code == 0
    assert (
        f"{qdpx}:1:1: warning[qdpx-selection]: selection 'sel 1' in source 'Interview 1' has no coding; skipped\n"
        in result.stderr
    )
    assert [r["quote"] for r in records(tmp_path / "corpus")] == [SECOND]


def test_codings_without_a_placeable_code_are_reported_by_name_and_count(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    selections = (
        selection(1, *span(TEXT, FIRST), [51, 11])
        + selection(2, *span(TEXT, SECOND), [51])
        + selection(3, *span(TEXT, THIRD), [1])
        + selection(4, *span(TEXT, THIRD), [777])
    )
    qdpx = write_qdpx(tmp_path / "p.qdpx", simple_project(selections))
    result = run_import(cli, qdpx, "--source-type", "interview")
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if "qdpx-unplaced-code" in line]
    assert warnings == [
        f"{qdpx}:1:1: warning[qdpx-unplaced-code]: 'Context' is a category, not a code: 1 coding not imported",
        f"{qdpx}:1:1: warning[qdpx-unplaced-code]: code 'Themes/Family' has no kind: 2 codings not imported",
        f"{qdpx}:1:1: warning[qdpx-unplaced-code]: code {guid(777)} is not in the code tree: 1 coding not imported",
        f"{qdpx}:1:1: warning[qdpx-unplaced-code]: 4 codings of 3 codes not imported: put codes under a Context / "
        "Mechanism / Outcome / Intervention / Actor category, prefix their names with C: / M: / O: / I: / A:, "
        "or give their kinds in --map MAP.yaml",
    ]
    assert [r["context"] for r in records(tmp_path / "corpus")] == [["stigma-around-mental-health"]]


def test_map_overrides_kinds_and_ids_and_can_ignore_codes(cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "MAP.yaml").write_text(
        'codes:\n  Family: {kind: context, id: family-ties}\n  Trust: mechanism\n  "Outcomes/Help seeking": ignore\n',
        encoding="utf-8",
    )
    selections = selection(1, *span(TEXT, FIRST), [51, 24, 31])
    write_qdpx(tmp_path / "p.qdpx", simple_project(selections))
    result = run_import(cli, tmp_path / "p.qdpx", "--source-type", "interview", "--map", tmp_path / "MAP.yaml")
    assert result.exit_code == 0, result.stderr
    assert "qdpx-unplaced-code" not in result.stderr.replace("without codings", "")
    found = records(tmp_path / "corpus")
    assert [(r["context"], r["mechanism"], r["reasoning"], r["outcome"]) for r in found] == [
        (["family-ties"], ["trust"], [], [])
    ]
    assert "help-seeking" not in (tmp_path / "corpus/alpha/codebook.yaml").read_text(encoding="utf-8")


def test_a_map_naming_an_unknown_code_is_an_error_and_nothing_is_written(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    (tmp_path / "MAP.yaml").write_text("codes:\n  Famly: context\n  Trust: mechansim\n", encoding="utf-8")
    write_qdpx(tmp_path / "p.qdpx", simple_project(selection(1, *span(TEXT, FIRST), [51])))
    result = run_import(cli, tmp_path / "p.qdpx", "--source-type", "interview", "--map", tmp_path / "MAP.yaml")
    assert result.exit_code == 1
    shown = tmp_path / "MAP.yaml"
    assert result.stderr.splitlines() == [
        f"{shown}:3:10: error[qdpx-map]: code 'Trust': kind 'mechansim' is not one of intervention, context, actor, "
        "mechanism, outcome, enablers, barriers, resource, reasoning, ignore; did you mean 'mechanism'?",
        "cmo: nothing imported: fix the errors above first",
    ]
    (tmp_path / "MAP.yaml").write_text("codes:\n  Famly: context\n", encoding="utf-8")
    result = run_import(cli, tmp_path / "p.qdpx", "--source-type", "interview", "--map", tmp_path / "MAP.yaml")
    assert result.exit_code == 1
    assert (
        f"{shown}:2:10: error[qdpx-map]: no code named 'Famly' in the project; did you mean 'Family'?" in result.stderr
    )
    assert not (tmp_path / "corpus").exists()


def test_source_type_comes_from_a_variable_and_participants_from_cases(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    variables = (
        f'<Variables><Variable guid="{guid(60)}" name="Data type" typeOfVariable="Text"/>'
        f'<Variable guid="{guid(61)}" name="Role" typeOfVariable="Text"/></Variables>'
    )
    cases = (
        f'<Cases><Case guid="{guid(70)}" name="P07"><VariableValue><VariableRef targetGUID="{guid(61)}"/>'
        f'<TextValue>imam</TextValue></VariableValue><SourceRef targetGUID="{guid(101)}"/></Case>'
        f'<Case guid="{guid(71)}" name="P08"><VariableValue><VariableRef targetGUID="{guid(60)}"/>'
        f'<TextValue>Observations</TextValue></VariableValue><SourceRef targetGUID="{guid(101)}"/></Case></Cases>'
    )
    write_qdpx(tmp_path / "p.qdpx", simple_project(selection(1, *span(TEXT, FIRST), [11]), extra=variables + cases))
    assert run_import(cli, tmp_path / "p.qdpx").exit_code == 0
    text = (tmp_path / "corpus/alpha/observations/interview-1.md").read_text(encoding="utf-8")
    assert text.startswith(
        "---\n# REFI-QDA source: Interview 1\nid: interview-1\nsource: observation\nparticipants:\n"
        "- id: P07\n  role: imam\n- id: P08\ncoder: AB\n---\n"
    )


def test_a_source_without_a_source_type_needs_the_option(cli: Callable[..., Result], tmp_path: Path) -> None:
    qdpx = write_qdpx(tmp_path / "p.qdpx", simple_project(selection(1, *span(TEXT, FIRST), [11])))
    result = run_import(cli, qdpx)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{qdpx}:1:1: error[qdpx-source-type]: source 'Interview 1' has no source type (no variable like 'source type'); "
        "pass --source-type interview|observation|document|workshop",
        f"{qdpx}:1:1: warning[qdpx-unplaced-code]: 1 code without a kind and without codings left out of the codebook: 'Themes/Family'",
        "cmo: nothing imported: fix the errors above first",
    ]
    assert not (tmp_path / "corpus").exists()


def test_an_existing_transcript_is_overwritten_only_with_force(cli: Callable[..., Result], tmp_path: Path) -> None:
    qdpx = write_qdpx(tmp_path / "p.qdpx", simple_project(selection(1, *span(TEXT, FIRST), [11])))
    assert run_import(cli, qdpx, "--source-type", "interview").exit_code == 0
    transcript = tmp_path / "corpus/alpha/interviews/interview-1.md"
    transcript.write_text("mine\n", encoding="utf-8")
    result = run_import(cli, qdpx, "--source-type", "interview")
    assert result.exit_code == 1
    assert (
        f"{transcript}:1:1: error[qdpx-exists]: transcript exists; not overwritten (use --force to replace it)"
        in result.stderr
    )
    assert transcript.read_text(encoding="utf-8") == "mine\n"
    assert run_import(cli, qdpx, "--source-type", "interview", "--force").exit_code == 0
    assert transcript.read_text(encoding="utf-8").startswith("---\n")


def test_new_codes_are_added_to_an_existing_codebook_and_shared_codes_reused(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "alpha").mkdir(parents=True)
    (corpus / "codebook.yaml").write_text(
        "codes:\n  trust: {kind: mechanism, label: Building trust}\n", encoding="utf-8"
    )
    (corpus / "alpha/codebook.yaml").write_text(
        "# ours\ncodes:\n  faith: {kind: actor, label: Faith leaders}\n", encoding="utf-8"
    )
    write_qdpx(tmp_path / "p.qdpx", simple_project(selection(1, *span(TEXT, FIRST), [24, 31])))
    assert run_import(cli, tmp_path / "p.qdpx", "--source-type", "interview").exit_code == 0
    codebook = (corpus / "alpha/codebook.yaml").read_text(encoding="utf-8")
    assert codebook.startswith(
        "# ours\ncodes:\n  faith: {kind: actor, label: Faith leaders}\n  stigma-around-mental-health:"
    )
    assert "  trust:" not in codebook
    assert [r["reasoning"] for r in records(corpus)] == [["trust"]]


@pytest.mark.parametrize("bad", ["Bad", "a b"])
def test_a_programme_id_that_is_not_a_slug_is_a_usage_error(
    cli: Callable[..., Result], tmp_path: Path, bad: str
) -> None:
    result = cli("qdpx", "import", tmp_path / "p.qdpx", "--programme", bad)
    assert result.exit_code == 2
    assert result.stderr == f"cmo: error: programme id {bad!r} must be a slug (lower-case letters, digits and '-')\n"
