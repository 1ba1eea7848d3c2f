"""`cmo compare`: the study's picture on the demo corpus (golden files), and comparisons of any shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.across.compare import Comparison, compare
from cmo.core.diagnostics import Diagnostics
from cmo.core.files import write_atomic
from cmo.corpus.coding import code_corpus
from cmo.corpus.layout import discover
from cmo.corpus.models import Programme, SourceType, Stance
from cmo.render.compare_text import findings, format_json, format_text
from cmo.theory.merge import merge_corpus
from cmo.theory.model import Cmoc, CodeRef, Counts, EvidenceEntry, Status, Theory
from cmo.theory.store import load_theories
from tests.conftest import REPO, Result, assert_golden, write_tree

GOLDEN = Path(__file__).parent.parent / "golden"
DEMO = ("northcliffe-connect", "riverside-bridges")


@pytest.mark.parametrize("fmt", ["text", "md", "json"])
def test_demo_comparison_matches_the_golden_file(
    fmt: str, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    result = cli("compare", *DEMO, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert_golden(f"compare.{'txt' if fmt == 'text' else fmt}", result.stdout)


def test_demo_comparison_reproduces_the_study(cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    data = json.loads(cli("compare", *DEMO, "--format", "json").stdout)
    assert data["programmes"] == list(DEMO)
    assert not any(row["agree"] for row in data["attributes"])  # funding, aims, length, ... all differ
    assert {row["name"] for row in data["attributes"]} >= {
        "framework",
        "funding",
        "aims",
        "length",
        "ways of working",
        "type of employee",
    }
    mechanisms = {tuple(row["codes"].values()): (row["converges"], row["match"]) for row in data["codes"]["mechanism"]}
    assert mechanisms[("building-trust", "building-trust")] == (True, "same-id")
    assert mechanisms[("key-persons", "key-persons")] == (True, "same-id")
    assert mechanisms[("understanding-group-life", "insider-understanding")] == (True, "same-as")
    # the demo's fuzzy pairs are confirmed by `same_as` links in its codebooks, so nothing is left to confirm
    assert mechanisms[("talk-about-mental-health", "mental-health-language")] == (True, "same-as")
    assert all(row["converges"] and row["confirmed"] for row in data["codes"]["enabler"])
    assert data["candidates"] == {}
    assert not any(row["converges"] for row in data["codes"]["barrier"])
    assert {code for row in data["codes"]["barrier"] for code in row["codes"].values()} >= {
        "limited-timescale",
        "provider-distrust",
    }
    kinds = {tuple(row["cmocs"].values()): row for row in data["cmocs"]}
    insiders = kinds["belonging-staff-understand-group", "insiders-understand-group"]
    assert insiders["kind"] == "converged"
    timescale = kinds["timescale-limits-trust", "distrust-blocks-partnership"]
    assert timescale["kind"] == "mechanism-shared"
    assert timescale["differs"]["barrier"] == {
        "northcliffe-connect": ["limited-timescale"],
        "riverside-bridges": ["competitive-funding", "provider-distrust"],
    }
    assert kinds["trust-through-key-persons", "trust-through-key-persons"]["kind"] == "converged"
    text = cli("compare", *DEMO).stdout
    assert "  mechanisms converge: Building trust with the group (same-id);" in text
    assert (
        "  enablers converge: Employees with varied career histories = Employees with varied career backgrounds"
        " (same-as);" in text
    )
    assert (
        "  barriers diverge: northcliffe-connect only: Limited time scale of the project; riverside-bridges only: "
        in text
    )
    assert (
        "  shared mechanism, divergent barriers: northcliffe-connect: Limited time scale of the project; "
        "riverside-bridges: Community organisations competing for the same grants, Distrust between community "
        "providers (northcliffe-connect:timescale-limits-trust ~ riverside-bridges:distrust-blocks-partnership)\n"
    ) in text


PROGRAMME = "id: {id}\nname: Programme {id}\nframework: {framework}\nattributes:\n  funding: {funding}\n"


def build(root: Path, programmes: dict[str, dict[str, str]], annotations: dict[str, list[str]]) -> Path:
    """A corpus of the given programmes (codebook text, transcripts of blocks), merged into root/theories."""
    files: dict[str, str | bytes] = {}
    for programme, spec in programmes.items():
        files[f"{programme}/programme.yaml"] = PROGRAMME.format(
            id=programme, framework=spec["framework"], funding=spec["funding"]
        )
        files[f"{programme}/codebook.yaml"] = spec["codebook"]
        body = "---\nsource: interview\n---\n\n"
        for n, block in enumerate(annotations[programme]):
            body += f"Passage {n} of {programme}.\n\n```cmo\n{block}```\n\n"
        files[f"{programme}/int.md"] = body
    corpus = write_tree(root / "corpus", files)
    result = code_corpus([corpus])
    assert result.ok, [d.format() for d in result.diagnostics]
    for outcome in merge_corpus(result, root / "theories"):
        assert outcome.text is not None
        write_atomic(outcome.path, outcome.text)
    return corpus


def _compare(root: Path, corpus: Path, names: list[str]) -> dict:  # type: ignore[type-arg]
    diagnostics = Diagnostics()
    theories = load_theories(names, root / "theories", diagnostics)
    return compare(theories, discover([corpus], diagnostics)).to_dict()


CODEBOOK_A = """codes:
  trust: {kind: mechanism, label: Building trust with the group}
  help: {kind: outcome, label: People seek help}
  time: {kind: context, label: Limited time scale of the project}
