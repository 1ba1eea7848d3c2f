"""`cmo codebook link` and `--reject` at the command line; `cmo codebook [PATH]` still lists; validate checks links."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import DEMO_CORPUS, Result

NC = "corpus/northcliffe-connect/codebook.yaml"


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo corpus as corpus/ in the working directory, without its confirmed fuzzy pairs."""
    shutil.copytree(DEMO_CORPUS, tmp_path / "corpus")
    path = tmp_path / NC
    text = path.read_text(encoding="utf-8")
    for line in ("    same_as: [mental-health-language]\n", "    same_as: [diverse-work-backgrounds]\n"):
        text = text.replace(line, "")
    path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_link_writes_one_line_and_says_so(demo: Path, cli: Callable[..., Result]) -> None:
    before = (demo / NC).read_text()
    result = cli("codebook", "link", "northcliffe-connect:varied-careers", "riverside-bridges:diverse-work-backgrounds")
    assert result == Result(
        0,
        f"{NC}: added diverse-work-backgrounds to same_as of 'varied-careers' "
        "(northcliffe-connect:varied-careers = riverside-bridges:diverse-work-backgrounds)\n",
        "",
    )
    after = (demo / NC).read_text()
    anchor = "      schools, warehouses) rather than from health or social care.\n"
    assert after == before.replace(anchor, anchor + "    same_as: [diverse-work-backgrounds]\n")
    again = cli("codebook", "link", "northcliffe-connect:varied-careers", "riverside-bridges:diverse-work-backgrounds")
    assert again == Result(
        0,
        "northcliffe-connect:varied-careers and riverside-bridges:diverse-work-backgrounds are linked already "
        "(same_as: varied-careers = diverse-work-backgrounds); nothing to do\n",
        "",
    )
    assert (demo / NC).read_text() == after


def test_dry_run_prints_the_diff_and_writes_nothing(demo: Path, cli: Callable[..., Result]) -> None:
    before = (demo / NC).read_bytes()
    args = ["northcliffe-connect:talk-about-mental-health", "riverside-bridges:mental-health-language"]
    result = cli("codebook", "link", *args, "--dry-run")
    assert result == Result(
        0,
        f"--- {NC}\n+++ {NC}\n@@ -41,2 +41,3 @@\n"
        "       'just tired') instead of clinical language.\n"
        "+    same_as: [mental-health-language]\n"
        "   recognising-strengths:\n"
        f"{NC}: would add mental-health-language to same_as of 'talk-about-mental-health' "
        "(northcliffe-connect:talk-about-mental-health = riverside-bridges:mental-health-language)\n"
        "dry run: nothing written\n",
        "",
    )
    assert (demo / NC).read_bytes() == before


def test_reject_records_not_same_as(demo: Path, cli: Callable[..., Result]) -> None:
    result = cli(
        "codebook", "link", "--reject", "riverside-bridges:provider-distrust", "northcliffe-connect:limited-timescale"
    )
    assert result.exit_code == 0, result
    assert "    not_same_as: [limited-timescale]\n" in (demo / "corpus/riverside-bridges/codebook.yaml").read_text()
    refused = cli("codebook", "link", "northcliffe-connect:limited-timescale", "riverside-bridges:provider-distrust")
    assert refused.exit_code == 1 and refused.stdout == ""
    assert (
        "error[link-conflict]: 'northcliffe-connect:limited-timescale' and 'riverside-bridges:provider-distrust' "
        "were rejected as different (not_same_as of 'provider-distrust' in corpus/riverside-bridges/codebook.yaml:"
        in refused.stderr
    )


def test_a_refusal_exits_1_with_the_rule_and_writes_nothing(demo: Path, cli: Callable[..., Result]) -> None:
    before = {path: path.read_bytes() for path in (demo / "corpus").rglob("codebook.yaml")}
    result = cli("codebook", "link", "northcliffe-connect:varied-career", "riverside-bridges:diverse-work-backgrounds")
    assert result == Result(
        1,
        "",
        f"{NC}:1:1: error[link-code]: programme 'northcliffe-connect' has no code 'varied-career'; "
        "did you mean 'varied-careers'?\n",
    )
    kinds = cli("codebook", "link", "northcliffe-connect:varied-careers", "riverside-bridges:insider-understanding")
    assert kinds.exit_code == 1 and "error[link-kind]" in kinds.stderr
    assert {path: path.read_bytes() for path in (demo / "corpus").rglob("codebook.yaml")} == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["varied-careers", "riverside-bridges:x"],
            "give codes as PROGRAMME:CODE (e.g. northcliffe-connect:varied-careers), not 'varied-careers'",
        ),
        (
            ["northcliffe-connect:varied-careers"],
            "cmo codebook link needs two codes or more: PROGRAMME:CODE PROGRAMME:CODE",
        ),
    ],
)
def test_link_usage_errors_exit_2(demo: Path, cli: Callable[..., Result], args: list[str], message: str) -> None:
    assert cli("codebook", "link", *args) == Result(2, "", f"cmo: error: {message}\n")


def test_codebook_still_lists_by_default(demo: Path, cli: Callable[..., Result]) -> None:
    listed = cli("codebook", "corpus", "--format", "json")
    assert listed.exit_code == 0
    assert cli("codebook", "--format", "json") == listed
    assert cli("codebook", "list", "corpus", "--format", "json") == listed
    assert '"code": "varied-careers"' in listed.stdout


def test_validate_reports_an_unknown_same_as_target(demo: Path, cli: Callable[..., Result]) -> None:
    path = demo / "corpus/riverside-bridges/codebook.yaml"
    path.write_text(path.read_text().replace("same_as: [staff-from-community]", "same_as: [staff-from-comunity]"))
    result = cli("validate", "corpus", "--format", "json")
    assert result.exit_code == 1
    assert '"rule": "same-as-unknown"' in result.stdout
    assert (
        "lists 'staff-from-comunity' in same_as, but no codebook of the corpus declares it; "
        "did you mean 'staff-from-community'?" in result.stdout
    )
