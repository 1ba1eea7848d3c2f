"""Import: a `.qdpx` project -> one programme's files (programme.yaml, codebook.yaml, a transcript per text source)."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmo.core.diagnostics import Diagnostics, Severity
from cmo.core.paths import display_path
from cmo.core.rules import Rule
from cmo.corpus.layout import CODEBOOK_FILE, PROGRAMME_FILE, load_codebook
from cmo.corpus.models import CodeKind, SourceType
from cmo.qdpx.archive import Archive, Limits, open_archive, project_entry, source_entry
from cmo.qdpx.codes import CodeMap, CodeTable, load_map, place_codes, slug
from cmo.qdpx.configurations import Configuration, Tally, configuration, merge
from cmo.qdpx.errors import QdpxError
from cmo.qdpx.positions import crlf_width, decode_source, normalise, place_selections
from cmo.qdpx.project import QdaProject, QdaSource, parse_project
from cmo.qdpx.sources import SourceFacts, source_facts
from cmo.qdpx.transcripts import SOURCE_FENCE, write_transcript
from cmo.yamlio.emitter import dump
from cmo.yamlio.reader import YamlError, dump_round_trip, load, load_round_trip
from cmo.yamlio.schema import TRANSCRIPT_ID_PATTERN

INTERNAL = "internal://"
_TRANSCRIPT_ID = re.compile(TRANSCRIPT_ID_PATTERN)
_NAME_SUFFIX = re.compile(r"\.(txt|docx?|rtf|odt|md|pdf|html?)$", re.IGNORECASE)
_FOLDERS = {kind: f"{kind.value}s" for kind in SourceType}
# File systems refuse names over 255 bytes, and the atomic write's temp file adds to the name; a longer
# id keeps its front matter `id:`, and its file is named by a prefix and a hash of the whole id.
_NAME_BYTES = 200 - len(".md")
_HASH_CHARS = 12


@dataclass(frozen=True)
class ImportOptions:
    """What `cmo qdpx import` was asked to do."""

    programme: str
    corpus: Path
    source_type: SourceType | None = None
    code_map: Path | None = None
    crlf: int | None = None
    force: bool = False


@dataclass
class ImportResult:
    """The files to write (none when anything is an error), what was found, and how many transcripts and annotations."""

    files: dict[Path, str] = field(default_factory=dict)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    transcripts: int = 0
    annotations: int = 0


class _Importer:
    def __init__(
        self, shown: str, options: ImportOptions, archive: Archive, project: QdaProject, result: ImportResult
    ) -> None:
        self.shown = shown
        self.options = options
        self.archive = archive
        self.project = project
        self.folder = options.corpus / options.programme
        self.result = result
        self.tally = Tally()
        self.ids: set[str] = set()
        self.names: set[str] = set()  # file names planned so far, case-folded

    def warn(self, rule: str, message: str) -> None:
        self.result.diagnostics.add(self.shown, 1, 1, rule, message, Severity.WARNING)

    def error(self, rule: str, message: str) -> None:
        self.result.diagnostics.add(self.shown, 1, 1, rule, message)

    def existing_codes(self) -> dict[str, CodeKind]:
        """Codes the programme already sees; an import reuses them rather than defining them twice."""
        found: dict[str, CodeKind] = {}
        for path, shared in ((self.options.corpus / CODEBOOK_FILE, True), (self.folder / CODEBOOK_FILE, False)):
            if path.is_file():
                for code_id, declared in load_codebook(path, Diagnostics(), shared=shared).items():
                    found[code_id] = declared.code.kind
        return found

    def run(self, code_map: CodeMap | None) -> None:
        table = place_codes(self.project.codes, code_map, self.existing_codes(), self.result.diagnostics)
        self.programme_file()
        self.codebook_file(table)
        notes = self.notes()
        for source in self.project.sources:
            self.source(source, table, notes)
        self.report_unplaced(table)
        for kind, count in sorted(self.project.other_sources.items()):
            self.warn(Rule.QDPX_SOURCE, f"{count} {kind} source(s) not imported: cmo imports text sources only")

    def notes(self) -> dict[str, str]:
        texts = {}
        for key, note in self.project.notes.items():
            text = note.content
            if text is None and note.plain_text_path and note.plain_text_path.startswith(INTERNAL):
                entry = source_entry(self.archive, note.plain_text_path[len(INTERNAL) :])
                text = decode_source(self.archive.read(entry)) if entry else None
            if text and text.strip():
                texts[key] = normalise(text).strip()
        return texts

    def raw_text(self, source: QdaSource) -> str | None:
        if source.content is not None:
            return source.content
        path = source.plain_text_path
        if path is None:
            self.warn(Rule.QDPX_SOURCE, f"source {source.name!r} has no plain text (plainTextPath or PlainTextContent)")
            return None
        if "://" in path and not path.startswith(INTERNAL):
            self.warn(Rule.QDPX_SOURCE, f"source {source.name!r} is a file outside the project ({path}); not imported")
            return None
        # Some tools write a bare file name for a file in the sources folder.
        entry = source_entry(self.archive, path.removeprefix(INTERNAL))
        if entry is None:
            self.warn(Rule.QDPX_SOURCE, f"source {source.name!r}: {path} is not in the project's sources folder")
            return None
        text = decode_source(self.archive.read(entry))
        if text is None:
            self.warn(Rule.QDPX_SOURCE, f"source {source.name!r}: {entry} is not UTF-8 text; not imported")
        return text

    def transcript_id(self, source: QdaSource) -> str:
        name = _NAME_SUFFIX.sub("", " ".join(source.name.split()))
        wanted = name if _TRANSCRIPT_ID.match(name) else slug(name, "source")
        return _first_free(wanted, self.ids)

    def file_stem(self, transcript_id: str) -> str:
        """The id itself when it fits in a file name, else a prefix of it and a hash of the whole."""
        stem = transcript_id
        if len(stem.encode("utf-8")) > _NAME_BYTES:
            digest = hashlib.sha256(transcript_id.encode("utf-8")).hexdigest()[:_HASH_CHARS]
            # Ids are ASCII (TRANSCRIPT_ID_PATTERN), or slugs: one byte a character.
            stem = f"{transcript_id[: _NAME_BYTES - _HASH_CHARS - 1].rstrip('.-_')}-{digest}"
        return _first_free(stem, self.names, _NAME_BYTES)

    def configurations(
        self, source: QdaSource, raw: str, table: CodeTable, notes: dict[str, str]
    ) -> list[Configuration]:
        width = self.options.crlf or crlf_width(raw, source.selections, self.project.origin)
        found = []
        for placed in place_selections(raw, source.selections, width):
            selection = placed.selection
            where = f"selection {selection.name or selection.guid!r} in source {source.name!r}"
            if not selection.codings:
                self.warn(Rule.QDPX_SELECTION, f"{where} has no coding; skipped")
            elif selection.start is None or selection.end is None:
                self.warn(Rule.QDPX_SELECTION, f"{where} has no whole-number startPosition and endPosition; skipped")
            elif placed.span is None:
                self.warn(
                    Rule.QDPX_SELECTION,
                    f"{where}: positions {selection.start}-{selection.end} do not fit the text; skipped",
                )
            else:
                item = configuration(selection, placed.span, table, self.project.users, notes, self.tally)
                if item is not None:
                    found.append(item)
        return merge(found)

    def source(self, source: QdaSource, table: CodeTable, notes: dict[str, str]) -> None:
        raw = self.raw_text(source)
        if raw is None:
            return
        if source.whole_codings:
            self.warn(
                Rule.QDPX_SELECTION,
                f"source {source.name!r}: {source.whole_codings} coding(s) of the whole source not imported "
                "(cmo codes passages)",
            )
        facts = source_facts(self.project, source, self.options.source_type)
        for problem in facts.problems:
            self.warn(Rule.QDPX_SOURCE_TYPE, problem)
        if facts.source_type is None:
            self.error(
                Rule.QDPX_SOURCE_TYPE,
                f"source {source.name!r} has no source type (no variable like 'source type'); "
                f"pass --source-type {'|'.join(SourceType)}",
            )
            return
        text = normalise(raw)
        if SOURCE_FENCE.search(text):
            self.warn(
                Rule.QDPX_FENCE,
                f"source {source.name!r} has lines starting with ``` or ~~~, which Markdown reads as code blocks "
                "that can hide the annotations after them; check with `cmo validate`",
            )
        transcript_id = self.transcript_id(source)
        front = self.front_matter(transcript_id, facts)
        name = " ".join(source.name.split())
        comment = f"REFI-QDA source: {name}" if name != transcript_id else ""
        written = write_transcript(front, text, self.configurations(source, raw, table, notes), comment)
        for skipped in written.skipped:
            self.warn(Rule.QDPX_INCOMPLETE, f"source {source.name!r}: {skipped}")
        path = self.folder / _FOLDERS[facts.source_type] / f"{self.file_stem(transcript_id)}.md"
        if path.exists() and not self.options.force:
            self.result.diagnostics.add(
                display_path(path),
                1,
                1,
                Rule.QDPX_EXISTS,
                "transcript exists; not overwritten (use --force to replace it)",
            )
            return
        self.result.files[path] = written.text
        self.result.transcripts += 1
        self.result.annotations += written.annotations

    def front_matter(self, transcript_id: str, facts: SourceFacts) -> dict[str, Any]:
        front: dict[str, Any] = {"id": transcript_id, "source": str(facts.source_type)}
        if facts.date:
            front["date"] = facts.date
        if facts.participants:
            front["participants"] = facts.participants
        return front

    def report_unplaced(self, table: CodeTable) -> None:
        idle = sorted(
            {path for key, path in table.unplaced.items() if table.why_unplaced(key) not in self.tally.unplaced}
        )
        if idle:
            shown = ", ".join(repr(path) for path in idle[:5]) + (f" and {len(idle) - 5} more" if len(idle) > 5 else "")
            self.warn(
                Rule.QDPX_UNPLACED_CODE,
                f"{len(idle)} code{'' if len(idle) == 1 else 's'} without a kind and without codings left out "
                f"of the codebook: {shown}",
            )
        for why, count in sorted(self.tally.unplaced.items()):
            self.warn(Rule.QDPX_UNPLACED_CODE, f"{why}: {count} coding{'' if count == 1 else 's'} not imported")
        if self.tally.unplaced:
            total = sum(self.tally.unplaced.values())
            self.warn(
                Rule.QDPX_UNPLACED_CODE,
                f"{total} coding{'' if total == 1 else 's'} of {len(self.tally.unplaced)} code"
                f"{'' if len(self.tally.unplaced) == 1 else 's'} not imported: put codes under a Context / Mechanism / "
                "Outcome / Intervention / Actor category, prefix their names with C: / M: / O: / I: / A:, "
                "or give their kinds in --map MAP.yaml",
            )

    def programme_file(self) -> None:
        path = self.folder / PROGRAMME_FILE
        if not path.exists():
            name = " ".join(self.project.name.split()) or self.options.programme
            self.result.files[path] = dump({"id": self.options.programme, "name": name})

    def codebook_file(self, table: CodeTable) -> None:
        if not table.codebook:
            return
        codes = {
            code_id: {
                key: value
                for key, value in (("kind", str(code.kind)), ("label", code.label), ("description", code.description))
                if value is not None
            }
            for code_id, code in table.codebook.items()
        }
        path = self.folder / CODEBOOK_FILE
        if not path.exists():
            self.result.files[path] = dump({"codes": codes})
            return
        if not path.is_file():
            self.result.diagnostics.add(display_path(path), 1, 1, Rule.UNREADABLE, "not a regular file; not read")
            return
        text = path.read_bytes().decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
        try:
            load(text)
        except YamlError as exc:
            self.result.diagnostics.add(display_path(path), exc.mark.line, exc.mark.column, exc.rule, exc.message)
            return
        document = load_round_trip(text)
        if not isinstance(document, dict):
            self.result.diagnostics.add(display_path(path), 1, 1, Rule.NOT_A_MAPPING, "codebook is not a mapping")
            return
        if document.get("codes") is None:
            document["codes"] = {}
        document["codes"].update(codes)
        self.result.files[path] = dump_round_trip(document)


def import_qdpx(path: Path, options: ImportOptions, limits: Limits | None = None) -> ImportResult:
    """Read a `.qdpx` into the files of one programme; nothing to write when anything is an error."""
    shown = display_path(path)
    code_map = None
    result = ImportResult()
    if options.code_map is not None:
        code_map = load_map(options.code_map, result.diagnostics)
        if code_map is None:
            return result
    try:
        with open_archive(path, limits) as archive:
            project = parse_project(archive.read(project_entry(archive)))
            _Importer(shown, options, archive, project, result).run(code_map)
    except QdpxError as exc:
        result.diagnostics.add(shown, 1, 1, exc.rule, exc.message)
    _inside_corpus(result, options.corpus)
    if result.diagnostics.errors:
        result.files.clear()
    return result


def _inside_corpus(result: ImportResult, corpus: Path) -> None:
    """Refuse a file that a symlinked folder (or file) would put outside the corpus."""
    root = os.path.realpath(corpus)
    for path in result.files:
        real = os.path.realpath(path)
        if os.path.commonpath([root, real]) != root:
            result.diagnostics.add(
                display_path(path),
                1,
                1,
                Rule.QDPX_OUTSIDE,
                f"refused: a symlink makes this file land outside the corpus, at {real}; nothing written",
            )


def _first_free(wanted: str, taken: set[str], limit: int | None = None) -> str:
    """`wanted`, else `wanted-2`, `wanted-3`, ... (cut to `limit` characters), the first not yet taken; taken now."""
    found, number = wanted, 1
    while found.casefold() in taken:
        number += 1
        found = f"{wanted[: limit - len(str(number)) - 1] if limit else wanted}-{number}"
    taken.add(found.casefold())
    return found
