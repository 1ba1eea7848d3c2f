"""The hand reading of the simplest YAML gives exactly what libyaml's events give, or nothing at all."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate
from cmo.core.diagnostics import Diagnostics
from cmo.corpus import transcript
from cmo.corpus.plain_yaml import load_marked, load_marked_events
from cmo.yamlio.reader import UNSURE, load
from cmo.yamlio.simple import read_simple
from tests.conftest import DEMO_CORPUS


def _typed(value: Any) -> Any:
    """The value with every scalar's type made visible: True and 1, '1' and 1, a date and its text differ."""
    if isinstance(value, dict):
        return {_typed(k): _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def _plain_data(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_data(v) for v in value]
    return value


def _agrees(text: str, offset: int = 0) -> bool:
    """Whether the hand reading answered; when it did, it must equal the events' reading and the full reader's."""
    simple = read_simple(text, offset)
    if simple is None:
        return False
    events = load_marked_events(text, offset)
    assert events is not UNSURE, text
    assert (_typed(simple[0]), simple[1], simple[2]) == (_typed(events.data), events.root, events.entries), text
    assert _typed(simple[0]) == _typed(_plain_data(load(text))), text
    return True


_WORD_CHARS = st.sampled_from(list("abcXYZ019 ._-/:#,'\"\\é&*!|>%@`?~[]{}\t"))
_SPECIAL = st.sampled_from(["yes", "No", "TRUE", "true", "false", "null", "Null", "~", "on", "OFF", "y", "n", "nan"])
_DATES = st.sampled_from(
    ["2024-03-12", "2024-13-01", "2024-02-30", "2024-3-12", "2024-03-12 ", "20240312", "1999-12-31"]
)
_WORDS = st.one_of(
    st.text(_WORD_CHARS, min_size=0, max_size=12),
    st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
    _SPECIAL,
    _DATES,
)


def _quoted(text: str, mark: str) -> str:
    return mark + text + mark


_SCALARS = st.one_of(
    _WORDS,
    st.builds(_quoted, st.text(_WORD_CHARS, max_size=15), st.sampled_from(['"', "'"])),
    st.builds(_quoted, st.text(max_size=15), st.just('"')),
)


def _flow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    seps = st.sampled_from([", ", ",", " , ", ",  "])
    sequence = st.builds(
        lambda items, sep, pad: "[" + pad + sep.join(items) + pad + "]",
        st.lists(children, max_size=4),
        seps,
        st.sampled_from(["", " "]),
    )
    pairs = st.lists(
        st.tuples(st.sampled_from(["resource", "reasoning", "id", "role", "yes", "Id", "a_b"]), children), max_size=3
    )
    mapping = st.builds(
        lambda items, sep, colon: "{" + sep.join(f"{k}{colon}{v}" for k, v in items) + "}",
        pairs,
        seps,
        st.sampled_from([": ", ":", ":  "]),
    )
    return st.one_of(sequence, mapping)


_VALUES = st.recursive(_SCALARS, _flow, max_leaves=8)
_KEYS = st.one_of(
    st.sampled_from(["context", "mechanism", "outcome", "quote", "cmoc", "stance", "elicited", "date", "on", "null"]),
    st.from_regex(r"[a-zA-Z_ ]{1,6}", fullmatch=True),
)
_LINES = st.one_of(
    st.builds(
        lambda key, sep, value, tail: key + sep + value + tail,
        _KEYS,
        st.sampled_from([": ", ":  ", ":", ":\t"]),
        _VALUES,
        st.sampled_from(["", "", "", " ", " # note", "#x", "\r"]),
    ),
    st.sampled_from(["", "# a comment", "  indented: x", "---", "...", "- item", " ", "\t", "key:", "%YAML 1.1"]),
)


# Lines as they are, or as items of a block sequence and their further keys.
_PREFIXED = st.builds(lambda prefix, line: prefix + line, st.sampled_from(["", "", "- ", "  ", "-  ", "   "]), _LINES)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PREFIXED, min_size=1, max_size=6), st.integers(0, 40))
@example(["context: [a, b]", "mechanism: {resource: x, reasoning: [y, z]}", 'quote: "It took months"'], 3)
@example(["date: 2024-03-12", "elicited: true", "participants: [P01, {id: P02, role: youth worker}]"], 1)
@example(["- cmoc: a", "  note: Worked; did not, at first (2 of 3).", "- outcome: b", "  quote: 'x'"], 7)
def test_the_hand_reading_equals_libyamls_whenever_it_answers(lines: list[str], offset: int) -> None:
    _agrees("\n".join(lines), offset)


