"""The HTML report: one self-contained page, sections with stable ids, and every piece of corpus text escaped."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

import pytest

from cmo.across.compare import compare
from cmo.core.diagnostics import Diagnostics
from cmo.corpus.layout import discover
from cmo.corpus.models import Programme
from cmo.render.html import CSP, render_html
from cmo.render.view import Report, build_report
from cmo.theory.model import Cmoc, CodeRef, Counts, EvidenceEntry, Theory
from cmo.theory.store import load_theories
from tests.conftest import REPO

DEMO = ("northcliffe-connect", "riverside-bridges")
HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> &amp;'


class Page(HTMLParser):
    """What a browser would build from the page: elements, ids, links and text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def ids(self) -> list[str]:
        return [a["id"] or "" for _, a in self.tags if "id" in a]

    def all_text(self) -> str:
        return "".join(self.text)

    def attribute_values(self) -> list[str]:
        return [v or "" for _, attrs in self.tags for v in attrs.values()]


def demo_report() -> Report:
    """The comparison report of the demo's two programmes."""
    diagnostics = Diagnostics()
    theories = load_theories(list(DEMO), REPO / "theories", diagnostics)
    return build_report(theories, compare(theories, discover([REPO / "corpus"], diagnostics)))


@pytest.fixture(scope="module")
def demo() -> Report:
    return demo_report()


@pytest.fixture(scope="module")
def demo_html(demo: Report) -> str:
    return render_html(demo)


def one_cmoc_theory(programme: str, label: str = "Trust", text: str = "It took months.") -> Theory:
    """A programme theory whose label and corpus text (statement, notes, quote, attribute) are the given strings."""
    ref = CodeRef(id="trust", label=label)
    return Theory(
        programme=Programme(id=programme, name=f"{programme} {label}", framework=label, attributes={"funding": text}),
        cmocs=[
            Cmoc(
                id="curated",
                statement=f"If {text}, then trust.",
                notes=text,
                links=["composed"],
                codes={"context": [ref], "mechanism": [ref], "outcome": [ref]},
                counts=Counts(excerpts=1, transcripts=1, participants=2, by_source={"interview": 1}),
                evidence=[
                    EvidenceEntry(
                        record=f"{programme}/{text}#1",
                        transcript="int-01",
                        source="interview",
                        lines="3-4",
                        quote=text,
                        coder="AB",
                        participants=["P01", "P02"],
                    )
                ],
            ),
            Cmoc(id="composed", codes={"outcome": [ref]}),
        ],
    )


def _hostile_report() -> Report:
    theories = [one_cmoc_theory("a", HOSTILE, HOSTILE), one_cmoc_theory("b", HOSTILE + " too", HOSTILE)]
    report = build_report(theories, compare(theories, None))
    # Ids are slugs in theory files; the renderer must not rely on that.
    programme = dataclasses.replace(report.programmes[0], id=HOSTILE)
    return dataclasses.replace(report, title=HOSTILE, programmes=[programme, report.programmes[1]])


def test_corpus_text_is_shown_as_text_never_as_markup() -> None:
    page = _hostile_report()
    out = render_html(page)
    assert "<script" not in out.lower() and "<img" not in out.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp;amp;" in out
    parsed = Page(out)
    assert {tag for tag, _ in parsed.tags} & {"script", "img", "iframe", "object", "embed"} == set()
    assert not [name for _, attrs in parsed.tags for name in attrs if name.startswith("on")]
    text = parsed.all_text()
    # Each place corpus text reaches reads back as the very same text: title, statement, quote, label, attribute.
    assert text.count(HOSTILE) >= 10
    assert f"If {HOSTILE}, then trust." in text
    assert f"theory-{HOSTILE}" in parsed.ids() and f"cmocs-{HOSTILE}" in parsed.ids()
    assert f"a/{HOSTILE}#1" in parsed.attribute_values()  # the quote's record, as a tooltip


def test_page_is_self_contained_and_runs_no_script(demo_html: str) -> None:
    assert "<script" not in demo_html.lower()
    assert not re.search(r"\son[a-z]+\s*=", demo_html)
    assert re.findall(r"https?://[^\s\"')]+", demo_html) == ["http://www.w3.org/2000/svg"] * 3  # SVG xmlns
    assert "url(" not in demo_html and "@import" not in demo_html
    parsed = Page(demo_html)
    assert [a["href"] for _, a in parsed.tags if "href" in a and not (a["href"] or "").startswith("#")] == []
    assert [t for t, a in parsed.tags if "src" in a] == []
    metas = [a for t, a in parsed.tags if t == "meta"]
    assert {"http-equiv": "Content-Security-Policy", "content": CSP} in metas
    assert {"name": "generator", "content": "cmo"} in metas
    assert CSP == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def test_every_link_in_the_page_leads_somewhere_in_it(demo_html: str) -> None:
    parsed = Page(demo_html)
    ids = parsed.ids()
    assert len(ids) == len(set(ids))
    targets = {(a["href"] or "")[1:] for _, a in parsed.tags if (a.get("href") or "").startswith("#")}
    assert targets and targets <= set(ids)


