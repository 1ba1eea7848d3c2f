"""Speaker labels: telling a passage the interviewer speaks (a question) from one a participant speaks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# What may wrap a label: Markdown bold or emphasis (`**Interviewer:**`, `**Q**:`, `_I:_`), or nothing.
_WRAP = r"[*_]*"
# A number after a space tells several interviewers apart ("Interviewer 2:"); one run on ("Q1:") is another label.
_NUMBER = r"(?:[ \t]+\d+)?"


@lru_cache(maxsize=64)
def _pattern(labels: tuple[str, ...]) -> re.Pattern[str] | None:
    words = sorted({r"\s+".join(map(re.escape, label.split())) for label in labels if label.split()}, key=len)
    if not words:
        return None
    alternatives = "|".join(reversed(words))
    return re.compile(rf"{_WRAP}(?P<label>(?:{alternatives}){_NUMBER}){_WRAP}:", re.IGNORECASE)


def question_pattern(labels: Iterable[str]) -> re.Pattern[str] | None:
    """One regex per set of interviewer labels (compiled once): it matches a passage that starts with one.

    A label matches whole and case-insensitively, bold or not, its colon inside or outside the bold, and
    may carry a number after a space: with the label `I`, `**I:**`, `i:` and `I 2:` match, `Irene:` and
    `I1:` do not. No labels (an empty `interviewers:` list) means no passage is a question.
    """
    return _pattern(tuple(labels))


def interviewer_label(text: str, pattern: re.Pattern[str] | None) -> str | None:
    """The interviewer's label that `text` starts with, as written (without its bold or colon), or None."""
    if pattern is None:
        return None
    found = pattern.match(text)
    if found is None:
        return None
    return found["label"]
