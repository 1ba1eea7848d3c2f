"""The coding cache and --jobs: same records as a cold serial run, invalidation, corrupt, foreign, raced, unwritable."""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import cmo.corpus.cache
import cmo.corpus.coding
import cmo.corpus.transcript_coding
from benchmarks.generate import generate
from cmo.core.files import locked, write_bytes_atomic
from cmo.corpus.cache import Cache, context_key
from cmo.corpus.coding import CodingResult, code_corpus
from cmo.render.records import record_dicts
from tests.conftest import DEMO_CORPUS, REPO, TRANSCRIPT, Result, corpus_files


def _snapshot(result: CodingResult) -> tuple[object, ...]:
    return (
        record_dicts(result.records),
        [d.to_dict() for d in result.diagnostics],
        [(t.path, t.record_count, t.code_uses, t.source) for t in result.transcripts],
    )


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("synthetic") / "corpus", 48)


def test_parallel_and_cached_runs_give_the_records_of_a_cold_serial_run(synthetic: Path) -> None:
    serial = _snapshot(code_corpus([synthetic], jobs=1))
    assert len(serial[0]) == 480  # type: ignore[arg-type]
    assert _snapshot(code_corpus([synthetic], jobs=2)) == serial
    assert _snapshot(code_corpus([synthetic], jobs=1, cache=True)) == serial  # fills the cache
    assert _snapshot(code_corpus([synthetic], jobs=2, cache=True)) == serial  # answered by it


