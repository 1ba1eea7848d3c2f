"""Merging programmes on several processes gives exactly what merging them one by one gives."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from cmo.core.files import write_atomic
from cmo.corpus.coding import code_corpus
from cmo.theory import merge
from cmo.theory.merge import merge_corpus


def _outcomes(corpus: Path, theories: Path, jobs: int) -> list[tuple[Any, ...]]:
    found = merge_corpus(code_corpus([corpus]), theories, jobs)
    return [(o.programme, o.path, o.text, o.changed, o.diagnostics) for o in found]


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every corpus counts as large; the pools started are counted."""
    started: list[int] = []

    class Counted(ProcessPoolExecutor):
        def __init__(self, workers: int, *args: Any, **kwargs: Any) -> None:
            started.append(workers)
            super().__init__(workers, *args, **kwargs)

    monkeypatch.setattr(merge, "_PARALLEL_RECORDS", 0)
    monkeypatch.setattr(merge, "ProcessPoolExecutor", Counted)
    return started


def test_new_unchanged_and_curated_theories_merge_alike_on_processes(tmp_path: Path, pools: list[int]) -> None:
    from benchmarks.generate import generate

    corpus = generate(tmp_path / "corpus", 8, short=True)
    theories = tmp_path / "theories"
    fresh = _outcomes(corpus, theories, 2)
    assert pools == [2] and len(fresh) > 1 and all(changed for *_, changed, _ in fresh)
    assert fresh == _outcomes(corpus, theories, 1)
    for _, path, text, *_ in fresh:
        path.parent.mkdir(exist_ok=True)
        write_atomic(path, text)
    again = _outcomes(corpus, theories, 2)
    assert again == _outcomes(corpus, theories, 1)
    assert not any(changed for *_, changed, _ in again)
    # A person's statement and comment, a CMOC with its evidence gone, a file merge cannot read.
    first, second = (path for _, path, *_ in fresh[:2])
    text = first.read_text(encoding="utf-8").replace(
        "    status: new\n", "    status: new  # checked\n    statement: S\n", 1
    )
    write_atomic(first, text.replace("cmocs:\n", "cmocs:  # ours\n", 1))
    write_atomic(second, "programme: [unclosed\n")
    edited = _outcomes(corpus, theories, 2)
    assert edited == _outcomes(corpus, theories, 1)
    assert edited[0][3] is False and "# checked" in (edited[0][2] or "")  # curated, already up to date
    assert edited[1][2] is None and edited[1][4]  # reported, not merged
    assert pools == [2, 2, 2]


def test_a_small_corpus_or_one_job_stays_in_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.generate import generate

    corpus = generate(tmp_path / "corpus", 4, short=True)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no process pool for this")

    monkeypatch.setattr(merge, "ProcessPoolExecutor", refuse)
    assert _outcomes(corpus, tmp_path / "theories", 2)  # under the size worth a pool
    monkeypatch.setattr(merge, "_PARALLEL_RECORDS", 0)
    assert _outcomes(corpus, tmp_path / "theories", 1)


def test_no_processes_to_be_had_merges_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.generate import generate

    corpus = generate(tmp_path / "corpus", 4, short=True)
    alone = _outcomes(corpus, tmp_path / "theories", 1)

    def no_fork(*args: Any, **kwargs: Any) -> Any:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(merge, "_PARALLEL_RECORDS", 0)
    monkeypatch.setattr(merge, "ProcessPoolExecutor", no_fork)
    assert _outcomes(corpus, tmp_path / "theories", 2) == alone
