"""Hover, definition and references of codes and CMOCs, the open buffers before the files."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("lsprotocol")

from cmo.editor import navigation
from cmo.editor.server import CmoServer, build_server
from cmo.editor.study_index import Studies
from cmo.editor.text import set_position_encoding, split_lines
from tests.conftest import DEMO_CORPUS, REPO


@pytest.fixture
def study(tmp_path: Path) -> Path:
    shutil.copytree(DEMO_CORPUS, tmp_path / "corpus")
    shutil.copytree(REPO / "theories", tmp_path / "theories")
    return tmp_path.resolve()


def test_uses_are_codes_in_blocks_only() -> None:
    text = "trust here\n```cmo\ncontext: trust\nquote: trust me\nmechanism: {resource: trust}\nnote: trust\n```\n"
    assert navigation.uses_in(text, "trust") == [(2, 9, 14), (4, 22, 27)]
    over_lines = "```cmo\noutcome: [a,\n  trust]\nquote: [trust,\n  trust]\n```\n"
    assert navigation.uses_in(over_lines, "trust") == [(2, 2, 7)]


def _notify(server: CmoServer, method: str, params: dict[str, Any], id: int | None = None) -> None:
    """A message from the client, handled as the server handles one it reads (its replies go nowhere)."""
    message = {"jsonrpc": "2.0", "method": method, "params": params, **({"id": id} if id is not None else {})}
    server.protocol.handle_message(server.protocol.structure_message(message))


def _initialised() -> CmoServer:
    server = build_server()
    _notify(server, "initialize", {"capabilities": {}, "processId": None, "rootUri": None}, 1)
    _notify(server, "initialized", {})
    return server


def test_references_take_an_open_buffer_before_its_file(study: Path) -> None:
    transcript = study / "corpus/northcliffe-connect/interviews/nc-int-01.md"
    codebook = study / "corpus/codebook.yaml"
    lines = codebook.read_text(encoding="utf-8").split("\n")
    line = lines.index("  key-persons:")
    index = Studies().of(codebook)
    assert index is not None
    server = _initialised()
    on_disk = navigation.references(index, codebook, lines, line, 4, server.opened, False)
    assert transcript.as_uri() in {place.uri for place in on_disk}
    document = {"uri": transcript.as_uri(), "languageId": "markdown", "version": 1, "text": "emptied\n"}
    _notify(server, "textDocument/didOpen", {"textDocument": document})
    emptied = navigation.references(index, codebook, lines, line, 4, server.opened, True)
    assert transcript.as_uri() not in {place.uri for place in emptied}
    assert emptied[0].uri == codebook.as_uri() and emptied[0].range.start.line == line


def test_in_a_transcript_only_words_where_codes_go_are_targets(study: Path) -> None:
    transcript = study / "corpus/riverside-bridges/workshops/rb-ws-02.md"
    lines = split_lines(transcript.read_text(encoding="utf-8"))
    index = Studies().of(transcript)
    assert index is not None
    prose = lines.index("help-seeking.")
    assert navigation.hover(index, transcript, lines, prose, 2) is None
    assert navigation.definition(index, transcript, lines, prose, 2) is None
    assert navigation.references(index, transcript, lines, prose, 2, _initialised().opened, True) == []
    coded = lines.index("outcome: [referrals-to-services, help-seeking]")
    assert navigation.hover(index, transcript, lines, coded, lines[coded].index("help-seeking")) is not None
    block = [
        "```cmo",
        "quote: help-seeking",
        "note: help-seeking",
        "cmoc: help-seeking",
        "outcome: help-seeking",
        "```",
    ]
    found = [navigation.target_at(index, transcript, block, number, 10) for number in range(1, 5)]
    assert [target and target.id for target in found] == [None, None, None, "help-seeking"]


def test_in_a_theory_file_a_code_named_anywhere_is_a_target(study: Path) -> None:
    theory = study / "theories/northcliffe-connect.yaml"
    lines = split_lines(theory.read_text(encoding="utf-8"))
    line = lines.index("        - id: key-persons")
    index = Studies().of(theory)
    assert index is not None
    place = navigation.definition(index, theory, lines, line, 16)
    assert place is not None and place.uri == (study / "corpus/codebook.yaml").as_uri()


@pytest.mark.parametrize(("encoding", "character"), [("utf-16", 47), ("utf-8", 50), ("utf-32", 46)])
def test_the_definition_range_is_in_the_clients_columns(study: Path, encoding: str, character: int) -> None:
    codebook = study / "corpus/northcliffe-connect/codebook.yaml"
    codebook.write_text(
        'codes: {a-code: {kind: context, label: "\U0001f600\u00e9"}, own-code: {kind: context, label: O}}\n',
        encoding="utf-8",
    )
    transcript = study / "corpus/northcliffe-connect/interviews/nc-int-01.md"
    index = Studies().of(transcript)
    assert index is not None
    set_position_encoding(encoding)
    try:
        place = navigation.definition(index, transcript, ["```cmo", "context: own-code", "```"], 1, 10)
    finally:
        set_position_encoding("utf-16")
    assert place is not None and place.uri == codebook.as_uri()
    assert (place.range.start.character, place.range.end.character) == (character, character + len("own-code"))


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
