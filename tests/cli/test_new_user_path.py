"""The whole path of a new user: init, validate from inside the corpus, code, merge anywhere, edit, see it stale."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import GIT_ENV, Result

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="the path ends in `git status`")

SECOND = """---
id: a-int-02
source: interview
participants: [P03]
coder: CD
---

**P03:** Once the caretaker said I was all right, people came to me with their worries.

```cmo
context: stigma
mechanism: {resource: key-persons, reasoning: building-trust}
outcome: help-seeking
```
"""


def _git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def test_a_new_user_path_from_init_to_a_stale_warning(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    made = cli("init", "study", "--programme", "a", "--programme", "b")
    assert made.exit_code == 0, made.stderr
    study = tmp_path / "study"
    _git(study, "add", "-A")
    _git(study, "commit", "-q", "-m", "cmo init")
    (study / "corpus/a/interviews/a-int-02.md").write_text(SECOND, encoding="utf-8")

    # validate from deep inside the corpus: the study's two transcripts, not the demo's sixteen
    os.chdir(study / "corpus/a/interviews")
    checked = cli("validate")
    assert (checked.exit_code, checked.stderr) == (0, "0 errors, 0 warnings in 2 transcripts\n")

    # code and merge from the root, then merge again from a sub-folder: the same files, byte for byte
    os.chdir(study)
    assert cli("code").exit_code == 0
    assert cli("merge").stdout == "theories/a.yaml: updated\ntheories/b.yaml: updated\n"
    merged = {path.name: path.read_bytes() for path in (study / "theories").glob("*.yaml")}
    for path in (study / "theories").glob("*.yaml"):
        path.unlink()
    os.chdir(study / "corpus/b")
    assert cli("merge").stdout == "../../theories/a.yaml: updated\n../../theories/b.yaml: updated\n"
    assert {path.name: path.read_bytes() for path in (study / "theories").glob("*.yaml")} == merged

    # merging one transcript's path changes nothing: every other transcript's evidence stays
    os.chdir(study)
    one = cli("merge", "corpus/a/interviews/a-int-02.md")
    assert one.stdout == "theories/a.yaml: up to date\n"
    assert (study / "theories/a.yaml").read_bytes() == merged["a.yaml"]

    # a changed transcript: the report still works on the old theory, and says it is stale
    second = study / "corpus/a/interviews/a-int-02.md"
    second.write_text(SECOND.replace("outcome: help-seeking", "outcome: help-seeking\nstance: refutes"), "utf-8")
    report = cli("report", "a", "--format", "md")
    assert report.exit_code == 0
    assert report.stderr.startswith("warning: theories/a.yaml is stale: the corpus of a has changed")

    # nothing but what the user meant to change: the new transcript and the two theories
    status = sorted(_git(study, "status", "--porcelain", "--untracked-files=all").splitlines())
    assert status == ["?? corpus/a/interviews/a-int-02.md", "?? theories/a.yaml", "?? theories/b.yaml"]
