"""Merge stage: CMO records -> one programme-theory file per programme, keeping everything people curated."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from cmo.core.diagnostics import Diagnostic, Diagnostics, Severity
from cmo.corpus.coding import CodingResult
from cmo.corpus.layout import DeclaredCode, ProgrammeSource, display_path
from cmo.corpus.models import Record, SourceType, Stance
from cmo.theory.model import CODE_ROLES, CURATED_KEYS, GENERATED_KEYS, Status, load_theory_bytes
from cmo.yamlio.emitter import carry_comments, emit, emit_items, join_lines, normalise_breaks, split_comment, yaml_lines
from cmo.yamlio.reader import MarkedMap, MarkedSeq, YamlError, load

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


# --- reading an existing theory without parsing what merge will rewrite anyway ----------------

_KEY_NAME = re.compile(r"([^\s#'\"\-][^:#]*?):(?:\s|$)")
_ITEM_DASHES = re.compile(r"(?:- +)+")
# A value that starts like a quoted scalar or a flow collection may go on over the next lines, and those
# lines may look like keys; the scan accepts it only when it visibly ends on its own line.
_FLOW_START = frozenset("\"'[{&*!?%@`")
_FLOW_CHARS = re.compile("[\"'\\[{&*!?%@`]")
_ONE_LINE_FLOW = re.compile(
    r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|\{\s*\}|\[(?:[^\[\]{}"'#]|"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')*\])"""
    r"\s*(?:#.*)?"
)


@dataclass
class Layout:
    """Where each CMOC and each of its keys start (0-based lines), found by scanning the lines."""

    skeleton: str  # the text with every generated key's lines blanked (line numbers unchanged)
    start: int = 0  # the line of `cmocs:`
    end: int = 0  # the first line after the `cmocs:` block (the next top-level key's, or `size`)
    size: int = 0  # lines in the file
    items: list[int] = field(default_factory=list)
    keys: list[list[tuple[int, str]]] = field(default_factory=list)
    had_evidence: list[bool] = field(default_factory=list)


def _value_ends_on_its_line(stripped: str) -> bool:
    """False when the value on this line may continue on the next lines in a way the scan cannot follow."""
    dashes = _ITEM_DASHES.match(stripped)
    rest = stripped[dashes.end() :] if dashes else stripped
    name = _KEY_NAME.match(rest)
    value = rest[name.end() :].lstrip() if name else rest
    return not value or value[0] not in _FLOW_START or _ONE_LINE_FLOW.fullmatch(value) is not None


