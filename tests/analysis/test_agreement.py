"""Agreement statistics against published worked examples and hand computations, and agreement over units."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from pathlib import Path

import pytest

from cmo.analysis.agreement import (
    CMOC,
    MECHANISM_OUTCOME,
    NO_CMOC,
    NO_UNITS,
    cohen_kappa,
    measure,
    nominal_alpha,
    statistics,
)
from cmo.analysis.alignment import ROLES, Coding, Unit, uncoded

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers, 12 units,
# nominal values with missing data (None); his result is alpha = 0.743.
KRIPPENDORFF_C: dict[str, list[int | None]] = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}
# The same paper, section A: 2 observers, 10 units, binary data; alpha = 0.095.
KRIPPENDORFF_A: dict[str, list[int | None]] = {"A": [0, 1, 0, 0, 0, 0, 0, 0, 1, 0], "B": [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]}


def _units(table: Mapping[str, list[int | None]]) -> list[dict[str, Hashable]]:
    """Observer -> values, as one mapping per unit of the observers that coded it."""
    width = len(next(iter(table.values())))
    return [{coder: values[i] for coder, values in table.items() if values[i] is not None} for i in range(width)]


def test_alpha_matches_krippendorffs_worked_example_with_missing_values() -> None:
    alpha, reason = nominal_alpha(_units(KRIPPENDORFF_C), list(KRIPPENDORFF_C))
    assert reason is None and alpha is not None
    assert round(alpha, 3) == 0.743


def test_alpha_matches_krippendorffs_binary_example() -> None:
    alpha, _ = nominal_alpha(_units(KRIPPENDORFF_A), ["A", "B"])
    assert alpha is not None and round(alpha, 3) == 0.095


def test_kappa_by_hand_on_krippendorffs_binary_data() -> None:
    # Agreement on units 2, 4, 5, 7, 8 and 10: po = 6/10. A says 1 twice (0 eight times), B 1 four times
    # (0 six times): pe = (8*6 + 2*4) / 100 = 0.56. kappa = (0.6 - 0.56) / (1 - 0.56) = 0.04 / 0.44 = 1/11.
    pairs = list(zip(KRIPPENDORFF_A["A"], KRIPPENDORFF_A["B"], strict=True))
    kappa = cohen_kappa(pairs)
    assert kappa is not None and math.isclose(kappa, 1 / 11)


def test_kappa_by_hand_on_a_two_by_two_table() -> None:
    # 50 items: both yes 20, A yes B no 5, A no B yes 10, both no 15. po = 35/50 = 0.7;
    # A yes 25/50, B yes 30/50: pe = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7 - 0.5) / 0.5 = 0.4.
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    kappa = cohen_kappa(pairs)
    assert kappa is not None and math.isclose(kappa, 0.4)


def test_perfect_agreement_on_one_category_is_one_not_undefined() -> None:
    # krippendorff and the kappa formula both divide 0 by 0 here; every pair agrees, so it is 1.
    units: list[dict[str, Hashable]] = [{"A": "x", "B": "x"}, {"A": "x", "B": "x", "C": "x"}]
    found = statistics(units, ["A", "B", "C"])
    assert (found.alpha, found.kappa, found.agreement, found.units, found.reason) == (1.0, 1.0, 1.0, 2, None)
    assert cohen_kappa([("x", "x")] * 3) == 1.0


def test_no_pairable_values_is_undefined_with_a_reason() -> None:
    found = statistics([{"A": "x"}, {"B": "y"}], ["A", "B"])
    assert (found.alpha, found.kappa, found.agreement, found.units, found.reason) == (None, None, None, 0, NO_UNITS)
    assert nominal_alpha([], ["A"]) == (None, NO_UNITS)
    assert cohen_kappa([]) is None


def test_more_than_two_coders_take_the_mean_of_pairwise_kappas() -> None:
    units: list[dict[str, Hashable]] = [
        {"A": 1, "B": 1, "C": 2},
        {"A": 2, "B": 2, "C": 2},
        {"A": 1, "B": 2},
        {"B": 1, "C": 1},
    ]
    found = statistics(units, ["A", "B", "C"])
    pairs = {pair.coders: (pair.kappa, pair.units) for pair in found.pairs}
    # A-B over units 1-3: (1,1) (2,2) (1,2): po 2/3; A: 1 twice, 2 once; B: 1 once, 2 twice: pe = (2+2)/9.
    ab = (2 / 3 - 4 / 9) / (1 - 4 / 9)
    assert pairs[("A", "B")][1] == 3 and math.isclose(pairs[("A", "B")][0] or 0, ab)
    assert set(pairs) == {("A", "B"), ("A", "C"), ("B", "C")}
    kappas = [kappa for kappa, _ in pairs.values()]
    assert found.kappa is not None and math.isclose(found.kappa, sum(k or 0 for k in kappas) / 3)
    assert found.agreement == 2 / 4  # units 2 and 4 agree throughout


def test_a_coder_missing_from_a_unit_is_missing_not_a_value() -> None:
    # C never codes with A: the pair A-C has no kappa entry, and C's column is missing data for alpha.
    units: list[dict[str, Hashable]] = [{"A": 1, "B": 1}, {"A": 2, "B": 2}, {"B": 1, "C": 1}, {"B": 2, "C": 1}]
    found = statistics(units, ["A", "B", "C"])
    assert [pair.coders for pair in found.pairs] == [("A", "B"), ("B", "C")]
    with_everyone = statistics(units, ["A", "B", "C", "never-coded"])
    assert with_everyone.alpha == found.alpha


def _coding(coder: str, start: int, end: int, cmocs: frozenset[str] = frozenset(), **codes: list[str]) -> Coding:
    return Coding("t.md", coder, start, end, {role: frozenset(codes.get(role, [])) for role in ROLES}, cmocs)


def _unit(line: int, *codings: Coding) -> Unit:
    return Unit("t.md", line, min(c.start for c in codings), max(c.end for c in codings), codings)


def test_identical_double_coding_gives_one_and_no_disagreements() -> None:
    units = [
        _unit(
            i,
            _coding("AB", i, i, frozenset({"trust"}), mechanism=["building-trust"], outcome=["help-seeking"]),
            _coding("CD", i, i, frozenset({"trust"}), mechanism=["building-trust"], outcome=["help-seeking"]),
        )
        for i in (1, 5, 9)
    ]
    found = measure(units, ["AB", "CD"])
    assert found.disagreements == []
    assert {role: stats.alpha for role, stats in found.roles.items()} == dict.fromkeys(ROLES, 1.0)
    assert {name: s.agreement for name, s in found.configurations.items()} == {CMOC: 1.0, MECHANISM_OUTCOME: 1.0}
    assert set(found.codes) == {"building-trust", "help-seeking"}
    assert (found.units, found.passages) == (3, 3)


def test_set_valued_roles_compare_the_whole_set_and_union_a_coders_records() -> None:
    units = [
        # AB codes the passage in two records: their outcomes together are AB's value.
        _unit(
            10,
            _coding("AB", 10, 12, outcome=["help-seeking"]),
            _coding("AB", 11, 12, outcome=["reduced-isolation"]),
            _coding("CD", 10, 12, outcome=["reduced-isolation", "help-seeking"]),
        ),
        _unit(20, _coding("AB", 20, 20, outcome=["help-seeking"]), _coding("CD", 20, 20, outcome=["help-seeking"])),
        _unit(
            30,
            _coding("AB", 30, 30, outcome=["help-seeking", "reduced-isolation"]),
            _coding("CD", 30, 30, outcome=["help-seeking"]),
        ),
        _unit(40, _coding("AB", 40, 40)),  # coded once: not a unit of agreement
    ]
    found = measure(units, ["AB", "CD"])
    assert (found.units, found.passages) == (3, 4)
    assert found.roles["outcome"].agreement == 2 / 3
    assert [(d.line, d.role, d.coders) for d in found.disagreements] == [
        (30, "outcome", {"AB": ("help-seeking", "reduced-isolation"), "CD": ("help-seeking",)})
    ]
    # Per code: help-seeking is present for both everywhere; reduced-isolation differs in the third unit.
    assert found.codes["help-seeking"].agreement == 1.0
    assert found.codes["reduced-isolation"].agreement == 2 / 3


def test_configuration_agreement_counts_cmocs_and_mechanism_outcome_pairs() -> None:
    same_pair_other_cmoc = _unit(
        1,
        _coding("AB", 1, 1, frozenset({"trust"}), mechanism=["building-trust"], outcome=["help-seeking"]),
        _coding("CD", 1, 1, frozenset({"timescale"}), mechanism=["building-trust"], outcome=["help-seeking"]),
    )
    other_outcome = _unit(
        3,
        _coding("AB", 3, 3, frozenset({"trust"}), mechanism=["building-trust"], outcome=["help-seeking"]),
        _coding("CD", 3, 3, frozenset({"trust"}), mechanism=["building-trust"], outcome=["reduced-isolation"]),
    )
    found = measure([same_pair_other_cmoc, other_outcome], ["AB", "CD"])
    assert found.configurations[CMOC].agreement == 0.5
    assert found.configurations[MECHANISM_OUTCOME].agreement == 0.5
    assert [(d.line, d.role) for d in found.disagreements] == [(1, "cmoc"), (3, "outcome")]
    assert found.disagreements[0].coders == {"AB": ("trust",), "CD": ("timescale",)}


@pytest.mark.parametrize("coders", [["AB", "CD"], ["AB", "CD", "EF"]])
def test_measure_has_every_coder_of_the_study_as_a_column(coders: list[str]) -> None:
    unit = _unit(1, _coding("AB", 1, 1, context=["stigma"]), _coding("CD", 1, 1, context=["language"]))
    found = measure([unit], coders)
    assert found.coders == coders
    # One unit, two values: observed disagreement equals the expected, so alpha (and kappa) is 0.
    assert (found.roles["context"].alpha, found.roles["context"].kappa, found.roles["context"].agreement) == (0, 0, 0)


@pytest.mark.parametrize(
    ("path", "safe"),
    [("alpha/a.md", True), ("/etc/passwd", False), ("alpha/../../x", False), ("C:/x", False), ("a\\..\\b", False)],
)
def test_only_plain_paths_below_the_corpus_are_written_from_a_revision(path: str, safe: bool) -> None:
    from cmo.analysis.revisions import _safe

    assert (_safe(path) is not None) is safe


def test_single_coded_passages_are_counted_in_transcripts_two_coders_coded() -> None:
    other = Coding("u.md", "AB", 1, 1, {role: frozenset() for role in ROLES}, frozenset())
    units = [
        _unit(1, _coding("AB", 1, 1, mechanism=["m"]), _coding("CD", 1, 1, mechanism=["m"])),
        _unit(5, _coding("CD", 5, 5, mechanism=["m"])),  # t.md is coded by AB and CD: counted
        Unit("u.md", 1, 1, 1, (other,)),  # u.md only AB coded: not a passage the second coder missed
    ]
    found = measure(units, ["AB", "CD"])
    assert (found.passages, found.units, found.single_coded) == (3, 1, 1)


def test_used_counts_units_where_a_coder_gave_a_code_in_the_role() -> None:
    units = [
        _unit(1, _coding("AB", 1, 1, barriers=["b"]), _coding("CD", 1, 1)),
        _unit(3, _coding("AB", 3, 3), _coding("CD", 3, 3)),
        _unit(5, _coding("AB", 5, 5, barriers=["b"]), _coding("CD", 5, 5, barriers=["b"])),
    ]
    found = measure(units, ["AB", "CD"])
    assert (found.roles["barriers"].units, found.roles["barriers"].used) == (3, 2)
    assert (found.roles["context"].agreement, found.roles["context"].used) == (1.0, 0)  # agreed: both left it empty
    assert found.codes["b"].used == 2
    assert found.configurations[MECHANISM_OUTCOME].used == 0


def test_passages_no_coder_put_in_a_cmoc_are_left_out_of_same_cmoc() -> None:
    units = [
        _unit(1, _coding("AB", 1, 1, context=["c"]), _coding("CD", 1, 1, context=["c"])),  # fragments both
        _unit(3, _coding("AB", 3, 3, frozenset({"trust"})), _coding("CD", 3, 3, frozenset({"trust"}))),
        _unit(5, _coding("AB", 5, 5, frozenset({"trust"})), _coding("CD", 5, 5)),  # one fragment: a difference
    ]
    found = measure(units, ["AB", "CD"])
    cmoc = found.configurations[CMOC]
    assert (found.without_cmoc, cmoc.units, cmoc.used, cmoc.agreement) == (1, 2, 2, 0.5)
    assert found.configurations[MECHANISM_OUTCOME].units == 3
    only_fragments = measure(units[:1], ["AB", "CD"])
    assert (only_fragments.configurations[CMOC].alpha, only_fragments.configurations[CMOC].reason) == (None, NO_CMOC)


def test_a_revision_that_did_not_code_a_passage_disagrees_as_not_coded() -> None:
    unit = _unit(1, _coding("alice", 1, 1, frozenset({"trust"}), mechanism=["m"]), uncoded("t.md", "bob", 1, 1))
    found = measure([unit], ["alice", "bob"])
    assert [(d.role, d.coders, d.not_coded) for d in found.disagreements] == [
        ("mechanism", {"alice": ("m",), "bob": ()}, ("bob",)),
        ("cmoc", {"alice": ("trust",), "bob": ()}, ("bob",)),
    ]
    assert found.roles["mechanism"].agreement == 0.0


def test_paths_of_the_temporary_folder_in_a_message_are_named_at_the_revision(tmp_path: Path) -> None:
    from cmo.analysis.revisions import _MARK, _shown_at
    from cmo.core.diagnostics import Diagnostic, Severity

    into, corpus = tmp_path / "0" / _MARK, Path("corpus")
    message = f"see {into}/beta/codebook.yaml:3 and {_MARK}/codebook.yaml; not {tmp_path}/other"
    diagnostic = Diagnostic(str(into / "alpha/a.md"), 4, 1, "unknown-code", message, Severity.ERROR)
    shown = _shown_at(diagnostic, "bob", into, corpus)
    assert shown.path == "bob:corpus/alpha/a.md"
    assert shown.message == f"see bob:corpus/beta/codebook.yaml:3 and bob:corpus/codebook.yaml; not {tmp_path}/other"
