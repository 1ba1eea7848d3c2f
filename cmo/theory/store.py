"""Where theory files are and how to load them: programme ids to paths, folders to files, the overarching guard."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cmo.core.diagnostics import Diagnostics
from cmo.core.files import read_or_report
from cmo.core.paths import display_path
from cmo.core.rules import Rule
from cmo.theory.model import (
    OverarchingTheory,
    Theory,
    is_overarching,
    is_programme_theory,
    load_overarching_bytes,
    parse_document,
    readable,
)
from cmo.yamlio.reader import UNSURE, first_key, load_plain
from cmo.yamlio.schema import validate

M = TypeVar("M", bound=BaseModel)

THEORY_SUFFIXES = (".yaml", ".yml")
# Where `cmo synthesise` writes the overarching theory by default, in the theories folder.
OVERARCHING_NAME = "overarching.yaml"
_NEITHER = "neither a programme theory (no `programme:`) nor an overarching theory (no `programmes:`)"
_OVERARCHING_HERE = "this is the overarching theory, not a programme theory (`cmo report overarching` shows it)"
# The corpus's own YAML files, which sit beside transcripts and are never theories.
_NOT_THEORIES = {"programme.yaml", "codebook.yaml"}


class TheoryError(Exception):
    """Theory files that cannot be found or read; the diagnostics say why."""


def is_theory_path(path: Path) -> bool:
    """A theory file, or a folder of them (no programme.yaml in or under it)."""
    if path.is_file():
        return path.suffix in THEORY_SUFFIXES and path.name not in _NOT_THEORIES
    if not path.is_dir() or (path / "programme.yaml").exists() or any(path.glob("*/programme.yaml")):
        return False
    # A study's theories/ before the first merge holds no theory yet, and is still no corpus folder.
    return path.name == "theories" or any(path.glob("*.yaml")) or any(path.glob("*.yml"))


def theory_files(path: Path) -> list[Path]:
    """The theory files a path names: itself, or the YAML files directly in the folder."""
    if path.is_file():
        return [path]
    # Everything but folders: a theory file that is a pipe, a device or a dangling link is reported unreadable.
    return sorted(p for p in path.iterdir() if p.suffix in THEORY_SUFFIXES and not p.is_dir())


def programme_theory_names(theories: Path) -> list[str]:
    """The programme ids of every programme theory in the folder (the overarching theory left out), sorted."""
    # As `cmo validate`: a folder or a dangling link named *.yaml is no theory file.
    return [
        path.stem
        for path in sorted(p for p in theories.glob("*.yaml") if p.is_file())
        if _not_overarching(path.read_bytes(), str(path))
    ]


def _not_overarching(raw: bytes, shown: str) -> bool:
    """Whether the file is no overarching theory: told by its first key `programme` alone, else by reading it."""
    # A top-level mapping whose first key is `programme` is a programme theory or an unreadable file: never
    # the overarching theory, whatever the rest holds, so programme theories are not read twice.
    if first_key(raw) == "programme":
        return True
    data = load_plain(raw)
    return not is_overarching(parse_document(raw, shown, Diagnostics()) if data is UNSURE else data)


def resolve_theory(name: str, theories: Path) -> Path:
    """A programme id means theories/<id>.yaml; anything that looks like a path is taken as one."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        return path
    return theories / f"{name}.yaml"


@dataclass
class Loaded:
    """The theory files a command named: programme theories, and the overarching theory when one was among them."""

    theories: list[Theory] = field(default_factory=list)
    overarching: OverarchingTheory | None = None


