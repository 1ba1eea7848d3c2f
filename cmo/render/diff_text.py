"""The theory diff rendered: plain text, a Markdown review comment, JSON, git textconv lines, the plain-diff fallback."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable

from cmo.render.escape import json_controls, md_escape, printable
from cmo.theory.diff import (
    Change,
    CmocDiff,
    FragmentDiff,
    TheoryDiff,
    Value,
    ValueChange,
    codes_by_role,
    completeness,
    count_values,
    curated_value,
    evidence_value,
    roles,
)
from cmo.theory.model import CODE_ROLES, CURATED_KEYS, CodeRef, EvidenceEntry, FragmentRef, Theory

# Curated fields shown as free text (a line of their own per side) rather than `old -> new`.
_PROSE = ("statement", "notes")
_FRAGMENTS = "coded evidence not yet in a configuration"
_MARK = {Change.ADDED: "+", Change.REMOVED: "-", Change.CHANGED: "~"}

# --- unified diff fallback -------------------------------------------------------------------


def text_diff(old: bytes | None, new: bytes | None, old_label: str, new_label: str) -> str:
    """A plain unified diff of two file contents: the fallback when either is not a valid theory."""
    before = (old or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
    after = (new or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
    lines = difflib.unified_diff(before, after, old_label, new_label)
    return printable(
        "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    )


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


def _readable(name: str, value: Value) -> Value:
    """A curated value as people read it: a confidence is `high (rationale: ...)`, not its keys."""
    if name != "confidence" or not isinstance(value, dict):
        return value
    rationale = value.get("rationale")
    return f"{value['level']} (rationale: {rationale})" if rationale else value["level"]


def _sides(c: ValueChange) -> tuple[Value, Value]:
    """Old and new of a curated change, readable; a rationale that stayed is said once: `moderate -> high (...)`."""
    old, new = c.old, c.new
    same = isinstance(old, dict) and isinstance(new, dict) and old.get("rationale") == new.get("rationale")
    if c.name == "confidence" and isinstance(old, dict) and same:
        return old["level"], _readable(c.name, new)
    return _readable(c.name, old), _readable(c.name, new)


def _fact(name: str, text: str, indent: str = "  ") -> list[str]:
    """`name: text` with any further lines of the text deeper than the key, so none reads as a fact of its own."""
    first, *rest = f"{name}: {text}".split("\n")
    return [f"{indent}{first}", *_indent("\n".join(rest), indent + "  ")] if rest else [f"{indent}{first}"]


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
            text = _show(_readable(c.name, c.new if diff.change is Change.ADDED else c.old))
            lines += [f"  {c.name}: {text}"] if "\n" not in text else [f"  {c.name}:", *_indent(text, "    ")]
        elif c.name in _PROSE:
            lines.append(f"  {c.name}:")
            lines += _indent(str(c.old), "    - ") if c.old is not None else []
            lines += _indent(str(c.new), "    + ") if c.new is not None else []
        else:
            old, new = _sides(c)
            lines += _fact(c.name, f"{_show(old)} -> {_show(new)}")
    if diff.completeness:
        lines.append(f"  completeness: {_completeness(diff, _show, '->')}")
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


def _completeness(diff: CmocDiff, show: Callable[[Value], str], arrow: str) -> str:
    """`mechanism, outcome -> context, mechanism, outcome`; the parts alone for a CMOC added or removed."""
    assert diff.completeness is not None
    old, new = diff.completeness.old, diff.completeness.new
    if diff.change is not Change.CHANGED:
        return show(new if diff.change is Change.ADDED else old)
    return f"{show(old)} {arrow} {show(new)}"


def _code(code: CodeRef) -> str:
    return f"{code.id} ({code.label})" if code.label else code.id


def _fragment_facts(f: FragmentDiff, show: Callable[[Value], str], arrow: str) -> str:
    """What follows a fragment's role and code: `: label A -> B, excerpts 1 -> 2`, or `(label): excerpts 2` whole."""
    if f.change is Change.CHANGED:
        facts = [f"{c.name} {show(c.old)} {arrow} {show(c.new)}" for c in (f.label, f.excerpts) if c]
        return f": {', '.join(facts)}" if facts else ""
    label, excerpts = (c and (c.new if f.change is Change.ADDED else c.old) for c in (f.label, f.excerpts))
    return (f" ({show(label)})" if label else "") + f": excerpts {show(excerpts or 0)}"


