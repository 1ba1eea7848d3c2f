"""What `make bench` measures with: wall, CPU and peak memory of a command, and medians that spare slow figures."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

PYTHON = sys.executable

# A figure's first run decides how many more it gets: the median of `runs` (5) below SHORT seconds, of 3 below
# LONG, one run above. A run of many seconds varies by a few per cent, well inside what a target leaves, and five
# runs of the slow rows would take the whole bench past 10 minutes on 2 cores.
SHORT = 1.0
LONG = 8.0


def runs_for(first: float, runs: int) -> int:
    """How many runs a figure gets in all, given its first run took `first` seconds and the most it may get."""
    if first < SHORT:
        return runs
    if first < LONG:
        return min(runs, 3)
    return 1


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
    """The median of up to `runs` runs, fewer when the first is slow (runs_for)."""
    first = measure()
    return statistics.median([first, *(measure() for _ in range(runs_for(first, runs) - 1))])


def medians_of(runs: int, measure: Callable[[], tuple[float, float]]) -> tuple[float, float]:
    """The median of each of a pair of figures (wall and CPU) over paired runs, as many as the first wall allows."""
    first = measure()
    samples = [first, *(measure() for _ in range(runs_for(first[0], runs) - 1))]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def wall_and_peak(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident megabytes of one run, measured from a probe process that starts the command.

    The peak is that of the largest process the command starts (Linux reports kilobytes).
    """
    probe = (
        "import resource, subprocess, sys, time; started = time.perf_counter(); subprocess.run(sys.argv[1:], "
        "check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([PYTHON, "-c", probe, *command], check=True, capture_output=True, text=True, env=env)
    wall, peak = out.stdout.split()
    return float(wall), int(peak) / 1024


def wall_and_peak_of(runs: int, command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """The median wall seconds and the highest peak megabytes over as many runs as the first allows."""
    first = wall_and_peak(command, env)
    samples = [first, *(wall_and_peak(command, env) for _ in range(runs_for(first[0], runs) - 1))]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def peak_memory_mb(command: list[str], env: dict[str, str]) -> float:
    return wall_and_peak(command, env)[1]


# The floor for commands that read theory files: libyaml's C loader on the same files, nothing else.
LOAD_FLOOR = (
    "import sys, yaml; from pathlib import Path; "
    "[yaml.load(Path(p).read_text(encoding='utf-8'), Loader=yaml.CSafeLoader) for p in sys.argv[1:]]"
)


def growth(factor: float, scale: float, memory: bool = False) -> str:
    """How a figure that grew `factor` times for `scale` times the input reads: flat, linear or better, or more than linear.

    Within 10% of the scale counts as linear (start-up is amortised, so a little better is usual); memory that grows
    an eighth as fast as the input or less (5x the input, at most 1.5x the memory) is flat: the input is streamed, not held.
    """
    if memory and factor <= 1 + (scale - 1) / 8:
        return "flat"
    if factor <= scale * 1.1:
        return "linear or better"
    return "more than linear"
