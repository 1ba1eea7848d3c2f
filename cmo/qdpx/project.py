"""`project.qde` -> dataclasses: users, the code tree, text sources with their selections, cases, variables, notes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

import defusedxml  # type: ignore[import-untyped]
import defusedxml.ElementTree as DefusedET  # type: ignore[import-untyped]

from cmo.core.rules import Rule
from cmo.qdpx.errors import QdpxError

NAMESPACE = "urn:QDA-XML:project:1.0"
_OTHER_SOURCES = ("PDFSource", "PictureSource", "AudioSource", "VideoSource")
# Deeper code trees than this are not made by people; refusing them keeps the walk bounded.
_MAX_DEPTH = 200


@dataclass(frozen=True)
class QdaCode:
    """A node of the code tree; `codable` is false for a category that only groups codes."""

    guid: str
    name: str
    description: str | None
    codable: bool
    children: tuple[QdaCode, ...] = ()


@dataclass(frozen=True)
class QdaCoding:
    """One code applied to a selection, by whom, with the notes attached to the coding."""

    guid: str
    code: str
    user: str | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class QdaSelection:
    """A coded passage: code-point positions (end exclusive) into its source's plain text."""

    guid: str
    name: str
    start: int | None
    end: int | None
    user: str | None
    description: str | None
    codings: tuple[QdaCoding, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class QdaValue:
    """A variable's value on a source or a case (its text form)."""

    variable: str
    value: str | None


@dataclass(frozen=True)
class QdaSource:
    """A text source: where its plain text is (`plainTextPath` or inline `PlainTextContent`) and its selections."""

    guid: str
    name: str
    plain_text_path: str | None
    content: str | None
    selections: tuple[QdaSelection, ...] = ()
    values: tuple[QdaValue, ...] = ()
    whole_codings: int = 0


@dataclass(frozen=True)
class QdaCase:
    """A case (usually a participant), its variable values and the sources and selections it covers."""

    guid: str
    name: str
    description: str | None
    values: tuple[QdaValue, ...] = ()
    sources: tuple[str, ...] = ()
    selections: tuple[str, ...] = ()


@dataclass(frozen=True)
class QdaNote:
    """A memo: its text inline or in a file of the project."""

    guid: str
    name: str
    content: str | None
    plain_text_path: str | None


@dataclass
class QdaProject:
    """Everything cmo reads from a REFI-QDA project."""

    name: str
    origin: str
    users: dict[str, str] = field(default_factory=dict)
    codes: list[QdaCode] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    cases: list[QdaCase] = field(default_factory=list)
    sources: list[QdaSource] = field(default_factory=list)
    other_sources: dict[str, int] = field(default_factory=dict)
    notes: dict[str, QdaNote] = field(default_factory=dict)


def guid(value: str | None) -> str:
    """GUIDs compared as tools write them differently: braces dropped, lower case."""
    return (value or "").strip().strip("{}").lower()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in element if _local(child.tag) == name)


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next(_children(element, name), None)


def _text(element: ET.Element, name: str) -> str | None:
    child = _child(element, name)
    return child.text if child is not None and child.text else None


def _refs(element: ET.Element, name: str) -> tuple[str, ...]:
    return tuple(guid(ref.get("targetGUID")) for ref in _children(element, name))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _user(element: ET.Element) -> str | None:
    value = element.get("creatingUser") or element.get("modifyingUser")
    return guid(value) if value else None


def _code(element: ET.Element, depth: int) -> QdaCode:
    if depth > _MAX_DEPTH:
        raise QdpxError(Rule.QDPX_XML, f"the code tree is nested more than {_MAX_DEPTH} levels deep; refused")
    return QdaCode(
        guid=guid(element.get("guid")),
        name=element.get("name") or "",
        description=_text(element, "Description"),
        codable=(element.get("isCodable") or "true").strip().lower() not in ("false", "0"),
        children=tuple(_code(child, depth + 1) for child in _children(element, "Code")),
    )


