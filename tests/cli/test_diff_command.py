"""`cmo diff`: files, git revisions, exit codes, textconv and git's external-diff mode."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmo.render.diff_text import format_json, format_theory
from cmo.theory.diff import diff_theories
from cmo.theory.model import Theory
from tests.conftest import Result, corpus_files, isolate_git, write_tree
from tests.render.test_diff_text import EXPECTED_MARKDOWN, EXPECTED_TEXT, NEW, OLD
from tests.theory.test_git import commit, git, load


@pytest.fixture
def cmo(cli: Callable[..., Result]) -> Callable[..., Result]:
    """The real `cmo` command, run in-process."""
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
        f"{old}:1:12: error[yaml-syntax]: the list opened with '[' here is not closed: end it with ']'"
        " (parser: did not find expected node content while parsing a flow node)\n"
        f"{new}:5:9: error[invalid-value]: cmocs[0].id: 'Bad Id' is not a valid id (lower-case letters, digits "
        "and '-', starting with a letter or digit); did you mean 'bad-id'?\n"
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
    assert bad.stderr.startswith(f"{broken}:1:12: error[yaml-syntax]: the list opened with '[' here is not closed")


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


# --- the acceptance test of issue 13: a diff you can trust in a pull request ----------------------

HEAD_MATTER = """\
---
id: a-int-01
source: interview
date: 2024-03-12
participants: [{id: P01, role: connector}]
coder: AB
---
"""
TRUST_AND_HELP = "mechanism: {resource: key-persons, reasoning: building-trust}\noutcome: help-seeking\n"
# Passages of the transcript, each with its `cmo` block: two of one M -> O pattern, one of another, one fragment.
PASSAGES = (
    ("**P01:** It took months before anyone at the mosque\nwould talk to me.", "context: stigma\n" + TRUST_AND_HELP),
    ("**P01:** The imam introduced me at Friday prayers.", TRUST_AND_HELP + "stance: refines\n"),
    ("**P01:** The funding ends in March.", "context: short-funding\n"),
    ("**P01:** We ran the group in the community centre.", "intervention: connectors\noutcome: help-seeking\n"),
)
NEW_PASSAGE = ("**P01:** Nobody came until the faith leaders did.", "actor: faith-leaders\n" + TRUST_AND_HELP)


def transcript(*passages: tuple[str, str]) -> str:
    return HEAD_MATTER + "".join(f"\n{text}\n\n```cmo\n{block}```\n" for text, block in passages)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding a small corpus, as the working directory, with no user or system git config."""
    isolate_git(tmp_path, monkeypatch)
    root = tmp_path / "project"
    write_tree(root, {f"corpus/{name}": text for name, text in corpus_files(**{"a-int-01": transcript()}).items()})
    monkeypatch.chdir(root)
    git(root, "init", "--quiet")
    return root


def merged_and_committed(cmo: Callable[..., Result], root: Path, *passages: tuple[str, str]) -> Theory:
    (root / "corpus/alpha/a-int-01.md").write_text(transcript(*passages), encoding="utf-8")
    assert cmo("merge", "corpus").exit_code == 0
    commit(root, {}, "merged")
    return load((root / "theories/alpha.yaml").read_text(encoding="utf-8"))


def remerge(cmo: Callable[..., Result], root: Path, *passages: tuple[str, str]) -> tuple[Theory, dict[str, Any]]:
    """The transcript rewritten and merged again: the new theory, and `cmo diff --format json` against HEAD."""
    (root / "corpus/alpha/a-int-01.md").write_text(transcript(*passages), encoding="utf-8")
    merged = cmo("merge", "corpus")
    assert merged.exit_code == 0, merged.stderr
    result = cmo("diff", "theories/alpha.yaml", "--rev", "HEAD", "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    return load((root / "theories/alpha.yaml").read_text(encoding="utf-8")), json.loads(result.stdout)


def evidence_moves(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """Every evidence entry (of CMOCs and of fragments) the JSON diff lists as `kind`."""
    return [entry for part in (*data["cmocs"], *data["fragments"]) for entry in part["evidence"][kind]]


def places(theory: Theory) -> dict[str, str]:
    """Record id -> lines, over every CMOC's evidence and every fragment's."""
    found = {e.record: e.lines for cmoc in theory.cmocs for e in cmoc.evidence}
    return found | {r.record: r.lines for fragment in theory.fragments for r in fragment.evidence}


def test_a_passage_inserted_at_the_top_is_one_evidence_added_and_nothing_else(
    cmo: Callable[..., Result], project: Path
) -> None:
    before = merged_and_committed(cmo, project, *PASSAGES)
    after, data = remerge(cmo, project, NEW_PASSAGE, *PASSAGES)
    # Every passage below the new one moved down, and kept its record id.
    kept = places(before)
    assert len(kept) == 4 and all(places(after)[record] != lines for record, lines in kept.items())
    [added] = evidence_moves(data, "added")
    assert added["record"] not in kept and added["quote"].endswith("Nobody came until the faith leaders did.")
    assert (evidence_moves(data, "withdrawn"), evidence_moves(data, "changed")) == ([], [])
    [cmoc] = data["cmocs"]
    assert (cmoc["change"], cmoc["counts"]["excerpts"]) == ("changed", {"old": 2, "new": 3})
    assert data["fragments"] == []


def test_two_blocks_swapped_in_the_transcript_are_no_change_at_all(cmo: Callable[..., Result], project: Path) -> None:
    first, second, *rest = PASSAGES
    before = merged_and_committed(cmo, project, first, second, *rest)
    after, data = remerge(cmo, project, second, first, *rest)
    assert places(after) != places(before) and set(places(after)) == set(places(before))  # the same ids, moved
    assert evidence_moves(data, "added") == evidence_moves(data, "withdrawn") == evidence_moves(data, "changed") == []
    assert (data["theory"], data["cmocs"], data["fragments"]) == ("unchanged", [], [])
    unchanged = cmo("diff", "theories/alpha.yaml", "--rev", "HEAD", "--exit-code")
    assert (unchanged.exit_code, unchanged.stdout) == (0, "no changes to the programme theory alpha\n")


def test_one_of_two_coders_codings_withdrawn_never_reads_as_the_other_changed(
    cmo: Callable[..., Result], project: Path
) -> None:
    text = PASSAGES[0][0]
    ab = TRUST_AND_HELP + "coder: AB\n"
    cd = TRUST_AND_HELP + "coder: CD\nstance: refutes\n"
    before = merged_and_committed(cmo, project, (text, ab), ("", cd))  # two blocks under one paragraph
    assert len(places(before)) == 2
    after, data = remerge(cmo, project, (text, cd))
    [withdrawn] = evidence_moves(data, "withdrawn")
    assert (withdrawn["coder"], withdrawn["stance"]) == ("AB", "supports")
    assert (evidence_moves(data, "added"), evidence_moves(data, "changed")) == ([], [])
    [left] = [e for cmoc in after.cmocs for e in cmoc.evidence]
    assert (left.coder, left.stance.value, left.record.endswith(".2")) == ("CD", "refutes", False)