def scan_layout(text: str) -> Layout | None:
    """The CMOCs' layout when the file is laid out as merge writes it (block style), else None.

    Merge only rewrites generated keys, so it need not parse them: a theory of 100,000 evidence entries
    is read as a skeleton of ids and curated fields. `text` is normalised (`normalise_breaks`); lines are
    YAML's. Anything unexpected gives None, and the caller parses the whole file instead.
    """
    lines = yaml_lines(text)
    try:
        start = next(i for i, line in enumerate(lines) if re.match(r"cmocs:\s*(#.*)?$", line))
    except StopIteration:
        return None
    blanked = list(lines)
    layout = Layout(skeleton="", start=start, end=len(lines), size=len(lines))
    dash = key_indent = -1
    generated = False
    for number in range(start + 1, len(lines)):
        line = lines[number]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if "\t" in line[: indent + 1]:
            return None
        if indent == 0:
            layout.end = number
            break
        if dash < 0:
            if not stripped.startswith("- "):
                return None
            dash = indent
            key_indent = dash + 2 + (len(stripped) - 2 - len(stripped[2:].lstrip(" ")))
        if indent == dash and stripped.startswith("- "):
            name = _KEY_NAME.match(line, key_indent)
            if name is None:
                return None
            layout.items.append(number)
            layout.keys.append([(number, name.group(1))])
            layout.had_evidence.append(False)
            generated = name.group(1) in GENERATED_KEYS
        elif indent == key_indent and (name := _KEY_NAME.match(line, key_indent)) is not None:
            if not layout.items:
                return None
            layout.keys[-1].append((number, name.group(1)))
            generated = name.group(1) in GENERATED_KEYS
        elif indent <= key_indent or not layout.items:
            return None
        else:
            if generated and layout.keys[-1][-1][1] == "evidence" and stripped.startswith("- "):
                layout.had_evidence[-1] = True
        if generated:
            blanked[number] = ""  # rewritten anyway, even when a person broke it
        elif _FLOW_CHARS.search(stripped) and not _value_ends_on_its_line(stripped):
            return None
    layout.skeleton = join_lines(blanked)
    return layout


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
    data: Any = None,
    layout: Layout | None = None,
) -> str:
    """The new text of a programme's theory file, given its current text (None when there is none).

    People's lines are copied as they wrote them: everything above `programme:`, each CMOC's id and curated
    keys, and every comment; only the generated keys are written anew (comments in them carried across).
    """
    groups = group_records(records)
    section = _programme_section(source)
    if existing is None:
        programme = source.programme
        assert programme is not None
        out = ["# " + line for line in _HEADER.format(name=programme.name, id=programme.id).split("\n")]
        emit("programme", section, 0, out)
        emit("cmocs", [_new_cmoc(cmoc_id, groups[cmoc_id], source) for cmoc_id in sorted(groups)], 0, out)
        return "\n".join(out) + "\n"
    if data is None:
        data = load(existing)
    lines = yaml_lines(existing)
    top = sorted((mark.line - 1, key) for key, mark in data.key_marks.items())
    out = lines[: top[0][0]] if top else list(lines)
    for (start, key), (end, _) in zip(top, [*top[1:], (len(lines), "")], strict=True):
        region = lines[start:end]
        if key == "programme":
            fresh: list[str] = []
            emit("programme", section, 0, fresh)
            out += carry_comments(region, fresh)
        elif key == "cmocs":
            out += _merge_cmocs(region, start, data.get("cmocs") or [], groups, source, shown, diagnostics, layout)
        else:
            out += region
    if "cmocs" not in data:
        emit("cmocs", [_new_cmoc(cmoc_id, groups[cmoc_id], source) for cmoc_id in sorted(groups)], 0, out)
    return join_lines(out)


def _new_cmoc(cmoc_id: str, records: Sequence[Record], source: ProgrammeSource) -> dict[str, Any]:
    return {"id": cmoc_id, "status": Status.NEW.value, **generated_cmoc(records, source.codes)}


def _merge_cmocs(
    region: list[str],
    offset: int,
    items: Any,
    groups: dict[str, list[Record]],
    source: ProgrammeSource,
    shown: str,
    diagnostics: Diagnostics,
    layout: Layout | None = None,
) -> list[str]:
    """The `cmocs:` block anew: known CMOCs updated in place, vanished ones kept or dropped, new ones appended."""
    if not items:
        new: list[str] = []
        emit_items([_new_cmoc(cmoc_id, groups[cmoc_id], source) for cmoc_id in sorted(groups)], 2, new)
        if not new:
            return region
        _, comment = split_comment(region[0])  # `cmocs: []` becomes a block; its comment stays
        return ["cmocs:" + (f"  {comment}" if comment else ""), *region[1:], *new]
    starts = [item.mark.line - 1 - offset for item in items]
    out = region[: starts[0]]
    dash = len(region[starts[0]]) - len(region[starts[0]].lstrip())
    seen: set[str] = set()
    kept = 0
    for index, item in enumerate(items):
        item_lines = region[starts[index] : starts[index + 1] if index + 1 < len(items) else len(region)]
        cmoc_id = str(item["id"])
        seen.add(cmoc_id)
        if cmoc_id in groups:
            generated = generated_cmoc(groups[cmoc_id], source.codes)
        elif _has_curated_content(item):
            generated = no_evidence()
            if layout.had_evidence[index] if layout else item.get("evidence"):
                diagnostics.add(
                    shown,
                    item.mark.line,
                    item.mark.column,
                    "cmoc-no-evidence",
                    f"CMOC {cmoc_id!r} has lost all its evidence; kept (evidence: []) because people curated it",
                    Severity.WARNING,
                )
        else:
            out += carry_comments(item_lines, [])  # nobody curated it: it goes, its comments stay
            continue
        base = starts[index] + offset
        if layout is not None:
            keys = [(line - base, key) for line, key in layout.keys[index]]
        else:
            keys = sorted(((mark.line - 1 - base, key) for key, mark in item.key_marks.items()), key=lambda k: k[0])
        out += _merge_cmoc(item, item_lines, keys, generated)
        kept += 1
    new_items = [_new_cmoc(cmoc_id, groups[cmoc_id], source) for cmoc_id in sorted(set(groups) - seen)]
    emit_items(new_items, dash, out)
    if not kept and not new_items:  # every CMOC went: an empty block would read as null, not as no CMOCs
        content, comment = split_comment(out[0])
        out[0] = content.rstrip() + " []" + (f"  {comment}" if comment else "")
    return out


