"""'Did you mean' suggestions for misspelt keys, codes, source types and programme ids, and the words around them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Below this similarity a suggestion would be a guess, not a correction.
_CUTOFF = 70.0
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def closest(word: str, choices: Iterable[str], *, cutoff: float = _CUTOFF) -> str | None:
    """The choice most like `word`, or None when nothing is close enough; never `word` itself (it is what is wrong)."""
    options = sorted(set(choices) - {word})
    if not options:
        return None
    # Here, not at the top: a clean run never suggests anything, and rapidfuzz is slow to load.
    from rapidfuzz import fuzz, process

    match = process.extractOne(word, options, scorer=fuzz.ratio, score_cutoff=cutoff)
    return match[0] if match else None


def did_you_mean(word: str, choices: Iterable[str], *, cutoff: float = _CUTOFF) -> str:
    """'; did you mean 'x'?' or the empty string."""
    best = closest(word, choices, cutoff=cutoff)
    return f"; did you mean {best!r}?" if best else ""


def with_article(word: str) -> str:
    """`an intervention`, `a context`: the word after the article it takes (kinds and source types are all regular)."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def slug_of(text: str) -> str:
    """The id a name would be: lower case, accents dropped, every run of other characters one '-', none at the ends."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", plain.lower()).strip("-")
