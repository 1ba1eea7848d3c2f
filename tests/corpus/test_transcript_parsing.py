"""Parse stage, pinned exactly: decoding, front matter, fences, blanked text and block items, messages included."""

from __future__ import annotations

import pytest

from cmo.core.diagnostics import Diagnostic, Diagnostics, Severity
from cmo.corpus.transcript import Block, ParsedTranscript, decode, parse, parse_block

FRONT = "---\nsource: interview\n---\n"


def _parse(text: str) -> tuple[ParsedTranscript | None, list[Diagnostic]]:
    diagnostics = Diagnostics()
    return parse(text, "t.md", diagnostics), diagnostics.items


def _parsed(text: str) -> ParsedTranscript:
    parsed, problems = _parse(text)
    assert parsed is not None, problems
    return parsed


def _blocks(text: str) -> list[tuple[int, int, int, str]]:
    return [(b.fence_line, b.fence_offset, b.close_line, b.yaml) for b in _parsed(text).blocks]


def _items(yaml: str, fence_line: int = 5) -> tuple[list[tuple[object, int]], list[Diagnostic]]:
    diagnostics = Diagnostics()
    items = parse_block(Block(fence_line, 0, fence_line + 9, yaml), "t.md", diagnostics)
    return [(data, line) for data, line in items], diagnostics.items


# --- decode ------------------------------------------------------------------------------------


def test_decode_names_the_byte_and_its_line_and_column() -> None:
    diagnostics = Diagnostics()
    assert decode(b"ab\ncd\nxy\xff z\n", "t.md", diagnostics) is None
    assert diagnostics.items == [
        Diagnostic("t.md", 3, 3, "encoding", "not UTF-8 at byte 9 (line 3, column 3): save the file as UTF-8")
    ]


def test_decode_a_bad_byte_on_the_first_line_is_counted_from_column_one() -> None:
    diagnostics = Diagnostics()
    assert decode(b"abc\x80", "t.md", diagnostics) is None
    assert [(d.line, d.column) for d in diagnostics.items] == [(1, 4)]
    assert "at byte 4 (line 1, column 4)" in diagnostics.items[0].message


def test_decode_counts_a_leading_newline_as_a_line() -> None:
    diagnostics = Diagnostics()
    assert decode(b"\nab\xff", "t.md", diagnostics) is None
    assert [(d.line, d.column) for d in diagnostics.items] == [(2, 3)]


def test_decode_keeps_text_without_carriage_returns_as_it_is() -> None:
    diagnostics = Diagnostics()
    assert decode("\ufeffé\n\ufeff\n".encode(), "t.md", diagnostics) == "é\n\ufeff\n"
    assert decode(b"a\r\n\r\nb\rc", "t.md", diagnostics) == "a\n\nb\nc"
    assert diagnostics.items == []


# --- front matter ------------------------------------------------------------------------------


MISSING = (
    "transcript has no YAML front matter: start the file with a '---' line, then `source: interview` "
    "(or observation, document, workshop), then a closing '---' line"
)


@pytest.mark.parametrize(
    "text", ["", "--- \nsource: x\n", "----\nsource: x\n---\n", "# Title\n---\nx: 1\n---\n", " ---\n---\n"]
)
def test_a_file_not_starting_with_a_dashes_line_has_no_front_matter(text: str) -> None:
    if text.startswith("--- \n"):  # trailing blanks on the opening line are fine: that one is only unclosed
        assert [d.rule for d in _parse(text)[1]] == ["front-matter-unclosed"]
        return
    parsed, problems = _parse(text)
    assert parsed is None
    assert problems == [Diagnostic("t.md", 1, 1, "front-matter-missing", MISSING)]


@pytest.mark.parametrize("text", ["---", "---\n", "---\nsource: interview\n", "---\nsource: x\n--- x\n.. \n"])
def test_front_matter_that_is_never_closed(text: str) -> None:
    parsed, problems = _parse(text)
    assert parsed is None
    assert problems == [
        Diagnostic("t.md", 1, 1, "front-matter-unclosed", "front matter opened with '---' is never closed")
    ]


@pytest.mark.parametrize("closing", ["---", "...", "--- \t", "...  "])
def test_front_matter_closes_with_dashes_or_dots_and_trailing_blanks(closing: str) -> None:
    parsed = _parsed(f"---  \nsource: interview\nid: x\n{closing}\nBody.\n")
    assert parsed.front_matter == {"source": "interview", "id": "x"}
    assert parsed.front_matter_line == 2
    assert parsed.text == " " * 5 + "\n" + " " * 17 + "\n" + " " * 5 + "\n" + " " * len(closing) + "\nBody.\n"


