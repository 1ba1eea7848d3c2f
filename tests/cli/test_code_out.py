"""`cmo code --out`: the format from the file's suffix or --format, and records as a CSV or xlsx table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
import yaml

from cmo.corpus.coding import code_corpus
from cmo.render.records_table import csv_chunks
from tests.conftest import TRANSCRIPT, Result, corpus_files

COLUMNS = [
    "id",
    "programme",
    "transcript",
    "source",
    "path",
    "line_start",
    "line_end",
    "quote",
    "participants",
    "coder",
    "date",
    "context",
    "intervention",
    "actor",
    "mechanism",
    "resource",
    "reasoning",
    "outcome",
    "enablers",
    "barriers",
    "cmoc",
    "stance",
    "elicited",
    "note",
    "annotation_line",
]
FORMULA = '=HYPERLINK("http://example.org","click") said the poster by the door.'
POSTER = f"""\
---
id: a-obs-01
source: observation
participants: [P02, {{id: P03, role: "manager, trust"}}]
---

{FORMULA}

```cmo
context: [stigma, short-funding]
intervention: connectors
outcome: help-seeking
cmoc: posters-help
elicited: false
note: "+1 for the poster; @everyone saw it"
```
"""
USAGE = (
    "cmo: error: cannot tell the records format from --out {out}: end the file name in "
    ".jsonl, .json, .yaml, .yml, .csv or .xlsx, or give --format jsonl, json, yaml, csv or xlsx\n"
)


@pytest.fixture
def study(tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tree(corpus_files(t=TRANSCRIPT, poster=POSTER))
    monkeypatch.chdir(root)
    return root


def _jsonl(cli: Callable[..., Result]) -> list[dict[str, Any]]:
    result = cli("code", "-q", "--out", "records.jsonl", ".")
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in Path("records.jsonl").read_text(encoding="utf-8").splitlines()]


def _cell(name: str, value: Any) -> str:
    """A record field as the table writes it, worked out here from the JSON form."""
    if name == "participants":
        return "; ".join(p["id"] + (f" ({p['role']})" if p.get("role") else "") for p in value)
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _rows(records: list[dict[str, Any]]) -> list[list[str]]:
    assert all(list(record) == COLUMNS for record in records)
    return [[_cell(name, record[name]) for name in COLUMNS] for record in records]


def _defused(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the byte-order mark, so Excel reads UTF-8
    text = data.decode("utf-8-sig")
    assert text.count("\r\n") == text.count("\n")  # every line ends CRLF, inside a quoted cell or not
    return list(csv.reader(io.StringIO(text, newline="")))


def _read_xlsx(path: Path) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))["Records"]  # whatever its suffix
    return [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]


def _load(path: Path, fmt: str) -> Any:
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if fmt == "json":
        return json.loads(path.read_text(encoding="utf-8"))
    if fmt == "yaml":
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in loaded:
            item["date"] = item["date"] and str(item["date"])
        return loaded
    if fmt == "csv":
        return _read_csv(path.read_bytes())
    return _read_xlsx(path)


def _expected(records: list[dict[str, Any]], fmt: str) -> Any:
    if fmt in ("jsonl", "json", "yaml"):
        return records
    rows = [COLUMNS, *_rows(records)]
    return [[_defused(cell) for cell in row] for row in rows] if fmt == "csv" else rows


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("r.jsonl", "jsonl"),
        ("r.json", "json"),
        ("r.yaml", "yaml"),
        ("r.yml", "yaml"),
        ("r.csv", "csv"),
        ("R.CSV", "csv"),
        ("r.xlsx", "xlsx"),
    ],
)
def test_the_suffix_names_the_format(study: Path, cli: Callable[..., Result], name: str, fmt: str) -> None:
    records = _jsonl(cli)
    assert len(records) == 2
    result = cli("code", "--out", name, ".")
    assert result.exit_code == 0, result.stderr
    assert "wrote 2 records to " + name in result.stderr
    assert _load(Path(name), fmt) == _expected(records, fmt)


def test_the_records_agree_with_the_library(study: Path, cli: Callable[..., Result]) -> None:
    records = _jsonl(cli)
    assert records == [record.model_dump(mode="json") for record in code_corpus([Path()]).records]


@pytest.mark.parametrize(("name", "fmt"), [("r.json", "csv"), ("r.csv", "yaml"), ("r.txt", "json"), ("r", "xlsx")])
def test_format_overrides_the_suffix(study: Path, cli: Callable[..., Result], name: str, fmt: str) -> None:
    records = _jsonl(cli)
    result = cli("code", "-q", "--out", name, "--format", fmt, ".")
    assert result.exit_code == 0, result.stderr
    assert _load(Path(name), fmt) == _expected(records, fmt)


@pytest.mark.parametrize("name", ["records.txt", "records", "records.jsonl.bak"])
def test_an_unknown_suffix_without_format_is_a_usage_error(study: Path, cli: Callable[..., Result], name: str) -> None:
    result = cli("code", "--out", name, ".")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", USAGE.format(out=name))
    assert not Path(name).exists()


def test_standard_output_is_jsonl_unless_format_says(study: Path, cli: Callable[..., Result]) -> None:
    records = _jsonl(cli)
    result = cli("code", "-q", "--out", "-", ".")
    assert [json.loads(line) for line in result.stdout.splitlines()] == records
    result = cli("code", "-q", "--out", "-", "--format", "csv", ".")
    assert result.exit_code == 0, result.stderr
    assert _read_csv(result.stdout.encode("utf-8")) == _expected(records, "csv")


def test_a_workbook_cannot_go_to_standard_output(study: Path, cli: Callable[..., Result]) -> None:
    result = cli("code", "--out", "-", "--format", "xlsx", ".")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "cmo: error: --format xlsx writes a workbook, which cannot go to standard output: give --out FILE.xlsx\n"
    )


def test_a_formula_looking_quote_stays_text_in_csv(study: Path, cli: Callable[..., Result]) -> None:
    assert cli("code", "-q", "--out", "r.csv", ".").exit_code == 0
    header, *rows = _read_csv(Path("r.csv").read_bytes())
    [poster] = [dict(zip(header, row, strict=True)) for row in rows if row[2] == "a-obs-01"]
    assert poster["quote"] == "'" + FORMULA
    assert poster["note"] == "'+1 for the poster; @everyone saw it"
    assert poster["participants"] == "P02; P03 (manager, trust)"
    assert poster["context"] == "stigma; short-funding"
    assert (poster["elicited"], poster["resource"], poster["line_start"]) == ("no", "", "7")


def test_a_formula_looking_quote_stays_text_in_xlsx(study: Path, cli: Callable[..., Result]) -> None:
    assert cli("code", "-q", "--out", "r.xlsx", ".").exit_code == 0
    sheet = openpyxl.load_workbook("r.xlsx")["Records"]
    header = [cell.value for cell in sheet[1]]
    assert header == COLUMNS
    [row] = [cells for cells in sheet.iter_rows(min_row=2) if cells[2].value == "a-obs-01"]
    quote, note = row[COLUMNS.index("quote")], row[COLUMNS.index("note")]
    assert (quote.value, quote.data_type, quote.quotePrefix) == (FORMULA, "s", True)
    assert (note.value, note.data_type, note.quotePrefix) == ("+1 for the poster; @everyone saw it", "s", True)
    assert row[COLUMNS.index("line_start")].value == 7  # a number stays a number
    assert sheet.freeze_panes == "A2"


def test_the_same_records_give_the_same_workbook(study: Path, cli: Callable[..., Result]) -> None:
    assert cli("code", "-q", "--out", "a.xlsx", ".").exit_code == 0
    assert cli("code", "-q", "--no-cache", "--out", "b.xlsx", ".").exit_code == 0
    assert Path("a.xlsx").read_bytes() == Path("b.xlsx").read_bytes()


def test_csv_is_written_a_record_at_a_time(study: Path) -> None:
    [record, *_] = code_corpus([Path()]).records
    taken: list[int] = []

    def records() -> Iterator[Any]:
        for index in range(3):
            taken.append(index)
            yield record

    chunks = csv_chunks(records())
    assert next(chunks).startswith("\ufeffid,programme,") and taken == []
    assert next(chunks).startswith(record.id + ",") and taken == [0]
    assert len(list(chunks)) == 2 and taken == [0, 1, 2]
