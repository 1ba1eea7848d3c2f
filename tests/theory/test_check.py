"""`cmo validate theories/`: a CMOC's curated status checked against its own evidence (`status-evidence`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.core.diagnostics import Diagnostics
from cmo.core.rules import Rule
from cmo.theory.check import check_theory
from tests.conftest import REPO, Result

HEAD = "programme: {id: alpha, name: Alpha, framework: none}\ncmocs:\n  - id: a\n    status: %s\n"


def _evidence(*stances: str) -> str:
    if not stances:
        return "    evidence: []\n"
    entries = "".join(
        f"      - record: r{i}\n        transcript: t\n        source: interview\n        lines: '{i + 1}'\n"
        f"        quote: q\n        stance: {stance}\n"
        for i, stance in enumerate(stances)
    )
    return "    evidence:\n" + entries


def _warnings(tmp_path: Path, status: str, *stances: str) -> list[str]:
    path = tmp_path / "alpha.yaml"
    path.write_text(HEAD % status + _evidence(*stances), encoding="utf-8")
    diagnostics = Diagnostics()
    check_theory(path, None, diagnostics)
    found = [d for d in diagnostics.sorted() if d.rule == Rule.STATUS_EVIDENCE]
    assert all(d.severity.value == "warning" and (d.line, d.column) == (4, 13) for d in found)
    return [d.message for d in found]


@pytest.mark.parametrize(
    ("status", "stances", "message"),
    [
        ("supported", (), "CMOC 'a' is supported but has no evidence; no excerpt supports or refines it"),
        (
            "supported",
            ("refutes",),
            "CMOC 'a' is supported but has only 1 refuting evidence; no excerpt supports or refines it",
        ),
        ("refined", (), "CMOC 'a' is refined but has no evidence; no excerpt supports or refines it"),
        ("refuted", (), "CMOC 'a' is refuted but has no evidence and no excerpt refuting it"),
        (
            "refuted",
            ("supports", "refines"),
            "CMOC 'a' is refuted but has 2 supporting or refining excerpt(s) and none refuting it",
        ),
        (
            "imported",
            ("supports", "refutes"),
            "CMOC 'a' is still imported, but evidence has arrived (1 supporting or refining, 1 refuting);"
            " revisit its status: supported, refined or refuted?",
        ),
    ],
)
def test_a_status_the_evidence_does_not_bear_out_is_a_warning(
    tmp_path: Path, status: str, stances: tuple[str, ...], message: str
) -> None:
    assert _warnings(tmp_path, status, *stances) == [message]


@pytest.mark.parametrize(
    ("status", "stances"),
    [
        ("supported", ("supports",)),
        ("supported", ("refines", "refutes")),
        ("refined", ("refines",)),
        ("refuted", ("refutes", "supports")),
        ("imported", ()),  # a hypothesis not yet tested
        ("initial", ()),
        ("new", ("refutes",)),  # merge's default: nobody has judged it yet
    ],
)
def test_a_status_the_evidence_bears_out_is_not_reported(tmp_path: Path, status: str, stances: tuple[str, ...]) -> None:
    assert _warnings(tmp_path, status, *stances) == []


def test_strict_validate_fails_on_a_status_without_evidence(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "alpha.yaml"
    path.write_text(HEAD % "refuted" + _evidence("supports"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    plain = cli("validate", "alpha.yaml")
    assert plain.exit_code == 0
    assert "alpha.yaml:4:13: warning[status-evidence]: CMOC 'a' is refuted but has 1 supporting" in plain.stdout
    assert cli("validate", "alpha.yaml", "--strict").exit_code == 1


def test_the_demo_theories_statuses_follow_their_evidence(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    for programme in ("northcliffe-connect", "riverside-bridges"):
        result = cli("validate", f"theories/{programme}.yaml")
        assert "status-evidence" not in result.stdout + result.stderr


CODES = {
    "context": "      context:\n        - {id: stigma}\n",
    "enablers": "      enablers:\n        - {id: staff-from-community}\n",
    "mechanism": "      mechanism:\n        - {id: trust}\n",
    "reasoning": "      reasoning:\n        - {id: trust}\n",
    "outcome": "      outcome:\n        - {id: help}\n",
}


def _incomplete(tmp_path: Path, status: str, *roles: str, statement: str = "") -> list[str]:
    path = tmp_path / "alpha.yaml"
    codes = "    codes:\n" + "".join(CODES[role] for role in roles) if roles else ""
    head = HEAD % status + (f"    statement: {statement}\n" if statement else "")
    path.write_text(head + codes + _evidence("supports"), encoding="utf-8")
    diagnostics = Diagnostics()
    check_theory(path, None, diagnostics)
    found = [d for d in diagnostics.sorted() if d.rule == Rule.CMOC_INCOMPLETE]
    assert all(d.severity.value == "warning" and (d.line, d.column) == (3, 9) for d in found)
    return [d.message.split(" coded yet")[0] for d in found]


@pytest.mark.parametrize(
    ("roles", "said"),
    [
        (("mechanism", "outcome"), "CMOC 'a' is curated but has no context"),
        (("context", "outcome"), "CMOC 'a' is curated but has no mechanism"),
        (("context", "mechanism"), "CMOC 'a' is curated but has no outcome"),
        (("outcome",), "CMOC 'a' is curated but has no context and mechanism"),
        ((), "CMOC 'a' is curated but has no context, mechanism and outcome"),
    ],
)
def test_a_curated_cmoc_missing_context_mechanism_or_outcome_is_a_warning(
    tmp_path: Path, roles: tuple[str, ...], said: str
) -> None:
    assert _incomplete(tmp_path, "supported", *roles) == [said]


@pytest.mark.parametrize(
    "roles",
    [("context", "mechanism", "outcome"), ("enablers", "reasoning", "outcome")],  # enablers are contexts
)
def test_a_complete_configuration_is_not_reported(tmp_path: Path, roles: tuple[str, ...]) -> None:
    assert _incomplete(tmp_path, "supported", *roles) == []


def test_an_uncurated_partial_cmoc_is_not_reported_but_a_statement_makes_it_curated(tmp_path: Path) -> None:
    assert _incomplete(tmp_path, "new", "mechanism", "outcome") == []
    assert _incomplete(tmp_path, "new", "mechanism", "outcome", statement="Trust helps") == [
        "CMOC 'a' is curated but has no context"
    ]


@pytest.mark.parametrize(
    ("confidence", "expected"),
    [
        (
            "    confidence:\n      level: hihg\n",
            [(6, 14, Rule.INVALID_VALUE, "'hihg' is not one of 'high', 'moderate' or 'low'; did you mean 'high'?")],
        ),
        ("    confidence:\n      rationale: Two passages\n", [(6, 7, Rule.MISSING_KEY, "level")]),
        (
            "    confidence:\n      level: low\n      rationle: Two passages\n",
            [(7, 7, Rule.UNKNOWN_KEY, "unknown key 'rationle'; did you mean 'rationale'?")],
        ),
        ("    confidence: high\n", [(5, 17, Rule.INVALID_VALUE, "confidence")]),
    ],
)
def test_confidence_is_validated_where_it_is_written(
    tmp_path: Path, confidence: str, expected: list[tuple[int, int, str, str]]
) -> None:
    path = tmp_path / "alpha.yaml"
    path.write_text(HEAD % "supported" + confidence + _evidence("supports"), encoding="utf-8")
    diagnostics = Diagnostics()
    check_theory(path, None, diagnostics)
    errors = [d for d in diagnostics.sorted() if d.severity.value == "error"]
    assert [(d.line, d.column, d.rule) for d in errors] == [(line, column, rule) for line, column, rule, _ in expected]
    for found, (_, _, _, said) in zip(errors, expected, strict=True):
        assert said in found.message


def test_a_judged_confidence_passes(tmp_path: Path) -> None:
    path = tmp_path / "alpha.yaml"
    confidence = "    confidence:\n      level: moderate\n      rationale: Five passages, three transcripts.\n"
    path.write_text(HEAD % "supported" + confidence + _evidence("supports"), encoding="utf-8")
    diagnostics = Diagnostics()
    check_theory(path, None, diagnostics)
    assert [d for d in diagnostics.sorted() if d.severity.value == "error"] == []


def test_an_initial_theory_without_codes_is_told_to_state_them_not_to_code_transcripts(tmp_path: Path) -> None:
    path = tmp_path / "alpha.yaml"
    path.write_text(HEAD % "initial" + "    statement: Trust first\n    evidence: []\n", encoding="utf-8")
    diagnostics = Diagnostics()
    check_theory(path, None, diagnostics)
    [found] = [d for d in diagnostics.sorted() if d.rule == Rule.CMOC_INCOMPLETE]
    assert found.message.endswith(
        "give it the missing codes under `codes:`, as an initial programme theory states them"
    )


def test_confidence_alone_makes_a_cmoc_curated(tmp_path: Path) -> None:
    path = tmp_path / "alpha.yaml"
    text = HEAD % "new" + "    confidence: {level: low}\n    codes:\n" + CODES["outcome"] + _evidence("supports")
    path.write_text(text, encoding="utf-8")
    diagnostics = Diagnostics()
    check_theory(path, None, diagnostics)
    [found] = [d for d in diagnostics.sorted() if d.rule == Rule.CMOC_INCOMPLETE]
    assert "has no context and mechanism coded yet" in found.message
