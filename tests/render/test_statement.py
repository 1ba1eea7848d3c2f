"""Composed draft statements: labelled drafts, grammatical for any mix of coded parts, labels kept as written."""

from __future__ import annotations

import itertools
import re

import pytest

from cmo.render.statement import (
    DRAFT,
    composed_overarching_statement,
    composed_statement,
    in_sentence,
    join,
)
from cmo.theory.model import Cmoc, CodeRef, CodeRole, Condition, OverarchingCmoc, ProgrammeEvidence

# Each label as a composed statement must show it: an ordinary first capital lower-cased, acronyms kept.
SHOWN = {
    "Stigma around mental health": "stigma around mental health",
    "GP surgeries far from home": "GP surgeries far from home",
    "Community connectors": "community connectors",
    "Faith leaders": "faith leaders",
    "Working through key persons": "working through key persons",
    "Building trust with the group": "building trust with the group",
    "NHS talking therapies": "NHS talking therapies",
    "Group members seek help for their mental health": "group members seek help for their mental health",
    "A&E attendances": "A&E attendances",
    "Staff recruited locally": "staff recruited locally",
    "Limited time scale of the project": "limited time scale of the project",
    "Pennine Vale funding cuts": "Pennine Vale funding cuts",
}
CONTEXT = ["Stigma around mental health", "GP surgeries far from home"]
INTERVENTION = ["Community connectors"]
ACTORS = ["Faith leaders"]
RESOURCE = ["Working through key persons"]
REASONING = ["Building trust with the group"]
PLAIN = ["NHS talking therapies"]
OUTCOME = ["Group members seek help for their mental health", "A&E attendances"]
ENABLERS = ["Staff recruited locally"]
BARRIERS = ["Limited time scale of the project", "Pennine Vale funding cuts"]
PLACEHOLDERS = ("(no", "this programme runs", "If ", " then ", "Hindered", "leads to", "leading to", "None")


