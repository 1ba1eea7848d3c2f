"""Checks on theory files beyond their schema: duplicate CMOC ids, dangling links, unknown codes, status against evidence."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cmo.core.diagnostics import Diagnostics, Severity
from cmo.core.files import read_or_report
from cmo.core.paths import display_path
from cmo.core.rules import Rule
from cmo.core.suggest import did_you_mean
from cmo.corpus.identity import passage_key
from cmo.corpus.layout import Corpus
from cmo.corpus.models import Stance
from cmo.theory.model import (
    CMO_PARTS,
    Cmoc,
    OverarchingCmoc,
    OverarchingTheory,
    Status,
    Theory,
    is_overarching,
    parse_document,
    readable,
)
from cmo.yamlio.reader import Mark, locate
from cmo.yamlio.schema import validate


def check_theory(path: Path, corpus: Corpus | None, diagnostics: Diagnostics) -> None:
    """Report everything wrong with one theory file (a programme's, or an overarching one) into `diagnostics`."""
    shown = display_path(path)
    raw = read_or_report(path, shown, diagnostics)
    if raw is None:
        return
    data = parse_document(raw, shown, diagnostics)
    if not readable(data):
        return
    if is_overarching(data):
        overarching = validate(
            OverarchingTheory, data, path=shown, diagnostics=diagnostics, what="an overarching theory"
        )
        if overarching is not None:
            _check_ids_and_links(overarching.cmocs, data, shown, diagnostics)
        return
    theory = validate(Theory, data, path=shown, diagnostics=diagnostics, what="a theory file")
    if theory is None:
        return
    _check_ids_and_links(theory.cmocs, data, shown, diagnostics)
    _check_codes(theory, data, corpus, shown, diagnostics)
    _check_status_evidence(theory, data, shown, diagnostics)
    _check_completeness(theory, data, shown, diagnostics)


def _check_ids_and_links(
    cmocs: Sequence[Cmoc | OverarchingCmoc], data: Any, shown: str, diagnostics: Diagnostics
) -> None:
    ids = {cmoc.id for cmoc in cmocs}
    first_at: dict[str, int] = {}
    for index, cmoc in enumerate(cmocs):
        mark = locate(data, ("cmocs", index, "id")) or Mark(1, 1)
        if cmoc.id in first_at:
            diagnostics.add(
                shown,
                mark.line,
                mark.column,
                Rule.DUPLICATE_CMOC,
                f"CMOC id {cmoc.id!r} appears twice (first at line {first_at[cmoc.id]})",
            )
        else:
            first_at[cmoc.id] = mark.line
        for position, link in enumerate(cmoc.links):
            if link not in ids:
                at = locate(data, ("cmocs", index, "links", position)) or mark
                diagnostics.add(
                    shown,
                    at.line,
                    at.column,
                    Rule.DANGLING_LINK,
                    f"CMOC {cmoc.id!r} links to {link!r}, which is not a CMOC of this theory{did_you_mean(link, ids)}",
                )


def _check_codes(theory: Theory, data: Any, corpus: Corpus | None, shown: str, diagnostics: Diagnostics) -> None:
    programme = corpus.programmes.get(theory.programme.id) if corpus else None
    if programme is None:
        diagnostics.add(
            shown,
            1,
            1,
            Rule.PROGRAMME_UNKNOWN,
            f"programme {theory.programme.id!r} is not in the corpus; codes were not checked",
            Severity.WARNING,
        )
        return
    for index, cmoc in enumerate(theory.cmocs):
        for role, refs in cmoc.codes.items():
            for position, ref in enumerate(refs):
                if ref.id not in programme.codes:
                    at = locate(data, ("cmocs", index, "codes", role, position, "id")) or Mark(1, 1)
                    diagnostics.add(
                        shown,
                        at.line,
                        at.column,
                        Rule.UNKNOWN_CODE,
                        f"unknown code {ref.id!r}: not in any codebook of programme {programme.id!r}"
                        f"{did_you_mean(ref.id, programme.codes)}",
                    )


def status_problem(cmoc: Cmoc) -> str | None:
    """What is wrong with a CMOC's curated status given its evidence, or None when the two agree."""
    # Passages, not codings: a passage two coders coded is one excerpt.
    refuting = len({passage_key(e.record, e.lines) for e in cmoc.evidence if e.stance is Stance.REFUTES})
    backing = len({passage_key(e.record, e.lines) for e in cmoc.evidence if e.stance is not Stance.REFUTES})
    if cmoc.status in (Status.SUPPORTED, Status.REFINED) and not backing:
        found = f"only {refuting} refuting" if refuting else "no"
        return f"is {cmoc.status.value} but has {found} evidence; no excerpt supports or refines it"
    if cmoc.status is Status.REFUTED and not refuting:
        found = f"{backing} supporting or refining excerpt(s) and none" if backing else "no evidence and no excerpt"
        return f"is refuted but has {found} refuting it"
    if cmoc.status is Status.IMPORTED and cmoc.evidence:
        return (
            f"is still imported, but evidence has arrived ({backing} supporting or refining, {refuting} refuting);"
            " revisit its status: supported, refined or refuted?"
        )
    return None


def _check_status_evidence(theory: Theory, data: Any, shown: str, diagnostics: Diagnostics) -> None:
    """A curated status that the CMOC's own evidence does not bear out (a warning: people decide, cmo points)."""
    for index, cmoc in enumerate(theory.cmocs):
        problem = status_problem(cmoc)
        if problem is not None:
            at = locate(data, ("cmocs", index, "status")) or Mark(1, 1)
            diagnostics.add(
                shown, at.line, at.column, Rule.STATUS_EVIDENCE, f"CMOC {cmoc.id!r} {problem}", Severity.WARNING
            )


_PART_ROLES = {
    "context": ("context", "enablers", "barriers"),
    "mechanism": ("mechanism", "resource", "reasoning"),
    "outcome": ("outcome",),
}


def missing_parts(cmoc: Cmoc) -> list[str]:
    """Which of context, mechanism and outcome a CMOC has no code for (enablers and barriers are contexts)."""
    return [part for part in CMO_PARTS if not any(cmoc.codes.get(role) for role in _PART_ROLES[part])]  # type: ignore[call-overload]


def curated(cmoc: Cmoc) -> bool:
    """People have worked on it: a statement, confidence, notes, links, an import, or a status other than `new`."""
    worked = (cmoc.statement, cmoc.confidence, cmoc.notes, cmoc.links, cmoc.imported_from)
    return any(worked) or cmoc.status not in (None, Status.NEW)


def _check_completeness(theory: Theory, data: Any, shown: str, diagnostics: Diagnostics) -> None:
    """A CMOC people curated that lacks C, M or O: a partial theory, which a reader must be told about."""
    for index, cmoc in enumerate(theory.cmocs):
        missing = missing_parts(cmoc)
        if not curated(cmoc) or not missing:
            continue
        at = locate(data, ("cmocs", index, "id")) or Mark(1, 1)
        parts = " and ".join(missing) if len(missing) <= 2 else "context, mechanism and outcome"
        diagnostics.add(
            shown,
            at.line,
            at.column,
            Rule.CMOC_INCOMPLETE,
            f"CMOC {cmoc.id!r} is curated but has no {parts} coded yet; a configuration needs all three: "
            + (
                "code the missing part in the annotations where the evidence shows it"
                if cmoc.evidence
                else "give it the missing codes under `codes:`, as an initial programme theory states them"
            ),
            Severity.WARNING,
        )
