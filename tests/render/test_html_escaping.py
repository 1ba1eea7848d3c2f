"""The HTML report escapes every piece of corpus text, in element content and in attribute values alike."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from cmo.across.compare import AttributeRow, CmocPairing, Comparison
from cmo.across.matching import Concept, Match
from cmo.render.escape import esc
from cmo.render.html import render_html
from cmo.render.svg import convergence_matrix, theory_diagram
from cmo.render.view import RAMESES_ITEMS, CmocView, Diagram, Node, ProgrammeView, Quote, Report
from tests.conftest import assert_golden
from tests.render.test_html import Page


def hostile(field: str) -> str:
    """Text that is markup if left unescaped: an element named after the field, quotes and an ampersand."""
    return f'<b id="{field}">{field} &amp; \'"</b>'


H = hostile
A, B = H("programme-id"), "b"
SVG = "{http://www.w3.org/2000/svg}"
CONTEXT = Node("context", H("node-code"), H("node-label"))
OUTCOME = Node("outcome", "o", H("outcome-label"))


def _cmoc(H: Callable[[str], str] = hostile) -> CmocView:
    quote = Quote(
        record=H("record"),
        transcript=H("transcript"),
        source=H("source"),
        lines=H("lines"),
        quote=H("quote"),
        stance=H("stance"),
        participants=(H("participant"), "P02"),
        coder=H("coder"),
    )
    return CmocView(
        id=H("cmoc-id"),
        statement=H("statement"),
        statement_composed=False,
        status=H("status"),
        notes=H("notes"),
        links=[H("cmoc-id"), H("unknown-link")],
        imported_from=H("imported-from"),
        codes={"context": [(H("code"), H("code-label")), ("c2", "Second context")], H("role"): [("r", "R")]},
        excerpts=1,
        transcripts=1,
        participants=2,
        refuting=0,
        by_source={"interview": 1, "workshop": 1},
        triangulated=True,
        quotes=[quote, Quote("r2", "t2", "workshop", "9", "Second quote", "refutes", (), None)],
    )


def _third() -> CmocView:
    return dataclasses.replace(_composed(), id="third", statement="A curated statement", statement_composed=False)


def _composed(H: Callable[[str], str] = hostile) -> CmocView:
    return CmocView(
        id="composed",
        statement=H("composed-statement"),
        statement_composed=True,
        status="new",
        notes=None,
        links=[],
        imported_from=None,
        codes={},
        excerpts=0,
        transcripts=0,
        participants=0,
        refuting=0,
        by_source={},
        triangulated=False,
        quotes=[],
    )


def _report(H: Callable[[str], str] = hostile) -> Report:
    """Two programmes, the first with every kind of text a report shows, each made by H from its field's name."""
    A = H("programme-id")
    CONTEXT = Node("context", H("node-code"), H("node-label"))
    OUTCOME = Node("outcome", "o", H("outcome-label"))
    first = ProgrammeView(
        id=A,
        name=H("programme-name"),
        framework=H("framework"),
        attributes={H("attribute"): H("attribute-value")},
        cmocs=[_cmoc(H), _composed(H), _third()],
        diagram=Diagram(
            columns={"context": [CONTEXT], "outcome": [OUTCOME]},
            edges={(CONTEXT, OUTCOME): 2},
            chains={(OUTCOME, CONTEXT): 1},
        ),
    )
    second = ProgrammeView(id=B, name="Bee", framework=None, attributes={}, cmocs=[], diagram=Diagram())
    comparison = Comparison(
        programmes=[A, B],
        attributes=[
            AttributeRow(H("compared-attribute"), {A: H("compared-value"), B: None}),
            AttributeRow("funding", {A: "Grant", B: "grant"}),
        ],
        codes={
            "mechanism": [
                Concept(
                    codes={A: H("concept-code"), B: "x"},
                    labels={A: H("concept-label"), B: "X"},
                    match=Match.FUZZY,
                    score=87.4,
                ),
                Concept(codes={A: "m", B: "m"}, labels={A: "Same", B: "Same"}, match=Match.SAME_ID),
            ],
            "context": [Concept(codes={A: "y"}, labels={A: H("lonely-label")})],
            "outcome": [Concept(codes={A: "o", B: "p"}, labels={A: "Out", B: "Come"}, match=Match.SAME_AS)],
        },
        cmocs=[
            CmocPairing("converged", {A: H("cmoc-id"), B: "bc"}, {A: 1, B: 2}, [H("mechanism")], [H("outcome")]),
            CmocPairing("mechanism-shared", {B: "bd"}, {B: 3}, ["m", "n"], ["o", "p"]),
            CmocPairing("one-programme", {A: "composed"}, {A: 0}),
            CmocPairing("one-programme", {B: "be"}, {B: 1}),
        ],
        threshold=0.8,
    )
    checklist = ((1, H("checklist-item"), H("checklist-part"), H("checklist-what")),)
    return Report(title=H("title"), programmes=[first, second], comparison=comparison, checklist=checklist)


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(_report())


