"""Compare stage: programme theories side by side: attributes, codes by role, and CMOCs paired across programmes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cmo.across.matching import DEFAULT_THRESHOLD, Candidate, CodeInfo, Concept, match_role
from cmo.across.pairing import (
    CONVERGENT_KINDS,
    DIFFER_ROLES,
    KINDS,
    MECHANISM_OVERLAP,
    ROLES,
    CmocPairing,
    pair_cmocs,
    standing,
)
from cmo.corpus.layout import Corpus
from cmo.theory.model import Theory

__all__ = [
    "CONVERGENT_KINDS",
    "DIFFER_ROLES",
    "KINDS",
    "MECHANISM_OVERLAP",
    "ROLES",
    "AttributeRow",
    "CmocPairing",
    "Comparison",
    "codebooks_for",
    "compare",
    "pair_cmocs",
]


@dataclass
class AttributeRow:
    """One programme fact (framework, funding, ...) across programmes."""

    name: str
    values: dict[str, str | None]

    @property
    def agree(self) -> bool:
        values = list(self.values.values())
        return None not in values and len({" ".join(str(v).lower().split()) for v in values}) == 1


@dataclass
class Comparison:
    """Everything `cmo compare` reports, in the order it reports it.

    `evidenced` and `hypothesised` map programme -> role -> code ids: a code is evidenced in a programme when
    some CMOC there holds it with at least one supporting or refining excerpt, hypothesised when it is used
    only in CMOCs without such evidence (imported hypotheses, initial theory).
    """

    programmes: list[str]
    attributes: list[AttributeRow]
    codes: dict[str, list[Concept]]
    cmocs: list[CmocPairing]
    threshold: float
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)
    evidenced: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    hypothesised: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def evidenced_in(self, role: str, concept: Concept) -> list[str]:
        """The programmes where the concept's code is evidenced (all of them when nothing was recorded)."""
        if not self.evidenced:
            return concept.programmes
        return [p for p, code in concept.codes.items() if code in self.evidenced.get(p, {}).get(role, ())]

    def converges(self, role: str, concept: Concept) -> bool:
        """A finding of convergence: a confirmed concept with evidence in every programme."""
        return concept.confirmed and len(self.evidenced_in(role, concept)) == len(self.programmes)

    def label(self, programme: str, code: str) -> str:
        return self.labels.get(programme, {}).get(code, code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "programmes": self.programmes,
            "threshold": self.threshold,
            "attributes": [{"name": row.name, "values": row.values, "agree": row.agree} for row in self.attributes],
            "codes": {role: [self._concept_row(role, c) for c in concepts] for role, concepts in self.codes.items()},
            "candidates": {
                role: [_candidate_row(candidate) for candidate in candidates]
                for role, candidates in self.candidates.items()
            },
            "hypothesised": self.hypothesised,
            "cmocs": [
                {
                    "kind": pairing.kind,
                    "converges": pairing.converges,
                    "cmocs": pairing.cmocs,
                    "excerpts": pairing.excerpts,
                    "mechanism": pairing.mechanism,
                    "outcome": pairing.outcome,
                    "differs": pairing.differs,
                    "curated": pairing.curated,
                }
                for pairing in self.cmocs
            ],
        }

    def _concept_row(self, role: str, concept: Concept) -> dict[str, Any]:
        return {
            "codes": concept.codes,
            "labels": concept.labels,
            "in": concept.programmes,
            "evidenced": self.evidenced_in(role, concept),
            "converges": self.converges(role, concept),
            "confirmed": concept.confirmed,
            "match": concept.match.value if concept.match else None,
            "score": round(concept.score, 1) if concept.score is not None else None,
        }


def _candidate_row(candidate: Candidate) -> dict[str, Any]:
    return {
        "codes": candidate.codes,
        "labels": candidate.labels,
        "in": candidate.programmes,
        "converges": False,
        "confirmed": False,
        "match": candidate.match.value,
        "score": round(candidate.score, 1),
        "link": candidate.link_command,
        "reject": candidate.reject_command,
    }


def codebooks_for(theories: Sequence[Theory], corpus: Corpus | None) -> dict[str, dict[str, CodeInfo]]:
    """Labels, same_as and not_same_as of each programme's codes: from its codebooks when the corpus has them."""
    result: dict[str, dict[str, CodeInfo]] = {}
    for theory in theories:
        programme = theory.programme.id
        known: dict[str, CodeInfo] = {}
        for cmoc in theory.cmocs:
            for refs in cmoc.codes.values():
                for ref in refs:
                    known.setdefault(ref.id, CodeInfo(ref.label or ref.id))
        source = corpus.programmes.get(programme) if corpus else None
        if source is not None:
            for code_id, declared in source.codes.items():
                code = declared.code
                known[code_id] = CodeInfo(code.label, tuple(code.same_as), tuple(code.not_same_as))
        result[programme] = known
    return result


def _codes_in_role(theory: Theory, role: str, evidenced_only: bool = False) -> list[str]:
    """Codes the theory's CMOCs hold in a role; with `evidenced_only`, only CMOCs with a supporting or refining excerpt."""
    return sorted(
        {
            ref.id
            for cmoc in theory.cmocs
            if not evidenced_only or standing(cmoc) is None  # a refuted CMOC evidences none of its codes
            for ref in cmoc.codes.get(role, [])  # type: ignore[call-overload]
        }
    )


def _presence(theories: Sequence[Theory]) -> tuple[dict[str, dict[str, list[str]]], dict[str, dict[str, list[str]]]]:
    """(evidenced, hypothesised): programme -> role -> codes with supporting evidence / used only without it."""
    evidenced: dict[str, dict[str, list[str]]] = {}
    hypothesised: dict[str, dict[str, list[str]]] = {}
    for theory in theories:
        programme = theory.programme.id
        evidenced[programme] = {}
        for role, source in ROLES.items():
            present = _codes_in_role(theory, source, evidenced_only=True)
            evidenced[programme][role] = present
            rest = sorted(set(_codes_in_role(theory, source)) - set(present))
            if rest:
                hypothesised.setdefault(programme, {})[role] = rest
    return evidenced, hypothesised


def _attributes(theories: Sequence[Theory]) -> list[AttributeRow]:
    names: list[str] = []
    for theory in theories:
        names += [name for name in theory.programme.attributes if name not in names]
    rows = [AttributeRow("framework", {t.programme.id: t.programme.framework for t in theories})]
    rows += [AttributeRow(name, {t.programme.id: t.programme.attributes.get(name) for t in theories}) for name in names]
    return rows


def compare(theories: Sequence[Theory], corpus: Corpus | None, threshold: float = DEFAULT_THRESHOLD) -> Comparison:
    """Compare two or more programme theories."""
    codebooks = codebooks_for(theories, corpus)
    matched = {
        role: match_role({t.programme.id: _codes_in_role(t, source) for t in theories}, codebooks, threshold, role)
        for role, source in ROLES.items()
    }
    concepts = {role: matching.concepts for role, matching in matched.items()}
    evidenced, hypothesised = _presence(theories)
    return Comparison(
        programmes=[t.programme.id for t in theories],
        attributes=_attributes(theories),
        codes=concepts,
        cmocs=pair_cmocs(theories, concepts),
        threshold=threshold,
        candidates={role: matching.candidates for role, matching in matched.items() if matching.candidates},
        evidenced=evidenced,
        hypothesised=hypothesised,
        labels={
            programme: {code: info.label for code, info in codes.items()} for programme, codes in codebooks.items()
        },
    )