def _load_one(name: str, theories: Path, loaded: Loaded, diagnostics: Diagnostics, overarching_ok: bool) -> None:
    path = resolve_theory(name, theories)
    shown = display_path(path)
    if not path.is_file():
        diagnostics.add(shown, 1, 1, Rule.THEORY_MISSING, f"no theory file for {name!r} (run `cmo merge` first?)")
        return
    raw = read_or_report(path, shown, diagnostics)
    if raw is None or _quick_one(raw, loaded, overarching_ok):
        return
    data = parse_document(raw, shown, diagnostics)
    if not readable(data):
        return
    if is_programme_theory(data):
        theory = validate(Theory, data, path=shown, diagnostics=diagnostics, what="a theory file")
        if theory is not None:
            loaded.theories.append(theory)
    elif not is_overarching(data):
        diagnostics.add(shown, 1, 1, Rule.THEORY_KIND, _NEITHER)
    elif not overarching_ok:
        diagnostics.add(shown, 1, 1, Rule.THEORY_KIND, _OVERARCHING_HERE)
    elif loaded.overarching is not None:
        diagnostics.add(shown, 1, 1, Rule.COMPARE_DUPLICATE, "only one overarching theory can be reported at a time")
    else:
        loaded.overarching = load_overarching_bytes(raw, shown, diagnostics)


def _valid(model: type[M], data: Any) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _quick_one(raw: bytes, loaded: Loaded, overarching_ok: bool) -> bool:
    """Whether the file, read the fast way, is a valid theory of a kind wanted here, now in `loaded`.

    Anything else (the fast reading unsure, the data invalid, the wrong kind) is read again the full way,
    which reports it with its lines: the fast way only ever gives what the full way would.
    """
    data = load_plain(raw)
    if is_programme_theory(data):
        theory = _valid(Theory, data)
        if theory is not None:
            loaded.theories.append(theory)
            return True
    elif is_overarching(data) and overarching_ok and loaded.overarching is None:
        loaded.overarching = _valid(OverarchingTheory, data)
        return loaded.overarching is not None
    return False


def load_named(names: Sequence[str], theories: Path, diagnostics: Diagnostics, overarching_ok: bool = False) -> Loaded:
    """The theory files the names refer to; raises TheoryError after reporting any that cannot be read.

    A file of the wrong kind (the overarching theory where only programme theories are read, or neither
    kind) is reported as `theory-kind` in one line, not as the schema errors of the other kind.
    """
    loaded = Loaded()
    for name in names:
        _load_one(name, theories, loaded, diagnostics, overarching_ok)
    ids = [theory.programme.id for theory in loaded.theories]
    for programme in sorted({p for p in ids if ids.count(p) > 1}):
        diagnostics.add(str(theories), 1, 1, Rule.COMPARE_DUPLICATE, f"programme {programme!r} is given twice")
    if diagnostics.errors:
        raise TheoryError("cannot compare")
    return loaded


def load_theories(names: Sequence[str], theories: Path, diagnostics: Diagnostics) -> list[Theory]:
    """The programme theories the names refer to; raises TheoryError after reporting any that cannot be read."""
    return load_named(names, theories, diagnostics).theories


def overarching_beside(theories: Path, diagnostics: Diagnostics) -> OverarchingTheory | None:
    """The theories folder's overarching theory, when there is one (its problems reported as errors)."""
    path = theories / OVERARCHING_NAME
    if not path.is_file():
        return None
    shown = display_path(path)
    raw = read_or_report(path, shown, diagnostics)
    if raw is None:
        return None
    data = load_plain(raw)
    quick = _valid(OverarchingTheory, data) if is_overarching(data) else None
    if quick is not None:
        return quick
    if not is_overarching(parse_document(raw, shown, Diagnostics())):
        return None
    return load_overarching_bytes(raw, shown, diagnostics)


def existing_overarching(path: Path, shown: str, diagnostics: Diagnostics) -> str | None:
    """The text of the overarching theory at `path` (None when there is none yet), to be updated in place.

    A file there that is not an overarching theory is reported (`not-overarching`) and must not be
    overwritten: the caller stops when `diagnostics` holds errors.
    """
    if not path.exists():
        return None
    raw = path.read_bytes()
    data = parse_document(raw, shown, diagnostics)
    if not readable(data):
        return None  # reported (not UTF-8, not YAML): the caller stops on the error
    if not is_overarching(data):
        diagnostics.add(shown, 1, 1, Rule.NOT_OVERARCHING, "this file is not an overarching theory; not overwritten")
    return raw.decode("utf-8-sig").replace("\r\n", "\n")
