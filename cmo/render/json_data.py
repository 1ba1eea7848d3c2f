"""The report as JSON: the same content as every other format, for other tools to read."""

from __future__ import annotations

import json
from typing import Any

from cmo.render.overarching import OverarchingView
from cmo.render.view import CmocView, Diagram, Report


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
        "codes": {role: [{"id": code, "label": label} for code, label in codes] for role, codes in view.codes.items()},
        "counts": {
            "excerpts": view.excerpts,
            "transcripts": view.transcripts,
            "participants": view.participants,
            "refuting": view.refuting,
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
            }
            for q in view.quotes
        ],
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
        "programmes": [
            {
                "id": p.id,
                "name": p.name,
                "framework": p.framework,
                "attributes": p.attributes,
                "diagram": _diagram(p.diagram),
                "cmocs": [_cmoc(view) for view in p.cmocs],
            }
            for p in report.programmes
        ],
        "comparison": report.comparison.to_dict() if report.comparison else None,
        "overarching": _overarching(report.overarching) if report.overarching else None,
        "checklist": [
            {"item": number, "title": title, "section": section, "covered_by": what}
            for number, title, section, what in report.checklist
        ],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
