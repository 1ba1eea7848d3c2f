"""Export: coded programmes -> a `.qdpx` project (REFI-QDA 1.0) that NVivo, ATLAS.ti, MAXQDA or QualCoder opens."""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from cmo import __version__
from cmo.core.diagnostics import Diagnostics, Severity
from cmo.core.rules import Rule
from cmo.corpus.coding import CodingResult
from cmo.corpus.layout import Corpus, ProgrammeSource
from cmo.corpus.models import Code, CodeKind, FrontMatter, Record
from cmo.corpus.transcript import decode, parse
from cmo.corpus.transcript_coding import TranscriptResult
from cmo.qdpx.codes import Role
from cmo.qdpx.plaintext import PlainText, evidence_span, plain_text, xml_safe
from cmo.qdpx.project import NAMESPACE
from cmo.qdpx.sources import DATE_VARIABLE, ROLE_VARIABLE, SOURCE_TYPE_VARIABLE
from cmo.yamlio.schema import validate

# GUIDs are uuid5 of cmo's ids under this namespace: the same corpus always gives the same project.
_GUIDS = uuid.UUID("6f1c1f5e-3b7a-5c9e-9d8e-4f1a2b3c4d5e")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_KIND_ORDER = (CodeKind.INTERVENTION, CodeKind.CONTEXT, CodeKind.ACTOR, CodeKind.MECHANISM, CodeKind.OUTCOME)
_SUB_ROLES = {CodeKind.CONTEXT: (Role.ENABLERS, Role.BARRIERS), CodeKind.MECHANISM: (Role.RESOURCE, Role.REASONING)}
_EXCERPT = 60


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_GUIDS, "\x1f".join(parts)))


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    child = ET.SubElement(parent, tag, {key: xml_safe(value) for key, value in attributes.items()})
    if text is not None:
        child.text = xml_safe(text)
    return child


