"""Checking a buffer: the same findings as `cmo validate`, each on the token it is about, never a crash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("lsprotocol")

from cmo.core.diagnostics import Diagnostic
from cmo.editor import checking
from cmo.editor.study_index import Studies
from cmo.editor.text import token_span
from tests.conftest import DEMO_CORPUS, REPO


@pytest.mark.parametrize(
    ("line", "column", "token"),
    [
        ("mechanism: {resource: key-persons, reasoning: bulding-trust}", 46, "bulding-trust"),
        ("context: [stigma, short-fundin]", 18, "short-fundin"),
        ("contxt: stigma", 0, "contxt"),
        ('quote: "she said: \\"no\\"" # a comment', 7, '"she said: \\"no\\""'),
        ("note: a, b and c  # why", 6, "a, b and c"),
        ("context: [a, b]", 9, "[a, b]"),
        ("```cmo", 0, "```cmo"),
        ("outcome: x", 40, ""),
    ],
)
def test_a_range_is_the_token_at_the_column_not_the_line(line: str, column: int, token: str) -> None:
    start, end = token_span(line, column)
    assert line[start:end] == token


@pytest.fixture
def study(tmp_path: Path) -> Path:
    shutil.copytree(DEMO_CORPUS, tmp_path / "corpus")
    shutil.copytree(REPO / "theories", tmp_path / "theories")
    return tmp_path


def test_a_transcript_buffer_is_checked_and_not_its_file(study: Path) -> None:
    path = (study / "corpus/northcliffe-connect/interviews/nc-int-01.md").resolve()
    text = path.read_text(encoding="utf-8")
    studies = Studies()
    assert checking.lsp_diagnostics(studies, path, text) == []
    found = checking.lsp_diagnostics(studies, path, text.replace("reasoning: building-trust", "reasoning: bulding", 1))
    assert [(d.code, d.source) for d in found] == [("unknown-code", "cmo")]


@pytest.mark.parametrize(
    ("name", "old", "new", "rule"),
    [
        ("corpus/codebook.yaml", "kind: mechanism", "kind: mechanims", "invalid-value"),
        ("corpus/northcliffe-connect/programme.yaml", "id: northcliffe-connect", "id: northcliffe", "programme-id"),
        ("theories/northcliffe-connect.yaml", "status: supported", "status: suported", "invalid-value"),
        (
            "corpus/northcliffe-connect/codebook.yaml",
            "codes:\n",
            "codes:\n  building-trust: {kind: mechanism, label: B}\n",
            "code-redefined",
        ),
    ],
)
def test_yaml_files_are_checked_by_validates_own_checks(study: Path, name: str, old: str, new: str, rule: str) -> None:
    path = (study / name).resolve()
    text = path.read_text(encoding="utf-8")
    assert old in text
    studies = Studies()
    assert checking.lsp_diagnostics(studies, path, text) == []
    assert rule in [d.code for d in checking.lsp_diagnostics(studies, path, text.replace(old, new, 1))]


def test_a_failure_inside_checking_is_one_internal_error_diagnostic(
    study: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> list[Diagnostic]:
        raise RuntimeError("boom")

    monkeypatch.setattr(checking, "check_text", broken)
    path = (study / "corpus/northcliffe-connect/interviews/nc-int-01.md").resolve()
    (found,) = checking.lsp_diagnostics(Studies(), path, "text")
    assert found.message.startswith("cmo internal error: RuntimeError: boom")


def test_a_markdown_file_outside_any_study_has_no_diagnostics(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    assert checking.lsp_diagnostics(Studies(), path, "```cmo\ncontxt: x\n```\n") == []


def test_time_recheck_measures_a_transcript(study: Path) -> None:
    assert checking.time_recheck(study / "corpus/northcliffe-connect/interviews/nc-int-01.md", runs=1) > 0


TYPO = ("reasoning: building-trust", "reasoning: bulding")


@pytest.mark.parametrize("folder", [".drafts", "interviews/.old", "linked"])
def test_a_transcript_cmo_validate_skips_is_not_checked(study: Path, folder: str) -> None:
    programme = (study / "corpus/northcliffe-connect").resolve()
    text = (programme / "interviews/nc-int-01.md").read_text(encoding="utf-8").replace(*TYPO, 1)
    if folder == "linked":
        (programme / folder).symlink_to(study / "elsewhere", target_is_directory=True)
        (study / "elsewhere").mkdir()
    else:
        (programme / folder).mkdir()
    path = programme / folder / "nc-int-01.md"
    path.write_text(text, encoding="utf-8")
    studies = Studies()
    assert checking.lsp_diagnostics(studies, path, text) == []  # `cmo validate` never reads it
    beside = programme / "interviews/nc-int-01.md"
    assert [d.code for d in checking.lsp_diagnostics(studies, beside, text)] == ["unknown-code"]


def test_a_codebook_or_programme_file_cmo_validate_never_reads_is_not_checked(study: Path) -> None:
    interviews = (study / "corpus/northcliffe-connect/interviews").resolve()
    studies = Studies()
    for name, text in [("codebook.yaml", "codes: [not, a, mapping]\n"), ("programme.yaml", "id: other\n")]:
        assert checking.lsp_diagnostics(studies, interviews / name, text) == []
        assert checking.lsp_diagnostics(studies, interviews.parent / name, text) != []


def test_reading_the_study_again_keeps_the_unsaved_codebook(study: Path) -> None:
    codebook = (study / "corpus/codebook.yaml").resolve()
    transcript = (study / "corpus/northcliffe-connect/interviews/nc-int-01.md").resolve()
    text = transcript.read_text(encoding="utf-8").replace("outcome: help-seeking", "outcome: zzz-new", 1)
    studies = Studies()
    index = studies.of(codebook)
    assert index is not None
    declared = codebook.read_text(encoding="utf-8") + "  zzz-new:\n    kind: outcome\n    label: New one\n"
    assert index.update(codebook, declared)
    assert checking.lsp_diagnostics(studies, transcript, text) == []
    studies.reload(study / "corpus/northcliffe-connect/programme.yaml")
    assert studies.of(codebook) is not index
    assert checking.lsp_diagnostics(studies, transcript, text) == []


def test_a_lone_surrogate_in_a_yaml_buffer_is_a_diagnostic(study: Path) -> None:
    codebook = (study / "corpus/codebook.yaml").resolve()
    studies = Studies()
    index = studies.of(codebook)
    assert index is not None
    text = "# \ud800\n" + codebook.read_text(encoding="utf-8")
    index.update(codebook, text)
    assert [d.code for d in checking.lsp_diagnostics(studies, codebook, text)] == ["encoding"]