def test_only_changed_transcripts_are_coded_again(tmp_path: Path, counting: list[str]) -> None:
    root = generate(tmp_path / "corpus", 8)
    code_corpus([root], jobs=1, cache=True)
    assert len(counting) == 8
    counting.clear()
    changed = sorted(root.rglob("t00003.md"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    again = code_corpus([root], jobs=1, cache=True)
    assert counting == ["t00003.md"]
    assert _snapshot(again) == _snapshot(code_corpus([root], jobs=1))


def test_a_codebook_change_invalidates_the_cached_results_that_depend_on_it(
    tmp_path: Path, counting: list[str]
) -> None:
    root = generate(tmp_path / "corpus", 4)
    assert code_corpus([root], jobs=1, cache=True).ok
    codebook = root / "codebook.yaml"
    codebook.write_text(
        codebook.read_text(encoding="utf-8").replace("shared-con-000", "shared-con-zzz"), encoding="utf-8"
    )
    counting.clear()
    result = code_corpus([root], jobs=1, cache=True)
    assert len(counting) == 4
    assert _snapshot(result) == _snapshot(code_corpus([root], jobs=1))
    programme = root / "programme-1" / "programme.yaml"
    programme.write_text(
        programme.read_text(encoding="utf-8").replace("Programme 1", "Programme One"), encoding="utf-8"
    )
    counting.clear()
    result = code_corpus([root], jobs=1, cache=True)
    assert counting == ["t00001.md"]  # programme-1's only transcript: the other programmes' are still valid
    assert _snapshot(result) == _snapshot(code_corpus([root], jobs=1))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign key", "flipped byte"])
def test_a_corrupt_or_foreign_cache_is_ignored_and_rebuilt(tmp_path: Path, counting: list[str], damage: str) -> None:
    root = generate(tmp_path / "corpus", 4)
    expected = _snapshot(code_corpus([root], jobs=1, cache=True))
    cache_home = Path(os.environ["CMO_CACHE_DIR"])
    [index] = list(cache_home.glob("*/index"))
    raw = index.read_bytes()
    if damage == "garbage":
        index.write_bytes(b"not a cache at all")
    elif damage == "truncated":
        index.write_bytes(raw[: len(raw) // 2])
    elif damage == "foreign key":
        (cache_home / "key").write_bytes(os.urandom(32))  # as if made on another machine
    else:
        index.write_bytes(raw[:40] + bytes([raw[40] ^ 1]) + raw[41:])
    counting.clear()
    assert _snapshot(code_corpus([root], jobs=1, cache=True)) == expected
    assert len(counting) == 4  # nothing was trusted
    counting.clear()
    code_corpus([root], jobs=1, cache=True)
    assert counting == []  # and the rebuilt cache works


def test_no_cache_neither_reads_nor_writes(tmp_path: Path, cli: Callable[..., Result], counting: list[str]) -> None:
    root = generate(tmp_path / "corpus", 4)
    assert cli("code", "--no-cache", "--jobs", "1", root).exit_code == 0
    assert not list(Path(os.environ["CMO_CACHE_DIR"]).glob("*/index"))
    cli("code", "--jobs", "1", root)
    counting.clear()
    cli("code", "--no-cache", "--jobs", "1", root)
    assert len(counting) == 4


def test_jobs_output_is_byte_identical(synthetic: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"records-{jobs}.json"
        assert (
            cli("code", "-q", "--no-cache", "--jobs", jobs, "--format", "json", "--out", out, synthetic).exit_code == 0
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith(b"[\n  {")


def test_without_keep_records_only_summaries_are_held(tmp_path: Path) -> None:
    root = generate(tmp_path / "corpus", 4)
    summary = code_corpus([root], jobs=1, keep_records=False)
    assert [t.record_count for t in summary.transcripts] == [10, 10, 10, 10]
    assert all(t.built is None for t in summary.transcripts)
    with pytest.raises(RuntimeError, match="records were not kept"):
        _ = summary.records
    cached = code_corpus([root], jobs=1, keep_records=False, cache=True)  # records come back from the cache
    assert record_dicts(cached.records) == record_dicts(code_corpus([root], jobs=1).records)


# --- A cached result is used only when it is whole: damaged, missing or raced records are coded again. ---


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo corpus and its theories (up to date with it), as the working directory."""
    shutil.copytree(DEMO_CORPUS, tmp_path / "corpus")
    shutil.copytree(REPO / "theories", tmp_path / "theories")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _cache_files(pattern: str) -> list[Path]:
    return sorted(Path(os.environ["CMO_CACHE_DIR"]).glob(f"*/{pattern}"))


def _same_as_without_cache(cli: Callable[..., Result], command: str) -> None:
    """`cmo code --out` or `cmo merge` with the cache as it is gives exactly what `--no-cache` gives."""
    if command == "code":
        args = ("code", "--format", "json", "--out", "records.json", "corpus")
        cached, cached_out = cli(*args), Path("records.json").read_bytes()
        fresh, fresh_out = cli(*args, "--no-cache"), Path("records.json").read_bytes()
        written = len(json.loads(fresh_out))
        assert written > 100 and f"wrote {written} records to records.json" in fresh.stderr  # the whole demo
    else:
        pristine = {path: path.read_bytes() for path in Path("theories").glob("*.yaml")}
        cached = cli("merge", "corpus")
        cached_out = b"".join(path.read_bytes() for path in sorted(pristine))
        for path, text in pristine.items():
            path.write_bytes(text)
        fresh = cli("merge", "--no-cache", "corpus")
        fresh_out = b"".join(path.read_bytes() for path in sorted(pristine))
        assert fresh.stdout.count(": up to date\n") == 2
    assert (cached.exit_code, cached.stdout, cached.stderr) == (fresh.exit_code, fresh.stdout, fresh.stderr)
    assert cached_out == fresh_out
    assert fresh.exit_code == 0


def _flip_a_byte(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[-5] ^= 0xFF
    path.write_bytes(bytes(raw))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


SHARD_DAMAGE: dict[str, Callable[[Path], None]] = {
    "flipped byte": _flip_a_byte,
    "deleted": Path.unlink,
    "truncated": _truncate,
}


@pytest.mark.parametrize("command", ["code", "merge"])
@pytest.mark.parametrize("damage", list(SHARD_DAMAGE))
def test_damaged_record_shards_are_coded_again_never_dropped(
    demo: Path, cli: Callable[..., Result], counting: list[str], damage: str, command: str
) -> None:
    assert cli("code", "-q", "corpus").exit_code == 0
    shards = _cache_files("records-*")
    assert shards
    for shard in shards:
        SHARD_DAMAGE[damage](shard)
    counting.clear()
    assert cli("code", "-q", "--jobs", "1", "corpus").exit_code == 0
    assert counting == []  # a summary comes from the index alone: no shard is read
    _same_as_without_cache(cli, command)
    _same_as_without_cache(cli, command)  # and the cache it rebuilt is whole


@pytest.mark.parametrize("command", ["code", "merge"])
def test_a_single_file_run_between_a_full_run_and_its_index_write(
    demo: Path, cli: Callable[..., Result], command: str
) -> None:
    # What `cmo code` racing `cmo validate FILE` did: the full run's index lands after the one-file run's shards.
    assert cli("code", "-q", "corpus").exit_code == 0
    [index] = _cache_files("index")
    full_index = index.read_bytes()
    assert cli("validate", "corpus/riverside-bridges/interviews/rb-int-01.md").exit_code == 0
    index.write_bytes(full_index)
    _same_as_without_cache(cli, command)


def _shard_snapshot() -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in _cache_files("records-*")}


def _restore_shards(snapshot: dict[Path, bytes]) -> None:
    """Put the record shards back as they were, leaving the newer index: shards and index from different runs."""
    for path in _cache_files("records-*"):
        if path not in snapshot:
            path.unlink()
    for path, raw in snapshot.items():
        path.write_bytes(raw)


@pytest.mark.parametrize("command", ["code", "merge"])
def test_a_shard_without_the_records_its_index_lists(demo: Path, cli: Callable[..., Result], command: str) -> None:
    moved = demo / "rb-int-02.md"
    (demo / "corpus/riverside-bridges/interviews/rb-int-02.md").rename(moved)
    assert cli("code", "-q", "corpus").exit_code == 0
    before = _shard_snapshot()
    moved.rename(demo / "corpus/riverside-bridges/interviews/rb-int-02.md")
    assert cli("code", "-q", "corpus").exit_code == 0
    _restore_shards(before)  # a valid shard that lacks rb-int-02's records
    _same_as_without_cache(cli, command)


def test_a_shard_holding_an_earlier_version_of_a_transcript(demo: Path, cli: Callable[..., Result]) -> None:
    assert cli("code", "-q", "corpus").exit_code == 0
    before = _shard_snapshot()
    earlier = Path("records.json")
    assert cli("code", "--format", "json", "--out", earlier, "corpus").exit_code == 0
    earlier_records = earlier.read_bytes()
    path = demo / "corpus/riverside-bridges/interviews/rb-int-01.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Aunt Bridget", "Aunt Brigid"), encoding="utf-8")
    assert cli("code", "-q", "corpus").exit_code == 0
    _restore_shards(before)  # valid, and the same number of records, but not this version's
    _same_as_without_cache(cli, "code")
    assert Path("records.json").read_bytes() != earlier_records


def test_records_read_lazily_after_a_summary_run_are_checked_too(demo: Path) -> None:
    root = demo / "corpus"
    expected = record_dicts(code_corpus([root], jobs=1).records)
    code_corpus([root], jobs=1, cache=True)
    for shard in _cache_files("records-*"):
        _flip_a_byte(shard)
    summary = code_corpus([root], jobs=1, cache=True, keep_records=False)  # reads no shard
    assert sum(t.record_count for t in summary.transcripts) == len(expected)
    assert record_dicts(summary.records) == expected  # read now: damaged, so coded again
    assert record_dicts(list(summary.iter_records())) == expected


def test_a_run_over_one_file_keeps_the_other_files_cached(
    demo: Path, cli: Callable[..., Result], counting: list[str]
) -> None:
    assert cli("code", "-q", "corpus").exit_code == 0
    one = demo / "corpus/riverside-bridges/interviews/rb-int-01.md"
    one.write_text(one.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert cli("validate", one).exit_code == 0  # codes and caches this file only
    counting.clear()
    assert cli("code", "-q", "--jobs", "1", "corpus").exit_code == 0
    assert counting == []
    # Entries go only when their transcript does.
    gone = demo / "corpus/riverside-bridges/interviews/rb-int-03.md"
    gone.unlink()
    one.write_text(one.read_text(encoding="utf-8") + "\nAnd another.\n", encoding="utf-8")
    cli("validate", one)
    store = Cache(demo / "corpus", context_key([]))
    store.load()
    assert len(store.entries) == 15
    assert "riverside-bridges/interviews/rb-int-03.md" not in store.entries


def test_a_same_size_edit_with_a_new_mtime_is_coded_again(
    tree: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    root = tree(corpus_files(**{"int-01": TRANSCRIPT}))
    path = root / "alpha/int-01.md"
    out = root.parent / "records.jsonl"
    assert cli("code", "-q", "--out", out, root).exit_code == 0
    stat = path.stat()
    path.write_bytes(path.read_bytes().replace(b"months", b"monthz"))  # in place: same size, same inode
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert (path.stat().st_size, path.stat().st_ino) == (stat.st_size, stat.st_ino)
    assert cli("code", "-q", "--out", out, root).exit_code == 0
    assert b"monthz" in out.read_bytes() and b"months" not in out.read_bytes()


def test_an_edit_made_while_the_file_is_coded_is_not_cached(
    tree: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(corpus_files(**{"int-01": TRANSCRIPT}))
    path = root / "alpha/int-01.md"
    out = root.parent / "records.jsonl"
    real = cmo.corpus.coding._code_file

    def edited_meanwhile(*args: Any) -> Any:
        result = real(*args)  # by whichever path codes it
        stat = path.stat()
        path.write_bytes(path.read_bytes().replace(b"months", b"monthz"))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        return result

    monkeypatch.setattr(cmo.corpus.coding, "_code_file", edited_meanwhile)
    assert cli("code", "-q", root).exit_code == 0
    monkeypatch.setattr(cmo.corpus.coding, "_code_file", real)
    assert cli("code", "-q", "--out", out, root).exit_code == 0
    assert b"monthz" in out.read_bytes()


# --- A cache that cannot be written never takes a command down: the right result, one warning. ---


def _one_warning(result: Result, text: str) -> None:
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and text in warnings[0], result.stderr


@pytest.mark.parametrize("command", ["code", "merge"])
def test_a_cache_home_that_cannot_be_made_means_no_cache_and_one_warning(
    demo: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    # Tests run as root, which ignores file modes: a folder under a regular file cannot be made by anyone.
    (demo / "not-a-folder").write_text("", encoding="utf-8")
    home = demo / "not-a-folder" / "cache"
    monkeypatch.setenv("CMO_CACHE_DIR", str(home))
    result = cli("code", "-q", "corpus")
    assert (result.exit_code, result.stderr) == (0, f"warning: coding cache not used: {home}: Not a directory\n")
    with pytest.raises(AssertionError):  # the warning is the only difference from --no-cache
        _same_as_without_cache(cli, command)
    monkeypatch.setattr(cmo.corpus.coding, "Cache", _NoWarning)
    _same_as_without_cache(cli, command)


class _NoWarning(Cache):
    """The cache as the unwritable home leaves it, minus its warning: what is left must equal --no-cache."""

    def load(self) -> None:
        super().load()
        assert self.warning is not None and not self._key
        self.warning = None


def _full_disk(fail: Callable[[Path], bool]) -> Callable[[Path, bytes], None]:
    real = write_bytes_atomic

    def write(path: Path, data: bytes) -> None:
        if fail(path):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, data)

    return write


@pytest.mark.parametrize("failing", ["every write", "the index only"])
@pytest.mark.parametrize("command", ["code", "validate", "merge"])
def test_a_full_disk_is_ignored_with_one_warning(
    demo: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, command: str, failing: str
) -> None:
    expected = {"code": (0, 2), "validate": (0, 0), "merge": (0, 2)}[command]
    assert cli("code", "-q", "corpus").exit_code == 0
    edited = demo / "corpus/riverside-bridges/interviews/rb-int-01.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Marsh Lane", "Marsh Road"), encoding="utf-8")
    fail = (lambda path: True) if failing == "every write" else (lambda path: path.name == "index")
    monkeypatch.setattr(cmo.corpus.cache, "write_bytes_atomic", _full_disk(fail))
    args = {"code": ("code", "corpus"), "validate": ("validate", "corpus"), "merge": ("merge", "corpus")}[command]
    result = cli(*args)
    assert (result.exit_code, result.stdout.count("updated")) == (expected[0], 0)
    _one_warning(result, "coding cache not updated: ")
    assert "No space left on device" in result.stderr
    monkeypatch.undo()
    monkeypatch.chdir(demo)
    _same_as_without_cache(cli, "code")  # whatever half was written, the next run is right


def test_a_cache_kept_locked_by_another_run_is_not_waited_for(
    demo: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cmo.corpus.cache, "LOCK_TIMEOUT", 0.05, raising=False)
    with locked(Cache(demo / "corpus", "").folder, "lock"):
        result = cli("code", "-q", "corpus")
    assert result.exit_code == 0
    _one_warning(result, "coding cache not updated: another cmo run kept it locked")
    _same_as_without_cache(cli, "code")
