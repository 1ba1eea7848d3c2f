"""Compare two synthetic theories of 10,000 CMOCs each, against rapidfuzz cdist alone on the same labels."""

from __future__ import annotations

import json
import random
import statistics
import sys
import time

from rapidfuzz import fuzz, process, utils

from cmo.across.compare import compare
from cmo.across.matching import DEFAULT_THRESHOLD
from cmo.corpus.models import Programme
from cmo.theory.model import Cmoc, CodeRef, Counts, Theory

CMOCS = 10_000
# Distinct mechanism codes per theory: far more than any real codebook, so the matrix is the work.
CODES = 2_000
WORDS = [f"w{i}" for i in range(3_000)]


def theory(programme: str, rng: random.Random, count: int) -> tuple[Theory, list[str]]:
    labels = {f"{programme}-m{i}": " ".join(rng.sample(WORDS, 5)) for i in range(min(CODES, count))}
    ids = list(labels)
    cmocs = []
    for number in range(count):
        mechanisms = [CodeRef(id=code, label=labels[code]) for code in rng.sample(ids, 2)]
        outcome = [CodeRef(id=f"o{rng.randrange(200)}", label=f"outcome {rng.randrange(200)}")]
        cmocs.append(
            Cmoc(id=f"c{number}", codes={"mechanism": mechanisms, "outcome": outcome}, counts=Counts(excerpts=1))
        )
    used = sorted({ref.id for cmoc in cmocs for ref in cmoc.codes["mechanism"]})
    return Theory(programme=Programme(id=programme, name=programme), cmocs=cmocs), [labels[code] for code in used]


def main() -> None:
    runs = int(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else CMOCS
    rng = random.Random(7)
    (a, labels_a), (b, labels_b) = theory("a", rng, count), theory("b", rng, count)

    def timed(work: object) -> float:
        started = time.perf_counter()
        work()  # type: ignore[operator]
        return time.perf_counter() - started

    def floor() -> None:
        process.cdist(
            labels_a,
            labels_b,
            scorer=fuzz.token_set_ratio,
            processor=utils.default_process,
            score_cutoff=DEFAULT_THRESHOLD,
            workers=-1,
        )

    cdist = statistics.median(timed(floor) for _ in range(runs))
    whole = statistics.median(timed(lambda: compare([a, b], None)) for _ in range(runs))
    sample = min(150, len(labels_a))
    started = time.perf_counter()
    for left in labels_a[:sample]:
        for right in labels_b[:sample]:
            fuzz.token_set_ratio(utils.default_process(left), utils.default_process(right))
    loop = (time.perf_counter() - started) * (len(labels_a) * len(labels_b)) / (sample * sample)
    note = (
        f"compare: {len(labels_a):,} x {len(labels_b):,} distinct mechanism labels; the double loop was timed on "
        f"{sample} x {sample} pairs and scaled to the full {len(labels_a) * len(labels_b):,} pairs."
    )
    print(json.dumps({"compare": whole, "cdist": cdist, "loop": loop, "note": note}))


if __name__ == "__main__":
    main()
