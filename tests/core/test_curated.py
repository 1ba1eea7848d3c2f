"""`CuratedFiles`: a curated file is written only when it changed, never under --check, and under the folder's lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmo.core.files import Curated, CuratedFiles, LockTimeout, locked


def test_a_changed_file_is_written_and_an_unchanged_one_left(tmp_path: Path) -> None:
    path = tmp_path / "alpha.yaml"
    with CuratedFiles(tmp_path) as files:
        assert files.write(path, "id: alpha\n", changed=True) is Curated.UPDATED
        assert files.write(path, "never written\n", changed=False) is Curated.UP_TO_DATE
    assert path.read_text(encoding="utf-8") == "id: alpha\n"


def test_check_writes_nothing_and_reports_stale(tmp_path: Path) -> None:
    path = tmp_path / "alpha.yaml"
    with CuratedFiles(tmp_path, check=True) as files:
        assert files.write(path, "id: alpha\n", changed=True) is Curated.STALE
    assert not path.exists()


def test_the_folder_is_locked_while_writing(tmp_path: Path) -> None:
    with CuratedFiles(tmp_path), pytest.raises(LockTimeout), locked(tmp_path, timeout=0.1):
        pass
    with locked(tmp_path, timeout=0.1):  # and released after
        pass


def test_check_takes_no_lock(tmp_path: Path) -> None:
    with locked(tmp_path), CuratedFiles(tmp_path, check=True) as files:
        assert files.write(tmp_path / "a.yaml", "x\n", changed=False) is Curated.UP_TO_DATE


def test_the_words_are_what_the_commands_print() -> None:
    assert [state.value for state in Curated] == ["updated", "up to date", "stale"]
