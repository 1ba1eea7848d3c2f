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
    "Drop-in sessions": "drop-in sessions",
    "Faith leaders": "faith leaders",
    "Barbers": "barbers",
    "Working through key persons": "working through key persons",
    "Building trust with the group": "building trust with the group",
    "NHS talking therapies": "NHS talking therapies",
    "Group members seek help for their mental health": "group members seek help for their mental health",
    "A&E attendances": "A&E attendances",
    "Staff recruited locally": "staff recruited locally",
    "Employees with varied career histories": "employees with varied career histories",
    "Limited time scale of the project": "limited time scale of the project",
    "Pennine Vale funding cuts": "Pennine Vale funding cuts",
}
CONTEXT = ["Stigma around mental health", "GP surgeries far from home"]
INTERVENTION = ["Community connectors", "Drop-in sessions"]
ACTORS = ["Faith leaders", "Barbers"]
RESOURCE = ["Working through key persons"]
REASONING = ["Building trust with the group"]
PLAIN = ["NHS talking therapies"]
OUTCOME = ["Group members seek help for their mental health", "A&E attendances"]
ENABLERS = ["Staff recruited locally", "Employees with varied career histories"]
BARRIERS = ["Limited time scale of the project", "Pennine Vale funding cuts"]
# Stand-ins a draft once used for a part nobody coded; a missing part is named in the note instead.
PLACEHOLDERS = (
    "(no",
    "this programme runs",
    "If ",
    " then ",
    "Hindered",
    "leads to",
    "leading to",
    "None",
    "we expect the programme to work",
    "we expect the programmes to work",
    " to work",
)
# Accumulated across a CMOC's passages (joined with "or"), and how a draft with no expectation names each.
ACCUMULATED: dict[CodeRole, str] = {
    "context": "context",
    "intervention": "the intervention",
    "actor": "actors",
    "enablers": "an enabler",
    "barriers": "a barrier",
}


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
    sentence, marker, rest = statement.removeprefix(f"{DRAFT} ").partition("Not yet coded: ")
    sentence, note = sentence.strip().removesuffix("."), marker + rest

    for labels in codes.values():
        for label in labels:
            assert sentence.count(SHOWN[label]) == 1, (label, statement)

    # What accumulates across passages is joined with "or": "and" would claim one passage shows both.
    # The outcomes are the configuration's key, which every passage has: "and".
    for role in ACCUMULATED:
        if codes[role]:
            first, second = (SHOWN[label] for label in codes[role])
            assert f"{first} or {second}" in sentence and f"{first} and {second}" not in sentence, (role, statement)
    if outcome:
        assert f"{SHOWN[OUTCOME[0]]} and {SHOWN[OUTCOME[1]]}" in sentence

    # What is missing is named, plainly, after the sentence; nothing present is.
    # Enablers and barriers are contexts too (as completeness and `cmo validate` count them).
    coded = {"context": context or enablers or barriers, "mechanism": mechanism != "none", "outcome": outcome}
    missing = [part for part, there in coded.items() if not there]
    if missing:
        assert note == f"Not yet coded: {join(missing)}."
    else:
        assert note == "" and "coded" not in statement
    assert "coded" not in sentence

    if mechanism == "none" and not outcome:
        _assert_names_each_part_and_expects_nothing(sentence, codes)
    else:
        _assert_reads_as_an_expectation(sentence, codes)


def _assert_names_each_part_and_expects_nothing(sentence: str, codes: dict[CodeRole, list[str]]) -> None:
    """No mechanism and no outcome: each coded part under its role, in order, with no verb standing in."""
    for words in ("we expect", "so that", "especially", "unless"):
        assert words not in sentence, (words, sentence)
    present = [role for role in ACCUMULATED if codes[role]]
    if not present:
        assert sentence == ""
        return
    assert sentence.startswith("so far we find ")
    said = [sentence.index(f"{SHOWN[codes[role][-1]]} as {ACCUMULATED[role]}") for role in present]
    assert said == sorted(said), sentence


