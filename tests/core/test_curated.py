"""`CuratedFiles`: a curated file is written only when it changed, never under --check, and under the folder's lock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cmo.core.files import ChangedMeanwhile, Curated, CuratedFiles, LockTimeout, locked
from tests.conftest import TRANSCRIPT, Result, corpus_files, write_tree


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


def test_a_file_an_editor_saved_meanwhile_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "alpha.yaml"
    path.write_text("id: alpha\n", encoding="utf-8")
    with CuratedFiles(tmp_path) as files:
        path.write_text("id: alpha\n# my note\n", encoding="utf-8")  # saved while cmo works on the old text
        with pytest.raises(ChangedMeanwhile, match="changed by someone else"):
            files.write(path, "id: alpha\nmerged: true\n", changed=True)
    assert path.read_text(encoding="utf-8") == "id: alpha\n# my note\n"


def test_a_file_that_appeared_meanwhile_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "alpha.yaml"
    with CuratedFiles(tmp_path) as files:
        path.write_text("mine\n", encoding="utf-8")
        with pytest.raises(ChangedMeanwhile):
            files.write(path, "theirs\n", changed=True)
    assert path.read_text(encoding="utf-8") == "mine\n"


def test_merge_refuses_a_theory_edited_while_it_merged_and_keeps_the_edit(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cmo.theory.merge

    write_tree(tmp_path / "corpus", corpus_files(**{"int-01": TRANSCRIPT}))
    monkeypatch.chdir(tmp_path)
    assert cli("merge").exit_code == 0
    theory = tmp_path / "theories" / "alpha.yaml"
    (tmp_path / "corpus" / "alpha" / "int-02.md").write_text(
        TRANSCRIPT.replace("a-int-01", "a-int-02"), encoding="utf-8"
    )
    real = cmo.theory.merge.merge_corpus

    def edited_meanwhile(*args: Any, **kwargs: Any) -> Any:
        outcomes = real(*args, **kwargs)
        with theory.open("a", encoding="utf-8") as handle:
            handle.write("# saved in an editor during the merge\n")
        return outcomes

    monkeypatch.setattr(cmo.theory.merge, "merge_corpus", edited_meanwhile)
    result = cli("merge")
    assert result.exit_code == 1
    assert "cannot write theories/alpha.yaml: it was changed by someone else while cmo worked on it" in result.stderr
    assert theory.read_text(encoding="utf-8").endswith("# saved in an editor during the merge\n")
