"""SVG pictures: theory diagrams and the convergence matrix are well-formed, deterministic and say what they draw."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from cmo.across.compare import AttributeRow, Comparison
from cmo.across.matching import Concept, Match
from cmo.render.svg import convergence_matrix, theory_diagram
from cmo.render.view import Diagram, Node

NS = {"svg": "http://www.w3.org/2000/svg"}
HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'

STIGMA = Node("context", "stigma", "Stigma around mental health")
FUNDING = Node("context", "funding", "Short-term funding")
KEY = Node("resource", "key-persons", "Working through key persons")
TRUST = Node("reasoning", "trust", "Building trust")
PLAIN = Node("mechanism", "talk", "Talking about feelings")
HELP = Node("outcome", "help", "Group members seek help")


def _diagram() -> Diagram:
    return Diagram(
        columns={"context": [FUNDING, STIGMA], "resource": [KEY], "reasoning": [TRUST], "outcome": [HELP]},
        edges={(STIGMA, KEY): 4, (FUNDING, KEY): 1, (KEY, TRUST): 2, (TRUST, HELP): 5},
        chains={(HELP, STIGMA): 1},
    )


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # an SVG that is not well-formed XML fails here
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def _headers(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iterfind("svg:text/svg:tspan", NS)]


def test_theory_diagram_is_accessible_and_sized_to_its_content() -> None:
    root = _parse(theory_diagram(_diagram(), "Programme theory of Alpha"))
    assert root.get("role") == "img"
    assert root[0].tag.endswith("title") and root[0].text == "Programme theory of Alpha"
    width, height = (float(v) for v in root.get("viewBox", "").split()[2:])
    assert (root.get("width"), root.get("height")) == (f"{width:g}", f"{height:g}")
    for rect in root.iterfind(".//svg:rect", NS):
        assert float(rect.get("x", 0)) + float(rect.get("width", 0)) <= width
        assert float(rect.get("y", 0)) + float(rect.get("height", 0)) <= height
    # Empty columns (plain mechanism) are skipped: four columns, in CMOC order.
    assert _headers(root) == ["CONTEXT", "MECHANISM: RESOURCE", "MECHANISM: REASONING", "OUTCOME"]


def test_theory_diagram_grows_with_what_it_draws() -> None:
    small = _parse(theory_diagram(_diagram(), "t"))
    bigger = _diagram()
    bigger.columns["mechanism"] = [PLAIN]
    bigger.columns["context"] = [FUNDING, STIGMA, Node("context", "x", "Another context with a long label to wrap")]
    large = _parse(theory_diagram(bigger, "t"))
    small_box, large_box = (list(map(float, r.get("viewBox", "").split())) for r in (small, large))
    assert large_box[2] > small_box[2] and large_box[3] > small_box[3]


def test_theory_diagram_is_deterministic() -> None:
    assert theory_diagram(_diagram(), "t") == theory_diagram(_diagram(), "t")


def _edges(root: ET.Element, kind: str) -> list[tuple[int, ET.Element]]:
    """(CMOCs or links, path) of each edge or chain."""
    found = []
    for g in root.iterfind(f".//svg:g[@class='{kind}']", NS):
        path = g.find("svg:path", NS)
        assert path is not None
        found.append((int(g.get("data-cmocs") or g.get("data-links") or 0), path))
    return found


def test_edge_width_grows_with_the_number_of_cmocs() -> None:
    edges = _edges(_parse(theory_diagram(_diagram(), "t")), "edge")
    widths = {count: float(path.get("stroke-width", 0)) for count, path in edges}
    assert sorted(widths) == [1, 2, 4, 5]
    assert widths[1] < widths[2] < widths[4] < widths[5]
    assert all(path.get("stroke-dasharray") is None for _, path in edges)


def test_chains_are_dashed_loops_from_outcome_back_to_context() -> None:
    root = _parse(theory_diagram(_diagram(), "t"))
    [(links, path)] = _edges(root, "chain")
    assert links == 1 and path.get("stroke-dasharray")
    [title] = [g.findtext("svg:title", "", NS) for g in root.iterfind(".//svg:g[@class='chain']", NS)]
    assert title.startswith("Group members seek help ⇢ Stigma around mental health")
    no_chains = _diagram()
    no_chains.chains = {}
    assert _edges(_parse(theory_diagram(no_chains, "t")), "chain") == []


def test_an_edge_that_skips_a_column_passes_between_its_boxes() -> None:
    diagram = Diagram(
        columns={
            "context": [STIGMA],
            "mechanism": [PLAIN, Node("mechanism", "m2", "Second mechanism")],
            "outcome": [HELP],
        },
        edges={(STIGMA, PLAIN): 1, (PLAIN, HELP): 1, (STIGMA, HELP): 3},
    )
    root = _parse(theory_diagram(diagram, "t"))
    [skip] = [path for count, path in _edges(root, "edge") if count == 3]
    runs = re.findall(r"L(\S+) (\S+)", skip.get("d", ""))
    assert runs, "the skipping edge crosses the mechanism column on a straight run"
    boxes = [
        (float(r.get("y", 0)), float(r.get("y", 0)) + float(r.get("height", 0)))
        for g in root.iterfind(".//svg:g[@data-column='mechanism']", NS)
        for r in g.iterfind("svg:rect", NS)
    ]
    for _, y in runs:
        assert all(not top <= float(y) <= bottom for top, bottom in boxes)


def test_svg_text_is_escaped() -> None:
    node = Node("context", "x", HOSTILE)
    svg = theory_diagram(Diagram(columns={"context": [node]}), HOSTILE)
    assert "<script" not in svg and "<img" not in svg
    root = _parse(svg)
    assert root.findtext("svg:title", namespaces=NS) == HOSTILE
    assert HOSTILE in "".join(root.itertext())


def _comparison(label: str = "Trust") -> Comparison:
    concepts = {
        "context": [Concept({"a": "stigma", "b": "stigma"}, {"a": "Stigma", "b": "Stigma"}, Match.SAME_ID)],
        "mechanism": [
            Concept({"a": "trust", "b": "trusting"}, {"a": label, "b": "Trusting"}, Match.FUZZY, 85.0),
            Concept({"a": "insider", "b": "belong"}, {"a": "Insider", "b": "Belonging"}, Match.SAME_AS),
            Concept({"b": "practical"}, {"b": "Practical help first"}),
        ],
    }
    return Comparison(["a", "b"], [AttributeRow("framework", {"a": "ABCD", "b": None})], concepts, [], 80.0)


def test_matrix_groups_rows_by_role_mechanisms_first() -> None:
    root = _parse(convergence_matrix(_comparison()))
    groups = [t.text for t in root.iterfind("svg:text", NS) if t.text and t.text.isupper()]
    assert groups == ["MECHANISMS", "CONTEXTS"]
    assert root.findtext("svg:title", namespaces=NS) == "Convergence matrix: a and b"


def test_matrix_marks_programmes_and_tells_matches_apart() -> None:
    root = _parse(convergence_matrix(_comparison()))
    rows = {g.get("data-match"): g for g in root.iterfind("svg:g[@class='row']", NS)}
    assert set(rows) == {"same-id", "same-as", "fuzzy", "one"}
    assert len(rows["same-id"].findall("svg:circle", NS)) == 2
    assert len(rows["same-as"].findall("svg:polygon", NS)) == 2
    assert len(rows["one"].findall("svg:rect", NS)) == 1  # in one programme: one mark
    fuzzy_texts = [t.text for t in rows["fuzzy"].iterfind("svg:text", NS) if not t.findall("svg:tspan", NS)]
    assert fuzzy_texts == ["85", "85", "fuzzy 85"]  # the score at each mark and in the match column
    assert [c.get("fill") for c in rows["fuzzy"].findall("svg:circle", NS)] == ["#fff", "#fff"]
    legend = "".join(root.find("svg:g[@class='legend']", NS).itertext())  # type: ignore[union-attr]
    assert "same code id" in legend and "fuzzy label match" in legend and "one programme only" in legend


def test_matrix_labels_are_escaped_and_output_deterministic() -> None:
    svg = convergence_matrix(_comparison(HOSTILE))
    assert "<script" not in svg and "<img" not in svg
    assert HOSTILE + " = Trusting" in "".join(_parse(svg).itertext())
    assert svg == convergence_matrix(_comparison(HOSTILE))
