"""The emitter's fast quoting decision gives byte for byte what PyYAML's own analysis gives, on any text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmo.corpus.coding import code_corpus
from cmo.theory.merge import merge_corpus
from cmo.yamlio import emitter
from cmo.yamlio.emitter import _analysed_scalar, _analysed_style, _one_line_style, scalar, style
from cmo.yamlio.reader import load
from tests.conftest import REPO

# The characters that change a decision, and some that merely fill the line.
_PIECES = [
    *(" ", "  ", ":", ": ", "#", " #", "- ", "-", "?", "? ", ",", "[", "]", "{", "}", "'", '"', "''", "&", "*"),
    *("!", "|", ">", "%", "@", "`", "---", "...", "\t", "\n", "\r", "\x85", "\u2028", "\u2029", "\ufeff", "\x00"),
    *("\x7f", "\x9f", "\xa0", "\ud7ff", "\ue000", "\ufffd", "\ufffe", "\uffff", "\U00010000", "\U0010ffff", "<<"),
    *("yes", "no", "Yes", "NO", "on", "Off", "y", "N", "null", "Null", "~", "true", "FALSE", "=", "0x1F", "0o17"),
    *("1", "12", "-1", "+1", ".5", "1e3", "1_000", ".inf", "-.Inf", ".nan", "2024-01-01", "12:30", "1:20:30"),
    *("café", "naïve", "’", "“quoted”", "—", "…", "😀", "prog/t#1a2b3c4d", "a" * 300, "word", "Trust"),
]
_TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(_PIECES), max_size=8).map("".join),
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=8).map("".join),
)


def _slow_scalar(value: str, flow: bool) -> str:
    _analysed_scalar.cache_clear()  # the slow path alone, not a cached answer
    return _analysed_scalar(value, flow)


@settings(max_examples=3000, deadline=None)
@given(_TEXT, st.booleans(), st.booleans())
def test_the_fast_decision_is_pyyamls_decision(value: str, flow: bool, literal: bool) -> None:
    assert style(value, flow, literal) == _analysed_style(value, flow, literal)
    assert scalar(value, flow) == _slow_scalar(value, flow)


@pytest.mark.parametrize("value", [p for p in _PIECES if p] + ["a: b", "a:b", "a #b", "a#b", "The end:", "Yesterday"])
@pytest.mark.parametrize("flow", [False, True])
def test_each_tricky_piece_alone_and_in_words(value: str, flow: bool) -> None:
    for text in (value, f"x{value}", f"{value}x", f"one {value} two", value * 2):
        assert style(text, flow) == _analysed_style(text, flow, False), text
        assert scalar(text, flow) == _slow_scalar(text, flow), text


def test_the_fast_decision_is_taken_for_plain_prose_and_record_ids() -> None:
    """The common cases never reach PyYAML's analysis (else the fast path would be pointless)."""
    assert _one_line_style("It took months before anyone would talk to me, honestly.", False) == ""
    assert _one_line_style("prog/t#1a2b3c4d", True) == ""
    assert _one_line_style("Trust: it grows slowly", False) == "'"
    assert _one_line_style("yes", False) == "'"
    assert _one_line_style("a\nb", False) is None and _one_line_style("", False) is None


def _strings(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [text for key, value in data.items() for text in [*_strings(key), *_strings(value)]]
    if isinstance(data, list):
        return [text for item in data for text in _strings(item)]
    return [data] if isinstance(data, str) else []


@pytest.mark.parametrize("path", sorted((REPO / "theories").glob("*.yaml")), ids=lambda path: path.name)
def test_every_string_of_the_demo_theories_is_quoted_as_before(path: Path) -> None:
    strings = _strings(load(path.read_text(encoding="utf-8")))
    assert strings
    for text in strings:
        for flow in (False, True):
            assert scalar(text, flow) == _slow_scalar(text, flow), text


def _merged(corpus: Path, theories: Path) -> dict[str, str | None]:
    return {outcome.programme: outcome.text for outcome in merge_corpus(code_corpus([corpus]), theories)}


def test_a_generated_corpus_merges_to_the_same_bytes_without_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.generate import generate

    corpus = generate(tmp_path / "corpus", 12, short=True)
    fast = _merged(corpus, tmp_path / "theories")
    with monkeypatch.context() as patch:
        patch.setattr(emitter, "_one_line_style", lambda value, flow: None)
        slow = _merged(corpus, tmp_path / "theories")
    assert fast == slow and all(fast.values())
    texts = [text for text in fast.values() if text]
    assert any("'" in text for text in texts)  # quoted and plain strings both met
