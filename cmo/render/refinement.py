"""The refinement trail as the report shows it: the view model, its words, and its Markdown, JSON and sheet forms."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cmo.core.words import numbered
from cmo.render.escape import md_escape
from cmo.theory.model import Status
from cmo.theory.refinement import Change, CmocTrail, Refinement, Side, StanceCounts

# The checklist's names for the parts of the report the trail adds (see refined_checklist).
IPT_PART = "ipt"
REFINEMENT_PART = "refinement"
SECTION_TITLE = "How the theory was refined"
IPT_TITLE = "Initial programme theory (IPT)"
NO_IPT = "None: no CMOC was initial at the revision."
ABSENT = "—"  # a side the CMOC is not in
EVIDENCE_LEGEND = "supporting / refining / refuting"
# RAMESES II item 4 is the initial programme theory: the checklist lists it only when a trail shows one.
IPT_ITEM = (
    4,
    "Programme theory",
    IPT_PART,
    "the initial programme theory: the CMOCs that were initial at the revision given to --since, as stated "
    "then, with their evidence then and what became of each",
)
# What a trail adds to checklist item 15 (how the findings refined the theory).
_ITEM_15_MORE = (
    "how the findings refined the theory since the revision given to --since: CMOCs refined, refuted, added, "
    "removed or merged, with their status and evidence then and now"
)


@dataclass(frozen=True)
class TrailRow:
    """One CMOC of the trail: then (at the revision) and now, and what became of it in words."""

    id: str
    change: str  # kept | added | removed | merged
    initial: bool  # part of the initial programme theory
    became: str
    then: Side | None
    now: Side | None
    merged_into: tuple[str, ...]


@dataclass(frozen=True)
class RefinementView:
    """One programme's theory against its version at the revision."""

    programme: str
    name: str
    revision: str
    commit: str
    source: str
    existed: bool
    rows: tuple[TrailRow, ...]
    refined: tuple[str, ...]
    refuted: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    merged: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def ipt(self) -> list[TrailRow]:
        return [row for row in self.rows if row.initial]


def status_text(side: Side | None) -> str:
    """A status as the report names it (a CMOC nobody gave one is `new`, as in the CMOC list)."""
    if side is None:
        return ABSENT
    return side.status.value if side.status else Status.NEW.value


def evidence_text(side: Side | None) -> str:
    """Distinct passages as `supporting / refining / refuting`."""
    if side is None:
        return ABSENT
    counts = side.evidence
    return f"{counts.supporting} / {counts.refining} / {counts.refuting}"


def became(trail: CmocTrail) -> str:
    """What became of a CMOC since the revision, in words."""
    if trail.change is Change.MERGED:
        return "merged into " + ", ".join(trail.merged_into)
    if trail.change is Change.REMOVED:
        return "removed"
    now = trail.now
    assert now is not None
    status = now.status or Status.NEW
    if status is Status.INITIAL:
        words = "initial: evidence not yet judged" if now.evidence.total else "initial: no evidence yet"
        words = words if trail.change is Change.ADDED else "still " + words
    elif trail.then is not None and trail.then.status is status:
        words = f"still {status.value}"
    else:
        words = status.value
    if trail.change is Change.ADDED:
        return f"added since, {words}"
    return words + ("; statement rewritten" if trail.restated else "")


def _became_status(trails: Iterable[CmocTrail], status: Status) -> tuple[str, ...]:
    return tuple(
        t.id
        for t in trails
        if t.then is not None and t.now is not None and t.now.status is status and t.then.status is not status
    )


def refinement_view(refinement: Refinement, name: str) -> RefinementView:
    rows = tuple(
        TrailRow(t.id, t.change.value, t.initial, became(t), t.then, t.now, t.merged_into) for t in refinement.cmocs
    )
    return RefinementView(
        programme=refinement.programme,
        name=name,
        revision=refinement.revision,
        commit=refinement.commit,
        source=refinement.source,
        existed=refinement.existed,
        rows=rows,
        refined=_became_status(refinement.cmocs, Status.REFINED),
        refuted=tuple(refinement.refuted),
        added=tuple(refinement.added),
        removed=tuple(refinement.removed),
        merged=tuple(refinement.merged.items()),
    )


