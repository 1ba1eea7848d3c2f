"""Validate stage: what records a valid corpus gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.corpus.coding import code_corpus
from cmo.corpus.models import Participant, SourceType, Stance
from tests.conftest import TRANSCRIPT, corpus_files, record_id


@pytest.fixture
def coded(tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Callable[..., object]:
    def run(**transcripts: str) -> object:
        root = tree(corpus_files(**transcripts))
        monkeypatch.chdir(root)
        return code_corpus([Path()])

    return run


def test_a_record_carries_everything_about_its_evidence(coded: Callable[..., object]) -> None:
    result = coded(t=TRANSCRIPT)
    assert result.diagnostics == []  # type: ignore[attr-defined]
    [record] = result.records  # type: ignore[attr-defined]
    assert record.id == record_id("alpha", "a-int-01", record.quote)
    assert (record.programme, record.transcript, record.source) == ("alpha", "a-int-01", SourceType.INTERVIEW)
    assert record.path == "alpha/t.md"
    assert (record.line_start, record.line_end, record.annotation_line) == (9, 10, 13)
    assert record.quote == (
        "**P01:** It took months before anyone at the mosque would talk to me about how they were feeling."
    )
    assert record.participants == [Participant(id="P01", role="connector")]
    assert record.coder == "AB"
    assert str(record.date) == "2024-03-12"
    assert record.context == ["stigma"]
    assert record.mechanism == ["key-persons", "building-trust"]
    assert (record.resource, record.reasoning) == (["key-persons"], ["building-trust"])
    assert record.outcome == ["help-seeking"]
    assert record.stance is Stance.SUPPORTS


BLOCKS = """\
---
source: observation
coder: AB
---

First paragraph, line one
and line two.

```cmo
- context: stigma
  outcome: help-seeking
  cmoc: trust-first
- mechanism: [building-trust, key-persons, building-trust]
  stance: refutes
  coder: CD
  note: the opposite happened
```

```cmo
enablers: short-funding
outcome: help-seeking
quote: line one and
```

Later, the imam said “it’s fine” and line one and again.

