"""Quotes as people read them: Markdown syntax out, words and the speaker's label in; the fast paths equal the parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmo.corpus.reading import _parsed, reading_text


@pytest.mark.parametrize(
    ("markdown", "read"),
    [
        ("**M01:** It's a lot of work.", "M01: It's a lot of work."),
        ("__P02:__ We finish in June.", "P02: We finish in June."),
        ("**P02**: colon outside the bold", "P02: colon outside the bold"),
        ("It's a _lot_ and **more**, see [the plan](plan.md).", "It's a lot and more, see the plan."),
        ("`code` and ![a chart](c.png) and \\*not emphasis\\*", "code and a chart and *not emphasis*"),
        ("snake_case_word stays, 5 * 3 = 15 stays", "snake_case_word stays, 5 * 3 = 15 stays"),
        ("[laughs] and [pause] are the transcriber's", "[laughs] and [pause] are the transcriber's"),
        ("fish &amp; chips, <b>bold</b> stays as text", "fish & chips, <b>bold</b> stays as text"),
        ("**Dr Ali:** [laughs] it   was    fine", "Dr Ali: [laughs] it was fine"),
        ("- a list item is what was written", "- a list item is what was written"),
        ("![](photo-of-the-flipchart.jpg)", "![](photo-of-the-flipchart.jpg)"),
    ],
)
def test_markdown_syntax_goes_and_the_words_stay(markdown: str, read: str) -> None:
    assert reading_text(markdown) == read


_PIECES = st.sampled_from(
    [
        "**",
        "__",
        "*",
        "_",
        "`",
        "[",
        "]",
        "(",
        ")",
        "![",
        "](",
        "<",
        ">",
        "&amp;",
        "\\",
        ":",
        " ",
        "  ",
        "P01",
        "word",
        "x",
    ]
)
_LABELS = st.sampled_from(["", "**P01:** ", "__M02:__ ", "**Dr Ali:** ", "**P01:**", "** P01:** ", "**P01: ** "])


@settings(max_examples=400, deadline=None)
@given(_LABELS, st.lists(_PIECES, max_size=12))
def test_the_fast_paths_give_what_the_commonmark_parser_gives(label: str, pieces: list[str]) -> None:
    text = label + "".join(pieces)
    assert reading_text(text) == _parsed(text)
