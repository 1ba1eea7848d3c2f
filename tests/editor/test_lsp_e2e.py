"""The real `cmo lsp` over stdio, driven by an LSP client: diagnostics, completion, hover, definition, fixes, hostile files."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")

from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

from tests.conftest import DEMO_CORPUS, REPO  # noqa: E402
from tests.test_hostile_input import BLOCK, EVIL, HEAD, HUGE_DECIMAL, HUGE_HEX  # noqa: E402

TRANSCRIPT = "corpus/northcliffe-connect/interviews/nc-int-01.md"
TYPO_LINE = "mechanism: {resource: key-persons, reasoning: building-trust}"


@pytest.fixture
def study(tmp_path: Path) -> Path:
    shutil.copytree(DEMO_CORPUS, tmp_path / "corpus")
    shutil.copytree(REPO / "theories", tmp_path / "theories")
    return tmp_path


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "cmo", "lsp"]))  # type: ignore[untyped-decorator]
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


async def _diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    """The next diagnostics the server publishes for `uri`."""
    client.diagnostics.pop(uri, None)
    async with asyncio.timeout(30):
        while uri not in client.diagnostics:
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])


def _open(client: LanguageClient, path: Path, text: str | None = None, language: str = "markdown") -> str:
    uri = path.as_uri()
    source = path.read_text(encoding="utf-8") if text is None else text
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=source)
        )
    )
    return uri


def _change(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def _where(text: str, needle: str) -> types.Position:
    """The position just inside the first occurrence of `needle`."""
    for number, line in enumerate(text.split("\n")):
        if needle in line:
            return types.Position(line=number, character=line.index(needle) + 1)
    raise AssertionError(needle)


@pytest.mark.asyncio
async def test_a_typo_is_reported_on_its_token_and_its_quick_fix_clears_it(client: Any, study: Path) -> None:
    lsp: LanguageClient = client
    path = study / TRANSCRIPT
    text = path.read_text(encoding="utf-8")
    uri = _open(lsp, path, text)
    assert await _diagnostics(lsp, uri) == []
    broken = text.replace(TYPO_LINE, TYPO_LINE.replace("building-trust", "bulding-trust"), 1)
    _change(lsp, uri, broken, 2)
    found = await _diagnostics(lsp, uri)
    assert [d.code for d in found] == ["unknown-code"]
    (diagnostic,) = found
    line = broken.split("\n")[diagnostic.range.start.line]
    start, end = diagnostic.range.start.character, diagnostic.range.end.character
    assert line[start:end] == "bulding-trust"
    assert path.read_text(encoding="utf-8") == text  # the server checked the buffer, never wrote the file
    result = await lsp.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    fixes = [a for a in result or [] if isinstance(a, types.CodeAction) and a.kind == types.CodeActionKind.QuickFix]
    assert len(fixes) == 1
    assert fixes[0].edit is not None and fixes[0].edit.changes is not None
    (edit,) = fixes[0].edit.changes[uri]
    lines = broken.split("\n")
    lines[edit.range.start.line] = line[:start] + edit.new_text + line[end:]
    _change(lsp, uri, "\n".join(lines), 3)
    assert await _diagnostics(lsp, uri) == []


@pytest.mark.asyncio
async def test_completion_of_a_mechanism_offers_mechanism_codes_only(client: Any, study: Path) -> None:
    lsp: LanguageClient = client
    path = study / TRANSCRIPT
    text = path.read_text(encoding="utf-8").replace(TYPO_LINE, "mechanism: ", 1)
    uri = _open(lsp, path, text)
    await _diagnostics(lsp, uri)
    line = text.split("\n").index("mechanism: ")
    position = types.Position(line=line, character=len("mechanism: "))
    result = await lsp.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    assert isinstance(result, types.CompletionList)
    labels = {item.label for item in result.items}
    assert {"building-trust", "key-persons", "understanding-group-life"} <= labels
    assert "stigma-mental-health" not in labels  # a context code
    assert all(item.detail for item in result.items)  # each with its label


@pytest.mark.asyncio
async def test_hover_and_definition_of_a_code(client: Any, study: Path) -> None:
    lsp: LanguageClient = client
    path = study / TRANSCRIPT
    text = path.read_text(encoding="utf-8")
    uri = _open(lsp, path, text)
    await _diagnostics(lsp, uri)
    at = types.TextDocumentIdentifier(uri=uri)
    position = _where(text, "building-trust}")
    hover = await lsp.text_document_hover_async(types.HoverParams(text_document=at, position=position))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "mechanism" in hover.contents.value
    assert "Building trust with the group" in hover.contents.value
    assert "codebook.yaml:" in hover.contents.value
    place = await lsp.text_document_definition_async(types.DefinitionParams(text_document=at, position=position))
    assert isinstance(place, types.Location)
    codebook = study / "corpus/codebook.yaml"
    assert place.uri == codebook.as_uri()
    assert codebook.read_text(encoding="utf-8").split("\n")[place.range.start.line] == "  building-trust:"


HOSTILE = [
    HEAD + f"```cmo\noutcome: {HUGE_HEX}\n```\n",
    HEAD + f"```cmo\noutcome: {HUGE_DECIMAL}\n```\n",
    HEAD + BLOCK * 2_000,
    HEAD + "\n" * 100_000 + BLOCK,
    HEAD + f"```cmo\noutcome: help-seeking\nnote: {EVIL}\n```\n",
    "---\nid: a\nsource: interview\ndate: !!timestamp soon\n---\n\ntext\n",
    "---\n[unclosed\n",
    "```cmo\n&a [*a, *a]\n```\n",
    "\ufeff\x00\x01 not a transcript",
]


HOSTILE_YAML = [
    "# a lone surrogate \ud800\n",
    "[unclosed\n",
    "&a [*a, *a]\n",
    "\ufeff\x00\x01 not YAML",
    f"id: {HUGE_HEX}\n",
    "- " * 5_000 + "x\n",
]
YAML_FILES = ["corpus/codebook.yaml", "theories/northcliffe-connect.yaml", "corpus/northcliffe-connect/programme.yaml"]


def _close(client: LanguageClient, uri: str) -> None:
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


@pytest.mark.asyncio
async def test_hostile_documents_are_answered_and_the_server_lives_on(client: Any, study: Path) -> None:
    lsp: LanguageClient = client
    folder = study / "corpus/northcliffe-connect/interviews"
    for number, text in enumerate(HOSTILE):
        uri = _open(lsp, folder / f"hostile-{number}.md", text)
        found = await _diagnostics(lsp, uri)
        assert all(d.source == "cmo" and "internal error" not in d.message for d in found), number
    for name in YAML_FILES:
        for number, text in enumerate(HOSTILE_YAML):
            uri = _open(lsp, study / name, text, "yaml")
            found = await _diagnostics(lsp, uri)  # published, never an error the client pops up
            assert found, (name, number)  # each is broken, and says so
            assert all(d.source == "cmo" and "internal error" not in d.message for d in found), (name, number)
            _close(lsp, uri)
            assert await _diagnostics(lsp, uri) == []
    nul = folder.as_uri() + "/a%00b.md"
    lsp.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=nul, language_id="markdown", version=1, text=BLOCK)
        )
    )
    assert await _diagnostics(lsp, nul) == []  # a path no file can have: nothing to check, no error
    hover = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=nul), position=types.Position(1, 2))
    assert await lsp.text_document_hover_async(hover) is None
    uri = _open(lsp, study / TRANSCRIPT)
    assert await _diagnostics(lsp, uri) == []


@pytest.mark.asyncio
async def test_a_study_in_a_folder_with_a_space_and_an_accent(client: Any, tmp_path: Path) -> None:
    lsp: LanguageClient = client
    study = tmp_path / "my study" / "évaluation"
    shutil.copytree(DEMO_CORPUS, study / "corpus")
    shutil.copytree(REPO / "theories", study / "theories")
    path = study / TRANSCRIPT
    text = path.read_text(encoding="utf-8")
    uri = _open(lsp, path, text.replace("outcome: help-seeking", "outcome: zzz-new", 1))
    assert "%20" in uri and "%C3%A9" in uri
    assert [d.code for d in await _diagnostics(lsp, uri)] == ["unknown-code"]  # published under the client's URI
    codebook = study / "corpus/codebook.yaml"
    declared = codebook.read_text(encoding="utf-8") + "  zzz-new:\n    kind: outcome\n    label: New one\n"
    _open(lsp, codebook, declared, "yaml")
    assert await _diagnostics(lsp, uri) == []  # the open transcript is checked again, against the codebook's buffer
    at = types.TextDocumentIdentifier(uri=uri)
    hover = await lsp.text_document_hover_async(
        types.HoverParams(text_document=at, position=_where(text, "building-trust}"))
    )
    assert hover is not None and "Building trust with the group" in str(hover.contents)


@pytest.mark.asyncio
async def test_programme_yaml_typed_and_saved_keeps_the_unsaved_codebook(client: Any, study: Path) -> None:
    lsp: LanguageClient = client
    codebook = study / "corpus/codebook.yaml"
    declared = codebook.read_text(encoding="utf-8") + "  zzz-new:\n    kind: outcome\n    label: New one\n"
    await _diagnostics(lsp, _open(lsp, codebook, declared, "yaml"))
    path = study / TRANSCRIPT
    uri = _open(lsp, path, path.read_text(encoding="utf-8").replace("outcome: help-seeking", "outcome: zzz-new", 1))
    assert await _diagnostics(lsp, uri) == []
    programme = study / "corpus/northcliffe-connect/programme.yaml"
    text = programme.read_text(encoding="utf-8")
    programme_uri = _open(lsp, programme, text, "yaml")
    await _diagnostics(lsp, programme_uri)
    _change(lsp, programme_uri, text + "# a comment\n", 2)
    await _diagnostics(lsp, programme_uri)
    programme.write_text(text + "# a comment\n", encoding="utf-8")
    lsp.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=programme_uri))
    )
    assert await _diagnostics(lsp, uri) == []  # the study read afresh still has the codebook's unsaved code


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "cmo", "lsp"]))  # type: ignore[untyped-decorator]
async def utf8_client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    general = types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf8])
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities(general=general)))
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_columns_are_utf8_bytes_when_the_client_asks_for_utf8(utf8_client: Any, study: Path) -> None:
    lsp: LanguageClient = utf8_client
    path = study / TRANSCRIPT
    quote = 'quote: "It took months before anyone at the mosque would even talk to me about how they were feeling."'
    accented = 'quote: "It took months — café ☕ not in the text"'
    text = path.read_text(encoding="utf-8")
    assert quote in text
    uri = _open(lsp, path, text.replace(quote, accented, 1))
    (found,) = [d for d in await _diagnostics(lsp, uri) if d.code == "quote-not-found"]
    assert (found.range.start.character, found.range.end.character) == (7, len(accented.encode("utf-8")))
