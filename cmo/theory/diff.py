"""Semantic diff of two versions of a programme theory: what changed, as data (rendered by cmo.render.diff_text).

What counts as a change: CMOCs added or removed (by id), and for a CMOC kept under its id its
codes, curated fields, evidence (by record id) and counts; the programme's name, framework and
attributes. Order (of CMOCs, codes, evidence), YAML comments and layout are not changes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel

from cmo.corpus.models import Programme, SourceType
from cmo.theory.model import CODE_ROLES, CURATED_KEYS, Cmoc, CodeRef, Counts, EvidenceEntry, Theory

Value = str | int | bool | list[str] | dict[str, str] | None

_COUNT_FIELDS = ("excerpts", "transcripts", "participants", "refuting")
_EVIDENCE_FIELDS = tuple(name for name in EvidenceEntry.model_fields if name != "record")


class Change(StrEnum):
    """What happened to a theory or to one of its CMOCs."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ValueChange:
    """One value before -> after; None on a side means the value is absent there."""

    name: str
    old: Value
    new: Value

    def to_dict(self) -> dict[str, Value]:
        return {"old": self.old, "new": self.new}


@dataclass(frozen=True)
class CodeChanges:
    """How the codes of one role (context, mechanism, outcome, ...) of a CMOC moved."""

    role: str
    added: tuple[CodeRef, ...] = ()
    removed: tuple[CodeRef, ...] = ()
    relabelled: tuple[ValueChange, ...] = ()  # name: the code id; old/new: its labels

    def to_dict(self) -> dict[str, object]:
        return {
            "added": [code.model_dump(mode="json") for code in self.added],
            "removed": [code.model_dump(mode="json") for code in self.removed],
            "relabelled": [{"id": c.name, "old": c.old, "new": c.new} for c in self.relabelled],
        }


@dataclass(frozen=True)
class EvidenceChange:
    """An evidence entry kept under its record id whose quote, lines, stance or other fields changed."""

    record: str
    old: EvidenceEntry
    new: EvidenceEntry
    changes: tuple[ValueChange, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "record": self.record,
            "changes": {c.name: c.to_dict() for c in self.changes},
            "old": self.old.model_dump(mode="json"),
            "new": self.new.model_dump(mode="json"),
        }


@dataclass(frozen=True)
class CmocDiff:
    """What changed in one CMOC; an added (removed) one is diffed against an empty CMOC of its id."""

    id: str
    change: Change
    curated: tuple[ValueChange, ...] = ()
    codes: tuple[CodeChanges, ...] = ()
    evidence_added: tuple[EvidenceEntry, ...] = ()
    evidence_withdrawn: tuple[EvidenceEntry, ...] = ()
    evidence_changed: tuple[EvidenceChange, ...] = ()
    counts: tuple[ValueChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.curated
            or self.codes
            or self.evidence_added
            or self.evidence_withdrawn
            or self.evidence_changed
            or self.counts
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "change": str(self.change),
            "curated": {c.name: c.to_dict() for c in self.curated},
            "codes": {c.role: c.to_dict() for c in self.codes},
            "evidence": {
                "added": [e.model_dump(mode="json") for e in self.evidence_added],
                "withdrawn": [e.model_dump(mode="json") for e in self.evidence_withdrawn],
                "changed": [e.to_dict() for e in self.evidence_changed],
            },
            "counts": {c.name: c.to_dict() for c in self.counts},
        }


@dataclass(frozen=True)
class ProgrammeDiff:
    """Changes to the programme's description: id, name, framework, and attributes by key."""

    fields: tuple[ValueChange, ...] = ()
    attributes: tuple[ValueChange, ...] = ()  # old None: added; new None: removed

    @property
    def empty(self) -> bool:
        return not self.fields and not self.attributes

    def to_dict(self) -> dict[str, object]:
        return {
            "fields": {c.name: c.to_dict() for c in self.fields},
            "attributes": {
                "added": {c.name: c.new for c in self.attributes if c.old is None},
                "removed": {c.name: c.old for c in self.attributes if c.new is None},
                "changed": {c.name: c.to_dict() for c in self.attributes if None not in (c.old, c.new)},
            },
        }


