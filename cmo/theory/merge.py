"""Merge stage: CMO records -> one programme-theory file per programme, keeping everything people curated."""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmo.core.diagnostics import Diagnostic, Diagnostics, Severity
from cmo.core.files import read_or_report
from cmo.core.paths import display_path
from cmo.core.rules import Rule
from cmo.corpus.coding import CodingResult
from cmo.corpus.layout import ProgrammeSource
from cmo.corpus.models import Record
from cmo.theory.configuration import Grouping, fragments, generated_cmoc, group_records
from cmo.theory.guard import UnsafeWrite, check_written, edit_problem, layout_matches, quick_layout
from cmo.theory.model import (
    CMOC_KEY_ORDER,
    GENERATED_KEYS,
    Status,
    load_theory_bytes,
    no_evidence,
)
from cmo.theory.skeleton import Layout
from cmo.yamlio.emitter import carry_comments, emit, emit_items, join_lines, normalise_breaks, split_comment, yaml_lines
from cmo.yamlio.reader import load

_HEADER = (
    "Programme theory of {name} ({id}), kept by `cmo merge`.\n"
    "Yours to curate: statement, status, confidence, notes and links on each CMOC (and any\n"
    "comment); merge never changes them. completeness, codes, counts, triangulated and evidence,\n"
    "and the fragments (coded evidence not yet in a configuration), are regenerated from the\n"
    "annotations in the corpus on every merge."
)


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
    if any(cmoc.get(key) for key in ("statement", "confidence", "notes", "links", "imported_from")):
        return True
    return cmoc.get("status") not in (None, Status.NEW.value)


def curated_ids(data: Any) -> set[str]:
    """The ids people curated or point at in a theory file's data (None: no file yet): they keep their records.

    A CMOC another one `links` to is kept under its id through the re-keying, curated or not: the link is
    people's work too, and would otherwise dangle.
    """
    items = [item for item in (data.get("cmocs") if isinstance(data, dict) else None) or [] if isinstance(item, dict)]
    kept = {str(item.get("id")) for item in items if _has_curated_content(item)}
    for item in items:
        links = item.get("links")
        if isinstance(links, list):
            kept.update(link for link in links if isinstance(link, str))
    return kept


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
    grouping: Grouping,
    shown: str,
    diagnostics: Diagnostics,
    data: Any = None,
    layout: Layout | None = None,
) -> str:
    """The new text of a programme's theory file, given its current text (None when there is none).

    People's lines are copied as they wrote them: everything above `programme:`, each CMOC's id and curated
    keys, and every comment; only the generated keys and `fragments` are written anew (comments carried).
    """
    groups = grouping.cmocs
    section = _programme_section(source)
    found = fragments(grouping.fragments, source.codes)
    if existing is None:
        programme = source.programme
        assert programme is not None
        out = ["# " + line for line in _HEADER.format(name=programme.name, id=programme.id).split("\n")]
        emit("programme", section, 0, out)
        emit("cmocs", [_new_cmoc(cmoc_id, groups[cmoc_id], source) for cmoc_id in sorted(groups)], 0, out)
        if found:
            emit("fragments", found, 0, out)
        return "\n".join(out) + "\n"
    if data is None:
        data = load(existing)
    lines = yaml_lines(existing)
    top = sorted((mark.line - 1, key) for key, mark in data.key_marks.items())
    out = lines[: top[0][0]] if top else list(lines)
    for (start, key), (end, _) in zip(top, [*top[1:], (len(lines), "")], strict=True):
        region = lines[start:end]
        if key in ("programme", "fragments"):
            fresh: list[str] = []
            emit(key, section if key == "programme" else found, 0, fresh)
            out += carry_comments(region, fresh)
        elif key == "cmocs":
            out += _merge_cmocs(region, start, data.get("cmocs") or [], groups, source, shown, diagnostics, layout)
        else:
            out += region
    if "cmocs" not in data:
        emit("cmocs", [_new_cmoc(cmoc_id, groups[cmoc_id], source) for cmoc_id in sorted(groups)], 0, out)
    if "fragments" not in data and found:  # a file gains the key with its first fragment, then keeps it
        emit("fragments", found, 0, out)
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
                    Rule.CMOC_NO_EVIDENCE,
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
    raw = read_or_report(path, shown, diagnostics)
    if raw is None:
        return None
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        load_theory_bytes(raw, shown, diagnostics)  # reports it
        return None
    text = normalise_breaks(decoded)
    first = re.search("\r\n|[\r\n\x85\u2028\u2029]", decoded)
    newline = "\r\n" if first and first.group() == "\r\n" else "\n"
    layout = quick_layout(text)
    if layout is not None:
        quiet = Diagnostics()
        theory, data = load_theory_bytes(layout.skeleton.encode(), shown, quiet)
        if theory is not None and layout_matches(data, layout):
            diagnostics.extend(quiet.items)
            return _Existing(decoded, text, data, layout, newline)
        # The scan misread the file (or the skeleton does not validate): the parser reads all of it.
    theory, data = load_theory_bytes(text.encode(), shown, diagnostics)
    if theory is None:
        return None
    problem = edit_problem(data, yaml_lines(text))
    if problem is not None:
        line, why = problem
        diagnostics.add(shown, line, 1, Rule.MERGE_UNSAFE, f"merge cannot edit this file safely: {why}; left untouched")
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
    except UnsafeWrite as exc:
        message = f"merge cannot edit this file safely ({exc}); left untouched: please report this"
        diagnostics.add(shown, exc.line, 1, Rule.MERGE_UNSAFE, message)
        return False
    return True


