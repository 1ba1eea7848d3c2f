"""How alike two code labels are: a fuzzy score that proposes match candidates but never scores opposites or subsets as the same."""

from __future__ import annotations

from collections.abc import Sequence

from cmo.across.labels import normalise
from cmo.across.opposites import opposite

# Score (0-100) at or above which two labels are proposed as a candidate match for the analyst to confirm.
DEFAULT_THRESHOLD = 80.0
# Points taken off token_set_ratio for the part of the longer label the shorter one leaves uncovered
# (1 - shorter / longer, in characters of the normalised labels). token_set_ratio alone scores a label 100
# against any label containing all its words ("trust" vs "building trust with the group": 100 - 33 = 67).
COVERAGE_PENALTY = 40.0
# Rows of the score matrix computed at once: bounds memory at 10,000 x 10,000 labels.
_CHUNK = 2048

# --- scores ---


def _score(token_set: float, shorter: int, longer: int) -> float:
    """token_set_ratio charged for the uncovered part; never above token_set_ratio, so that can pre-filter."""
    return max(0.0, token_set - COVERAGE_PENALTY * (1 - shorter / longer)) if longer else token_set


def similarity(a: str, b: str) -> float:
    """Score 0-100 of two labels: 100 for the same words in any order or spelling, 0 for opposites."""
    from rapidfuzz import fuzz

    left, right = normalise(a), normalise(b)
    if left == right:
        return 100.0
    if opposite(a, b):
        return 0.0
    lengths = sorted((len(left), len(right)))
    return _score(fuzz.token_set_ratio(left, right), *lengths)


def similarity_matrix(
    left: Sequence[str], right: Sequence[str], threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[int, int, float]]:
    """(i, j, score) for every pair of labels scoring at or above threshold and not opposite, best first.

    Vectorised: token_set_ratio for all pairs on all cores, the coverage penalty in numpy, and the opposite
    check in Python only for the pairs left at or above threshold (the score never exceeds token_set_ratio).
    """
    import numpy as np
    from rapidfuzz import fuzz, process

    left_norm = [normalise(label) for label in left]
    right_norm = [normalise(label) for label in right]
    left_len = np.array([len(label) for label in left_norm], dtype=np.float32)
    right_len = np.array([len(label) for label in right_norm], dtype=np.float32)
    pairs: list[tuple[int, int, float]] = []
    for start in range(0, len(left_norm), _CHUNK):
        block = process.cdist(
            left_norm[start : start + _CHUNK],
            right_norm,
            scorer=fuzz.token_set_ratio,
            processor=None,
            score_cutoff=threshold,
            dtype=np.float32,
            workers=-1,
        )
        rows, columns = np.nonzero(block)
        if not len(rows):
            continue
        first, second = left_len[rows + start], right_len[columns]
        shorter, longer = np.minimum(first, second), np.maximum(np.maximum(first, second), 1)
        scores = block[rows, columns] - COVERAGE_PENALTY * (1 - shorter / longer)
        for k in np.nonzero(scores >= threshold)[0].tolist():
            i, j = int(rows[k]) + start, int(columns[k])
            same = left_norm[i] == right_norm[j]
            if same or not opposite(left[i], right[j]):
                pairs.append((i, j, 100.0 if same else float(scores[k])))
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    return pairs
