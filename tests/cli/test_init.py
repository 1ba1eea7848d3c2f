"""`cmo init`: the files of a new study, that it validates and merges, refusing to overwrite, programme ids, git."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from cmo.core.diagnostics import Diagnostics
from cmo.corpus import scaffold
from cmo.corpus.study import find_study
from cmo.editor.schemas import names as schema_names
from tests.conftest import REPO, Result, isolate_git

NO_GIT = shutil.which("git") is None
CLASH = "already exists; cmo init writes nothing over existing files"


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Work in tmp_path, with no user or system git config and no repository above it."""
    isolate_git(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)


def files_under(root: Path) -> dict[str, bytes]:
    """Every file under root but git's own, by path relative to it."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts[:1]
    }


STUDY_AB = [
    "cmo.yaml",
    "README.md",
    ".gitignore",
    ".gitattributes",
    ".pre-commit-config.yaml",
    "corpus/codebook.yaml",
    "corpus/a/programme.yaml",
    "corpus/a/codebook.yaml",
    "corpus/a/interviews/a-int-01.md",
    "corpus/b/programme.yaml",
    "corpus/b/codebook.yaml",
    "theories/.gitkeep",
    # The JSON Schemas the YAML files' first lines point the editor at (tests/editor/test_schemas.py).
    *(f".cmo/schemas/{name}.schema.json" for name in schema_names()),
]


def test_init_writes_the_study_and_says_what_next(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("init", "study", "--programme", "a", "-p", "b")
    assert result.exit_code == 0, result.stderr
    assert sorted(files_under(tmp_path / "study")) == sorted(STUDY_AB)
    lines = result.stdout.splitlines()
    assert lines[: len(STUDY_AB)] == [f"wrote study/{name}" for name in STUDY_AB]
    assert lines[-1] == "next: cd study && cmo validate && cmo merge   (then read study/README.md)"
    assert result.stderr == ""


def test_without_programmes_the_study_has_my_programme(cli: Callable[..., Result], tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    found = files_under(tmp_path)
    assert "corpus/my-programme/programme.yaml" in found
    assert "corpus/my-programme/interviews/my-programme-int-01.md" in found
    assert yaml.safe_load(found["corpus/my-programme/programme.yaml"])["name"] == "My programme"


def test_the_new_study_validates_from_anywhere_in_it(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init", "study", "-p", "a", "-p", "b").exit_code == 0
    monkeypatch.chdir(tmp_path / "study")
    assert cli("validate", "--strict") == Result(0, "", "0 errors, 0 warnings in 1 transcript\n")
    study = find_study(Path("corpus/a/interviews"), Diagnostics())
    assert study is not None and study.marker is not None
    assert (study.root.resolve(), study.corpus.name, study.theories.name) == (tmp_path / "study", "corpus", "theories")
    monkeypatch.chdir("corpus/a/interviews")  # cmo.yaml marks the study for every folder under it
    assert cli("validate", "--strict") == Result(0, "", "0 errors, 0 warnings in 1 transcript\n")


def test_the_example_transcript_shows_every_kind_of_annotation(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init", "study", "-p", "a").exit_code == 0
    monkeypatch.chdir(tmp_path / "study")
    result = cli("code", "--out", "-", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert (first["transcript"], first["coder"], first["date"]) == ("a-int-01", "AB", "2024-01-15")
    assert first["participants"] == [{"id": "P01", "role": "community worker"}, {"id": "P02", "role": "volunteer"}]
    assert first["quote"].startswith("**P01:** It took months")
    assert (first["context"], first["intervention"], first["actor"]) == (
        ["stigma"],
        ["drop-in-sessions"],
        ["local-figures"],
    )
    assert (first["resource"], first["reasoning"], first["outcome"]) == (
        ["key-persons"],
        ["building-trust"],
        ["help-seeking"],
    )
    assert (second["enablers"], second["barriers"]) == (["local-champion"], ["short-term-funding"])
    assert (second["stance"], second["elicited"], second["cmoc"]) == ("refines", True, "trust-through-key-persons")
    assert second["quote"] == "We were always looking for the next grant, so people stopped relying on us."
    assert second["note"] == "Trust was built, but short grants wore it down."


def test_merge_makes_a_theory_per_programme_and_the_hooks_pass(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init", "study", "-p", "a", "-p", "b").exit_code == 0
    monkeypatch.chdir(tmp_path / "study")
    merged = cli("merge")
    assert merged.exit_code == 0, merged.stderr
    assert merged.stdout.splitlines() == ["theories/a.yaml: updated", "theories/b.yaml: updated"]
    theory = yaml.safe_load(Path("theories/a.yaml").read_text(encoding="utf-8"))
    assert [cmoc["id"] for cmoc in theory["cmocs"]] == ["trust-through-key-persons"]
    assert yaml.safe_load(Path("theories/b.yaml").read_text(encoding="utf-8"))["cmocs"] == []
    # The study's pre-commit hooks are cmo's own, run with the cmo on PATH, and pass once merged.
    config = yaml.safe_load(Path(".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (repo,) = config["repos"]
    ours = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    keys = ("id", "name", "entry", "pass_filenames", "files")
    assert repo["repo"] == "local"
    assert [{key: hook[key] for key in keys} for hook in repo["hooks"]] == [{k: h[k] for k in keys} for h in ours]
    assert {hook["language"] for hook in repo["hooks"]} == {"system"}
    for hook in repo["hooks"]:
        program, *args = shlex.split(hook["entry"])
        assert (program, cli(*args).exit_code) == ("cmo", 0), hook["id"]


def test_the_git_files_ignore_reports_and_mark_theories_for_the_diff_driver(cli: Callable[..., Result]) -> None:
    assert cli("init", "s").exit_code == 0
    ignored = Path("s/.gitignore").read_text(encoding="utf-8").splitlines()
    assert {"reports/", "theories/.*.yaml.*.tmp"} <= set(ignored)
    assert "theories/*.yaml diff=cmo" in Path("s/.gitattributes").read_text(encoding="utf-8").splitlines()
    assert yaml.safe_load(Path("s/cmo.yaml").read_text(encoding="utf-8")) == {
        "corpus": "corpus",
        "theories": "theories",
    }


def test_it_writes_nothing_when_a_file_is_in_the_way(cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "study" / "corpus").mkdir(parents=True)
    (tmp_path / "study" / "README.md").write_text("my notes\n", encoding="utf-8")
    (tmp_path / "study" / "corpus" / "a").write_text("a file where a folder goes\n", encoding="utf-8")
    before = files_under(tmp_path / "study")
    result = cli("init", "study", "-p", "a")
    assert result == Result(1, "", f"study/README.md: {CLASH}\nstudy/corpus/a: {CLASH}\n")
    assert files_under(tmp_path / "study") == before
    assert sorted(path.name for path in (tmp_path / "study").iterdir()) == ["README.md", "corpus"]


def test_running_twice_refuses_and_changes_nothing(cli: Callable[..., Result], tmp_path: Path) -> None:
    assert cli("init", "study", "-p", "a", "-p", "b").exit_code == 0
    (tmp_path / "study" / "corpus" / "a" / "codebook.yaml").write_text("codes: {}\n", encoding="utf-8")
    before = files_under(tmp_path / "study")
    result = cli("init", "study", "-p", "a", "-p", "b")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"study/{name}: {CLASH}" for name in STUDY_AB]
    assert files_under(tmp_path / "study") == before


def test_a_folder_that_is_a_file_is_refused(cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("x\n", encoding="utf-8")
    assert cli("init", "notes") == Result(1, "", f"notes: {CLASH}\n")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            "My Programme",
            "--programme 'My Programme' is not a valid id (lower-case letters, digits and '-', starting with a "
            "letter or digit); did you mean 'my-programme'?",
        ),
        (
            "Café_Connect",
            "--programme 'Café_Connect' is not a valid id (lower-case letters, digits and '-', starting with a "
            "letter or digit); did you mean 'cafe-connect'?",
        ),
        (
            "!!",
            "--programme '!!' is not a valid id (lower-case letters, digits and '-', starting with a letter or digit)",
        ),
    ],
)
def test_a_programme_id_that_is_no_slug_is_a_usage_error(
    cli: Callable[..., Result], tmp_path: Path, given: str, message: str
) -> None:
    assert cli("init", "study", "-p", "a", "-p", given) == Result(2, "", f"cmo: error: {message}\n")
    assert not (tmp_path / "study").exists()


def test_a_programme_given_twice_is_a_usage_error(cli: Callable[..., Result], tmp_path: Path) -> None:
    assert cli("init", "study", "-p", "a", "-p", "a") == Result(2, "", "cmo: error: --programme 'a' is given twice\n")
    assert not (tmp_path / "study").exists()


def test_ids_yaml_would_read_as_numbers_or_dates_stay_text(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init", "study", "-p", "2024-01-15", "-p", "123").exit_code == 0
    monkeypatch.chdir(tmp_path / "study")
    assert cli("validate", "--strict") == Result(0, "", "0 errors, 0 warnings in 1 transcript\n")
    assert cli("merge").stdout.splitlines() == ["theories/123.yaml: updated", "theories/2024-01-15.yaml: updated"]


@pytest.mark.skipif(NO_GIT, reason="git is not installed")
def test_a_folder_in_no_repository_becomes_one_with_the_diff_driver(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("init", "study")
    assert "git: made a repository in study, with the cmo diff driver for theories/*.yaml" in result.stdout.splitlines()
    assert (tmp_path / "study" / ".git").is_dir()

    def config(key: str) -> str:
        done = subprocess.run(["git", "config", key], cwd=tmp_path / "study", capture_output=True, text=True)
        return done.stdout.strip()

    assert config("diff.cmo.textconv") == "cmo diff --textconv"
    assert config("diff.cmo.command") == "cmo diff --git-external"


@pytest.mark.skipif(NO_GIT, reason="git is not installed")
def test_a_folder_inside_a_repository_gets_no_repository_of_its_own(cli: Callable[..., Result], tmp_path: Path) -> None:
    subprocess.run(["git", "init", "--quiet", "outer"], cwd=tmp_path, check=True, env=os.environ.copy())
    result = cli("init", "outer/study")
    assert result.exit_code == 0
    assert not (tmp_path / "outer" / "study" / ".git").exists()
    assert (
        "git: inside the repository at outer; to diff theories there, run once: "
        'git config diff.cmo.command "cmo diff --git-external" && git config diff.cmo.textconv "cmo diff --textconv"'
    ) in result.stdout.splitlines()
    shown = subprocess.run(["git", "config", "diff.cmo.textconv"], cwd=tmp_path / "outer", capture_output=True)
    assert shown.stdout == b""  # the existing repository's config is not touched


def test_without_git_it_says_so_and_goes_on(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    result = cli("init", "study")
    assert result.exit_code == 0
    assert result.stderr == (
        "cmo: note: git is not installed (or not on PATH): no repository made; run `git init` later\n"
    )
    assert not (tmp_path / "study" / ".git").exists()
    assert (tmp_path / "study" / "cmo.yaml").is_file()


def test_a_failed_write_takes_back_what_was_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cmo.core.files import write_atomic as real

    calls: list[Path] = []

    def failing(path: Path, text: str) -> None:
        calls.append(path)
        if len(calls) == 8:
            raise OSError(28, "No space left on device", str(path))
        real(path, text)

    monkeypatch.setattr("cmo.corpus.scaffold.write_atomic", failing)
    (tmp_path / "kept").mkdir()
    with pytest.raises(OSError, match="No space left"):
        scaffold.write_study(tmp_path / "kept" / "new" / "study", scaffold.study_files(["a", "b"]))
    assert len(calls) == 8
    assert list((tmp_path / "kept").iterdir()) == []  # every file and folder it made is gone, the folder it found kept
