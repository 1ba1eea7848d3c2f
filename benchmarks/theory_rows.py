"""The large-theory rows of `make bench`: compare, report and merge at two corpus sizes, and how each figure grows."""

from __future__ import annotations

from dataclasses import dataclass, field

from benchmarks.measure import growth

# What the issue asks of the commands that read four large theories, as ratios to the plain libyaml load.
TARGETS = {"compare": "<= 1.0", "report --format html": "<= 1.5", "report --format xlsx": "<= 2.5"}
READERS = tuple(TARGETS)
MEMORY_TARGET = "<= 400 MB (at 5,000)"

Row = tuple[str, str, str, str, str]


@dataclass
class Theories:
    """The figures of one corpus size: wall seconds and peak megabytes of each command, and what was read."""

    size: int
    megabytes: float  # the four theory files' YAML
    made: float  # seconds the one `cmo merge --no-cache` that wrote them took
    runs: int  # the most runs each figure had (fewer for slow ones: benchmarks.measure.runs_for)
    code: float  # `cmo code --no-cache -q` on the same corpus, the reference for merge
    figures: dict[str, tuple[float, float]] = field(default_factory=dict)  # "load", READERS, "merge"


def _ratio(figure: float, reference: float) -> str:
    return f"{figure / reference:.2f}" if reference else "inf"


def rows(sizes: list[Theories], merge_shown: set[int]) -> list[Row]:
    """Time rows at every size (targets at the largest), then the peak memory of each reader at the largest."""
    out: list[Row] = []
    largest = max(sizes, key=lambda t: t.size)
    for theories in sizes:
        load = theories.figures["load"][0]
        for what in READERS:
            wall = theories.figures[what][0]
            target = TARGETS[what] if theories is largest else ""
            out.append(
                (
                    f"cmo {what}, four theories of {theories.size:,} transcripts",
                    f"{wall:.3f} s",
                    f"CSafeLoader load: {load:.3f} s",
                    _ratio(wall, load),
                    target,
                )
            )
        if theories.size not in merge_shown:
            wall = theories.figures["merge"][0]
            out.append(
                (
                    f"cmo merge, theory files up to date, {theories.size} transcripts",
                    f"{wall:.3f} s",
                    f"cmo code: {theories.code:.3f} s",
                    _ratio(wall, theories.code),
                    "<= 1.2",
                )
            )
    smallest = min(sizes, key=lambda t: t.size)
    for what in READERS:
        peak = largest.figures[what][1]
        reference = smallest.figures[what][1]
        out.append(
            (
                f"peak memory, cmo {what}, four theories of {largest.size:,} transcripts",
                f"{peak:.0f} MB",
                f"{smallest.size:,} transcripts: {reference:.0f} MB",
                _ratio(peak, reference),
                MEMORY_TARGET,
            )
        )
    return out


def notes(sizes: list[Theories]) -> list[str]:
    """What each size read, and the growth of time and memory from the smallest to the largest, floor alongside."""
    out = []
    for theories in sizes:
        load, peak = theories.figures["load"]
        out.append(
            f"Theories of {theories.size:,} transcripts: four files, {theories.megabytes:.1f} MB of YAML, written by "
            f"one `cmo merge --no-cache` in {theories.made:.1f} s; plain `yaml.load(CSafeLoader)` of them {load:.3f} s "
            f"and {peak:.0f} MB (a fresh interpreter, start-up included); "
            + ("one run per figure." if theories.runs == 1 else f"the median of up to {theories.runs} runs.")
        )
    small, large = min(sizes, key=lambda t: t.size), max(sizes, key=lambda t: t.size)
    if small is large:
        return out
    scale = large.size / small.size

    def grew(what: str) -> str:
        time = large.figures[what][0] / small.figures[what][0]
        memory = large.figures[what][1] / small.figures[what][1]
        return (
            f"{what} {time:.1f}x the time ({growth(time, scale)}) and "
            f"{memory:.1f}x the memory ({growth(memory, scale, memory=True)})"
        )

    load_time = large.figures["load"][0] / small.figures["load"][0]
    load_memory = large.figures["load"][1] / small.figures["load"][1]
    merge = ", ".join(["merge up to date " + grew("merge").removeprefix("merge "), *map(grew, READERS)])
    out.append(
        f"From {small.size:,} to {large.size:,} transcripts ({scale:.0f}x the transcripts, "
        f"{large.megabytes / small.megabytes:.1f}x the YAML): the load floor {load_time:.1f}x the time and "
        f"{load_memory:.1f}x the memory (it holds every file it read); {merge}. Linear or better is within 10% of the "
        "transcripts' growth; flat memory grows at most an eighth as fast (streamed, not held)."
    )
    return out
