"""Diagnostics as output: the one human line per finding, JSON, and GitHub Actions annotations."""

from __future__ import annotations

import json
from collections.abc import Iterable

from cmo.core.diagnostics import Diagnostic


def format_text(diagnostics: Iterable[Diagnostic]) -> str:
    return "".join(d.format() + "\n" for d in diagnostics)


def format_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([d.to_dict() for d in diagnostics], indent=2, ensure_ascii=False) + "\n"


def _github_escape(value: str, *, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(diagnostics: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands, so findings show as annotations on the pull request."""
    lines = []
    for d in diagnostics:
        props = ",".join(
            [
                f"file={_github_escape(d.path, property_value=True)}",
                f"line={d.line}",
                f"col={d.column}",
                f"title={_github_escape(d.rule, property_value=True)}",
            ]
        )
        lines.append(f"::{d.severity} {props}::{_github_escape(d.message)}\n")
    return "".join(lines)
