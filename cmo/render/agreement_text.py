"""Renderers of inter-coder agreement: a text table and the disagreements to discuss, Markdown, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from cmo.analysis.agreement import CMOC, MECHANISM_OUTCOME, Agreement, Disagreement, Statistics
from cmo.render.escape import defuse, json_controls, md_escape, printable

NOTHING = "(none)"  # a coder who coded the passage but gave no code in this role
NOT_CODED = "(not coded)"  # a revision that had the transcript but did not code the passage
_CONFIGURATION_NAMES = {CMOC: "same CMOC", MECHANISM_OUTCOME: "same mechanism-outcome pair"}
_COLUMNS = ("alpha", "kappa", "agreement", "units", "used")


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def _cells(stats: Statistics) -> list[str]:
    return [_number(stats.alpha), _number(stats.kappa), _percent(stats.agreement), str(stats.units), str(stats.used)]


def _table(title: str, rows: Sequence[tuple[str, Statistics]]) -> list[str]:
    """Rows of names and their statistics, in aligned columns (names left, numbers right)."""
    cells = [[printable(name), *_cells(stats)] for name, stats in rows]
    header = [title, *_COLUMNS]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    return [
        "  ".join(
            [row[0].ljust(widths[0]), *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))]
        ).rstrip()
        for row in [header, *cells]
    ]


def _codes(codes: Sequence[str]) -> str:
    return ", ".join(codes) if codes else NOTHING


def _value(disagreement: Disagreement, coder: str) -> str:
    return NOT_CODED if coder in disagreement.not_coded else _codes(disagreement.coders[coder])


def disagreement_line(disagreement: Disagreement) -> str:
    """`path:line: role: AB: a, b; CD: c`, clickable in editors and terminals."""
    coders = "; ".join(f"{coder}: {_value(disagreement, coder)}" for coder in disagreement.coders)
    return printable(f"{disagreement.path}:{disagreement.line}: {disagreement.role}: {coders}")


def _passages(count: int) -> str:
    return f"{count} passage{'' if count == 1 else 's'}"


def _summary(agreement: Agreement) -> list[str]:
    coders = ", ".join(agreement.coders) if agreement.coders else "none"
    if agreement.by_revisions:
        return [
            f"coders: {coders}; {agreement.units} of {agreement.passages} coded passages compared at every "
            f"revision that has their transcript ({NOT_CODED} where a revision did not code one)"
        ]
    return [
        f"coders: {coders}; {agreement.units} of {agreement.passages} coded passages double-coded "
        "(coded by two or more coders)",
        f"single-coded: {_passages(agreement.single_coded)} coded by one coder only, in transcripts two or more "
        "coders coded (left out of the figures)",
    ]


def _notes(agreement: Agreement) -> list[str]:
    """Why a figure is n/a, and how kappa was taken with more than two coders."""
    notes = []
    if agreement.units == 0:
        notes.append(
            "no passage is coded by two or more coders, so there is nothing to compare: double-code a passage "
            "with a second `cmo` block (`coder: NAME`) beside the first, or compare branches with --rev A --rev B"
        )
    reasons = sorted({s.reason for s in agreement.roles.values() if s.reason and agreement.units})
    notes += [f"n/a: {reason}" for reason in reasons]
    if agreement.units:
        notes.append(
            "used: the units in which at least one coder gave a code in the role (a CMOC; a mechanism or an "
            "outcome): 100% agreement with few used means the coders mostly agreed to leave it empty"
        )
    if agreement.without_cmoc:
        notes.append(
            f"same CMOC leaves out {_passages(agreement.without_cmoc)} that no coder put in a CMOC (fragments: "
            "no mechanism or no outcome)"
        )
    if any(stats.pairs for stats in agreement.roles.values()):
        notes.append("kappa: the mean of the pairwise Cohen's kappas (each pair in --format json, `pairs`)")
    return notes


def format_text(agreement: Agreement) -> str:
    """The roles' table, the configuration level, then every disagreement as `path:line: role: ...`."""
    lines = [*(printable(line) for line in _summary(agreement)), ""]
    lines += _table("role", list(agreement.roles.items()))
    lines.append("")
    lines += _table("configuration", [(_CONFIGURATION_NAMES[k], v) for k, v in agreement.configurations.items()])
    notes = _notes(agreement)
    if notes:
        lines += ["", *notes]
    if agreement.disagreements:
        lines += ["", f"disagreements ({len(agreement.disagreements)}):"]
        lines += [disagreement_line(d) for d in agreement.disagreements]
    elif agreement.units:
        lines += ["", "no disagreements: every double-coded passage was coded the same way"]
    return "\n".join(lines) + "\n"