def merge_corpus(result: CodingResult, theories: Path, jobs: int | None = None) -> list[MergeOutcome]:
    """Compute every selected programme's new theory text; nothing is written here.

    Line breaks: a file whose first line break is CRLF is written with CRLF throughout, any other with LF.
    A large corpus of several programmes is merged on up to `jobs` processes (default: all cores), one
    programme each; the outcomes are the same, in the same order.
    """
    programmes = list(result.corpus.programmes) if result.corpus else []
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = min(len(programmes), jobs or cores)
    large = sum(transcript.record_count for transcript in result.transcripts) >= _PARALLEL_RECORDS
    if workers > 1 and large and "fork" in multiprocessing.get_all_start_methods():
        gc.freeze()  # forked workers share the parent's objects; a collection in them would copy every page
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, context, initializer=_start_worker, initargs=(result, theories)) as pool:
                return list(pool.map(_merge_in_worker, programmes))
        except (OSError, BrokenProcessPool):
            pass  # no processes to be had (or one was killed): this process merges them all, as below
        finally:
            gc.unfreeze()
    return [merge_programme(result, theories, programme) for programme in programmes]


_PARALLEL_RECORDS = 2000  # below this, starting processes costs more than it saves
_WORKER: list[tuple[CodingResult, Path]] = []


def _start_worker(result: CodingResult, theories: Path) -> None:
    _WORKER.append((result, theories))


def _merge_in_worker(programme: str) -> MergeOutcome:
    return merge_programme(*_WORKER[0], programme)


def merge_programme(result: CodingResult, theories: Path, programme_id: str) -> MergeOutcome:
    """One programme's outcome of `merge_corpus`."""
    assert result.corpus is not None
    source = result.corpus.programmes[programme_id]
    records = [record for found in result.transcripts if found.programme == programme_id for record in found.records]
    path = theory_path(theories, programme_id)
    shown = display_path(path)
    diagnostics = Diagnostics()
    existing: _Existing | None = None
    if path.exists() or path.is_symlink():
        existing = _read_existing(path, shown, diagnostics)
        if existing is None:
            return MergeOutcome(programme_id, path, None, False, diagnostics.items)
    old = existing.text if existing else None
    data = existing.data if existing else None
    grouping = group_records(records, curated_ids(data))
    text = merge_text(old, source, grouping, shown, diagnostics, data, existing.layout if existing else None)
    newline = existing.newline if existing else "\n"
    final = text if newline == "\n" else text.replace("\n", newline)
    if existing is None:  # nothing of people's to lose yet
        return MergeOutcome(programme_id, path, final, True, diagnostics.items)
    if final == existing.decoded:  # up to date: nothing to write, so nothing to guard
        return MergeOutcome(programme_id, path, final, False, diagnostics.items)
    if not _guard(existing, text, grouping.cmocs, shown, diagnostics):
        return MergeOutcome(programme_id, path, None, False, diagnostics.items)
    return MergeOutcome(programme_id, path, final, True, diagnostics.items)
