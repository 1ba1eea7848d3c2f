"""The report model: statements, completeness, confidence, counts, fragments, the diagram, CMOC order, the checklist."""

from __future__ import annotations

from cmo.core.diagnostics import Diagnostics
from cmo.corpus.models import Programme
from cmo.render.view import (
    Report,
    build_report,
    completeness_summary,
    completeness_text,
    composed_statement,
    confidence_text,
    diagram,
    evidence_text,
    fragment_passages,
    fragment_where,
    with_excerpts,
)
from cmo.theory.model import Cmoc, CodeRef, Counts, Theory, load_theory_bytes

# A merged theory as `cmo merge` writes one, with what issue 13 added: a curated confidence, a CMOC with
# no context coded, a passage coded twice (6 codings of 5 passages), an elicited quote, and fragments.
JUDGED_YAML = """\
programme:
  id: harbour
  name: Harbour Links
cmocs:
  - id: judged
    statement: If members trust the worker, then they seek help, because the elder's trust is lent to the worker.
    status: refined
    confidence:
      level: moderate
      rationale: Two kinds of data; the workshop agreed only when asked <i>directly</i>.
    completeness: [mechanism, outcome]
    codes:
      actor:
        - {id: elders, label: Elders, excerpts: 2}
      mechanism:
        - {id: building-trust, label: Building trust, excerpts: 5}
      outcome:
        - {id: help-seeking, label: Seeking help, excerpts: 3}
    counts:
      excerpts: 5
      codings: 6
      supporting: 2
      refining: 1
      refuting: 2
      elicited: 1
      spontaneous: 3
      observed: 1
      transcripts: 3
      participants: 4
      by_source: {interview: 3, observation: 1, document: 0, workshop: 1}
    triangulated: true
    evidence:
      - record: harbour/h-ws-01#0badcafe
        transcript: h-ws-01
        source: workshop
        lines: '40-41'
        quote: Yes, that is how it works here.
        stance: refines
        elicited: true
        participants: [P03]
      - record: harbour/h-obs-01#feedf00d
        transcript: h-obs-01
        source: observation
        lines: '7'
        quote: Nobody came to the drop-in that week.
        stance: refutes
  - id: refuted-often
    completeness: [context, mechanism, outcome]
    codes:
      context:
        - {id: stigma, label: Stigma around mental health, excerpts: 2}
        - {id: distance, label: Distance from services, excerpts: 1}
      mechanism:
        - {id: building-trust, label: Building trust, excerpts: 6}
      outcome:
        - {id: isolation, label: Less isolation, excerpts: 6}
    counts: {excerpts: 6, codings: 6, supporting: 1, refuting: 5}
  - id: backed
    completeness: [context, mechanism, outcome]
    codes:
      enablers:
        - {id: insiders, label: Insider staff, excerpts: 3}
      mechanism:
        - {id: building-trust, label: Building trust, excerpts: 3}
      outcome:
        - {id: isolation, label: Less isolation, excerpts: 3}
    counts: {excerpts: 3, codings: 3, supporting: 2, refining: 1}
fragments:
  - code: stigma
    role: context
    label: Stigma <b>around</b> help
    excerpts: 2
    evidence:
      - {record: harbour/h-int-01#aaaa0001, transcript: h-int-01, lines: '12-14'}
      - {record: harbour/h-ws-01#bbbb0002.2, transcript: h-ws-01, lines: '40', stance: refutes}
  - code: drop-ins
    role: intervention
    label: Weekly drop-ins
    excerpts: 1
    evidence:
      - {record: harbour/h-int-01#aaaa0001.2, transcript: h-int-01, lines: '12-14'}
"""


def judged_theory() -> Theory:
    diagnostics = Diagnostics()
    theory, _ = load_theory_bytes(JUDGED_YAML.encode(), "theories/harbour.yaml", diagnostics)
    assert theory is not None and not diagnostics.errors, diagnostics
    return theory


def judged_report() -> Report:
    return build_report([judged_theory()], None)


def _refs(*codes: str) -> list[CodeRef]:
    return [CodeRef(id=code, label=code.replace("-", " ").capitalize()) for code in codes]


