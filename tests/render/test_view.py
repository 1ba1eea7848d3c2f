"""The report model: statements (curated or composed), the theory diagram, CMOC order, the checklist."""

from __future__ import annotations

from cmo.corpus.models import Programme
from cmo.render.view import build_report, composed_statement, diagram
from cmo.theory.model import Cmoc, CodeRef, Counts, Theory


def _refs(*codes: str) -> list[CodeRef]:
    return [CodeRef(id=code, label=code.replace("-", " ").capitalize()) for code in codes]


def test_composed_statement_follows_if_then_because() -> None:
    split = Cmoc(
        id="x",
        codes={
            "context": _refs("stigma"),
            "enablers": _refs("insider-staff"),
            "mechanism": _refs("key-persons", "trust"),
            "resource": _refs("key-persons"),
            "reasoning": _refs("trust"),
            "outcome": _refs("help-seeking"),
            "barriers": _refs("short-funding"),
        },
    )
    assert composed_statement(split) == (
        "If stigma and insider staff, then help seeking, because the programme offers key persons, which triggers "
        "trust. Hindered by short funding."
    )
    plain = Cmoc(id="y", codes={"mechanism": _refs("trust")})
    assert composed_statement(plain) == "If this programme runs, then (no outcome coded), because trust."


def test_curated_statements_come_first_and_composed_ones_are_marked() -> None:
    theory = Theory(
        programme=Programme(id="a", name="A"),
        cmocs=[
            Cmoc(id="big", codes={"mechanism": _refs("trust")}, counts=Counts(excerpts=9)),
            Cmoc(id="curated", statement="If A, then B, because C.", counts=Counts(excerpts=1)),
            Cmoc(id="small", codes={"mechanism": _refs("trust")}, counts=Counts(excerpts=2)),
        ],
    )
    report = build_report([theory], None)
    views = report.programmes[0].cmocs
    assert [(v.id, v.statement_composed) for v in views] == [("curated", False), ("big", True), ("small", True)]
    assert report.title == "Programme theory of A"
    assert views[0].by_source == {"interview": 0, "observation": 0, "document": 0, "workshop": 0}


def test_diagram_weights_edges_by_cmocs_and_draws_links_as_chains() -> None:
    theory = Theory(
        programme=Programme(id="a", name="A"),
        cmocs=[
            Cmoc(
                id="one",
                links=["two"],
                codes={
                    "context": _refs("c1"),
                    "resource": _refs("r"),
                    "reasoning": _refs("t"),
                    "mechanism": _refs("r", "t"),
                    "outcome": _refs("o1"),
                },
            ),
            Cmoc(id="two", codes={"context": _refs("c1"), "mechanism": _refs("m"), "outcome": _refs("o2")}),
            Cmoc(
                id="three",
                codes={
                    "context": _refs("c1"),
                    "resource": _refs("r"),
                    "reasoning": _refs("t"),
                    "mechanism": _refs("r", "t"),
                    "outcome": _refs("o1"),
                },
            ),
        ],
    )
    drawn = diagram(theory)
    assert {column: [n.code for n in nodes] for column, nodes in drawn.columns.items()} == {
        "context": ["c1"],
        "resource": ["r"],
        "mechanism": ["m"],
        "reasoning": ["t"],
        "outcome": ["o1", "o2"],
    }
    edges = {(a.code, b.code): count for (a, b), count in drawn.edges.items()}
    assert edges == {("c1", "r"): 2, ("r", "t"): 2, ("t", "o1"): 2, ("c1", "m"): 1, ("m", "o2"): 1}
    assert {(a.code, b.code) for a, b in drawn.chains} == {("o1", "c1")}


def test_checklist_names_rameses_items_and_summary_only_with_a_comparison() -> None:
    from cmo.across.compare import compare

    one = Theory(programme=Programme(id="a", name="A"))
    assert [number for number, *_ in build_report([one], None).checklist] == [4, 9, 11, 13, 14, 15]
    two = [one, Theory(programme=Programme(id="b", name="B"))]
    assert [number for number, *_ in build_report(two, compare(two, None)).checklist] == [4, 9, 11, 13, 14, 15, 16]