def _merge_cmoc(item: Any, lines: list[str], keys: list[tuple[int, str]], generated: dict[str, Any]) -> list[str]:
    """One CMOC's lines: its own keys as written, its generated keys written anew in the same places."""
    present = {key for _, key in keys}
    indent = item.mark.column - 1
    parts: list[tuple[str, list[str]]] = []
    for (start, key), (end, _) in zip(keys, [*keys[1:], (len(lines), "")], strict=True):
        old = lines[start:end]
        if key in generated:
            fresh: list[str] = []
            emit(key, generated[key], indent, fresh)
            parts.append((key, carry_comments(old, fresh)))
        else:
            parts.append((key, old))
    for key in GENERATED_KEYS:
        if key in generated and key not in present:
            rank = CMOC_KEY_ORDER.index(key)
            position = sum(1 for name, _ in parts if name in CMOC_KEY_ORDER and CMOC_KEY_ORDER.index(name) < rank)
            fresh = []
            emit(key, generated[key], indent, fresh)
            # Inserted after the key before it, above any comments that key's block ends with.
            if position and position == len(parts):
                name, before = parts[-1]
                body, trailing = _split_trailing_comments(before)
                parts[-1] = (name, body)
                parts.append((key, [*fresh, *trailing]))
            else:
                parts.insert(position, (key, fresh))
    return [line for _, part in parts for line in part]


def _split_trailing_comments(lines: list[str]) -> tuple[list[str], list[str]]:
    end = len(lines)
    while end > 1 and (not lines[end - 1].strip() or lines[end - 1].strip().startswith("#")):
        end -= 1
    return lines[:end], lines[end:]


def _matches(data: Any, layout: Layout) -> bool:
    """The scan found what the parser found in the skeleton: the `cmocs:` block, every CMOC, every key."""
    if not isinstance(data, MarkedMap) or "cmocs" not in data or data.key_marks["cmocs"].line - 1 != layout.start:
        return False
    if any(layout.start < mark.line - 1 < layout.end for mark in data.key_marks.values()):
        return False  # a top-level key inside the scanned block
    if layout.end < layout.size and layout.end + 1 not in {mark.line for mark in data.key_marks.values()}:
        return False  # the scan stopped at a line the parser does not take for a top-level key
    items = data["cmocs"]
    if not isinstance(items, list) or len(items) != len(layout.items):
        return False
    for item, line, keys in zip(items, layout.items, layout.keys, strict=True):
        if not isinstance(item, MarkedMap) or item.mark.line - 1 != line:
            return False
        parsed = sorted((mark.line - 1, key) for key, mark in item.key_marks.items())
        if parsed != [(number, key) for number, key in keys if key not in GENERATED_KEYS]:
            return False
        if len({key for _, key in keys}) != len(keys):
            return False  # a key twice: the parser would refuse the whole file
    return True


