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
