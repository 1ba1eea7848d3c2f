"""Parse stage: decoding, front matter and fences."""

from __future__ import annotations

from cmo.core.diagnostics import Diagnostics
from cmo.corpus.transcript import decode, parse, parse_block


def _parse(text: str) -> tuple[object, Diagnostics]:
    diagnostics = Diagnostics()
    return parse(text, "t.md", diagnostics), diagnostics


def test_blocks_are_found_with_their_fence_lines() -> None:
    text = "---\nsource: interview\n---\nPara.\n\n```cmo\noutcome: x\n```\n\n~~~~ cmo\ncontext: y\n~~~~\n"
    parsed, diagnostics = _parse(text)
    assert not diagnostics.items
    assert [(b.fence_line, b.close_line, b.yaml) for b in parsed.blocks] == [  # type: ignore[attr-defined]
        (6, 8, "outcome: x\n"),
        (10, 12, "context: y\n"),
    ]


def test_blanked_text_keeps_offsets_and_hides_blocks_and_front_matter() -> None:
    text = "---\nsource: interview\n---\nPara.\n```cmo\nquote: Para.\n```\n"
    parsed, _ = _parse(text)
    assert len(parsed.text) == len(text)  # type: ignore[attr-defined]
    assert parsed.text.count("Para.") == 1  # type: ignore[attr-defined]
    assert "source" not in parsed.text  # type: ignore[attr-defined]


def test_other_code_blocks_are_skipped_even_when_they_contain_cmo_fences() -> None:
    text = "---\nsource: document\n---\n````markdown\n```cmo\noutcome: x\n```\n````\n"
    parsed, diagnostics = _parse(text)
    assert parsed.blocks == []  # type: ignore[attr-defined]
    assert not diagnostics.items


def test_a_shorter_fence_does_not_close_a_longer_one() -> None:
    text = "---\nsource: document\n---\np\n````cmo\noutcome: x\n```\n````\n"
    parsed, _ = _parse(text)
    assert parsed.blocks[0].yaml == "outcome: x\n```\n"  # type: ignore[attr-defined]


def test_unclosed_cmo_fence_is_an_error_at_the_opening_line() -> None:
    _, diagnostics = _parse("---\nsource: interview\n---\ntext\n\n```cmo\noutcome: x\n")
    assert [(d.line, d.rule, d.severity) for d in diagnostics.items] == [(6, "fence-unclosed", "error")]


def test_unclosed_other_fence_is_a_warning() -> None:
    _, diagnostics = _parse("---\nsource: interview\n---\n```python\nx = 1\n")
    assert [(d.rule, d.severity) for d in diagnostics.items] == [("fence-unclosed", "warning")]


def test_misspelt_info_string_gets_a_hint() -> None:
    _, diagnostics = _parse("---\nsource: interview\n---\ntext\n```CMO\noutcome: x\n```\n")
    assert [(d.rule, d.line) for d in diagnostics.items] == [("fence-info", 5)]
    assert "did you mean 'cmo'" in diagnostics.items[0].message


def test_missing_front_matter() -> None:
    parsed, diagnostics = _parse("# Interview\n\ntext\n")
    assert parsed is None
    assert [(d.line, d.rule) for d in diagnostics.items] == [(1, "front-matter-missing")]


def test_unclosed_front_matter() -> None:
    parsed, diagnostics = _parse("---\nsource: interview\n\ntext\n")
    assert parsed is None
    assert [d.rule for d in diagnostics.items] == ["front-matter-unclosed"]


def test_front_matter_yaml_error_has_the_file_line() -> None:
    _, diagnostics = _parse("---\nid: x\nsource: [interview\n---\n")
    assert diagnostics.items[0].rule == "yaml-syntax"
    assert diagnostics.items[0].line in (3, 4)


def test_decode_accepts_bom_and_crlf() -> None:
    diagnostics = Diagnostics()
    assert decode("\ufeff---\r\nsource: x\r\n---\r\n".encode(), "t.md", diagnostics) == "---\nsource: x\n---\n"
    assert not diagnostics.items


def test_decode_reports_where_the_bad_byte_is() -> None:
    diagnostics = Diagnostics()
    raw = b"---\nsource: interview\n---\ncaf" + b"\xe9 noir\n"
    assert decode(raw, "t.md", diagnostics) is None
    [problem] = diagnostics.items
    assert (problem.line, problem.column, problem.rule) == (4, 4, "encoding")
    assert problem.message == "not UTF-8 at byte 30 (line 4, column 4): save the file as UTF-8"


def test_block_yaml_errors_point_at_the_transcript_line() -> None:
    parsed, _ = _parse("---\nsource: interview\n---\ntext\n\n```cmo\ncontext: a\noutcome: [b\n```\n")
    diagnostics = Diagnostics()
    assert parse_block(parsed.blocks[0], "t.md", diagnostics) == []  # type: ignore[attr-defined]
    [problem] = diagnostics.items
    assert problem.rule == "yaml-syntax"
    assert problem.line in (8, 9)  # inside the transcript, not line 2 of the block


def test_list_blocks_give_one_mapping_each_with_its_line() -> None:
    parsed, _ = _parse("---\nsource: interview\n---\ntext\n```cmo\n- outcome: a\n- context: b\n```\n")
    items = parse_block(parsed.blocks[0], "t.md", Diagnostics())  # type: ignore[attr-defined]
    assert [(dict(data), line) for data, line in items] == [({"outcome": "a"}, 6), ({"context": "b"}, 7)]


def test_empty_block() -> None:
    parsed, _ = _parse("---\nsource: interview\n---\ntext\n```cmo\n\n```\n")
    diagnostics = Diagnostics()
    assert parse_block(parsed.blocks[0], "t.md", diagnostics) == []  # type: ignore[attr-defined]
    assert [(d.line, d.rule) for d in diagnostics.items] == [(5, "block-empty")]


# --- tests that each kill a mutant the suite once let through (docs/testing.md) ----------------


def test_a_closing_fence_with_an_info_string_does_not_close_the_block() -> None:
    # CommonMark: closing fences may not carry an info string, so "``` cmo" is a line of the block.
    text = "---\nsource: document\n---\np\n```cmo\noutcome: x\n``` cmo\nnote: y\n```\n"
    parsed, diagnostics = _parse(text)
    assert [(b.fence_line, b.close_line, b.yaml) for b in parsed.blocks] == [  # type: ignore[attr-defined]
        (5, 9, "outcome: x\n``` cmo\nnote: y\n")
    ]
    assert not diagnostics.items


def test_decode_turns_old_mac_line_endings_into_newlines() -> None:
    diagnostics = Diagnostics()
    assert decode(b"---\rsource: x\r---\r\nbody\r", "t.md", diagnostics) == "---\nsource: x\n---\nbody\n"
    assert not diagnostics.items