def test_composed_statement_is_a_draft_with_barriers_after_the_main_clause() -> None:
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
        "Draft: where we find stigma, we expect the programme to rely on key persons to trigger trust, so that we see "
        "help seeking, especially where we also find insider staff, unless we find short funding."
    )
    plain = Cmoc(id="y", codes={"mechanism": _refs("trust")})
    assert composed_statement(plain) == (
        "Draft: we expect the programme to rely on trust. Not yet coded: context and outcome."
    )


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
    # No item 4: without --since the report shows no initial programme theory (RAMESES II item 4).
    assert [number for number, *_ in build_report([one], None).checklist] == [9, 11, 13, 14, 15]
    two = [one, Theory(programme=Programme(id="b", name="B"))]
    assert [number for number, *_ in build_report(two, compare(two, None)).checklist] == [9, 11, 13, 14, 15, 16]


def test_a_cmoc_shows_its_parts_its_confidence_and_passages_by_stance() -> None:
    [judged, backed, refuted] = judged_report().programmes[0].cmocs
    assert (judged.completeness, judged.missing) == (("mechanism", "outcome"), ("context",))
    assert completeness_text(judged) == "context: not yet coded; mechanism: coded; outcome: coded"
    assert completeness_text(backed) == "complete (context, mechanism and outcome)"
    assert (
        confidence_text(judged) == "moderate (Two kinds of data; the workshop agreed only when asked <i>directly</i>.)"
    )
    assert confidence_text(backed) == "not yet judged"
    assert evidence_text(judged) == (
        "5 excerpts (distinct passages): 2 supporting, 1 refining, 2 refuting; 6 codings of 5 passages; "
        "1 elicited, 3 spontaneous, 1 observed; from 3 transcripts, 4 participants"
    )
    # Codings are only named when a passage was coded more than once.
    assert "codings" not in evidence_text(backed)
    assert [(q.stance, q.elicited) for q in judged.quotes] == [("refines", True), ("refutes", False)]
    assert (
        with_excerpts(refuted, "context", "stigma", "Stigma around mental health") == "Stigma around mental health (2)"
    )
    assert with_excerpts(refuted, "context", "unknown", "No count") == "No count"


def test_cmocs_are_ordered_by_the_passages_that_support_or_refine_them() -> None:
    # `refuted-often` has the most excerpts (6), but five refute it: it backs less than `backed` (2 + 1).
    views = judged_report().programmes[0].cmocs
    assert [(v.id, v.backing, v.excerpts) for v in views] == [
        ("judged", 3, 5),
        ("backed", 3, 3),
        ("refuted-often", 1, 6),
    ]


def test_the_programme_says_how_many_cmocs_are_complete() -> None:
    programme = judged_report().programmes[0]
    assert completeness_summary(programme) == "2 of 3 CMOCs are complete (C+M+O); context not yet coded in 1."
    one = build_report([Theory(programme=Programme(id="a", name="A"), cmocs=[Cmoc(id="x")])], None)
    assert completeness_summary(one.programmes[0]) == (
        "0 of 1 CMOC is complete (C+M+O); context not yet coded in 1, mechanism not yet coded in 1, "
        "outcome not yet coded in 1."
    )


def test_fragments_are_kept_apart_with_their_passages_and_where_they_are() -> None:
    programme = judged_report().programmes[0]
    assert [(f.code, f.role, f.label, f.excerpts) for f in programme.fragments] == [
        ("stigma", "context", "Stigma <b>around</b> help", 2),
        ("drop-ins", "intervention", "Weekly drop-ins", 1),
    ]
    assert fragment_where(programme.fragments[0]) == "h-int-01 lines 12-14; h-ws-01 line 40 (refutes)"
    # Two annotations of one passage (`#aaaa0001` and `#aaaa0001.2`) are one passage.
    assert fragment_passages(programme) == 2


def test_a_fragment_passage_two_coders_coded_is_one_place() -> None:
    from cmo.render.view import FragmentPlace, FragmentView, fragment_where

    places = (
        FragmentPlace("p/t#aaaa0001", "t", "9", "supports"),
        FragmentPlace("p/t#aaaa0001.2", "t", "9", "supports"),
        FragmentPlace("p/t#bbbb0002", "t", "12-13", "refutes"),
        FragmentPlace("p/u#cccc0003", "u", "4", "supports"),
    )
    view = FragmentView("stigma", "context", "Stigma", 3, places)
    assert fragment_where(view) == "t lines 9, 12-13 (refutes); u line 4"
    assert fragment_where(FragmentView("stigma", "context", "Stigma", 1, places[:2])) == "t line 9"
