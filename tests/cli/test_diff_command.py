"""`cmo diff`: files, git revisions, exit codes, textconv and git's external-diff mode."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from cmo.render.diff_text import format_json, format_theory
from cmo.theory.diff import diff_theories
from cmo.theory.model import Theory
from tests.conftest import Result
from tests.render.test_diff_text import EXPECTED_MARKDOWN, EXPECTED_TEXT, NEW, OLD


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
