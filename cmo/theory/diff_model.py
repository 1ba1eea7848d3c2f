"""What a theory diff says, as data: CMOCs, codes, evidence, fragments and the programme, each changed or not."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from cmo.theory.model import CodeRef, EvidenceEntry, FragmentRef

Value = str | int | bool | list[str] | dict[str, str] | None
E = TypeVar("E", EvidenceEntry, FragmentRef)


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
class EvidenceChange(Generic[E]):
    """Evidence kept under its record id whose quote, stance or other fields (not only its lines) changed."""

    record: str
    old: E
    new: E
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
    evidence_changed: tuple[EvidenceChange[EvidenceEntry], ...] = ()
    counts: tuple[ValueChange, ...] = ()
    completeness: ValueChange | None = None  # the parts (context, mechanism, outcome) before -> after

    @property
    def empty(self) -> bool:
        found = (self.curated, self.completeness, self.codes, self.counts)
        return not any((*found, self.evidence_added, self.evidence_withdrawn, self.evidence_changed))

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "change": str(self.change),
            "curated": {c.name: c.to_dict() for c in self.curated},
            "completeness": self.completeness.to_dict() if self.completeness else None,
            "codes": {c.role: c.to_dict() for c in self.codes},
            "evidence": {
                "added": [e.model_dump(mode="json") for e in self.evidence_added],
                "withdrawn": [e.model_dump(mode="json") for e in self.evidence_withdrawn],
                "changed": [e.to_dict() for e in self.evidence_changed],
            },
            "counts": {c.name: c.to_dict() for c in self.counts},
        }


@dataclass(frozen=True)
class FragmentDiff:
    """What changed in the fragment of one code (by role and code id); an added one is diffed against none."""

    role: str
    code: str
    change: Change
    label: ValueChange | None = None
    excerpts: ValueChange | None = None
    evidence_added: tuple[FragmentRef, ...] = ()
    evidence_withdrawn: tuple[FragmentRef, ...] = ()
    evidence_changed: tuple[EvidenceChange[FragmentRef], ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.label or self.excerpts or self.evidence_added or self.evidence_withdrawn or self.evidence_changed
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "role": self.role,
            "code": self.code,
            "change": str(self.change),
            "label": self.label.to_dict() if self.label else None,
            "excerpts": self.excerpts.to_dict() if self.excerpts else None,
            "evidence": {
                "added": [e.model_dump(mode="json") for e in self.evidence_added],
                "withdrawn": [e.model_dump(mode="json") for e in self.evidence_withdrawn],
                "changed": [e.to_dict() for e in self.evidence_changed],
            },
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
    fragments: tuple[FragmentDiff, ...] = ()  # the same order: the new file's, then removed ones

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
        if self.fragments:
            kinds = [sum(f.change is c for f in self.fragments) for c in (Change.ADDED, Change.CHANGED, Change.REMOVED)]
            text += f"; fragments: {kinds[0]} code{'' if kinds[0] == 1 else 's'} added, {kinds[1]} changed, "
            text += f"{kinds[2]} removed"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "programme": self.programme,
            "theory": str(self.theory),
            "summary": {"added": len(self.added), "changed": len(self.changed), "removed": len(self.removed)},
            "programme_changes": self.programme_changes.to_dict(),
            "cmocs": [c.to_dict() for c in self.cmocs],
            "fragments": [f.to_dict() for f in self.fragments],
        }
