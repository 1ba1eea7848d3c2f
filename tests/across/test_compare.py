"""`cmo compare`: the study's picture on the demo corpus (golden files), and comparisons of any shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.across.compare import compare
from cmo.core.diagnostics import Diagnostics
from cmo.core.files import write_atomic
from cmo.corpus.coding import code_corpus
from cmo.corpus.layout import discover
from cmo.theory.merge import merge_corpus
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
    assert mechanisms[("talk-about-mental-health", "mental-health-language")] == (True, "fuzzy")
    assert all(row["converges"] for row in data["codes"]["enabler"])
    assert {row["match"] for row in data["codes"]["enabler"]} == {"same-as", "fuzzy"}
    assert not any(row["converges"] for row in data["codes"]["barrier"])
    assert {code for row in data["codes"]["barrier"] for code in row["codes"].values()} >= {
        "limited-timescale",
        "provider-distrust",
    }
    converged = [row for row in data["cmocs"] if row["kind"] == "converged"]
    assert {"northcliffe-connect": "trust-through-key-persons", "riverside-bridges": "trust-through-key-persons"} in [
        row["cmocs"] for row in converged
    ]
    text = cli("compare", *DEMO).stdout
    assert "  mechanisms converge: Building trust with the group (same-id);" in text
    assert (
        "  enablers converge: Employees with varied career histories = Employees with varied career backgrounds (fuzzy 85);"
        in text
    )
    assert (
        "  barriers diverge: northcliffe-connect only: Limited time scale of the project; riverside-bridges only: "
        in text
    )


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
    [mechanism] = data["codes"]["mechanism"]
    assert mechanism["codes"] == {"a": "trust", "b": "trust-building", "c": "confidence"}
    assert (mechanism["converges"], mechanism["match"]) == (True, "fuzzy")  # a=b by same_as, c by label
    barriers = {tuple(row["in"]): row["match"] for row in data["codes"]["barrier"]}
    assert barriers == {("a", "c"): "same-id", ("b",): None}
    pairs = [(row["kind"], row["cmocs"]) for row in data["cmocs"]]
    assert ("converged", {"a": "trust-helps", "b": "trust-helps"}) in pairs
    assert sum(1 for kind, _ in pairs if kind == "converged") == 3  # a-b, a-c, b-c


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
