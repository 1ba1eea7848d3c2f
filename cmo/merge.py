"""Merge stage: CMO records -> one programme-theory file per programme, keeping everything people curated."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmo.coding import CodingResult
from cmo.corpus import DeclaredCode, ProgrammeSource, display_path
from cmo.diagnostics import Diagnostic, Diagnostics, Severity
from cmo.models import Record, SourceType, Stance
from cmo.theory import CODE_ROLES, CURATED_KEYS, GENERATED_KEYS, Status, load_theory_bytes
from cmo.yamlio import load
from cmo.yamltext import carry_comments, emit, emit_items, split_comment

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


@dataclass
class Layout:
    """Where each CMOC and each of its keys start (0-based lines), found by scanning the lines."""

    skeleton: str  # the text with every generated key's lines blanked (line numbers unchanged)
    items: list[int] = field(default_factory=list)
    keys: list[list[tuple[int, str]]] = field(default_factory=list)
    had_evidence: list[bool] = field(default_factory=list)


def scan_layout(text: str) -> Layout | None:
    """The CMOCs' layout when the file is laid out as merge writes it (block style), else None.

    Merge only rewrites generated keys, so it need not parse them: a theory of 100,000 evidence entries
    is read as a skeleton of ids and curated fields. Anything unexpected gives None, and the caller
    parses the whole file instead.
    """
    lines = text.split("\n")
    try:
        start = next(i for i, line in enumerate(lines) if re.match(r"cmocs:\s*(#.*)?$", line))
    except StopIteration:
        return None
    blanked = list(lines)
    layout = Layout(skeleton="")
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
            blanked[number] = ""
    layout.skeleton = "\n".join(blanked)
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
    lines = existing.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
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
    return "\n".join(out) + "\n"


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


def _layout_of(raw: bytes) -> Layout | None:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None  # the full read reports it
    return scan_layout(text.replace("\r\n", "\n"))


def _matches(data: Any, layout: Layout) -> bool:
    """The scanned CMOCs are the parsed ones, line for line."""
    items = data.get("cmocs") if isinstance(data, dict) else None
    if not isinstance(items, list) or len(items) != len(layout.items):
        return False
    return all(
        getattr(item, "mark", None) is not None and item.mark.line - 1 == line
        for item, line in zip(items, layout.items, strict=True)
    )


def theory_path(theories: Path, programme: str) -> Path:
    return theories / f"{programme}.yaml"


def merge_corpus(result: CodingResult, theories: Path) -> list[MergeOutcome]:
    """Compute every selected programme's new theory text; nothing is written here."""
    outcomes = []
    programmes = result.corpus.programmes if result.corpus else {}
    by_programme: dict[str, list[Record]] = {programme: [] for programme in programmes}
    for record in result.records:
        by_programme[record.programme].append(record)
    for programme_id, source in programmes.items():
        path = theory_path(theories, programme_id)
        shown = display_path(path)
        diagnostics = Diagnostics()
        existing: str | None = None
        data: Any = None
        layout: Layout | None = None
        if path.exists():
            raw = path.read_bytes()
            layout = _layout_of(raw)
            theory, data = load_theory_bytes(layout.skeleton.encode() if layout else raw, shown, diagnostics)
            if theory is not None and layout is not None and not _matches(data, layout):
                layout = None  # the scan and the parser disagree: trust the parser
                theory, data = load_theory_bytes(raw, shown, diagnostics)
            if theory is None:
                outcomes.append(MergeOutcome(programme_id, path, None, False, diagnostics.items))
                continue
            existing = raw.decode("utf-8-sig").replace("\r\n", "\n")  # decodes: load_theory_bytes checked it
        text = merge_text(existing, source, by_programme[programme_id], shown, diagnostics, data, layout)
        outcomes.append(MergeOutcome(programme_id, path, text, text != existing, diagnostics.items))
    return outcomes
