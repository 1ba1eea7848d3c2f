"""Semantic diff of two versions of a programme theory, and its text, Markdown, JSON and textconv forms.

What counts as a change: CMOCs added or removed (by id), and for a CMOC kept under its id its
codes, curated fields, evidence (by record id) and counts; the programme's name, framework and
attributes. Order (of CMOCs, codes, evidence), YAML comments and layout are not changes.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel

from cmo.core.diagnostics import Diagnostics
from cmo.corpus.models import Programme, SourceType
from cmo.theory.model import CODE_ROLES, CURATED_KEYS, Cmoc, CodeRef, Counts, EvidenceEntry, Theory
from cmo.theory.model import load_theory_bytes as theory_from_bytes

Value = str | int | bool | list[str] | dict[str, str] | None

# Curated fields shown as free text (a line of their own per side) rather than `old -> new`.
_PROSE = ("statement", "notes")
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


def _curated_value(cmoc: Cmoc, name: str) -> Value:
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
        before, after = _curated_value(old, name), _curated_value(new, name)
        # An empty list of links is no links: not worth a line.
        if before != after and (before or after):
            changes.append(ValueChange(name, before, after))
    return tuple(changes)


def _codes_by_role(cmoc: Cmoc) -> dict[str, list[CodeRef]]:
    return {str(role): codes for role, codes in cmoc.codes.items()}


def _roles(*codes: dict[str, list[CodeRef]]) -> list[str]:
    """Roles present in any of `codes`, in the order context, intervention, actor, mechanism, ..."""
    present = {role for by_role in codes for role in by_role}
    return [r for r in CODE_ROLES if r in present] + sorted(present - set(CODE_ROLES))


def _codes(old: Cmoc, new: Cmoc) -> tuple[CodeChanges, ...]:
    result = []
    old_codes, new_codes = _codes_by_role(old), _codes_by_role(new)
    for role in _roles(old_codes, new_codes):
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


def _evidence_value(entry: EvidenceEntry, name: str) -> Value:
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
                ValueChange(name, _evidence_value(before[k], name), _evidence_value(entry, name))
                for name in _EVIDENCE_FIELDS
                if getattr(before[k], name) != getattr(entry, name)
            )
            changed.append(EvidenceChange(entry.record, before[k], entry, changes))
    return added, withdrawn, tuple(changed)


def _count_values(counts: Counts, triangulated: bool) -> dict[str, int | bool]:
    values: dict[str, int | bool] = {name: getattr(counts, name) for name in _COUNT_FIELDS}
    # A source type missing from by_source has no evidence: the same as 0.
    values.update({f"by_source.{s}": counts.by_source.get(s, 0) for s in SourceType})
    values["triangulated"] = triangulated
    return values


def _counts(old: Cmoc, new: Cmoc) -> tuple[ValueChange, ...]:
    before = _count_values(old.counts, old.triangulated)
    after = _count_values(new.counts, new.triangulated)
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


# --- loading one side ------------------------------------------------------------------------


def load_theory_bytes(content: bytes, shown: str, diagnostics: Diagnostics) -> Theory | None:
    """A theory from a file's bytes (say, read from git), checked exactly as `load_theory` checks a file."""
    theory, _ = theory_from_bytes(content, shown, diagnostics)
    return theory