def test_no_corpus_text_becomes_an_element(page: str) -> None:
    parsed = Page(page)
    assert [attrs.get("id") for tag, attrs in parsed.tags if tag == "b"] == []
    assert "<b " not in page


# Where each field's text reads back, whole, as text of the page (element content, SVG titles included).
TEXT_COUNTS = {
    "title": 2,  # <title>, <h1>
    "programme-name": 6,  # lede, glance card, toc, programmes table, programme heading, diagram title
    "framework": 2,  # glance card, programmes table
    "attribute": 1,
    "attribute-value": 1,
    # programmes, convergence and pairings tables, a finding, the matrix's title and its four rows' titles
    "programme-id": 10,
    "cmoc-id": 3,  # card heading, its own link, the pairing
    "unknown-link": 1,
    "statement": 1,
    "composed-statement": 1,
    "status": 1,
    "notes": 1,
    "imported-from": 1,
    "code": 1,
    "code-label": 1,
    "role": 1,
    "record": 0,  # only a tooltip
    "transcript": 1,
    "source": 1,
    "lines": 1,
    "quote": 1,
    "stance": 1,
    "coder": 1,
    "node-code": 1,  # the node's title
    "node-label": 4,  # edge title, chain title, node title, node text (wrapped at its hyphen)
    "outcome-label": 3,  # edge title, chain title, node title (the node's text wraps it)
    "compared-attribute": 1,
    "compared-value": 1,
    "concept-code": 2,  # convergence table, matrix row title
    "concept-label": 4,  # a finding, convergence table, matrix row title and text
    "lonely-label": 4,
    "mechanism": 1,
    "outcome": 1,
    "checklist-item": 1,
    "checklist-what": 1,
}


@pytest.fixture(scope="module")
def text(page: str) -> str:
    return Page(page).all_text()


@pytest.mark.parametrize("field", list(TEXT_COUNTS))
def test_each_piece_of_corpus_text_reads_back_as_text_where_it_is_shown(text: str, field: str) -> None:
    assert text.count(H(field)) == TEXT_COUNTS[field]


def test_participants_read_back_joined(page: str) -> None:
    assert f"participants {H('participant')}, P02" in Page(page).all_text()


def test_the_composed_statement_is_marked_and_escaped(page: str) -> None:
    text = Page(page).all_text()
    assert f"composed from code labels {H('composed-statement')}" in text


