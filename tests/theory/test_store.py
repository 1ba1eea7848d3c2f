"""Finding and guarding theory files: programme ids to paths, folders to files, the overarching guard."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.core.diagnostics import Diagnostics
from cmo.theory.store import (
    TheoryError,
    existing_overarching,
    is_theory_path,
    load_theories,
    programme_theory_names,
    resolve_theory,
    theory_files,
)

PROGRAMME_THEORY = "programme:\n  id: {id}\n  name: {id}\ncmocs: []\n"
OVERARCHING = "programmes: [alpha, beta]\ncmocs: []\n"


def test_a_programme_id_names_its_file_and_a_path_is_taken_as_given(tmp_path: Path) -> None:
    assert resolve_theory("alpha", tmp_path) == tmp_path / "alpha.yaml"
    assert resolve_theory("other/beta.yml", tmp_path) == Path("other/beta.yml")


def test_programme_theories_leave_out_the_overarching_one_and_folders(
    tree: Callable[[dict[str, str | bytes]], Path],
) -> None:
    root = tree(
        {
            "beta.yaml": PROGRAMME_THEORY.format(id="beta"),
            "alpha.yaml": PROGRAMME_THEORY.format(id="alpha"),
            "overarching.yaml": OVERARCHING,
            "folder.yaml/x.yaml": "",
        }
    )
    assert programme_theory_names(root) == ["alpha", "beta"]
    assert is_theory_path(root)
    assert [p.name for p in theory_files(root)] == ["alpha.yaml", "beta.yaml", "overarching.yaml"]


def test_missing_and_twice_given_theories_are_reported_then_refused(
    tree: Callable[[dict[str, str | bytes]], Path],
) -> None:
    root = tree({"alpha.yaml": PROGRAMME_THEORY.format(id="alpha")})
    diagnostics = Diagnostics()
    with pytest.raises(TheoryError):
        load_theories(["alpha", "alpha", "gamma"], root, diagnostics)
    assert sorted(d.rule for d in diagnostics.items) == ["compare-duplicate", "theory-missing"]


def test_the_overarching_guard_refuses_a_programme_theory(tree: Callable[[dict[str, str | bytes]], Path]) -> None:
    root = tree({"overarching.yaml": OVERARCHING, "alpha.yaml": PROGRAMME_THEORY.format(id="alpha")})
    diagnostics = Diagnostics()
    assert existing_overarching(root / "overarching.yaml", "o.yaml", diagnostics) == OVERARCHING
    assert existing_overarching(root / "none.yaml", "n.yaml", diagnostics) is None
    assert not diagnostics.items
    existing_overarching(root / "alpha.yaml", "alpha.yaml", diagnostics)
    assert [d.format() for d in diagnostics.items] == [
        "alpha.yaml:1:1: error[not-overarching]: this file is not an overarching theory; not overwritten"
    ]
