"""YAML slips in plain words (issue 14): the line where the slip is, a hint, and the parser's own words after them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import cmo.yamlio.reader
from cmo.core.rules import Rule
from cmo.yamlio.reader import Mark, YamlError, load, load_bytes

LIST = "indent each '- ' by the same number of spaces"
BLOCK_MAPPING = "(parser: did not find expected key while parsing a block mapping)"
BLOCK_COLLECTION = "(parser: did not find expected '-' indicator while parsing a block collection)"
VALUES = "(parser: mapping values are not allowed in this context)"
SIMPLE_KEY = "(parser: could not find expected ':' while scanning a simple key)"


@pytest.fixture(params=["libyaml", "python"], autouse=True)
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every message is the same from libyaml's parser and from PyYAML's own (their words differ)."""
    if request.param == "python":
        monkeypatch.setattr(cmo.yamlio.reader, "_Loader", yaml.SafeLoader)
    yield request.param


def _refused(text: str) -> tuple[str, Mark]:
    with pytest.raises(YamlError) as refused:
        load(text, line_offset=10)
    assert refused.value.rule == Rule.YAML_SYNTAX
    return refused.value.message, refused.value.mark


def _plain(message: str) -> str:
    """The message without the parser's words, which differ between the two parsers."""
    assert message.endswith(")") and " (parser: " in message
    return message.rsplit(" (parser: ", 1)[0]


# (text, message without the parser's words, line and column in a text starting at line 11)
CASES = {
    "a list item indented less than the others": (
        "context:\n  - stigma\n - trust\noutcome: help\n",
        f"the list items under 'context:' are not lined up: {LIST}",
        Mark(13, 2),
    ),
    "a list item indented more than the others": (
        "participants:\n  - id: P01\n    role: x\n   - id: P02\n",
        f"the list items under 'participants:' are not lined up: {LIST}",
        Mark(14, 4),
    ),
    "annotations not lined up": (
        "- context: a\n  mechanism: b\n - context: c\n",
        f"the list items are not lined up: {LIST}",
        Mark(13, 2),
    ),
    "a key after a list, indented like its items": (
        "context:\n  - stigma\n  - trust\n  outcome: help\n",
        "'outcome:' does not line up with the list under 'context:': line it up with 'context:' to end the list",
        Mark(14, 3),
    ),
    "a key of a list item not lined up with its first key": (
        "- context: a\n mechanism: b\n",
        "'mechanism:' does not line up with the list item above it: line it up with 'context:' after the '- ' "
        "(2 spaces in)",
        Mark(12, 2),
    ),
    "a key indented less than its siblings": (
        "mechanism:\n  resource: a\n reasoning: b\n",
        "'reasoning:' is not lined up with the keys above it: line it up with 'resource:' (2 spaces in) or with "
        "'mechanism:' (at the start of the line)",
        Mark(13, 2),
    ),
    "a key indented more than the one above": (
        "participants:\n  - id: P01\n     role: y\n",
        "'role:' is indented further than line 2 above, so YAML reads it as part of the value there: line it up "
        "with 'id:'",
        Mark(13, 6),
    ),
    "no space after the colon, then a key": (
        "context:stigma\nmechanism: trust\n",
        "'context:stigma' is not read as a key: put a space after the colon: `context: stigma`",
        Mark(11, 8),
    ),
    "no space after the colon, blank lines before the next key": (
        "outcome: help\ncontext:stigma\n\n\nmechanism: trust\n",
        "'context:stigma' is not read as a key: put a space after the colon: `context: stigma`",
        Mark(12, 8),
    ),
    "no space after the colon on the last line": (
        "mechanism: trust\ncontext:stigma\n",
        "'context:stigma' is not read as a key: put a space after the colon: `context: stigma`",
        Mark(12, 8),
    ),
    "a colon and a space inside a value": (
        "note: the buses: late\n",
        "a value with ': ' in it must be in quotes: `note: \"the buses: late\"`",
        Mark(11, 7),
    ),
    "a line without its '- ' in a list": (
        "context:\n  - stigma\n  trust\n",
        "'trust' is not a list item like the line above: start it with '- '",
        Mark(13, 3),
    ),
    "a key without its colon": (
        "context: a\nmechanism\noutcome: b\n",
        "'mechanism' has no ':' after it: write a key as `mechanism: value`",
        Mark(12, 1),
    ),
    "a '-' without its space": (
        "context:\n  - stigma\n  -trust\nmechanism: x\n",
        "put a space after the '-' of a list item: `- trust`",
        Mark(13, 3),
    ),
    "a list never closed": (
        "context: [stigma, trust\nmechanism: x\n",
        "the list opened with '[' here is not closed: end it with ']'",
        Mark(11, 10),
    ),
    "a list never closed at the end": (
        "context: [\n",
        "the list opened with '[' here is not closed: end it with ']'",
        Mark(11, 10),
    ),
    "a mapping never closed": (
        "mechanism: {resource: a, reasoning: b\noutcome: c\n",
        "the mapping opened with '{' here is not closed: end it with '}'",
        Mark(11, 12),
    ),
    "a colon inside a flow value": (
        "mechanism: {resource: a: b}\n",
        "a value inside '{...}' with ':' in it must be in quotes",
        Mark(11, 24),
    ),
    "text after the closing bracket": (
        "context: [stigma]]\n",
        "text after the closing ']': end the value there, or put it all in quotes",
        Mark(11, 18),
    ),
    "a quote never closed": (
        'quote: "The buses\nmechanism: x\n',
        'the double quote that opens this value is never closed: end the value with " too',
        Mark(11, 8),
    ),
    "an apostrophe inside single quotes": (
        "quote: 'it's late'\n",
        "text after the closing quote: put the whole value in double quotes (an apostrophe inside single quotes "
        "is written twice: 'it''s')",
        Mark(11, 12),
    ),
    "a bold speaker label unquoted": (
        "quote: **P01:** The buses\n",
        "a value cannot start with '*' unless it is in quotes: put it in double quotes: "
        '`quote: "**P01:** The buses"`',
        Mark(11, 8),
    ),
    "a value starting with a backquote": (
        "note: `x` marks it\n",
        "a value cannot start with '`' unless it is in quotes: put it in double quotes: `note: \"`x` marks it\"`",
        Mark(11, 7),
    ),
    "a tab": (
        "context:\n\t- stigma\n",
        "a tab cannot indent YAML: indent with spaces",
        Mark(12, 1),
    ),
    "a second document": (
        "context: a\n---\noutcome: b\n",
        "a '---' line starts a second YAML document, which cmo does not read: remove it",
        Mark(12, 1),
    ),
}


