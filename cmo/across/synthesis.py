"""Synthesise stage: an overarching theory across programmes, from their comparison; curated content kept."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from cmo.across.compare import Comparison
from cmo.core.diagnostics import Diagnostics, Severity
from cmo.core.rules import Rule
from cmo.theory.model import OVERARCHING_CURATED_KEYS, OVERARCHING_GENERATED_KEYS, Status
from cmo.yamlio.reader import dump_round_trip, load_round_trip
from cmo.yamlio.roundtrip import commented, remove_item, set_in_order, sync

CMOC_KEY_ORDER = ("id", *OVERARCHING_CURATED_KEYS, *OVERARCHING_GENERATED_KEYS)
TOP_KEY_ORDER = ("programmes", "concepts", "cmocs", "context_specific")
_ID_PART = 48
_HEADER = (
    "Overarching programme theory across {programmes}, kept by `cmo synthesise`.\n"
    "Yours to curate: statement, status, notes and links on each CMOC (and any comment).\n"
    "concepts, cmocs' kind / mechanism / outcome / programmes, and context_specific are\n"
    "regenerated from the programme theories on every run."
)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _cmoc_id(kind: str, mechanism: list[str], outcome: list[str]) -> str:
    words = _slug(" ".join(mechanism + outcome)) or "cmoc"
    if len(words) > _ID_PART:
        words = words[:_ID_PART].rsplit("-", 1)[0]
    digest = hashlib.sha1(repr((kind, mechanism, outcome)).encode()).hexdigest()[:6]
    return f"{words}-{digest}"


def generated(comparison: Comparison) -> dict[str, Any]:
    """The generated content of the overarching theory, in file order."""
    every = len(comparison.programmes)
    concepts: dict[str, list[dict[str, Any]]] = {}
    for role, role_concepts in comparison.codes.items():
        shared = []
        for concept in role_concepts:
            if len(concept.codes) == every and concept.match is not None:
                entry: dict[str, Any] = {
                    "label": next(iter(concept.labels.values())),
                    "codes": dict(concept.codes),
                    "match": concept.match.value,
                }
                if concept.match.value == "fuzzy":
                    entry["score"] = round(concept.score or 0.0, 1)
                shared.append(entry)
        if shared:
            concepts[role] = shared
    cmocs: dict[str, dict[str, Any]] = {}
    for pairing in comparison.cmocs:
        if pairing.kind == "one-programme":
            continue
        cmoc_id = _cmoc_id(pairing.kind, pairing.mechanism, pairing.outcome)
        entry = cmocs.setdefault(
            cmoc_id,
            {"kind": pairing.kind, "mechanism": pairing.mechanism, "outcome": pairing.outcome, "programmes": {}},
        )
        for programme, cmoc in pairing.cmocs.items():
            side = entry["programmes"].setdefault(programme, {"cmocs": [], "excerpts": 0})
            if cmoc not in side["cmocs"]:
                side["cmocs"].append(cmoc)
                side["excerpts"] += pairing.excerpts[programme]
    order = {p: i for i, p in enumerate(comparison.programmes)}
    for entry in cmocs.values():
        entry["programmes"] = {
            p: {"cmocs": sorted(side["cmocs"]), "excerpts": side["excerpts"]}
            for p, side in sorted(entry["programmes"].items(), key=lambda item: order[item[0]])
        }
    specific: dict[str, dict[str, Any]] = {}
    for programme in comparison.programmes:
        own = {
            role: [next(iter(c.labels.values())) for c in role_concepts if list(c.codes) == [programme]]
            for role, role_concepts in comparison.codes.items()
        }
        specific[programme] = {
            "cmocs": sorted(
                p.cmocs[programme] for p in comparison.cmocs if p.kind == "one-programme" and programme in p.cmocs
            ),
            "concepts": {role: labels for role, labels in own.items() if labels},
        }
    return {
        "programmes": list(comparison.programmes),
        "concepts": concepts,
        "cmocs": dict(sorted(cmocs.items(), key=lambda item: (item[1]["kind"] != "converged", item[0]))),
        "context_specific": specific,
    }


def _has_curated_content(cmoc: Any) -> bool:
    if any(cmoc.get(key) for key in ("statement", "notes", "links")):
        return True
    return cmoc.get("status") not in (None, Status.NEW.value)


def synthesis_text(existing: str | None, comparison: Comparison, shown: str, diagnostics: Diagnostics) -> str:
    """The overarching theory's new text, given its current text (None when there is none)."""
    content = generated(comparison)
    fresh = content.pop("cmocs")
    if existing is None:
        document = commented({**content, "cmocs": []})
        document.yaml_set_start_comment(_HEADER.format(programmes=", ".join(comparison.programmes)))
    else:
        document = load_round_trip(existing)
        for key, value in content.items():
            set_in_order(document, key, value, TOP_KEY_ORDER)
        if document.get("cmocs") is None:
            set_in_order(document, "cmocs", [], TOP_KEY_ORDER)
    cmocs = document["cmocs"]
    seen: set[str] = set()
    for index in reversed(range(len(cmocs))):
        cmoc = cmocs[index]
        cmoc_id = str(cmoc["id"])
        seen.add(cmoc_id)
        if cmoc_id in fresh:
            for key, value in fresh[cmoc_id].items():
                set_in_order(cmoc, key, value, CMOC_KEY_ORDER)
        elif _has_curated_content(cmoc):
            if cmoc.get("programmes"):
                sync(cmoc, "programmes", {})
                diagnostics.add(
                    shown,
                    cmoc.lc.line + 1,
                    cmoc.lc.col + 1,
                    Rule.CMOC_NO_EVIDENCE,
                    f"overarching CMOC {cmoc_id!r} no longer converges across the programmes; kept because people curated it",
                    Severity.WARNING,
                )
        else:
            remove_item(cmocs, index)
    for cmoc_id, entry in fresh.items():
        if cmoc_id not in seen:
            cmocs.append(commented({"id": cmoc_id, "status": Status.NEW.value, **entry}))
    return dump_round_trip(document)
