"""The report as JSON: the same content as every other format, for other tools to read."""

from __future__ import annotations

import json
from typing import Any

from cmo.render.overarching import OverarchingView
from cmo.render.refinement import json_section
from cmo.render.view import CmocView, Diagram, FragmentView, ProgrammeView, Report, completeness_summary


def _diagram(diagram: Diagram) -> dict[str, Any]:
    return {
        "columns": {
            column: [{"code": n.code, "label": n.label} for n in nodes] for column, nodes in diagram.columns.items()
        },
        "edges": [
            {"from": [a.column, a.code], "to": [b.column, b.code], "cmocs": count}
            for (a, b), count in sorted(
                diagram.edges.items(), key=lambda e: (e[0][0].column, e[0][0].code, e[0][1].column, e[0][1].code)
            )
        ],
        "chains": [
            {"from": [a.column, a.code], "to": [b.column, b.code], "links": count}
            for (a, b), count in sorted(diagram.chains.items(), key=lambda e: (e[0][0].code, e[0][1].code))
        ],
    }


def _cmoc(view: CmocView) -> dict[str, Any]:
    return {
        "id": view.id,
        "statement": view.statement,
        "statement_composed": view.statement_composed,
        "status": view.status,
        "notes": view.notes,
        "links": view.links,
        "imported_from": view.imported_from,
        "completeness": list(view.completeness),
        "missing": list(view.missing),
        "confidence": (
            {"level": view.confidence, "rationale": view.confidence_rationale} if view.confidence is not None else None
        ),
        "codes": {
            role: [
                {"id": code, "label": label, "excerpts": view.code_excerpts.get(role, {}).get(code)}
                for code, label in codes
            ]
            for role, codes in view.codes.items()
        },
        "counts": {  # distinct passages, but `codings` (annotations)
            "excerpts": view.excerpts,
            "codings": view.codings,
            "supporting": view.supporting,
            "refining": view.refining,
            "refuting": view.refuting,
            "elicited": view.elicited,
            "spontaneous": view.spontaneous,
            "observed": view.observed,
            "transcripts": view.transcripts,
            "participants": view.participants,
            "by_source": view.by_source,
        },
        "triangulated": view.triangulated,
        "quotes": [
            {
                "record": q.record,
                "transcript": q.transcript,
                "source": q.source,
                "lines": q.lines,
                "quote": q.quote,
                "stance": q.stance,
                "participants": list(q.participants),
                "coder": q.coder,
                "elicited": q.elicited,
            }
            for q in view.quotes
        ],
    }


def _fragment(fragment: FragmentView) -> dict[str, Any]:
    return {
        "code": fragment.code,
        "role": fragment.role,
        "label": fragment.label,
        "excerpts": fragment.excerpts,
        "evidence": [
            {"record": p.record, "transcript": p.transcript, "lines": p.lines, "stance": p.stance}
            for p in fragment.places
        ],
    }


def _programme(p: ProgrammeView) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "framework": p.framework,
        "attributes": p.attributes,
        "diagram": _diagram(p.diagram),
        "completeness": completeness_summary(p),
        "cmocs": [_cmoc(view) for view in p.cmocs],
        # Coded evidence not yet in a configuration: never counted or compared as CMOCs.
        "fragments": [_fragment(fragment) for fragment in p.fragments],
    }


def _overarching(view: OverarchingView) -> dict[str, Any]:
    return {
        "programmes": view.programmes,
        "concepts": {
            role: [{"label": label, "codes": codes, "match": match} for label, codes, match in concepts]
            for role, concepts in view.concepts.items()
        },
        "cmocs": [
            {
                "id": cmoc.id,
                "statement": cmoc.statement,
                "statement_composed": cmoc.statement_composed,
                "status": cmoc.status,
                "notes": cmoc.notes,
                "links": cmoc.links,
                "kind": cmoc.kind,
                "mechanism": cmoc.mechanism,
                "outcome": cmoc.outcome,
                "differs": cmoc.differs,
                "finding": cmoc.finding,
                "programmes": {
                    side.programme: {
                        "cmocs": side.cmocs,
                        "excerpts": side.excerpts,
                        "supporting": side.supporting,
                        "refining": side.refining,
                        "refuting": side.refuting,
                        "outcome": side.outcome,
                        **{
                            role: [{"code": c.code, "label": c.label, "excerpts": c.excerpts} for c in conditions]
                            for role, conditions in side.conditions.items()
                        },
                    }
                    for side in cmoc.sides
                },
            }
            for cmoc in view.cmocs
        ],
        "context_specific": {
            programme: {
                "cmocs": specific.cmocs,
                "hypotheses": specific.hypotheses,
                "contradicted": specific.contradicted,
                "concepts": specific.concepts,
            }
            for programme, specific in view.context_specific.items()
        },
    }


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "title": report.title,
        "programmes": [_programme(p) for p in report.programmes],
        "comparison": report.comparison.to_dict() if report.comparison else None,
        "overarching": _overarching(report.overarching) if report.overarching else None,
        # Only with --since: each programme theory against itself at that revision.
        **({"refinement": json_section(report.refinement)} if report.refinement else {}),
        "checklist": [
            {"item": number, "title": title, "section": section, "covered_by": what}
            for number, title, section, what in report.checklist
        ],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
