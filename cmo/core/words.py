"""Words in the right number: `1 excerpt`, `2 excerpts`, for every message and report."""

from __future__ import annotations


def numbered(number: int, noun: str, plural: str | None = None) -> str:
    """`1 pair`, `2 pairs`: a number with its noun in the right number (`plural` when adding s is wrong)."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
