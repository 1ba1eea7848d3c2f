"""Hover, definition and references of codes and CMOCs, the open buffers before the files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("lsprotocol")

from cmo.editor import navigation
from cmo.editor.study_index import Studies
from tests.conftest import DEMO_CORPUS, REPO


@pytest.fixture
def study(tmp_path: Path) -> Path:
    shutil.copytree(DEMO_CORPUS, tmp_path / "corpus")
    shutil.copytree(REPO / "theories", tmp_path / "theories")
    return tmp_path.resolve()


def test_uses_are_codes_in_blocks_only() -> None:
    text = "trust here\n```cmo\ncontext: trust\nquote: trust me\nmechanism: {resource: trust}\nnote: trust\n```\n"
    assert navigation.uses_in(text, "trust") == [(2, 9, 14), (4, 22, 27)]


def test_references_take_an_open_buffer_before_its_file(study: Path) -> None:
    transcript = study / "corpus/northcliffe-connect/interviews/nc-int-01.md"
    codebook = study / "corpus/codebook.yaml"
    lines = codebook.read_text(encoding="utf-8").split("\n")
    line = lines.index("  key-persons:")
    index = Studies().of(codebook)
    assert index is not None
    on_disk = navigation.references(index, codebook, lines, line, 4, lambda path: None, False)
    assert transcript.as_uri() in {place.uri for place in on_disk}
    emptied = navigation.references(
        index, codebook, lines, line, 4, lambda path: "" if path == transcript else None, True
    )
    assert transcript.as_uri() not in {place.uri for place in emptied}
    assert emptied[0].uri == codebook.as_uri() and emptied[0].range.start.line == line


def test_hover_on_a_cmoc_shows_its_statement_and_status(study: Path) -> None:
    transcript = study / "corpus/northcliffe-connect/interviews/nc-int-01.md"
    lines = ["---", "source: interview", "---", "", "```cmo", "cmoc: belonging-staff-understand-group", "```"]
    index = Studies().of(transcript)
    assert index is not None
    hover = navigation.hover(index, transcript, lines, 5, 8)
    assert hover is not None
    assert "status: supported" in str(hover.contents) and "If connectors belong" in str(hover.contents)
    place = navigation.definition(index, transcript, lines, 5, 8)
    assert place is not None and place.uri == (study / "theories/northcliffe-connect.yaml").as_uri()