def _assert_reads_as_an_expectation(sentence: str, codes: dict[CodeRole, list[str]]) -> None:
    """Contexts lead; the main clause follows; enablers, then barriers, after their own markers."""
    main = sentence.index("we expect")
    for label in codes["context"]:
        assert sentence.index(SHOWN[label]) < main
    for label in codes["mechanism"] + codes["outcome"]:
        assert sentence.index(SHOWN[label]) > main
    if codes["resource"]:
        assert "rely on working through key persons to trigger building trust with the group" in sentence
    if codes["outcome"]:
        assert "so that we see group members seek help" in sentence or "we expect to see group members" in sentence
    said = [SHOWN[label] for label in OUTCOME + RESOURCE + REASONING + PLAIN if SHOWN[label] in sentence]
    main_end = max([main, *(sentence.index(words) for words in said)])
    if codes["enablers"]:
        marker = sentence.index("especially where we")
        assert main_end < marker < sentence.index(SHOWN[ENABLERS[0]])
    if codes["barriers"]:
        marker = sentence.index(", unless we find ")
        assert main_end < marker < sentence.index(SHOWN[BARRIERS[0]])
        assert all(sentence.index(SHOWN[label]) > marker for label in BARRIERS)
        if codes["enablers"]:
            assert sentence.index(SHOWN[ENABLERS[-1]]) < marker
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
        "Draft: where we find stigma around mental health or GP surgeries far from home, we expect community "
        "connectors or drop-in sessions, with faith leaders or barbers, to rely on working through key persons to "
        "trigger building trust with the group, so that we see group members seek help for their mental health and "
        "A&E attendances, especially where we also find staff recruited locally or employees with varied career "
        "histories, unless we find limited time scale of the project or Pennine Vale funding cuts."
    )


def test_contexts_coded_on_different_passages_are_not_said_to_hold_together() -> None:
    cmoc = _cmoc(
        {
            "context": ["Short-term funding", "Stigma around mental health"],
            "mechanism": ["Building trust with the group", "Understanding the group"],
            "outcome": ["Reduced social isolation"],
            "barriers": ["Distrust between providers", "Limited time scale of the project"],
        }
    )
    assert composed_statement(cmoc) == (
        "Draft: where we find short-term funding or stigma around mental health, we expect the programme to rely on "
        "building trust with the group and understanding the group, so that we see reduced social isolation, unless "
        "we find distrust between providers or limited time scale of the project."
    )


def test_a_cmoc_with_no_mechanism_names_it_missing() -> None:
    cmoc = _cmoc({"intervention": INTERVENTION, "outcome": ["Reduced social isolation"], "barriers": BARRIERS[:1]})
    assert composed_statement(cmoc) == (
        "Draft: through community connectors or drop-in sessions, we expect to see reduced social isolation, unless we "
        "find limited time scale of the project. Not yet coded: mechanism."
    )


def test_a_cmoc_with_conditions_only_names_mechanism_and_outcome_missing() -> None:
    cmoc = _cmoc({"context": ["Stigma around mental health"], "barriers": BARRIERS[:1]})
    # Nothing is expected of the programme: the coded parts are named under their roles.
    assert composed_statement(cmoc) == (
        "Draft: so far we find stigma around mental health as context and limited time scale of the project as a "
        "barrier. Not yet coded: mechanism and outcome."
    )
    cmoc = _cmoc({"intervention": INTERVENTION, "actor": ACTORS[:1], "enablers": ENABLERS[:1]})
    assert composed_statement(cmoc) == (
        "Draft: so far we find community connectors or drop-in sessions as the intervention, faith leaders as actors "
        "and staff recruited locally as an enabler. Not yet coded: mechanism and outcome."
    )
    assert composed_statement(Cmoc(id="empty")) == "Draft: Not yet coded: context, mechanism and outcome."


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
    if mechanism or outcome:
        assert statement.index("NHS waiting lists") > statement.index("unless we find")
    else:
        assert "we expect" not in statement and "unless" not in statement
        assert "across a and b, so far we find stigma around mental health as context and NHS waiting lists as a " in (
            statement
        )
