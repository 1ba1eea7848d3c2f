"""Merge's quick layout scan finds exactly what the line-by-line scan finds, on any text."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmo.corpus.coding import code_corpus
from cmo.theory import guard, merge
from cmo.theory.guard import quick_layout
from cmo.theory.skeleton import scan_layout
from tests.conftest import REPO

_ODD_LINES = [
    *("", "   ", "      ", "# a comment", "  # indented", "        # deep comment", "\t", "    \tx: 1", "  \xa0"),
    *("    evidence: []", "    evidence:", "      - record: x", "    codes: {}", "    notes: kept", "    status: new"),
    *("  - id: extra", "  - evidence: []", "    statement: 'it''s", '    statement: "open', "      more: 1"),
    *("fragments: []", "cmocs:", "    counts:: 1", "    evidence :", "   evidence: []", "     - x", "- id: x"),
    *("      -", "      - ", "      -x", "    links: [a, b]", "    triangulated: false  # why"),
]


@functools.cache
def _merged_text() -> str:
    from benchmarks.generate import generate

    with tempfile.TemporaryDirectory() as tmp:
        corpus = generate(Path(tmp) / "corpus", 4, short=True)
        outcomes = merge.merge_corpus(code_corpus([corpus]), Path(tmp) / "theories")
    text = outcomes[0].text
    assert text is not None and "evidence:" in text
    return text


def _demo_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted((REPO / "theories").glob("*.yaml"))]


def test_the_quick_scan_finds_the_same_layout_in_merged_and_demo_theories() -> None:
    for text in [_merged_text(), *_demo_texts()]:
        layout = scan_layout(text)
        assert quick_layout(text) == layout
    assert scan_layout(_merged_text()) is not None


def test_the_quick_scan_cuts_the_generated_lines_of_a_merged_theory() -> None:
    """The fast way is taken: the scan reads far fewer lines than the file has."""
    cut = guard._cut_regions(_merged_text())
    assert cut is not None and cut.cuts and cut.evidence
    assert cut.text.count("\n") * 2 < _merged_text().count("\n")


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_the_quick_scan_agrees_with_the_scan_on_edited_theories(data: st.DataObject) -> None:
    lines = _merged_text().split("\n")
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["insert", "replace", "delete", "indent", "trail"]))
        if action == "insert":
            lines.insert(at, data.draw(st.sampled_from(_ODD_LINES)))
        elif action == "replace":
            lines[at] = data.draw(st.sampled_from(_ODD_LINES))
        elif action == "delete" and len(lines) > 1:
            del lines[at]
        elif action == "indent":
            lines[at] = " " * data.draw(st.integers(0, 3)) + lines[at]
        else:
            lines[at] += data.draw(st.sampled_from([" ", "  # note", "\t", ":"]))
    text = "\n".join(lines)
    if data.draw(st.booleans()):
        text = text.rstrip("\n")
    assert quick_layout(text) == scan_layout(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "cmocs:\n",
        "cmocs: []\n",
        "cmocs:\n- id: a\n  evidence:\n  - record: x\n",
        "cmocs:\n  - id: a\n    evidence:\n      - record: x\n",
        "cmocs:\n  - id: a\n    evidence:\n      - record: x\nfragments: []\n",
        "cmocs:\n  - id: a\n    evidence:\n\n      # c\n      - record: x\n    notes: n\n",
        "cmocs:\n  - id: a\n    evidence:\n      - record: x\n      \n      - record: y\n",
        "programme:\n  id: p\ncmocs:  # c\n  -   id: a\n        counts:\n          a: 1\n",
        "cmocs:\n  - id: a\n    evidence: []\n    codes:\n      x: 1",
    ],
)
def test_the_quick_scan_agrees_on_odd_layouts(text: str) -> None:
    assert quick_layout(text) == scan_layout(text)