"""
CODEBOOK_B = """codes:
  trust-building: {kind: mechanism, label: Building trust with the group and its elders, same_as: [trust]}
  help: {kind: outcome, label: People seek help}
  distrust: {kind: context, label: Distrust between providers}
"""
CODEBOOK_C = """codes:
  confidence: {kind: mechanism, label: Building trust with the group}
  help: {kind: outcome, label: People seek help}
  time: {kind: context, label: Limited time scale of the project}
"""


def test_three_programmes(tmp_path: Path) -> None:
    corpus = build(
        tmp_path,
        {
            "a": {"framework": "ABCD", "funding": "NHS", "codebook": CODEBOOK_A},
            "b": {"framework": "none", "funding": "NHS", "codebook": CODEBOOK_B},
            "c": {"framework": "none", "funding": "charity", "codebook": CODEBOOK_C},
        },
        {
            "a": ["mechanism: trust\noutcome: help\nbarriers: time\ncmoc: trust-helps\n"],
            "b": ["mechanism: trust-building\noutcome: help\nbarriers: distrust\ncmoc: trust-helps\n"],
            "c": ["mechanism: confidence\noutcome: help\nbarriers: time\n"],
        },
    )
    data = _compare(tmp_path, corpus, ["a", "b", "c"])
    assert [(row["name"], row["agree"]) for row in data["attributes"]] == [("framework", False), ("funding", False)]
    mechanisms = {tuple(row["codes"].items()): (row["converges"], row["match"]) for row in data["codes"]["mechanism"]}
    # a = b by same_as: confirmed, but not in c, so no convergence; c's identical label is only a candidate
    assert mechanisms == {
        (("a", "trust"), ("b", "trust-building")): (False, "same-as"),
        (("c", "confidence"),): (False, None),
    }
    assert [
        (row["codes"], row["match"], row["confirmed"], row["converges"]) for row in data["candidates"]["mechanism"]
    ] == [
        ({"a": "trust", "c": "confidence"}, "fuzzy", False, False),
        ({"b": "trust-building", "c": "confidence"}, "fuzzy", False, False),
    ]
    barriers = {tuple(row["in"]): row["match"] for row in data["codes"]["barrier"]}
    assert barriers == {("a", "c"): "same-id", ("b",): None}
    pairs = [(row["kind"], row["cmocs"]) for row in data["cmocs"]]
    # a and b share mechanism and outcome but not their barriers: at most mechanism-shared
    assert pairs[0] == ("mechanism-shared", {"a": "trust-helps", "b": "trust-helps"})
    assert [kind for kind, _ in pairs] == ["mechanism-shared", "one-programme"]


def test_no_overlap_and_identical_programmes(tmp_path: Path) -> None:
    disjoint = """codes:
  other: {kind: mechanism, label: Practical help before talk}
  referrals: {kind: outcome, label: Referrals into services}