@dataclass
class _Source:
    """One transcript as an exported source: its text and each record's evidence span in it."""

    programme: str
    transcript: str
    guid: str
    text: str
    front: FrontMatter
    selections: list[tuple[Record, int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class _Node:
    """A code in the exported tree: which programme's (or the shared) code, in which role."""

    scope: str
    role: Role
    id: str
    code: Code


def record_roles(record: Record) -> list[tuple[Role, str]]:
    """(role, code) for every code of a record, a split mechanism's codes as resource / reasoning."""
    split = set(record.resource) | set(record.reasoning)
    roles = [(Role(name), code) for name, code in record.codes() if name != "mechanism"]
    roles += [(Role.MECHANISM, code) for code in record.mechanism if code not in split]
    roles += [(Role.RESOURCE, code) for code in record.resource]
    return roles + [(Role.REASONING, code) for code in record.reasoning]


def _scope(programme: ProgrammeSource, code: str) -> str:
    declared = programme.codes.get(code)
    return "shared" if declared is not None and declared.shared else programme.id


def _read(raw: bytes, shown: str) -> tuple[FrontMatter, PlainText, str] | None:
    """A coded transcript's front matter, exported text, and the text `cmo code` searched for evidence."""
    diagnostics = Diagnostics()
    text = decode(raw, shown, diagnostics)
    parsed = parse(text, shown, diagnostics) if text is not None else None
    if text is None or parsed is None:
        return None
    front = validate(FrontMatter, parsed.front_matter, path=shown, diagnostics=diagnostics, what="front matter")
    return (front, plain_text(text, parsed), parsed.text) if front is not None else None


class _Exporter:
    def __init__(self, corpus: Corpus, programmes: Sequence[str], diagnostics: Diagnostics) -> None:
        self.corpus = corpus
        self.programmes = [corpus.programmes[name] for name in programmes]
        self.diagnostics = diagnostics
        self.sources: list[_Source] = []
        self.nodes: dict[tuple[str, Role, str], str] = {}
        self.notes: list[tuple[str, Record]] = []

    def read(self, transcripts: list[TranscriptResult]) -> None:
        chosen = {programme.id for programme in self.programmes}
        for transcript in sorted(transcripts, key=lambda t: (t.programme, t.path)):
            if transcript.programme not in chosen or transcript.transcript_id is None:
                continue
            raw = (self.corpus.root / transcript.path).read_bytes()
            found = _read(raw, transcript.shown)
            if found is None:
                continue
            front, plain, searched = found
            guid = _guid("source", transcript.programme, transcript.transcript_id)
            source = _Source(transcript.programme, transcript.transcript_id, guid, plain.text, front)
            for record in transcript.records:
                span = evidence_span(record, plain, searched)
                if span is None:
                    self.diagnostics.add(
                        transcript.shown,
                        record.annotation_line,
                        1,
                        Rule.QDPX_EXPORT,
                        f"the evidence of record {record.id} is not in the exported text; left out",
                        Severity.WARNING,
                    )
                else:
                    source.selections.append((record, *span))
            self.sources.append(source)

    def project(self) -> ET.Element:
        names = [p.programme.name if p.programme else p.id for p in self.programmes]
        root = ET.Element("Project", {"xmlns": NAMESPACE, "name": "; ".join(names), "origin": f"cmo {__version__}"})
        users = self.users(root)
        self.codebook(root)
        variables = self.variables(root)
        self.cases(root, variables)
        self.text_sources(root, users, variables)
        if self.notes:
            notes = _add(root, "Notes")
            for guid, record in self.notes:
                note = _add(notes, "Note", guid=guid, name=f"Note on {record.id}")
                _add(note, "PlainTextContent", record.note)
        return root

    def users(self, root: ET.Element) -> dict[str, str]:
        names = {s.front.coder for s in self.sources if s.front.coder}
        names |= {record.coder for s in self.sources for record, _, _ in s.selections if record.coder}
        found = {name: _guid("user", name) for name in sorted(names)}
        if found:
            users = _add(root, "Users")
            for name, guid in found.items():
                _add(users, "User", guid=guid, name=name)
        return found

    def codebook(self, root: ET.Element) -> None:
        used = {
            (_scope(self.corpus.programmes[s.programme], code), role, code)
            for s in self.sources
            for record, _, _ in s.selections
            for role, code in record_roles(record)
        }
        codes = _add(_add(root, "CodeBook"), "Codes")
        for kind in _KIND_ORDER:
            category = _add(codes, "Code", guid=_guid("category", kind), name=kind.title(), isCodable="false")
            declared = self.declared(kind)
            self.code_nodes(category, [_Node(scope, Role(kind), code_id, code) for scope, code_id, code in declared])
            for role in _SUB_ROLES.get(kind, ()):
                nodes = [_Node(s, role, i, code) for s, i, code in declared if (s, role, i) in used]
                if nodes:
                    sub = _add(category, "Code", guid=_guid("category", role), name=role.title(), isCodable="false")
                    self.code_nodes(sub, nodes)

    def declared(self, kind: CodeKind) -> list[tuple[str, str, Code]]:
        found: dict[tuple[str, str], Code] = {}
        for programme in self.programmes:
            for code_id, declared in programme.codes.items():
                if declared.code.kind == kind:
                    found.setdefault((_scope(programme, code_id), code_id), declared.code)
        return [(scope, code_id, code) for (scope, code_id), code in found.items()]

    def code_nodes(self, parent: ET.Element, nodes: list[_Node]) -> None:
        labels = [node.code.label for node in nodes]
        for node in nodes:
            guid = _guid("code", node.scope, node.role, node.id)
            self.nodes[(node.scope, node.role, node.id)] = guid
            label = node.code.label
            name = f"{label} ({node.id})" if labels.count(label) > 1 else label
            element = _add(parent, "Code", guid=guid, name=name, isCodable="true")
            trailer = f"cmo id: {node.id}"
            _add(element, "Description", f"{node.code.description}\n\n{trailer}" if node.code.description else trailer)

    def variables(self, root: ET.Element) -> dict[str, str]:
        wanted = [(SOURCE_TYPE_VARIABLE, "Text")]
        if any(s.front.date for s in self.sources):
            wanted.append((DATE_VARIABLE, "Date"))
        if any(p.role for s in self.sources for p in s.front.participants):
            wanted.append((ROLE_VARIABLE, "Text"))
        variables = _add(root, "Variables")
        found = {}
        for name, kind in wanted:
            found[name] = _guid("variable", name)
            _add(variables, "Variable", guid=found[name], name=name, typeOfVariable=kind)
        return found

    def cases(self, root: ET.Element, variables: dict[str, str]) -> None:
        people: dict[tuple[str, str], list[_Source]] = {}
        roles: dict[tuple[str, str], str] = {}
        for source in self.sources:
            for participant in source.front.participants:
                key = (source.programme, participant.id)
                people.setdefault(key, []).append(source)
                if participant.role:
                    roles.setdefault(key, participant.role)
        if not people:
            return
        clashing = {pid for _, pid in people if sum(1 for _, other in people if other == pid) > 1}
        cases = _add(root, "Cases")
        for (programme, pid), sources in people.items():
            name = f"{programme}/{pid}" if pid in clashing else pid
            case = _add(cases, "Case", guid=_guid("case", programme, pid), name=name)
            if (programme, pid) in roles:
                _value(case, variables[ROLE_VARIABLE], "TextValue", roles[(programme, pid)])
            types = {source.front.source for source in sources}
            if len(types) == 1:
                _value(case, variables[SOURCE_TYPE_VARIABLE], "TextValue", str(types.pop()))
            for source in sources:
                _add(case, "SourceRef", targetGUID=source.guid)

    def text_sources(self, root: ET.Element, users: dict[str, str], variables: dict[str, str]) -> None:
        sources = _add(root, "Sources")
        for source in self.sources:
            element = _add(
                sources,
                "TextSource",
                guid=source.guid,
                name=source.transcript,
                plainTextPath=f"internal://{source.guid}.txt",
            )
            for record, start, end in source.selections:
                self.selection(element, source, record, start, end, users)
            _value(element, variables[SOURCE_TYPE_VARIABLE], "TextValue", str(source.front.source))
            if source.front.date:
                _value(element, variables[DATE_VARIABLE], "DateValue", source.front.date.isoformat())

    def selection(
        self, parent: ET.Element, source: _Source, record: Record, start: int, end: int, users: dict[str, str]
    ) -> None:
        excerpt = " ".join(source.text[start:end].split())
        attributes = {"guid": _guid("selection", record.id), "name": excerpt[:_EXCERPT], "startPosition": str(start)}
        attributes["endPosition"] = str(end)
        if record.coder:
            attributes["creatingUser"] = users[record.coder]
        element = _add(parent, "PlainTextSelection", **attributes)
        markers = [f"cmo record: {record.id}"]
        if record.cmoc:
            markers.append(f"cmoc: {record.cmoc}")
        if record.stance != "supports":
            markers.append(f"stance: {record.stance}")
        if record.elicited:
            markers.append("elicited: true")
        _add(element, "Description", "\n".join(markers))
        programme = self.corpus.programmes[record.programme]
        for role, code in record_roles(record):
            scope = _scope(programme, code)
            coding = _add(element, "Coding", guid=_guid("coding", record.id, role, code))
            if record.coder:
                coding.set("creatingUser", users[record.coder])
            _add(coding, "CodeRef", targetGUID=self.nodes[(scope, role, code)])
        if record.note:
            guid = _guid("note", record.id)
            self.notes.append((guid, record))
            _add(element, "NoteRef", targetGUID=guid)


def _value(parent: ET.Element, variable: str, kind: str, value: str) -> None:
    element = _add(parent, "VariableValue")
    _add(element, "VariableRef", targetGUID=variable)
    _add(element, kind, value)


def _zip_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


@dataclass(frozen=True)
class Exported:
    """A `.qdpx` file's bytes, and how many sources and coded passages it holds."""

    data: bytes
    sources: int
    selections: int


def export_qdpx(result: CodingResult, programmes: Sequence[str], diagnostics: Diagnostics) -> Exported:
    """The `.qdpx` of the named programmes (ids in `result.corpus`); the same corpus gives the same bytes."""
    if result.corpus is None:
        raise ValueError("nothing to export: no corpus")
    exporter = _Exporter(result.corpus, programmes, diagnostics)
    exporter.read(result.transcripts)
    root = exporter.project()
    ET.indent(root)
    xml = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _zip_entry(archive, "project.qde", xml.encode("utf-8"))
        for source in exporter.sources:
            _zip_entry(archive, f"sources/{source.guid}.txt", source.text.encode("utf-8"))
    selections = sum(len(source.selections) for source in exporter.sources)
    return Exported(buffer.getvalue(), len(exporter.sources), selections)