def test_comparison_report_has_every_section_in_order(demo_html: str) -> None:
    ids = Page(demo_html).ids()
    sections = [i for i in ids if not i.startswith("cmoc-")]
    assert sections == [
        "programmes",
        "comparison",
        "matrix",
        "theory-northcliffe-connect",
        "cmocs-northcliffe-connect",
        "fragments-northcliffe-connect",
        "theory-riverside-bridges",
        "cmocs-riverside-bridges",
        "fragments-riverside-bridges",
        "checklist",
    ]
    toc = demo_html[demo_html.index('<nav class="toc"') : demo_html.index("</nav>")]
    assert all(f'href="#{section}"' in toc for section in sections)


def test_one_programme_report_has_no_comparison(demo: Report) -> None:
    out = render_html(dataclasses.replace(demo, programmes=demo.programmes[:1], comparison=None))
    ids = Page(out).ids()
    assert "comparison" not in ids and "matrix" not in ids
    assert [i for i in ids if not i.startswith("cmoc-")] == [
        "programmes",
        "theory-northcliffe-connect",
        "cmocs-northcliffe-connect",
        "fragments-northcliffe-connect",
        "checklist",
    ]
    assert "agree / differ" not in out and "badge differ" not in out
    assert "not in this report: compare two or more programmes" in out


def test_programmes_are_described_side_by_side_with_agreement_marked() -> None:
    theories = [one_cmoc_theory("a", text="NHS grant"), one_cmoc_theory("b", text="nhs  GRANT")]
    theories[1] = theories[1].model_copy(
        update={"programme": theories[1].programme.model_copy(update={"framework": "none"})}
    )
    out = render_html(build_report(theories, compare(theories, None)))
    section = out[out.index('id="programmes"') : out.index('id="comparison"')]
    rows = re.findall(r'<tr><th scope="row">(\w+)</th>.*?<span class="badge (\w+)">', section)
    assert rows == [("framework", "differ"), ("funding", "agree")]


def test_convergence_table_holds_confirmed_concepts_and_candidates_apart(demo_html: str) -> None:
    section = demo_html[demo_html.index('id="comparison"') : demo_html.index('id="matrix"')]
    assert "<h3>Findings</h3>" in section and "mechanisms converge: Building trust with the group (same-id)" in section
    assert "badge fuzzy" not in section  # the demo codebooks confirmed their fuzzy pairs with `cmo codebook link`
    # Without the codebooks' same_as, similar labels are possible matches to confirm, never convergence.
    diagnostics = Diagnostics()
    theories = load_theories(list(DEMO), REPO / "theories", diagnostics)
    unlinked = render_html(build_report(theories, compare(theories, None)))
    table = unlinked[unlinked.index("<h3>Convergence / divergence table</h3>") : unlinked.index("<h3>Possible matches")]
    candidates = unlinked[unlinked.index("<h3>Possible matches") : unlinked.index("<h3>CMOCs across programmes")]
    assert "badge fuzzy" not in table
    assert '<span class="badge fuzzy">fuzzy 93</span>' in candidates
    assert (
        "<code>cmo codebook link northcliffe-connect:talk-about-mental-health riverside-bridges:mental-health-language</code>"
        in candidates
    )
    groups = re.findall(r'<th scope="rowgroup" rowspan="\d+">(\w+)</th>', section)
    assert groups == ["Mechanisms", "Contexts", "Outcomes", "Enablers", "Barriers", "Interventions", "Actors"]
    assert '<tr><th scope="row">framework</th><td>Asset Based Community Development</td><td>none</td>' in section


def test_composed_statements_are_marked_and_curated_ones_are_not() -> None:
    out = render_html(build_report([one_cmoc_theory("a")], None))
    curated = out[out.index('id="cmoc-a-curated"') : out.index('id="cmoc-a-composed"')]
    composed = out[out.index('id="cmoc-a-composed"') : out.index("</article>", out.index('id="cmoc-a-composed"'))]
    assert "composed from code labels" not in curated
    assert '<p class="statement">If It took months., then trust.</p>' in curated
    assert (
        "composed from code labels</span> Draft: we expect to see trust. Not yet coded: context and mechanism."
        in composed
    )


def test_a_cmoc_shows_its_evidence_and_where_each_quote_comes_from() -> None:
    out = render_html(build_report([one_cmoc_theory("a")], None))
    card = out[out.index('id="cmoc-a-curated"') : out.index("</article>")]
    assert '<a href="#cmoc-a-composed"><code>composed</code></a>' in card  # links lead to the linked CMOC
    assert (
        "Evidence: 1 excerpt (distinct passages): 0 supporting, 0 refining, 0 refuting; "
        "0 elicited, 0 spontaneous, 0 observed; from 1 transcript, 2 participants"
    ) in card
    assert re.search(r"<td>1</td>(<td class=\"zero\">0</td>){3}<td class=\"verdict\">no</td>", card)
    assert "<p>It took months.</p>" in card
    assert "<cite>int-01</cite> (interview), lines 3-4 · participants P01, P02 · supports · coded by AB" in card
    assert '<span class="badge status status-new">new</span>' in card


