"""The options and arguments several commands share, and the output formats they offer."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class RecordFormat(StrEnum):
    jsonl = "jsonl"
    json = "json"
    yaml = "yaml"
    csv = "csv"
    xlsx = "xlsx"


class DiagnosticFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


class ListFormat(StrEnum):
    text = "text"
    json = "json"


class CompareFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"


class DiffFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"


class ReportFormat(StrEnum):
    text = "text"
    html = "html"
    md = "md"
    xlsx = "xlsx"
    csv = "csv"
    json = "json"


JobsOption = Annotated[
    int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores).", show_default=False)
]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Code every transcript again, ignoring (and not updating) the cache.")
]
ThresholdOption = Annotated[
    float, typer.Option("--threshold", min=0, max=100, help="Label similarity (0-100) for a fuzzy match.")
]
TheoriesOption = Annotated[
    Path | None,
    typer.Option("--theories", help="Folder of theory files (default: the study's theories/).", show_default=False),
]
CorpusOption = Annotated[
    Path | None, typer.Option("--corpus", help="Corpus whose codebooks give labels and same_as (default: corpus/).")
]
PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Corpus folder, programme folders or transcripts (default: corpus/).", show_default=False),
]
ProgrammesArg = Annotated[
    list[str], typer.Argument(help="Two or more programme ids (theories/<id>.yaml) or theory files.")
]
StaleStrictOption = Annotated[
    bool,
    typer.Option("--strict", help="Exit 1 when a theory is stale against the corpus (merge would change it)."),
]
