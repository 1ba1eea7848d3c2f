"""The language server: pygls wiring of diagnostics, completion, hover, definition, references and code actions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from cmo import __version__
from cmo.editor import actions, completion, navigation
from cmo.editor.checking import lsp_diagnostics
from cmo.editor.study_index import Studies, StudyIndex, is_transcript
from cmo.editor.text import from_column, set_position_encoding, split_lines

log = logging.getLogger("cmo.editor")

DEBOUNCE = 0.15  # seconds of quiet after a change before the document is checked again
TRIGGERS = [":", " ", "[", ","]
T = TypeVar("T")


def path_of(uri: str) -> Path | None:
    """The file a `file:` URI names; None for any other scheme (an untitled buffer, a diff view)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path)).resolve()


class CmoServer(LanguageServer):
    """The server's state: the studies of the documents opened, and the checks waiting for a pause in typing."""

    def __init__(self) -> None:
        super().__init__("cmo", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.studies = Studies()
        self.pending: dict[str, asyncio.TimerHandle] = {}

    def text_of(self, uri: str) -> str | None:
        document = self.workspace.text_documents.get(uri)
        return None if document is None else document.source

    def opened(self, path: Path) -> str | None:
        """The unsaved text of an open document, by its path."""
        return self.text_of(path.as_uri())

    def index_of(self, path: Path) -> StudyIndex | None:
        try:
            return self.studies.of(path)
        except Exception:  # an unreadable study is no study, not a dead server
            log.exception("reading the study of %s failed", path)
            return None

    def check(self, uri: str) -> None:
        """Publish the document's diagnostics now (from its text in the editor, never the file)."""
        self.pending.pop(uri, None)
        text, path = self.text_of(uri), path_of(uri)
        if text is None or path is None:
            return
        found = lsp_diagnostics(self.studies, path, text)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=found))

    def check_later(self, uri: str) -> None:
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.pending[uri] = asyncio.get_running_loop().call_later(DEBOUNCE, self.check, uri)

    def yaml_changed(self, uri: str, text: str | None) -> None:
        """A codebook, programme or theory changed in the editor: the index takes its text, open transcripts are rechecked."""
        path = path_of(uri)
        if path is None or path.suffix not in (".yaml", ".yml"):
            return
        if path.name == "programme.yaml":
            self.studies.reload(path)
            changed = True
        else:
            index = self.index_of(path)
            changed = index is not None and index.update(path, text)
        if changed:
            for other in list(self.workspace.text_documents):
                other_path = path_of(other)
                if other != uri and other_path is not None and is_transcript(other_path):
                    self.check_later(other)


def _guarded(default: T, work: Callable[[], T]) -> T:
    """`work()`, or `default` after logging what went wrong: a request never takes the server down."""
    try:
        return work()
    except Exception:
        log.exception("a request failed")
        return default


def _at(server: CmoServer, uri: str, position: types.Position) -> tuple[StudyIndex, Path, list[str], int, int] | None:
    """The study, path, lines and code point position of a request about an open document."""
    text, path = server.text_of(uri), path_of(uri)
    if text is None or path is None:
        return None
    index = server.index_of(path)
    if index is None:
        return None
    lines = split_lines(text)
    line = position.line
    character = from_column(lines[line], position.character) if line < len(lines) else 0
    return index, path, lines, line, character


def build_server() -> CmoServer:
    """The server with every feature registered."""
    server = CmoServer()
    _register_documents(server)
    _register_requests(server)
    return server


def _register_documents(server: CmoServer) -> None:
    """Documents opened, changed, saved and closed: each checked, debounced while typing."""

    @server.feature(types.INITIALIZED)
    def initialized(ls: CmoServer, params: types.InitializedParams) -> None:
        set_position_encoding(str(ls.workspace.position_encoding or "utf-16"))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CmoServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.yaml_changed(params.text_document.uri, params.text_document.text)
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CmoServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.yaml_changed(uri, ls.text_of(uri))
        ls.check_later(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: CmoServer, params: types.DidSaveTextDocumentParams) -> None:
        for index in ls.studies.loaded.values():
            if index is not None:
                index.saved()
        ls.check_later(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CmoServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        waiting = ls.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        ls.yaml_changed(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _register_requests(server: CmoServer) -> None:
    """Completion, hover, definition, references and code actions: answered from the editor's text."""

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=TRIGGERS))
    def complete(ls: CmoServer, params: types.CompletionParams) -> types.CompletionList | None:
        def work() -> types.CompletionList | None:
            found = _at(ls, params.text_document.uri, params.position)
            if found is None:
                return None
            items = completion.complete(*found)
            return types.CompletionList(is_incomplete=False, items=items)

        return _guarded(None, work)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: CmoServer, params: types.HoverParams) -> types.Hover | None:
        found = _at(ls, params.text_document.uri, params.position)
        return None if found is None else _guarded(None, lambda: navigation.hover(*found))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: CmoServer, params: types.DefinitionParams) -> types.Location | None:
        found = _at(ls, params.text_document.uri, params.position)
        return None if found is None else _guarded(None, lambda: navigation.definition(*found))

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def references(ls: CmoServer, params: types.ReferenceParams) -> list[types.Location]:
        found = _at(ls, params.text_document.uri, params.position)
        if found is None:
            return []
        declaration = params.context.include_declaration
        return _guarded([], lambda: navigation.references(*found, ls.opened, declaration))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite]
        ),
    )
    def code_action(ls: CmoServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        text = ls.text_of(params.text_document.uri)
        if text is None:
            return []
        return _guarded([], lambda: actions.code_actions(params.text_document.uri, text, params))


def serve(**options: Any) -> None:
    """Run the server over stdin and stdout until the client says exit."""
    logging.basicConfig(level=logging.WARNING, format="cmo lsp: %(levelname)s: %(message)s")
    build_server().start_io(**options)
