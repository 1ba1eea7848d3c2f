"""`cmo diff` over history, through real git in temporary repositories with pinned authors."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.render.diff_text import format_json, format_theory
from cmo.theory.diff import diff_theories
from cmo.theory.git import ExternalDiff, GitError, RevisionRange, parse_external_diff, parse_rev, read_at, repo_path
from cmo.theory.model import Theory
from tests.conftest import Result, isolate_git, write_tree

THEORY = """\
# Programme theory of Alpha (comments are people's)
programme:
  id: alpha
  name: Alpha Connectors
cmocs:
  - id: trust
    statement: If connectors work through key persons, then people seek help, because they trust them
    status: supported
    evidence:
      - record: alpha/a-int-01#3
        transcript: a-int-01
        source: interview
        lines: 42-45
        quote: It took months before anyone at the mosque would talk to me
"""
REFINED = THEORY.replace("status: supported", "status: refined")
WITH_LOOP = REFINED + "  - id: loop\n    status: new\n"
# The real `cmo` entry point, for git to run as a diff driver.
CMO_WRAPPER = """\
import sys
from cmo.cli import main

sys.argv[0] = "cmo"
main.run()
"""


@pytest.fixture
def cmo(cli: Callable[..., Result]) -> Callable[..., Result]:
    """The real `cmo` command, run in-process."""
    return cli


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty git repository as the working directory, with no user or system git config in play."""
    isolate_git(tmp_path, monkeypatch)
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    git(root, "init", "--quiet")
    return root


def git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=Ada Author", "-c", "user.email=ada@example.org", *args]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True, env=os.environ.copy())
    return done.stdout


def commit(root: Path, files: dict[str, str | bytes], message: str) -> str:
    write_tree(root, files)
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def load(text: str) -> Theory:
    import yaml

    return Theory.model_validate(yaml.safe_load(text))


def test_rev_compares_a_revision_with_the_working_copy(cmo: Callable[..., Result], repo: Path) -> None:
    commit(repo, {"theories/alpha.yaml": THEORY}, "initial theory")
    (repo / "theories/alpha.yaml").write_text(REFINED, encoding="utf-8")
    result = cmo("diff", "theories/alpha.yaml", "--rev", "HEAD")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "programme theory alpha: 0 CMOCs added, 1 changed, 0 removed\n"
        "\n"
        "changed CMOC trust\n"
        "  status: supported -> refined\n"
    )
    assert cmo("diff", "theories/alpha.yaml", "--rev", "HEAD", "--exit-code").exit_code == 1