```cmo
outcome: help-seeking
quote: "the imam said \\"it's fine\\""
```
"""


def test_list_blocks_stacked_blocks_and_quotes(coded: Callable[..., object]) -> None:
    result = coded(**{"obs-01": BLOCKS})
    assert result.diagnostics == []  # type: ignore[attr-defined]
    records = result.records  # type: ignore[attr-defined]
    first, second, third, fourth = records
    # Ids from the evidence text: the list block's two items share a passage, so the second is its turn 2.
    assert [r.id for r in records] == [
        record_id("alpha", "obs-01", first.quote),
        record_id("alpha", "obs-01", first.quote, 2),
        record_id("alpha", "obs-01", "line one and"),
        record_id("alpha", "obs-01", fourth.quote),
    ]
    assert first.quote == second.quote
    assert (first.line_start, first.line_end, first.cmoc) == (6, 7, "trust-first")
    assert first.quote == "First paragraph, line one and line two."
    # duplicates within a field collapse, order kept
    assert second.mechanism == ["building-trust", "key-persons"]
    assert (second.stance, second.coder, second.note) == (Stance.REFUTES, "CD", "the opposite happened")
    assert first.coder == "AB"
    # a quote that occurs twice: the occurrence above the block wins, whitespace ignored
    assert (third.line_start, third.line_end, third.quote) == (6, 7, "line one and")
    assert third.enablers == ["short-funding"]
    # typographic quotes match straight ones
    assert (fourth.line_start, fourth.quote) == (25, "the imam said “it’s fine”")


def test_transcript_id_defaults_to_the_file_stem(coded: Callable[..., object]) -> None:
    text = TRANSCRIPT.replace("id: a-int-01\n", "")
    [record] = coded(**{"nc-int-07": text}).records  # type: ignore[attr-defined]
    assert record.transcript == "nc-int-07"
    assert record.id == record_id("alpha", "nc-int-07", record.quote)


def test_a_file_stem_that_cannot_be_an_id_needs_an_explicit_id(coded: Callable[..., object]) -> None:
    text = TRANSCRIPT.replace("id: a-int-01\n", "")
    result = coded(**{"Interview 3": text})
    assert [(d.rule, d.path) for d in result.diagnostics] == [("transcript-id", "alpha/Interview 3.md")]  # type: ignore[attr-defined]


def test_records_keep_corpus_order_and_errors_do_not_hide_other_files(coded: Callable[..., object]) -> None:
    result = coded(b=TRANSCRIPT.replace("a-int-01", "b"), a=TRANSCRIPT.replace("a-int-01", "a"), c="broken\n")
    records = result.records  # type: ignore[attr-defined]
    assert [r.id for r in records] == [
        record_id("alpha", "a", records[0].quote),
        record_id("alpha", "b", records[0].quote),
    ]
    assert not result.ok  # type: ignore[attr-defined]


def test_paths_can_name_a_programme_a_subfolder_or_a_file(tree: Callable[..., Path]) -> None:
    files = corpus_files()
    files["alpha/interviews/one.md"] = TRANSCRIPT.replace("a-int-01", "one")
    files["alpha/workshops/two.md"] = TRANSCRIPT.replace("a-int-01", "two")
    root = tree(files)
    assert len(code_corpus([root]).records) == 2
    assert len(code_corpus([root / "alpha"]).records) == 2
    assert [r.transcript for r in code_corpus([root / "alpha" / "workshops"]).records] == ["two"]
    assert [r.transcript for r in code_corpus([root / "alpha/interviews/one.md"]).records] == ["one"]


def test_shared_codes_are_seen_by_every_programme(tree: Callable[..., Path]) -> None:
    files = corpus_files(t=TRANSCRIPT)
    files["beta/programme.yaml"] = "id: beta\nname: Beta\n"
    files["beta/b.md"] = TRANSCRIPT.replace("a-int-01", "b-1")
    files["beta/c.md"] = TRANSCRIPT.replace("a-int-01", "b-2").replace("context: stigma", "context: short-funding")
    result = code_corpus([tree(files)])
    quote = result.records[0].quote
    assert [r.id for r in result.records] == [record_id("alpha", "a-int-01", quote), record_id("beta", "b-1", quote)]
    [problem] = result.diagnostics
    assert (problem.path.endswith("beta/c.md"), problem.rule) == (True, "unknown-code")


# --- tests that each kill a mutant the suite once let through (docs/testing.md) ----------------


def test_every_annotation_of_a_passage_takes_its_turn_so_fixing_one_does_not_rename_the_others(
    coded: Callable[..., object],
) -> None:
    block = "```cmo\n- outcome: no-such-code\n- outcome: help-seeking\n```\n\n```cmo\noutcome: help-seeking\n```\n"
    result = coded(t=TRANSCRIPT.replace(TRANSCRIPT[TRANSCRIPT.index("```cmo") :], block))
    assert [d.rule for d in result.diagnostics] == ["unknown-code"]  # type: ignore[attr-defined]
    records = result.records  # type: ignore[attr-defined]
    quote = records[0].quote
    # Three annotations of one passage: the broken first one still holds turn 1.
    assert [r.id for r in records] == [
        record_id("alpha", "a-int-01", quote, 2),
        record_id("alpha", "a-int-01", quote, 3),
    ]
    for broken in ("- outcome: {a: 1}\n", "- note: later\n"):  # not a valid annotation, or one with no C, M or O
        again = coded(
            t=TRANSCRIPT.replace(
                TRANSCRIPT[TRANSCRIPT.index("```cmo") :], block.replace("- outcome: no-such-code\n", broken)
            )
        )
        assert [r.id for r in again.records][-1] == record_id("alpha", "a-int-01", quote, 3)  # type: ignore[attr-defined]
