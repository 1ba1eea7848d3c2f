"""Locating evidence: quotes (whitespace-insensitive) and the paragraph above a fence."""

from __future__ import annotations

from cmo.corpus.evidence import Evidence, closest_passage, find_quote, paragraph_above

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
    assert passage == "first para two"  # whole words, not the characters that matched


# --- tests that each kill a mutant the suite once let through (docs/testing.md) ----------------


def test_an_occurrence_starting_right_below_the_block_loses_to_the_one_above() -> None:
    # The first line after the block starts exactly where the search stops looking above.
    text = "para\nThe quote.\n\n" + " " * 7 + "\n" + " " * 3 + "\nThe quote. again\n"
    assert find_quote(text, "The quote.", 4) == Evidence(2, 2, "The quote.")


def test_typographic_quotes_in_the_annotation_match_straight_ones_in_the_transcript() -> None:
    text = 'she said "it\'s fine" and left\n\n      \n   \n'
    assert find_quote(text, "“it’s fine”", 3) == Evidence(1, 1, '"it\'s fine"')


def test_a_block_at_the_end_of_the_file_takes_the_nearest_of_two_occurrences_above() -> None:
    # As coding sees it: the block itself blanked, nothing after it.
    text = "one: the quote\n\nfiller\n\ntwo: the quote\n\n" + " " * 6 + "\n" + " " * 3 + "\n"
    assert find_quote(text, "the quote", 7) == Evidence(5, 5, "the quote")
    assert find_quote(text.removesuffix("\n"), "the quote", 7) == Evidence(5, 5, "the quote")


def test_a_quote_at_the_very_start_of_the_transcript_is_found_above_the_block() -> None:
    text = "the quote opens it\n\n" + " " * 6 + "\n" + " " * 3 + "\nand the quote again\n"
    assert find_quote(text, "the quote", 3) == Evidence(1, 1, "the quote")


def test_with_nothing_above_the_first_occurrence_below_wins() -> None:
    text = "intro\n\n" + " " * 6 + "\n" + " " * 3 + "\none: the quote\ntwo: the quote\n"
    assert find_quote(text, "the quote", 3) == Evidence(5, 5, "the quote")


def test_closest_passage_counts_lines_before_its_first_word_and_prefers_the_earlier_of_equals() -> None:
    assert closest_passage("\nfoo bar baz\n", "foo bar") == (2, 100.0, "foo bar")
    assert closest_passage("same words\n\nsame words\n", "same words") == (1, 100.0, "same words")


def test_describe_closest_quotes_a_snippet_of_at_most_eighty_characters() -> None:
    from cmo.corpus.evidence import describe_closest

    assert describe_closest("", "anything") == "the transcript has no text to quote from"
    long = "word " * 40
    message = describe_closest(f"intro\n\n{long}\n", long)
    snippet = ("word " * 15).rstrip() + "..."  # cut after the last whole word that fits
    assert message == f"closest passage is at line 3 (100% similar): {snippet!r}"
    assert describe_closest("short one\n", "short one") == "closest passage is at line 1 (100% similar): 'short one'"
    exactly = "abcdefghij" * 8
    assert describe_closest(exactly + "\n", exactly).endswith(f"{exactly!r}")
