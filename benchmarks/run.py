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
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import theory_rows
from benchmarks.generate import generate, subset
from benchmarks.measure import (
    LOAD_FLOOR,
    LONG,
    PYTHON,
    SHORT,
    median_of,
    medians_of,
    peak_memory_mb,
    timed,
    timed_cpu,
    wall_and_peak_of,
)

HERE = Path(__file__).resolve().parent
CMO = [PYTHON, "-m", "cmo"]
# `make bench` on 2 cores must finish within this; a run that takes longer says so at the top of RESULTS.md.
BUDGET = 600.0
# The sections in the order a full run measures them (`--only` picks some); each names the Bench method it runs.
SECTIONS = {
    "startup": "startup",
    "validate": "validate",
    "coding": "coding",
    "records": "records_out",
    "incremental": "incremental",
    "merge": "merge",
    "theories": "large_theories",
    "evidence": "evidence_scaling",
    "editor": "editor",
    "compare": "compare",
    "memory": "memory",
}


def parse_only(text: str) -> list[str]:
    """The sections `--only a,b` names, in the order a full run measures them; ValueError for an unknown one."""
    names = {name.strip() for name in text.split(",") if name.strip()}
    unknown = sorted(names - set(SECTIONS))
    if unknown or not names:
        raise ValueError(f"unknown section {', '.join(unknown) or '(none given)'}: choose from {', '.join(SECTIONS)}")
    return [name for name in SECTIONS if name in names]


