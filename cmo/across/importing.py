"""Import stage: carry CMOCs from one programme theory into another as hypotheses to test there."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cmo.across.matching import DEFAULT_THRESHOLD, CodeInfo, match_codes
from cmo.core.diagnostics import Diagnostics
from cmo.core.rules import Rule
from cmo.core.suggest import did_you_mean
from cmo.corpus.layout import Corpus
from cmo.theory.model import CMOC_KEY_ORDER, CODE_ROLES, Cmoc, Status, Theory, no_evidence
from cmo.yamlio.reader import dump_round_trip, load_round_trip
from cmo.yamlio.roundtrip import commented, set_in_order

# The codebook kind of the codes under each theory role, to find the receiving programme's candidates.
_ROLE_KIND = {
    "context": "context",
    "intervention": "intervention",
    "actor": "actor",
    "mechanism": "mechanism",
    "resource": "mechanism",
    "reasoning": "mechanism",
    "outcome": "outcome",
    "enablers": "context",
    "barriers": "context",
}


class ImportFailed(Exception):
    """An import that cannot be done; the diagnostics say why."""


def translations(
    source: Theory,
    target: Theory,
    codebooks: Mapping[str, Mapping[str, CodeInfo]],
    kinds: Mapping[str, Mapping[str, str]],
    threshold: float = DEFAULT_THRESHOLD,
) -> dict[str, dict[str, str]]:
    """role -> source code -> the target programme's code that means the same (same id, same_as or fuzzy)."""
    a, b = source.programme.id, target.programme.id
    result: dict[str, dict[str, str]] = {}
    for role in CODE_ROLES:
        used = sorted({ref.id for cmoc in source.cmocs for ref in cmoc.codes.get(role, [])})  # type: ignore[call-overload]
        if not used:
            continue
        wanted = _ROLE_KIND[role]
        candidates = sorted(code for code, kind in kinds.get(b, {}).items() if kind == wanted)
        if not candidates:  # no codebook for the target: fall back on what its theory uses in this role
            candidates = sorted({ref.id for cmoc in target.cmocs for ref in cmoc.codes.get(role, [])})  # type: ignore[call-overload]
        concepts = match_codes({a: used, b: candidates}, codebooks, threshold)
        result[role] = {c.codes[a]: c.codes[b] for c in concepts if a in c.codes and b in c.codes}
    return result


def _imported_id(cmoc: Cmoc, source: str, existing: Mapping[str, Any]) -> str:
    """The CMOC's own id, unless the target already has a CMOC of that id that did not come from here."""
    current = existing.get(cmoc.id)
    if current is None or _came_from(current, source, cmoc.id):
        return cmoc.id
    return f"{source}-{cmoc.id}"


def _came_from(cmoc: Any, programme: str, cmoc_id: str) -> bool:
    origin = cmoc.get("imported_from") or {}
    return bool(origin.get("programme") == programme and origin.get("cmoc") == cmoc_id)


def _chosen(source: Theory, selected: Sequence[str] | None, diagnostics: Diagnostics, shown: str) -> list[Cmoc]:
    """The source CMOCs to import: the selected ones (each once, in the order given), else all."""
    if not selected:
        return list(source.cmocs)
    known = {cmoc.id: cmoc for cmoc in source.cmocs}
    for cmoc_id in selected:
        if cmoc_id not in known:
            diagnostics.add(
                shown,
                1,
                1,
                Rule.UNKNOWN_CMOC,
                f"programme {source.programme.id!r} has no CMOC {cmoc_id!r}{did_you_mean(cmoc_id, known)}",
            )
    if diagnostics.errors:
        raise ImportFailed("unknown CMOC")
    return [known[cmoc_id] for cmoc_id in dict.fromkeys(selected)]


def _translated(
    cmoc: Cmoc, translate: Mapping[str, Mapping[str, str]], labels: Mapping[str, CodeInfo]
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """(the CMOC's codes in the target's codebook, the codes it has no equivalent for), by role."""
    codes: dict[str, list[dict[str, Any]]] = {}
    untranslated: dict[str, list[dict[str, Any]]] = {}
    for role, refs in cmoc.codes.items():
        for ref in refs:
            code = translate.get(role, {}).get(ref.id)
            if code is None:
                untranslated.setdefault(role, []).append({"id": ref.id, "label": ref.label})
            else:
                codes.setdefault(role, []).append({"id": code, "label": labels[code].label if code in labels else None})
    return codes, untranslated


def import_text(
    source: Theory,
    target: Theory,
    target_text: str,
    translate: Mapping[str, Mapping[str, str]],
    labels: Mapping[str, CodeInfo],
    selected: Sequence[str] | None,
    diagnostics: Diagnostics,
    shown: str,
) -> tuple[str, list[str]]:
    """The target theory's new text with the source's CMOCs imported, and the ids they have there."""
    chosen = _chosen(source, selected, diagnostics, shown)
    document = load_round_trip(target_text)
    if document.get("cmocs") is None:
        document["cmocs"] = commented([])
    cmocs = document["cmocs"]
    existing = {str(cmoc["id"]): cmoc for cmoc in cmocs}
    imported = []
    for cmoc in chosen:
        cmoc_id = _imported_id(cmoc, source.programme.id, existing)
        if cmoc_id in existing and not _came_from(existing[cmoc_id], source.programme.id, cmoc.id):
            diagnostics.add(
                shown,
                1,
                1,
                Rule.IMPORT_CLASH,
                f"{cmoc_id!r} is already a CMOC of {target.programme.id!r}; not imported",
            )
            continue
        codes, untranslated = _translated(cmoc, translate, labels)
        origin: dict[str, Any] = {"programme": source.programme.id, "cmoc": cmoc.id}
        if untranslated:
            origin["untranslated"] = untranslated
        imported.append(cmoc_id)
        current = existing.get(cmoc_id)
        if current is None:
            fresh: dict[str, Any] = {"id": cmoc_id}
            if cmoc.statement:
                fresh["statement"] = cmoc.statement
            fresh.update({"status": Status.IMPORTED.value, "imported_from": origin, "codes": codes, **no_evidence()})
            cmocs.append(commented(fresh))
            existing[cmoc_id] = cmocs[-1]
            continue
        # Re-import: where it came from and, while the target has no evidence of its own, its codes.
        set_in_order(current, "imported_from", origin, CMOC_KEY_ORDER)
        if not current.get("evidence"):
            set_in_order(current, "codes", codes, CMOC_KEY_ORDER)
    return dump_round_trip(document), imported


def code_kinds(corpus: Corpus | None) -> dict[str, dict[str, str]]:
    """Each programme's codes and their codebook kind, {programme: {code: kind}}, as `translations` takes them."""
    programmes = corpus.programmes.values() if corpus else []
    return {p.id: {code: declared.code.kind.value for code, declared in p.codes.items()} for p in programmes}
