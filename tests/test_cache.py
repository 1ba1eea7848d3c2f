"""The coding cache and --jobs: same records as a cold serial run, invalidation, corrupt and foreign caches."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

import cmo.coding
from benchmarks.generate import generate
from cmo.coding import CodingResult, code_corpus
from cmo.records import record_dicts
from tests.conftest import Result


def _snapshot(result: CodingResult) -> tuple[object, ...]:
    return (
        record_dicts(result.records),
        [d.to_dict() for d in result.diagnostics],
        [(t.path, t.record_count, t.code_uses, t.source) for t in result.transcripts],
    )


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("synthetic") / "corpus", 48)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The transcripts actually coded (not answered from the cache) in this process."""
    coded: list[str] = []
    real = cmo.coding._Coder.run

    def run(self: cmo.coding._Coder) -> cmo.coding.TranscriptResult:
        coded.append(self.file.name)
        return real(self)

    monkeypatch.setattr(cmo.coding._Coder, "run", run)
    return coded


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


def test_a_codebook_change_invalidates_every_cached_result(tmp_path: Path, counting: list[str]) -> None:
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
    code_corpus([root], jobs=1, cache=True)
    assert len(counting) == 4


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
