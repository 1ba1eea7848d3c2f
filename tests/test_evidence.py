"""Locating evidence: quotes (whitespace-insensitive) and the paragraph above a fence."""

from __future__ import annotations

from cmo.evidence import Evidence, closest_passage, find_quote, paragraph_above

TEXT = "intro line\n\nfirst para one\nfirst para two\n\n\n   \n```cmo\n```\nafter the block, first para one\n"
FENCE = TEXT.index("```cmo")


def test_paragraph_above_skips_blank_lines() -> None:
    assert paragraph_above(TEXT, FENCE, 8) == Evidence(3, 4, "first para one first para two")


def test_paragraph_above_at_top_of_file_is_none() -> None:
    assert paragraph_above("\n\n```cmo\n", 2, 3) is None


def test_quote_spanning_lines_and_nearest_occurrence_above() -> None:
    assert find_quote(TEXT, "para one\n first   para", 8) == Evidence(3, 4, "para one first para")
    assert find_quote(TEXT, "first para one", 8) == Evidence(3, 3, "first para one")
    assert find_quote(TEXT, "after the block", 8) == Evidence(10, 10, "after the block")
    assert find_quote(TEXT, "not there", 8) is None


def test_quote_is_not_a_regular_expression() -> None:
    text = "she said (maybe) a.b*c\n"
    assert find_quote(text, "(maybe) a.b*c", 2) == Evidence(1, 1, "(maybe) a.b*c")
    assert find_quote(text, "a.b.c", 2) is None


def test_closest_passage_names_its_line() -> None:
    line, score, passage = closest_passage(TEXT, "first para tw0") or (0, 0.0, "")
    assert line == 3
    assert score > 85
    assert passage == "first para tw"
