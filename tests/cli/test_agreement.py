"""`cmo agreement`: formats, exit codes, the JSON shape, and branch mode in a real git repository."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TRANSCRIPT, Result, corpus_files, isolate_git, write_tree
from tests.theory.test_git import commit, git

# A second coder's block beside the file coder's (AB): the same mechanism without the resource/reasoning
# split and without key persons, the same outcome, and a barrier AB did not code.
SECOND = """
```cmo
coder: CD
context: stigma
mechanism: building-trust
outcome: help-seeking
barriers: short-funding
```
"""
ALONE = """
**P01:** The imam said it at Friday prayers, and then they came.

```cmo
mechanism: key-persons
outcome: help-seeking
```
"""


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A study (corpus/ under the working directory) with one passage coded by AB and CD, one by AB only."""
    write_tree(tmp_path / "corpus", corpus_files(**{"a-int-01": TRANSCRIPT + SECOND + ALONE}))
    monkeypatch.chdir(tmp_path)
    return tmp_path


SHOWN = "corpus/alpha/a-int-01.md"
EXPECTED_DISAGREEMENTS = [
    f"{SHOWN}:9: mechanism: AB: building-trust, key-persons; CD: building-trust",
    f"{SHOWN}:9: resource: AB: key-persons; CD: (none)",
    f"{SHOWN}:9: reasoning: AB: building-trust; CD: (none)",
    f"{SHOWN}:9: barriers: AB: (none); CD: short-funding",
    f"{SHOWN}:9: cmoc: AB: key-persons-building-trust-help-seeking-",  # the generated ids' hashes follow
]


def test_text_lists_roles_and_every_disagreement(cli: Callable[..., Result], study: Path) -> None:
    result = cli("agreement")
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0] == "coders: AB, CD; 1 of 2 coded passages double-coded (coded by two or more coders)"
    assert lines[1] == (
        "single-coded: 1 passage coded by one coder only, in transcripts two or more coders coded "
        "(left out of the figures)"
    )
    table = {line.split()[0]: line.split()[1:] for line in lines[3:13]}
    assert table["role"] == ["alpha", "kappa", "agreement", "units", "used"]
    assert table["context"] == ["1.000", "1.000", "100%", "1", "1"]
    assert table["intervention"] == ["1.000", "1.000", "100%", "1", "0"]  # agreeing by both leaving it empty
    assert table["mechanism"] == ["0.000", "0.000", "0%", "1", "1"]
    assert table["outcome"] == ["1.000", "1.000", "100%", "1", "1"]
    shown = lines[lines.index("disagreements (5):") + 1 :]
    assert [line[: len(prefix)] for line, prefix in zip(shown, EXPECTED_DISAGREEMENTS, strict=True)] == (
        EXPECTED_DISAGREEMENTS
    )
    assert shown[-1].split("; CD: ")[1].startswith("building-trust-help-seeking-")


def test_json_has_the_issues_shape(cli: Callable[..., Result], study: Path) -> None:
    result = cli("agreement", "corpus", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data) == [
        "coders",
        "passages",
        "units",
        "single_coded",
        "without_cmoc",
        "roles",
        "codes",
        "configurations",
        "disagreements",
    ]
    assert (data["single_coded"], data["without_cmoc"]) == (1, 0)
    assert data["coders"] == ["AB", "CD"]
    assert list(data["roles"]) == [
        "context",
        "intervention",
        "actor",
        "mechanism",
        "resource",
        "reasoning",
        "outcome",
        "enablers",
        "barriers",
    ]
    assert data["roles"]["outcome"] == {
        "alpha": 1.0,
        "kappa": 1.0,
        "agreement": 1.0,
        "units": 1,
        "used": 1,
        "reason": None,
    }
    assert data["roles"]["enablers"]["used"] == 0
    assert set(data["codes"]) == {"building-trust", "key-persons", "help-seeking", "stigma", "short-funding"}
    assert data["codes"]["key-persons"]["agreement"] == 0.0
    assert set(data["configurations"]) == {"cmoc", "mechanism-outcome"}
    first = data["disagreements"][0]
    assert first == {
        "path": SHOWN,
        "line": 9,
        "role": "mechanism",
        "coders": {"AB": ["building-trust", "key-persons"], "CD": ["building-trust"]},
        "not_coded": [],
    }