# Attribute values that carry corpus text: ids, links, tooltips, data- attributes, classes.
def test_ids_and_links_keep_the_text_they_were_made_of(page: str) -> None:
    parsed = Page(page)
    ids = parsed.ids()
    assert [i for i in ids if not i.startswith("cmoc-")] == [
        "programmes",
        "comparison",
        "matrix",
        f"theory-{A}",
        f"cmocs-{A}",
        f"fragments-{A}",
        "theory-b",
        "cmocs-b",
        "fragments-b",
        "checklist",
    ]
    assert [i for i in ids if i.startswith("cmoc-")] == [
        f"cmoc-{A}-{H('cmoc-id')}",
        f"cmoc-{A}-composed",
        f"cmoc-{A}-third",
    ]
    hrefs = Counter(a["href"] for _, a in parsed.tags if "href" in a)
    assert hrefs[f"#theory-{A}"] == 3  # glance card, toc twice
    assert hrefs[f"#cmocs-{A}"] == 1
    assert hrefs[f"#cmoc-{A}-{H('cmoc-id')}"] == 2  # the card's link to itself, the pairing
    assert hrefs["#" + H("checklist-part")] == 1
    assert hrefs["#cmoc-b-bc"] == hrefs["#cmoc-b-bd"] == 1  # pairings link to the other programme's cards


def test_tooltips_classes_and_data_attributes_keep_their_text(page: str) -> None:
    parsed = Page(page)
    quote = [a for t, a in parsed.tags if t == "blockquote"]
    assert quote == [
        {"class": f"stance-{H('stance')}", "title": H("record")},
        {"class": "stance-refutes", "title": "r2"},
    ]
    status = [a["class"] for t, a in parsed.tags if t == "span" and "status" in (a.get("class") or "")]
    assert status == [f"badge status status-{H('status')}", "badge status status-new", "badge status status-new"]
    nodes = [(a["data-column"], a["data-code"]) for t, a in parsed.tags if t == "g" and a.get("class") == "node"]
    assert nodes == [("context", H("node-code")), ("outcome", "o")]
    assert [a["data-match"] for t, a in parsed.tags if t == "g" and a.get("class") == "row"] == [
        "fuzzy",
        "same-id",
        "one",
        "same-as",
    ]


def test_the_checklist_links_a_part_it_has_no_section_for_by_its_name(page: str) -> None:
    section = page[page.index('id="checklist"') :]
    part = esc(H("checklist-part"))
    assert f'<td>1</td><td>{esc(H("checklist-item"))}</td><td><a href="#{part}">{part}</a></td>' in section


# --- the SVG pictures on their own: well-formed XML, whatever the labels -----------------------


def test_theory_diagram_text_and_titles_are_escaped() -> None:
    svg = theory_diagram(
        Diagram(columns={"context": [CONTEXT], "outcome": [OUTCOME]}, edges={(CONTEXT, OUTCOME): 1}), H("diagram")
    )
    assert "<b " not in svg
    assert f"<title>{esc(H('diagram'))}</title>" in svg
    assert f"<title>{esc(H('node-label'))} → {esc(H('outcome-label'))}: 1 CMOC</title>" in svg
    assert f"<title>{esc(H('node-label'))} ({esc(H('node-code'))})</title>" in svg
    assert f'data-code="{esc(H("node-code"))}"' in svg


def test_an_empty_diagram_says_so_and_escapes_its_title() -> None:
    svg = theory_diagram(Diagram(), H("empty"))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 60" width="360" height="60"')
    assert (
        f"<title>{esc(H('empty'))}</title>\n<desc>no codes; 0 edges between them; 0 chains between CMOCs.</desc>" in svg
    )
    assert ">No codes to draw.</tspan></text>\n</svg>" in svg


def test_convergence_matrix_labels_codes_and_programmes_are_escaped() -> None:
    report = _report()
    assert report.comparison is not None
    svg = convergence_matrix(report.comparison)
    assert "<b " not in svg
    assert f"<title>Convergence matrix: {esc(A)} and b</title>" in svg
    assert f"<title>{esc(H('concept-label'))} = X ({esc(A)}: {esc(H('concept-code'))}, b: x; fuzzy 87)</title>" in svg
    assert re.search(r'<text x="[\d.]+" y="[\d.]+" font-size="10" fill="#c27c0e">87</text>', svg)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<a href='x'>&</a>", "&lt;a href=&#x27;x&#x27;&gt;&amp;&lt;/a&gt;"),
        ('say "hi"', "say &quot;hi&quot;"),
        (42, "42"),
        (None, "None"),
    ],
)
def test_esc_escapes_markup_and_both_quotes(text: object, escaped: str) -> None:
    assert esc(text) == escaped