def _ref_where(ref: FragmentRef) -> str:
    return f"{ref.transcript}, lines {ref.lines}, {ref.stance}"


def _text_fragments(diff: TheoryDiff) -> list[str]:
    """The fragments' section: each code added (+), removed (-) or changed (~), with its evidence refs."""
    if not diff.fragments:
        return []
    lines = [f"fragments ({_FRAGMENTS}):"]
    for f in diff.fragments:
        lines.append(f"  {_MARK[f.change]} {f.role} {f.code}{_fragment_facts(f, _show, '->')}")
        for mark, refs in (("+", f.evidence_added), ("-", f.evidence_withdrawn)):
            lines += [f"    {mark} {ref.record} ({_ref_where(ref)})" for ref in refs]
        for changed in f.evidence_changed:
            changes = ", ".join(f"{c.name} {_show(c.old)} -> {_show(c.new)}" for c in changed.changes)
            lines.append(f"    ~ {changed.record} ({_ref_where(changed.new)}): {changes}")
    return lines


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
    blocks.append(_text_fragments(diff))
    return printable("\n\n".join("\n".join(block) for block in blocks if block) + "\n")


# --- Markdown --------------------------------------------------------------------------------


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


def _md_curated(diff: CmocDiff, whole: bool) -> list[str]:
    curated = []
    for c in diff.curated:
        if whole:
            curated.append(
                f"- **{c.name}**: {_md_show(_readable(c.name, c.new if diff.change is Change.ADDED else c.old))}"
            )
        elif c.name in _PROSE:
            curated += [f"- **{c.name}**", f"  - before: {_md_show(c.old, 4)}", f"  - after: {_md_show(c.new, 4)}"]
        else:
            old, new = _sides(c)
            curated.append(f"- **{c.name}**: {_md_show(old)} → {_md_show(new)}")
    curated = [*curated, ""] if curated else []
    if diff.completeness:
        curated += [f"**Completeness**: {_completeness(diff, lambda v: md_escape(_show(v)), '→')}", ""]
    return curated


def _md_codes(diff: CmocDiff, whole: bool) -> list[str]:
    if not diff.codes:
        return []
    lines = ["**Codes**", ""]
    added, removed = ("added ", "removed ") if not whole else ("", "")
    for role in diff.codes:
        lines += [f"- {added}{role.role} {_md_code_ref(code)}" for code in role.added]
        lines += [f"- {removed}{role.role} {_md_code_ref(code)}" for code in role.removed]
        lines += [
            f"- relabelled {role.role} {_md_code(c.name)}: {_md_show(c.old)} → {_md_show(c.new)}"
            for c in role.relabelled
        ]
    return [*lines, ""]


def _md_evidence_changes(diff: CmocDiff) -> list[str]:
    lines = []
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
    return lines


def _md_cmoc(diff: CmocDiff) -> list[str]:
    lines = [f"#### {str(diff.change).capitalize()} CMOC {_md_code(diff.id)}", ""]
    whole = diff.change is not Change.CHANGED
    lines += _md_curated(diff, whole) + _md_codes(diff, whole) + _md_evidence_changes(diff)
    if diff.counts and whole:
        lines += [f"**Counts**: {md_escape(_counts_line(diff))}", ""]
    elif diff.counts:
        lines += ["| count | before | after |", "|---|--:|--:|"]
        lines += [f"| {_count_name(c.name)} | {_show(c.old)} | {_show(c.new)} |" for c in diff.counts]
        lines.append("")
    return lines


