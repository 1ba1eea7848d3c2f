"""`cmo synthesise`: an overarching theory with merge's guarantees, checked by `cmo validate`."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, Result

A, B = "northcliffe-connect", "riverside-bridges"


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for folder in ("corpus", "theories"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    (tmp_path / "theories" / "overarching.yaml").unlink(missing_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_synthesis_holds_converged_cmocs_and_context_specific_ones(demo: Path, cli: Callable[..., Result]) -> None:
    result = cli("synthesise", A, B)
    assert (result.exit_code, result.stdout) == (0, "theories/overarching.yaml: updated\n")
    data = yaml.safe_load((demo / "theories/overarching.yaml").read_text(encoding="utf-8"))
    assert data["programmes"] == [A, B]
    assert {c["codes"][A] for c in data["concepts"]["mechanism"]} == {
        "building-trust",
        "key-persons",
        "understanding-group-life",
        "talk-about-mental-health",
    }
    assert "barrier" not in data["concepts"]
    [trust] = [c for c in data["cmocs"] if "trust-through-key-persons" in c["programmes"][A]["cmocs"]]
    assert (trust["kind"], trust["status"]) == ("converged", "new")
    assert trust["mechanism"] == [
        "Building trust with the group",
        "Working through existing key persons in the community",
    ]
    assert "trust-through-key-persons" in trust["programmes"][B]["cmocs"]
    # the excerpts behind it are those of the CMOCs it groups
    assert trust["programmes"][A]["excerpts"] >= 5
    assert data["context_specific"][A]["concepts"]["barrier"] == ["Limited time scale of the project"]
    assert "Distrust between community providers" in data["context_specific"][B]["concepts"]["barrier"]
    assert cli("validate", "theories").exit_code == 0


def test_rerun_keeps_curated_fields_and_comments_and_is_byte_identical(demo: Path, cli: Callable[..., Result]) -> None:
    cli("synthesise", A, B)
    path = demo / "theories/overarching.yaml"
    text = path.read_text(encoding="utf-8")
    first_id = text.split("cmocs:\n  - id: ", 1)[1].split("\n", 1)[0]
    curated = "# agreed by both teams\n" + text.replace(
        f"  - id: {first_id}\n    status: new\n",
        f"  - id: {first_id}\n    # overarching CMOC 1\n    statement: Trust lent by key persons opens the door  # why\n"
        "    status: supported\n",
    )
    path.write_text(curated, encoding="utf-8")
    result = cli("synthesise", A, B)
    assert result.stdout == "theories/overarching.yaml: up to date\n"
    assert path.read_text(encoding="utf-8") == curated
    assert cli("synthesise", A, B, "--check").exit_code == 0
    (demo / "corpus" / B / "interviews" / "rb-int-01.md").unlink()
    cli("merge")
    assert cli("synthesise", A, B, "--check").exit_code == 1
    cli("synthesise", A, B)
    after = path.read_text(encoding="utf-8")
    assert after.startswith("# agreed by both teams\n")
    assert (
        "    # overarching CMOC 1\n    statement: Trust lent by key persons opens the door  # why\n    status: supported\n"
        in after
    )
    assert cli("validate", "theories").exit_code == 0


def test_validate_checks_the_overarching_file(demo: Path, cli: Callable[..., Result]) -> None:
    cli("synthesise", A, B)
    path = demo / "theories/overarching.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("    status: new\n", "    status: newish\n    links: [nowhere]\n", 1)
    )
    result = cli("validate", "theories")
    assert result.exit_code == 1
    assert "error[invalid-value]: cmocs[0].status: 'newish' is not one of" in result.stdout


def test_a_file_that_is_not_an_overarching_theory_is_not_overwritten(demo: Path, cli: Callable[..., Result]) -> None:
    target = demo / "theories" / f"{A}.yaml"
    before = target.read_text(encoding="utf-8")
    result = cli("synthesise", A, B, "--out", target)
    assert result.exit_code == 1
    assert "error[not-overarching]" in result.stderr
    assert target.read_text(encoding="utf-8") == before
