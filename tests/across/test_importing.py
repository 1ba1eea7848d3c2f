"""`cmo import`: CMOCs carried into another programme's theory as hypotheses, round-tripping through merge."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.core.diagnostics import Diagnostics
from cmo.theory.model import load_theory
from tests.conftest import REPO, Result

A, B = "northcliffe-connect", "riverside-bridges"


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for folder in ("corpus", "theories"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _cmoc(root: Path, programme: str, cmoc_id: str):  # type: ignore[no-untyped-def]
    theory, _ = load_theory(root / "theories" / f"{programme}.yaml", "t", Diagnostics())
    assert theory is not None
    return {c.id: c for c in theory.cmocs}.get(cmoc_id)


def test_import_translates_codes_and_keeps_what_has_no_equivalent(demo: Path, cli: Callable[..., Result]) -> None:
    result = cli(
        "import", A, "--into", B, "--cmoc", "timescale-limits-trust", "--cmoc", "belonging-staff-understand-group"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "theories/riverside-bridges.yaml: 2 CMOCs imported from northcliffe-connect\n"
    imported = _cmoc(demo, B, "timescale-limits-trust")
    assert imported.status == "imported"
    assert (imported.imported_from.programme, imported.imported_from.cmoc) == (A, "timescale-limits-trust")
    assert imported.statement.startswith("If a project has only 18 months")
    assert imported.evidence == []
    # the barrier exists only in Northcliffe's codebook: kept aside, not written as a Riverside code
    assert [ref.id for ref in imported.imported_from.untranslated["barriers"]] == ["limited-timescale"]
    assert "barriers" not in imported.codes
    belonging = _cmoc(demo, B, "belonging-staff-understand-group")
    mechanisms = {ref.id for ref in belonging.codes["mechanism"]}
    assert "insider-understanding" in mechanisms  # understanding-group-life, translated through same_as
    assert {ref.id for ref in belonging.codes["enablers"]} == {"workers-belong-to-group", "diverse-work-backgrounds"}
    assert cli("validate", "corpus", "theories").exit_code == 0


def test_reimport_is_idempotent_and_never_overwrites_curated_fields(demo: Path, cli: Callable[..., Result]) -> None:
    cli("import", A, "--into", B, "--cmoc", "timescale-limits-trust")
    path = demo / "theories" / f"{B}.yaml"
    text = path.read_text(encoding="utf-8")
    assert cli("import", A, "--into", B, "--cmoc", "timescale-limits-trust").exit_code == 0
    assert path.read_text(encoding="utf-8") == text
    curated = text.replace(
        "  - id: timescale-limits-trust\n    statement: If a project has only 18 months",
        "  - id: timescale-limits-trust\n    # tested in Riverside's workshop\n    statement: Three years was long enough here",
    ).replace("    status: imported\n", "    status: refuted\n", 1)
    curated = (
        curated.split("Three years was long enough here")[0]
        + "Three years was long enough here\n"
        + curated.split("Three years was long enough here", 1)[1].split("\n", 1)[1]
    )
    path.write_text(curated, encoding="utf-8")
    assert cli("import", A, "--into", B, "--cmoc", "timescale-limits-trust").exit_code == 0
    after = path.read_text(encoding="utf-8")
    assert (
        "    # tested in Riverside's workshop\n    statement: Three years was long enough here\n    status: refuted\n"
        in after
    )


def test_merge_attaches_evidence_when_transcripts_name_the_imported_cmoc(
    demo: Path, cli: Callable[..., Result]
) -> None:
    cli("import", A, "--into", B, "--cmoc", "timescale-limits-trust")
    assert cli("merge").stdout.count("up to date") == 2  # the imported hypothesis survives a merge untouched
    transcript = demo / "corpus" / B / "interviews" / "rb-int-03.md"
    transcript.write_text(
        transcript.read_text(encoding="utf-8")
        + "\nHaving three years meant we could wait for people to trust us.\n\n```cmo\n"
        + "mechanism: building-trust\noutcome: help-seeking\ncmoc: timescale-limits-trust\nstance: refutes\n```\n",
        encoding="utf-8",
    )
    assert cli("merge").exit_code == 0
    tested = _cmoc(demo, B, "timescale-limits-trust")
    assert [e.stance for e in tested.evidence] == ["refutes"]
    assert tested.counts.refuting == 1
    assert tested.status == "imported" and tested.imported_from.programme == A
    assert cli("validate", "corpus", "theories").exit_code == 0


def test_a_clashing_id_is_imported_under_the_source_programme_name(demo: Path, cli: Callable[..., Result]) -> None:
    assert cli("import", A, "--into", B, "--cmoc", "trust-through-key-persons").exit_code == 0
    native = _cmoc(demo, B, "trust-through-key-persons")
    assert native.imported_from is None and native.evidence  # Riverside's own CMOC is untouched
    assert _cmoc(demo, B, f"{A}-trust-through-key-persons").imported_from.cmoc == "trust-through-key-persons"


def test_unknown_cmoc_is_refused_with_a_suggestion(demo: Path, cli: Callable[..., Result]) -> None:
    before = (demo / "theories" / f"{B}.yaml").read_text(encoding="utf-8")
    result = cli("import", A, "--into", B, "--cmoc", "timescale-limit-trust")
    assert result.exit_code == 1
    assert (
        "error[unknown-cmoc]: programme 'northcliffe-connect' has no CMOC 'timescale-limit-trust'; did you mean 'timescale-limits-trust'?"
        in result.stderr
    )
    assert (demo / "theories" / f"{B}.yaml").read_text(encoding="utf-8") == before


def test_diff_shows_an_import_and_its_untranslated_codes(demo: Path, cli: Callable[..., Result]) -> None:
    before = demo / "before.yaml"
    shutil.copy(demo / "theories" / f"{B}.yaml", before)
    cli("import", A, "--into", B, "--cmoc", "timescale-limits-trust")
    result = cli("diff", before, demo / "theories" / f"{B}.yaml")
    assert result.exit_code == 0
    assert "added CMOC timescale-limits-trust" in result.stdout
    assert "untranslated=outcome: group-led-activities; barriers: limited-timescale" in result.stdout
