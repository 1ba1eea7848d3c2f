"""The coding cache through its public class: where it lives, its key, what a hit needs, what a save keeps or drops."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

import cmo.corpus.cache
from cmo.core.files import cache_home
from cmo.corpus.cache import Cache, Entry, context_key

RECORDS: list[dict[str, Any]] = [{"id": "r1", "quote": "tea"}, {"id": "r2", "quote": "trust"}]


def entry(count: int = 2, *, digest: str = "d1", context: str = "ctx", size: int = 10) -> Entry:
    return Entry(size=size, mtime_ns=20, inode=30, digest=digest, result={"record_count": count}, context=context)


def cache(root: Path, home: Path, context: str = "corpus") -> Cache:
    loaded = Cache(root, context, home)
    loaded.load()
    return loaded


def saved(root: Path, home: Path, files: dict[str, list[dict[str, Any]]], context: str = "corpus") -> Cache:
    """A cache that put and saved these {path: records} (each with an entry counting them), then a fresh one loaded."""
    first = cache(root, home, context)
    for path, records in files.items():
        first.put(path, entry(len(records)), records)
    first.save(set(files))
    return cache(root, home, context)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_the_cache_lives_in_cmo_cache_dir_else_xdg_cache_home_else_the_home_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CMO_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_home() == tmp_path / "mine"
    monkeypatch.setenv("CMO_CACHE_DIR", "")
    assert cache_home() == tmp_path / "xdg" / "cmo"
    monkeypatch.delenv("CMO_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert cache_home() == tmp_path / "user" / ".cache" / "cmo"
    assert Cache(tmp_path).home == tmp_path / "user" / ".cache" / "cmo"


def test_saved_records_are_read_back_by_the_next_run(root: Path, home: Path) -> None:
    again = saved(root, home, {"a.md": RECORDS})
    assert list(again.entries) == ["a.md"]
    assert again.entries["a.md"].fields()[:6] == entry().fields()[:6]
    assert again.has_records("a.md")
    assert again.records("a.md") == RECORDS
    assert again.warning is None


def test_records_are_used_only_when_there_are_as_many_as_the_entry_counted(root: Path, home: Path) -> None:
    first = cache(root, home)
    first.put("a.md", entry(3), RECORDS)
    first.save({"a.md"})
    again = cache(root, home)
    assert again.has_records("a.md")  # the bytes are the ones cached ...
    assert again.records("a.md") is None  # ... but not the number of records the result counted


def test_records_that_are_not_a_list_of_mappings_are_not_used(root: Path, home: Path) -> None:
    again = saved(root, home, {"a.md": [1, 2]})  # type: ignore[list-item]
    assert again.records("a.md") is None


def test_a_transcript_put_in_this_run_has_its_records_before_any_save(root: Path, home: Path) -> None:
    fresh = cache(root, home)
    fresh.put("a.md", entry(), RECORDS)
    assert fresh.has_records("a.md")
    assert fresh.records("a.md") == RECORDS
    assert not fresh.has_records("other.md")
    assert fresh.records("a.md") is not None


def test_a_path_the_cache_does_not_know_has_no_records(root: Path, home: Path) -> None:
    again = saved(root, home, {"a.md": RECORDS})
    assert not again.has_records("b.md")


def _stat(size: int = 10, mtime_ns: int = 20, inode: int = 30) -> os.stat_result:
    return os.stat_result((0o100644, inode, 0, 1, 0, 0, size, 0, 0, 0, 0.0, 0.0, 0.0, 0, mtime_ns, 0))


def test_an_entry_is_found_by_stat_only_when_size_mtime_inode_and_context_are_unchanged(root: Path, home: Path) -> None:
    again = saved(root, home, {"a.md": RECORDS})
    assert _stat().st_mtime_ns == 20
    assert again.lookup("a.md", _stat(), "ctx") is again.entries["a.md"]
    assert again.lookup("a.md", _stat(size=11), "ctx") is None
    assert again.lookup("a.md", _stat(mtime_ns=21), "ctx") is None
    assert again.lookup("a.md", _stat(inode=31), "ctx") is None
    assert again.lookup("a.md", _stat(), "other codebooks") is None
    assert again.lookup("b.md", _stat(), "ctx") is None


def test_a_cache_made_for_other_codebooks_is_not_read(root: Path, home: Path) -> None:
    saved(root, home, {"a.md": RECORDS}, context="one")
    assert cache(root, home, "two").entries == {}
    assert cache(root, home, "one").records("a.md") == RECORDS


def test_a_cache_of_another_format_version_is_not_read(root: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cmo.corpus.cache, "FORMAT", cmo.corpus.cache.FORMAT - 1)
    saved(root, home, {"a.md": RECORDS})
    monkeypatch.undo()
    assert cache(root, home).entries == {}


def test_the_key_is_32_random_bytes_kept_private_and_reused(root: Path, home: Path) -> None:
    saved(root, home, {"a.md": RECORDS})
    key = (home / "key").read_bytes()
    assert len(key) == 32
    assert stat.S_IMODE((home / "key").stat().st_mode) == 0o600
    assert cache(root, home).records("a.md") == RECORDS
    assert (home / "key").read_bytes() == key


def test_a_damaged_key_is_replaced_and_what_it_signed_is_no_longer_trusted(root: Path, home: Path) -> None:
    saved(root, home, {"a.md": RECORDS})
    for damaged in (b"short", b"k" * 40):
        (home / "key").write_bytes(damaged)
        assert cache(root, home).entries == {}
        key = (home / "key").read_bytes()
        assert len(key) == 32 and key not in damaged


def test_two_corpora_have_separate_caches(tmp_path: Path, root: Path, home: Path) -> None:
    saved(root, home, {"a.md": RECORDS})
    other = tmp_path / "other"
    other.mkdir()
    assert cache(other, home).entries == {}


def test_nothing_is_written_without_a_load_or_without_anything_new(root: Path, home: Path) -> None:
    unloaded = Cache(root, "corpus", home)
    unloaded.put("a.md", entry(), RECORDS)
    unloaded.save({"a.md"})
    assert not home.exists()
    idle = cache(root, home)
    idle.save(set())
    assert sorted(path.name for path in home.rglob("*")) == ["key"]


def test_a_save_keeps_other_files_entries_and_drops_those_of_deleted_files(root: Path, home: Path) -> None:
    for name in ("kept.md", "deleted.md", "unseen.md"):
        (root / name).write_text("x")
    saved(root, home, {"kept.md": RECORDS, "deleted.md": RECORDS, "unseen.md": RECORDS, "absent.md": RECORDS})
    (root / "deleted.md").unlink()
    (root / "unseen.md").unlink()
    run = cache(root, home)
    run.put("new.md", entry(), RECORDS)
    run.save({"new.md", "unseen.md"})  # seen by this run, so taken to exist
    after = cache(root, home)
    assert sorted(after.entries) == ["kept.md", "new.md", "unseen.md"]
    assert all(after.records(path) == RECORDS for path in after.entries)


def test_a_save_that_fails_says_why_in_a_warning(root: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(error: OSError) -> str | None:
        def write(path: Path, data: bytes) -> None:
            raise error

        monkeypatch.setattr(cmo.corpus.cache, "write_bytes_atomic", write)
        run = cache(root, home)
        run.put("a.md", entry(), RECORDS)
        run.save({"a.md"})
        return run.warning

    assert fail(OSError(28, "No space left on device", "/cache/index")) == (
        "coding cache not updated: /cache/index: No space left on device"
    )
    assert fail(OSError(28, "No space left on device")) == "coding cache not updated: No space left on device"
    assert fail(OSError("the disk went away")) == "coding cache not updated: the disk went away"
    assert fail(OSError()) == "coding cache not updated: OSError"
    assert fail(PermissionError()) == "coding cache not updated: PermissionError"


def test_a_cache_home_that_cannot_be_made_is_named_in_the_warning(tmp_path: Path, root: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    run = cache(root, blocked / "cache")
    assert run.warning is not None
    assert run.warning.startswith(f"coding cache not used: {blocked / 'cache'}: ")
    assert run.entries == {}


def test_the_context_key_depends_on_each_file_s_path_and_content_not_their_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("codes: {}")
    second.write_text("id: alpha")
    key = context_key([first, second])
    assert len(key) == 32
    assert context_key([second, first]) == key
    assert context_key([first]) != key
    second.write_text("id: beta")
    assert context_key([first, second]) != key
    copy = tmp_path / "c.yaml"
    copy.write_text(second.read_text())
    assert context_key([first, copy]) != context_key([first, second])
    assert context_key([first, tmp_path / "missing.yaml"]) != context_key([first])


def test_a_cache_home_whose_parents_are_missing_is_made(tmp_path: Path, root: Path) -> None:
    home = tmp_path / "not" / "yet" / "there"
    assert saved(root, home, {"a.md": RECORDS}).records("a.md") == RECORDS


def test_saving_some_transcripts_keeps_the_records_of_the_others_in_the_same_shards(root: Path, home: Path) -> None:
    # 100 cached transcripts fill most of the 64 record shards; the 20 new ones then share shards with them.
    old = {f"old-{n}.md": [{"id": f"o{n}"}] for n in range(100)}
    for path in old:
        (root / path).write_text("x")
    saved(root, home, old)
    run = cache(root, home)
    new = {f"new-{n}.md": [{"id": f"n{n}"}] for n in range(20)}
    for path, records in new.items():
        run.put(path, entry(1), records)
    run.save(set(new))
    after = cache(root, home)
    assert {path: after.records(path) for path in sorted(after.entries)} == dict(sorted({**old, **new}.items()))


def test_a_save_gives_up_on_a_locked_cache_after_the_lock_timeout(
    root: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from cmo.core.files import locked

    monkeypatch.setattr(cmo.corpus.cache, "LOCK_TIMEOUT", 0.1)
    run = cache(root, home)
    run.put("a.md", entry(), RECORDS)
    with locked(run.folder, "lock", timeout=1):
        started = time.monotonic()
        run.save({"a.md"})
        assert time.monotonic() - started < 5
    assert run.warning == "coding cache not updated: another cmo run kept it locked"
    assert cache(root, home).entries == {}