@dataclass(frozen=True)
class TheoryDiff:
    """The semantic difference between two versions of one programme-theory file."""

    programme: str | None  # the programme id (of the new version when there is one)
    theory: Change
    programme_changes: ProgrammeDiff = field(default_factory=ProgrammeDiff)
    cmocs: tuple[CmocDiff, ...] = ()  # new file's order, then removed ones in the old file's order

    @property
    def added(self) -> tuple[CmocDiff, ...]:
        return tuple(c for c in self.cmocs if c.change is Change.ADDED)

    @property
    def removed(self) -> tuple[CmocDiff, ...]:
        return tuple(c for c in self.cmocs if c.change is Change.REMOVED)

    @property
    def changed(self) -> tuple[CmocDiff, ...]:
        return tuple(c for c in self.cmocs if c.change is Change.CHANGED)

    @property
    def empty(self) -> bool:
        return self.theory is Change.UNCHANGED

    def summary(self) -> str:
        """`2 CMOCs added, 1 changed, 0 removed` (and whether the programme description changed)."""
        added = len(self.added)
        text = (
            f"{added} CMOC{'' if added == 1 else 's'} added, {len(self.changed)} changed, {len(self.removed)} removed"
        )
        if not self.programme_changes.empty and self.theory is Change.CHANGED:
            text += "; programme description changed"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "programme": self.programme,
            "theory": str(self.theory),
            "summary": {"added": len(self.added), "changed": len(self.changed), "removed": len(self.removed)},
            "programme_changes": self.programme_changes.to_dict(),
            "cmocs": [c.to_dict() for c in self.cmocs],
        }


# --- the diff --------------------------------------------------------------------------------

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


def _keyed(items: Iterable[T], key: Callable[[T], K]) -> dict[tuple[K, int], T]:
    """Items by (key, occurrence): an id written twice is diffed occurrence by occurrence, never dropped."""
    seen: dict[K, int] = {}
    result: dict[tuple[K, int], T] = {}
    for item in items:
        k = key(item)
        result[(k, seen.get(k, 0))] = item
        seen[k] = seen.get(k, 0) + 1
    return result


def curated_value(cmoc: Cmoc, name: str) -> Value:
    value = getattr(cmoc, name)
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, BaseModel):  # imported_from: its codes without equivalent shown by id, per role
        shown = {}
        for key, item in value.model_dump(mode="json", exclude_defaults=True).items():
            if isinstance(item, dict):
                item = "; ".join(f"{role}: {', '.join(ref['id'] for ref in refs)}" for role, refs in item.items())
            shown[key] = str(item)
        return shown
    return None if value is None else str(value)


def _curated(old: Cmoc, new: Cmoc) -> tuple[ValueChange, ...]:
    changes = []
    for name in CURATED_KEYS:
        before, after = curated_value(old, name), curated_value(new, name)
        # An empty list of links is no links: not worth a line.
        if before != after and (before or after):
            changes.append(ValueChange(name, before, after))
    return tuple(changes)


def codes_by_role(cmoc: Cmoc) -> dict[str, list[CodeRef]]:
    return {str(role): codes for role, codes in cmoc.codes.items()}


def roles(*codes: dict[str, list[CodeRef]]) -> list[str]:
    """Roles present in any of `codes`, in the order context, intervention, actor, mechanism, ..."""
    present = {role for by_role in codes for role in by_role}
    return [r for r in CODE_ROLES if r in present] + sorted(present - set(CODE_ROLES))


def _codes(old: Cmoc, new: Cmoc) -> tuple[CodeChanges, ...]:
    result = []
    old_codes, new_codes = codes_by_role(old), codes_by_role(new)
    for role in roles(old_codes, new_codes):
        before = _keyed(old_codes.get(role, []), lambda c: c.id)
        after = _keyed(new_codes.get(role, []), lambda c: c.id)
        added = tuple(code for k, code in after.items() if k not in before)
        removed = tuple(code for k, code in before.items() if k not in after)
        relabelled = tuple(
            ValueChange(code.id, before[k].label, code.label)
            for k, code in after.items()
            if k in before and before[k].label != code.label
        )
        if added or removed or relabelled:
            result.append(CodeChanges(role, added, removed, relabelled))
    return tuple(result)


