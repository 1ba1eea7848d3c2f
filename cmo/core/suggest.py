"""'Did you mean' suggestions for misspelt keys, codes, source types and programme ids."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process

# Below this similarity a suggestion would be a guess, not a correction.
_CUTOFF = 70.0


def closest(word: str, choices: Iterable[str], *, cutoff: float = _CUTOFF) -> str | None:
    """The choice most like `word`, or None when nothing is close enough."""
    options = sorted(set(choices))
    if not options:
        return None
    match = process.extractOne(word, options, scorer=fuzz.ratio, score_cutoff=cutoff)
    return match[0] if match else None


def did_you_mean(word: str, choices: Iterable[str], *, cutoff: float = _CUTOFF) -> str:
    """'; did you mean 'x'?' or the empty string."""
    best = closest(word, choices, cutoff=cutoff)
    return f"; did you mean {best!r}?" if best else ""
