"""Re-keying configurations by mechanism and outcome: a theory merged under the earlier keying keeps all its curation."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import Result

REPO = Path(__file__).resolve().parents[2]
# The demo's Northcliffe theory as it was committed before the re-keying: CMOCs named by the exact set of codes.
LEGACY = Path(__file__).parent / "legacy" / "northcliffe-connect.yaml"
CURATED_LEGACY = "building-trust-help-seeking-2c5762"  # a generated id of the earlier keying


@pytest.fixture
def legacy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    (tmp_path / "theories").mkdir()
    text = LEGACY.read_text(encoding="utf-8")
    curated = (
        f"  - id: {CURATED_LEGACY}\n"
        "    # the team's reading, March 2024\n"
        "    statement: If the project ends before trust pays off, then help-seeking stops, because trust needs time.\n"
        "    status: supported\n"
        "    confidence:\n      level: low\n      rationale: Two passages, one connector.\n"
    )
    text = text.replace(f"  - id: {CURATED_LEGACY}\n    status: new\n", curated, 1)
    assert "the team's reading" in text
    (tmp_path / "theories" / "northcliffe-connect.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _cmocs(root: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    data = yaml.safe_load((root / "theories" / "northcliffe-connect.yaml").read_text(encoding="utf-8"))
    return {cmoc["id"]: cmoc for cmoc in data["cmocs"]}


def test_a_curated_cmoc_under_a_legacy_id_keeps_its_curation_and_its_evidence(
    legacy: Path, cli: Callable[..., Result]
) -> None:
    before = yaml.safe_load(LEGACY.read_text(encoding="utf-8"))
    [old] = [cmoc for cmoc in before["cmocs"] if cmoc["id"] == CURATED_LEGACY]
    result = cli("merge", "corpus/northcliffe-connect")
    assert result.exit_code == 0, result.stderr
    text = (legacy / "theories" / "northcliffe-connect.yaml").read_text(encoding="utf-8")
    assert "    # the team's reading, March 2024\n" in text
    cmocs = _cmocs(legacy)
    kept = cmocs[CURATED_LEGACY]
    assert (kept["status"], kept["confidence"]["level"]) == ("supported", "low")
    assert kept["statement"].startswith("If the project ends before trust pays off")
    # The same passages as before the re-keying: the records of its legacy id still land in it.
    where = [(e["transcript"], e["lines"]) for e in kept["evidence"]]
    assert where == [(e["transcript"], e["lines"]) for e in old["evidence"]]
    assert kept["counts"]["excerpts"] == len(old["evidence"])
    # Every CMOC curated under an explicit id is still there with its statement and status.
    for cmoc in before["cmocs"]:
        if cmoc.get("statement"):
            assert (cmocs[cmoc["id"]]["statement"], cmocs[cmoc["id"]]["status"]) == (cmoc["statement"], cmoc["status"])
    # Uncurated CMOCs of the earlier keying are regrouped: none of their ids is left.
    legacy_generated = {c["id"] for c in before["cmocs"] if c["status"] == "new" and c["id"] != CURATED_LEGACY}
    legacy_generated -= {"resilience-from-varied-careers", "strengths-to-group-activity"}  # named by `cmoc:`
    assert legacy_generated and not legacy_generated & set(cmocs)
    assert cli("validate", "theories").exit_code == 0


def test_the_migration_is_deterministic_and_a_second_merge_changes_nothing(
    legacy: Path, cli: Callable[..., Result]
) -> None:
    assert cli("merge", "corpus/northcliffe-connect").exit_code == 0
    first = (legacy / "theories" / "northcliffe-connect.yaml").read_bytes()
    result = cli("merge", "corpus/northcliffe-connect")
    assert result.stdout == "theories/northcliffe-connect.yaml: up to date\n"
    assert (legacy / "theories" / "northcliffe-connect.yaml").read_bytes() == first


def test_an_uncurated_legacy_cmoc_dissolves_into_configurations_and_fragments(
    legacy: Path, cli: Callable[..., Result]
) -> None:
    assert cli("merge", "corpus/northcliffe-connect").exit_code == 0
    data = yaml.safe_load((legacy / "theories" / "northcliffe-connect.yaml").read_text(encoding="utf-8"))
    generated = [cmoc for cmoc in data["cmocs"] if cmoc["status"] == "new" and "imported_from" not in cmoc]
    named = {"resilience-from-varied-careers", "strengths-to-group-activity"}
    # Every generated CMOC now has a mechanism and an outcome; what lacked one is a fragment, never a CMOC.
    for cmoc in generated:
        if cmoc["id"] not in named:
            assert {"mechanism", "outcome"} <= set(cmoc["completeness"]), cmoc["id"]
    assert data["fragments"]
    for fragment in data["fragments"]:
        assert fragment["excerpts"] == len({e["record"].split(".")[0] for e in fragment["evidence"]})


def test_a_theory_of_an_earlier_cmo_reads_its_counts_from_its_evidence_never_as_zeros() -> None:
    from cmo.core.diagnostics import Diagnostics
    from cmo.theory.model import load_theory

    theory, _ = load_theory(LEGACY, "legacy.yaml", Diagnostics())
    assert theory is not None
    before = yaml.safe_load(LEGACY.read_text(encoding="utf-8"))
    for cmoc, raw in zip(theory.cmocs, before["cmocs"], strict=True):
        stances = [entry["stance"] for entry in raw["evidence"]]
        counts = cmoc.counts
        assert (counts.supporting, counts.refining, counts.refuting) == (
            stances.count("supports"),
            stances.count("refines"),
            stances.count("refutes"),
        ), cmoc.id
        assert counts.codings == len(raw["evidence"]) == counts.excerpts  # positional ids: one passage each
    assert any(cmoc.counts.supporting for cmoc in theory.cmocs)


def test_a_legacy_cmoc_another_one_links_to_keeps_its_id_and_records(legacy: Path, cli: Callable[..., Result]) -> None:
    path = legacy / "theories" / "northcliffe-connect.yaml"
    text = path.read_text(encoding="utf-8")
    target = "building-trust-8e70e4"  # generated, uncurated, linked to by a curated CMOC
    text = text.replace(
        "    links: [trust-through-key-persons]\n", f"    links: [trust-through-key-persons, {target}]\n", 1
    )
    assert f"links: [trust-through-key-persons, {target}]" in text
    path.write_text(text, encoding="utf-8")
    assert cli("merge", "corpus/northcliffe-connect").exit_code == 0
    cmocs = _cmocs(legacy)
    assert cmocs[target]["evidence"]
    assert cli("validate", "theories").exit_code == 0  # no dangling link