def _edit_problem(data: Any, lines: list[str]) -> tuple[int, str] | None:
    """(line, why) when the text is not laid out so that merge can edit it line by line, else None."""
    top = sorted(mark.line for mark in data.key_marks.values())
    if len(set(top)) != len(top):
        return top[0], "its top-level keys share a line (flow style); write one key per line"
    items = data.get("cmocs")
    if not isinstance(items, MarkedSeq):
        return None
    after = data.key_marks["cmocs"].line
    for item, mark in zip(items, items.item_marks, strict=True):
        if not isinstance(item, MarkedMap) or not item:
            return mark.line, "a CMOC is not a mapping of keys"
        marks = sorted(mark.line for mark in item.key_marks.values())
        if item.mark.line <= after or len(set(marks)) != len(marks) or marks[0] != item.mark.line:
            return item.mark.line, f"CMOC {item.get('id')!r} is not in block style (one key per line); write it so"
        text = lines[item.mark.line - 1] if item.mark.line <= len(lines) else ""
        if not text.lstrip(" ").startswith("-"):
            return item.mark.line, f"CMOC {item.get('id')!r} does not start its own line with '- '"
        after = marks[-1]
    return None


# --- the last guard: what merge wrote still holds everything people wrote --------------------------


class _Unsafe(Exception):
    """What was read back from merge's output differs from what people wrote."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


try:  # libyaml's C parser when the wheel has it, as cmo.yamlio.reader reads
    from yaml import CSafeLoader as SafeEventLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as SafeEventLoader  # type: ignore[assignment]
_STARTS = frozenset({yaml.MappingStartEvent, yaml.SequenceStartEvent})
_ENDS = frozenset({yaml.MappingEndEvent, yaml.SequenceEndEvent})
_READ_BACK = Resolver()
_CONSTRUCT = SafeConstructor()


class _Readback:
    """Merge's output as the safe parser's events: each top-level key's value, the CMOCs' curated keys."""

    def __init__(self, text: str) -> None:
        self.events = iter(yaml.parse(text, Loader=SafeEventLoader))
        self.top: dict[Any, Any] = {}
        self.cmocs: list[dict[Any, Any]] = []
        for event in self.events:
            if isinstance(event, yaml.MappingStartEvent):
                self.read_top()
            elif isinstance(event, yaml.NodeEvent):
                raise _Unsafe("the text merge wrote is not a mapping")

    def read_top(self) -> None:
        for key in self.keys(self.top):
            event = next(self.events)
            if key == "cmocs" and isinstance(event, yaml.SequenceStartEvent):
                self.top[key] = None
                self.read_cmocs()
            elif key == "programme":
                self.skip(event)
                self.top[key] = None
            else:
                self.top[key] = self.value(event)

    def read_cmocs(self) -> None:
        for event in self.events:
            if isinstance(event, yaml.SequenceEndEvent):
                return
            if not isinstance(event, yaml.MappingStartEvent):
                raise _Unsafe("a CMOC merge wrote is not a mapping")
            cmoc: dict[Any, Any] = {}
            for key in self.keys(cmoc):
                value = next(self.events)
                if key in GENERATED_KEYS:
                    self.skip(value)
                    cmoc[key] = None
                else:
                    cmoc[key] = self.value(value)
            self.cmocs.append({key: value for key, value in cmoc.items() if key not in GENERATED_KEYS})

    def keys(self, into: dict[Any, Any]) -> Iterator[Any]:
        """The keys of the mapping being read, until its end; a key twice is refused."""
        for event in self.events:
            if isinstance(event, yaml.MappingEndEvent):
                return
            key = self.value(event)
            if key in into:
                raise _Unsafe(f"merge wrote the key {key!r} twice")
            yield key

    def value(self, event: Any) -> Any:
        if isinstance(event, yaml.AliasEvent):
            raise _NeedsFullRead
        if isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag in (None, "!"):
                tag = _READ_BACK.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
            if tag == "tag:yaml.org,2002:str":
                return event.value
            try:
                return _CONSTRUCT.construct_object(yaml.ScalarNode(tag, event.value))
            except (ValueError, TypeError):
                return event.value
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            for item in self.events:
                if isinstance(item, yaml.SequenceEndEvent):
                    return items
                items.append(self.value(item))
        if isinstance(event, yaml.MappingStartEvent):
            mapping: dict[Any, Any] = {}
            for key in self.keys(mapping):
                mapping[key] = self.value(next(self.events))
            return mapping
        raise _Unsafe("unexpected YAML")  # pragma: no cover

    def skip(self, event: Any) -> None:
        """Read past a generated value without building it (an alias in it cannot change a curated value)."""
        if type(event) not in _STARTS:
            return
        depth = 1
        for inner in self.events:
            kind = type(inner)
            if kind in _STARTS:
                depth += 1
            elif kind in _ENDS:
                depth -= 1
                if not depth:
                    return


class _NeedsFullRead(Exception):
    """An alias in a curated value: the events alone cannot say what it is."""


def _curated(item: Any) -> dict[Any, Any]:
    return {key: value for key, value in item.items() if key not in GENERATED_KEYS}


def _comments(lines: Iterable[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for line in lines:
        comment = split_comment(line)[1]
        if comment:
            found[comment.rstrip()] += 1
    return found


def check_written(before: Any, before_lines: list[str], text: str, kept: list[Any], added: list[str]) -> None:
    """Raise `_Unsafe` unless `text` reads back with every curated field, top-level key and comment of the input.

    `before` is the parsed input (None for a new file), `kept` its CMOCs that merge keeps (in order), `added`
    the ids of the new CMOCs it appends.
    """
    try:
        back = _Readback(text)
        top, cmocs = back.top, back.cmocs
    except _NeedsFullRead:
        data = load(text)
        if not isinstance(data, dict):
            raise _Unsafe("the text merge wrote is not a mapping") from None
        top = {key: None if key in ("programme", "cmocs") else value for key, value in data.items()}
        cmocs = [_curated(item) for item in data.get("cmocs") or [] if isinstance(item, dict)]
    except YamlError as exc:
        raise _Unsafe(f"the text merge wrote does not read back as YAML: {exc.message}") from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or type(exc).__name__
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} of the new text" if mark else ""
        raise _Unsafe(f"the text merge wrote does not read back as YAML: {problem}{where}") from None
    before_top: dict[Any, Any] = before if isinstance(before, dict) else {}
    marks = getattr(before, "key_marks", {})
    for key in ("programme", "cmocs"):
        if key not in top:
            raise _Unsafe(f"the text merge wrote has no {key!r}")
    for key, value in before_top.items():
        if key not in ("programme", "cmocs") and (key not in top or top[key] != value):
            raise _Unsafe(f"the top-level key {key!r} would change", marks[key].line)
    if set(top) - set(before_top) - {"programme", "cmocs"}:
        raise _Unsafe("merge would add a top-level key")
    expected = [_curated(item) for item in kept] + [{"id": cmoc_id, "status": Status.NEW.value} for cmoc_id in added]
    if cmocs != expected:
        for index, want in enumerate(expected):
            got = cmocs[index] if index < len(cmocs) else {}
            if want != got:
                line = kept[index].mark.line if index < len(kept) else 1
                changed = ", ".join(str(key) for key in {**want, **got} if want.get(key) != got.get(key))
                raise _Unsafe(f"CMOC {want.get('id')!r} would not keep {changed}", line)
        raise _Unsafe("merge would add CMOCs nobody asked for")
    lost = _comments(before_lines) - _comments(yaml_lines(text))
    if lost:
        raise _Unsafe(f"the comment {next(iter(lost))!r} would be lost")


# --- every programme ---------------------------------------------------------------------------------


def theory_path(theories: Path, programme: str) -> Path:
    return theories / f"{programme}.yaml"


@dataclass
class _Existing:
    """A theory file as merge found it: its text (breaks normalised), parsed data, layout, line break."""

    decoded: str  # as in the file (less a BOM)
    text: str
    data: Any
    layout: Layout | None
    newline: str


def _read_existing(path: Path, shown: str, diagnostics: Diagnostics) -> _Existing | None:
    """The theory file read for editing, or None after reporting why it cannot be merged into."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        diagnostics.add(shown, 1, 1, "unreadable", f"cannot read file: {exc.strerror or exc}")
        return None
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        load_theory_bytes(raw, shown, diagnostics)  # reports it
        return None
    text = normalise_breaks(decoded)
    first = re.search("\r\n|[\r\n\x85\u2028\u2029]", decoded)
    newline = "\r\n" if first and first.group() == "\r\n" else "\n"
    layout = scan_layout(text)
    if layout is not None:
        quiet = Diagnostics()
        theory, data = load_theory_bytes(layout.skeleton.encode(), shown, quiet)
        if theory is not None and _matches(data, layout):
            diagnostics.extend(quiet.items)
            return _Existing(decoded, text, data, layout, newline)
        # The scan misread the file (or the skeleton does not validate): the parser reads all of it.
    theory, data = load_theory_bytes(text.encode(), shown, diagnostics)
    if theory is None:
        return None
    problem = _edit_problem(data, yaml_lines(text))
    if problem is not None:
        line, why = problem
        diagnostics.add(shown, line, 1, "merge-unsafe", f"merge cannot edit this file safely: {why}; left untouched")
        return None
    return _Existing(decoded, text, data, None, newline)


