"""`cmo query`'s answers: one hit per line as `path:line: [cmoc] quote`, or JSON Lines, CSV or Markdown; or counts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from cmo.analysis.evidence import ROLE_FIELDS, Coded
from cmo.core.words import numbered
from cmo.render.escape import json_controls, md_escape, printable

QUERY_FORMATS = ("text", "jsonl", "csv", "md")
# A quote on a hit's line is cut (at a word) to about this many characters: the line is for finding it.
QUOTE_WIDTH = 100
NO_CMOC = "-"
CSV_COLUMNS = (
    "path",
    "line",
    "cmoc",
    "record",
    "programme",
    "transcript",
    "source",
    "date",
    "coder",
    "participants",
    *ROLE_FIELDS,
    "stance",
    "elicited",
    "quote",
)
_SEPARATOR = "; "


def one_line(text: str) -> str:
    """The text on one line, every run of white space one space, controls shown as symbols."""
    return printable(" ".join(text.split()))


def shorten(text: str, width: int = QUOTE_WIDTH) -> str:
    """`text` on one line, cut at the last word that fits in `width` with '...' after it."""
    line = one_line(text)
    if len(line) <= width:
        return line
    cut = line[: width - 3]
    space = cut.rfind(" ")
    return (cut[:space] if space > width // 2 else cut).rstrip(" ,;:") + "..."


def cmoc_text(row: Coded) -> str:
    return ", ".join(row.cmocs) or NO_CMOC


def hit_line(row: Coded) -> str:
    """`path:line: [cmoc] quote`: clickable in editors and terminals."""
    return f"{printable(row.shown)}:{row.record['line_start']}: [{cmoc_text(row)}] {shorten(row.record['quote'])}"


def text_chunks(rows: Iterable[Coded]) -> Iterator[str]:
    for row in rows:
        yield hit_line(row) + "\n"


def hit_data(row: Coded) -> dict[str, Any]:
    """A hit as JSON data: the record as `cmo code --out` writes it, with its CMOCs and passage beside."""
    return {**row.record, "cmocs": list(row.cmocs), "passage": row.passage, "shown": row.shown}


def jsonl_chunks(rows: Iterable[Coded]) -> Iterator[str]:
    for row in rows:
        yield json_controls(json.dumps(hit_data(row), ensure_ascii=False)) + "\n"


def _participants(record: dict[str, Any]) -> str:
    return _SEPARATOR.join(
        f"{p['id']} ({p['role']})" if p.get("role") else str(p["id"]) for p in record["participants"]
    )


def csv_row(row: Coded) -> list[str | int]:
    record = row.record
    cells: list[str | int] = [row.shown, record["line_start"], _SEPARATOR.join(row.cmocs), record["id"]]
    cells += [row.programme, record["transcript"], record["source"], record["date"] or "", record["coder"] or ""]
    cells.append(_participants(record))
    cells += [_SEPARATOR.join(record[name]) for name in ROLE_FIELDS]
    cells += [record["stance"], "yes" if record["elicited"] else "no", record["quote"]]
    return cells


def csv_chunks(rows: Iterable[Coded]) -> Iterator[str]:
    """A byte-order mark, then CRLF rows, cells defused: as `cmo code --out records.csv`."""
    from cmo.render.records_table import csv_rows

    return csv_rows(CSV_COLUMNS, (csv_row(row) for row in rows))


def _md_cell(text: str) -> str:
    return md_escape(" ".join(text.split()))


def md_chunks(rows: Sequence[Coded]) -> Iterator[str]:
    """A Markdown table: where, CMOC, stance, coder and the quote whole."""
    yield f"{numbered(len(rows), 'hit')}\n\n"
    if not rows:
        return
    yield "| where | CMOC | stance | coder | quote |\n|---|---|---|---|---|\n"
    for row in rows:
        record = row.record
        where = _md_cell(f"{row.shown}:{record['line_start']}")
        cells = [where, _md_cell(cmoc_text(row)), record["stance"], _md_cell(record["coder"] or "-")]
        yield f"| {' | '.join(cells)} | {_md_cell(record['quote'])} |\n"


def counts(rows: Sequence[Coded]) -> dict[str, int]:
    """Hits (records), the distinct passages they code, and the transcripts they are in."""
    return {
        "hits": len(rows),
        "passages": len({row.passage for row in rows}),
        "transcripts": len({row.transcript for row in rows}),
    }


def count_chunks(rows: Sequence[Coded], fmt: str) -> Iterator[str]:
    found = counts(rows)
    if fmt == "jsonl":
        yield json.dumps(found) + "\n"
    elif fmt == "csv":
        yield "\ufeffhits,passages,transcripts\r\n" + f"{found['hits']},{found['passages']},{found['transcripts']}\r\n"
    else:
        yield (
            f"{numbered(found['hits'], 'hit')}, {numbered(found['passages'], 'distinct passage')}, "
            f"{numbered(found['transcripts'], 'transcript')}\n"
        )


def query_chunks(rows: Sequence[Coded], fmt: str) -> Iterator[str]:
    """The hits in the format asked for (one of QUERY_FORMATS)."""
    if fmt == "text":
        return text_chunks(rows)
    if fmt == "jsonl":
        return jsonl_chunks(rows)
    if fmt == "csv":
        return csv_chunks(rows)
    if fmt == "md":
        return md_chunks(rows)
    raise ValueError(f"unknown query format {fmt!r}")
