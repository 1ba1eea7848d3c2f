"""`make bench`: cmo's speed as ratios against references measured in the same run; writes benchmarks/RESULTS.md."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.generate import generate

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
CMO = [PYTHON, "-m", "cmo"]


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def peak_memory_mb(command: list[str], env: dict[str, str]) -> float:
    """Peak resident memory of the largest process the command starts (Linux reports kilobytes)."""
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, "
        "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([PYTHON, "-c", probe, *command], check=True, capture_output=True, text=True, env=env)
    return int(out.stdout.strip()) / 1024


class Bench:
    def __init__(self, workdir: Path, runs: int, sizes: list[int]) -> None:
        self.workdir = workdir
        self.runs = runs
        self.sizes = sizes
        self.rows: list[tuple[str, str, str, str, str]] = []
        self.notes: list[str] = []
        self.cold: dict[int, float] = {}
        self.env = {**os.environ, "CMO_CACHE_DIR": str(workdir / "cache")}

    def row(
        self, what: str, figure: float, reference_name: str, reference: float, target: str, unit: str = "s"
    ) -> None:
        ratio = figure / reference if reference else float("inf")
        shown = f"{figure:.3f} s" if unit == "s" else f"{figure:.2f} {unit}"
        ref = f"{reference_name}: {reference:.3f} s" if unit == "s" else reference_name
        self.rows.append((what, shown, ref, f"{ratio:.2f}", target))
        print(f"{what:<58} {shown:>12}  {ref:<40} ratio {ratio:6.2f}  {target}", flush=True)

    def corpus(self, size: int) -> Path:
        root = self.workdir / f"corpus-{size}"
        if not root.exists():
            generate(root, size)
        return root

    def code(self, root: Path, *options: str) -> float:
        return timed([*CMO, "code", "-q", *options, str(root)], self.env)

    def coding(self) -> None:
        for size in self.sizes:
            root = self.corpus(size)
            floor = median_of(self.runs, functools.partial(timed, [PYTHON, "-m", "benchmarks.floor", str(root)]))
            cold = median_of(self.runs, functools.partial(self.code, root, "--no-cache"))
            self.cold[size] = cold
            self.row(
                f"cmo code, cold, all cores, {size} transcripts",
                cold,
                "floor",
                floor,
                "<= 2.0" if size == max(self.sizes) else "",
            )
        middle = self.corpus(self.sizes[1] if len(self.sizes) > 1 else self.sizes[0])
        count = len(list(middle.rglob("*.md")))
        serial = median_of(self.runs, lambda: self.code(middle, "--no-cache", "--jobs", "1"))
        floor = median_of(self.runs, lambda: timed([PYTHON, "-m", "benchmarks.floor", str(middle)]))
        self.row(f"cmo code, cold, --jobs 1, {count} transcripts", serial, "floor", floor, "")
        jobs = os.cpu_count() or 1
        parallel = median_of(self.runs, lambda: self.code(middle, "--no-cache", "--jobs", str(jobs)))
        self.row(
            f"cmo code --jobs {jobs} (speed-up over --jobs 1), {count} transcripts",
            serial / parallel,
            "--jobs 1",
            1.0,
            ">= 1.6 on 2 cores",
            unit="x",
        )
        outputs = []
        for option in ("1", str(jobs)):
            out = self.workdir / f"records-{option}.json"
            subprocess.run(
                [
                    *CMO,
                    "code",
                    "-q",
                    "--no-cache",
                    "--jobs",
                    option,
                    "--format",
                    "json",
                    "--out",
                    str(out),
                    str(middle),
                ],
                check=True,
                env=self.env,
            )
            outputs.append(out.read_bytes())
        self.notes.append(
            f"`--jobs {jobs}` and `--jobs 1` records output byte for byte identical: {outputs[0] == outputs[1]}."
        )

    def incremental(self) -> None:
        size = max(self.sizes)
        root = self.corpus(size)
        files = sorted(root.rglob("*.md"))
        cold = median_of(self.runs, lambda: self.code(root, "--no-cache"))
        self.code(root)  # fill the cache

        def one_changed() -> float:
            one_changed.count += 1  # type: ignore[attr-defined]
            target = files[one_changed.count * 97 % len(files)]  # type: ignore[attr-defined]
            with target.open("a", encoding="utf-8") as handle:
                handle.write(f"\nAn added line, edit {one_changed.count}.\n")  # type: ignore[attr-defined]
            return self.code(root)

        one_changed.count = 0  # type: ignore[attr-defined]
        warm = median_of(self.runs, one_changed)
        self.row(f"cmo code, one transcript changed (cache), {size} transcripts", warm, "cold", cold, "<= 0.05")

    def merge(self) -> None:
        size = self.sizes[1] if len(self.sizes) > 1 else self.sizes[0]
        root = self.corpus(size)
        code = median_of(self.runs, lambda: self.code(root, "--no-cache"))

        def fresh() -> float:
            theories = self.workdir / "theories"
            shutil.rmtree(theories, ignore_errors=True)
            return timed([*CMO, "merge", "--no-cache", "--theories", str(theories), str(root)], self.env)

        self.row(f"cmo merge, new theory files, {size} transcripts", median_of(self.runs, fresh), "cmo code", code, "")
        again = median_of(
            self.runs,
            lambda: timed(
                [*CMO, "merge", "--no-cache", "--theories", str(self.workdir / "theories"), str(root)], self.env
            ),
        )
        self.row(f"cmo merge, theory files up to date, {size} transcripts", again, "cmo code", code, "")

    def compare(self) -> None:
        script = HERE / "compare_bench.py"
        out = subprocess.run([PYTHON, str(script), str(self.runs)], check=True, capture_output=True, text=True)
        figures = json.loads(out.stdout)
        self.row(
            "cmo compare, two theories of 10,000 CMOCs each",
            figures["compare"],
            "cdist alone",
            figures["cdist"],
            "<= 2.0",
        )
        self.row(
            "plain Python double loop (sampled, extrapolated)", figures["loop"], "cdist alone", figures["cdist"], ""
        )
        self.notes.append(figures["note"])

    def evidence_scaling(self, base: int = 1_000, blank_base: int = 100_000) -> None:
        """Evidence lookup is linear: 10x the stacked blocks or blank lines in one transcript, ~10x the time."""
        from cmo.corpus.coding import code_corpus

        head = "---\nid: t-01\nsource: interview\n---\n\nSome words about trust.\n"
        block = "```cmo\noutcome: help-seeking\n```\n"

        def one_transcript(name: str, body: str) -> float:
            root = self.workdir / f"scaling-{name}"
            (root / "p").mkdir(parents=True, exist_ok=True)
            (root / "codebook.yaml").write_text("codes:\n  help-seeking: {kind: outcome, label: Help}\n")
            (root / "p" / "programme.yaml").write_text("id: p\nname: P\n")
            (root / "p" / "t.md").write_text(head + body, encoding="utf-8")

            def measure() -> float:
                started = time.perf_counter()
                result = code_corpus([root], jobs=1, cache=False, keep_records=False)
                assert result.ok
                return time.perf_counter() - started

            return median_of(self.runs, measure)

        cases: list[tuple[str, int, Callable[[int], str]]] = [
            ("stacked blocks under one paragraph", base, lambda n: block * n),
            ("blank lines above one block", blank_base, lambda n: "\n" * n + block),
        ]
        for what, size, body in cases:
            small = one_transcript(f"{what[:5]}-{size}", body(size))
            large = one_transcript(f"{what[:5]}-{size * 10}", body(size * 10))
            self.row(
                f"evidence, {size * 10:,} {what} (one transcript)",
                large,
                f"{size:,}",
                small,
                "<= 15 (linear: 10)",
            )

    def startup(self) -> None:
        bare = median_of(self.runs * 2, lambda: timed([PYTHON, "-c", "pass"]))
        helped = median_of(self.runs * 2, lambda: timed([*CMO, "--help"]))
        self.rows.append(
            (
                "start-up: cmo --help",
                f"{helped:.3f} s",
                f"python -c pass: {bare:.3f} s",
                f"+{(helped - bare) * 1000:.0f} ms",
                "<= +150 ms",
            )
        )
        print(f"start-up: cmo --help {helped:.3f} s vs python -c pass {bare:.3f} s: +{(helped - bare) * 1000:.0f} ms")

    def memory(self) -> None:
        peaks = {}
        for size in self.sizes[-2:]:
            peaks[size] = peak_memory_mb(
                [*CMO, "code", "-q", "--no-cache", "--jobs", "1", str(self.corpus(size))], self.env
            )
        small, large = sorted(peaks)
        self.rows.append(
            (
                f"peak memory, cmo code --jobs 1, {large} transcripts",
                f"{peaks[large]:.0f} MB",
                f"{small} transcripts: {peaks[small]:.0f} MB",
                f"{peaks[large] / peaks[small]:.2f}",
                "<= 1024 MB",
            )
        )
        print(f"peak memory {peaks}")
        self.notes.append(
            f"Memory grows {peaks[large] / peaks[small]:.1f}x from {small:,} to {large:,} transcripts "
            f"({peaks[small]:.0f} MB to {peaks[large]:.0f} MB): records are streamed, not held."
        )

    def growth(self) -> None:
        """How the cold run's cost grows with corpus size, start-up and all."""
        if len(self.cold) < 2:
            return
        per = ", ".join(f"{size:,}: {1000 * seconds / size:.2f} ms" for size, seconds in sorted(self.cold.items()))
        sizes = sorted(self.cold)
        first, last = sizes[0], sizes[-1]
        self.notes.append(
            f"`cmo code` cold cost per transcript ({per}): {self.cold[last] / self.cold[first]:.1f}x the time for "
            f"{last / first:.0f}x the transcripts, linear once start-up is amortised."
        )

    def write(self, path: Path, elapsed: float) -> None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        lines = [
            "# Benchmark results",
            "",
            f"Measured by `make bench` on {dt.date.today().isoformat()}: {cores} cores, Python "
            f"{platform.python_version()}, {platform.machine()} {platform.system()}; {self.runs} runs per figure "
            f"(the median), corpus sizes {', '.join(str(s) for s in self.sizes)} transcripts of ~3,000 words and 10 "
            f"annotations each; the whole run took {elapsed / 60:.1f} minutes.",
            "",
            "Each figure is a ratio to a reference measured in the same run, because absolute times drift between "
            "machines.",
            "",
            "| what | figure | reference | ratio | target |",
            "|---|---|---|---|---|",
            *[f"| {' | '.join(row)} |" for row in self.rows],
            "",
            *[f"- {note}" for note in self.notes],
            "",
        ]
        path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cmo-bench-") as temp:
        bench = Bench(Path(temp), args.runs, [int(s) for s in args.sizes.split(",")])
        bench.startup()
        bench.coding()
        bench.incremental()
        bench.merge()
        bench.evidence_scaling()
        bench.compare()
        bench.memory()
        bench.growth()
        bench.write(args.out, time.perf_counter() - started)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