def test_a_card_shows_completeness_confidence_passages_and_elicited_quotes() -> None:
    from tests.render.test_view import judged_report

    out = render_html(judged_report())
    judged = out[out.index('id="cmoc-harbour-judged"') : out.index("</article>", out.index('id="cmoc-harbour-judged"'))]
    assert (
        '<li class="part missing">context: not yet coded</li><li class="part has">mechanism</li>'
        '<li class="part has">outcome</li>'
    ) in judged
    assert '<span class="badge confidence confidence-moderate">confidence: moderate</span>' in judged
    assert "the workshop agreed only when asked &lt;i&gt;directly&lt;/i&gt;." in judged  # escaped, as all text
    assert "2 supporting, 1 refining, 2 refuting; 6 codings of 5 passages; 1 elicited, 3 spontaneous" in judged
    assert 'Building trust <span class="muted" title="passages">(5)</span> <code>building-trust</code>' in judged
    [elicited, refuting] = re.findall(r"<blockquote.*?</blockquote>", judged)
    assert 'refines · <span class="elicited">elicited: answering the evaluator&#x27;s theory</span>' in elicited
    assert "refutes" in refuting and "elicited" not in refuting
    backed = out[out.index('id="cmoc-harbour-backed"') :]
    assert "confidence: not yet judged" in backed[: backed.index("</article>")]
    assert '<p class="summary">2 of 3 CMOCs are complete (C+M+O); context not yet coded in 1.</p>' in out
    assert "Curated statements first, then by the passages that support or refine them." in out


def test_fragments_have_a_section_of_their_own_never_cards() -> None:
    from tests.render.test_view import judged_report

    out = render_html(judged_report())
    section = out[out.index('id="fragments-harbour"') : out.index("</section>", out.index('id="fragments-harbour"'))]
    assert "<h3>Coded evidence not yet in a configuration</h3>" in section
    assert "coded without a mechanism or without an outcome" in section
    assert "not counted or compared as CMOCs. 2 codes over 2 passages." in section
    assert (
        "<tr><td>Context</td><td>Stigma &lt;b&gt;around&lt;/b&gt; help <code>stigma</code></td><td>2</td>"
        "<td>h-int-01 lines 12-14; h-ws-01 line 40 (refutes)</td></tr>"
    ) in section
    assert "<td>Intervention</td><td>Weekly drop-ins <code>drop-ins</code></td><td>1</td>" in section
    assert 'class="cmoc"' not in section and out.count('<article class="cmoc"') == 3
    assert '<a href="#fragments-harbour">Coded evidence not yet in a configuration</a>' in out  # in the contents
    empty = render_html(build_report([one_cmoc_theory("a")], None))
    assert '<p class="absent">None: every coded passage is in a configuration.</p>' in empty


def test_checklist_maps_rameses_items_to_the_report(demo: Report, demo_html: str) -> None:
    section = demo_html[demo_html.index('id="checklist"') :]
    items = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", section)
    assert [(int(n), item) for n, item in items] == [(n, item) for n, item, _, _ in demo.checklist]
    assert '<a href="#cmocs-riverside-bridges">Riverside Bridges: CMOCs</a>' in section
    # No --since, so no initial programme theory to show: RAMESES II item 4 is not claimed.
    assert "<tr><td>4</td>" not in section and "#theory-" not in section


def test_print_layout_breaks_pages_before_each_programme(demo_html: str) -> None:
    css = demo_html[demo_html.index("@media print") :]
    assert ".programme { break-before: page; }" in css
    assert "section.theory { page: diagram; }" in css and "@page diagram { size: A4 landscape;" in css
    assert "figure svg { width: 100%; max-height: 200mm; }" in css
    assert demo_html.count('<div class="programme">') == 2
    assert "figure svg { display: block; max-width: 100%; height: auto;" in demo_html


def test_output_is_deterministic(demo: Report, demo_html: str) -> None:
    assert render_html(demo) == demo_html


def test_demo_report_shows_every_quote(demo: Report, demo_html: str) -> None:
    text = Page(demo_html).all_text()
    quotes = [q.quote for p in demo.programmes for c in p.cmocs for q in c.quotes]
    assert len(quotes) > 50
    assert all(quote in text for quote in quotes)


# --- tests that each kill a mutant the suite once let through (docs/testing.md) ----------------


def test_who_coded_a_quote_where_it_is_from_and_who_speaks_are_text_not_markup() -> None:
    theories = [one_cmoc_theory("a"), one_cmoc_theory("b")]
    entry = theories[0].cmocs[0].evidence[0]
    hostile = {"coder": "<b>AB</b>", "transcript": "<i>int-01</i>", "participants": ["<u>P01</u>", "P&2"]}
    theories[0].cmocs[0].evidence[0] = entry.model_copy(update=hostile)
    out = render_html(build_report(theories, compare(theories, None)))
    page = Page(out)
    assert {tag for tag, _ in page.tags} & {"b", "i", "u"} == set()
    text = page.all_text()
    assert "coded by <b>AB</b>" in text
    assert "<i>int-01</i>" in text
    assert "participants <u>P01</u>, P&2" in text