def _md_code_ref(code: CodeRef) -> str:
    return f"{_md_code(code.id)} ({_md_inline(code.label)})" if code.label else _md_code(code.id)


def _md_ref_where(ref: FragmentRef) -> str:
    return f"{_md_code(ref.transcript)}, lines {ref.lines}, {ref.stance}"


def _md_fragments(diff: TheoryDiff) -> list[str]:
    """The fragments' section: each code added, removed or changed, with its evidence refs as sub-items."""
    if not diff.fragments:
        return []
    lines = [f"#### Fragments: {_FRAGMENTS}", ""]
    for f in diff.fragments:
        lines.append(f"- {f.change} {f.role} {_md_code(f.code)}{_fragment_facts(f, _md_show, '→')}")
        for word, refs in (("added", f.evidence_added), ("withdrawn", f.evidence_withdrawn)):
            lines += [f"  - {word} {_md_code(ref.record)} ({_md_ref_where(ref)})" for ref in refs]
        for changed in f.evidence_changed:
            changes = ", ".join(f"{c.name} {_md_show(c.old, 4)} → {_md_show(c.new, 4)}" for c in changed.changes)
            lines.append(f"  - changed {_md_code(changed.record)} ({_md_ref_where(changed.new)}): {changes}")
    return [*lines, ""]


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
    lines += _md_fragments(diff)
    return printable("\n".join(lines).rstrip("\n") + "\n")


# --- JSON ------------------------------------------------------------------------------------


def format_json(diff: TheoryDiff) -> str:
    """The diff as JSON (shape in docs/diff.md): keys sorted, lists in the diff's own order."""
    text = json.dumps(diff.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return json_controls(text)


# --- textconv --------------------------------------------------------------------------------


def _textconv_fragments(theory: Theory) -> list[str]:
    lines = []
    for f in sorted(theory.fragments, key=lambda f: (CODE_ROLES.index(f.role), f.code)):
        label = f" ({f.label})" if f.label else ""
        lines += ["", f"fragment {f.role} {f.code}{label}: excerpts {f.excerpts}"]
        lines += [
            f"  evidence {r.record} ({r.transcript}, {r.stance})" for r in sorted(f.evidence, key=lambda r: r.record)
        ]
    return lines


def format_theory(theory: Theory) -> str:
    """A theory as stable lines for git's textconv: one fact per line, CMOCs by id, evidence by record.

    Evidence is shown without its lines, which move whenever text is added above a passage: not a change.
    """
    p = theory.programme
    lines = [f"programme {p.id}: {p.name}"]
    if p.framework is not None:
        lines.append(f"  framework: {p.framework}")
    lines += [f"  attribute {key}: {value}" for key, value in sorted(p.attributes.items())]
    for cmoc in sorted(theory.cmocs, key=lambda c: c.id):
        lines += ["", f"CMOC {cmoc.id}"]
        for name in CURATED_KEYS:
            value = _readable(name, curated_value(cmoc, name))
            lines += _fact(name, _show(value)) if value else []
        lines += _fact("completeness", _show(completeness(cmoc))) if cmoc.completeness else []
        codes = codes_by_role(cmoc)
        for role in roles(codes):
            lines += [f"  {role}: {_code(code)}" for code in sorted(codes[role], key=lambda c: c.id)]
        values = count_values(cmoc.counts, cmoc.triangulated)
        lines.append("  counts: " + ", ".join(f"{_count_name(k)} {_show(v)}" for k, v in values.items()))
        for entry in sorted(cmoc.evidence, key=lambda e: e.record):
            extra = "".join(
                f", {name} {_show(evidence_value(entry, name))}"
                for name in ("elicited", "coder", "participants")
                if getattr(entry, name)
            )
            lines.append(f"  evidence {entry.record} ({entry.source} {entry.transcript}, {entry.stance}{extra})")
            lines += _indent(entry.quote, "    ")
    return printable("\n".join(lines + _textconv_fragments(theory)) + "\n")
