"""The pure parts of the `make bench` harness: run counts, corpus subsets, section choice, growth words, the guard."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from benchmarks import generate as generator
from benchmarks import theory_rows
from benchmarks.measure import growth, runs_for
from benchmarks.run import BUDGET, SECTIONS, Bench, parse_only


def test_slow_figures_get_fewer_runs() -> None:
    assert runs_for(0.5, 5) == 5
    assert runs_for(3.0, 5) == 3
    assert runs_for(3.0, 1) == 1
    assert runs_for(30.0, 5) == 1


def test_the_faster_word_draw_is_the_same_draw() -> None:
    ours, theirs = random.Random(3), random.Random(3)
    assert generator._choices(ours, 2_000) == [theirs.choice(generator._VOCABULARY) for _ in range(2_000)]
    assert ours.random() == theirs.random()  # and the generator is left in the same state


def test_a_subset_is_the_smaller_generated_corpus(tmp_path: Path) -> None:
    large = generator.generate(tmp_path / "large", 9)
    copied = generator.subset(large, tmp_path / "copied", 5)
    generated = generator.generate(tmp_path / "generated", 5)
    files = sorted(p.relative_to(generated) for p in generated.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(copied) for p in copied.rglob("*") if p.is_file())
    assert all((copied / f).read_bytes() == (generated / f).read_bytes() for f in files)
    with pytest.raises(ValueError, match="fewer than 12"):
        generator.subset(large, tmp_path / "too-many", 12)


def test_only_names_sections_in_run_order() -> None:
    assert parse_only("merge, coding") == ["coding", "merge"]
    assert parse_only("theories") == ["theories"]
    with pytest.raises(ValueError, match="unknown section nope"):
        parse_only("coding,nope")
    with pytest.raises(ValueError, match="none given"):
        parse_only(",")
    assert all(hasattr(Bench, method) for method in SECTIONS.values())


def test_growth_words() -> None:
    assert growth(5.2, 5) == "linear or better"
    assert growth(3.0, 5) == "linear or better"
    assert growth(6.0, 5) == "more than linear"
    assert growth(1.4, 5, memory=True) == "flat"
    assert growth(4.0, 5, memory=True) == "linear or better"


def _theories(size: int, scale: float) -> theory_rows.Theories:
    figures = dict.fromkeys(("load", *theory_rows.READERS, "merge"), (10.0 * scale, 100.0 * scale))
    figures["compare"] = (10.0 * scale, 100.0)  # memory flat
    return theory_rows.Theories(size=size, megabytes=14 * scale, made=5.0, runs=3, code=5.0, figures=figures)


def test_theory_rows_put_targets_at_the_largest_size_and_notes_give_growth() -> None:
    measured = [_theories(1_000, 1), _theories(5_000, 6)]
    rows = theory_rows.rows(measured, merge_shown={1_000})
    by_name = {row[0]: row for row in rows}
    assert by_name["cmo compare, four theories of 1,000 transcripts"][4] == ""
    assert by_name["cmo compare, four theories of 5,000 transcripts"][4] == "<= 1.0"
    assert by_name["cmo report --format xlsx, four theories of 5,000 transcripts"][4] == "<= 2.5"
    assert "cmo merge, theory files up to date, 1000 transcripts" not in by_name  # the merge section's row
    assert by_name["cmo merge, theory files up to date, 5000 transcripts"][3] == "12.00"
    assert by_name["peak memory, cmo compare, four theories of 5,000 transcripts"][1:4] == (
        "100 MB",
        "1,000 transcripts: 100 MB",
        "1.00",
    )
    growth_note = theory_rows.notes(measured)[-1]
    assert growth_note.startswith("From 1,000 to 5,000 transcripts (5x the transcripts, 6.0x the YAML)")
    assert "compare 6.0x the time (more than linear) and 1.0x the memory (flat)" in growth_note
    assert "merge up to date 6.0x the time" in growth_note


def test_a_run_over_budget_says_so_at_the_top(tmp_path: Path) -> None:
    bench = Bench(tmp_path, runs=1, sizes=[8])
    bench.timings = {"coding": 500.0, "theories": 200.0}
    bench.write(tmp_path / "over.md", BUDGET + 100)
    text = (tmp_path / "over.md").read_text(encoding="utf-8")
    assert "OVER BUDGET: this run took 11.7 minutes" in text.split("| what |")[0]
    assert "(coding 500 s, theories 200 s)" in text
    bench.write(tmp_path / "within.md", BUDGET - 1)
    assert "OVER BUDGET" not in (tmp_path / "within.md").read_text(encoding="utf-8")
    bench.only = ["merge"]
    bench.write(tmp_path / "partial.md", 10.0)
    assert "A partial run (`--only merge`)" in (tmp_path / "partial.md").read_text(encoding="utf-8")


def test_a_failed_command_is_reported_and_the_run_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bench = Bench(tmp_path, runs=1, sizes=[8])

    def fail() -> None:
        raise subprocess.CalledProcessError(1, ["python", "-m", "cmo", "report"])

    monkeypatch.setattr(bench, "startup", fail)
    bench.section("startup")
    assert "startup" in bench.timings
    bench.write(tmp_path / "failed.md", 1.0)
    text = (tmp_path / "failed.md").read_text(encoding="utf-8")
    assert "**FAILED, so some rows are missing:** startup: `... python -m cmo report` exited with status 1" in text