class Bench:
    def __init__(
        self,
        workdir: Path,
        runs: int,
        sizes: list[int],
        short: int = 6_000,
        theory_sizes: list[int] | None = None,
        cmocs: int = 10_000,
    ) -> None:
        self.workdir = workdir
        self.cmocs = cmocs  # in each of the two theories compare_bench.py matches
        self.runs = runs
        self.sizes = sizes
        self.short = short
        self.theory_sizes = theory_sizes or [1_000, 5_000]
        self.rows: list[tuple[str, str, str, str, str]] = []
        self.notes: list[str] = []
        self.only: list[str] = []  # set for a partial run, which says so at the top of what it writes
        self.timings: dict[str, float] = {}
        self.failures: list[str] = []  # sections a command failed in, each with the command
        self.started = time.perf_counter()
        # As installed: pip compiles modules to bytecode, so a run never compiles them from source again.
        environ = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        self.env = {**environ, "CMO_CACHE_DIR": str(workdir / "cache")}
        subprocess.run([PYTHON, "-m", "compileall", "-q", str(HERE.parent / "cmo")], check=False, env=self.env)
        # Figures more than one section needs are measured once, by whichever section asks first.
        self.cold: dict[int, float] = {}
        self._floors: dict[Path, tuple[float, float]] = {}
        self._theories: dict[int, tuple[Path, float]] = {}
        self._merged: dict[int, tuple[float, float]] = {}
        self._pristine: set[int] = set()  # long corpora as generated, which smaller ones may be copied from
        self.merge_shown: set[int] = set()  # sizes whose merge-up-to-date row the merge section wrote

    @property
    def middle(self) -> int:
        return self.sizes[1] if len(self.sizes) > 1 else self.sizes[0]

    def progress(self, message: str) -> None:
        elapsed = time.perf_counter() - self.started
        print(f"[{int(elapsed // 60):2d}:{int(elapsed % 60):02d}] {message}", flush=True)

    def section(self, name: str) -> None:
        """Run one section, printing when it starts and how long it took."""
        self.progress(f"== {name}")
        started = time.perf_counter()
        try:
            getattr(self, SECTIONS[name])()
        except subprocess.CalledProcessError as error:  # the rest of the run still measures what it can
            command = " ".join(str(part) for part in error.cmd[-6:])
            self.failures.append(f"{name}: `... {command}` exited with status {error.returncode}")
            self.progress(f"== {name} FAILED: {self.failures[-1]}")
        self.timings[name] = time.perf_counter() - started
        self.progress(f"== {name} took {self.timings[name]:.0f} s")

    def row(
        self, what: str, figure: float, reference_name: str, reference: float, target: str, unit: str = "s"
    ) -> None:
        ratio = figure / reference if reference else float("inf")
        shown = f"{figure:.3f} s" if unit == "s" else f"{figure:.2f} {unit}"
        ref = f"{reference_name}: {reference:.3f} s" if unit == "s" else reference_name
        self.rows.append((what, shown, ref, f"{ratio:.2f}", target))
        print(f"{what:<58} {shown:>12}  {ref:<40} ratio {ratio:6.2f}  {target}", flush=True)

    def corpus(self, size: int, short: bool = False) -> Path:
        """The generated corpus of `size` transcripts: copied from a larger one already written, else generated."""
        root = self.workdir / f"corpus-{'short-' if short else ''}{size}"
        if not root.exists():
            larger = [other for other in self._pristine if other >= size]
            if short or not larger:
                generate(root, size, short=short)
            else:
                subset(self.workdir / f"corpus-{min(larger)}", root, size)
            if not short:
                self._pristine.add(size)
        return root

    def code(self, root: Path, *options: str) -> float:
        return timed([*CMO, "code", "-q", *options, str(root)], self.env)

    def floor(self, root: Path) -> tuple[float, float]:
        """The coding floor's wall and CPU seconds on a corpus (benchmarks/floor.py)."""
        if root not in self._floors:
            command = [PYTHON, "-m", "benchmarks.floor", str(root)]
            self._floors[root] = medians_of(self.runs, lambda: timed_cpu(command))
        return self._floors[root]

    def cold_code(self, size: int, runs: int | None = None) -> float:
        """`cmo code -q --no-cache` on the long corpus of `size` transcripts, all cores."""
        if size not in self.cold:
            root = self.corpus(size)
            self.cold[size] = median_of(runs or self.runs, lambda: self.code(root, "--no-cache"))
        return self.cold[size]

    def theories(self, size: int) -> tuple[Path, float]:
        """The four theory files one `cmo merge --no-cache` writes for the corpus of `size`, and its seconds."""
        if size not in self._theories:
            root = self.corpus(size)
            folder = self.workdir / f"theories-{size}"
            shutil.rmtree(folder, ignore_errors=True)
            made = timed([*CMO, "merge", "--no-cache", "--theories", str(folder), str(root)], self.env)
            self._theories[size] = (folder, made)
        return self._theories[size]

    def merged(self, size: int, runs: int | None = None) -> tuple[float, float]:
        """Wall seconds and peak megabytes of `cmo merge --no-cache` when the theory files are up to date."""
        if size not in self._merged:
            folder, _ = self.theories(size)
            command = [*CMO, "merge", "--no-cache", "--theories", str(folder), str(self.corpus(size))]
            self._merged[size] = wall_and_peak_of(runs or self.runs, command, self.env)
        return self._merged[size]

    def coding(self) -> None:
        self.corpus(max(self.sizes))  # first, so the smaller corpora are copies of it
        for size in self.sizes:
            root = self.corpus(size)
            floor, _ = self.floor(root)
            cold = self.cold_code(size)
            self.row(
                f"cmo code, cold, all cores, {size} transcripts",
                cold,
                "floor",
                floor,
                "<= 2.0" if size == max(self.sizes) else "",
            )
        middle = self.corpus(self.middle)
        serial = median_of(self.runs, lambda: self.code(middle, "--no-cache", "--jobs", "1"))
        self.row(f"cmo code, cold, --jobs 1, {self.middle} transcripts", serial, "floor", self.floor(middle)[0], "")
        jobs = os.cpu_count() or 1
        parallel = median_of(self.runs, lambda: self.code(middle, "--no-cache", "--jobs", str(jobs)))
        self.row(
            f"cmo code --jobs {jobs} (speed-up over --jobs 1), {self.middle} transcripts",
            serial / parallel,
            "--jobs 1",
            1.0,
            "",
            unit="x",
        )
        # Where the work is large beside start-up (about 0.35 s that no worker can share): the target's row.
        largest = max(self.sizes)
        serial_large = timed([*CMO, "code", "-q", "--no-cache", "--jobs", "1", str(self.corpus(largest))], self.env)
        self.row(
            f"cmo code --jobs {jobs} (speed-up over --jobs 1), {largest} transcripts",
            serial_large / self.cold_code(largest),
            "--jobs 1",
            1.0,
            ">= 1.6 on 2 cores",
            unit="x",
        )

    def incremental(self) -> None:
        size = max(self.sizes)
        root = self.corpus(size)
        files = sorted(root.rglob("*.md"))
        cold = self.cold_code(size)
        self.code(root)  # fill the cache
        originals: dict[Path, bytes] = {}
        edits = [0]

        def one_changed() -> float:
            edits[0] += 1
            target = files[edits[0] * 97 % len(files)]
            originals.setdefault(target, target.read_bytes())
            with target.open("a", encoding="utf-8") as handle:
                handle.write(f"\nAn added line, edit {edits[0]}.\n")
            return self.code(root)

        try:
            warm = median_of(self.runs, one_changed)
        finally:
            for path, data in originals.items():  # as generated again: smaller corpora are copied from this one
                path.write_bytes(data)
        self.row(f"cmo code, one transcript changed (cache), {size} transcripts", warm, "cold", cold, "<= 0.05")
        self.queries(root, size)

    def queries(self, root: Path, size: int) -> None:
        """cmo query and cmo matrix over a corpus whose cache is current: the evidence behind a question, at once."""
        self.code(root)  # the edited files, put back, are coded once more
        unchanged = median_of(self.runs, lambda: self.code(root))
        for what, args in (
            ("cmo query --mechanism ID --count", ["query", "--mechanism", "shared-mec-001", "--count"]),
            ("cmo matrix mechanism outcome --format json", ["matrix", "mechanism", "outcome", "--format", "json"]),
        ):
            figure = median_of(self.runs, functools.partial(timed, [*CMO, *args, str(root)], self.env))
            self.row(f"{what}, {size} transcripts (cache current)", figure, "cmo code, nothing changed", unchanged, "")

    def merge(self) -> None:
        size = self.middle
        code = self.cold_code(size)
        _, made = self.theories(size)
        self.row(f"cmo merge, new theory files, {size} transcripts", made, "cmo code", code, "")
        again, _ = self.merged(size)
        self.row(f"cmo merge, theory files up to date, {size} transcripts", again, "cmo code", code, "<= 1.2")
        self.merge_shown.add(size)

    def compare(self) -> None:
        script = HERE / "compare_bench.py"
        command = [PYTHON, str(script), str(min(self.runs, 3)), str(self.cmocs)]
        figures = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        self.row(
            f"cmo compare, two theories of {self.cmocs:,} CMOCs each",
            figures["compare"],
            "cdist alone",
            figures["cdist"],
            "<= 2.0",
        )
        self.row(
            "plain Python double loop (sampled, extrapolated)", figures["loop"], "cdist alone", figures["cdist"], ""
        )
        self.notes.append(figures["note"])

    def editor(self) -> None:
        """The language server re-checking a ~3,000-word transcript as it is typed, its study loaded (in process)."""
        import re

        import yaml

        from cmo.editor.checking import time_recheck

        path = sorted(self.corpus(min(self.sizes)).rglob("*.md"))[0]
        blocks = re.compile(r"^```cmo\n(.*?)^```", re.MULTILINE | re.DOTALL)

        def floor() -> float:  # benchmarks/floor.py's work on this one file
            started = time.perf_counter()
            for match in blocks.finditer(path.read_bytes().decode("utf-8")):
                yaml.load(match.group(1), Loader=yaml.CSafeLoader)
            return time.perf_counter() - started

        reference = statistics.median(floor() for _ in range(7))
        words = len(path.read_text(encoding="utf-8").split())
        figure = time_recheck(path)
        self.row(
            f"cmo lsp: one transcript ({words:,} words) checked again, study loaded",
            figure,
            "floor",
            reference,
            "<= 50 ms",
        )
        self.notes.append(f"cmo lsp re-checks a {words:,}-word transcript in {figure * 1000:.1f} ms (target <= 50 ms).")

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
        cold = {size: self.cold[size] for size in self.sizes if size in self.cold}
        if len(cold) < 2:
            return
        per = ", ".join(f"{size:,}: {1000 * seconds / size:.2f} ms" for size, seconds in sorted(cold.items()))
        first, last = min(cold), max(cold)
        self.notes.append(
            f"`cmo code` cold cost per transcript ({per}): {cold[last] / cold[first]:.1f}x the time for "
            f"{last / first:.0f}x the transcripts, linear once start-up is amortised."
        )

    def records_out(self) -> None:
        """`cmo code --no-cache --out r.jsonl`, the job users run: short transcripts and the long corpus, wall and CPU."""
        short = self.corpus(self.short, short=True)
        floor_wall, floor_cpu = self.floor(short)
        written = {}
        for jobs, target in (("default", "<= 1.5"), ("1", "<= 2.5")):
            out = self.workdir / f"jobs-{jobs}" / "r.jsonl"
            out.parent.mkdir(exist_ok=True)
            options = ["--jobs", jobs] if jobs != "default" else []
            command = [*CMO, "code", "--no-cache", *options, "--out", str(out), str(short)]
            wall, cpu = medians_of(self.runs, lambda: timed_cpu(command, self.env))  # noqa: B023 - used at once
            what = f"cmo code --no-cache --out r.jsonl, jobs {jobs}, {self.short:,} short transcripts"
            self.row(f"{what} (wall)", wall, "floor", floor_wall, target)
            self.row(f"{what} (CPU)", cpu, "floor CPU", floor_cpu, "")
            written[jobs] = out.read_bytes()
        # The middle size: the largest would add over a minute to the run for a figure within a few per cent.
        root = self.corpus(self.middle)
        floor_wall, floor_cpu = self.floor(root)
        command = [*CMO, "code", "--no-cache", "--out", str(self.workdir / "r.jsonl"), str(root)]
        wall, cpu = medians_of(self.runs, lambda: timed_cpu(command, self.env))
        what = f"cmo code --no-cache --out r.jsonl, jobs default, {self.middle:,} long transcripts"
        self.row(f"{what} (wall)", wall, "floor", floor_wall, "<= 1.5")
        self.row(f"{what} (CPU)", cpu, "floor CPU", floor_cpu, "")
        words = len(next(short.rglob("t00000.md")).read_text(encoding="utf-8").split())
        self.notes.append(
            f"`--jobs 1` and all cores write the {self.short:,} short transcripts' records (`--out r.jsonl`) byte for "
            f"byte identical: {written['1'] == written['default']}."
        )
        self.notes.append(
            f"Short corpus: {self.short:,} transcripts of ~{words} words and 2 annotation blocks each "
            "(`generate(..., short=True)`). CPU is user + system time of the command and the worker processes it "
            "waited for; the floor is one process, so the CPU ratio shows what parallel workers cost in total."
        )

    def large_theories(self) -> None:
        """compare, report and merge on the four theories of two corpus sizes, against a plain libyaml load."""
        largest = max(self.theory_sizes)
        measured = []
        for size in self.theory_sizes:
            # One run each at the largest size: every figure there takes tens of seconds.
            runs = 1 if size == largest and len(self.theory_sizes) > 1 else self.runs
            measured.append(self.theory_figures(size, runs))
        for row in theory_rows.rows(measured, self.merge_shown):
            self.rows.append(row)
            print(" | ".join(row), flush=True)
        self.notes.extend(theory_rows.notes(measured))

    def theory_figures(self, size: int, runs: int) -> theory_rows.Theories:
        """Wall seconds and peak memory of the load floor, compare, both reports and merge up to date at one size."""
        root = self.corpus(size)
        folder, made = self.theories(size)
        files = sorted(folder.glob("*.yaml"))
        where = ["--theories", str(folder), "--corpus", str(root)]
        out = self.workdir / f"reports-{size}"
        out.mkdir(exist_ok=True)
        commands = {
            "load": [PYTHON, "-c", LOAD_FLOOR, *map(str, files)],
            "compare": [*CMO, "compare", *where, *(path.stem for path in files)],
            "report --format html": [*CMO, "report", *where, "--format", "html", "--out", str(out / "r.html")],
            "report --format xlsx": [*CMO, "report", *where, "--format", "xlsx", "--out", str(out / "r.xlsx")],
        }
        theories = theory_rows.Theories(
            size=size,
            megabytes=sum(path.stat().st_size for path in files) / 1e6,
            made=made,
            runs=runs,
            code=self.cold_code(size, runs),
        )
        for what, command in commands.items():
            theories.figures[what] = wall_and_peak_of(runs, command, self.env)
            self.progress(f"{what}, {size:,} transcripts: {theories.figures[what][0]:.1f} s")
        theories.figures["merge"] = self.merged(size, runs)
        return theories

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
        warnings = []
        if elapsed > BUDGET:
            warnings += [
                f"**OVER BUDGET: this run took {elapsed / 60:.1f} minutes, more than the {BUDGET / 60:.0f} minutes "
                "`make bench` may take on 2 cores. Cut runs or sizes (FULL in benchmarks/run.py) before relying on "
                "it.**",
                "",
            ]
        if self.failures:
            warnings += ["**FAILED, so some rows are missing:** " + "; ".join(self.failures), ""]
        if self.only:
            warnings += [f"**A partial run (`--only {','.join(self.only)}`), not a full `make bench`.**", ""]
        runs = (
            "one run per figure"
            if self.runs == 1
            else f"each figure the median of {self.runs} runs if its first run took under {SHORT:g} s, of "
            f"{min(self.runs, 3)} under {LONG:g} s, else one run"
        )
        spent = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in self.timings.items())
        lines = [
            "# Benchmark results",
            "",
            *warnings,
            f"Measured by `make bench` on {dt.date.today().isoformat()}: {cores} cores, Python "
            f"{platform.python_version()}, {platform.machine()} {platform.system()}; {runs}; "
            f"corpus sizes {', '.join(str(s) for s in self.sizes)} transcripts of ~3,000 words and 10 "
            f"annotations each, {self.short:,} short transcripts, large theories from "
            f"{' and '.join(f'{s:,}' for s in self.theory_sizes)} transcripts; the whole run took "
            f"{elapsed / 60:.1f} minutes ({spent}).",
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
QUICK = {"sizes": "20,100", "runs": "1", "short": "300", "theory_sizes": "20,100", "cmocs": "2000"}
# The sizes: large theories from 1,000 and 5,000 transcripts (the 5,000 corpus is copied from the 10,000 one).
# Estimated on 2 cores with every command at its target: theories ~6 minutes at 5,000 and ~1 at 1,000, everything
# else ~3.5; the first cut if a run passes 10 minutes is the memory section's --jobs 1 run of 10,000 (~30 s).
FULL = {"sizes": "100,1000,10000", "runs": "5", "short": "6000", "theory_sizes": "1000,5000", "cmocs": "10000"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK", "") not in ("", "0"))
    parser.add_argument("--sizes")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--short", type=int, help="transcripts in the short corpus")
    parser.add_argument("--theory-sizes", help="corpus sizes whose theories compare and report read")
    parser.add_argument(
        "--only", metavar="SECTION[,SECTION]", help=f"measure these sections alone, of: {', '.join(SECTIONS)}"
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    try:
        only = parse_only(args.only) if args.only is not None else []
    except ValueError as error:
        parser.error(str(error))
    preset = QUICK if args.quick else FULL
    sizes = [int(s) for s in (args.sizes or preset["sizes"]).split(",")]
    theory_sizes = [int(s) for s in (args.theory_sizes or preset["theory_sizes"]).split(",")]
    runs = args.runs or int(preset["runs"])
    short = args.short or int(preset["short"])
    partial = args.quick or bool(only)
    default = Path(tempfile.gettempdir()) / f"cmo-bench-{'quick' if args.quick else 'only'}.md"
    out = args.out or (default if partial else HERE / "RESULTS.md")
    if partial and out.resolve() == (HERE / "RESULTS.md").resolve():
        parser.error("a quick or partial run never writes benchmarks/RESULTS.md")
    with tempfile.TemporaryDirectory(prefix="cmo-bench-") as temp:
        bench = Bench(Path(temp), runs, sizes, short=short, theory_sizes=theory_sizes, cmocs=int(preset["cmocs"]))
        bench.only = only
        for name in only or SECTIONS:
            bench.section(name)
        bench.growth()
        elapsed = time.perf_counter() - bench.started
        bench.write(out, elapsed)
    print(f"wrote {out} in {elapsed / 60:.1f} minutes", flush=True)
    if elapsed > BUDGET:
        print(f"OVER BUDGET: {elapsed / 60:.1f} minutes, more than {BUDGET / 60:.0f}", flush=True)
    if bench.failures:
        raise SystemExit("FAILED: " + "; ".join(bench.failures))


if __name__ == "__main__":
    main()
