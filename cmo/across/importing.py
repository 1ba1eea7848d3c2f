"""Import stage: carry CMOCs from one programme theory into another as hypotheses to test there."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cmo.across.matching import DEFAULT_THRESHOLD, CodeInfo, Match, match_role
from cmo.core.diagnostics import Diagnostics, Severity
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
# The roles that make up the configuration's claim (in context C, mechanism M produces outcome O, helped by
# enablers, blocked by barriers): a CMOC that loses one of them in translation is a different, weaker claim.
# The intervention and its actors are the programme's own and are expected to differ from one programme to the next.
DEFINING_ROLES = ("context", "mechanism", "resource", "reasoning", "outcome", "enablers", "barriers")


class ImportFailed(Exception):
    """An import that cannot be done; the diagnostics say why."""


@dataclass(frozen=True)
class Translation:
    """One source code in the target programme: the target's code for it and how the two were matched (or None)."""

    role: str
    source: str
    target: str | None = None
    match: Match | None = None
    score: float | None = None

    @property
    def confirmed(self) -> bool:
        """True for the same id or a `same_as` a codebook declares; a fuzzy translation is a guess."""
        return self.match in (Match.SAME_ID, Match.SAME_AS)

    def explain(self, programme: str) -> str:
        """`peer-mentors -> volunteers (fuzzy 82, unconfirmed)`; `programme` is the target, named when there is none."""
        if self.target is None or self.match is None:
            return f"{self.source} -> no equivalent in {programme} (untranslated)"
        how = f"fuzzy {self.score:.0f}, unconfirmed" if self.match is Match.FUZZY else self.match.value
        return f"{self.source} -> {self.target} ({how})"


Translations = dict[str, dict[str, Translation]]  # role -> source code -> its translation


class Outcome(StrEnum):
    """What an import did (or, with --dry-run, would do) to one CMOC of the target theory."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "not imported"


@dataclass
class ImportedCmoc:
    """One source CMOC's import: its id in the target, what happened to it, and each of its codes' fate."""

    source: str
    id: str
    outcome: Outcome
    codes: list[Translation] = field(default_factory=list)  # in the CMOC's order, the untranslated with no target

    @property
    def defining_untranslated(self) -> dict[str, list[str]]:
        """role -> the codes of the configuration's claim that have no equivalent in the target."""
        missing: dict[str, list[str]] = {}
        for code in self.codes:
            if code.target is None and code.role in DEFINING_ROLES:
                missing.setdefault(code.role, []).append(code.source)
        return missing


@dataclass
class ImportResult:
    """The target theory's new text and what the import did to each CMOC it was asked for."""

    text: str
    cmocs: list[ImportedCmoc]

    @property
    def imported(self) -> list[ImportedCmoc]:
        return [c for c in self.cmocs if c.outcome is not Outcome.REFUSED]


def translations(
    source: Theory,
    target: Theory,
    codebooks: Mapping[str, Mapping[str, CodeInfo]],
    kinds: Mapping[str, Mapping[str, str]],
    threshold: float = DEFAULT_THRESHOLD,
) -> Translations:
    """role -> source code -> the target's code for it: confirmed (same id, same_as) first, else the best candidate."""
    a, b = source.programme.id, target.programme.id
    result: Translations = {}
    for role in CODE_ROLES:
        used = sorted({ref.id for cmoc in source.cmocs for ref in cmoc.codes.get(role, [])})  # type: ignore[call-overload]
        if not used:
            continue
        wanted = _ROLE_KIND[role]
        candidates = sorted(code for code, kind in kinds.get(b, {}).items() if kind == wanted)
        if not candidates:  # no codebook for the target: fall back on what its theory uses in this role
            candidates = sorted({ref.id for cmoc in target.cmocs for ref in cmoc.codes.get(role, [])})  # type: ignore[call-overload]
        matching = match_role({a: used, b: candidates}, codebooks, threshold, role)
        found: dict[str, Translation] = {}
        for concept in matching.concepts:
            if a in concept.codes and b in concept.codes and concept.match is not None:
                found[concept.codes[a]] = Translation(role, concept.codes[a], concept.codes[b], concept.match)
        for candidate in matching.candidates:  # best first: a code keeps its best-scoring guess
            code, there = candidate.codes.get(a), candidate.codes.get(b)
            if code is not None and there is not None and code not in found:
                found[code] = Translation(role, code, there, Match.FUZZY, candidate.score)
        result[role] = found
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


@dataclass
class _Translated:
    """A CMOC's codes in the target's codebook, and its origin record (untranslated and unconfirmed codes)."""

    codes: dict[str, list[dict[str, Any]]]
    origin: dict[str, Any]
    report: ImportedCmoc


def _translated(
    cmoc: Cmoc, programme: str, translate: Translations, labels: Mapping[str, CodeInfo], cmoc_id: str
) -> _Translated:
    codes: dict[str, list[dict[str, Any]]] = {}
    untranslated: dict[str, list[dict[str, Any]]] = {}
    unconfirmed: dict[str, list[dict[str, Any]]] = {}
    report = ImportedCmoc(cmoc.id, cmoc_id, Outcome.UNCHANGED)
    for role, refs in cmoc.codes.items():
        for ref in refs:
            found = translate.get(role, {}).get(ref.id) or Translation(role, ref.id)
            report.codes.append(found)
            if found.target is None:
                untranslated.setdefault(role, []).append({"id": ref.id, "label": ref.label})
                continue
            if found.target not in {code["id"] for code in codes.get(role, [])}:
                label = labels[found.target].label if found.target in labels else None
                codes.setdefault(role, []).append({"id": found.target, "label": label})
            if not found.confirmed:
                guess = {"id": ref.id, "label": ref.label, "to": found.target, "score": found.score}
                unconfirmed.setdefault(role, []).append(guess)
    origin: dict[str, Any] = {"programme": programme, "cmoc": cmoc.id}
    if untranslated:
        origin["untranslated"] = untranslated
    if unconfirmed:
        origin["unconfirmed"] = unconfirmed
    return _Translated(codes, origin, report)


