"""Checks on what evidence is: an interviewer's question taken as evidence, and evidence marked elicited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.core.diagnostics import Diagnostics, Severity
from cmo.core.rules import Rule
from cmo.corpus import speakers
from cmo.corpus.coding import CodingResult, code_corpus
from cmo.corpus.models import DEFAULT_INTERVIEWERS
from cmo.theory.model import load_theory
from tests.conftest import PROGRAMME, Result, corpus_files

Coded = Callable[..., CodingResult]
TRUST = "context: stigma\nmechanism: key-persons\noutcome: help-seeking\n"


@pytest.fixture
def coded(tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Coded:
    def run(*, programme: str = PROGRAMME, **transcripts: str) -> CodingResult:
        files = corpus_files(**transcripts)
        files["alpha/programme.yaml"] = programme
        root = tree(files)
        monkeypatch.chdir(root)
        return code_corpus([Path()], jobs=1, keep_records=True)

    return run


def _transcript(passage: str, block: str, source: str = "interview") -> str:
    """Front matter (lines 1-3), a blank line, `passage` on line 5, and the block's fence on line 7."""
    return f"---\nsource: {source}\n---\n\n{passage}\n\n```cmo\n{block}```\n"


def _problems(result: CodingResult) -> list[tuple[int, int, str, Severity]]:
    return [(d.line, d.column, d.rule, d.severity) for d in result.diagnostics]


# --- evidence-is-question -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("passage", "label"),
    [
        ("**Interviewer:** How did people come to trust you?", "Interviewer"),
        ("**Interviewer**: How did people come to trust you?", "Interviewer"),
        ("Interviewer: How did people come to trust you?", "Interviewer"),
        ("interviewer: how did people come to trust you?", "interviewer"),
        ("Q: How did people come to trust you?", "Q"),
        ("**I:** How did people come to trust you?", "I"),
        ("_I:_ How did people come to trust you?", "I"),
        ("**Interviewer 2:** And then?", "Interviewer 2"),
    ],
)
def test_a_question_above_the_block_is_warned_at_the_block(coded: Coded, passage: str, label: str) -> None:
    result = coded(t=_transcript(passage, TRUST))
    [warning] = result.diagnostics
    assert (warning.line, warning.column, warning.rule, warning.severity) == (
        7,
        1,
        Rule.EVIDENCE_IS_QUESTION,
        Severity.WARNING,
    )
    assert warning.message == (
        f"the passage above this block (line 5) starts with {label!r}: the evidence is the interviewer's "
        "question, not an answer; put the block under the answer, or quote the answer with `quote:`"
    )
    assert result.ok  # a warning: the record is still made
    assert len(result.records) == 1


@pytest.mark.parametrize(
    "passage",
    [
        "**P01:** It took months before anyone would talk to me.",
        "Q1: the first question on the sheet was about trust.",
        "Irene: It took months.",
        "Interviewers: both of them asked about trust.",
        "I think it took months before anyone would talk to me.",
        "**Interviewer** said nothing for a while.",
        "Quite: that is how it was.",
    ],
)
def test_an_answer_or_a_label_that_only_begins_like_an_interviewer_s_is_no_question(coded: Coded, passage: str) -> None:
    result = coded(t=_transcript(passage, TRUST))
    assert result.diagnostics == []
    assert len(result.records) == 1


def test_a_quote_that_starts_with_the_interviewer_s_label_is_warned_at_the_quote(coded: Coded) -> None:
    passage = "**Interviewer:** Did trust come first?\n\n**P01:** Yes, always trust first."
    result = coded(
        t=_transcript(
            passage,
            "- outcome: help-seeking\n  quote: '**Interviewer:** Did trust come first?'\n"
            "- outcome: help-seeking\n  quote: Yes, always trust first.\n",
        )
    )
    assert [(d.line, d.column, d.rule, d.message) for d in result.diagnostics] == [
        (
            11,  # the quote of the first annotation: the question is line 5, the answer line 7, the fence line 9
            10,
            Rule.EVIDENCE_IS_QUESTION,
            "the quote starts with 'Interviewer': the evidence is the interviewer's question, not an answer; "
            "quote the participant's answer instead",
        )
    ]
    assert [record.quote for record in result.records] == [
        "**Interviewer:** Did trust come first?",
        "Yes, always trust first.",
    ]


def test_a_quote_of_the_answer_under_a_question_is_not_warned(coded: Coded) -> None:
    result = coded(t=_transcript("**Interviewer:** Did trust come first?", "outcome: help-seeking\nquote: trust\n"))
    assert result.diagnostics == []


def test_a_block_of_several_annotations_under_a_question_is_warned_once(coded: Coded) -> None:
    result = coded(
        t=_transcript("**Interviewer:** Did trust come first?", "- outcome: help-seeking\n- context: stigma\n")
    )
    assert _problems(result) == [(7, 1, Rule.EVIDENCE_IS_QUESTION, Severity.WARNING)]
    assert len(result.records) == 2


def test_a_second_block_under_another_question_gets_its_own_warning(coded: Coded) -> None:
    text = _transcript("**Interviewer:** Did trust come first?", TRUST) + "\nQ: And then?\n\n```cmo\n" + TRUST + "```\n"
    result = coded(t=text)
    assert _problems(result) == [
        (7, 1, Rule.EVIDENCE_IS_QUESTION, Severity.WARNING),
        (15, 1, Rule.EVIDENCE_IS_QUESTION, Severity.WARNING),
    ]