"""
    corpus = build(
        tmp_path,
        {
            "a": {"framework": "ABCD", "funding": "NHS", "codebook": CODEBOOK_A},
            "b": {"framework": "ABCD", "funding": "NHS", "codebook": disjoint},
            "same": {"framework": "ABCD", "funding": "NHS", "codebook": CODEBOOK_A.replace("time:", "time-2:")},
        },
        {
            "a": ["mechanism: trust\noutcome: help\n"],
            "b": ["mechanism: other\noutcome: referrals\n"],
            "same": ["mechanism: trust\noutcome: help\n"],
        },
    )
    apart = _compare(tmp_path, corpus, ["a", "b"])
    assert all(len(row["in"]) == 1 for rows in apart["codes"].values() for row in rows)
    assert [row["kind"] for row in apart["cmocs"]] == ["one-programme", "one-programme"]
    assert all(row["agree"] for row in apart["attributes"])
    alike = _compare(tmp_path, corpus, ["a", "same"])
    assert all(row["converges"] and row["match"] == "same-id" for rows in alike["codes"].values() for row in rows)
    assert [row["kind"] for row in alike["cmocs"]] == ["converged"]


def test_theory_files_can_be_named_by_path_and_errors_are_clear(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    by_path = cli("compare", "theories/northcliffe-connect.yaml", "theories/riverside-bridges.yaml", "--format", "json")
    assert json.loads(by_path.stdout) == json.loads(cli("compare", *DEMO, "--format", "json").stdout)
    missing = cli("compare", "northcliffe-connect", "nowhere")
    assert missing.exit_code == 1
    assert (
        missing.stderr
        == "theories/nowhere.yaml:1:1: error[theory-missing]: no theory file for 'nowhere' (run `cmo merge` first?)\n"
    )
    assert cli("compare", "northcliffe-connect").exit_code == 2


# --- evidence-weighted convergence, on theories built in memory ---------------------------------

LABELS = {
    "trust": "Building trust with the group",
    "key": "Working through key persons",
    "help": "People seek help",
    "referrals": "Referrals into services",
    "time": "Limited time scale of the project",
    "distrust": "Distrust between community providers",
    "stigma": "Stigma around mental health",
}


def evidence(cmoc_id: str, excerpts: int, refuting: int = 0) -> list[EvidenceEntry]:
    """`excerpts` passages, the last `refuting` of them refuting: what standing and pairing read."""
    return [
        EvidenceEntry(
            record=f"p/{cmoc_id}#{n:08x}",
            transcript=cmoc_id,
            source=SourceType.INTERVIEW,
            lines=str(n + 1),
            quote=f"passage {n}",
            stance=Stance.REFUTES if n >= excerpts - refuting else Stance.SUPPORTS,
        )
        for n in range(excerpts)
    ]


def _cmoc(cmoc_id: str, excerpts: int = 2, refuting: int = 0, status: str | None = None, **codes: str) -> Cmoc:
    refs = {role: [CodeRef(id=c, label=LABELS.get(c, c)) for c in ids.split()] for role, ids in codes.items()}
    return Cmoc(
        id=cmoc_id,
        status=Status(status) if status else None,
        codes=refs,
        counts=Counts(excerpts=excerpts, supporting=excerpts - refuting, refuting=refuting),
        evidence=evidence(cmoc_id, excerpts, refuting),
    )


def _theory(programme: str, *cmocs: Cmoc) -> Theory:
    return Theory(programme=Programme(id=programme, name=programme), cmocs=list(cmocs))


def _kinds(comparison: Comparison) -> dict[tuple[str, ...], str]:
    return {tuple(p.cmocs.values()): p.kind for p in comparison.cmocs}


def test_an_imported_cmoc_without_evidence_pairs_as_untested_never_converged() -> None:
    a = _theory("a", _cmoc("trust-helps", mechanism="trust", outcome="help"))
    b = _theory(
        "b",
        _cmoc("trust-helps", excerpts=0, status="imported", mechanism="trust", outcome="help"),
        _cmoc("own", mechanism="trust", outcome="help"),
    )
    comparison = compare([a, b], None)
    assert _kinds(comparison) == {("trust-helps", "trust-helps"): "untested", ("trust-helps", "own"): "converged"}
    assert comparison.cmocs[0].cmocs == {"a": "trust-helps", "b": "own"}  # the evidenced pair comes first
    assert not next(p for p in comparison.cmocs if p.kind == "untested").converges


def test_a_refuted_or_mostly_refuting_cmoc_is_contradicted() -> None:
    a = _theory("a", _cmoc("x", mechanism="trust", outcome="help"))
    for refuted in (
        _cmoc("y", status="refuted", mechanism="trust", outcome="help"),
        _cmoc("y", excerpts=3, refuting=2, mechanism="trust", outcome="help"),
    ):
        [pairing] = compare([a, _theory("b", refuted)], None).cmocs
        assert (pairing.kind, pairing.converges) == ("contradicted", False)
    [half] = compare(
        [a, _theory("b", _cmoc("y", excerpts=2, refuting=1, mechanism="trust", outcome="help"))], None
    ).cmocs
    assert half.kind == "converged"  # as much support as refutation is not "mostly refuting"


def test_differing_barriers_make_a_pair_mechanism_shared_with_the_divergent_barriers_text() -> None:
    a = _theory("a", _cmoc("x", status="supported", mechanism="trust key", outcome="help", barriers="time"))
    b = _theory("b", _cmoc("y", status="supported", mechanism="trust key", outcome="help", barriers="distrust"))
    comparison = compare([a, b], None)
    [pairing] = comparison.cmocs
    assert pairing.kind == "mechanism-shared"
    assert pairing.differs == {"barrier": {"a": ["time"], "b": ["distrust"]}}
    text = format_text(comparison)
    line = (
        "shared mechanism, divergent barriers: a: Limited time scale of the project; "
        "b: Distrust between community providers"
    )
    assert f"  {line} (a:x ~ b:y)\n" in text  # a finding
    assert f"                   {line}\n" in text  # and the pair's detail
    row = json.loads(format_json(comparison))["cmocs"][0]
    assert (row["kind"], row["differs"], row["converges"]) == ("mechanism-shared", pairing.differs, True)
    same = compare([a, _theory("b", _cmoc("y", mechanism="trust key", outcome="help", barriers="time"))], None)
    assert [(p.kind, p.differs) for p in same.cmocs] == [("converged", {})]


def test_a_curated_pair_sharing_only_the_mechanism_is_never_stated_as_a_converging_configuration() -> None:
    a = _theory("a", _cmoc("x", status="supported", mechanism="trust key", outcome="help"))
    b = _theory("b", _cmoc("y", status="supported", mechanism="trust key", outcome="isolation"))
    comparison = compare([a, b], None)
    [pairing] = comparison.cmocs
    assert pairing.kind == "mechanism-shared"
    text = format_text(comparison)
    assert "configurations converge" not in text
    assert "  shared mechanism, different outcomes: a:x ~ b:y (mechanism: " in text


def test_a_code_held_only_by_a_refuted_cmoc_is_not_evidenced() -> None:
    a = _theory("a", _cmoc("x", mechanism="trust", outcome="help"))
    b = _theory("b", _cmoc("y", status="refuted", excerpts=3, mechanism="trust", outcome="help"))
    comparison = compare([a, b], None)
    assert "help" in comparison.hypothesised["b"].get("outcome", [])


def test_pairing_is_many_to_many_best_first_curated_first() -> None:
    both, trust_only = (
        _cmoc("both", mechanism="trust key", outcome="help"),
        _cmoc("trust-only", mechanism="trust", outcome="help"),
    )
    b = _theory("b", _cmoc("both-b", mechanism="trust key", outcome="help"), _cmoc("other", mechanism="stigma"))
    comparison = compare([_theory("a", both, trust_only), b], None)
    assert [(p.kind, tuple(p.cmocs.values())) for p in comparison.cmocs] == [
        ("converged", ("both", "both-b")),  # the best overlap first
        ("converged", ("trust-only", "both-b")),  # the one-to-one assignment used to hide this pair
        ("one-programme", ("other",)),
    ]
    supported = trust_only.model_copy(update={"status": Status.SUPPORTED})
    curated = compare([_theory("a", both, supported), b], None)
    assert [tuple(p.cmocs.values()) for p in curated.cmocs][:2] == [("trust-only", "both-b"), ("both", "both-b")]


def test_a_code_present_only_through_evidence_less_cmocs_is_hypothesised() -> None:
    a = _theory("a", _cmoc("x", mechanism="trust", outcome="help", context="stigma"))
    b = _theory(
        "b",
        _cmoc("x", excerpts=0, status="imported", mechanism="trust", outcome="help", context="stigma"),
        _cmoc("own", mechanism="trust", outcome="referrals"),
    )
    comparison = compare([a, b], None)
    assert comparison.hypothesised == {"b": {"context": ["stigma"], "outcome": ["help"]}}
    rows = {role: {tuple(r["codes"].values()): r for r in rows} for role, rows in comparison.to_dict()["codes"].items()}
    assert (rows["context"][("stigma", "stigma")]["evidenced"], rows["context"][("stigma", "stigma")]["converges"]) == (
        ["a"],
        False,
    )
    assert rows["mechanism"][("trust", "trust")]["converges"] is True
    lines = findings(comparison)
    assert "mechanisms converge: Building trust with the group (same-id)" in lines
    assert "contexts diverge: a only: Stigma around mental health" in lines
    assert (
        "hypothesised, not yet evidenced in b: contexts: Stigma around mental health; outcomes: People seek help"
        in lines
    )


def test_candidates_are_listed_to_confirm_never_as_findings() -> None:
    a = _theory("a", _cmoc("x", mechanism="trust", outcome="help"))
    b = _theory(
        "b",
        Cmoc(
            id="y",
            codes={"mechanism": [CodeRef(id="trusting", label="Building trust with a group")]},
            counts=Counts(excerpts=1, supporting=1),
            evidence=evidence("y", 1),
        ),
    )
    comparison = compare([a, b], None)
    assert all(not concept.confirmed for concept in comparison.codes["mechanism"])
    text = format_text(comparison)
    assert "mechanisms converge" not in text
    assert (
        "  mechanism: a:trust 'Building trust with the group'  ~  b:trusting 'Building trust with a group' (fuzzy "
        in text
    )
    assert "    confirm: cmo codebook link a:trust b:trusting\n" in text
    [row] = json.loads(format_json(comparison))["candidates"]["mechanism"]
    assert (row["match"], row["confirmed"], row["converges"], row["link"]) == (
        "fuzzy",
        False,
        False,
        "cmo codebook link a:trust b:trusting",
    )
    assert [p.kind for p in comparison.cmocs] == ["one-programme", "one-programme"]
