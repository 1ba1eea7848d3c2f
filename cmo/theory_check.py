"""Checks on theory files beyond their schema: duplicate CMOC ids, dangling links, codes no codebook declares."""

from __future__ import annotations

from pathlib import Path

from cmo.corpus import Corpus, display_path
from cmo.diagnostics import Diagnostics, Severity
from cmo.suggest import did_you_mean
from cmo.theory import load_theory
from cmo.yamlio import Mark, locate

THEORY_SUFFIXES = (".yaml", ".yml")
_NOT_THEORIES = {"programme.yaml", "codebook.yaml"}


def is_theory_path(path: Path) -> bool:
    """A theory file, or a folder of them (no programme.yaml in or under it)."""
    if path.is_file():
        return path.suffix in THEORY_SUFFIXES and path.name not in _NOT_THEORIES
    if not path.is_dir() or (path / "programme.yaml").exists() or any(path.glob("*/programme.yaml")):
        return False
    return any(path.glob("*.yaml")) or any(path.glob("*.yml"))


def theory_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.suffix in THEORY_SUFFIXES and p.is_file())


def check_theory(path: Path, corpus: Corpus | None, diagnostics: Diagnostics) -> None:
    """Report everything wrong with one theory file into `diagnostics`."""
    shown = display_path(path)
    theory, data = load_theory(path, shown, diagnostics)
    if theory is None:
        return
    ids = {cmoc.id for cmoc in theory.cmocs}
    first_at: dict[str, int] = {}
    for index, cmoc in enumerate(theory.cmocs):
        mark = locate(data, ("cmocs", index, "id")) or Mark(1, 1)
        if cmoc.id in first_at:
            diagnostics.add(
                shown,
                mark.line,
                mark.column,
                "duplicate-cmoc",
                f"CMOC id {cmoc.id!r} appears twice (first at line {first_at[cmoc.id]})",
            )
        else:
            first_at[cmoc.id] = mark.line
        for position, link in enumerate(cmoc.links):
            if link not in ids:
                at = locate(data, ("cmocs", index, "links", position)) or mark
                diagnostics.add(
                    shown,
                    at.line,
                    at.column,
                    "dangling-link",
                    f"CMOC {cmoc.id!r} links to {link!r}, which is not a CMOC of this theory{did_you_mean(link, ids)}",
                )
    programme = corpus.programmes.get(theory.programme.id) if corpus else None
    if programme is None:
        diagnostics.add(
            shown,
            1,
            1,
            "programme-unknown",
            f"programme {theory.programme.id!r} is not in the corpus; codes were not checked",
            Severity.WARNING,
        )
        return
    for index, cmoc in enumerate(theory.cmocs):
        for role, refs in cmoc.codes.items():
            for position, ref in enumerate(refs):
                if ref.id not in programme.codes:
                    at = locate(data, ("cmocs", index, "codes", role, position, "id")) or Mark(1, 1)
                    diagnostics.add(
                        shown,
                        at.line,
                        at.column,
                        "unknown-code",
                        f"unknown code {ref.id!r}: not in any codebook of programme {programme.id!r}"
                        f"{did_you_mean(ref.id, programme.codes)}",
                    )
