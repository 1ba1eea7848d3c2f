"""Matrix counts against the hand count of tests/analysis/evidence_corpus.py, and the dimensions they are over."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmo.analysis.dimensions import NONE, DimensionError, canonical, values
from cmo.analysis.evidence import Evidence, gather
from cmo.analysis.matrix import Quote, build_matrix
from cmo.analysis.selection import Filters, select
from tests.analysis.evidence_corpus import evidence_corpus


@pytest.fixture
def evidence(tmp_path: Path) -> Evidence:
    return gather([evidence_corpus(tmp_path)], None)


def test_mechanism_by_source_counts_distinct_passages_and_transcripts(evidence: Evidence) -> None:
    matrix = build_matrix(evidence.rows, "mechanism", "source", code_labels=evidence.labels())
    assert matrix.rows == ["building-trust", "key-persons"]  # 4 passages (A, C, E, F), then 2 (A, B)
    assert matrix.columns == ["interview", "document", "observation", "workshop"]  # 2 passages, then ties by id
    # Passage A is coded twice with building-trust (R1 and R2): it counts once.
    assert matrix.counts == [[1, 1, 1, 1], [2, 0, 0, 0]]
    # Passages A and B are both in a-int-01: two passages, one transcript.
    assert matrix.transcripts == [[1, 1, 1, 1], [1, 0, 0, 0]]
    assert matrix.total_passages == 5  # D has no mechanism
    assert matrix.row_labels == {
        "building-trust": "Building trust with the group",
        "key-persons": "Working through key persons",
    }
    assert matrix.column_labels == {name: name for name in matrix.columns}
    assert (matrix.row_dimension, matrix.column_dimension) == ("mechanism", "source")
    assert matrix.quotes == []  # not asked for


def test_mechanism_by_outcome(evidence: Evidence) -> None:
    matrix = build_matrix(evidence.rows, "mechanism", "outcome")
    assert (matrix.rows, matrix.columns) == (["building-trust", "key-persons"], ["help-seeking", "referrals"])
    # building-trust x help-seeking: A (R1 and R2), C, F; x referrals: A (R2), E; key-persons: A (R1), B (R3).
    assert matrix.counts == [[3, 2], [1, 1]]
    assert matrix.transcripts == [[3, 2], [1, 1]]


def test_a_record_without_a_value_is_left_out_unless_none_is_asked_for(evidence: Evidence) -> None:
    plain = build_matrix(evidence.rows, "context", "outcome")
    assert (plain.rows, plain.columns, plain.counts, plain.total_passages) == (
        ["stigma"],
        ["help-seeking"],
        [[1]],
        1,
    )
    with_none = build_matrix(evidence.rows, "context", "outcome", include_none=True)
    assert with_none.rows == ["short-funding", "stigma", NONE]  # (none) last, whatever its count
    assert with_none.columns == ["help-seeking", "referrals", NONE]
    # R2 gives passage A no context, so A is under (none) too; D (R5) has a context and no outcome.
    assert with_none.counts == [[0, 0, 1], [1, 0, 0], [3, 3, 0]]
    assert with_none.total_passages == 6


def test_participant_role_rows(evidence: Evidence) -> None:
    matrix = build_matrix(evidence.rows, "participant.role", "mechanism")
    assert matrix.rows == ["connector", "manager", "volunteer"]
    assert matrix.columns == ["building-trust", "key-persons"]
    # b-doc-01 has no participants: left out. Passage C is P02's, a volunteer, though a connector was there.
    assert matrix.counts == [[1, 2], [1, 0], [1, 0]]


def test_quotes_list_each_passage_once_by_its_first_coding(evidence: Evidence) -> None:
    matrix = build_matrix(evidence.rows, "mechanism", "source", want_quotes=True)
    first = evidence.rows[0]
    assert matrix.quotes[0][0] == [Quote(first.shown, 9, first.record["quote"], first.record["id"])]
    assert [q.line for q in matrix.quotes[1][0]] == [9, 27]
    assert matrix.quotes[1][1] == []
    assert [[len(cell) for cell in line] for line in matrix.quotes] == matrix.counts


def test_filters_narrow_the_matrix(evidence: Evidence) -> None:
    matrix = build_matrix(select(evidence.rows, Filters(programmes=("beta",))), "mechanism", "source")
    assert (matrix.rows, matrix.columns, matrix.counts) == (["building-trust"], ["document", "workshop"], [[1, 1]])
    empty = build_matrix(select(evidence.rows, Filters(stances=("refutes",))), "mechanism", "outcome")
    assert (empty.rows, empty.columns, empty.counts, empty.total_passages) == ([], [], [], 0)


def test_order_is_deterministic_whatever_the_row_order(evidence: Evidence) -> None:
    forward = build_matrix(evidence.rows, "outcome", "coder")
    backward = build_matrix(list(reversed(evidence.rows)), "outcome", "coder")
    assert (forward.rows, forward.columns, forward.counts) == (backward.rows, backward.columns, backward.counts)


@pytest.mark.parametrize(
    ("given", "name"),
    [
        ("enabler", "enablers"),
        ("Barriers", "barriers"),
        ("mechanisms", "mechanism"),
        ("sources", "source"),
        ("cmoc", "cmoc"),
        ("participant.role", "participant.role"),
    ],
)
def test_dimensions_singular_and_plural(given: str, name: str) -> None:
    assert canonical(given) == name


def test_unknown_dimensions_say_what_was_meant() -> None:
    with pytest.raises(DimensionError, match="unknown dimension 'mechansim'; did you mean 'mechanism'"):
        canonical("mechansim")
    with pytest.raises(DimensionError, match="no participant has the attribute 'grop'; did you mean 'group'"):
        canonical("participant.grop", {"role", "group"})
    assert canonical("participant.anything", None) == "participant.anything"  # checked once the rows are read


def test_values_of_a_row(evidence: Evidence) -> None:
    r1, r6 = evidence.rows[0], evidence.rows[5]
    assert values(r1, "mechanism") == ["key-persons", "building-trust"]
    assert values(r1, "resource") == ["key-persons"]
    assert values(r1, "cmoc") == ["trust-first"]
    assert values(r1, "programme") == ["alpha"]
    assert values(r6, "coder") == []
    assert values(r6, "participant.role") == []
    assert values(evidence.rows[3], "participant.role") == ["volunteer"]  # `**P02:**`: P02 speaks it
