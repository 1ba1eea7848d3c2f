"""`make bench`: cmo's speed as ratios against references measured in the same run; writes benchmarks/RESULTS.md."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import resource
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


def timed_cpu(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the command and every process it started and waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def medians_of(runs: int, measure: Callable[[], tuple[float, float]]) -> tuple[float, float]:
    """The median of each of a pair of figures (wall and CPU) over paired runs."""
    samples = [measure() for _ in range(runs)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def peak_memory_mb(command: list[str], env: dict[str, str]) -> float:
    """Peak resident memory of the largest process the command starts (Linux reports kilobytes)."""
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, "
        "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([PYTHON, "-c", probe, *command], check=True, capture_output=True, text=True, env=env)
    return int(out.stdout.strip()) / 1024


def wall_and_peak(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident megabytes of one run, measured from a probe process that starts the command."""
    probe = (
        "import resource, subprocess, sys, time; started = time.perf_counter(); subprocess.run(sys.argv[1:], "
        "check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([PYTHON, "-c", probe, *command], check=True, capture_output=True, text=True, env=env)
    wall, peak = out.stdout.split()
    return float(wall), int(peak) / 1024


# The floor for commands that read theory files: libyaml's C loader on the same files, nothing else.
LOAD_FLOOR = (
    "import sys, yaml; from pathlib import Path; "
    "[yaml.load(Path(p).read_text(encoding='utf-8'), Loader=yaml.CSafeLoader) for p in sys.argv[1:]]"
)


class Bench:
    def __init__(
        self,
        workdir: Path,
        runs: int,
        sizes: list[int],
        short: int = 6_000,
        theory_sizes: list[int] | None = None,
        theory_runs: int = 1,
    ) -> None:
        self.workdir = workdir
        self.runs = runs
        self.sizes = sizes
        self.short = short
        self.theory_sizes = theory_sizes or [100, 500]
        self.theory_runs = theory_runs
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

    def corpus(self, size: int, short: bool = False) -> Path:
        root = self.workdir / f"corpus-{'short-' if short else ''}{size}"
        if not root.exists():
            generate(root, size, short=short)
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
        self.row(f"cmo merge, theory files up to date, {size} transcripts", again, "cmo code", code, "<= 1.2")

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

    def records_out(self) -> None:
        """`cmo code --no-cache --out r.jsonl`, the job users run: short transcripts and the long corpus, wall and CPU."""
        short = self.corpus(self.short, short=True)
        out = str(self.workdir / "r.jsonl")
        floor_command = [PYTHON, "-m", "benchmarks.floor", str(short)]
        floor_wall, floor_cpu = medians_of(self.runs, lambda: timed_cpu(floor_command))
        for jobs, target_wall, target_cpu in (("default", "<= 1.5", ""), ("1", "<= 2.5", "")):
            options = ["--jobs", jobs] if jobs != "default" else []
            command = [*CMO, "code", "--no-cache", *options, "--out", out, str(short)]
            wall, cpu = medians_of(self.runs, lambda: timed_cpu(command, self.env))  # noqa: B023 - used at once
            what = f"cmo code --no-cache --out r.jsonl, jobs {jobs}, {self.short:,} short transcripts"
            self.row(f"{what} (wall)", wall, "floor", floor_wall, target_wall)
            self.row(f"{what} (CPU)", cpu, "floor CPU", floor_cpu, target_cpu)
        # The middle size: the largest would add over a minute to the run for a figure within a few per cent.
        size = self.sizes[1] if len(self.sizes) > 1 else self.sizes[0]
        root = self.corpus(size)
        floor_command = [PYTHON, "-m", "benchmarks.floor", str(root)]
        floor_wall, floor_cpu = medians_of(self.runs, lambda: timed_cpu(floor_command))
        command = [*CMO, "code", "--no-cache", "--out", out, str(root)]
        wall, cpu = medians_of(self.runs, lambda: timed_cpu(command, self.env))
        what = f"cmo code --no-cache --out r.jsonl, jobs default, {size:,} long transcripts"
        self.row(f"{what} (wall)", wall, "floor", floor_wall, "<= 1.5")
        self.row(f"{what} (CPU)", cpu, "floor CPU", floor_cpu, "")
        words = len(next(short.rglob("t00000.md")).read_text(encoding="utf-8").split())
        self.notes.append(
            f"Short corpus: {self.short:,} transcripts of ~{words} words and 2 annotation blocks each "
            "(`generate(..., short=True)`). CPU is user + system time of the command and the worker processes it "
            "waited for; the floor is one process, so the CPU ratio shows what parallel workers cost in total."
        )

    def large_theories(self) -> None:
        """compare and report on the four theories of a large generated corpus, against a plain libyaml load."""
        figures: dict[int, dict[str, tuple[float, float]]] = {}
        for size in self.theory_sizes:
            root = self.corpus(size)
            theories = self.workdir / f"theories-{size}"
            subprocess.run(
                [*CMO, "merge", "--no-cache", "--theories", str(theories), str(root)],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=self.env,
            )
            files = sorted(theories.glob("*.yaml"))
            names = [path.stem for path in files]
            where = ["--theories", str(theories), "--corpus", str(root)]
            load = median_of(self.runs, lambda: timed([PYTHON, "-c", LOAD_FLOOR, *map(str, files)]))  # noqa: B023
            commands = {
                "compare": [*CMO, "compare", *where, *names],
                "report --format html": [*CMO, "report", *where, "--format", "html", "--out", str(root / "r.html")],
                "report --format xlsx": [*CMO, "report", *where, "--format", "xlsx", "--out", str(root / "r.xlsx")],
            }
            figures[size] = {"load": (load, 0.0)}
            for what, command in commands.items():
                samples = [wall_and_peak(command, self.env) for _ in range(self.theory_runs)]
                wall = statistics.median(s[0] for s in samples)
                peak = max(s[1] for s in samples)
                figures[size][what] = (wall, peak)
                largest = size == max(self.theory_sizes)
                target = {"compare": "<= 1.0", "report --format html": "<= 1.5", "report --format xlsx": "<= 2.5"}
                self.row(
                    f"cmo {what}, four theories of {size:,} transcripts",
                    wall,
                    "CSafeLoader load",
                    load,
                    target[what] if largest else "",
                )
            megabytes = sum(path.stat().st_size for path in files) / 1e6
            self.notes.append(
                f"Theories of {size:,} transcripts: four files, {megabytes:.1f} MB of YAML; plain "
                f"`yaml.load(CSafeLoader)` of them {load:.3f} s (a fresh interpreter, start-up included)."
            )
        small, large = min(self.theory_sizes), max(self.theory_sizes)
        for what in ("compare", "report --format html", "report --format xlsx"):
            peak_small, peak_large = figures[small][what][1], figures[large][what][1]
            self.rows.append(
                (
                    f"peak memory, cmo {what}, four theories of {large:,} transcripts",
                    f"{peak_large:.0f} MB",
                    f"{small:,} transcripts: {peak_small:.0f} MB",
                    f"{peak_large / peak_small:.2f}",
                    "<= 400 MB (at 5,000)",
                )
            )
            print(f"peak memory, cmo {what}: {small}: {peak_small:.0f} MB, {large}: {peak_large:.0f} MB", flush=True)
        growth = "; ".join(
            f"{what} {figures[large][what][0] / figures[small][what][0]:.1f}x the time and "
            f"{figures[large][what][1] / figures[small][what][1]:.1f}x the memory"
            for what in ("compare", "report --format html", "report --format xlsx")
        )
        self.notes.append(
            f"From {small:,} to {large:,} transcripts ({large / small:.0f}x; load floor "
            f"{figures[large]['load'][0] / figures[small]['load'][0]:.1f}x): {growth}. "
            f"{self.theory_runs} run per figure for these (they take tens of seconds each); the issue's 5,000 "
            "transcripts would take the whole run well past 10 minutes on 2 cores."
        )

    def validate(self) -> None:
        root = self.workdir / "corpus-one"
        if not root.exists():
            generate(root, 1)
        bare = median_of(self.runs * 2, lambda: timed([PYTHON, "-c", "pass"]))
        checked = median_of(self.runs * 2, lambda: timed([*CMO, "validate", str(root)], self.env))
        self.rows.append(
            (
                "cmo validate, one-transcript corpus",
                f"{checked:.3f} s",
                f"python -c pass: {bare:.3f} s",
                f"+{(checked - bare) * 1000:.0f} ms",
                "<= +120 ms",
            )
        )
        print(f"cmo validate, one transcript {checked:.3f} s vs python -c pass {bare:.3f} s", flush=True)

    def write(self, path: Path, elapsed: float) -> None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        lines = [
            "# Benchmark results",
            "",
            f"Measured by `make bench` on {dt.date.today().isoformat()}: {cores} cores, Python "
            f"{platform.python_version()}, {platform.machine()} {platform.system()}; {self.runs} runs per figure "
            f"(the median), corpus sizes {', '.join(str(s) for s in self.sizes)} transcripts of ~3,000 words and 10 "
            f"annotations each, {self.short:,} short transcripts, large theories from "
            f"{' and '.join(f'{s:,}' for s in self.theory_sizes)} transcripts; the whole run took "
            f"{elapsed / 60:.1f} minutes.",
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


# BENCH_QUICK=1 (or --quick): small sizes and one run, for development; writes outside the repository so a reduced
# run never replaces benchmarks/RESULTS.md.
QUICK = {"sizes": "20,100", "runs": "1", "short": "300", "theory_sizes": "20,60"}
# Large theories from 100 and 500 transcripts, not the 1,000 and 5,000: on this 2-core machine compare,
# report html and report xlsx took ~1, ~1 and ~1.5 minutes at 1,000 under load, so 5,000 alone would pass 10 minutes.
FULL = {"sizes": "100,1000,10000", "runs": "5", "short": "6000", "theory_sizes": "100,500"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK", "") not in ("", "0"))
    parser.add_argument("--sizes")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--short", type=int, help="transcripts in the short corpus")
    parser.add_argument("--theory-sizes", help="corpus sizes whose theories compare and report read")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    preset = QUICK if args.quick else FULL
    sizes = [int(s) for s in (args.sizes or preset["sizes"]).split(",")]
    theory_sizes = [int(s) for s in (args.theory_sizes or preset["theory_sizes"]).split(",")]
    runs = args.runs or int(preset["runs"])
    short = args.short or int(preset["short"])
    out = args.out or (Path(tempfile.gettempdir()) / "cmo-bench-quick.md" if args.quick else HERE / "RESULTS.md")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cmo-bench-") as temp:
        bench = Bench(Path(temp), runs, sizes, short=short, theory_sizes=theory_sizes)
        bench.startup()
        bench.validate()
        bench.coding()
        bench.records_out()
        bench.incremental()
        bench.merge()
        bench.large_theories()
        bench.evidence_scaling()
        bench.compare()
        bench.memory()
        bench.growth()
        bench.write(out, time.perf_counter() - started)
    print(f"wrote {out} in {(time.perf_counter() - started) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