def _values(element: ET.Element) -> tuple[QdaValue, ...]:
    values = []
    for item in _children(element, "VariableValue"):
        ref = _child(item, "VariableRef")
        value = next((child.text for child in item if _local(child.tag) != "VariableRef"), None)
        values.append(QdaValue(guid(ref.get("targetGUID") if ref is not None else None), value))
    return tuple(values)


def _coding(element: ET.Element) -> QdaCoding:
    ref = _child(element, "CodeRef")
    return QdaCoding(
        guid=guid(element.get("guid")),
        code=guid(ref.get("targetGUID") if ref is not None else None),
        user=_user(element),
        notes=_refs(element, "NoteRef"),
    )


def _selection(element: ET.Element) -> QdaSelection:
    return QdaSelection(
        guid=guid(element.get("guid")),
        name=element.get("name") or "",
        start=_int(element.get("startPosition")),
        end=_int(element.get("endPosition")),
        user=_user(element),
        description=_text(element, "Description"),
        codings=tuple(_coding(child) for child in _children(element, "Coding")),
        notes=_refs(element, "NoteRef"),
    )


def _source(element: ET.Element) -> QdaSource:
    path = element.get("plainTextPath")
    return QdaSource(
        guid=guid(element.get("guid")),
        name=element.get("name") or (path or "").rsplit("/", 1)[-1] or guid(element.get("guid")),
        plain_text_path=path,
        content=_text(element, "PlainTextContent"),
        selections=tuple(_selection(child) for child in _children(element, "PlainTextSelection")),
        values=_values(element),
        whole_codings=sum(1 for _ in _children(element, "Coding")),
    )


def _parse_root(data: bytes) -> ET.Element:
    try:
        root: ET.Element = DefusedET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise QdpxError(
            Rule.QDPX_XML_REFUSED,
            f"refused: project.qde declares a DTD or entities ({type(exc).__name__}); "
            "REFI-QDA projects need neither, and they can expand without bound or read local files",
        ) from None
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (1, 0))
        raise QdpxError(
            Rule.QDPX_XML, f"project.qde is not well-formed XML (line {line}, column {column + 1})"
        ) from None
    if _local(root.tag) != "Project":
        raise QdpxError(Rule.QDPX_XML, f"project.qde holds <{_local(root.tag)}>, not a REFI-QDA <Project>")
    return root


def _case(case: ET.Element) -> QdaCase:
    return QdaCase(
        guid=guid(case.get("guid")),
        name=case.get("name") or "",
        description=_text(case, "Description"),
        values=_values(case),
        sources=_refs(case, "SourceRef"),
        selections=_refs(case, "SelectionRef"),
    )


def _read_sources(root: ET.Element, project: QdaProject) -> None:
    """The project's text sources, and how many sources of each other kind it holds."""
    for sources in _children(root, "Sources"):
        for source in sources:
            kind = _local(source.tag)
            if kind == "TextSource":
                project.sources.append(_source(source))
            elif kind in _OTHER_SOURCES:
                project.other_sources[kind] = project.other_sources.get(kind, 0) + 1


def parse_project(data: bytes) -> QdaProject:
    """A project from the bytes of `project.qde` (a BOM allowed); QdpxError on a DTD, entities or bad XML."""
    root = _parse_root(data)
    project = QdaProject(name=root.get("name") or "", origin=root.get("origin") or "")
    for users in _children(root, "Users"):
        for user in _children(users, "User"):
            project.users[guid(user.get("guid"))] = user.get("name") or user.get("id") or ""
    for book in _children(root, "CodeBook"):
        for codes in _children(book, "Codes"):
            project.codes.extend(_code(code, 1) for code in _children(codes, "Code"))
    for variables in _children(root, "Variables"):
        for variable in _children(variables, "Variable"):
            project.variables[guid(variable.get("guid"))] = variable.get("name") or ""
    project.cases.extend(_case(case) for cases in _children(root, "Cases") for case in _children(cases, "Case"))
    _read_sources(root, project)
    for notes in _children(root, "Notes"):
        for note in _children(notes, "Note"):
            key = guid(note.get("guid"))
            project.notes[key] = QdaNote(
                key, note.get("name") or "", _text(note, "PlainTextContent"), note.get("plainTextPath")
            )
    return project
