"""The coding fast path: a transcript with no problem at all coded straight into record dicts, or None for the full coder.

`code_fast` answers only when it can see that `TranscriptCoder` would report nothing (no error, no warning)
and gives exactly what it would: the result's data, and each record as `Record.model_dump(mode="json")`.
Anything it does not check by hand (odd YAML, a key or value of an unusual shape, any finding) is None, and
the full coder codes the file. CMO_NO_FAST_PATH=1 in the environment turns it off (tests compare the two).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cmo.core.diagnostics import Diagnostics
from cmo.corpus import participants, speakers, transcript
from cmo.corpus.evidence import Evidence, QuoteIndex
from cmo.corpus.identity import EvidenceIds
from cmo.corpus.layout import ProgrammeSource
from cmo.corpus.models import ANNOTATION_KEYS, FIELD_KINDS, FRONT_MATTER_KEYS, Participant, SourceType, Stance
from cmo.corpus.participants import Declared
from cmo.corpus.plain_yaml import PlainDocument, load_marked
from cmo.corpus.transcript_coding import TranscriptData
from cmo.yamlio.reader import UNSURE

# pydantic's patterns as its regex engine reads them: `$` is the end of the text, never before a last newline.
_TRANSCRIPT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
# The file-name rule TranscriptCoder applies to a stem, with Python's own `$`.
_STEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_FRONT_KEYS = frozenset(FRONT_MATTER_KEYS)
_ANNOTATION_KEYS = frozenset(ANNOTATION_KEYS)
_SPLIT_KEYS = frozenset(("resource", "reasoning"))
_PARTICIPANT_KEYS = frozenset(("id", "role", "attributes"))
_SOURCES = frozenset(source.value for source in SourceType)
_SPOKEN = frozenset((SourceType.INTERVIEW.value, SourceType.WORKSHOP.value))
_STANCES = frozenset(stance.value for stance in Stance)
_LISTS = ("context", "intervention", "actor", "outcome", "enablers", "barriers")
# The white space pydantic's strip and Python's agree on; a quote ending in any other is left to the full coder.
_ASCII_SPACE = " \t\n\r\x0b\x0c"
# The fields Record.codes() counts, in its order.
_COUNTED = ("context", "intervention", "actor", "mechanism", "outcome", "enablers", "barriers")


class _Unusual(Exception):
    """Something the fast path does not check: the full coder codes the transcript."""


def enabled() -> bool:
    return os.environ.get("CMO_NO_FAST_PATH", "") != "1"


def code_fast(
    raw: bytes, file: Path, rel: str, programme: ProgrammeSource, questions: re.Pattern[str] | None
) -> tuple[TranscriptData, list[dict[str, Any]]] | None:
    """The result data and records of a transcript the full coder would find no problem in; else None."""
    try:
        return _code(raw, file, rel, programme, questions)
    except _Unusual:
        return None


def _code(
    raw: bytes, file: Path, rel: str, programme: ProgrammeSource, questions: re.Pattern[str] | None
) -> tuple[TranscriptData, list[dict[str, Any]]]:
    found = Diagnostics()
    text = transcript.decode(raw, "", found)
    split = transcript.front_matter_text(text, "", found) if text is not None else None
    if text is None or split is None:
        raise _Unusual
    front = _front(_document(load_marked(split[0], 1)), file.stem, programme)
    blocks, body = transcript.scan_body(text, split[1], "", found)
    if found.items:
        raise _Unusual
    ids = EvidenceIds(programme.id, front["transcript"])
    coder = _Coder(programme, questions, body)
    records = [
        coder.record(data, line, ids, block, front, rel) for block in blocks for data, line in _annotations(block)
    ]
    data: TranscriptData = {
        "programme": programme.id,
        "path": rel,
        "transcript_id": front["transcript"],
        "id_mark": front["id_mark"],
        "source": front["source"],
        "diagnostics": [],
        "undeclared": [],
        "record_count": len(records),
        "code_uses": _code_uses(records),
    }
    return data, records


def _document(loaded: Any) -> PlainDocument:
    if loaded is UNSURE:
        raise _Unusual
    document: PlainDocument = loaded
    return document


def _front(document: PlainDocument, stem: str, source_of: ProgrammeSource) -> dict[str, Any]:
    """What records take from the front matter, with the transcript's id and where it is written."""
    data, programme_id = document.data, source_of.id
    if type(data) is not dict or not _FRONT_KEYS.issuperset(data):
        raise _Unusual
    source = data.get("source")
    programme = data.get("programme")
    date = data.get("date")
    if type(source) is not str or source not in _SOURCES:
        raise _Unusual
    if programme is not None and not (type(programme) is str and programme == programme_id and _SLUG.match(programme)):
        raise _Unusual
    if date is not None and (type(date) is not dt.date or date.year < 1000):
        raise _Unusual
    given = data.get("id")
    if given is None:
        if not _STEM_ID.match(stem):
            raise _Unusual
        transcript_id, id_mark = stem, (1, 1)
    elif type(given) is str and _TRANSCRIPT_ID.match(given):
        transcript_id, id_mark = given, document.entries[list(data).index("id")]
    else:
        raise _Unusual
    return {
        "transcript": transcript_id,
        "id_mark": id_mark,
        "source": source,
        "date": date.isoformat() if date is not None else None,
        "participants": _participants(data["participants"], source_of.participants) if "participants" in data else [],
        "coder": _text(data.get("coder")),
    }


