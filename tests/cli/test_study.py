"""The study root: found from any folder inside it; the demo only outside one, said so; writes refused there."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.cli.inputs import DEMO_NOTICE
from tests.conftest import TRANSCRIPT, Result, corpus_files, write_tree

SECOND = TRANSCRIPT.replace("a-int-01", "a-int-02").replace("It took months", "It took a year")


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "study"
    files = corpus_files()
    files["alpha/interviews/a-int-01.md"] = TRANSCRIPT
    files["alpha/interviews/a-int-02.md"] = SECOND
    write_tree(root / "corpus", files)
    monkeypatch.chdir(root)
    return root


def _theory(study: Path) -> bytes:
    return (study / "theories" / "alpha.yaml").read_bytes()


def test_validate_from_a_sub_folder_of_the_corpus_checks_the_study_not_the_demo(
    study: Path, cli: Callable[..., Result]
) -> None:
    os.chdir(study / "corpus" / "alpha" / "interviews")
    result = cli("validate")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "0 errors, 0 warnings in 2 transcripts\n"


def test_validate_dot_at_the_top_of_a_study_checks_its_corpus_and_theories(
    study: Path, cli: Callable[..., Result]
) -> None:
    (study / "cmo.yaml").write_text("# a study of cmo\ncorpus: corpus\ntheories: theories\n", encoding="utf-8")
    (study / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    assert cli("merge").exit_code == 0
    result = cli("validate", ".")
    # Not cmo.yaml and the pre-commit file read as theory files: the corpus and theories/ it names.
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "0 errors, 0 warnings in 2 transcripts and 1 theory file\n"


def test_merge_from_the_root_and_from_a_sub_folder_writes_the_same_files(
    study: Path, cli: Callable[..., Result]
) -> None:
    assert cli("merge").stdout == "theories/alpha.yaml: updated\n"
    first = _theory(study)
    (study / "theories" / "alpha.yaml").unlink()
    os.chdir(study / "corpus" / "alpha")
    assert cli("merge").stdout == "../../theories/alpha.yaml: updated\n"
    assert _theory(study) == first
    assert sorted(p.name for p in (study / "corpus" / "alpha").iterdir()) == [
        "codebook.yaml",
        "interviews",
        "programme.yaml",
    ]


def test_merging_one_transcript_keeps_the_evidence_of_all_the_others(study: Path, cli: Callable[..., Result]) -> None:
    cli("merge")
    whole = _theory(study)
    assert whole.count(b"- record: alpha/") == 2
    result = cli("merge", "corpus/alpha/interviews/a-int-01.md")
    assert (result.exit_code, result.stdout) == (0, "theories/alpha.yaml: up to date\n")
    assert _theory(study) == whole


def test_compare_and_report_run_inside_the_theories_folder(study: Path, cli: Callable[..., Result]) -> None:
    cli("merge")
    os.chdir(study / "theories")
    result = cli("report", "alpha", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert '"id": "alpha"' in result.stdout


def test_outside_any_study_the_demo_is_used_and_said_so(tmp_path: Path, cli: Callable[..., Result]) -> None:
    os.chdir(tmp_path)
    result = cli("validate")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == DEMO_NOTICE
    assert result.stderr.count("demo corpus") == 1


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["merge"], "--theories"),
        (["synthesise", "northcliffe-connect", "riverside-bridges"], "--theories"),
        (["import", "northcliffe-connect", "--into", "riverside-bridges"], "--theories"),
        (
            ["codebook", "link", "northcliffe-connect:varied-careers", "riverside-bridges:diverse-work-backgrounds"],
            "--corpus",
        ),
        (["qdpx", "import", "project.qdpx", "--programme", "mine"], "--corpus"),
    ],
)
def test_outside_any_study_a_write_is_refused_unless_told_where(
    tmp_path: Path, cli: Callable[..., Result], command: list[str], option: str
) -> None:
    from cmo.corpus.layout import demo_corpus

    demo = {path: path.read_bytes() for path in demo_corpus().rglob("*.yaml")}
    os.chdir(tmp_path)
    result = cli(*command)
    assert result.exit_code == 2
    assert "not inside a study (no cmo.yaml, corpus/ or theories/ here or above)" in result.stderr
    assert f"`cmo init` makes one) or say where with {option} DIR" in result.stderr
    assert list(tmp_path.iterdir()) == []
    assert {path: path.read_bytes() for path in demo_corpus().rglob("*.yaml")} == demo  # the demo is never written


def test_outside_a_study_merge_writes_where_theories_says(tmp_path: Path, cli: Callable[..., Result]) -> None:
    os.chdir(tmp_path)
    result = cli("merge", "--theories", "out")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "northcliffe-connect.yaml",
        "riverside-bridges.yaml",
    ]


def test_cmo_yaml_marks_the_root_and_says_where_corpus_and_theories_are(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = tmp_path / "evaluation"
    write_tree(root / "data", {**corpus_files(), "alpha/a-int-01.md": TRANSCRIPT})
    (root / "cmo.yaml").write_text("corpus: data\ntheories: programme-theories\n", encoding="utf-8")
    (root / "notes").mkdir()
    os.chdir(root / "notes")
    result = cli("merge")
    assert (result.exit_code, result.stdout) == (0, "../programme-theories/alpha.yaml: updated\n")
    assert not (root / "theories").exists()


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            "theories: t\ncorpus: ../elsewhere\n",
            "cmo.yaml:2:9: error[invalid-value]: '../elsewhere' is outside the study folder; corpus must be inside it",
        ),
        ("corpse: data\n", "cmo.yaml:1:1: error[unknown-key]: unknown key 'corpse'; did you mean 'corpus'?"),
    ],
)
def test_a_broken_cmo_yaml_is_reported_and_nothing_runs(
    tmp_path: Path, cli: Callable[..., Result], marker: str, message: str
) -> None:
    (tmp_path / "cmo.yaml").write_text(marker, encoding="utf-8")
    os.chdir(tmp_path)
    result = cli("merge")
    assert result.exit_code == 1
    assert result.stderr.startswith(message + "\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cmo.yaml"]


def test_a_stale_theory_is_named_by_report_and_strict_makes_it_an_error(
    study: Path, cli: Callable[..., Result]
) -> None:
    cli("merge")
    assert cli("report", "alpha", "--format", "json").stderr == ""
    transcript = study / "corpus" / "alpha" / "interviews" / "a-int-02.md"
    transcript.write_text(SECOND.replace("help-seeking", "help-seeking\nstance: refines"), encoding="utf-8")
    result = cli("report", "alpha", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: theories/alpha.yaml is stale: the corpus of alpha has changed since the last merge, "
        "so this shows the theory as it was then; run `cmo merge` to update it\n"
    )
    strict = cli("report", "alpha", "--format", "json", "--strict")
    assert strict.exit_code == 1 and strict.stderr.startswith("error: theories/alpha.yaml is stale")
    cli("merge")
    assert cli("report", "alpha", "--format", "json", "--strict").stderr == ""


def test_an_edit_that_changes_no_record_leaves_the_theory_current(study: Path, cli: Callable[..., Result]) -> None:
    cli("merge")
    transcript = study / "corpus" / "alpha" / "interviews" / "a-int-02.md"
    transcript.write_text(SECOND + "\nA closing remark nobody coded.\n", encoding="utf-8")
    assert cli("report", "alpha", "--format", "json").stderr == ""


def test_the_code_summary_counts_transcripts_by_source_type_and_records_apart(
    study: Path, cli: Callable[..., Result]
) -> None:
    second = study / "corpus" / "alpha" / "interviews" / "a-int-02.md"
    second.write_text(SECOND + "\n```cmo\noutcome: help-seeking\n```\n", encoding="utf-8")
    result = cli("code")
    [row] = [line for line in result.stdout.splitlines() if line.startswith("│ alpha")]
    cells = [cell.strip() for cell in row.strip("│").split("│")]
    # two interviews with three records between them: the source columns count transcripts
    assert cells == ["alpha", "2", "2", "0", "0", "0", "3", cells[-1]]
    assert "interview ... workshop: transcripts of each kind" in result.stdout


def test_a_ceiling_folder_stops_the_search_for_a_study(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "corpus").mkdir()  # a stray corpus/ in a shared folder above
    inner = tmp_path / "shared" / "work"
    inner.mkdir(parents=True)
    os.chdir(inner)
    monkeypatch.setenv("CMO_CEILING_DIRECTORIES", str(tmp_path / "shared"))
    assert cli("validate").stderr.splitlines()[0] == DEMO_NOTICE
    monkeypatch.setenv("CMO_CEILING_DIRECTORIES", "")
    assert DEMO_NOTICE not in cli("validate").stderr  # without the ceiling, the stray folder is the study