def test_front_matter_closed_on_the_last_line_leaves_an_empty_body() -> None:
    parsed = _parsed("---\nsource: interview\n---")
    assert parsed.front_matter == {"source": "interview"}
    assert parsed.text == "   \n                 \n   "
    assert parsed.blocks == []


def test_empty_front_matter_is_none() -> None:
    parsed = _parsed("---\n---\nBody\n")
    assert parsed.front_matter is None
    assert parsed.text == "   \n   \nBody\n"


def test_front_matter_yaml_errors_point_at_the_file_line() -> None:
    parsed, problems = _parse("---\nid: x\nid: y\n---\n")
    assert parsed is None
    assert problems == [
        Diagnostic(
            "t.md", 3, 1, "yaml-duplicate-key", "front matter: key 'id' appears twice in one mapping (first at line 2)"
        )
    ]


def test_front_matter_marks_are_lines_of_the_file() -> None:
    parsed = _parsed("---\nsource: interview\nid: x\n---\n")
    assert parsed.front_matter.key_marks["id"].line == 3


# --- fences ------------------------------------------------------------------------------------


def test_blocks_carry_their_opening_line_offset_closing_line_and_yaml() -> None:
    text = FRONT + "Para.\n\n```cmo\noutcome: x\n```\nMore.\n   ~~~ cmo   extra words\ncontext: y\n\n~~~~~\n"
    assert _blocks(text) == [
        (6, text.index("```cmo"), 8, "outcome: x\n"),
        (10, text.index("   ~~~ cmo"), 13, "context: y\n\n"),
    ]


def test_the_blanked_text_hides_cmo_blocks_and_keeps_every_other_character() -> None:
    text = FRONT + "Para.\n```cmo\nquote: Para.\n```\n```python\nx = 1\n```\nEnd."
    parsed = _parsed(text)
    assert parsed.text == (
        "   \n" + " " * 17 + "\n   \n"
        "Para.\n" + " " * 6 + "\n" + " " * 12 + "\n" + "   \n" + "```python\nx = 1\n```\nEnd."
    )


def test_an_empty_cmo_block_right_after_its_fence() -> None:
    assert _blocks(FRONT + "p\n```cmo\n```\n") == [(5, 28, 6, "")]


@pytest.mark.parametrize(
    "opening",
    ["    ```cmo", "``cmo", "```cmo`", "\t```cmo"],
)
def test_lines_that_are_not_an_opening_fence_open_nothing(opening: str) -> None:
    parsed, problems = _parse(FRONT + f"p\n{opening}\noutcome: x\n```\n")
    assert parsed is not None and parsed.blocks == []
    # so the lone closing line opens a block of its own, never closed
    assert [(d.line, d.rule, d.severity) for d in problems] == [(7, "fence-unclosed", Severity.WARNING)]


def test_inline_code_between_triple_backticks_is_no_fence_and_hides_nothing_after_it() -> None:
    text = FRONT + "p\n```a`b```\n```cmo\noutcome: x\n```\n"
    assert _blocks(text) == [(6, text.index("```cmo"), 8, "outcome: x\n")]


def test_fences_inside_the_front_matter_are_not_blocks() -> None:
    text = "---\nsource: interview\nnote: |\n  ```cmo\n  outcome: x\n  ```\n---\np\n"
    parsed, problems = _parse(text)
    assert parsed is not None and parsed.blocks == []
    assert problems == []


def test_a_tilde_fence_may_carry_backticks_in_its_info_string() -> None:
    assert _blocks(FRONT + "p\n~~~cmo `x`\noutcome: x\n~~~\n") == [(5, 28, 7, "outcome: x\n")]


def test_an_indented_fence_of_three_spaces_is_a_fence() -> None:
    assert _blocks(FRONT + "p\n   ```cmo\noutcome: x\n   ```\n") == [(5, 28, 7, "outcome: x\n")]


@pytest.mark.parametrize("inside", ["~~~", "``", "``` x", "    ```"])
def test_lines_inside_a_block_that_do_not_close_it(inside: str) -> None:
    assert _blocks(FRONT + f"p\n```cmo\noutcome: x\n{inside}\n```\n") == [(5, 28, 8, f"outcome: x\n{inside}\n")]


def test_a_longer_fence_closes_a_shorter_one() -> None:
    assert _blocks(FRONT + "p\n```cmo\noutcome: x\n`````\nafter\n") == [(5, 28, 7, "outcome: x\n")]


def test_line_numbers_count_every_line_between_fences() -> None:
    text = FRONT + "a\n\nb\n```text\n1\n2\n```\nc\n\n```cmo\noutcome: x\n```\n\n\n```cmo\ncontext: y\n```\n"
    assert [(f, c) for f, _, c, _ in _blocks(text)] == [(13, 15), (18, 20)]


