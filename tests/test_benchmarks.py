"""`make bench` at its smallest size, so the benchmark cannot rot (no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.generate import SOURCES, generate
from benchmarks.run import Bench
from tests.conftest import REPO


def test_generator_is_deterministic_and_realistic(tmp_path: Path) -> None:
    first, second = generate(tmp_path / "a", 6), generate(tmp_path / "b", 6)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    transcript = next(first.rglob("t00000.md")).read_text(encoding="utf-8")
    assert 2_500 < len(transcript.split()) < 5_000
    assert transcript.count("```cmo") == 10
    assert {p.parent.name for p in first.rglob("t*.md")} == set(SOURCES)
    short = generate(tmp_path / "short", 6, short=True)
    words = [len(p.read_text(encoding="utf-8").split()) for p in short.rglob("t*.md")]
    assert all(300 < count < 420 for count in words)
    assert all(p.read_text(encoding="utf-8").count("```cmo") == 2 for p in short.rglob("t*.md"))
    # Clean corpora: a benchmark that prints a warning per block measures the printing.
    from cmo.corpus.coding import code_corpus

    for corpus in (first, short):
        assert code_corpus([corpus], jobs=1).diagnostics == []


def test_the_benchmark_runs_end_to_end_at_its_smallest_size(tmp_path: Path) -> None:
    bench = Bench(tmp_path, runs=1, sizes=[8, 16], short=8, theory_sizes=[4, 8])
    bench.startup()
    bench.validate()
    bench.coding()
    bench.records_out()
    bench.incremental()
    bench.merge()
    bench.large_theories()
    bench.memory()
    bench.growth()
    out = tmp_path / "RESULTS.md"
    bench.write(out, 1.0)
    text = out.read_text(encoding="utf-8")
    for row in (
        "start-up: cmo --help",
        "cmo code, cold, all cores, 16 transcripts",
        "one transcript changed",
        "cmo merge, new theory files",
        "peak memory",
        "cmo validate, one-transcript corpus",
        "cmo code --no-cache --out r.jsonl, jobs default, 8 short transcripts (wall)",
        "cmo code --no-cache --out r.jsonl, jobs 1, 8 short transcripts (CPU)",
        "cmo code --no-cache --out r.jsonl, jobs default, 16 long transcripts (wall)",
        "cmo compare, four theories of 8 transcripts",
        "cmo report --format html, four theories of 8 transcripts",
        "cmo report --format xlsx, four theories of 4 transcripts",
        "peak memory, cmo report --format xlsx, four theories of 8 transcripts",
    ):
        assert row in text
    assert "byte for byte identical: True" in text
    assert "cold cost per transcript (8: " in text and "Memory grows" in text
    assert "From 4 to 8 transcripts" in text and "Short corpus: 8 transcripts" in text


def test_compare_benchmark_reports_its_figures() -> None:
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "compare_bench.py"), "1", "300"],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert '"compare":' in out.stdout and '"cdist":' in out.stdout and '"loop":' in out.stdout
