"""The report formats a file can be written in: each one's renderer, the suffixes that name it, which are binary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cmo.render.view import Report


@dataclass(frozen=True)
class Renderer:
    """How to lay out a report in one format."""

    render: Callable[[Report], str | bytes]
    binary: bool = False  # not for a terminal: written to a file only


# Each imports its renderer when called, so a run loads only the one it uses (openpyxl alone is slow to import).
def _html(report: Report) -> str:
    from cmo.render.html import render_html

    return render_html(report)


def _markdown(report: Report) -> str:
    from cmo.render.markdown import render_markdown

    return render_markdown(report)


def _json(report: Report) -> str:
    from cmo.render.json_data import render_json

    return render_json(report)


def _csv(report: Report) -> bytes:
    from cmo.render.spreadsheet import render_csv

    return render_csv(report)


def _xlsx(report: Report) -> bytes:
    from cmo.render.spreadsheet import render_xlsx

    return render_xlsx(report)


# The terminal's text layout is not here: it is rich tables, which only the command line may draw.
RENDERERS: dict[str, Renderer] = {
    "html": Renderer(_html),
    "md": Renderer(_markdown),
    "json": Renderer(_json),
    "csv": Renderer(_csv),
    "xlsx": Renderer(_xlsx, binary=True),
}
# The format an --out file's suffix asks for; any other suffix means text.
FORMAT_BY_SUFFIX = {".html": "html", ".htm": "html", ".md": "md", ".xlsx": "xlsx", ".csv": "csv", ".json": "json"}
