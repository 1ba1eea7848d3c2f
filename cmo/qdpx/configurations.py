"""Selections -> configurations: overlapping coded passages merged into one, each made a `cmo` annotation mapping."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cmo.corpus.models import Stance
from cmo.qdpx.codes import CodeTable, Role
from cmo.qdpx.project import QdaSelection
from cmo.yamlio.emitter import Flow
from cmo.yamlio.schema import SLUG_PATTERN

# Lines cmo writes into an exported selection's description; anything else there is a memo.
_MARKER = re.compile(r"^(cmo record|cmoc|stance|elicited): *(\S.*?)\s*$")
_SLUG = re.compile(SLUG_PATTERN)
_CORE_ROLES = (Role.CONTEXT, Role.MECHANISM, Role.RESOURCE, Role.REASONING, Role.OUTCOME)
_FIELDS = (
    Role.CONTEXT,
    Role.INTERVENTION,
    Role.ACTOR,
    Role.MECHANISM,
    Role.OUTCOME,
    Role.ENABLERS,
    Role.BARRIERS,
)


@dataclass
class Configuration:
    """One annotation to write: the passage (offsets into the text), its codes by role, coders, memos."""

    start: int
    end: int
    codes: dict[Role, list[str]] = field(default_factory=dict)
    coders: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    record: str | None = None
    cmoc: str | None = None
    stance: str | None = None
    elicited: bool = False

    def add_code(self, role: Role, code: str) -> None:
        codes = self.codes.setdefault(role, [])
        if code not in codes:
            codes.append(code)

    def absorb(self, other: Configuration) -> None:
        self.start, self.end = min(self.start, other.start), max(self.end, other.end)
        for role, codes in other.codes.items():
            for code in codes:
                self.add_code(role, code)
        self.coders.extend(c for c in other.coders if c not in self.coders)
        self.notes.extend(n for n in other.notes if n not in self.notes)
        self.record = self.record or other.record
        self.cmoc = self.cmoc or other.cmoc
        self.stance = self.stance or other.stance
        self.elicited = self.elicited or other.elicited

    def mergeable(self, other: Configuration) -> bool:
        """Overlapping, and not two configurations cmo exported apart."""
        overlap = other.start < self.end and self.start < other.end
        return overlap and not (self.record and other.record and self.record != other.record)

    def complete(self) -> bool:
        """True when the annotation would name a context, mechanism or outcome, as cmo requires."""
        return any(self.codes.get(role) for role in _CORE_ROLES)


@dataclass
class Tally:
    """Codings that could not be placed, over the whole project, by why not."""

    unplaced: Counter[str] = field(default_factory=Counter)


def _description(configuration: Configuration, description: str | None) -> None:
    memo = []
    for line in (description or "").splitlines():
        match = _MARKER.match(line)
        if match is None:
            memo.append(line)
            continue
        key, value = match.groups()
        if key == "cmo record":
            configuration.record = value
        elif key == "cmoc" and _SLUG.match(value):
            configuration.cmoc = value
        elif key == "stance" and value in set(Stance):
            configuration.stance = value
        elif key == "elicited" and value == "true":
            configuration.elicited = True
        else:
            memo.append(line)
    text = "\n".join(memo).strip()
    if text:
        configuration.notes.append(text)


def configuration(
    selection: QdaSelection,
    span: tuple[int, int],
    table: CodeTable,
    users: dict[str, str],
    notes: dict[str, str],
    tally: Tally,
) -> Configuration | None:
    """The configuration one selection holds, or None when none of its codings can be placed (counted in `tally`)."""
    found = Configuration(*span)
    for coding in selection.codings:
        code = table.placed.get(coding.code)
        if code is None:
            if coding.code not in table.ignored:
                tally.unplaced[table.why_unplaced(coding.code)] += 1
            continue
        found.add_code(code.role, code.id)
        user = users.get(coding.user or selection.user or "")
        if user and user not in found.coders:
            found.coders.append(user)
        found.notes.extend(notes[ref] for ref in coding.notes if ref in notes and notes[ref] not in found.notes)
    if not found.codes:
        return None
    found.notes[:0] = [notes[ref] for ref in selection.notes if ref in notes]
    _description(found, selection.description)
    return found


def merge(configurations: list[Configuration]) -> list[Configuration]:
    """Overlapping configurations made one (a passage coded with a context, a mechanism and an outcome node)."""
    merged: list[Configuration] = []
    open_groups: list[Configuration] = []  # those that may still overlap what comes next, as starts only grow
    for item in sorted(configurations, key=lambda c: (c.start, c.end)):
        open_groups = [group for group in open_groups if group.end > item.start]
        target = next((group for group in open_groups if group.mergeable(item)), None)
        if target is None:
            merged.append(item)
            open_groups.append(item)
        else:
            target.absorb(item)
    return merged


def _one_or_list(codes: list[str]) -> str | list[str]:
    return codes[0] if len(codes) == 1 else list(codes)


def annotation(item: Configuration, quote: str, coder: str | None) -> tuple[dict[str, Any], list[str]]:
    """The annotation mapping for a configuration, and notes on anything that had to change on the way."""
    mapping: dict[str, Any] = {}
    changes = []
    resource, reasoning = item.codes.get(Role.RESOURCE, []), item.codes.get(Role.REASONING, [])
    for role in _FIELDS:
        codes = item.codes.get(role, [])
        if role is Role.MECHANISM and (resource or reasoning):
            if codes:
                changes.append("mechanism codes given with and without resource/reasoning; written as one list")
                mapping["mechanism"] = _one_or_list([*codes, *resource, *reasoning])
            else:
                split = Flow()
                if resource:
                    split["resource"] = _one_or_list(resource)
                if reasoning:
                    split["reasoning"] = _one_or_list(reasoning)
                mapping["mechanism"] = split
        elif codes:
            mapping[role.value] = _one_or_list(codes)
    if item.cmoc:
        mapping["cmoc"] = item.cmoc
    if item.stance and item.stance != Stance.SUPPORTS:
        mapping["stance"] = item.stance
    if item.elicited:
        mapping["elicited"] = True
    mapping["quote"] = quote
    if item.notes:
        mapping["note"] = "\n\n".join(item.notes)
    coders = ", ".join(item.coders)
    if coders and coders != coder:
        mapping["coder"] = coders
    return mapping, changes
