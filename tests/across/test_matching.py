"""Matching codes across programmes: same id, same_as (either way, transitive, cycles); fuzzy labels only as candidates."""

from __future__ import annotations

import pytest

from cmo.across.matching import CodeInfo, Match, match_codes, match_role


def _rows(concepts: list) -> list[tuple[dict[str, str], str]]:  # type: ignore[type-arg]
    return [(c.codes, c.explain()) for c in concepts]


def test_same_id_and_same_as_are_concepts_and_fuzzy_labels_only_candidates() -> None:
    codebooks = {
        "a": {
            "trust": CodeInfo("Building trust"),
            "careers": CodeInfo("Employees with varied career histories"),
            "belong": CodeInfo("Understanding group life", ("insider",)),
        },
        "b": {
            "trust": CodeInfo("Building trust"),
            "backgrounds": CodeInfo("Employees with varied career backgrounds"),
            "insider": CodeInfo("Insider view"),
        },
    }
    used = {"a": ["trust", "careers", "belong"], "b": ["trust", "backgrounds", "insider"]}
    matched = match_role(used, codebooks, role="enabler")
    assert _rows(matched.concepts) == [
        ({"a": "trust", "b": "trust"}, "same-id"),
        ({"a": "belong", "b": "insider"}, "same-as"),
        ({"a": "careers"}, "one programme"),
        ({"b": "backgrounds"}, "one programme"),
    ]
    assert [c.confirmed for c in matched.concepts] == [True, True, False, False]
    [candidate] = matched.candidates
    assert (candidate.role, candidate.codes, candidate.match) == (
        "enabler",
        {"a": "careers", "b": "backgrounds"},
        Match.FUZZY,
    )
    assert candidate.explain() == "fuzzy 83, unconfirmed"
    assert candidate.link_command == "cmo codebook link a:careers b:backgrounds"
    assert candidate.reject_command == "cmo codebook link --reject a:careers b:backgrounds"
    assert match_codes(used, codebooks) == matched.concepts
    assert not match_role(used, codebooks, threshold=90).candidates


def test_same_as_in_the_other_direction_and_transitively_over_three_programmes() -> None:
    codebooks = {
        "a": {"x": CodeInfo("Alpha words")},
        "b": {"y": CodeInfo("Beta words", ("x",))},
        "c": {"z": CodeInfo("Gamma words", ("y",))},
    }
    [concept] = match_codes({"a": ["x"], "b": ["y"], "c": ["z"]}, codebooks)
    assert (concept.codes, concept.match) == ({"a": "x", "b": "y", "c": "z"}, Match.SAME_AS)


def test_a_same_as_cycle_terminates_and_groups_once() -> None:
    codebooks = {
        "a": {"x": CodeInfo("One", ("y",))},
        "b": {"y": CodeInfo("Two", ("z",))},
        "c": {"z": CodeInfo("Three", ("x",))},
    }
    assert _rows(match_codes({"a": ["x"], "b": ["y"], "c": ["z"]}, codebooks)) == [
        ({"a": "x", "b": "y", "c": "z"}, "same-as")
    ]


def test_no_overlap_at_all() -> None:
    codebooks = {
        "a": {"time": CodeInfo("Limited time scale")},
        "b": {"distrust": CodeInfo("Distrust between providers")},
    }
    assert _rows(match_codes({"a": ["time"], "b": ["distrust"]}, codebooks)) == [
        ({"a": "time"}, "one programme"),
        ({"b": "distrust"}, "one programme"),
    ]


def test_identical_programmes_match_every_code_by_id() -> None:
    book = {"x": CodeInfo("Building trust"), "y": CodeInfo("Key persons")}
    concepts = match_codes({"a": ["x", "y"], "b": ["x", "y"]}, {"a": book, "b": book})
    assert {(tuple(c.codes.values()), c.match) for c in concepts} == {
        (("x", "x"), Match.SAME_ID),
        (("y", "y"), Match.SAME_ID),
    }


def test_every_candidate_above_the_threshold_is_listed_best_first_and_none_joins_a_concept() -> None:
    codebooks = {
        "a": {"talk": CodeInfo("Understanding how the group talks about mental health")},
        "b": {
            "language": CodeInfo("Understanding how the group talks and thinks about mental health"),
            "talk-2": CodeInfo("How the group talks about mental health"),
        },
    }
    matched = match_role({"a": ["talk"], "b": ["language", "talk-2"]}, codebooks)
    assert [(c.codes, round(c.score)) for c in matched.candidates] == [
        ({"a": "talk", "b": "language"}, 93),
        ({"a": "talk", "b": "talk-2"}, 89),
    ]
    assert all(len(concept.codes) == 1 for concept in matched.concepts)