def evidence_value(entry: EvidenceEntry, name: str) -> Value:
    value = getattr(entry, name)
    if isinstance(value, list):
        return [str(v) for v in value]
    return None if value is None else str(value)


def _evidence(
    old: Cmoc, new: Cmoc
) -> tuple[tuple[EvidenceEntry, ...], tuple[EvidenceEntry, ...], tuple[EvidenceChange, ...]]:
    before = _keyed(old.evidence, lambda e: e.record)
    after = _keyed(new.evidence, lambda e: e.record)
    added = tuple(entry for k, entry in after.items() if k not in before)
    withdrawn = tuple(entry for k, entry in before.items() if k not in after)
    changed = []
    for k, entry in after.items():
        if k in before and before[k] != entry:
            changes = tuple(
                ValueChange(name, evidence_value(before[k], name), evidence_value(entry, name))
                for name in _EVIDENCE_FIELDS
                if getattr(before[k], name) != getattr(entry, name)
            )
            changed.append(EvidenceChange(entry.record, before[k], entry, changes))
    return added, withdrawn, tuple(changed)


def count_values(counts: Counts, triangulated: bool) -> dict[str, int | bool]:
    values: dict[str, int | bool] = {name: getattr(counts, name) for name in _COUNT_FIELDS}
    # A source type missing from by_source has no evidence: the same as 0.
    values.update({f"by_source.{s}": counts.by_source.get(s, 0) for s in SourceType})
    values["triangulated"] = triangulated
    return values


def _counts(old: Cmoc, new: Cmoc) -> tuple[ValueChange, ...]:
    before = count_values(old.counts, old.triangulated)
    after = count_values(new.counts, new.triangulated)
    return tuple(ValueChange(name, before[name], after[name]) for name in before if before[name] != after[name])


def _diff_cmoc(old: Cmoc, new: Cmoc, change: Change) -> CmocDiff:
    added, withdrawn, changed = _evidence(old, new)
    return CmocDiff(
        id=new.id if change is not Change.REMOVED else old.id,
        change=change,
        curated=_curated(old, new),
        codes=_codes(old, new),
        evidence_added=added,
        evidence_withdrawn=withdrawn,
        evidence_changed=changed,
        counts=_counts(old, new),
    )


def _diff_programme(old: Programme | None, new: Programme | None) -> ProgrammeDiff:
    fields = []
    for name in ("id", "name", "framework"):
        before = getattr(old, name) if old else None
        after = getattr(new, name) if new else None
        if before != after:
            fields.append(ValueChange(name, before, after))
    before_attrs = old.attributes if old else {}
    after_attrs = new.attributes if new else {}
    attributes = [
        ValueChange(key, before_attrs.get(key), value)
        for key, value in after_attrs.items()
        if before_attrs.get(key) != value
    ]
    attributes += [ValueChange(key, value, None) for key, value in before_attrs.items() if key not in after_attrs]
    return ProgrammeDiff(tuple(fields), tuple(attributes))


def diff_theories(old: Theory | None, new: Theory | None) -> TheoryDiff:
    """What changed from `old` to `new`; None is a theory file that does not exist (yet, or any more)."""
    programme = new.programme.id if new else old.programme.id if old else None
    before = _keyed(old.cmocs if old else [], lambda c: c.id)
    after = _keyed(new.cmocs if new else [], lambda c: c.id)
    cmocs = []
    for k, cmoc in after.items():
        if k not in before:
            cmocs.append(_diff_cmoc(Cmoc(id=cmoc.id), cmoc, Change.ADDED))
        elif before[k] != cmoc:
            found = _diff_cmoc(before[k], cmoc, Change.CHANGED)
            if not found.empty:  # unequal only in order: not a change
                cmocs.append(found)
    cmocs += [_diff_cmoc(cmoc, Cmoc(id=cmoc.id), Change.REMOVED) for k, cmoc in before.items() if k not in after]
    programme_changes = _diff_programme(old.programme if old else None, new.programme if new else None)
    if old is None and new is None:
        theory = Change.UNCHANGED
    elif old is None:
        theory = Change.ADDED
    elif new is None:
        theory = Change.REMOVED
    else:
        theory = Change.CHANGED if cmocs or not programme_changes.empty else Change.UNCHANGED
    return TheoryDiff(programme, theory, programme_changes, tuple(cmocs))
