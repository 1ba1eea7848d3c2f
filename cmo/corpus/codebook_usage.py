"""How each programme's codes are used by its records, and which used codes were never declared."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cmo.core.suggest import closest
from cmo.corpus.coding import CodingResult


@dataclass(frozen=True)
class CodeUse:
    programme: str
    code: str
    kind: str
    label: str
    shared: bool
    uses: int
    declared_at: str


@dataclass(frozen=True)
class Undeclared:
    programme: str
    code: str
    uses: int
    closest: str | None
    first_use: str


@dataclass
class CodebookUsage:
    codes: list[CodeUse] = field(default_factory=list)
    undeclared: list[Undeclared] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "codes": [vars(code) for code in self.codes],
            "undeclared": [vars(code) for code in self.undeclared],
        }


def usage(result: CodingResult) -> CodebookUsage:
    """Every declared code with its use count, in programme then kind then id order."""
    counts: Counter[tuple[str, str]] = Counter()
    for transcript in result.transcripts:
        for code, uses in transcript.code_uses.items():
            counts[transcript.programme, code] += uses
    report = CodebookUsage()
    programmes = result.corpus.programmes if result.corpus else {}
    for programme_id, programme in programmes.items():
        for declared in sorted(programme.codes.values(), key=lambda d: (d.code.kind, d.id)):
            report.codes.append(
                CodeUse(
                    programme_id,
                    declared.id,
                    declared.code.kind.value,
                    declared.code.label,
                    declared.shared,
                    counts[programme_id, declared.id],
                    f"{declared.path}:{declared.line}",
                )
            )
    missing: dict[tuple[str, str], list[str]] = {}
    for use in result.undeclared:
        missing.setdefault((use.programme, use.code), []).append(f"{use.path}:{use.line}")
    for (programme_id, code), places in sorted(missing.items()):
        known = programmes[programme_id].codes if programme_id in programmes else {}
        report.undeclared.append(Undeclared(programme_id, code, len(places), closest(code, known), places[0]))
    return report