def refined_checklist(
    checklist: Sequence[tuple[int, str, str, str]], views: Sequence[RefinementView]
) -> tuple[tuple[int, str, str, str], ...]:
    """The checklist of a report that shows the trail: item 15 points at it too, and item 4 is the IPT when there is one.

    Item 4 is listed only here: a CMOC initial at the revision is the one initial programme theory a report shows.
    """
    items = [
        (number, title, REFINEMENT_PART, f"{what}; and {_ITEM_15_MORE}")
        if number == 15
        else (number, title, part, what)
        for number, title, part, what in checklist
        if number != IPT_ITEM[0]
    ]
    if any(view.ipt for view in views):
        items.append(IPT_ITEM)
    return tuple(sorted(items, key=lambda item: item[0]))


def summary(view: RefinementView, code: Callable[[str], str]) -> list[str]:
    """The trail in sentences; `code` marks up a CMOC id or a revision for the format (and escapes it)."""
    since = code(view.revision)

    def listed(ids: Sequence[str]) -> str:
        return ", ".join(code(i) for i in ids) or "none"

    if view.existed:
        then = sum(1 for row in view.rows if row.then is not None)
        now = sum(1 for row in view.rows if row.now is not None)
        head = f"{numbered(then, 'CMOC')} at {since}, {now} now"
    else:
        head = f"The theory file did not exist at {since}: every CMOC has been added since"
    merged = "; ".join(f"{code(gone)} into {listed(into)}" for gone, into in view.merged) or "none"
    changes = (
        ("Refined", listed(view.refined)),
        ("Refuted", listed(view.refuted)),
        ("Added", listed(view.added)),
        ("Removed", listed(view.removed)),
        ("Merged", merged),
    )
    return [head, *(f"{title} since {since}: {ids}" for title, ids in changes)]


def lede(view: RefinementView, code: Callable[[str], str]) -> str:
    """What the trail compares, and how its evidence is counted."""
    return (
        f"The programme theory as committed at {code(view.revision)} (commit {code(view.commit[:12])}, "
        f"{code(view.source)}) against the theory now. Evidence is counted in distinct passages: {EVIDENCE_LEGEND}."
    )


def ipt_lede(view: RefinementView, code: Callable[[str], str]) -> str:
    """What the IPT table holds."""
    return (
        f"The CMOCs with status initial at {code(view.revision)}: the theory as the team stated it before the data, "
        "and what became of each (a CMOC added since is not part of it, whatever its status)."
    )


TABLE_HEADER = (
    "CMOC",
    "IPT",
    "change",
    "status then → now",
    f"evidence then → now ({EVIDENCE_LEGEND})",
    "what became of it",
)


def table_rows(view: RefinementView) -> list[tuple[str, str, str, str, str, str]]:
    """The trail's table as plain text cells, in TABLE_HEADER's order."""
    return [
        (
            row.id,
            "yes" if row.initial else "",
            row.change,
            f"{status_text(row.then)} → {status_text(row.now)}",
            f"{evidence_text(row.then)} → {evidence_text(row.now)}",
            row.became,
        )
        for row in view.rows
    ]


def _statement(side: Side | None) -> str | None:
    return side.statement if side is not None else None


# --- Markdown -----------------------------------------------------------------------------------


def _md_code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _md_cell(text: str | None) -> str:
    return md_escape(text).replace("\n", " ") if text else "*(no statement)*"


def _md_statement(side: Side | None, before: Side | None = None) -> str:
    """A statement for a table cell; `unchanged` when it is `before`'s."""
    if side is None:
        return ABSENT
    if before is not None and side.statement == before.statement:
        return "unchanged"
    return _md_cell(side.statement)


