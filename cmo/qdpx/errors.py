"""The one exception of the qdpx package: a project that cannot be read at all, with the rule it broke."""

from __future__ import annotations


class QdpxError(Exception):
    """A `.qdpx` file refused or unreadable as a whole (not a zip, unsafe entries, no project.qde, a DTD)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
