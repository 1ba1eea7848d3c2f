"""Diagnostics as data: one finding about one place in one file, collected over a run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A finding: where (path, 1-based line and column), which rule, how bad, and what to do."""

    path: str
    line: int
    column: int
    rule: str
    message: str
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}[{self.rule}]: {self.message}"

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


@dataclass
class Diagnostics:
    """Findings collected over a whole run; never stops at the first."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(
        self,
        path: str | Path,
        line: int,
        column: int,
        rule: str,
        message: str,
        severity: Severity = Severity.ERROR,
    ) -> None:
        # str(rule): a Rule member becomes the plain string it equals, which the coding cache can marshal.
        self.items.append(Diagnostic(str(path), max(line, 1), max(column, 1), str(rule), message, severity))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=lambda d: (d.path, d.line, d.column, d.rule, d.message))