def test_rev_works_from_any_folder_of_the_working_tree(
    cmo: Callable[..., Result], repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit(repo, {"theories/alpha.yaml": THEORY}, "initial theory")
    monkeypatch.chdir(repo / "theories")
    result = cmo("diff", "alpha.yaml", "--rev", "HEAD", "--exit-code")
    assert (result.exit_code, result.stdout) == (0, "no changes to the programme theory alpha\n")


def test_rev_range_between_two_commits(cmo: Callable[..., Result], repo: Path) -> None:
    first = commit(repo, {"theories/alpha.yaml": THEORY}, "initial theory")
    commit(repo, {"theories/alpha.yaml": REFINED}, "refined")
    commit(repo, {"theories/alpha.yaml": WITH_LOOP}, "a new CMOC")
    (repo / "theories/alpha.yaml").write_text("not: [a theory\n", encoding="utf-8")  # the working copy plays no part
    result = cmo("diff", "theories/alpha.yaml", "--rev", f"{first}..HEAD~1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == format_json(diff_theories(load(THEORY), load(REFINED)))
    latest = cmo("diff", "theories/alpha.yaml", "--rev", "HEAD~1..")
    assert latest.stdout.startswith("programme theory alpha: 1 CMOC added, 0 changed, 0 removed\n")


def test_rev_three_dots_compares_with_the_merge_base(cmo: Callable[..., Result], repo: Path) -> None:
    commit(repo, {"theories/alpha.yaml": THEORY}, "initial theory")
    git(repo, "branch", "-M", "main")
    git(repo, "checkout", "--quiet", "-b", "refine")
    commit(repo, {"theories/alpha.yaml": REFINED}, "refined")
    git(repo, "checkout", "--quiet", "main")
    commit(repo, {"theories/alpha.yaml": THEORY.replace("Alpha Connectors", "Alpha")}, "renamed on main")
    result = cmo("diff", "theories/alpha.yaml", "--rev", "main...refine")
    # Only what the branch did: the rename on main is not part of it.
    assert result.stdout == (
        "programme theory alpha: 0 CMOCs added, 1 changed, 0 removed\n\nchanged CMOC trust\n  status: supported -> refined\n"
    )
    two_dots = cmo("diff", "theories/alpha.yaml", "--rev", "main..refine")
    assert "name: Alpha -> Alpha Connectors" in two_dots.stdout


def test_file_absent_at_the_old_revision_means_every_cmoc_added(cmo: Callable[..., Result], repo: Path) -> None:
    commit(repo, {"README.md": "theories live in theories/\n"}, "empty project")
    write_tree(repo, {"theories/alpha.yaml": WITH_LOOP})
    result = cmo("diff", "theories/alpha.yaml", "--rev", "HEAD")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("new programme theory alpha: 2 CMOCs added, 0 changed, 0 removed\n")
    assert "added CMOC trust\n" in result.stdout and "added CMOC loop\n" in result.stdout


def test_file_deleted_from_the_working_copy_means_every_cmoc_removed(cmo: Callable[..., Result], repo: Path) -> None:
    commit(repo, {"theories/alpha.yaml": THEORY}, "initial theory")
    (repo / "theories/alpha.yaml").unlink()
    result = cmo("diff", "theories/alpha.yaml", "--rev", "HEAD")
    assert result.stdout.startswith("deleted programme theory alpha: 0 CMOCs added, 0 changed, 1 removed\n")


def test_file_absent_on_both_sides_is_a_usage_error(cmo: Callable[..., Result], repo: Path) -> None:
    commit(repo, {"theories/alpha.yaml": THEORY}, "initial theory")
    result = cmo("diff", "theories/alhpa.yaml", "--rev", "HEAD")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "cmo: error: theories/alhpa.yaml exists neither at HEAD nor in the working copy\n"
    both = cmo("diff", "theories/alhpa.yaml", "--rev", "HEAD..HEAD")
    assert both.stderr == "cmo: error: theories/alhpa.yaml exists at neither end of HEAD..HEAD\n"


def test_unknown_revision_is_a_clear_error(cmo: Callable[..., Result], repo: Path) -> None:
    commit(repo, {"theories/alpha.yaml": THEORY}, "initial theory")
    result = cmo("diff", "theories/alpha.yaml", "--rev", "no-such-branch")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"cmo: error: unknown revision 'no-such-branch' in {repo.resolve()}\n"
    option_like = cmo("diff", "theories/alpha.yaml", "--rev=--output=/tmp/x")
    assert option_like.stderr == "cmo: error: --rev '--output=/tmp/x': '--output=/tmp/x' is not a revision\n"


def test_a_revision_in_an_empty_repository_is_unknown(cmo: Callable[..., Result], repo: Path) -> None:
    write_tree(repo, {"theories/alpha.yaml": THEORY})
    result = cmo("diff", "theories/alpha.yaml", "--rev", "HEAD")
    assert (result.exit_code, result.stderr) == (2, f"cmo: error: unknown revision 'HEAD' in {repo.resolve()}\n")


def test_not_a_git_repository_is_a_clear_error(
    cmo: Callable[..., Result], repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = write_tree(tmp_path / "outside", {"alpha.yaml": THEORY})
    monkeypatch.chdir(outside)
    result = cmo("diff", "alpha.yaml", "--rev", "HEAD")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"cmo: error: alpha.yaml is not in a git working tree (git rev-parse --show-toplevel failed in {outside})\n"
    )


def test_an_invalid_theory_at_a_revision_is_reported_with_the_revision(cmo: Callable[..., Result], repo: Path) -> None:
    commit(repo, {"theories/alpha.yaml": "programme:\n  id: alpha\n  nmae: Alpha\n"}, "broken")
    write_tree(repo, {"theories/alpha.yaml": THEORY})
    result = cmo("diff", "theories/alpha.yaml", "--rev", "HEAD")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "HEAD:theories/alpha.yaml:2:3: error[missing-key]: required key 'programme.name' is missing\n"
        "HEAD:theories/alpha.yaml:3:3: error[unknown-key]: programme: unknown key 'nmae'; did you mean 'name'?\n"
    )


def test_read_at_gives_committed_bytes_and_none_for_a_missing_path(repo: Path) -> None:
    sha = commit(repo, {"theories/alpha.yaml": THEORY, "theories/sub/x.yaml": "a: 1\n"}, "initial theory")
    (repo / "theories/alpha.yaml").write_text(REFINED, encoding="utf-8")
    assert read_at(repo_path(Path("theories/alpha.yaml")), sha) == THEORY.encode()
    assert read_at(repo_path(Path("theories/gone.yaml")), sha) is None
    with pytest.raises(GitError, match=r"^theories/sub is a tree at [0-9a-f]{12}, not a file$"):
        read_at(repo_path(Path("theories/sub")), sha)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("HEAD", RevisionRange("HEAD", None)),
        ("v1..v2", RevisionRange("v1", "v2")),
        ("v1..", RevisionRange("v1", "HEAD")),
        ("..v2", RevisionRange("HEAD", "v2")),
        ("main...HEAD", RevisionRange("main", "HEAD", merge_base=True)),
        ("HEAD~2", RevisionRange("HEAD~2", None)),
    ],
)
def test_parse_rev(spec: str, expected: RevisionRange) -> None:
    assert parse_rev(spec) == expected


