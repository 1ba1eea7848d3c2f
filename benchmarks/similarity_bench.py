"""Time similarity_matrix against plain rapidfuzz cdist(token_set_ratio) on 2,000 x 2,000 generated code labels."""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Callable

from rapidfuzz import fuzz, process, utils

from benchmarks.generate import _VOCABULARY
from cmo.across.similarity import DEFAULT_THRESHOLD, similarity_matrix

SIZE = 2_000
RUNS = 5
# Sprinkled into some labels so the negation and spelling paths are exercised, as in real codebooks.
_EXTRAS = ["not", "no", "lack of", "without", "distrust", "informal", "more", "less", "organisation", "well-being"]


def labels(rng: random.Random, count: int) -> list[str]:
    out: set[str] = set()
    while len(out) < count:
        words = rng.sample(_VOCABULARY, rng.randint(1, 6))
        if rng.random() < 0.2:
            words.insert(rng.randrange(len(words) + 1), rng.choice(_EXTRAS))
        label = " ".join(words)
        out.add(label.capitalize() if rng.random() < 0.5 else label)
    return sorted(out)


def old_pairs(left: list[str], right: list[str]) -> list[tuple[int, int, float]]:
    """What cmo.across.matching._fuzzy_pairs does today."""
    import numpy as np

    block = process.cdist(
        left,
        right,
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        score_cutoff=DEFAULT_THRESHOLD,
        dtype=np.uint8,
        workers=-1,
    )
    rows, columns = np.nonzero(block)
    return [(int(i), int(j), float(block[i, j])) for i, j in zip(rows.tolist(), columns.tolist(), strict=True)]


def bench_labels(rng: random.Random, count: int) -> list[str]:
    """The labels of benchmarks/compare_bench.py: 5 of 3,000 made-up words, so few pairs pass the threshold."""
    words = [f"w{i}" for i in range(3_000)]
    return [" ".join(rng.sample(words, 5)) for _ in range(count)]


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def measure(name: str, left: list[str], right: list[str]) -> dict[str, object]:
    old = statistics.median(_timed(lambda: old_pairs(left, right)) for _ in range(RUNS))
    new = statistics.median(_timed(lambda: similarity_matrix(left, right)) for _ in range(RUNS))
    return {
        "workload": name,
        "labels": f"{len(left):,} x {len(right):,}",
        "cdist_token_set_s": round(old, 3),
        "similarity_matrix_s": round(new, 3),
        "ratio": round(new / old, 2),
        "pairs_old": len(old_pairs(left, right)),
        "pairs_new": len(similarity_matrix(left, right)),
    }


def main() -> None:
    rng = random.Random(20241129)
    for name, make in (("codebook-like", labels), ("compare-bench", bench_labels)):
        json.dump(measure(name, make(rng, SIZE), make(rng, SIZE)), sys.stdout)
        print()


if __name__ == "__main__":
    main()