def test_a_confirmed_pair_is_no_longer_a_candidate() -> None:
    codebooks = {
        "a": {"careers": CodeInfo("Employees with varied career histories", ("backgrounds",))},
        "b": {"backgrounds": CodeInfo("Employees with varied career backgrounds")},
    }
    matched = match_role({"a": ["careers"], "b": ["backgrounds"]}, codebooks)
    assert _rows(matched.concepts) == [({"a": "careers", "b": "backgrounds"}, "same-as")]
    assert matched.candidates == []


def test_not_same_as_suppresses_a_candidate_in_either_direction() -> None:
    def books(a_rejects: tuple[str, ...], b_rejects: tuple[str, ...]) -> dict[str, dict[str, CodeInfo]]:
        return {
            "a": {"careers": CodeInfo("Employees with varied career histories", not_same_as=a_rejects)},
            "b": {"backgrounds": CodeInfo("Employees with varied career backgrounds", not_same_as=b_rejects)},
        }

    used = {"a": ["careers"], "b": ["backgrounds"]}
    assert len(match_role(used, books((), ())).candidates) == 1
    assert match_role(used, books(("backgrounds",), ())).candidates == []
    assert match_role(used, books((), ("careers",))).candidates == []
    assert len(match_role(used, books(("other",), ())).candidates) == 1  # a rejection names one code only


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Groups run their own activities", "Groups do not run their own activities"),
        ("Help-seeking", "No help-seeking"),
        ("Trust between providers", "Distrust between providers"),
        ("Formal support", "Informal support"),
    ],
)
def test_a_label_and_its_negation_are_never_candidates_even_at_threshold_one(left: str, right: str) -> None:
    codebooks = {"a": {"x": CodeInfo(left)}, "b": {"y": CodeInfo(right)}}
    assert match_role({"a": ["x"], "b": ["y"]}, codebooks, threshold=1).candidates == []


def test_a_subset_label_is_not_identical() -> None:
    codebooks = {"a": {"x": CodeInfo("Trust")}, "b": {"y": CodeInfo("Building trust with the group")}}
    used = {"a": ["x"], "b": ["y"]}
    assert match_role(used, codebooks).candidates == []  # token_set_ratio alone scores this pair 100
    [candidate] = match_role(used, codebooks, threshold=60).candidates
    assert 60 <= candidate.score < 80


def test_a_concept_reports_its_weakest_link() -> None:
    codebooks = {
        "a": {"x": CodeInfo("Employees with varied career histories", ("y",))},
        "b": {"y": CodeInfo("Employees with varied career backgrounds")},
        "c": {"y": CodeInfo("Employees with varied career backgrounds")},
    }
    [concept] = match_codes({"a": ["x"], "b": ["y"], "c": ["y"]}, codebooks)
    assert concept.codes == {"a": "x", "b": "y", "c": "y"}
    assert concept.explain() == "same-as"


# --- tests that each kill a mutant the suite once let through (docs/testing.md) ----------------


def test_a_similarity_exactly_at_the_threshold_is_a_candidate() -> None:
    from cmo.across.similarity import similarity

    left, right = "Peer support group", "Peer support groups meeting"
    score = similarity(left, right)
    codebooks = {"a": {"peer": CodeInfo(left)}, "b": {"meeting": CodeInfo(right)}}
    used = {"a": ["peer"], "b": ["meeting"]}
    assert [c.score for c in match_role(used, codebooks, threshold=score).candidates] == [round(score, 1)]
    assert match_role(used, codebooks, threshold=score + 0.5).candidates == []


def test_the_most_similar_label_is_proposed_first() -> None:
    codebooks = {
        "a": {"connector": CodeInfo("Trusted community connector")},
        # Both are above the threshold; the weaker one sorts first by id, so only the score can pick.
        "b": {
            "aaa-work": CodeInfo("Community connector work"),
            "zzz-connectors": CodeInfo("Trusted community connectors"),
        },
    }
    used = {"a": ["connector"], "b": ["aaa-work", "zzz-connectors"]}
    assert [c.codes["b"] for c in match_role(used, codebooks, threshold=60).candidates] == [
        "zzz-connectors",
        "aaa-work",
    ]
