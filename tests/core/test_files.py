"""The portable lock of cmo.core.files: exclusive across processes, freed when its holder dies, never in the folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.core.files import MERGE_LOCK, LockTimeout, lock_path, locked
from tests.conftest import GIT_ENV, Result, corpus_files, write_tree

REPO = Path(__file__).resolve().parents[2]
# A child that takes the lock on argv[1], says so, and holds it until its stdin closes (or it is killed).
HOLDER = """\
import sys
from pathlib import Path
from cmo.core.files import locked

with locked(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""
TRANSCRIPT = """\
---
id: int-01
source: interview
participants: [P01]
coder: AB
---

P01 said it took months before anyone at the mosque would talk to her.

```cmo
context: stigma
mechanism: key-persons
outcome: help-seeking
```
"""


def _holder(folder: Path, prelude: str = "") -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", prelude + HOLDER, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "held\n", child.stderr.read() if child.stderr else ""
    return child


def test_the_lock_file_is_outside_the_folder_and_the_same_for_every_spelling(tmp_path: Path) -> None:
    folder = tmp_path / "theories"
    folder.mkdir()
    (tmp_path / "link").symlink_to(folder)
    path = lock_path(folder)
    assert not path.is_relative_to(folder)
    assert path.is_relative_to(Path(tempfile.gettempdir()))
    assert lock_path(tmp_path / "link") == lock_path(tmp_path / "theories" / ".." / "theories") == path
    assert lock_path(folder, "other") != path
    with locked(folder):
        assert path.exists()
    assert list(folder.iterdir()) == []


def test_runs_with_different_cache_settings_take_the_same_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "theories"
    monkeypatch.setenv("CMO_CACHE_DIR", str(tmp_path / "one"))
    first = lock_path(folder)
    monkeypatch.setenv("CMO_CACHE_DIR", str(tmp_path / "two"))
    assert lock_path(folder) == first
    with locked(folder), pytest.raises(LockTimeout), locked(folder, timeout=0.1):
        monkeypatch.setenv("CMO_CACHE_DIR", str(tmp_path / "one"))


def test_a_second_process_times_out_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    child = _holder(tmp_path)
    try:
        with pytest.raises(LockTimeout) as raised, locked(tmp_path, timeout=0.2):
            pass
        assert str(raised.value) == f"{tmp_path / MERGE_LOCK} is held by another process"
    finally:
        child.communicate("")
    assert child.returncode == 0
    with locked(tmp_path, timeout=5):  # released when the holder is done
        pass


def test_a_killed_holder_releases_the_lock(tmp_path: Path) -> None:
    child = _holder(tmp_path)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    assert child.returncode == -signal.SIGKILL
    with locked(tmp_path, timeout=5):
        pass


def test_the_lock_works_where_fcntl_does_not_exist(tmp_path: Path) -> None:
    # As on Windows: `import fcntl` fails. filelock then locks by its other means, and still excludes others.
    script = (
        "import sys, warnings\n"
        "sys.modules['fcntl'] = None\n"
        "warnings.simplefilter('ignore')\n"
        "from pathlib import Path\n"
        "from cmo.core.files import LockTimeout, locked\n"
        "folder = Path(sys.argv[1])\n"
        "with locked(folder):\n"
        "    try:\n"
        "        with locked(folder, timeout=0.1):\n"
        "            raise SystemExit('taken twice')\n"
        "    except LockTimeout as exc:\n"
        "        print(exc)\n"
        "with locked(folder, timeout=0.1):\n"
        "    print('again')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, env=env)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"{tmp_path / MERGE_LOCK} is held by another process\nagain\n"
    assert list(tmp_path.iterdir()) == []


def test_the_theories_lock_clears_leftover_temp_files(tmp_path: Path) -> None:
    leftover = tmp_path / ".alpha.yaml.abcd1234.tmp"
    leftover.write_text("half", encoding="utf-8")
    with locked(tmp_path, "other"):
        assert leftover.exists()  # only the theories lock: other locks guard other files
    with locked(tmp_path):
        assert not leftover.exists()


def test_a_home_that_cannot_be_made_still_locks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    monkeypatch.setenv("CMO_CACHE_DIR", str(tmp_path / "file" / "cache"))
    folder = tmp_path / "theories"
    with locked(folder), pytest.raises(LockTimeout), locked(folder, timeout=0.1):
        pass
    assert not lock_path(folder).is_relative_to(tmp_path)


def test_a_merge_in_a_git_repository_leaves_nothing_git_shows(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        **GIT_ENV,
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
        "GIT_CEILING_DIRECTORIES": str(tmp_path),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    root = write_tree(tmp_path / "repo", {f"corpus/{n}": t for n, t in corpus_files(**{"int-01": TRANSCRIPT}).items()})
    monkeypatch.chdir(root)

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout

    git("init", "--quiet")
    git("add", "--all")
    git("commit", "--quiet", "-m", "corpus")
    result = cli("merge", "corpus")
    assert result.exit_code == 0, result.stderr
    assert git("status", "--porcelain", "--untracked-files=all", "--ignored") == "?? theories/alpha.yaml\n"