def _participants(value: Any, people: Declared | None) -> list[dict[str, Any]]:
    items = [value] if type(value) is str or type(value) is int else value
    if type(items) is not list:
        raise _Unusual
    found = []
    for item in items:
        if type(item) is str or type(item) is int:
            item = {"id": item}
        if type(item) is not dict or "id" not in item or not _PARTICIPANT_KEYS.issuperset(item):
            raise _Unusual
        given, role = item["id"], item.get("role")
        if type(given) is int:
            given = str(given)
        if type(given) is not str or not given:
            raise _Unusual
        role = str(role) if type(role) is int else _text(role)
        if people is None and "attributes" not in item:
            found.append({"id": given, "role": role})
        else:
            found.append(_with_attributes(given, role, item, people))
    return found


def _with_attributes(given: str, role: str | None, item: dict[str, Any], people: Declared | None) -> dict[str, Any]:
    """A participant merged with participants.yaml as the full coder merges them, when that reports nothing."""
    try:  # the model's own checks of the attributes, so both paths take and refuse the same
        attributes = Participant.model_validate(item).attributes if "attributes" in item else {}
    except ValidationError:
        raise _Unusual from None
    known = people.get(given) if people is not None else None
    if (people is not None and known is None) or any(participants.identifying(key) for key in attributes):
        raise _Unusual  # a warning (an id participants.yaml does not declare) or an error (a name)
    merged, conflicts = participants.merge(given, known, role, attributes)
    if conflicts:
        raise _Unusual  # a warning: the transcript and participants.yaml disagree
    data: dict[str, Any] = merged.model_dump(mode="json")
    return data


def _text(value: Any) -> str | None:
    """A free-text field that is text or absent; anything else is unusual."""
    if value is not None and type(value) is not str:
        raise _Unusual
    return value


def _codes(value: Any) -> list[str]:
    """A field of one code or a list of codes, as a list."""
    if value is None:
        return []
    if type(value) is str:
        if not value:
            raise _Unusual
        return [value]
    if type(value) is not list:
        raise _Unusual
    for code in value:
        if type(code) is not str or not code:
            raise _Unusual
    return value


def _annotations(block: transcript.Block) -> Iterator[tuple[dict[str, Any], int]]:
    """The block's mappings, each with the line it starts on, as `transcript.parse_block` gives them."""
    if not block.yaml.strip():
        raise _Unusual
    document = _document(load_marked(block.yaml, block.fence_line))
    data = document.data
    if type(data) is dict:
        yield data, document.root[0]
        return
    if type(data) is not list or not data:
        raise _Unusual
    for item, spot in zip(data, document.entries, strict=True):
        if type(item) is not dict:
            raise _Unusual
        yield item, spot[0]


def _unique(codes: list[str]) -> list[str]:
    return list(dict.fromkeys(codes))


