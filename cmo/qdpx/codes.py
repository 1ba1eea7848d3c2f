"""The code tree -> cmo codes: each node's role (kind, and enabler / barrier / resource / reasoning), id and label."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from cmo.core.diagnostics import Diagnostics
from cmo.core.paths import display_path
from cmo.core.rules import Rule
from cmo.core.suggest import did_you_mean, with_article
from cmo.corpus.models import Code, CodeKind
from cmo.qdpx.project import QdaCode
from cmo.yamlio.reader import Mark, YamlError, load_bytes
from cmo.yamlio.schema import SLUG_PATTERN


class Role(StrEnum):
    """Where a code's codings go in an annotation: a kind's own key, or enablers / barriers / resource / reasoning."""

    INTERVENTION = "intervention"
    CONTEXT = "context"
    ACTOR = "actor"
    MECHANISM = "mechanism"
    OUTCOME = "outcome"
    ENABLERS = "enablers"
    BARRIERS = "barriers"
    RESOURCE = "resource"
    REASONING = "reasoning"

    @property
    def kind(self) -> CodeKind:
        if self in (Role.ENABLERS, Role.BARRIERS):
            return CodeKind.CONTEXT
        if self in (Role.RESOURCE, Role.REASONING):
            return CodeKind.MECHANISM
        return CodeKind(self.value)


IGNORE = "ignore"
# The trailer cmo writes into an exported code's description, so a round trip keeps code ids.
ID_TRAILER = re.compile(r"(?:\A|\n)cmo id: ([a-z0-9][a-z0-9-]*)\s*\Z")
_SLUG = re.compile(SLUG_PATTERN)
_CATEGORY = re.compile(r"^(context|intervention|actor|mechanism|outcome|enabler|barrier|resource|reasoning)s?$")
_PREFIX = re.compile(r"^\s*([cmoia])\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)
_PREFIX_ROLES = {"c": Role.CONTEXT, "m": Role.MECHANISM, "o": Role.OUTCOME, "i": Role.INTERVENTION, "a": Role.ACTOR}
# Which categories may sit inside which: enablers and barriers are contexts; resource and reasoning, mechanisms.
_NESTED = {Role.CONTEXT: (Role.ENABLERS, Role.BARRIERS), Role.MECHANISM: (Role.RESOURCE, Role.REASONING)}
_TOP = (Role.CONTEXT, Role.INTERVENTION, Role.ACTOR, Role.MECHANISM, Role.OUTCOME, Role.ENABLERS, Role.BARRIERS)


def slug(text: str, fallback: str = "code") -> str:
    """An id from a name: ASCII letters and digits, lower case, runs of anything else made one `-`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or fallback


def _role_word(word: str) -> Role | None:
    """The role a category's name or a map's kind names (singular or plural, any case)."""
    match = _CATEGORY.match(" ".join(word.split()).casefold())
    if match is None:
        return None
    base = match.group(1)
    return Role(base + "s" if base in ("enabler", "barrier") else base)


def _map_key(name: str) -> str:
    """Map keys match names and paths ignoring case and runs of spaces."""
    return "/".join(" ".join(part.split()) for part in name.split("/")).casefold()


@dataclass(frozen=True)
class MapEntry:
    """What MAP.yaml says about one code name: its role (or `ignore`) and optionally its id."""

    name: str
    role: Role | None
    id: str | None
    mark: Mark


@dataclass
class CodeMap:
    """MAP.yaml: code name (or `Parent/Child` path) -> entry."""

    path: str
    entries: dict[str, MapEntry] = field(default_factory=dict)


def load_map(path: Path, diagnostics: Diagnostics) -> CodeMap | None:
    """Read MAP.yaml (`codes: {"Name": kind}` or `{"Name": {kind: ..., id: ...}}`); None after reporting why."""
    shown = display_path(path)
    try:
        data = load_bytes(path.read_bytes())
    except OSError as exc:
        diagnostics.add(shown, 1, 1, Rule.QDPX_MAP, f"cannot read the map: {exc.strerror}")
        return None
    except YamlError as exc:
        diagnostics.add(shown, exc.mark.line, exc.mark.column, exc.rule, exc.message)
        return None
    codes = data.get("codes") if isinstance(data, dict) else None
    if not isinstance(codes, dict):
        diagnostics.add(shown, 1, 1, Rule.QDPX_MAP, 'the map must be a mapping `codes: {"Code name": kind}`')
        return None
    found = CodeMap(shown)
    before = len(diagnostics.errors)
    marks: dict[Any, Mark] = getattr(codes, "value_marks", {})
    for name, value in codes.items():
        mark = marks.get(name, Mark(1, 1))
        kind, code_id = (value.get("kind"), value.get("id")) if isinstance(value, dict) else (value, None)
        role = _role_word(str(kind)) if kind is not None else None
        if role is None and kind != IGNORE:
            words = [*(role.value for role in Role), IGNORE]
            diagnostics.add(
                shown,
                mark.line,
                mark.column,
                Rule.QDPX_MAP,
                f"code {name!r}: kind {kind!r} is not one of {', '.join(words)}{did_you_mean(str(kind), words)}",
            )
            continue
        if code_id is not None and not (isinstance(code_id, str) and _SLUG.match(code_id)):
            diagnostics.add(
                shown, mark.line, mark.column, Rule.QDPX_MAP, f"code {name!r}: id {code_id!r} is not a slug ([a-z0-9-])"
            )
            continue
        found.entries[_map_key(str(name))] = MapEntry(str(name), role, code_id, mark)
    return found if len(diagnostics.errors) == before else None


