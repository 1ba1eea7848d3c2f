"""Merge stage: CMO records -> one programme-theory file per programme, keeping everything people curated."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmo.coding import CodingResult
from cmo.corpus import DeclaredCode, ProgrammeSource, display_path
from cmo.curated import commented, remove_item, set_in_order, sync
from cmo.diagnostics import Diagnostic, Diagnostics, Severity
from cmo.models import Record, SourceType, Stance
from cmo.theory import CODE_ROLES, CURATED_KEYS, GENERATED_KEYS, Status, load_theory_bytes
from cmo.yamlio import dump_round_trip, load_round_trip

# Key order of a CMOC in the file: who it is, what people say of it, what the evidence says.
CMOC_KEY_ORDER = ("id", *CURATED_KEYS, *GENERATED_KEYS)
_ID_PART = 48
_HEADER = (
    "Programme theory of {name} ({id}), kept by `cmo merge`.\n"
    "Yours to curate: statement, status, notes and links on each CMOC (and any comment);\n"
    "merge never changes them. codes, counts, triangulated and evidence are regenerated\n"
    "from the annotations in the corpus on every merge."
)


def _code_key(record: Record) -> tuple[tuple[str, ...], ...]:
    """The exact set of codes that groups records without a `cmoc` into one configuration."""
    return tuple(
        tuple(sorted(getattr(record, role)))
        for role in ("context", "intervention", "actor", "resource", "reasoning", "mechanism", "outcome")
    )


def generated_id(record: Record) -> str:
    """A stable, readable id from a record's codes: context, mechanism and outcome, plus a short hash of all codes."""
    words = "-".join([*record.context, *record.mechanism, *record.outcome]) or "cmoc"
    if len(words) > _ID_PART:
        words = words[:_ID_PART].rsplit("-", 1)[0]
    digest = hashlib.sha1(repr(_code_key(record)).encode()).hexdigest()[:6]
    return f"{words}-{digest}"


def group_records(records: Iterable[Record]) -> dict[str, list[Record]]:
    """CMOC id -> its records: named by `cmoc`, else grouped by their exact codes."""
    groups: dict[str, list[Record]] = {}
    for record in records:
        groups.setdefault(record.cmoc or generated_id(record), []).append(record)
    return groups


def _evidence_order(record: Record) -> tuple[str, int, int]:
    return (record.path, record.line_start, record.annotation_line)


def _lines(record: Record) -> str:
    if record.line_start == record.line_end:
        return str(record.line_start)
    return f"{record.line_start}-{record.line_end}"


def generated_cmoc(records: Sequence[Record], codes: dict[str, DeclaredCode]) -> dict[str, Any]:
    """The generated part of one CMOC (codes, counts, triangulation, evidence) in file order."""
    ordered = sorted(records, key=_evidence_order)
    code_roles: dict[str, list[dict[str, Any]]] = {}
    for role in CODE_ROLES:
        ids = sorted({code for record in ordered for code in getattr(record, role)})
        if ids:
            code_roles[role] = [
                {"id": code, "label": codes[code].code.label if code in codes else None} for code in ids
            ]
    by_source = {source.value: 0 for source in SourceType}
    for record in ordered:
        by_source[record.source.value] += 1
    evidence = []
    for record in ordered:
        entry: dict[str, Any] = {
            "record": record.id,
            "transcript": record.transcript,
            "source": record.source.value,
            "lines": _lines(record),
            "quote": record.quote,
            "stance": record.stance.value,
        }
        if record.coder:
            entry["coder"] = record.coder
        if record.participants:
            entry["participants"] = [p.id for p in record.participants]
        evidence.append(entry)
    return {
        "codes": code_roles,
        "counts": {
            "excerpts": len(ordered),
            "transcripts": len({record.transcript for record in ordered}),
            "participants": len({p.id for record in ordered for p in record.participants}),
            "refuting": sum(1 for record in ordered if record.stance is Stance.REFUTES),
            "by_source": by_source,
        },
        "triangulated": sum(1 for count in by_source.values() if count) >= 2,
        "evidence": evidence,
    }