@pytest.mark.parametrize("spec", ["", "..", "...", "a..b..c", "-x", "a b"])
def test_parse_rev_refuses_what_is_no_range(spec: str) -> None:
    with pytest.raises(GitError):
        parse_rev(spec)


def test_parse_external_diff() -> None:
    sha = "0" * 40
    args = ["theories/a.yaml", "/tmp/x", sha, "100644", "/dev/null", ".", "."]
    assert parse_external_diff(args) == ExternalDiff("theories/a.yaml", Path("/tmp/x"), None)
    renamed = parse_external_diff([*args[:4], "theories/b.yaml", sha, "100644", "theories/b.yaml", "similarity"])
    assert (renamed.new_file, renamed.new_path) == (Path("theories/b.yaml"), "theories/b.yaml")
    assert parse_external_diff(["theories/a.yaml"]).unmerged


# --- as git's own diff driver --------------------------------------------------------------------


@pytest.fixture
def driver(repo: Path, tmp_path: Path) -> Path:
    """A repository whose theories/*.yaml git diffs with `cmo diff --git-external` (and textconv)."""
    wrapper = tmp_path / "cmo_wrapper.py"
    wrapper.write_text(CMO_WRAPPER, encoding="utf-8")
    cmo = f"'{sys.executable}' '{wrapper}' diff"
    git(repo, "config", "diff.cmo.command", f"{cmo} --git-external")
    git(repo, "config", "diff.cmo.textconv", f"{cmo} --textconv")
    write_tree(repo, {".gitattributes": "theories/*.yaml diff=cmo\n"})
    return repo