class _Coder:
    """The annotations of one transcript checked by hand, into record dicts."""

    def __init__(self, programme: ProgrammeSource, questions: re.Pattern[str] | None, body: str) -> None:
        self.programme = programme
        self.questions = questions
        self.body = body
        self.quotes: QuoteIndex | None = None

    def record(
        self,
        data: dict[str, Any],
        line: int,
        ids: EvidenceIds,
        block: transcript.Block,
        front: dict[str, Any],
        rel: str,
    ) -> dict[str, Any]:
        if not _ANNOTATION_KEYS.issuperset(data):
            raise _Unusual
        codes = self.codes(data)
        found = self.evidence(data, block)
        source = front["source"]
        if source in _SPOKEN and speakers.interviewer_label(found.text, self.questions) is not None:
            raise _Unusual  # a warning: the evidence is the interviewer's question
        cmoc, stance, elicited = data.get("cmoc"), data.get("stance", "supports"), data.get("elicited", False)
        if cmoc is not None and not (type(cmoc) is str and _SLUG.match(cmoc)):
            raise _Unusual
        if type(stance) is not str or stance not in _STANCES or type(elicited) is not bool:
            raise _Unusual
        if elicited and source not in _SPOKEN:
            raise _Unusual  # a warning: nobody was put a theory to answer
        note = _text(data.get("note"))
        return {
            "id": ids.next(found.text),
            "programme": self.programme.id,
            "transcript": front["transcript"],
            "source": source,
            "path": rel,
            "line_start": found.line_start,
            "line_end": found.line_end,
            "quote": found.text,
            "participants": [dict(participant) for participant in front["participants"]],
            "coder": _text(data.get("coder")) or front["coder"],
            "date": front["date"],
            **codes,
            "cmoc": cmoc,
            "stance": stance,
            "elicited": elicited,
            "note": note,
            "annotation_line": line,
        }

    def codes(self, data: dict[str, Any]) -> dict[str, list[str]]:
        """Each coded field's codes in Record's order, all declared and of the kind the field takes."""
        fields = {name: _codes(data.get(name)) for name in _LISTS}
        mechanism = data.get("mechanism")
        if type(mechanism) is dict:
            if not _SPLIT_KEYS.issuperset(mechanism):
                raise _Unusual
            resource, reasoning = _codes(mechanism.get("resource")), _codes(mechanism.get("reasoning"))
            every = resource + reasoning
        else:
            every, resource, reasoning = _codes(mechanism), [], []
        if not (fields["context"] or every or fields["outcome"]):
            raise _Unusual  # incomplete, or a form (`mechanism: {}`) left to the full coder
        fields["mechanism"] = every
        known = self.programme.codes
        for name, codes in fields.items():
            kind = FIELD_KINDS[name]
            for code in codes:
                declared = known.get(code)
                if declared is None or declared.code.kind != kind:
                    raise _Unusual
        return {
            "context": _unique(fields["context"]),
            "intervention": _unique(fields["intervention"]),
            "actor": _unique(fields["actor"]),
            "mechanism": _unique(every),
            "resource": _unique(resource),
            "reasoning": _unique(reasoning),
            "outcome": _unique(fields["outcome"]),
            "enablers": _unique(fields["enablers"]),
            "barriers": _unique(fields["barriers"]),
        }

    def evidence(self, data: dict[str, Any], block: transcript.Block) -> Evidence:
        quote = data.get("quote")
        if quote is None:
            return _paragraph_above(self.body, block.fence_offset, block.fence_line)
        if type(quote) is not str:
            raise _Unusual
        quote = quote.strip(_ASCII_SPACE)
        if not quote or quote[0].isspace() or quote[-1].isspace():
            raise _Unusual
        if self.quotes is None:
            self.quotes = QuoteIndex(self.body)
        found = self.quotes.find(quote, block.fence_line)
        if found is None:
            raise _Unusual
        return found


# Lines walked up from a fence at most; beyond (blocks stacked on blocks), the full coder's index of paragraphs serves.
_WALK = 400


def _paragraph_above(text: str, fence_offset: int, fence_line: int) -> Evidence:
    """`evidence.paragraph_above`, walking up from the fence: the run of non-blank lines nearest above it."""
    end, line = fence_offset - 1, fence_line - 1  # the newline ending the line above the fence; that line
    for _ in range(_WALK):  # over the blank lines (and blanked blocks) first
        if end < 0:
            raise _Unusual  # nothing above: an error
        start = text.rfind("\n", 0, end) + 1
        if text[start:end].strip():
            break
        end, line = start - 1, line - 1
    else:
        raise _Unusual
    last, last_end = line, end
    for _ in range(_WALK):  # then up the paragraph's lines
        if start == 0:
            return Evidence(line, last, " ".join(text[:last_end].split()))
        above = text.rfind("\n", 0, start - 1) + 1
        if not text[above : start - 1].strip():
            return Evidence(line, last, " ".join(text[start:last_end].split()))
        start, line = above, line - 1
    raise _Unusual


def _code_uses(records: list[dict[str, Any]]) -> dict[str, int]:
    uses: dict[str, int] = {}
    for record in records:
        for code in {code for name in _COUNTED for code in record[name]}:
            uses[code] = uses.get(code, 0) + 1
    return dict(sorted(uses.items()))