def no_evidence() -> dict[str, Any]:
    return {
        "counts": {
            "excerpts": 0,
            "transcripts": 0,
            "participants": 0,
            "refuting": 0,
            "by_source": {source.value: 0 for source in SourceType},
        },
        "triangulated": False,
        "evidence": [],
    }


def _programme_section(source: ProgrammeSource) -> dict[str, Any]:
    programme = source.programme
    assert programme is not None  # merge refuses to run on a corpus with errors
    section: dict[str, Any] = {"id": programme.id, "name": programme.name}
    if programme.framework is not None:
        section["framework"] = programme.framework
    if programme.attributes:
        section["attributes"] = dict(programme.attributes)
    return section


def _has_curated_content(cmoc: Any) -> bool:
    if any(cmoc.get(key) for key in ("statement", "notes", "links", "imported_from")):
        return True
    return cmoc.get("status") not in (None, Status.NEW.value)


# --- one programme ------------------------------------------------------------------------------


@dataclass
class MergeOutcome:
    """What merging one programme gives: the file, its new text, whether it changed, and warnings."""

    programme: str
    path: Path
    text: str | None
    changed: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)


def merge_text(
    existing: str | None,
    source: ProgrammeSource,
    records: Sequence[Record],
    shown: str,
    diagnostics: Diagnostics,
) -> str:
    """The new text of a programme's theory file, given its current text (None when there is none)."""
    groups = group_records(records)
    if existing is None:
        document = commented({"programme": _programme_section(source), "cmocs": []})
        programme = source.programme
        assert programme is not None
        document.yaml_set_start_comment(_HEADER.format(name=programme.name, id=programme.id))
    else:
        document = load_round_trip(existing)
        sync(document, "programme", _programme_section(source))
        if document.get("cmocs") is None:
            document["cmocs"] = commented([])
    cmocs = document["cmocs"]
    seen: set[str] = set()
    for index in reversed(range(len(cmocs))):
        cmoc = cmocs[index]
        cmoc_id = str(cmoc["id"])
        seen.add(cmoc_id)
        if cmoc_id in groups:
            for key, value in generated_cmoc(groups[cmoc_id], source.codes).items():
                set_in_order(cmoc, key, value, CMOC_KEY_ORDER)
        elif _has_curated_content(cmoc):
            had_evidence = bool(cmoc.get("evidence"))
            for key, value in no_evidence().items():
                set_in_order(cmoc, key, value, CMOC_KEY_ORDER)
            if had_evidence:
                diagnostics.add(
                    shown,
                    cmoc.lc.line + 1,
                    cmoc.lc.col + 1,
                    "cmoc-no-evidence",
                    f"CMOC {cmoc_id!r} has lost all its evidence; kept (evidence: []) because people curated it",
                    Severity.WARNING,
                )
        else:
            remove_item(cmocs, index)
    for cmoc_id in sorted(set(groups) - seen):
        cmocs.append(
            commented({"id": cmoc_id, "status": Status.NEW.value, **generated_cmoc(groups[cmoc_id], source.codes)})
        )
    return dump_round_trip(document)


def theory_path(theories: Path, programme: str) -> Path:
    return theories / f"{programme}.yaml"


def merge_corpus(result: CodingResult, theories: Path) -> list[MergeOutcome]:
    """Compute every selected programme's new theory text; nothing is written here."""
    outcomes = []
    programmes = result.corpus.programmes if result.corpus else {}
    by_programme: dict[str, list[Record]] = {programme: [] for programme in programmes}
    for record in result.records:
        by_programme[record.programme].append(record)
    for programme_id, source in programmes.items():
        path = theory_path(theories, programme_id)
        shown = display_path(path)
        diagnostics = Diagnostics()
        existing: str | None = None
        if path.exists():
            raw = path.read_bytes()
            theory, _ = load_theory_bytes(raw, shown, diagnostics)
            if theory is None:
                outcomes.append(MergeOutcome(programme_id, path, None, False, diagnostics.items))
                continue
            existing = raw.decode("utf-8-sig").replace("\r\n", "\n")  # decodes: load_theory_bytes checked it
        text = merge_text(existing, source, by_programme[programme_id], shown, diagnostics)
        outcomes.append(MergeOutcome(programme_id, path, text, text != existing, diagnostics.items))
    return outcomes
