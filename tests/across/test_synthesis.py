"""`cmo synthesise`: an overarching theory with merge's guarantees, checked by `cmo validate`."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    # confirmed concepts only (same id, same_as); a fuzzy candidate is no concept until someone links it
    assert {"building-trust", "key-persons", "understanding-group-life"} <= {
        c["codes"][A] for c in data["concepts"]["mechanism"]
    }
    assert {c["match"] for role in data["concepts"].values() for c in role} <= {"same-id", "same-as"}
    assert "barrier" not in data["concepts"]
    [trust] = [
        c
        for c in data["cmocs"]
        if "trust-through-key-persons" in c["programmes"][A]["cmocs"]
        and c["kind"] == "converged"
        and len(c["mechanism"]) == 2
    ]
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


def _synthesised(demo: Path, cli: Callable[..., Result]) -> dict[str, Any]:
    result = cli("synthesise", A, B)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = yaml.safe_load((demo / "theories/overarching.yaml").read_text(encoding="utf-8"))
    return data


def _behind(data: dict[str, Any], programme: str, cmoc: str) -> list[dict[str, Any]]:
    return [c for c in data["cmocs"] if cmoc in c["programmes"].get(programme, {}).get("cmocs", [])]


def test_each_side_keeps_its_contexts_enablers_and_barriers_with_their_evidence(
    demo: Path, cli: Callable[..., Result]
) -> None:
    data = _synthesised(demo, cli)
    # Both programmes' barrier CMOCs stand behind one mechanism-shared CMOC, barriers kept on each side.
    [shared] = [
        c
        for c in _behind(data, A, "timescale-limits-trust")
        if "distrust-blocks-partnership" in c["programmes"][B]["cmocs"] and len(c["mechanism"]) == 2
    ]
    assert shared["kind"] == "mechanism-shared"
    assert shared["mechanism"] == [
        "Building trust with the group",
        "Working through existing key persons in the community",
    ]
    barriers = {p: {b["code"]: b["excerpts"] for b in side["barriers"]} for p, side in shared["programmes"].items()}
    # Each barrier with the passages that carry it, not every passage of the CMOCs it sits in.
    assert barriers == {A: {"limited-timescale": 4}, B: {"provider-distrust": 5, "competitive-funding": 2}}
    assert shared["differs"]["barriers"] == {
        A: ["Limited time scale of the project"],
        B: ["Community organisations competing for the same grants", "Distrust between community providers"],
    }
    # The barrier CMOC is never folded, barrier gone, into a plainly converged one.
    assert all(c["kind"] == "mechanism-shared" for c in _behind(data, B, "distrust-blocks-partnership"))
    # Contexts and enablers are kept too, each with the excerpts that carry it.
    [trust] = [
        c
        for c in _behind(data, A, "trust-through-key-persons")
        if c["kind"] == "converged" and c["mechanism"] == shared["mechanism"]
    ]
    side = trust["programmes"][A]
    assert {e["code"] for e in side["enablers"]} == {"staff-from-community"}
    assert all(e["excerpts"] > 0 for role in ("context", "enablers") for e in side.get(role, []))
    assert side["excerpts"] == side["supporting"] + side["refining"] > 0


def test_no_converged_cmoc_has_an_empty_outcome_or_a_side_without_evidence(
    demo: Path, cli: Callable[..., Result]
) -> None:
    data = _synthesised(demo, cli)
    assert data["cmocs"]
    assert "outcome: []" not in (demo / "theories/overarching.yaml").read_text(encoding="utf-8")
    for cmoc in data["cmocs"]:
        assert cmoc["kind"] in ("converged", "mechanism-shared")
        assert len(cmoc["programmes"]) == 2
        assert all(side["excerpts"] > 0 for side in cmoc["programmes"].values()), cmoc["id"]
        if cmoc["kind"] == "converged":
            assert cmoc["outcome"], cmoc["id"]
            assert "barriers" not in cmoc.get("differs", {}), cmoc["id"]


def test_untested_and_contradicted_pairs_never_reach_the_overarching_theory(
    demo: Path, cli: Callable[..., Result]
) -> None:
    path = demo / "theories" / f"{B}.yaml"
    theory = yaml.safe_load(path.read_text(encoding="utf-8"))
    [model] = [c for c in theory["cmocs"] if c["id"] == "trust-through-key-persons"]
    # an imported hypothesis: the same configuration, no evidence in this programme yet
    hypothesis = {
        **model,
        "id": "imported-trust",
        "status": "imported",
        "statement": None,
        "evidence": [],
        "counts": {"excerpts": 0, "transcripts": 0, "participants": 0, "refuting": 0, "by_source": {}},
        "triangulated": False,
    }
    theory["cmocs"].append({k: v for k, v in hypothesis.items() if v is not None})
    for cmoc in theory["cmocs"]:
        if cmoc["id"] == "distrust-blocks-partnership":
            cmoc["status"] = "refuted"
    path.write_text(yaml.safe_dump(theory, sort_keys=False, allow_unicode=True), encoding="utf-8")
    compared = json.loads(cli("compare", A, B, "--format", "json").stdout)
    kinds = {
        p["kind"]
        for p in compared["cmocs"]
        if {"imported-trust", "distrust-blocks-partnership"} & set(p["cmocs"].values())
    }
    assert kinds == {"untested", "contradicted"}
    data = _synthesised(demo, cli)
    assert _behind(data, B, "imported-trust") == []
    assert _behind(data, B, "distrust-blocks-partnership") == []
    specific = data["context_specific"][B]
    assert "imported-trust" in specific["hypotheses"]
    theory = yaml.safe_load((demo / "theories" / f"{B}.yaml").read_text(encoding="utf-8"))
    only_refuted = {
        c["id"] for c in theory["cmocs"] if c["evidence"] and {e["stance"] for e in c["evidence"]} == {"refutes"}
    }
    assert only_refuted  # the demo has a generated CMOC whose only evidence refutes it
    assert {"distrust-blocks-partnership", *only_refuted} <= set(specific["contradicted"])
    assert not {"imported-trust", "distrust-blocks-partnership"} & set(specific["cmocs"])


def test_a_rerun_drops_a_generated_key_the_new_run_has_not(demo: Path, cli: Callable[..., Result]) -> None:
    cli("synthesise", A, B)
    path = demo / "theories/overarching.yaml"
    text = path.read_text(encoding="utf-8")
    stale = text.replace("    kind: mechanism-shared\n", "    kind: mechanism-shared\n    outcome: []\n", 1)
    assert stale != text
    path.write_text(stale, encoding="utf-8")
    cli("synthesise", A, B)
    assert path.read_text(encoding="utf-8") == text


def _evidence(*entries: tuple[str, str, str]) -> list[dict[str, str]]:
    return [
        {"record": record, "transcript": "t", "source": "interview", "lines": lines, "quote": "q", "stance": stance}
        for record, lines, stance in entries
    ]


def test_conditions_count_backing_passages_once_and_never_refuting_ones() -> None:
    from types import SimpleNamespace

    from cmo.across.synthesis import _conditions, support
    from cmo.theory.model import Cmoc

    x = Cmoc.model_validate(
        {
            "id": "x",
            "codes": {
                "barriers": [
                    {"id": "short-funding", "excerpts": 2, "refuting": 2},  # only refuting passages carry it
                    {"id": "distrust", "excerpts": 2, "refuting": 1},
                ],
                "context": [{"id": "stigma", "excerpts": 1}],
            },
            "evidence": _evidence(
                ("p/t#aaaa0001", "1", "supports"), ("p/t#aaaa0002", "2", "refutes"), ("p/t#aaaa0003", "3", "refutes")
            ),
        }
    )
    # y holds x's supporting passage too (the same annotation's passage coded for a second CMOC)
    y = Cmoc.model_validate(
        {
            "id": "y",
            "codes": {"context": [{"id": "stigma", "excerpts": 1}]},
            "evidence": _evidence(("p/t#aaaa0001.2", "1", "supports")),
        }
    )
    cmocs = {("p", "x"): x, ("p", "y"): y}
    sources = SimpleNamespace(cmocs=cmocs, support={key: support(c) for key, c in cmocs.items()})
    barriers = _conditions("p", ["x", "y"], "barriers", sources)  # type: ignore[arg-type]
    assert [(c["code"], c["excerpts"]) for c in barriers] == [("distrust", 1)]
    contexts = _conditions("p", ["x", "y"], "context", sources)  # type: ignore[arg-type]
    assert [(c["code"], c["excerpts"]) for c in contexts] == [("stigma", 1)]  # one passage, in both CMOCs