def text_diff(old: bytes | None, new: bytes | None, old_label: str, new_label: str) -> str:
    """A plain unified diff of two file contents: the fallback when either is not a valid theory."""
    before = (old or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
    after = (new or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
    lines = difflib.unified_diff(before, after, old_label, new_label)
    return printable(
        "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    )


# --- safe to print ---------------------------------------------------------------------------

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional embeddings, overrides
# and isolates: a terminal or an editor acts on them (sets the window title, clears the screen,
# hides or reorders text) where a reviewer should see them.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNESCAPED_BY_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _control_picture(match: re.Match[str]) -> str:
    code = ord(match[0])
    if code < 0x20:
        return chr(0x2400 + code)  # ␛, ␇, ␍, ...: the Unicode picture of that control
    return "\u2421" if code == 0x7F else "\ufffd"


def printable(text: str) -> str:
    """`text` safe to show in a terminal or a review: each control character replaced by a visible symbol."""
    return _CONTROL.sub(_control_picture, text)


# --- plain text ------------------------------------------------------------------------------


def _show(value: Value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    if isinstance(value, dict):
        return " ".join(f"{k}={v}" for k, v in sorted(value.items()))
    return str(value)


def _count_name(name: str) -> str:
    return name.removeprefix("by_source.")


def _indent(text: str, prefix: str) -> list[str]:
    return [prefix + line for line in text.split("\n")]


def _where(entry: EvidenceEntry) -> str:
    return f"{entry.source} {entry.transcript}, lines {entry.lines}, {entry.stance}"


def _counts_line(diff: CmocDiff) -> str:
    if diff.change is Change.ADDED:
        return ", ".join(f"{_count_name(c.name)} {_show(c.new)}" for c in diff.counts)
    if diff.change is Change.REMOVED:
        return ", ".join(f"{_count_name(c.name)} {_show(c.old)}" for c in diff.counts)
    return ", ".join(f"{_count_name(c.name)} {_show(c.old)} -> {_show(c.new)}" for c in diff.counts)


def _text_cmoc(diff: CmocDiff) -> list[str]:
    lines = [f"{diff.change} CMOC {diff.id}"]
    whole = diff.change is not Change.CHANGED
    for c in diff.curated:
        if whole:
            value = c.new if diff.change is Change.ADDED else c.old
            text = _show(value)
            lines += [f"  {c.name}: {text}"] if "\n" not in text else [f"  {c.name}:", *_indent(text, "    ")]
        elif c.name in _PROSE:
            lines.append(f"  {c.name}:")
            lines += _indent(str(c.old), "    - ") if c.old is not None else []
            lines += _indent(str(c.new), "    + ") if c.new is not None else []
        else:
            lines.append(f"  {c.name}: {_show(c.old)} -> {_show(c.new)}")
    if diff.codes:
        lines.append("  codes:")
        for role in diff.codes:
            lines += [f"    + {role.role} {_code(code)}" for code in role.added]
            lines += [f"    - {role.role} {_code(code)}" for code in role.removed]
            lines += [f"    ~ {role.role} {c.name}: label {_show(c.old)} -> {_show(c.new)}" for c in role.relabelled]
    if diff.evidence_added or diff.evidence_withdrawn or diff.evidence_changed:
        lines.append("  evidence:")
        for mark, entries in (("+", diff.evidence_added), ("-", diff.evidence_withdrawn)):
            for entry in entries:
                lines.append(f"    {mark} {entry.record} ({_where(entry)})")
                lines += _indent(entry.quote, "        ")
        for changed in diff.evidence_changed:
            lines.append(f"    ~ {changed.record} ({_where(changed.new)})")
            for c in changed.changes:
                if c.name == "quote":
                    lines += [
                        "        quote:",
                        *_indent(str(c.old), "          - "),
                        *_indent(str(c.new), "          + "),
                    ]
                else:
                    lines.append(f"        {c.name}: {_show(c.old)} -> {_show(c.new)}")
    if diff.counts:
        lines.append(f"  counts: {_counts_line(diff)}")
    return lines


def _code(code: CodeRef) -> str:
    return f"{code.id} ({code.label})" if code.label else code.id


def _text_programme(diff: TheoryDiff) -> list[str]:
    changes = diff.programme_changes
    if changes.empty or diff.theory is Change.REMOVED:
        return []
    lines = ["programme:"]
    for c in changes.fields:
        if c.name == "id" and diff.theory is Change.ADDED:
            continue
        shown = _show(c.new) if diff.theory is Change.ADDED else f"{_show(c.old)} -> {_show(c.new)}"
        lines.append(f"  {c.name}: {shown}")
    for c in changes.attributes:
        if c.old is None:
            lines.append(f"  + attribute {c.name}: {_show(c.new)}")
        elif c.new is None:
            lines.append(f"  - attribute {c.name}: {_show(c.old)}")
        else:
            lines.append(f"  ~ attribute {c.name}: {_show(c.old)} -> {_show(c.new)}")
    return lines


def _headline(diff: TheoryDiff, name: str) -> str:
    """`programme theory NAME: 1 CMOC added, ...`, or `no changes to the programme theory NAME`."""
    name = f" {name}" if name else ""
    if diff.empty:
        return f"no changes to the programme theory{name}"
    prefix = {Change.ADDED: "new ", Change.REMOVED: "deleted "}.get(diff.theory, "")
    return f"{prefix}programme theory{name}: {diff.summary()}"


def format_text(diff: TheoryDiff) -> str:
    """The diff for a terminal: a summary line, the programme's changes, then one block per CMOC."""
    blocks = [[_headline(diff, diff.programme or "")], _text_programme(diff), *map(_text_cmoc, diff.cmocs)]
    return printable("\n\n".join("\n".join(block) for block in blocks if block) + "\n")


# --- Markdown --------------------------------------------------------------------------------

# Characters that would start emphasis, code, links, HTML, tables, strike-through, math or an
# entity anywhere in a line; escaped with a backslash, which CommonMark and GitHub both honour.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&$])")
# What turns a line into a heading, list item, quote, rule or setext underline at its start.
_MD_LINE_START = re.compile(r"^([-+=#])|^(\d+)([.)])")
# What GitHub links (and notifies) in a comment: @user or @org/team, #123. A backslash does not
# stop it (the escape is gone before linking runs), an invisible word joiner after the sign does.
_MD_REFERENCE = re.compile(r"(@(?=[A-Za-z0-9])|#(?=[0-9]))")
_WORD_JOINER = "\u2060"


def md_escape(text: str) -> str:
    """Corpus text as literal Markdown: one escaped line per line, leading blanks dropped (no code blocks)."""
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _MD_INLINE.sub(r"\\\1", printable(line.strip()))
        line = _MD_LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", line)
        lines.append(_MD_REFERENCE.sub(r"\1" + _WORD_JOINER, line))
    return "\n".join(lines)


def _md_inline(text: str, indent: int = 2) -> str:
    """Escaped text that stays inside its list item: line breaks become hard breaks."""
    return ("\\\n" + " " * indent).join(line for line in md_escape(text).split("\n"))


def _md_code(text: str) -> str:
    """`text` as a code span, with a fence longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_quote(text: str) -> list[str]:
    return [f"> {line}" if line else ">" for line in md_escape(text).split("\n")]


def _md_show(value: Value, indent: int = 2) -> str:
    if value is None:
        return "*(none)*"
    if isinstance(value, list):
        return ", ".join(_md_code(v) for v in value) if value else "*(none)*"
    return _md_inline(_show(value), indent)


def _md_evidence(entry: EvidenceEntry) -> list[str]:
    where = f"{entry.source} {_md_code(entry.transcript)}, lines {entry.lines}, {entry.stance}"
    return [*_md_quote(entry.quote), ">", f"> — {_md_code(entry.record)} ({where})", ""]


def _md_cmoc(diff: CmocDiff) -> list[str]:
    lines = [f"#### {str(diff.change).capitalize()} CMOC {_md_code(diff.id)}", ""]
    whole = diff.change is not Change.CHANGED
    curated = []
    for c in diff.curated:
        if whole:
            curated.append(f"- **{c.name}**: {_md_show(c.new if diff.change is Change.ADDED else c.old)}")
        elif c.name in _PROSE:
            curated += [f"- **{c.name}**", f"  - before: {_md_show(c.old, 4)}", f"  - after: {_md_show(c.new, 4)}"]
        else:
            curated.append(f"- **{c.name}**: {_md_show(c.old)} → {_md_show(c.new)}")
    if curated:
        lines += [*curated, ""]
    if diff.codes:
        lines += ["**Codes**", ""]
        added, removed = ("added ", "removed ") if not whole else ("", "")
        for role in diff.codes:
            lines += [f"- {added}{role.role} {_md_code_ref(code)}" for code in role.added]
            lines += [f"- {removed}{role.role} {_md_code_ref(code)}" for code in role.removed]
            lines += [
                f"- relabelled {role.role} {_md_code(c.name)}: {_md_show(c.old)} → {_md_show(c.new)}"
                for c in role.relabelled
            ]
        lines.append("")
    for title, entries in (("Evidence added", diff.evidence_added), ("Evidence withdrawn", diff.evidence_withdrawn)):
        if entries:
            lines += [f"**{title}** ({len(entries)})", ""]
            for entry in entries:
                lines += _md_evidence(entry)
    if diff.evidence_changed:
        lines += [f"**Evidence changed** ({len(diff.evidence_changed)})", ""]
        for changed in diff.evidence_changed:
            lines.append(f"- {_md_code(changed.record)}")
            for c in changed.changes:
                if c.name == "quote":
                    lines += ["  - quote before:", "", *("    " + q for q in _md_quote(str(c.old))), ""]
                    lines += ["  - quote after:", "", *("    " + q for q in _md_quote(str(c.new))), ""]
                else:
                    lines.append(f"  - {c.name}: {_md_show(c.old, 4)} → {_md_show(c.new, 4)}")
        lines.append("")
    if diff.counts and whole:
        lines += [f"**Counts**: {md_escape(_counts_line(diff))}", ""]
    elif diff.counts:
        lines += ["| count | before | after |", "|---|--:|--:|"]
        lines += [f"| {_count_name(c.name)} | {_show(c.old)} | {_show(c.new)} |" for c in diff.counts]
        lines.append("")
    return lines


def _md_code_ref(code: CodeRef) -> str:
    return f"{_md_code(code.id)} ({_md_inline(code.label)})" if code.label else _md_code(code.id)


def _md_programme(diff: TheoryDiff) -> list[str]:
    changes = diff.programme_changes
    if changes.empty or diff.theory is Change.REMOVED:
        return []
    lines = ["#### Programme", ""]
    for c in changes.fields:
        if c.name == "id" and diff.theory is Change.ADDED:
            continue
        shown = _md_show(c.new) if diff.theory is Change.ADDED else f"{_md_show(c.old)} → {_md_show(c.new)}"
        lines.append(f"- **{c.name}**: {shown}")
    for c in changes.attributes:
        key = _md_code(c.name)
        if c.old is None:
            lines.append(f"- attribute {key} added: {_md_show(c.new)}")
        elif c.new is None:
            lines.append(f"- attribute {key} removed (was: {_md_show(c.old)})")
        else:
            lines.append(f"- attribute {key}: {_md_show(c.old)} → {_md_show(c.new)}")
    return [*lines, ""]


def format_markdown(diff: TheoryDiff) -> str:
    """The diff as a pull-request review comment: a heading with the summary, then one section per CMOC."""
    headline = _headline(diff, _md_code(diff.programme) if diff.programme else "")
    if diff.empty:
        return headline + "\n"
    lines = [f"### {headline[0].upper()}{headline[1:]}", ""]
    lines += _md_programme(diff)
    for cmoc in diff.cmocs:
        lines += _md_cmoc(cmoc)
    return printable("\n".join(lines).rstrip("\n") + "\n")


# --- JSON ------------------------------------------------------------------------------------


def format_json(diff: TheoryDiff) -> str:
    """The diff as JSON (shape in docs/diff.md): keys sorted, lists in the diff's own order."""
    text = json.dumps(diff.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    # json escapes C0 controls itself; DEL, C1 (8-bit CSI) and bidi controls get the same \\uXXXX form.
    return _UNESCAPED_BY_JSON.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


# --- textconv --------------------------------------------------------------------------------


def format_theory(theory: Theory) -> str:
    """A theory as stable lines for git's textconv: one fact per line, CMOCs by id, evidence by record."""
    p = theory.programme
    lines = [f"programme {p.id}: {p.name}"]
    if p.framework is not None:
        lines.append(f"  framework: {p.framework}")
    lines += [f"  attribute {key}: {value}" for key, value in sorted(p.attributes.items())]
    for cmoc in sorted(theory.cmocs, key=lambda c: c.id):
        lines += ["", f"CMOC {cmoc.id}"]
        for name in CURATED_KEYS:
            value = _curated_value(cmoc, name)
            if value:
                lines += _indent(f"{name}: {_show(value)}", "  ")
        codes = _codes_by_role(cmoc)
        for role in _roles(codes):
            lines += [f"  {role}: {_code(code)}" for code in sorted(codes[role], key=lambda c: c.id)]
        values = _count_values(cmoc.counts, cmoc.triangulated)
        lines.append("  counts: " + ", ".join(f"{_count_name(k)} {_show(v)}" for k, v in values.items()))
        for entry in sorted(cmoc.evidence, key=lambda e: e.record):
            extra = "".join(
                f", {name} {_show(_evidence_value(entry, name))}"
                for name in ("coder", "participants")
                if getattr(entry, name)
            )
            lines.append(f"  evidence {entry.record} ({_where(entry)}{extra})")
            lines += _indent(entry.quote, "    ")
    return printable("\n".join(lines) + "\n")
