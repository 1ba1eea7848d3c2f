"""The study a command runs in, found as git finds `.git`: the nearest folder up with `cmo.yaml`, `corpus/` or `theories/`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from cmo.core.diagnostics import Diagnostics
from cmo.core.files import read_or_report
from cmo.core.paths import display_path
from cmo.core.rules import Rule
from cmo.yamlio.reader import UNREAD, Mark, load_reported, locate
from cmo.yamlio.schema import validate

MARKER = "cmo.yaml"


class StudyFile(BaseModel):
    """`cmo.yaml`: marks a study's root and may say where its corpus and theories are (relative to it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    corpus: str = "corpus"
    theories: str = "theories"


@dataclass(frozen=True)
class Study:
    """A study's root and where its corpus and theories are; `marker` is None for a folder found by its folders."""

    root: Path
    corpus: Path
    theories: Path
    marker: Path | None = None


def _inside(root: Path, relative: str) -> Path:
    """`relative` under `root`; a path that climbs out of the study is refused, as a hostile file's would be."""
    path = (root / relative).resolve()
    if path != root.resolve() and root.resolve() not in path.parents:
        raise ValueError(f"{relative!r} is outside the study folder")
    return root / relative


def read_marker(path: Path, diagnostics: Diagnostics) -> Study | None:
    """The study a `cmo.yaml` marks, or None after reporting what is wrong with the file."""
    shown = display_path(path)
    raw = read_or_report(path, shown, diagnostics)
    if raw is None:
        return None
    data = load_reported(raw, shown, diagnostics)
    if data is UNREAD:
        return None
    found = validate(StudyFile, {} if data is None else data, path=shown, diagnostics=diagnostics, what="cmo.yaml")
    if found is None:
        return None
    root = path.parent
    for key in ("corpus", "theories"):
        try:
            _inside(root, getattr(found, key))
        except ValueError as exc:
            mark = locate(data, (key,)) or Mark(1, 1)
            diagnostics.add(shown, mark.line, mark.column, Rule.INVALID_VALUE, f"{exc}; {key} must be inside it")
            return None
    return Study(root, root / found.corpus, root / found.theories, path)


def find_study(start: Path, diagnostics: Diagnostics) -> Study | None:
    """The nearest study at or above `start`: a folder with `cmo.yaml`, or else with a `corpus/` or `theories/` folder.

    A relative `start` gives relative paths (`..`, `../corpus`), so messages name files as the user sees them.
    """
    absolute = start.resolve()
    for folder in _folders_up(absolute):
        root = folder if start.is_absolute() else Path(os.path.relpath(folder))
        if (folder / MARKER).is_file():
            return read_marker(root / MARKER, diagnostics)
        if (folder / "corpus").is_dir() or (folder / "theories").is_dir():
            return Study(root, root / "corpus", root / "theories")
    return None


def _folders_up(start: Path) -> list[Path]:
    """`start` and the folders above it, stopping below any in `CMO_CEILING_DIRECTORIES` (as git's variable does).

    The variable is a list of absolute paths (separated as PATH is); a ceiling itself is not searched, so a
    stray `corpus/` in a shared folder above many studies (a temp folder, a home) is never taken for one.
    """
    ceilings = {
        Path(part).resolve() for part in os.environ.get("CMO_CEILING_DIRECTORIES", "").split(os.pathsep) if part
    }
    found = [start]
    for folder in start.parents:
        if folder in ceilings:
            break
        found.append(folder)
    return found
