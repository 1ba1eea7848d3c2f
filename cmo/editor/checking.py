"""Diagnostics for a document's unsaved text, by the engine `cmo validate` uses, as LSP diagnostics on the offending token."""

from __future__ import annotations

import logging
import statistics
import tempfile
import time
from pathlib import Path

from lsprotocol import types

from cmo.core.diagnostics import Diagnostic, Diagnostics, Severity
from cmo.core.rules import Rule
from cmo.corpus import participants
from cmo.corpus.layout import CODEBOOK_FILE, PROGRAMME_FILE, ProgrammeSource, check_links
from cmo.corpus.models import Programme
from cmo.corpus.transcript_coding import TranscriptCoder
from cmo.editor.study_index import CORPUS_YAML, THEORY_SUFFIXES, Studies, StudyIndex, codebook_codes, is_transcript
from cmo.editor.text import split_lines, to_column, token_span
from cmo.yamlio.reader import UNREAD, Mark, load_reported
from cmo.yamlio.schema import validate

log = logging.getLogger("cmo.editor")

INTERNAL_ERROR = "cmo internal error"


def kind_of(index: StudyIndex | None, path: Path) -> str | None:
    """What the document is to cmo: transcript, codebook, programme, participants, theory; None for anything else."""
    if index is None:
        return None
    if is_transcript(path):
        return "transcript" if index.programme_of(path) is not None else None
    if path.name == CODEBOOK_FILE:  # the shared one, or a programme's own
        return "codebook" if path.parent == index.root or index.programme_file(path) is not None else None
    if path.name == PROGRAMME_FILE and index.programme_file(path) is not None:
        return "programme"
    if path.name == participants.PARTICIPANTS_FILE and index.programme_file(path) is not None:
        return "participants"
    if path.suffix in THEORY_SUFFIXES and path.name not in CORPUS_YAML and index.theories is not None:
        return "theory" if path.parent == index.theories.resolve() else None
    return None


def check_text(index: StudyIndex | None, path: Path, text: str) -> list[Diagnostic]:
    """Every finding `cmo validate` would report in this document if its text were saved."""
    kind = kind_of(index, path)
    if index is None or kind is None:
        return []
    raw = text.encode("utf-8", "surrogatepass")
    shown = str(path)
    if kind == "transcript":
        source = index.programme_of(path)
        assert source is not None
        return TranscriptCoder(path, index.root, source, shown).run(raw).diagnostics
    found = Diagnostics()
    if kind == "codebook":
        _check_codebook(index, path, raw, found)
    elif kind == "programme":
        _check_programme(path, raw, found)
    elif kind == "participants":
        data = load_reported(raw, shown, found)
        if data is not UNREAD:
            participants.declared(data, shown, found)
    else:
        _check_theory(index, path, raw, found)
    return [d for d in found.items if d.path == shown]


def _check_codebook(index: StudyIndex, path: Path, raw: bytes, found: Diagnostics) -> None:
    """The codebook's schema, codes it redefines from the shared one, and its `same_as` links (as `discover` checks)."""
    shown = str(path)
    shared = path.parent == index.root
    codes = codebook_codes(raw, shown, shared=shared, diagnostics=found)
    if not shared:
        shared_codes = {
            c: d for source in index.corpus.programmes.values() for c, d in source.codes.items() if d.shared
        }
        for code_id, declared in codes.items():
            if code_id in shared_codes:
                first = shared_codes[code_id]
                found.add(
                    shown,
                    declared.line,
                    declared.column,
                    Rule.CODE_REDEFINED,
                    f"code {code_id!r} is already defined in the shared codebook ({first.path}:{first.line}); "
                    "remove it here or rename it",
                )
    for declared in codes.values():
        if declared.id in declared.code.same_as:
            found.add(
                shown,
                declared.line,
                declared.column,
                Rule.SAME_AS_SELF,
                f"code {declared.id!r} lists itself in same_as",
            )
    known = {c: d for source in index.corpus.programmes.values() for c, d in source.codes.items()}
    known.update(codes)
    check_links([ProgrammeSource(id="", folder=path.parent, programme=None, codes=codes)], known, found)


def _check_programme(path: Path, raw: bytes, found: Diagnostics) -> None:
    shown = str(path)
    data = load_reported(raw, shown, found)
    if data is UNREAD:
        return
    programme = validate(Programme, data, path=shown, diagnostics=found, what="programme.yaml")
    if programme is not None and programme.id != path.parent.name:
        mark = getattr(data, "value_marks", {}).get("id", Mark(1, 1))
        found.add(
            shown,
            mark.line,
            mark.column,
            Rule.PROGRAMME_ID,
            f"programme id {programme.id!r} must equal its folder name {path.parent.name!r}",
        )


def _check_theory(index: StudyIndex, path: Path, raw: bytes, found: Diagnostics) -> None:
    """`cmo validate`'s own check of a theory file (check_theory reads a file: it is given the buffer as one)."""
    from cmo.theory.check import check_theory

    with tempfile.TemporaryDirectory(prefix="cmo-lsp-") as folder:
        copy = Path(folder) / path.name
        copy.write_bytes(raw)
        checked = Diagnostics()
        check_theory(copy, index.corpus, checked)
    for item in checked.items:
        found.add(str(path), item.line, item.column, item.rule, item.message, item.severity)


# --- as LSP diagnostics -------------------------------------------------------------------------


def to_lsp(found: Diagnostic, lines: list[str]) -> types.Diagnostic:
    """One finding as an LSP diagnostic whose range is the key or value token it is about."""
    line = min(max(found.line - 1, 0), max(len(lines) - 1, 0))
    text = lines[line] if lines else ""
    start, end = token_span(text, found.column - 1)
    return types.Diagnostic(
        range=types.Range(
            start=types.Position(line=line, character=to_column(text, start)),
            end=types.Position(line=line, character=to_column(text, end)),
        ),
        message=found.message,
        severity=types.DiagnosticSeverity.Warning
        if found.severity is Severity.WARNING
        else types.DiagnosticSeverity.Error,
        code=found.rule,
        source="cmo",
    )


def internal_error(exc: BaseException) -> types.Diagnostic:
    """What the editor shows when checking itself failed: one diagnostic at the top, never a dead server."""
    return types.Diagnostic(
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        message=f"{INTERNAL_ERROR}: {type(exc).__name__}: {exc}",
        severity=types.DiagnosticSeverity.Error,
        source="cmo",
    )


def lsp_diagnostics(studies: Studies, path: Path, text: str) -> list[types.Diagnostic]:
    """The document's diagnostics for the editor; any failure inside becomes one `cmo internal error` diagnostic."""
    try:
        index = studies.of(path)
        lines = split_lines(text)
        return [to_lsp(found, lines) for found in sorted(check_text(index, path, text))]
    except Exception as exc:  # a bug in checking must not take the editor's server down
        log.exception("checking %s failed", path)
        return [internal_error(exc)]


def time_recheck(path: Path, runs: int = 7) -> float:
    """Seconds to check a transcript's text again once its study is loaded (the median of `runs`): a bench row's figure."""
    path = path.resolve()
    studies = Studies()
    text = path.read_text(encoding="utf-8")
    lsp_diagnostics(studies, path, text)  # loads the study
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        lsp_diagnostics(studies, path, text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)