@pytest.mark.parametrize(
    ("opening", "word", "column"),
    [
        ("```CMO", "CMO", 1),
        ("  ~~~ {cmo}", "{cmo}", 3),
        ("```.cmo x", ".cmo", 1),
        ("``` Cmo: more words", "Cmo:", 1),
    ],
)
def test_a_misspelt_cmo_info_string_is_a_warning_with_a_hint(opening: str, word: str, column: int) -> None:
    parsed, problems = _parse(FRONT + f"p\n{opening}\noutcome: x\n{opening.strip()[:3]}\n")
    assert parsed is not None and parsed.blocks == []
    assert problems == [
        Diagnostic(
            "t.md",
            5,
            column,
            "fence-info",
            f"code block info string {word!r} is not an annotation; did you mean 'cmo'?",
            Severity.WARNING,
        )
    ]


@pytest.mark.parametrize("info", ["python", "cmox", "", "c.m.o", "Xcmo", "cmo-like words"])
def test_other_info_strings_are_plain_code_blocks_without_a_hint(info: str) -> None:
    parsed, problems = _parse(FRONT + f"p\n```{info}\noutcome: x\n```\n")
    assert parsed is not None and parsed.blocks == []
    assert problems == []


def test_an_unclosed_cmo_block_is_an_error_naming_its_fence() -> None:
    parsed, problems = _parse(FRONT + "p\n\n~~~~ cmo\noutcome: x\n~~~\n")
    assert parsed is not None and parsed.blocks == []
    assert problems == [
        Diagnostic("t.md", 6, 1, "fence-unclosed", "`cmo` block opened here is never closed (add a closing ~~~~ line)")
    ]


def test_an_unclosed_code_block_is_a_warning_that_it_hides_the_rest() -> None:
    text = FRONT + "p\n  ```python\n```cmo\noutcome: x\n"
    parsed, problems = _parse(text)
    assert parsed is not None and parsed.blocks == []
    assert parsed.text == "   \n" + " " * 17 + "\n   \n" + "p\n  ```python\n```cmo\noutcome: x\n"
    assert problems == [
        Diagnostic(
            "t.md",
            5,
            1,
            "fence-unclosed",
            "code block opened here is never closed (add a closing ``` line); everything after it is hidden from cmo",
            Severity.WARNING,
        )
    ]


# --- block items ---------------------------------------------------------------------------------

EMPTY = "`cmo` block is empty: write at least a context, mechanism or outcome"


@pytest.mark.parametrize("yaml", ["", " \n\n", "# only a comment\n", "~\n"])
def test_a_block_with_nothing_in_it_is_empty(yaml: str) -> None:
    assert _items(yaml) == ([], [Diagnostic("t.md", 5, 1, "block-empty", EMPTY)])


def test_a_block_holding_an_empty_list() -> None:
    assert _items("[]\n") == ([], [Diagnostic("t.md", 5, 1, "block-empty", "`cmo` block holds an empty list")])


def test_a_mapping_block_is_one_item_on_its_own_line() -> None:
    items, problems = _items("\n\noutcome: x\n", fence_line=9)
    assert items == [({"outcome": "x"}, 12)]
    assert problems == []


def test_list_items_each_carry_their_line_even_when_not_mappings() -> None:
    items, problems = _items("- outcome: a\n\n- just text\n-\n  context: b\n", fence_line=10)
    assert items == [({"outcome": "a"}, 11), ("just text", 13), ({"context": "b"}, 15)]
    assert problems == []


def test_a_scalar_block_is_one_item_on_the_line_after_the_fence() -> None:
    assert _items("\n\nhello\n", fence_line=7) == ([("hello", 8)], [])


def test_block_yaml_errors_are_reported_at_the_file_line_and_give_no_items() -> None:
    items, problems = _items("context: a\n!!python/object:x y: 1\n", fence_line=20)
    assert items == []
    assert [(d.line, d.column, d.rule) for d in problems] == [(22, 1, "yaml-tag")]
    assert (
        problems[0].message == "YAML tag '!!python/object:x' is not allowed: cmo files hold plain data, never objects"
    )


def test_blocks_found_by_parse_parse_to_items_at_file_lines() -> None:
    parsed = _parsed(FRONT + "text\n\n```cmo\n- outcome: a\n- context: b\n```\n")
    diagnostics = Diagnostics()
    items = parse_block(parsed.blocks[0], "t.md", diagnostics)
    assert [(dict(data), line) for data, line in items] == [({"outcome": "a"}, 7), ({"context": "b"}, 8)]
    assert diagnostics.items == []