def _refs(labels: list[str]) -> list[CodeRef]:
    return [CodeRef(id=re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-"), label=label) for label in labels]


def _cmoc(codes: dict[CodeRole, list[str]]) -> Cmoc:
    return Cmoc(id="x", codes={role: _refs(labels) for role, labels in codes.items() if labels})


def _assert_tidy(statement: str) -> None:
    assert statement.startswith(f"{DRAFT} ") and statement.count(DRAFT) == 1
    assert statement.endswith(".") and not statement.endswith("..")
    for bad in ("  ", ", ,", " ,", ",.", " .", ",,", ";.", "..", ", and to"):
        assert bad not in statement, (bad, statement)
    for placeholder in PLACEHOLDERS:
        assert placeholder not in statement, (placeholder, statement)


MECHANISMS = ("none", "plain", "split")
COMBINATIONS = list(itertools.product([False, True], MECHANISMS, [False, True], [False, True], [False, True]))


@pytest.mark.parametrize("means", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize(("context", "mechanism", "outcome", "enablers", "barriers"), COMBINATIONS)
def test_every_combination_of_coded_parts_reads_as_a_draft(
    context: bool, mechanism: str, outcome: bool, enablers: bool, barriers: bool, means: tuple[bool, bool]
) -> None:
    intervention, actors = means
    codes: dict[CodeRole, list[str]] = {
        "context": CONTEXT if context else [],
        "intervention": INTERVENTION if intervention else [],
        "actor": ACTORS if actors else [],
        "resource": RESOURCE if mechanism == "split" else [],
        "reasoning": REASONING if mechanism == "split" else [],
        # A split mechanism's codes are also listed as mechanism codes: said once, as resource and reasoning.
        "mechanism": PLAIN if mechanism == "plain" else RESOURCE + REASONING if mechanism == "split" else [],
        "outcome": OUTCOME if outcome else [],
        "enablers": ENABLERS if enablers else [],
        "barriers": BARRIERS if barriers else [],
    }
    statement = composed_statement(_cmoc(codes))
    _assert_tidy(statement)
    sentence, _, note = statement.partition(". ")
    if not note:
        sentence = sentence.removesuffix(".")

    for labels in codes.values():
        for label in labels:
            assert sentence.count(SHOWN[label]) == 1, (label, statement)

    # What is missing is named, plainly, after the sentence; nothing present is.
    # Enablers and barriers are contexts too (as completeness and `cmo validate` count them).
    coded = {"context": context or enablers or barriers, "mechanism": mechanism != "none", "outcome": outcome}
    missing = [part for part, there in coded.items() if not there]
    if missing:
        assert note == f"Not yet coded: {join(missing)}."
    else:
        assert note == "" and "coded" not in statement
    assert "coded" not in sentence

    # Contexts lead; the main clause follows; enablers, then barriers, after their own markers.
    main = sentence.index("we expect")
    for label in CONTEXT if context else []:
        assert sentence.index(SHOWN[label]) < main
    for label in (RESOURCE + REASONING if mechanism == "split" else PLAIN if mechanism == "plain" else []) + (
        OUTCOME if outcome else []
    ):
        assert sentence.index(SHOWN[label]) > main
    if mechanism == "split":
        assert "rely on working through key persons to trigger building trust with the group" in sentence
    if outcome:
        assert "so that we see group members seek help" in sentence or "we expect to see group members" in sentence
    said = [SHOWN[label] for label in OUTCOME + RESOURCE + REASONING + PLAIN if SHOWN[label] in sentence]
    main_end = max([main, *(sentence.index(words) for words in said)])
    if enablers:
        marker = sentence.index("especially where we")
        assert main_end < marker < sentence.index(SHOWN[ENABLERS[0]])
    if barriers:
        marker = sentence.index(", unless we find ")
        assert main_end < marker < sentence.index(SHOWN[BARRIERS[0]])
        assert all(sentence.index(SHOWN[label]) > marker for label in BARRIERS)
        if enablers:
            assert sentence.index(SHOWN[ENABLERS[0]]) < marker
    else:
        assert "unless" not in sentence


def test_a_full_cmoc_reads_context_mechanism_outcome_enablers_barriers() -> None:
    cmoc = _cmoc(
        {
            "context": CONTEXT,
            "intervention": INTERVENTION,
            "actor": ACTORS,
            "resource": RESOURCE,
            "reasoning": REASONING,
            "outcome": OUTCOME,
            "enablers": ENABLERS,
            "barriers": BARRIERS,
        }
    )
    assert composed_statement(cmoc) == (
        "Draft: where we find stigma around mental health and GP surgeries far from home, we expect community "
        "connectors, with faith leaders, to rely on working through key persons to trigger building trust with the "
        "group, so that we see group members seek help for their mental health and A&E attendances, especially where "
        "we also find staff recruited locally, unless we find limited time scale of the project and Pennine Vale "
        "funding cuts."
    )


def test_a_cmoc_with_no_mechanism_names_it_missing() -> None:
    cmoc = _cmoc({"intervention": INTERVENTION, "outcome": ["Reduced social isolation"], "barriers": BARRIERS[:1]})
    assert composed_statement(cmoc) == (
        "Draft: through community connectors, we expect to see reduced social isolation, unless we find limited time "
        "scale of the project. Not yet coded: mechanism."
    )


def test_a_cmoc_with_conditions_only_names_mechanism_and_outcome_missing() -> None:
    cmoc = _cmoc({"context": ["Stigma around mental health"], "barriers": BARRIERS[:1]})
    assert composed_statement(cmoc) == (
        "Draft: where we find stigma around mental health, we expect the programme to work, unless we find limited "
        "time scale of the project. Not yet coded: mechanism and outcome."
    )
    assert composed_statement(Cmoc(id="empty")) == (
        "Draft: we expect the programme to work. Not yet coded: context, mechanism and outcome."
    )


def test_acronyms_keep_their_case() -> None:
    cmoc = _cmoc({"mechanism": ["NHS talking therapies"], "outcome": ["A&E attendances"], "context": ["GP"]})
    statement = composed_statement(cmoc)
    assert statement == (
        "Draft: where we find GP, we expect the programme to rely on NHS talking therapies, so that we see A&E "
        "attendances."
    )
    assert "nhs" not in statement and "a&e" not in statement


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("Stigma around mental health", "stigma around mental health"),
        ("Group members seek help", "group members seek help"),
        ("A safe space", "a safe space"),
        ("Self-esteem of residents", "self-esteem of residents"),
        ("Weekly GP visits", "weekly GP visits"),
        ("NHS talking therapies", "NHS talking therapies"),
        ("A&E attendances", "A&E attendances"),
        ("GP", "GP"),
        ("Covid-19 lockdowns", "Covid-19 lockdowns"),
        ("IAPT referrals", "IAPT referrals"),
        ("Pennine Vale schools", "Pennine Vale schools"),
        ("I feel heard", "I feel heard"),
        ("iPads for residents", "iPads for residents"),
        ("already lower case", "already lower case"),
        ("  Reduced   social isolation. ", "reduced social isolation"),
    ],
)
def test_a_label_is_lower_cased_only_when_it_plainly_starts_with_an_ordinary_word(label: str, shown: str) -> None:
    assert in_sentence(label) == shown


def test_lists_read_a_b_and_c() -> None:
    assert [join([]), join(["a"]), join(["a", "b"]), join(["a", "b", "c"])] == ["", "a", "a and b", "a, b and c"]
    assert join(["a", "", "a", "b"], "or") == "a or b"


def _side(context: list[str], barriers: list[str]) -> ProgrammeEvidence:
    return ProgrammeEvidence(
        cmocs=["c"],
        excerpts=3,
        context=[Condition(code=f"c{i}", label=label, excerpts=1) for i, label in enumerate(context)],
        barriers=[Condition(code=f"b{i}", label=label, excerpts=1) for i, label in enumerate(barriers)],
    )


def _overarching(mechanism: list[str], outcome: list[str]) -> OverarchingCmoc:
    return OverarchingCmoc(
        id="o",
        kind="converged" if outcome else "mechanism-shared",
        mechanism=mechanism,
        outcome=outcome,
        differs={"context": {"a": ["Rural isolation"]}, "barriers": {"b": ["Short funding"]}},
        programmes={
            "a": _side(["Stigma around mental health", "Rural isolation"], ["NHS waiting lists"]),
            "b": _side(["Stigma around mental health"], ["NHS waiting lists", "Short funding"]),
        },
    )


def test_an_overarching_statement_says_what_is_shared_and_reads_correctly() -> None:
    cmoc = _overarching(["Building trust with the group"], ["Group members seek help for their mental health"])
    assert composed_overarching_statement(cmoc) == (
        "Draft: across a and b, where we find stigma around mental health, we expect the programmes to rely on "
        "building trust with the group, so that we see group members seek help for their mental health, unless we "
        "find NHS waiting lists."
    )


@pytest.mark.parametrize(("mechanism", "outcome"), list(itertools.product([False, True], [False, True])))
def test_an_overarching_statement_names_what_is_not_shared(mechanism: bool, outcome: bool) -> None:
    cmoc = _overarching(
        REASONING if mechanism else [], ["Reduced social isolation", "A&E attendances"] if outcome else []
    )
    statement = composed_overarching_statement(cmoc)
    _assert_tidy(statement)
    assert statement.startswith("Draft: across a and b, ")
    assert "rural isolation" not in statement.lower() and "short funding" not in statement.lower()
    assert ("so that we see reduced social isolation and A&E attendances" in statement) is (outcome and mechanism)
    assert ("No outcome is shared across the programmes." in statement) is not outcome
    assert ("No mechanism is shared across the programmes." in statement) is not mechanism
    assert statement.index("NHS waiting lists") > statement.index("unless we find")