def _md_table(title: str, rows: Sequence[tuple[str, Statistics]]) -> list[str]:
    lines = [f"| {title} | alpha | kappa | agreement | units | used |", "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {md_escape(name)} | " + " | ".join(_cells(stats)) + " |" for name, stats in rows]
    return lines


def format_md(agreement: Agreement) -> str:
    """The same as Markdown: tables of roles, configurations and codes, then the disagreements as a list."""
    lines = ["# Inter-coder agreement", "", *(md_escape(line) + "  " for line in _summary(agreement)), ""]
    lines += [*_md_table("role", list(agreement.roles.items())), ""]
    names = [(_CONFIGURATION_NAMES[k], v) for k, v in agreement.configurations.items()]
    lines += [*_md_table("configuration", names), ""]
    lines += [text for note in _notes(agreement) for text in (md_escape(note), "")]
    if agreement.codes:
        lines += ["## Codes (present or absent in each passage)", ""]
        lines += [*_md_table("code", list(agreement.codes.items())), ""]
    lines += ["## Disagreements", ""]
    for d in agreement.disagreements:
        coders = "; ".join(f"{md_escape(coder)}: {md_escape(_value(d, coder))}" for coder in d.coders)
        lines.append(f"- `{printable(d.path)}:{d.line}` {d.role}: {coders}")
    if not agreement.disagreements:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def statistics_dict(stats: Statistics) -> dict[str, Any]:
    """One question's figures as the JSON interface gives them (null where undefined, with the reason)."""
    data: dict[str, Any] = {
        "alpha": _round(stats.alpha),
        "kappa": _round(stats.kappa),
        "agreement": _round(stats.agreement),
        "units": stats.units,
        "used": stats.used,
        "reason": stats.reason,
    }
    if stats.pairs:
        data["pairs"] = [
            {"coders": list(pair.coders), "kappa": _round(pair.kappa), "units": pair.units} for pair in stats.pairs
        ]
    return data


def agreement_dict(agreement: Agreement) -> dict[str, Any]:
    """The JSON interface: coders, roles, codes, configurations and disagreements."""
    return {
        "coders": agreement.coders,
        "passages": agreement.passages,
        "units": agreement.units,
        "single_coded": agreement.single_coded,
        "without_cmoc": agreement.without_cmoc,
        "roles": {role: statistics_dict(stats) for role, stats in agreement.roles.items()},
        "codes": {code: statistics_dict(stats) for code, stats in agreement.codes.items()},
        "configurations": {name: statistics_dict(stats) for name, stats in agreement.configurations.items()},
        "disagreements": [
            {
                "path": d.path,
                "line": d.line,
                "role": d.role,
                "coders": {coder: list(codes) for coder, codes in d.coders.items()},
                "not_coded": list(d.not_coded),
            }
            for d in agreement.disagreements
        ],
    }


def format_json(agreement: Agreement) -> str:
    return json_controls(json.dumps(agreement_dict(agreement), indent=2, ensure_ascii=False)) + "\n"


def format_csv(agreement: Agreement) -> bytes:
    """One row per disagreement, a column per coder: UTF-8 with a byte-order mark, CRLF lines, formulas defused.

    A coder's cell is blank when they did not code the passage, "(none)" when they gave no code in the role,
    "(not coded)" when, a revision, they had the transcript but did not code the passage.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([defuse(name) for name in ("path", "line", "role", *agreement.coders)])
    for d in agreement.disagreements:
        cells = [_value(d, coder) if coder in d.coders else "" for coder in agreement.coders]
        writer.writerow([defuse(d.path), d.line, d.role, *(defuse(cell) for cell in cells)])
    return buffer.getvalue().encode("utf-8-sig")
