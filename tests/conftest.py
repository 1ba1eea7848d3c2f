"""Shared fixtures: build corpora inline as {path: text} trees, and run the real `cmo` entry point."""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from cmo.cli.main import run

REPO = Path(__file__).resolve().parent.parent
DEMO_CORPUS = REPO / "corpus"

SHARED_CODEBOOK = """\
codes:
  building-trust: {kind: mechanism, label: Building trust with the group}
  key-persons: {kind: mechanism, label: Working through existing key persons}
  help-seeking: {kind: outcome, label: Group members seek help}
  stigma: {kind: context, label: Stigma around mental health}
"""
PROGRAMME = """\
id: alpha
name: Alpha Connectors
framework: Asset Based Community Development
attributes:
  funding: NHS trust grant
"""
CODEBOOK = """\
codes:
  connectors: {kind: intervention, label: Community connectors}
  faith-leaders: {kind: actor, label: Faith leaders}
  short-funding: {kind: context, label: Short-term funding}
"""
TRANSCRIPT = """\
---
id: a-int-01
source: interview
date: 2024-03-12
participants: [{id: P01, role: connector}]
coder: AB
---

**P01:** It took months before anyone at the mosque
would talk to me about how they were feeling.

```cmo
context: stigma
mechanism: {resource: key-persons, reasoning: building-trust}
outcome: help-seeking
```
"""


# Git with a pinned author and date, and no system config: real repositories in tests, same commits every run.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada Author",
    "GIT_AUTHOR_EMAIL": "ada@example.org",
    "GIT_AUTHOR_DATE": "2024-03-01T12:00:00+00:00",
    "GIT_COMMITTER_NAME": "Ada Author",
    "GIT_COMMITTER_EMAIL": "ada@example.org",
    "GIT_COMMITTER_DATE": "2024-03-01T12:00:00+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
}

GOLDEN = Path(__file__).resolve().parent / "golden"


def isolate_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pinned authors, no user or system git config, no repository found above tmp_path, no git variables."""
    home = tmp_path / "home"
    home.mkdir()
    for name, value in {**GIT_ENV, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_EXTERNAL_DIFF"):
        monkeypatch.delenv(name, raising=False)


def assert_golden(name: str, output: str | bytes) -> None:
    """`output` equals tests/golden/NAME byte for byte; CMO_REGENERATE_GOLDEN=1 rewrites it, on purpose only."""
    data = output.encode("utf-8") if isinstance(output, str) else output
    path = GOLDEN / name
    if os.environ.get("CMO_REGENERATE_GOLDEN"):
        path.write_bytes(data)
    assert data == path.read_bytes()


def record_id(programme: str, transcript: str, passage: str, turn: int = 1) -> str:
    """The content-based id of the `turn`-th annotation of `passage` in a transcript."""
    from cmo.corpus.identity import passage_digest

    return f"{programme}/{transcript}#{passage_digest(passage)}" + ("" if turn == 1 else f".{turn}")


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write {relative path: text or bytes} under root; text is dedented."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def corpus_files(**transcripts: str | bytes) -> dict[str, str | bytes]:
    """A one-programme corpus (programme `alpha`) with the given transcripts, keyed by file name."""
    files: dict[str, str | bytes] = {
        "codebook.yaml": SHARED_CODEBOOK,
        "alpha/programme.yaml": PROGRAMME,
        "alpha/codebook.yaml": CODEBOOK,
    }
    for name, text in transcripts.items():
        files[f"alpha/{name}.md"] = text
    return files


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own coding cache, never the user's."""
    monkeypatch.setenv("CMO_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    # No test's study search climbs above pytest's own temporary folder into whatever the machine has there.
    monkeypatch.setenv("CMO_CEILING_DIRECTORIES", str(tmp_path_factory.getbasetemp()))


@pytest.fixture
def tree(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    def make(files: dict[str, str | bytes]) -> Path:
        return write_tree(tmp_path / "corpus", files)

    return make


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run `cmo ARGS...` through the console-script entry point, capturing output and exit code."""

    def invoke(*args: str | Path) -> Result:
        monkeypatch.setattr(sys, "argv", ["cmo", *map(str, args)])
        capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            run()
        out, err = capsys.readouterr()
        code = exited.value.code
        return Result(code if isinstance(code, int) else 0, out, err)

    return invoke