def _guard(
    existing: _Existing, text: str, groups: dict[str, list[Record]], shown: str, diagnostics: Diagnostics
) -> bool:
    """Whether `text` may replace the file: `check_written` passes, else a `merge-unsafe` error says why."""
    items = (existing.data.get("cmocs") if isinstance(existing.data, dict) else None) or []
    ids = {str(item["id"]) for item in items}
    kept = [item for item in items if str(item["id"]) in groups or _has_curated_content(item)]
    try:
        check_written(existing.data, yaml_lines(existing.text), text, kept, sorted(set(groups) - ids))
    except _Unsafe as exc:
        message = f"merge cannot edit this file safely ({exc}); left untouched: please report this"
        diagnostics.add(shown, exc.line, 1, "merge-unsafe", message)
        return False
    return True


def merge_corpus(result: CodingResult, theories: Path) -> list[MergeOutcome]:
    """Compute every selected programme's new theory text; nothing is written here.

    Line breaks: a file whose first line break is CRLF is written with CRLF throughout, any other with LF.
    """
    outcomes = []
    programmes = result.corpus.programmes if result.corpus else {}
    by_programme: dict[str, list[Record]] = {programme: [] for programme in programmes}
    for record in result.records:
        by_programme[record.programme].append(record)
    for programme_id, source in programmes.items():
        path = theory_path(theories, programme_id)
        shown = display_path(path)
        diagnostics = Diagnostics()
        existing: _Existing | None = None
        if path.exists() or path.is_symlink():
            existing = _read_existing(path, shown, diagnostics)
            if existing is None:
                outcomes.append(MergeOutcome(programme_id, path, None, False, diagnostics.items))
                continue
        records = by_programme[programme_id]
        groups = group_records(records)
        old = existing.text if existing else None
        data = existing.data if existing else None
        text = merge_text(old, source, records, shown, diagnostics, data, existing.layout if existing else None)
        newline = existing.newline if existing else "\n"
        final = text if newline == "\n" else text.replace("\n", newline)
        if existing is None:  # nothing of people's to lose yet
            outcomes.append(MergeOutcome(programme_id, path, final, True, diagnostics.items))
            continue
        if final == existing.decoded:
            outcomes.append(MergeOutcome(programme_id, path, final, False, diagnostics.items))
            continue
        if not _guard(existing, text, groups, shown, diagnostics):
            outcomes.append(MergeOutcome(programme_id, path, None, False, diagnostics.items))
            continue
        outcomes.append(MergeOutcome(programme_id, path, final, True, diagnostics.items))
    return outcomes