# --- the page's outline: every element, class, id, link and piece of text, in order ------------

GEOMETRY = {"x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "dy", "d", "points", "width", "height", "viewBox"}


class Outline(HTMLParser):
    """The page as a reader and a style sheet see it, one line per element or text; no CSS, no SVG coordinates."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.depth = 0
        self.in_style = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        shown = " ".join(f"{k}={v!r}" for k, v in attrs if k not in GEOMETRY)
        self.lines.append("  " * self.depth + f"<{tag}{' ' if shown else ''}{shown}>")
        self.in_style = tag == "style"
        if tag not in {"meta", "br", "polygon", "rect", "circle", "line", "path"}:
            self.depth += 1

    def handle_decl(self, decl: str) -> None:
        self.lines.append(f"<!{decl}>")

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False
        if tag not in {"meta", "br", "polygon", "rect", "circle", "line", "path"}:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if data.strip() and not self.in_style:
            self.lines.append("  " * self.depth + repr(data))


def _outline(report: Report) -> str:
    outline = Outline(render_html(report))
    assert outline.depth == 0  # every element closed
    return "\n".join(outline.lines) + "\n"


def test_the_page_outline_is_as_reviewed() -> None:
    """Headings, tables, captions, badges and cards of a small two-programme report (tests/golden/report-outline.txt)."""
    report = _report(lambda field: field)
    report = dataclasses.replace(report, checklist=RAMESES_ITEMS + report.checklist)
    assert_golden("report-outline.txt", _outline(report))


def test_the_outline_of_a_one_programme_report_is_as_reviewed() -> None:
    """No comparison, no agree / differ column, the checklist's comparison items marked as not in this report."""
    report = _report(lambda field: field)
    one = dataclasses.replace(report, programmes=report.programmes[:1], comparison=None, checklist=RAMESES_ITEMS)
    assert_golden("report-outline-one-programme.txt", _outline(one))


def test_a_comparison_of_one_programme_is_not_shown() -> None:
    report = _report(lambda field: field)
    out = render_html(dataclasses.replace(report, programmes=report.programmes[:1]))
    assert 'id="comparison"' not in out and 'id="matrix"' not in out
    assert "The programme theory of programme-name as context-mechanism-outcome configurations" in out


def test_a_node_label_is_centred_in_its_box_one_line_under_another() -> None:
    label = "A context with a label long enough to wrap onto three lines"
    svg = theory_diagram(Diagram(columns={"context": [Node("context", "c", label)]}), "t")
    [node] = [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "node"]
    rect, text = node.find(f"{SVG}rect"), node.find(f"{SVG}text")
    assert rect is not None and text is not None
    spans = [(span.get("x"), span.get("dy"), span.text) for span in text]
    centre = f"{float(rect.get('x', '')) + float(rect.get('width', '')) / 2:g}"
    assert spans == [
        (centre, "0", "A context with a label"),
        (centre, "15", "long enough to wrap onto"),
        (centre, "15", "three lines"),
    ]
    assert (text.get("x"), text.get("text-anchor")) == (centre, "middle")
    assert "".join(text.itertext()) == "A context with a labellong enough to wrap ontothree lines"  # nothing between
    # The first baseline sits the box padding (9) and a line's ascent (11) below the box's top.
    assert float(text.get("y", "")) == float(rect.get("y", "")) + 9 + 11
    assert float(rect.get("height", "")) == 3 * 15 + 2 * 9