@dataclass(frozen=True)
class PlacedCode:
    """A node that became a cmo code: its id and the role its codings take."""

    id: str
    role: Role


@dataclass
class CodeTable:
    """Every node of the tree, placed or not, and the codebook the placed ones make."""

    placed: dict[str, PlacedCode] = field(default_factory=dict)
    unplaced: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    ignored: set[str] = field(default_factory=set)
    codebook: dict[str, Code] = field(default_factory=dict)

    def why_unplaced(self, guid: str) -> str:
        """Why a coding's code is no cmo code, for a report."""
        if guid in self.categories:
            return f"{self.categories[guid]!r} is a category, not a code"
        if guid in self.unplaced:
            return f"code {self.unplaced[guid]!r} has no kind"
        return f"code {guid} is not in the code tree"


def _walk(codes: list[QdaCode] | tuple[QdaCode, ...], path: str = "") -> Iterator[tuple[QdaCode, str]]:
    for code in codes:
        here = f"{path}/{code.name}" if path else code.name
        yield code, here
        yield from _walk(code.children, here)


class _Placer:
    def __init__(self, code_map: CodeMap | None, existing: dict[str, CodeKind], diagnostics: Diagnostics) -> None:
        self.map = code_map
        self.existing = existing
        self.diagnostics = diagnostics
        self.table = CodeTable()
        self.kinds: dict[str, CodeKind] = dict(existing)

    def entry(self, code: QdaCode, path: str) -> MapEntry | None:
        if self.map is None:
            return None
        return self.map.entries.get(_map_key(path)) or self.map.entries.get(_map_key(code.name.replace("/", " ")))

    def place(self, codes: list[QdaCode], inherited: Role | None) -> None:
        for code in codes:
            self.node(code, inherited, code.name)

    def node(self, code: QdaCode, inherited: Role | None, path: str) -> None:
        entry = self.entry(code, path)
        category = _role_word(code.name)
        allowed = _TOP if inherited is None else _NESTED.get(inherited, ())
        if entry is None and category is not None and category in allowed:
            self.table.categories[code.guid] = path
            for child in code.children:
                self.node(child, category, f"{path}/{child.name}")
            return
        prefix = _PREFIX.match(code.name)
        label = " ".join((prefix.group(2) if prefix else code.name).split()) or code.name
        if entry is not None and entry.role is None:
            self.table.ignored.add(code.guid)
            role = None
        elif entry is not None:
            role = entry.role
        elif prefix is not None:
            role = _PREFIX_ROLES[prefix.group(1).lower()]
        else:
            role = inherited
        if not code.codable:
            self.table.categories[code.guid] = path
        elif role is None:
            if code.guid not in self.table.ignored:
                self.table.unplaced[code.guid] = path
        else:
            self.add(code, role, label, entry)
        for child in code.children:
            self.node(child, role if entry is None or entry.role is not None else inherited, f"{path}/{child.name}")

    def add(self, code: QdaCode, role: Role, label: str, entry: MapEntry | None) -> None:
        description = code.description
        trailer = ID_TRAILER.search(description or "")
        if trailer is not None and description is not None:
            description = description[: trailer.start()].strip() or None
        wanted = (entry.id if entry else None) or (trailer.group(1) if trailer else None) or slug(label)
        code_id = wanted
        number = 1
        while code_id in self.kinds and self.kinds[code_id] != role.kind:
            if entry is not None and entry.id is not None and self.map is not None:
                self.diagnostics.add(
                    self.map.path,
                    entry.mark.line,
                    entry.mark.column,
                    Rule.QDPX_MAP,
                    f"id {entry.id!r} is already {with_article(self.kinds[code_id])} code; {label!r} is {role.kind}",
                )
                return
            number += 1
            code_id = f"{wanted}-{number}"
        self.kinds[code_id] = role.kind
        self.table.placed[code.guid] = PlacedCode(code_id, role)
        if code_id not in self.existing and code_id not in self.table.codebook:
            self.table.codebook[code_id] = Code(kind=role.kind, label=label or code_id, description=description)


def place_codes(
    codes: list[QdaCode], code_map: CodeMap | None, existing: dict[str, CodeKind], diagnostics: Diagnostics
) -> CodeTable:
    """Place every node: MAP.yaml first, then a `C:`/`M:`/... prefix, then the category it sits in."""
    if code_map is not None:
        names = [" ".join(code.name.split()) for code, _ in _walk(codes)] + [path for _, path in _walk(codes)]
        keys = {_map_key(name) for name in names}
        for name, entry in code_map.entries.items():
            if name not in keys:
                diagnostics.add(
                    code_map.path,
                    entry.mark.line,
                    entry.mark.column,
                    Rule.QDPX_MAP,
                    f"no code named {entry.name!r} in the project{did_you_mean(entry.name, names)}",
                )
    placer = _Placer(code_map, existing, diagnostics)
    placer.place(codes, None)
    return placer.table
