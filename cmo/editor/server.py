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
from cmo.corpus.layout import PROGRAMME_FILE
from cmo.editor import actions, completion, navigation
from cmo.editor.checking import lsp_diagnostics
from cmo.editor.study_index import Studies, StudyIndex, is_transcript
from cmo.editor.text import from_column, set_position_encoding, split_lines

log = logging.getLogger("cmo.editor")

DEBOUNCE = 0.15  # seconds of quiet after a change before the document is checked again
TRIGGERS = [":", " ", "[", ","]
T = TypeVar("T")


def path_of(uri: str) -> Path | None:
    """The file a `file:` URI names; None for any other scheme (an untitled buffer, a diff view) or no usable path."""
    try:
        parsed = urlparse(uri)
        if parsed.scheme != "file":
            return None
        value = unquote(parsed.path)
        if parsed.netloc and parsed.netloc != "localhost":
            value = f"//{parsed.netloc}{value}"  # a UNC path, as pygls.uris.to_fs_path reads it
        return Path(value).resolve()
    except (ValueError, OSError):  # a NUL byte, a path too long or a loop of links names no file
        return None


class CmoServer(LanguageServer):
    """The server's state: the studies of the documents opened, and the checks waiting for a pause in typing."""

    def __init__(self) -> None:
        super().__init__("cmo", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.studies = Studies()
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.uris: dict[Path, str] = {}  # each open document's path -> the URI the client names it by

    def text_of(self, uri: str) -> str | None:
        """An open document's text; pygls keeps documents under their unquoted URI (`my%20study` as `my study`)."""
        document = self.workspace.text_documents.get(unquote(uri))
        return None if document is None else document.source

    def opened(self, path: Path) -> str | None:
        """The unsaved text of an open document, by its path."""
        uri = self.uris.get(path)
        return None if uri is None else self.text_of(uri)

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
        if text is None:
            return
        found = [] if path is None else lsp_diagnostics(self.studies, path, text)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=found))

    def check_later(self, uri: str) -> None:
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.pending[uri] = asyncio.get_running_loop().call_later(DEBOUNCE, self.check, uri)

    def yaml_changed(self, uri: str, text: str | None) -> None:
        """A codebook or theory changed in the editor: the index takes its text, open transcripts are rechecked."""
        path = path_of(uri)
        if path is None or path.suffix not in (".yaml", ".yml") or path.name == PROGRAMME_FILE:
            return  # a programme.yaml is read from its file: the study is read again when one is saved
        index = self.index_of(path)
        if index is not None and index.update(path, text):
            self.recheck_transcripts(uri)

    def saved(self, uri: str) -> None:
        """A file was saved: code usage is counted again, and a saved programme.yaml has the study read afresh."""
        for index in self.studies.loaded.values():
            if index is not None:
                index.saved()
        path = path_of(uri)
        if path is not None and path.name == PROGRAMME_FILE:
            self.studies.reload(path)
            self.recheck_transcripts(uri)

    def recheck_transcripts(self, but: str) -> None:
        """Check every open transcript again (after a pause), `but` the document that changed."""
        for other_path, other in list(self.uris.items()):
            if other != but and is_transcript(other_path):
                self.check_later(other)

    def yaml_changed_safely(self, uri: str, text: str | None) -> None:
        """`yaml_changed`, logging what went wrong: the document is still checked, the client sees no error."""
        _guarded(None, lambda: self.yaml_changed(uri, text))


def _guarded(default: T, work: Callable[[], T]) -> T:
    """`work()`, or `default` after logging what went wrong: a request never takes the server down."""
    try:
        return work()
    except Exception:
        log.exception("a request failed")
        return default


def _at(server: CmoServer, uri: str, position: types.Position) -> tuple[StudyIndex, Path, list[str], int, int] | None:
    """The study, path, lines and code point position of a request about an open document (call it `_guarded`)."""
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
        encoding = ls.workspace.position_encoding or "utf-16"
        set_position_encoding(str(getattr(encoding, "value", encoding)))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CmoServer, params: types.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = path_of(uri)
        if path is not None:
            ls.uris[path] = uri
        ls.yaml_changed_safely(uri, params.text_document.text)
        ls.check(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CmoServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.yaml_changed_safely(uri, ls.text_of(uri))
        ls.check_later(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: CmoServer, params: types.DidSaveTextDocumentParams) -> None:
        _guarded(None, lambda: ls.saved(params.text_document.uri))
        ls.check_later(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CmoServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        waiting = ls.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        path = path_of(uri)
        if path is not None:
            ls.uris.pop(path, None)
        ls.yaml_changed_safely(uri, None)
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
    async def hover(ls: CmoServer, params: types.HoverParams) -> types.Hover | None:
        found = _guarded(None, lambda: _at(ls, params.text_document.uri, params.position))
        if found is None:
            return None
        # Counting code usage codes the corpus (once, with the cache): in a worker thread, never on the event loop.
        await asyncio.to_thread(_guarded, None, found[0].count_usage)
        return _guarded(None, lambda: navigation.hover(*found))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: CmoServer, params: types.DefinitionParams) -> types.Location | None:
        found = _guarded(None, lambda: _at(ls, params.text_document.uri, params.position))
        return None if found is None else _guarded(None, lambda: navigation.definition(*found))

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def references(ls: CmoServer, params: types.ReferenceParams) -> list[types.Location]:
        found = _guarded(None, lambda: _at(ls, params.text_document.uri, params.position))
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
