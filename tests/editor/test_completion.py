"""Which key the cursor is under, from the text alone (broken YAML too), and what completes there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("lsprotocol")

from cmo.editor.completion import complete, cursor_at
from cmo.editor.study_index import Studies
from tests.conftest import DEMO_CORPUS, REPO

DOCUMENT = "\n".join(
    [
        "---",
        "id: x",
        "sou",
        "---",
        "",
        "Some words.",
        "",
        "```cmo",
        "context: [a, ",
        "mechanism:",
        "  resource: b",
        "  rea",
        "  reasoning:",
        "    - ",
        "- cmoc: x",
        "  stance: ",
        "mechanism: {resource: [a], reasoning: ",
        "```",
        "after",
        "",
    ]
)


@pytest.mark.parametrize(
    ("line", "section", "typing", "key", "parent"),
    [
        (0, "", "", None, None),
        (1, "front", "value", "id", None),
        (2, "front", "key", None, None),
        (5, "", "", None, None),
        (7, "", "", None, None),
        (8, "block", "value", "context", None),
        (9, "block", "value", "mechanism", None),
        (10, "block", "value", "resource", "mechanism"),
        (11, "block", "key", None, "mechanism"),
        (13, "block", "value", "reasoning", "mechanism"),
        (14, "block", "value", "cmoc", None),
        (16, "block", "value", "reasoning", "mechanism"),
        (18, "", "", None, None),
    ],
)
def test_the_cursor_at_the_end_of_each_line(
    line: int, section: str, typing: str, key: str | None, parent: str | None
) -> None:
    lines = DOCUMENT.split("\n")
    cursor = cursor_at(lines, line, len(lines[line]))
    assert (cursor.section, cursor.typing, cursor.key) == (section, typing, key)
    if parent == "mechanism":
        assert cursor.parent == "mechanism"


@pytest.fixture
def transcript(tmp_path: Path) -> Path:
    shutil.copytree(DEMO_CORPUS, tmp_path / "corpus")
    shutil.copytree(REPO / "theories", tmp_path / "theories")
    return (tmp_path / "corpus/northcliffe-connect/interviews/nc-int-01.md").resolve()


def _labels(transcript: Path, block: str, line: int) -> set[str]:
    text = "---\nid: nc-int-01\nsource: interview\n---\n\nWords.\n\n```cmo\n" + block + "\n```\n"
    lines = text.split("\n")
    number = 8 + line
    index = Studies().of(transcript)
    return {item.label for item in complete(index, transcript, lines, number, len(lines[number]))}


def test_codes_are_filtered_by_the_kind_the_key_takes(transcript: Path) -> None:
    contexts = _labels(transcript, "context: ", 0)
    assert "stigma-mental-health" in contexts and "building-trust" not in contexts
    reasoning = _labels(transcript, "mechanism: {resource: key-persons, reasoning: ", 0)
    assert "building-trust" in reasoning and "stigma-mental-health" not in reasoning
    assert _labels(transcript, "mechanism:\n  ", 1) == {"resource", "reasoning"}
    assert {"context", "mechanism", "cmoc", "quote"} <= _labels(transcript, "", 0)
    assert _labels(transcript, "stance: ", 0) == {"supports", "refutes", "refines"}
    assert "belonging-staff-understand-group" in _labels(transcript, "cmoc: ", 0)


def test_front_matter_offers_its_keys_and_source_types(transcript: Path) -> None:
    index = Studies().of(transcript)
    lines = ["---", "source: ", "par", "---", ""]
    assert {i.label for i in complete(index, transcript, lines, 1, 8)} == {
        "interview",
        "observation",
        "document",
        "workshop",
    }
    assert "participants" in {i.label for i in complete(index, transcript, lines, 2, 3)}


def test_flow_collections_over_lines_and_after_their_keys(transcript: Path) -> None:
    over_lines = _labels(transcript, "context: [stigma-mental-health,\n  ", 1)
    assert "stigma-mental-health" in over_lines and "context" not in over_lines
    assert "context" in _labels(transcript, "context: [stigma-mental-health,\n", 1)  # not indented: a new key
    assert "building-trust" in _labels(transcript, "mechanism: {resource: key-persons,\n  reasoning: ", 1)
    assert "mechanism" in _labels(transcript, "mechanism: {resource: [a,\n  b]}\n", 2)  # closed on its second line
    assert "stigma-mental-health" in _labels(transcript, 'context: ["a ] # b", ', 0)
    assert _labels(transcript, "mechanism: {resource: key-persons, ", 0) == {"resource", "reasoning"}
    assert _labels(transcript, "mechanism: {resource: key-persons, reasoning: building-trust} ", 0) == set()
    assert _labels(transcript, "mechanism: {resource: [key-persons] ", 0) == set()
    assert _labels(transcript, "context: {", 0) == set()  # no keys are known in a context's mapping