def test_git_diff_uses_cmo_as_the_diff_driver(driver: Path) -> None:
    commit(driver, {"theories/alpha.yaml": THEORY, "notes.txt": "one\n"}, "initial theory")
    write_tree(driver, {"theories/alpha.yaml": WITH_LOOP, "notes.txt": "two\n"})
    shown = git(driver, "diff")
    assert (
        "cmo diff a/theories/alpha.yaml b/theories/alpha.yaml\n"
        "programme theory alpha: 1 CMOC added, 1 changed, 0 removed\n"
        "\n"
        "changed CMOC trust\n"
        "  status: supported -> refined\n"
        "\n"
        "added CMOC loop\n"
        "  status: new\n"
    ) in shown
    assert "-one\n+two\n" in shown  # other files keep git's own diff


def test_git_diff_driver_on_an_added_file_and_a_rename(driver: Path) -> None:
    commit(driver, {"README.md": "x\n"}, "empty project")
    commit(driver, {"theories/alpha.yaml": THEORY}, "initial theory")
    added = git(driver, "diff", "HEAD~1", "HEAD")
    assert "cmo diff a/theories/alpha.yaml b/theories/alpha.yaml\nnew programme theory alpha: 1 CMOC added" in added
    git(driver, "mv", "theories/alpha.yaml", "theories/alpha-connectors.yaml")
    git(driver, "commit", "--quiet", "-m", "renamed")
    renamed = git(driver, "diff", "-M", "HEAD~1", "HEAD")
    assert renamed == (
        "cmo diff a/theories/alpha.yaml b/theories/alpha-connectors.yaml\nno changes to the programme theory alpha\n"
    )


def test_a_broken_theory_does_not_stop_git_diff(driver: Path) -> None:
    commit(driver, {"theories/alpha.yaml": THEORY, "theories/beta.yaml": THEORY}, "two theories")
    write_tree(driver, {"theories/alpha.yaml": "programme: [\n", "theories/beta.yaml": REFINED})
    shown = git(driver, "diff")
    assert shown.startswith(
        "cmo diff a/theories/alpha.yaml b/theories/alpha.yaml\n"
        "b/theories/alpha.yaml:1:12: error[yaml-syntax]: the list opened with '[' here is not closed: end it with ']'"
    )
    assert "--- a/theories/alpha.yaml\n+++ b/theories/alpha.yaml\n" in shown
    assert "+programme: [\n" in shown
    assert (
        "cmo diff a/theories/beta.yaml b/theories/beta.yaml\nprogramme theory alpha: 0 CMOCs added, 1 changed" in shown
    )


def test_git_external_diff_environment_variable(repo: Path, tmp_path: Path) -> None:
    wrapper = tmp_path / "cmo_wrapper.py"
    wrapper.write_text(CMO_WRAPPER, encoding="utf-8")
    script = tmp_path / "cmo-diff"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{wrapper}" diff --git-external --format md "$@"\n')
    script.chmod(0o755)
    commit(repo, {"theories/alpha.yaml": THEORY}, "initial theory")
    write_tree(repo, {"theories/alpha.yaml": REFINED})
    env = {**os.environ, "GIT_EXTERNAL_DIFF": str(script)}
    shown = subprocess.run(["git", "diff"], cwd=repo, capture_output=True, text=True, check=True, env=env).stdout
    assert shown == (
        "cmo diff a/theories/alpha.yaml b/theories/alpha.yaml\n"
        "\n"
        "### Programme theory `alpha`: 0 CMOCs added, 1 changed, 0 removed\n"
        "\n"
        "#### Changed CMOC `trust`\n"
        "\n"
        "- **status**: supported → refined\n"
    )


def test_textconv_gives_git_log_a_line_per_fact(driver: Path) -> None:
    commit(driver, {"theories/alpha.yaml": THEORY}, "initial theory")
    commit(driver, {"theories/alpha.yaml": REFINED}, "refined")
    log = git(driver, "log", "-p", "-1", "--format=%s")  # log uses textconv, not the external command
    assert "-  status: supported\n+  status: refined\n" in log
    assert git(driver, "show", "HEAD:theories/alpha.yaml", "--textconv") == format_theory(load(REFINED))
