"""Code matching at its edges: label normalisation, long codebooks, separate `same_as` groups, order, missing labels."""

from __future__ import annotations

from cmo.across.matching import CodeInfo, Concept, match_codes


def _rows(concepts: list[Concept]) -> list[tuple[dict[str, str], str]]:
    return [(c.codes, c.explain()) for c in concepts]


def test_two_separate_same_as_groups_make_two_concepts() -> None:
    codebooks = {
        "p": {"alpha": CodeInfo("Practical help", ("beta",)), "gamma": CodeInfo("Peer support", ("delta",))},
        "q": {"beta": CodeInfo("Benefits advice"), "delta": CodeInfo("Lunch club")},
    }
    concepts = match_codes({"p": ["alpha", "gamma"], "q": ["beta", "delta"]}, codebooks)
    # sorted by label: "Peer support" before "Practical help"
    assert _rows(concepts) == [({"p": "gamma", "q": "delta"}, "same-as"), ({"p": "alpha", "q": "beta"}, "same-as")]


def test_a_concept_lists_programmes_in_the_order_given_not_alphabetically() -> None:
    concepts = match_codes({"zeta": ["trust"], "alpha": ["trust"]}, {})
    assert [concept.programmes for concept in concepts] == [["zeta", "alpha"]]


def test_concepts_of_one_programme_are_sorted_by_lower_cased_label() -> None:
    codebooks = {"a": {"k1": CodeInfo("AB"), "k2": CodeInfo("a_b"), "k3": CodeInfo("Aa")}}
    concepts = match_codes({"a": ["k1", "k2", "k3"]}, codebooks)
    assert [concept.codes["a"] for concept in concepts] == ["k2", "k3", "k1"]  # "a_b" < "aa" < "ab"


def test_a_code_no_codebook_describes_is_labelled_by_its_id() -> None:
    concepts = match_codes({"a": ["trust"], "b": ["help"]}, {"a": {}})
    assert [(concept.codes, concept.labels) for concept in concepts] == [
        ({"a": "trust"}, {"a": "trust"}),
        ({"b": "help"}, {"b": "help"}),
    ]