@pytest.mark.parametrize(
    "text",
    [
        "context: a # a comment",  # a comment after a value
        "note: at 10:30",  # a ': ' inside a plain scalar is not read by hand
        "context: yes",  # a bool in YAML 1.1
        "context: null",
        "date: 2024-02-30",  # no such day
        "quote: 'it''s'",  # a doubled quote
        'quote: "a \\" b"',  # an escape
        'quote: "runs on\n  to the next line"',
        "context: a\ncontext: b",  # a duplicate key
        "context: a \nx: b",  # trailing spaces
        "context: \x07",  # a control character
        "context: a\x85b: c",  # NEL breaks lines in YAML
        "context: [café]",  # a non-ASCII plain word in a flow list
        "- a",  # a block sequence of words
        "- context: a\n   note: b",  # an item's keys not in line
        "context:\n  - a",  # a block collection
        "context: [a, [b, [c, [d]]]]",  # deeper than read by hand
        "context: [true]",
        "",
        "# only a comment",
    ],
)
def test_what_is_not_read_by_hand_is_left_to_libyaml(text: str) -> None:
    assert read_simple(text) is None


def test_what_it_reads_carries_the_marks_coding_reports_with() -> None:
    text = '# why\ncontext: [a, b]\n\nquote: "It took months"\nelicited: true'
    assert read_simple(text, 10) == (
        {"context": ["a", "b"], "quote": "It took months", "elicited": True},
        (12, 1),
        [(12, 10), (14, 8), (15, 11)],
    )
    assert read_simple("date: 2024-03-12") == ({"date": dt.date(2024, 3, 12)}, (1, 1), [(1, 7)])


def _documents(root: Path) -> list[tuple[str, int]]:
    """Every front matter and cmo block of a corpus's transcripts, with the line each starts after."""
    found: list[tuple[str, int]] = []
    for path in sorted(root.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        front = re.match(r"---\n(.*?)\n---\n", text, re.S)
        if front:
            found.append((front.group(1), 1))
        for match in re.finditer(r"^```cmo\n(.*?)^```", text, re.S | re.M):
            found.append((match.group(1), text.count("\n", 0, match.start()) + 1))
    return found


@pytest.mark.parametrize("short", [True, False])
def test_generated_corpora_are_read_by_hand_and_agree(tmp_path: Path, short: bool) -> None:
    documents = _documents(generate(tmp_path, 12, short=short))
    answered = [_agrees(text, offset) for text, offset in documents]
    assert len(documents) > 20 and all(answered)  # the bench's shapes are all read by hand


def test_the_demo_corpus_agrees_and_is_mostly_read_by_hand() -> None:
    documents = _documents(DEMO_CORPUS)
    answered = [_agrees(text, offset) for text, offset in documents]
    assert len(documents) > 50 and sum(answered) > 0.8 * len(documents)


def test_load_marked_reads_by_hand_and_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    simple = "context: [a, b]"
    assert load_marked(simple, 2) == load_marked_events(simple, 2)
    calls: list[str] = []
    monkeypatch.setattr("cmo.corpus.plain_yaml.load_marked_events", lambda text, offset: calls.append(text))
    load_marked(simple)
    load_marked("context:\n  - a")
    assert calls == ["context:\n  - a"]  # only what the hand reading left


def test_a_transcript_block_is_read_the_same_either_way() -> None:
    text = (DEMO_CORPUS / "northcliffe-connect").rglob("*.md").__next__().read_text(encoding="utf-8")
    blocks, _ = transcript.scan_body(text, 0, "", Diagnostics())
    for block in blocks:
        assert load_marked(block.yaml, block.fence_line) == load_marked_events(block.yaml, block.fence_line)
