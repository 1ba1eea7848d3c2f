"""`cmo compare` at its edges: which theory files are read, how errors read, labels without a corpus, CMOC pairing ties."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cmo.across.compare import compare
from cmo.core.diagnostics import Diagnostics
from cmo.theory.model import Theory
from cmo.theory.store import TheoryError, load_theories
from tests.conftest import Result, write_tree


def _programme(programme: str) -> dict[str, Any]:
    return {"id": programme, "name": f"Programme {programme}"}


def theory(programme: str, cmocs: list[dict[str, Any]]) -> Theory:
    return Theory.model_validate({"programme": _programme(programme), "cmocs": cmocs})


def cmoc(cmoc_id: str, excerpts: int = 1, **codes: list[str]) -> dict[str, Any]:
    """A CMOC with the given code ids by role (labels: the id with spaces) and `excerpts` excerpts."""
    roles = codes or {"mechanism": ["trust"], "outcome": ["help"]}
    return {
        "id": cmoc_id,
        "codes": {role: [{"id": code, "label": code.replace("-", " ")} for code in ids] for role, ids in roles.items()},
        "counts": {"excerpts": excerpts, "supporting": excerpts},
        "evidence": [
            {"record": f"p/{cmoc_id}#{n:08x}", "transcript": cmoc_id, "source": "interview", "lines": "1", "quote": "q"}
            for n in range(excerpts)
        ],
    }


THEORY = "programme: {{id: {id}, name: Programme {id}}}\ncmocs:\n  - id: c-{id}\n    status: new\n"


@pytest.fixture
def theories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with theories/a.yaml and theories/b.yaml, and a.yml and plain file `c` beside them."""
    monkeypatch.chdir(tmp_path)
    write_tree(
        tmp_path,
        {
            "theories/a.yaml": THEORY.format(id="a"),
            "theories/b.yaml": THEORY.format(id="b"),
            "other.yml": THEORY.format(id="y"),
            "plain": THEORY.format(id="p"),
        },
    )
    return tmp_path / "theories"


def _ids(names: list[str], folder: Path) -> list[str]:
    return [t.programme.id for t in load_theories(names, folder, Diagnostics())]


def test_a_name_ending_in_yaml_or_yml_or_naming_a_file_is_a_path(theories: Path) -> None:
    assert _ids(["a", "other.yml", "plain", "theories/b.yaml"], theories) == ["a", "y", "p", "b"]


@pytest.mark.parametrize("name", ["gone.yaml", "gone.yml"])
def test_a_missing_theory_file_is_reported_where_it_was_looked_for(
    theories: Path, cli: Callable[..., Result], name: str
) -> None:
    result = cli("compare", "a", name)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"{name}:1:1: error[theory-missing]: no theory file for {name!r} (run `cmo merge` first?)\n"
    )


def test_every_missing_theory_is_reported_not_only_the_first(theories: Path, cli: Callable[..., Result]) -> None:
    result = cli("compare", "gone", "lost", "a")
    assert result.exit_code == 1
    assert result.stderr == (
        "theories/gone.yaml:1:1: error[theory-missing]: no theory file for 'gone' (run `cmo merge` first?)\n"
        "theories/lost.yaml:1:1: error[theory-missing]: no theory file for 'lost' (run `cmo merge` first?)\n"
    )


def test_an_invalid_theory_is_reported_with_its_path(theories: Path, cli: Callable[..., Result]) -> None:
    write_tree(theories, {"bad.yaml": "programme: [\n"})
    result = cli("compare", "a", "bad")
    assert result.exit_code == 1
    assert result.stderr.startswith("theories/bad.yaml:")
    assert "error[" in result.stderr


def test_a_programme_given_twice_is_refused(theories: Path, cli: Callable[..., Result]) -> None:
    result = cli("compare", "a", "theories/a.yaml", "b")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "theories:1:1: error[compare-duplicate]: programme 'a' is given twice\n"


def test_a_programme_given_three_times_is_refused_once(theories: Path) -> None:
    diagnostics = Diagnostics()
    with pytest.raises(TheoryError):
        load_theories(["a", "a", "theories/a.yaml"], theories, diagnostics)
    assert [d.format() for d in diagnostics.sorted()] == [
        f"{theories}:1:1: error[compare-duplicate]: programme 'a' is given twice"
    ]


def _pairs(theories: list[Theory]) -> list[tuple[str, dict[str, str]]]:
    return [(p.kind, p.cmocs) for p in compare(theories, None).cmocs]
