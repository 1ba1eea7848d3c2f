"""`cmo import`: CMOCs carried into another programme's theory as hypotheses, round-tripping through merge."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.core.diagnostics import Diagnostics
from cmo.theory.model import load_theory
from tests.conftest import REPO, Result, write_tree

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
        "import",
        A,
        "--into",
        B,
        "--cmoc",
        "timescale-limits-trust",
        "--cmoc",
        "belonging-staff-understand-group",
        "--allow-partial",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("theories/riverside-bridges.yaml: 2 CMOCs imported from northcliffe-connect\n")
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
    assert cli("validate", "corpus", f"theories/{B}.yaml", "--strict").exit_code == 0


def test_reimport_is_idempotent_and_never_overwrites_curated_fields(demo: Path, cli: Callable[..., Result]) -> None:
    cli("import", A, "--into", B, "--cmoc", "timescale-limits-trust", "--allow-partial")
    path = demo / "theories" / f"{B}.yaml"
    text = path.read_text(encoding="utf-8")
    assert cli("import", A, "--into", B, "--cmoc", "timescale-limits-trust", "--allow-partial").exit_code == 0
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
    assert cli("import", A, "--into", B, "--cmoc", "timescale-limits-trust", "--allow-partial").exit_code == 0
    after = path.read_text(encoding="utf-8")
    assert (
        "    # tested in Riverside's workshop\n    statement: Three years was long enough here\n    status: refuted\n"
        in after
    )


def test_merge_attaches_evidence_when_transcripts_name_the_imported_cmoc(
    demo: Path, cli: Callable[..., Result]
) -> None:
    cli("import", A, "--into", B, "--cmoc", "timescale-limits-trust", "--allow-partial")
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
    validated = cli("validate", "corpus", f"theories/{B}.yaml")
    assert validated.exit_code == 0
    # evidence has arrived and refutes it: validate asks for the status to be revisited
    assert "warning[status-evidence]: CMOC 'timescale-limits-trust' is still imported" in validated.stdout


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
    cli("import", A, "--into", B, "--cmoc", "timescale-limits-trust", "--allow-partial")
    result = cli("diff", before, demo / "theories" / f"{B}.yaml")
    assert result.exit_code == 0
    assert "added CMOC timescale-limits-trust" in result.stdout
    assert "untranslated=outcome: group-led-activities; barriers: limited-timescale" in result.stdout


def test_a_cmoc_whose_barrier_has_no_equivalent_is_not_imported(demo: Path, cli: Callable[..., Result]) -> None:
    path = demo / "theories" / f"{B}.yaml"
    before = path.read_bytes()
    result = cli("import", A, "--into", B, "--cmoc", "timescale-limits-trust")
    assert result.exit_code == 1
    assert result.stderr == (
        "theories/riverside-bridges.yaml:1:1: error[import-untranslatable]: CMOC 'timescale-limits-trust' not"
        " imported: part of its configuration has no equivalent in 'riverside-bridges' (outcome group-led-activities;"
        " barriers limited-timescale); declare the code in riverside-bridges's codebook or link an equivalent"
        " (`cmo codebook link`), or import with --allow-partial\n"
    )
    assert "  barriers: limited-timescale -> no equivalent in riverside-bridges (untranslated)\n" in result.stdout
    assert result.stdout.startswith("timescale-limits-trust: not imported\n")
    assert result.stdout.endswith(": 0 CMOCs imported from northcliffe-connect, 1 not imported\n")
    assert path.read_bytes() == before  # not imported as the weaker "trust leads to help-seeking"
    partial = cli("import", A, "--into", B, "--cmoc", "timescale-limits-trust", "--allow-partial")
    assert partial.exit_code == 0
    assert "warning[import-untranslatable]: CMOC 'timescale-limits-trust' imported without part of" in partial.stderr
    assert _cmoc(demo, B, "timescale-limits-trust").status == "imported"


def test_intervention_and_actors_without_equivalent_do_not_stop_an_import(
    demo: Path, cli: Callable[..., Result]
) -> None:
    # Each programme delivers its own intervention through its own people: the configuration's claim is intact.
    result = cli("import", A, "--into", B, "--cmoc", "trust-through-key-persons")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert "  actor: shop-owners -> no equivalent in riverside-bridges (untranslated)\n" in result.stdout


STUDY: dict[str, str | bytes] = {
    "corpus/alpha/programme.yaml": "id: alpha\nname: Alpha\nframework: none\n",
    "corpus/alpha/codebook.yaml": (
        "codes:\n"
        "  isolation: {kind: context, label: Isolation of older people}\n"
        "  peer-mentors: {kind: mechanism, label: Peer mentors from the community}\n"
        "  lunch-club: {kind: intervention, label: Weekly lunch club}\n"
        "  belonging: {kind: outcome, label: A sense of belonging, same_as: [feeling-at-home]}\n"
    ),
    "corpus/beta/programme.yaml": "id: beta\nname: Beta\nframework: none\n",
    "corpus/beta/codebook.yaml": (
        "codes:\n"
        "  isolation: {kind: context, label: Isolation of older people}\n"
        "  volunteers: {kind: mechanism, label: Volunteer peer mentors from the community}\n"
        "  feeling-at-home: {kind: outcome, label: Feeling at home in the group}\n"
    ),
    "theories/alpha.yaml": (
        "programme: {id: alpha, name: Alpha, framework: none}\n"
        "cmocs:\n"
        "  - id: mentors-bring-belonging\n"
        "    status: supported\n"
        "    codes:\n"
        "      context: [{id: isolation}]\n"
        "      intervention: [{id: lunch-club}]\n"
        "      mechanism: [{id: peer-mentors}]\n"
        "      outcome: [{id: belonging}]\n"
    ),
    "theories/beta.yaml": "# Beta's theory, curated\nprogramme: {id: beta, name: Beta, framework: none}\ncmocs: []\n",
}


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_tree(tmp_path, STUDY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


TRANSLATIONS = (
    "  context: isolation -> isolation (same-id)\n"
    "  intervention: lunch-club -> no equivalent in beta (untranslated)\n"
    "  mechanism: peer-mentors -> volunteers (fuzzy 90, unconfirmed)\n"
    "    to confirm: cmo codebook link alpha:peer-mentors beta:volunteers\n"
    "  outcome: belonging -> feeling-at-home (same-as)\n"
)


def test_import_prints_every_translation_and_how_sure_it_is(study: Path, cli: Callable[..., Result]) -> None:
    result = cli("import", "alpha", "--into", "beta")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "mentors-bring-belonging: added\n" + TRANSLATIONS + "theories/beta.yaml: 1 CMOC imported from alpha\n"
    )
    imported = _cmoc(study, "beta", "mentors-bring-belonging")
    assert [ref.id for ref in imported.codes["mechanism"]] == ["volunteers"]
    guess = imported.imported_from.unconfirmed["mechanism"][0]  # the guess is on record, for the reviewer
    assert (guess.id, guess.to, round(guess.score)) == ("peer-mentors", "volunteers", 90)
    assert cli("import", "alpha", "--into", "beta").stdout.startswith("mentors-bring-belonging: unchanged\n")


def test_dry_run_writes_nothing_and_says_what_it_would_do(study: Path, cli: Callable[..., Result]) -> None:
    path = study / "theories" / "beta.yaml"
    before = path.read_bytes()
    result = cli("import", "alpha", "--into", "beta", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "mentors-bring-belonging: would be added\n"
        + TRANSLATIONS
        + "theories/beta.yaml: 1 CMOC would be imported from alpha (dry run: nothing written)\n"
    )
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["alpha.yaml", "beta.yaml"]  # no lock or temp file left
