"""Records out: the library's own JSON form of CMO records, as JSON, JSON Lines or YAML text."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from cmo.corpus.models import Record
from cmo.yamlio.emitter import dump

RECORD_FORMATS = ("jsonl", "json", "yaml")


def record_dicts(records: Sequence[Record]) -> list[dict[str, Any]]:
    return [record.model_dump(mode="json") for record in records]


def record_chunks(records: Iterable[Record], fmt: str) -> Iterator[str]:
    """Records as text, piece by piece, so a large corpus is written without holding all its records."""
    if fmt == "jsonl":
        for record in records:
            yield json.dumps(record.model_dump(mode="json"), ensure_ascii=False) + "\n"
    elif fmt == "json":
        first = True
        for record in records:
            text = json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2)
            yield ("[\n" if first else ",\n") + "  " + text.replace("\n", "\n  ")
            first = False
        yield "[]\n" if first else "\n]\n"
    elif fmt == "yaml":
        for record in records:
            yield dump([record.model_dump(mode="json")])
    else:
        raise ValueError(f"unknown records format {fmt!r}")