def _md_programme(view: RefinementView) -> list[str]:
    out = [f"### {_md_cell(view.name)} ({_md_code(view.programme)}) since {_md_code(view.revision)}", ""]
    out += [lede(view, _md_code), ""]
    out += [f"- {line}" for line in summary(view, _md_code)]
    out += ["", f"#### {IPT_TITLE}", "", ipt_lede(view, _md_code), ""]
    if view.ipt:
        out += ["| CMOC | statement then | evidence then | what became of it | statement now |", "|---" * 5 + "|"]
        for row in view.ipt:
            out.append(
                f"| {_md_code(row.id)} | {_md_statement(row.then)} | {evidence_text(row.then)} | "
                f"{_md_cell(row.became)} | {_md_statement(row.now, row.then)} |"
            )
    else:
        out.append(NO_IPT)
    out += ["", "#### CMOCs then and now", "", "| " + " | ".join(TABLE_HEADER) + " |", "|---" * len(TABLE_HEADER) + "|"]
    for cells in table_rows(view):
        out.append(f"| {_md_code(cells[0])} | " + " | ".join(_md_cell(c) if c else "" for c in cells[1:]) + " |")
    return [*out, ""]


def markdown_section(views: Sequence[RefinementView]) -> list[str]:
    """The section's Markdown lines; none without a trail."""
    if not views:
        return []
    out = [f"## {SECTION_TITLE}", ""]
    for view in views:
        out += _md_programme(view)
    return out


# --- JSON and the workbook --------------------------------------------------------------------------


def _counts(counts: StanceCounts) -> dict[str, int]:
    return {"supporting": counts.supporting, "refining": counts.refining, "refuting": counts.refuting}


def _side_dict(side: Side | None) -> dict[str, Any] | None:
    if side is None:
        return None
    status = side.status.value if side.status else None
    return {"status": status, "statement": side.statement, "evidence": _counts(side.evidence)}


def json_section(views: Sequence[RefinementView]) -> list[dict[str, Any]]:
    """The trail as JSON data, one entry per programme."""
    return [
        {
            "programme": view.programme,
            "since": view.revision,
            "commit": view.commit,
            "theory_then": view.source,
            "existed_then": view.existed,
            "ipt": [row.id for row in view.ipt],
            "refined": list(view.refined),
            "refuted": list(view.refuted),
            "added": list(view.added),
            "removed": list(view.removed),
            "merged": {gone: list(into) for gone, into in view.merged},
            "cmocs": [
                {
                    "id": row.id,
                    "change": row.change,
                    "initial": row.initial,
                    "became": row.became,
                    "merged_into": list(row.merged_into),
                    "then": _side_dict(row.then),
                    "now": _side_dict(row.now),
                }
                for row in view.rows
            ],
        }
        for view in views
    ]


SHEET_HEADER = [
    "Programme",
    "Since",
    "CMOC",
    "In IPT",
    "Change",
    "What became of it",
    "Status then",
    "Status now",
    *(f"{stance.capitalize()} {when}" for when in ("then", "now") for stance in EVIDENCE_LEGEND.split(" / ")),
    "Statement then",
    "Statement now",
]


def _sheet_counts(side: Side | None) -> list[int | None]:
    if side is None:
        return [None, None, None]
    return [side.evidence.supporting, side.evidence.refining, side.evidence.refuting]


def sheet_rows(views: Sequence[RefinementView]) -> tuple[list[str], list[list[str | int | None]]]:
    """The trail as one row per CMOC per programme, for a workbook sheet."""
    rows: list[list[str | int | None]] = []
    for view in views:
        for row in view.rows:
            rows.append(
                [
                    view.programme,
                    view.revision,
                    row.id,
                    "yes" if row.initial else "no",
                    row.change,
                    row.became,
                    None if row.then is None else status_text(row.then),
                    None if row.now is None else status_text(row.now),
                    *_sheet_counts(row.then),
                    *_sheet_counts(row.now),
                    _statement(row.then),
                    _statement(row.now),
                ]
            )
    return SHEET_HEADER, rows