def test_the_programme_names_its_own_interviewers(coded: Coded) -> None:
    programme = PROGRAMME + "interviewers: [Facilitator, Lead evaluator]\n"
    result = coded(
        programme=programme,
        a=_transcript("**Facilitator:** What has to happen first?", TRUST),
        b=_transcript("Lead evaluator: And who vouches for you?", TRUST),
        c=_transcript("**Interviewer:** Not a label of this programme.", TRUST),
    )
    assert [(d.path, d.line, d.rule) for d in result.diagnostics] == [
        ("alpha/a.md", 7, Rule.EVIDENCE_IS_QUESTION),
        ("alpha/b.md", 7, Rule.EVIDENCE_IS_QUESTION),
    ]
    assert "starts with 'Lead evaluator'" in result.diagnostics[1].message


def test_no_interviewers_means_no_question_is_looked_for(coded: Coded) -> None:
    result = coded(programme=PROGRAMME + "interviewers: []\n", t=_transcript("**Interviewer:** Why?", TRUST))
    assert result.diagnostics == []


@pytest.mark.parametrize("source", ["observation", "document"])
def test_nobody_interviews_in_an_observation_or_a_document(coded: Coded, source: str) -> None:
    result = coded(t=_transcript("Q: How do I get a referral? A: Ask at the desk.", TRUST, source=source))
    assert result.diagnostics == []


def test_a_workshop_question_is_warned_too(coded: Coded) -> None:
    result = coded(t=_transcript("**Q:** What has to happen first?", TRUST, source="workshop"))
    assert _problems(result) == [(7, 1, Rule.EVIDENCE_IS_QUESTION, Severity.WARNING)]


def test_one_pattern_is_compiled_per_set_of_labels() -> None:
    pattern = speakers.question_pattern(DEFAULT_INTERVIEWERS)
    assert pattern is speakers.question_pattern(list(DEFAULT_INTERVIEWERS))
    assert speakers.question_pattern([]) is None
    assert speakers.interviewer_label("**Interviewer:** Why?", None) is None
    assert speakers.interviewer_label("Lead  evaluator: Why?", speakers.question_pattern(["Lead evaluator"])) == (
        "Lead  evaluator"
    )
    assert speakers.interviewer_label("A.B.: Why?", speakers.question_pattern(["A.B."])) == "A.B."
    assert speakers.interviewer_label("AxBx: Why?", speakers.question_pattern(["A.B."])) is None


# --- elicited -------------------------------------------------------------------------------


def test_elicited_reaches_the_record_and_is_false_unless_given(coded: Coded) -> None:
    result = coded(
        a=_transcript("**P01:** Yes, that's right.", TRUST + "elicited: true\n"),
        b=_transcript("**P01:** It took months.", TRUST),
        c=_transcript("Everyone agreed with the draft.", TRUST + "elicited: true\n", source="workshop"),
    )
    assert result.diagnostics == []
    assert [(record.transcript, record.elicited) for record in result.records] == [
        ("a", True),
        ("b", False),
        ("c", True),
    ]


@pytest.mark.parametrize(("source", "counted_as"), [("an observation", "observed"), ("a document", "documentary")])
def test_elicited_in_an_observation_or_a_document_is_warned_and_dropped(
    coded: Coded, source: str, counted_as: str
) -> None:
    block = "outcome: help-seeking\nelicited: true\n"
    result = coded(t=_transcript("The worker sat with the family.", block, source.split()[1]))
    assert [(d.line, d.column, d.rule, d.severity, d.message) for d in result.diagnostics] == [
        (
            9,
            11,  # the value of `elicited:`
            Rule.ELICITED_SOURCE,
            Severity.WARNING,
            f"`elicited: true` in {source}: nobody was put a theory to answer, so the evidence counts as {counted_as}",
        )
    ]
    [record] = result.records
    assert record.elicited is False
    assert result.ok


def test_a_merged_theory_counts_elicited_spontaneous_and_observed_passages(
    tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result]
) -> None:
    root = tree(
        corpus_files(
            ws=_transcript("Everyone agreed with the draft theory.", TRUST + "elicited: true\n", "workshop"),
            i1=_transcript("**P01:** It took months before anyone talked.", TRUST),
            i2=_transcript("**P02:** Yes, the imam made the difference.", TRUST + "elicited: true\n"),
            obs=_transcript("The imam introduced the connector.", TRUST + "elicited: true\n", "observation"),
        )
    )
    monkeypatch.chdir(root.parent)
    result = cli("merge", "corpus")
    assert result.exit_code == 0, result.stderr
    theory, _ = load_theory(root.parent / "theories" / "alpha.yaml", "alpha.yaml", Diagnostics())
    assert theory is not None
    [cmoc] = theory.cmocs
    counts = cmoc.counts
    assert (counts.excerpts, counts.elicited, counts.spontaneous, counts.observed) == (4, 2, 1, 1)
    assert {entry.transcript: entry.elicited for entry in cmoc.evidence} == {
        "ws": True,
        "i1": False,
        "i2": True,
        "obs": False,
    }


def test_a_change_of_interviewers_is_not_hidden_by_the_coding_cache(
    tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(corpus_files(t=_transcript("**Facilitator:** What has to happen first?", TRUST)))
    monkeypatch.chdir(root)
    assert code_corpus([Path()], jobs=1).diagnostics == []
    (root / "alpha" / "programme.yaml").write_text(PROGRAMME + "interviewers: [Facilitator]\n", encoding="utf-8")
    assert [d.rule for d in code_corpus([Path()], jobs=1).diagnostics] == [Rule.EVIDENCE_IS_QUESTION]