def _refusal(cmoc: ImportedCmoc, target: str, allow_partial: bool) -> str:
    """The message of `import-untranslatable` for a CMOC that lost part of its configuration in translation."""
    missing = "; ".join(f"{role} {', '.join(codes)}" for role, codes in cmoc.defining_untranslated.items())
    if allow_partial:
        return (
            f"CMOC {cmoc.source!r} imported without part of its configuration ({missing}: no equivalent in "
            f"{target!r}); kept under imported_from.untranslated, so it tests less than it claims"
        )
    return (
        f"CMOC {cmoc.source!r} not imported: part of its configuration has no equivalent in {target!r} ({missing}); "
        f"declare the code in {target}'s codebook or link an equivalent (`cmo codebook link`), "
        "or import with --allow-partial"
    )


def _plain(node: Any) -> Any:
    return json.loads(json.dumps(node, default=str))


def import_text(
    source: Theory,
    target: Theory,
    target_text: str,
    translate: Translations,
    labels: Mapping[str, CodeInfo],
    selected: Sequence[str] | None,
    diagnostics: Diagnostics,
    shown: str,
    allow_partial: bool = False,
) -> ImportResult:
    """The target theory's new text with the source's CMOCs imported, and what became of each of them."""
    chosen = _chosen(source, selected, diagnostics, shown)
    document = load_round_trip(target_text)
    if document.get("cmocs") is None:
        document["cmocs"] = commented([])
    cmocs = document["cmocs"]
    existing = {str(cmoc["id"]): cmoc for cmoc in cmocs}
    reports = []
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
        done = _translated(cmoc, source.programme.id, translate, labels, cmoc_id)
        reports.append(done.report)
        if done.report.defining_untranslated:
            severity = Severity.WARNING if allow_partial else Severity.ERROR
            message = _refusal(done.report, target.programme.id, allow_partial)
            diagnostics.add(shown, 1, 1, Rule.IMPORT_UNTRANSLATABLE, message, severity)
            if not allow_partial:
                done.report.outcome = Outcome.REFUSED
                continue
        done.report.outcome = _apply(cmoc, done, cmocs, existing)
    return ImportResult(dump_round_trip(document), reports)


def _apply(cmoc: Cmoc, done: _Translated, cmocs: Any, existing: dict[str, Any]) -> Outcome:
    """Write one translated CMOC into the target's CMOCs: a new one, or a refresh that keeps what people curated."""
    current = existing.get(done.report.id)
    if current is None:
        fresh: dict[str, Any] = {"id": done.report.id}
        if cmoc.statement:
            fresh["statement"] = cmoc.statement
        fresh.update(
            {"status": Status.IMPORTED.value, "imported_from": done.origin, "codes": done.codes, **no_evidence()}
        )
        cmocs.append(commented(fresh))
        existing[done.report.id] = cmocs[-1]
        return Outcome.ADDED
    # Re-import: where it came from and, while the target has no evidence of its own, its codes.
    before = _plain({"imported_from": current.get("imported_from"), "codes": current.get("codes")})
    if _plain(current.get("imported_from")) != _plain(done.origin):
        set_in_order(current, "imported_from", done.origin, CMOC_KEY_ORDER)
    if not current.get("evidence") and _plain(current.get("codes")) != _plain(done.codes):
        set_in_order(current, "codes", done.codes, CMOC_KEY_ORDER)
    after = _plain({"imported_from": current.get("imported_from"), "codes": current.get("codes")})
    return Outcome.UNCHANGED if after == before else Outcome.UPDATED


def report_lines(result: ImportResult, source: str, target: str, *, dry_run: bool) -> list[str]:
    """What the import did (or would do), CMOC by CMOC: every code's translation and every code left behind."""
    lines = []
    for cmoc in result.cmocs:
        outcome = cmoc.outcome.value
        if dry_run and cmoc.outcome in (Outcome.ADDED, Outcome.UPDATED):
            outcome = f"would be {outcome}"
        named = cmoc.source if cmoc.id == cmoc.source else f"{cmoc.source} (as {cmoc.id})"
        lines.append(f"{named}: {outcome}")
        for code in cmoc.codes:
            lines.append(f"  {code.role}: {code.explain(target)}")
            if code.match is Match.FUZZY:
                lines.append(f"    to confirm: cmo codebook link {source}:{code.source} {target}:{code.target}")
    return lines


def code_kinds(corpus: Corpus | None) -> dict[str, dict[str, str]]:
    """Each programme's codes and their codebook kind, {programme: {code: kind}}, as `translations` takes them."""
    programmes = corpus.programmes.values() if corpus else []
    return {p.id: {code: declared.code.kind.value for code, declared in p.codes.items()} for p in programmes}
