"""Semantic diff of two versions of a programme theory: what changed (cmo.theory.diff_model), for cmo.render.diff_text.

What counts as a change: CMOCs added or removed (by id) and, for one kept under its id, its codes, curated
fields (confidence too), completeness, evidence (by record id) and counts; fragment codes added or removed and
their evidence added or withdrawn; the programme's name, framework and attributes. Record ids come from the
passage's text, so a passage that only moved keeps its id and its new `lines` are no change; nor are the
order of CMOCs, codes, evidence or fragments, YAML comments and layout.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from pydantic import BaseModel

from cmo.corpus.identity import passage_of
from cmo.corpus.models import Programme, SourceType
from cmo.theory.diff_model import (
    Change,
    CmocDiff,
    CodeChanges,
    E,
    EvidenceChange,
    FragmentDiff,
    ProgrammeDiff,
    TheoryDiff,
    Value,
    ValueChange,
)
from cmo.theory.model import (
    CMO_PARTS,
    CODE_ROLES,
    CURATED_KEYS,
    Cmoc,
    CodeRef,
    Counts,
    EvidenceEntry,
    Fragment,
    FragmentRef,
    Theory,
)

_COUNT_FIELDS = tuple(name for name in Counts.model_fields if name != "by_source")
# Evidence is matched by record id; where the passage sits (`lines`) moves whenever text is added above it.
_EVIDENCE_FIELDS = tuple(name for name in EvidenceEntry.model_fields if name not in ("record", "lines"))
_REF_FIELDS = tuple(name for name in FragmentRef.model_fields if name not in ("record", "lines"))


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


def evidence_value(entry: EvidenceEntry | FragmentRef, name: str) -> Value:
    value = getattr(entry, name)
    if isinstance(value, list):
        return [str(v) for v in value]
    return value if value is None or isinstance(value, bool) else str(value)


def _evidence(
    old: Iterable[E], new: Iterable[E], fields: tuple[str, ...]
) -> tuple[tuple[E, ...], tuple[E, ...], tuple[EvidenceChange[E], ...]]:
    """Evidence added, withdrawn, changed (not only moved), matched by passage and coder (so a `.2` turning plain
    is no change), then by record id (so a corrected coder is a change)."""
    coding: Callable[[E], Hashable] = lambda e: (passage_of(e.record), getattr(e, "coder", None))  # noqa: E731
    before, after = _keyed(old, coding), _keyed(new, coding)
    pairs = [(before[k], entry) for k, entry in after.items() if k in before]
    by_id = _keyed((e for k, e in before.items() if k not in after), lambda e: e.record)
    rest = _keyed((e for k, e in after.items() if k not in before), lambda e: e.record)
    pairs += [(by_id[k], entry) for k, entry in rest.items() if k in by_id]
    order = {id(entry): index for index, entry in enumerate(after.values())}
    changed = []
    for was, entry in sorted(pairs, key=lambda pair: order[id(pair[1])]):
        changes = tuple(
            ValueChange(name, evidence_value(was, name), evidence_value(entry, name))
            for name in fields
            if getattr(was, name) != getattr(entry, name)
        )
        if changes:
            changed.append(EvidenceChange(entry.record, was, entry, changes))
    return (
        tuple(e for k, e in rest.items() if k not in by_id),
        tuple(e for k, e in by_id.items() if k not in rest),
        tuple(changed),
    )


def completeness(cmoc: Cmoc) -> list[str]:
    """The parts a CMOC has, in the order context, mechanism, outcome."""
    return [part for part in CMO_PARTS if part in cmoc.completeness]


def _value_change(name: str, old: Value, new: Value) -> ValueChange | None:
    return ValueChange(name, old, new) if old != new else None


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


def _change(old: object, new: object) -> Change:
    return Change.ADDED if old is None else Change.REMOVED if new is None else Change.CHANGED


def _diff_cmoc(old: Cmoc | None, new: Cmoc | None) -> CmocDiff:
    """One CMOC's changes; a CMOC absent on one side (None) is diffed against an empty CMOC of its id."""
    change, shown = _change(old, new), new or old
    assert shown is not None
    old, new = old or Cmoc(id=shown.id), new or Cmoc(id=shown.id)
    added, withdrawn, changed = _evidence(old.evidence, new.evidence, _EVIDENCE_FIELDS)
    return CmocDiff(
        id=shown.id,
        change=change,
        curated=_curated(old, new),
        codes=_codes(old, new),
        evidence_added=added,
        evidence_withdrawn=withdrawn,
        evidence_changed=changed,
        counts=_counts(old, new),
        completeness=_value_change("completeness", completeness(old), completeness(new)),
    )


def _diff_fragment(old: Fragment | None, new: Fragment | None) -> FragmentDiff:
    """One fragment code's changes; absent on one side (None), it is diffed against one with no evidence."""
    change, shown = _change(old, new), new or old
    assert shown is not None
    old, new = old or Fragment(code=shown.code, role=shown.role), new or Fragment(code=shown.code, role=shown.role)
    added, withdrawn, changed = _evidence(old.evidence, new.evidence, _REF_FIELDS)
    return FragmentDiff(
        role=shown.role,
        code=shown.code,
        change=change,
        label=_value_change("label", old.label, new.label),
        excerpts=_value_change("excerpts", old.excerpts, new.excerpts),
        evidence_added=added,
        evidence_withdrawn=withdrawn,
        evidence_changed=changed,
    )


D = TypeVar("D", CmocDiff, FragmentDiff)


def _diff_all(
    old: Iterable[T], new: Iterable[T], key: Callable[[T], K], diff: Callable[[T | None, T | None], D]
) -> tuple[D, ...]:
    """Items added or changed in the new order, then those removed in the old; unequal only in order is no change."""
    before, after = _keyed(old, key), _keyed(new, key)
    found = [diff(before.get(k), item) for k, item in after.items() if before.get(k) != item]
    found += [diff(item, None) for k, item in before.items() if k not in after]
    return tuple(d for d in found if d.change is not Change.CHANGED or not d.empty)


_FIELDS = ("id", "name", "framework")


def _diff_programme(old: Programme | None, new: Programme | None) -> ProgrammeDiff:
    sides = ((name, getattr(old, name) if old else None, getattr(new, name) if new else None) for name in _FIELDS)
    fields = [ValueChange(name, before, after) for name, before, after in sides if before != after]
    before_attrs, after_attrs = old.attributes if old else {}, new.attributes if new else {}
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
    cmocs = _diff_all(old.cmocs if old else [], new.cmocs if new else [], lambda c: c.id, _diff_cmoc)
    fragments = _diff_all(
        old.fragments if old else [], new.fragments if new else [], lambda f: (f.role, f.code), _diff_fragment
    )
    programme_changes = _diff_programme(old.programme if old else None, new.programme if new else None)
    if old is None and new is None:
        theory = Change.UNCHANGED
    elif old is None:
        theory = Change.ADDED
    elif new is None:
        theory = Change.REMOVED
    else:
        theory = Change.CHANGED if cmocs or fragments or not programme_changes.empty else Change.UNCHANGED
    return TheoryDiff(programme, theory, programme_changes, cmocs, fragments)


__all__ = [
    "Change",
    "CmocDiff",
    "CodeChanges",
    "EvidenceChange",
    "FragmentDiff",
    "ProgrammeDiff",
    "TheoryDiff",
    "Value",
    "ValueChange",
    "count_values",
    "curated_value",
    "diff_theories",
    "evidence_value",
]
