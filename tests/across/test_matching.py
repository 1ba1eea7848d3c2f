"""Matching codes across programmes: same id, same_as (either way, transitive, cycles), fuzzy labels."""

from __future__ import annotations

from cmo.across.matching import CodeInfo, Match, match_codes


def _rows(concepts: list) -> list[tuple[dict[str, str], str]]:  # type: ignore[type-arg]
    return [(c.codes, c.explain()) for c in concepts]


def test_same_id_same_as_and_fuzzy_are_each_explained() -> None:
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
    assert _rows(match_codes(used, codebooks)) == [
        ({"a": "trust", "b": "trust"}, "same-id"),
        ({"a": "careers", "b": "backgrounds"}, "fuzzy 85"),
        ({"a": "belong", "b": "insider"}, "same-as"),
    ]
    stricter = match_codes(used, codebooks, threshold=90)
    assert ({"a": "careers"}, "one programme") in _rows(stricter)
    assert ({"b": "backgrounds"}, "one programme") in _rows(stricter)


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


def test_a_concept_holds_one_code_per_programme() -> None:
    codebooks = {
        "a": {"talk": CodeInfo("Understanding how the group talks about mental health")},
        "b": {
            "language": CodeInfo("Understanding how the group talks and thinks about mental health"),
            "talk-2": CodeInfo("How the group talks about mental health"),
        },
    }
    concepts = match_codes({"a": ["talk"], "b": ["language", "talk-2"]}, codebooks)
    # both labels score 100 against a's; one is matched (ties by id), the other stays on its own
    assert _rows(concepts) == [({"a": "talk", "b": "language"}, "fuzzy 100"), ({"b": "talk-2"}, "one programme")]


def test_a_concept_reports_its_weakest_link() -> None:
    codebooks = {
        "a": {"x": CodeInfo("Employees with varied career histories")},
        "b": {"y": CodeInfo("Employees with varied career backgrounds")},
        "c": {"y": CodeInfo("Employees with varied career backgrounds")},
    }
    [concept] = match_codes({"a": ["x"], "b": ["y"], "c": ["y"]}, codebooks)
    assert concept.codes == {"a": "x", "b": "y", "c": "y"}
    assert concept.explain() == "fuzzy 85"


# --- tests that each kill a mutant the suite once let through (docs/testing.md) ----------------


def test_a_similarity_exactly_at_the_threshold_is_a_match() -> None:
    from rapidfuzz import fuzz, utils

    from cmo.across.matching import DEFAULT_THRESHOLD

    left, right = "Peer support group", "Peer support groups meeting"
    score = fuzz.token_set_ratio(left, right, processor=utils.default_process)
    assert score == DEFAULT_THRESHOLD  # the pair sits on the boundary
    codebooks = {"a": {"peer": CodeInfo(left)}, "b": {"meeting": CodeInfo(right)}}
    used = {"a": ["peer"], "b": ["meeting"]}
    assert _rows(match_codes(used, codebooks)) == [({"a": "peer", "b": "meeting"}, "fuzzy 80")]
    assert _rows(match_codes(used, codebooks, threshold=score + 1)) == [
        ({"a": "peer"}, "one programme"),
        ({"b": "meeting"}, "one programme"),
    ]


def test_the_most_similar_label_is_matched_first() -> None:
    codebooks = {
        "a": {"connector": CodeInfo("Trusted community connector")},
        # Both are above the threshold; the weaker one sorts first by id, so only the score can pick.
        "b": {
            "aaa-work": CodeInfo("Community connector work"),
            "zzz-connectors": CodeInfo("Trusted community connectors"),
        },
    }
    used = {"a": ["connector"], "b": ["aaa-work", "zzz-connectors"]}
    assert _rows(match_codes(used, codebooks)) == [
        ({"a": "connector", "b": "zzz-connectors"}, "fuzzy 98"),
        ({"b": "aaa-work"}, "one programme"),
    ]