def test_csv_has_a_row_per_disagreement_and_md_a_table(cli: Callable[..., Result], study: Path) -> None:
    out = study / "disagreements.csv"
    result = cli("agreement", "--format", "csv", "--out", out)
    assert (result.exit_code, result.stdout) == (0, "")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = raw.decode("utf-8-sig").splitlines()
    assert rows[0] == "path,line,role,AB,CD"
    assert rows[1] == f'{SHOWN},9,mechanism,"building-trust, key-persons",building-trust'
    assert len(rows) == 1 + 5
    md = cli("agreement", "--format", "md").stdout
    assert md.startswith("# Inter-coder agreement\n")
    assert "| mechanism | 0.000 | 0.000 | 0% | 1 | 1 |" in md
    assert f"- `{SHOWN}:9` barriers: AB: (none); CD: short-funding" in md


def test_identical_double_coding_agrees_fully(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    same = SECOND.replace("mechanism: building-trust", "mechanism: {resource: key-persons, reasoning: building-trust}")
    same = same.replace("barriers: short-funding\n", "")
    write_tree(tmp_path / "corpus", corpus_files(**{"a-int-01": TRANSCRIPT + same}))
    monkeypatch.chdir(tmp_path)
    data = json.loads(cli("agreement", "--format", "json").stdout)
    assert data["disagreements"] == []
    assert {role: stats["alpha"] for role, stats in data["roles"].items()} == dict.fromkeys(data["roles"], 1.0)
    assert data["configurations"]["cmoc"]["agreement"] == 1.0
    assert cli("agreement").stdout.endswith("no disagreements: every double-coded passage was coded the same way\n")


def test_no_double_coded_passage_says_so_and_exits_0(cli: Callable[..., Result], tree: Callable[..., Path]) -> None:
    root = tree(corpus_files(**{"a-int-01": TRANSCRIPT}))
    result = cli("agreement", root)
    assert result.exit_code == 0
    assert "context         n/a    n/a        n/a      0     0" in result.stdout
    assert "no passage is coded by two or more coders, so there is nothing to compare" in result.stdout
    data = json.loads(cli("agreement", root, "--format", "json").stdout)
    assert data["roles"]["context"] == {
        "alpha": None,
        "kappa": None,
        "agreement": None,
        "units": 0,
        "used": 0,
        "reason": "no double-coded passages",
    }


def test_corpus_errors_exit_1_and_nothing_is_measured(cli: Callable[..., Result], tree: Callable[..., Path]) -> None:
    root = tree(corpus_files(**{"a-int-01": TRANSCRIPT.replace("help-seeking", "help-seking")}))
    result = cli("agreement", root)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error[unknown-code]" in result.stderr
    assert result.stderr.endswith("cmo: agreement not measured: fix the errors above first\n")


def test_agreement_never_changes_a_theory(cli: Callable[..., Result], study: Path) -> None:
    assert cli("merge").exit_code == 0
    theory = study / "theories/alpha.yaml"
    before = theory.read_bytes()
    result = cli("agreement", "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert theory.read_bytes() == before
    cmocs = json.loads(result.stdout)["disagreements"][-1]["coders"]
    assert all(ids and ids[0] in before.decode() for ids in cmocs.values())  # the theory's CMOC ids


# --- branch mode ---------------------------------------------------------------------------------------

BASE = """\
---
id: a-int-01
source: interview
participants: [P01]
---

**P01:** It took months before anyone at the mosque
would talk to me about how they were feeling.

**P01:** The imam said it at Friday prayers, and then they came.
"""
FIRST_END = "how they were feeling.\n"
ALICE_FIRST = "\n```cmo\nmechanism: {resource: key-persons, reasoning: building-trust}\noutcome: help-seeking\n```\n"
BOB_FIRST = "\n\n```cmo\n# bob: trust, no key person here\nmechanism: building-trust\noutcome: help-seeking\n```\n"
BOTH_SECOND = "\n```cmo\nactor: faith-leaders\nmechanism: key-persons\noutcome: help-seeking\n```\n"


def _coded(first: str) -> str:
    return BASE.replace(FIRST_END, FIRST_END + first) + BOTH_SECOND


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A study in git: the corpus uncoded on the main line, alice's and bob's coding on their own branches."""
    isolate_git(tmp_path, monkeypatch)
    root = tmp_path / "study"
    root.mkdir()
    monkeypatch.chdir(root)
    git(root, "init", "--quiet")
    commit(root, {"README.md": "A study.\n"}, "start")
    git(root, "tag", "before-corpus")
    files = {f"corpus/{name}": text for name, text in corpus_files(**{"a-int-01": BASE}).items()}
    commit(root, files, "corpus")
    for coder, first in (("alice", ALICE_FIRST), ("bob", BOB_FIRST)):
        git(root, "checkout", "--quiet", "-b", coder)
        commit(root, {"corpus/alpha/a-int-01.md": _coded(first)}, f"{coder}'s coding")
        git(root, "checkout", "--quiet", "-")
    return root


def test_branches_are_compared_on_content_lines_and_reported_at_the_first(
    cli: Callable[..., Result], repo: Path
) -> None:
    result = cli("agreement", "--rev", "alice", "--rev", "bob")
    assert (result.exit_code, result.stderr) == (0, "")
    alice_lines = _coded(ALICE_FIRST).splitlines()
    first = alice_lines.index("**P01:** It took months before anyone at the mosque") + 1
    second = alice_lines.index("**P01:** The imam said it at Friday prayers, and then they came.") + 1
    assert first == 7 and second != _coded(BOB_FIRST).splitlines().index(alice_lines[second - 1]) + 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "coders: alice, bob; 2 of 2 coded passages compared at every revision that has their transcript "
        "((not coded) where a revision did not code one)"
    )
    shown = [line for line in lines if line.startswith(SHOWN)]
    assert shown[:3] == [
        f"{SHOWN}:{first}: mechanism: alice: building-trust, key-persons; bob: building-trust",
        f"{SHOWN}:{first}: resource: alice: key-persons; bob: (none)",
        f"{SHOWN}:{first}: reasoning: alice: building-trust; bob: (none)",
    ]
    assert [line.split(": ")[1] for line in shown] == ["mechanism", "resource", "reasoning", "cmoc"]
    # The second passage, coded the same on both branches at different file lines, is one agreeing unit.
    data = json.loads(cli("agreement", "--rev", "alice", "--rev", "bob", "--format", "json").stdout)
    assert data["coders"] == ["alice", "bob"] and data["units"] == 2
    assert data["roles"]["actor"]["agreement"] == 1.0
    narrowed = cli("agreement", SHOWN, "--rev", "alice", "--rev", "bob", "--format", "json")
    assert (narrowed.exit_code, json.loads(narrowed.stdout)) == (0, data)
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True).stdout == b""


@pytest.mark.parametrize(
    ("revs", "message"),
    [
        (["alice", "nosuch"], "cmo: error: unknown revision 'nosuch' in "),
        (["alice"], "cmo: error: --rev compares revisions: give two or more (`--rev alice --rev bob`)\n"),
        (["alice", "alice"], "cmo: error: --rev 'alice' is given twice: each revision stands for one coder\n"),
        (["before-corpus", "alice"], "cmo: error: revision 'before-corpus' has no files in corpus\n"),
        (["--", "alice"], "cmo: error: --rev '--' is not a revision\n"),
    ],
)
def test_bad_revisions_are_usage_errors(cli: Callable[..., Result], repo: Path, revs: list[str], message: str) -> None:
    result = cli("agreement", *[arg for rev in revs for arg in ("--rev", rev)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


def test_revisions_outside_a_repository_are_a_usage_error(
    cli: Callable[..., Result], study: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git(study, monkeypatch)
    result = cli("agreement", "--rev", "a", "--rev", "b")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("cmo: error: ") and "not in a git working tree" in result.stderr


def test_a_revisions_problems_are_named_at_the_revision(cli: Callable[..., Result], repo: Path) -> None:
    git(repo, "checkout", "--quiet", "-b", "broken")
    commit(repo, {"corpus/alpha/a-int-01.md": _coded(ALICE_FIRST).replace("faith-leaders", "faith-leader")}, "typo")
    (repo / "corpus/alpha/link.md").symlink_to("a-int-01.md")
    commit(repo, {}, "a link")
    git(repo, "checkout", "--quiet", "-")
    result = cli("agreement", "--rev", "alice", "--rev", "broken")
    assert (result.exit_code, result.stdout) == (1, "")
    assert "warning: broken:corpus/alpha/link.md left out: a symbolic link\n" in result.stderr
    assert f"broken:{SHOWN}:" in result.stderr and "error[unknown-code]" in result.stderr


def test_a_passage_one_revision_did_not_code_is_a_disagreement(cli: Callable[..., Result], repo: Path) -> None:
    git(repo, "checkout", "--quiet", "bob")
    commit(repo, {"corpus/alpha/a-int-01.md": _coded(BOB_FIRST).replace(BOTH_SECOND, "\n")}, "bob drops one")
    git(repo, "checkout", "--quiet", "-")
    result = cli("agreement", "--rev", "alice", "--rev", "bob")
    assert (result.exit_code, result.stderr) == (0, "")
    second = _coded(ALICE_FIRST).splitlines().index("**P01:** The imam said it at Friday prayers, and then they came.")
    shown = [line for line in result.stdout.splitlines() if line.startswith(f"{SHOWN}:{second + 1}:")]
    assert shown == [
        f"{SHOWN}:{second + 1}: actor: alice: faith-leaders; bob: (not coded)",
        f"{SHOWN}:{second + 1}: mechanism: alice: key-persons; bob: (not coded)",
        f"{SHOWN}:{second + 1}: outcome: alice: help-seeking; bob: (not coded)",
        f"{SHOWN}:{second + 1}: cmoc: alice: key-persons-help-seeking-"
        + shown[-1].split("key-persons-help-seeking-")[1],
    ]
    data = json.loads(cli("agreement", "--rev", "alice", "--rev", "bob", "--format", "json").stdout)
    assert data["units"] == 2 and data["roles"]["actor"]["agreement"] == 0.5
    assert data["disagreements"][-1]["coders"]["bob"] == [] and data["disagreements"][-1]["not_coded"] == ["bob"]
    rows = cli("agreement", "--rev", "alice", "--rev", "bob", "--format", "csv").stdout.splitlines()
    assert rows[-1].endswith(",(not coded)")


def test_a_transcript_only_some_revisions_have_is_named(cli: Callable[..., Result], repo: Path) -> None:
    git(repo, "checkout", "--quiet", "bob")
    commit(repo, {"corpus/alpha/a-int-02.md": _coded(BOB_FIRST).replace("a-int-01", "a-int-02")}, "bob's own")
    git(repo, "checkout", "--quiet", "-")
    result = cli("agreement", "--rev", "alice", "--rev", "bob", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: corpus/alpha/a-int-02.md is at bob only, not at alice: its passages are not compared\n"
    )
    assert json.loads(result.stdout)["units"] == 2


PROGRAMME_BETA = "id: beta\nname: Beta\nframework: none\n"


def test_a_code_of_another_programme_is_named_in_the_working_tree(cli: Callable[..., Result], repo: Path) -> None:
    git(repo, "checkout", "--quiet", "bob")
    beta = {
        "corpus/beta/programme.yaml": PROGRAMME_BETA,
        "corpus/beta/codebook.yaml": "codes:\n  beta-only: {kind: context, label: B}\n",
    }
    commit(
        repo,
        {
            **beta,
            "corpus/alpha/a-int-01.md": _coded(BOB_FIRST).replace("actor: faith", "context: beta-only\nactor: faith"),
        },
        "b",
    )
    git(repo, "checkout", "--quiet", "-")
    result = cli("agreement", "--rev", "alice", "--rev", "bob")
    assert result.exit_code == 1
    assert "cmo-agreement-" not in result.stderr and "/tmp" not in result.stderr
    assert "bob:corpus/beta/codebook.yaml" in result.stderr, result.stderr


def test_text_edited_on_one_branch_is_aligned_by_its_lines_and_warned(cli: Callable[..., Result], repo: Path) -> None:
    inserted = "**P01:** A new first line.\n\n**P01:** It took months"
    git(repo, "checkout", "--quiet", "bob")
    commit(repo, {"corpus/alpha/a-int-01.md": _coded(BOB_FIRST).replace("**P01:** It took months", inserted)}, "e")
    git(repo, "checkout", "--quiet", "-")
    result = cli("agreement", "--rev", "alice", "--rev", "bob", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == (
        f"warning: {SHOWN}: the text (blocks left out) differs between alice and bob: "
        "units aligned by content line may not match\n"
    )
    data = json.loads(result.stdout)
    assert data["units"] == 2 and data["roles"]["actor"]["agreement"] == 1.0
    assert {d["line"] for d in data["disagreements"]} == {7}
