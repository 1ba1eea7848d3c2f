"""Quick fixes from did-you-mean messages, and wrapping a selection in a cmo block whose quote is found again."""

from __future__ import annotations

import pytest

pytest.importorskip("lsprotocol")

from lsprotocol import types

from cmo.core.suggest import did_you_mean
from cmo.editor.actions import quick_fixes, suggestion, wrap_in_block, yaml_double_quoted
from cmo.yamlio.reader import load

URI = "file:///t.md"


@pytest.mark.parametrize("word", ["building-trust", "it's", 'say "hi"'])
def test_the_suggestion_is_read_back_from_did_you_means_wording(word: str) -> None:
    assert suggestion(f"unknown code 'x'{did_you_mean(word[:-1] + 'z', [word])} (line 3 names that CMOC)") == word


def test_one_quick_fix_per_cmo_diagnostic_with_a_suggestion() -> None:
    where = types.Range(start=types.Position(line=1, character=9), end=types.Position(line=1, character=15))
    diagnostics = [
        types.Diagnostic(range=where, message="unknown code 'stigm'; did you mean 'stigma'?", source="cmo"),
        types.Diagnostic(range=where, message="quote does not occur", source="cmo"),
        types.Diagnostic(range=where, message="did you mean 'other'?", source="another-server"),
    ]
    (fix,) = quick_fixes(URI, diagnostics)
    assert fix.edit is not None and fix.edit.changes == {URI: [types.TextEdit(range=where, new_text="stigma")]}


@pytest.mark.parametrize("text", ['a "quoted" \\ word', "tab\there", "two\nlines", "caf\u00e9 \x07"])
def test_a_quote_escaped_for_yaml_reads_back_as_the_text(text: str) -> None:
    assert load(f"quote: {yaml_double_quoted(text)}\n") == {"quote": " ".join(text.split())}


def test_wrapping_inserts_a_block_after_the_selections_last_line() -> None:
    text = '---\nsource: interview\n---\n\nIt took "months".\nThen more.\n'
    selection = types.Range(start=types.Position(line=4, character=0), end=types.Position(line=5, character=4))
    action = wrap_in_block(URI, text, selection)
    assert action is not None and action.edit is not None and action.edit.changes is not None
    (edit,) = action.edit.changes[URI]
    assert edit.range.start == types.Position(line=6, character=0)
    assert edit.new_text == '\n```cmo\nquote: "It took \\"months\\". Then"\n```\n'
    inside_front_matter = types.Range(
        start=types.Position(line=1, character=0), end=types.Position(line=1, character=6)
    )
    assert wrap_in_block(URI, text, inside_front_matter) is None


def _lines(first: int, last: int, end: int) -> types.Range:
    return types.Range(start=types.Position(line=first, character=0), end=types.Position(line=last, character=end))


@pytest.mark.parametrize(
    ("selection", "offered"),
    [
        (_lines(3, 4, 2), True),  # prose only
        (_lines(3, 5, 0), True),  # whole prose lines, up to the start of the fence
        (_lines(3, 5, 3), False),  # into the line that opens the block
        (_lines(4, 6, 3), False),  # into the block
        (_lines(2, 3, 2), False),  # from the line that closes the front matter
        (_lines(7, 8, 2), False),  # from the line that closes the block
        (_lines(8, 8, 5), True),  # prose after the block
    ],
)
def test_wrapping_is_offered_only_when_no_line_is_in_a_block_or_the_front_matter(
    selection: types.Range, offered: bool
) -> None:
    text = "---\nsource: interview\n---\nIt took months.\nThen more.\n```cmo\nquote: more\n```\nAfter.\n"
    assert (wrap_in_block(URI, text, selection) is not None) is offered
