"""Records out: the library's own JSON form of CMO records as JSON, JSON Lines or YAML, or a table as CSV or xlsx."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePath
from typing import Any

from cmo.corpus.models import Record
from cmo.yamlio.emitter import dump

RECORD_FORMATS = ("jsonl", "json", "yaml", "csv", "xlsx")
# The format an --out file's suffix (in any case) asks for; any other suffix names none.
RECORD_FORMAT_BY_SUFFIX = {
    ".jsonl": "jsonl",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".csv": "csv",
    ".xlsx": "xlsx",
}


def record_dicts(records: Sequence[Record]) -> list[dict[str, Any]]:
    return [record.model_dump(mode="json") for record in records]


def record_format(path: PurePath) -> str | None:
    """The records format `path`'s suffix names, or None."""
    return RECORD_FORMAT_BY_SUFFIX.get(path.suffix.lower())


def records_workbook(records: Iterable[Record]) -> bytes:
    """Records as an Excel workbook: one row per record, one column per field (built whole, not streamed)."""
    from cmo.render.records_table import records_workbook as workbook

    return workbook(records)


def _data(record: Record | dict[str, Any]) -> dict[str, Any]:
    return record if isinstance(record, dict) else record.model_dump(mode="json")


def record_chunks(records: Iterable[Record] | Iterable[dict[str, Any]], fmt: str) -> Iterator[str]:
    """Records as text, piece by piece, so a large corpus is written without holding all its records.

    Records are models or the plain data `Record.model_dump(mode="json")` gives (written without a model).
    """
    if fmt == "csv":
        from cmo.render.records_table import csv_chunks

        yield from csv_chunks(
            record if isinstance(record, Record) else Record.model_validate(record) for record in records
        )
    elif fmt == "jsonl":
        yield from jsonl_chunks(json.dumps(_data(record), ensure_ascii=False) for record in records)
    elif fmt == "json":
        first = True
        for record in records:
            text = json.dumps(_data(record), ensure_ascii=False, indent=2)
            yield ("[\n" if first else ",\n") + "  " + text.replace("\n", "\n  ")
            first = False
        yield "[]\n" if first else "\n]\n"
    elif fmt == "yaml":
        for record in records:
            yield dump([_data(record)])
    else:
        raise ValueError(f"unknown records format {fmt!r}")


def jsonl_chunks(lines: Iterable[str], batch: int = 256) -> Iterator[str]:
    """JSON Lines text from records already JSON text (one line each, no newline), a few hundred lines a piece."""
    pending: list[str] = []
    for line in lines:
        pending.append(line)
        if len(pending) == batch:
            yield "\n".join(pending) + "\n"
            pending = []
    if pending:
        yield "\n".join(pending) + "\n"