@pytest.mark.parametrize(("text", "message", "mark"), CASES.values(), ids=CASES.keys())
def test_a_syntax_error_is_said_in_words_at_the_line_of_the_slip(text: str, message: str, mark: Mark) -> None:
    found, where = _refused(text)
    assert (_plain(found), where) == (message, mark)


def test_the_parser_s_own_words_follow_for_experts(parser: str) -> None:
    """The issue's examples, word for word, as libyaml (the parser cmo uses when it is there) gives them."""
    cases = {
        "participants:\n  - id: P01\n   - id: P02\n": (
            f"the list items under 'participants:' are not lined up: {LIST} {BLOCK_COLLECTION}",
            "(parser: expected <block end>, but found '<block sequence start>' while parsing a block collection)",
        ),
        "context:\n  - stigma\n - trust\n": (
            f"the list items under 'context:' are not lined up: {LIST} {BLOCK_MAPPING}",
            "(parser: expected <block end>, but found '<block sequence start>' while parsing a block mapping)",
        ),
        "context:stigma\nmechanism: trust\n": (
            f"'context:stigma' is not read as a key: put a space after the colon: `context: stigma` {VALUES}",
            "(parser: mapping values are not allowed here)",
        ),
        "mechanism: trust\ncontext:stigma\n": (
            f"'context:stigma' is not read as a key: put a space after the colon: `context: stigma` {SIMPLE_KEY}",
            SIMPLE_KEY,
        ),
    }
    for text, (libyaml, python) in cases.items():
        found, _ = _refused(text)
        assert found == (libyaml if parser == "libyaml" else libyaml.rsplit(" (parser: ", 1)[0] + " " + python)


def test_a_problem_without_words_of_its_own_keeps_the_parser_s() -> None:
    found, where = _refused("a: |x\n")
    assert found.startswith("invalid YAML (parser: ") and where == Mark(11, 5)


def test_a_slip_in_a_transcript_block_is_reported_at_its_line_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cmo.corpus.coding import code_corpus
    from tests.conftest import corpus_files, write_tree

    head = "---\nsource: interview\n---\n\nSome words.\n\n"
    block = "```cmo\ncontext:stigma\noutcome: help-seeking\n```\n"
    write_tree(tmp_path, corpus_files(t=head + block))
    monkeypatch.chdir(tmp_path)
    [found] = [d.format() for d in code_corpus([Path()], jobs=1).diagnostics]
    assert found.startswith(
        "alpha/t.md:8:8: error[yaml-syntax]: 'context:stigma' is not read as a key: put a space after the colon: "
        "`context: stigma` (parser: mapping values are not allowed"
    )


def test_load_bytes_names_the_first_byte_that_is_not_utf8_by_byte_line_and_column() -> None:
    raw = "id: b\nname: B\nframework: Café culture\n".encode("latin-1")
    with pytest.raises(YamlError) as refused:
        load_bytes(raw)
    assert (refused.value.rule, refused.value.message, refused.value.mark) == (
        Rule.ENCODING,
        "not UTF-8 at byte 29 (line 3, column 15): save the file as UTF-8",
        Mark(3, 15),
    )
    # The column counts characters, as an editor does (é is two bytes), and a BOM is no character.
    with pytest.raises(YamlError) as refused:
        load_bytes(b"\xef\xbb\xbfa: \xc3\xa9 caf\xe9\n")
    assert refused.value.message == "not UTF-8 at byte 13 (line 1, column 9): save the file as UTF-8"
