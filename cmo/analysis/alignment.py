"""Units of agreement: the passages of one transcript that coders coded, their codings grouped by overlapping lines."""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmo.core.diagnostics import Diagnostics
from cmo.corpus import transcript
from cmo.corpus.models import Record
from cmo.theory.configuration import generated_id

# The roles agreement is asked of, in the order they are reported (mechanism holds resource and reasoning codes).
ROLES = ("context", "intervention", "actor", "mechanism", "resource", "reasoning", "outcome", "enablers", "barriers")
# The coder of a record that names none (no `coder:` in its block or its file's front matter).
UNNAMED = "(unnamed)"


class ContentLines:
    """A transcript's lines counted as its text alone: front matter, `cmo` blocks and blank lines taken out.

    Two revisions of one transcript differ in where blocks (and the blank lines around them) are; their
    text lines are the same lines, so content line numbers align them where file line numbers cannot.
    """

    def __init__(self, text: str | None) -> None:
        parsed = transcript.parse(text, "", Diagnostics()) if text is not None else None
        self.lines: list[int] | None = None  # file line of each content line; None: the file lines themselves
        self.texts: list[str] | None = None  # each content line's text (trailing spaces taken off)
        if parsed is not None:
            numbered = [(number, line.rstrip()) for number, line in enumerate(parsed.text.split("\n"), 1)]
            self.lines = [number for number, line in numbered if line.strip()]
            self.texts = [line for _, line in numbered if line.strip()]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The content lines of the file lines start..end (a span of text always holds one at least)."""
        if self.lines is None:
            return start, end
        first = bisect.bisect_left(self.lines, start) + 1
        last = bisect.bisect_right(self.lines, end)
        return first, max(first, last)

    def file_line(self, content: int) -> int:
        """The file line of a content line."""
        if self.lines is None or not self.lines:
            return content
        return self.lines[min(max(content, 1), len(self.lines)) - 1]

    def differs(self, other: ContentLines) -> bool:
        """Whether the two texts (blocks left out) differ; never when either could not be read."""
        return self.texts is not None and other.texts is not None and self.texts != other.texts

    def mapping_to(self, reference: ContentLines) -> list[int]:
        """For each content line (from 1; [0] unused), the reference's content line it matches, by difflib.

        Lines the reference lacks (inserted here) take the reference line before them, lines replaced map
        onto the replaced lines in order: an approximation, for text edited where it should not be.
        """
        own, theirs = self.texts or [], reference.texts or []
        mapping = [1] * (len(own) + 1)
        matcher = difflib.SequenceMatcher(None, theirs, own, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            for j in range(j1, j2):
                if tag == "equal":
                    mapping[j + 1] = i1 + (j - j1) + 1
                elif tag == "replace":
                    mapping[j + 1] = min(i1 + (j - j1), i2 - 1) + 1
                else:  # inserted here: the reference line before the insertion
                    mapping[j + 1] = max(i1, 1)
        return mapping


def realigned(codings: Iterable[Coding], mapping: Sequence[int]) -> list[Coding]:
    """The codings with their content lines moved onto the reference's by `mapping_to`."""

    def moved(line: int) -> int:
        return mapping[min(max(line, 1), len(mapping) - 1)] if len(mapping) > 1 else line

    return [dataclasses.replace(c, start=moved(c.start), end=max(moved(c.start), moved(c.end))) for c in codings]


@dataclass(frozen=True)
class Coding:
    """One record as agreement sees it: its transcript, coder, content lines, codes by role and configurations."""

    path: str  # the transcript as shown to a person
    coder: str
    start: int
    end: int
    codes: Mapping[str, frozenset[str]]  # role -> codes (every role of ROLES, empty when none)
    cmocs: frozenset[str]  # the configurations the record is assigned to
    coded: bool = True  # False: a revision that has the transcript but did not code the passage


def uncoded(path: str, coder: str, start: int, end: int) -> Coding:
    """The coding of a coder who did not code a passage they had before them: no code in any role, no CMOC."""
    return Coding(path, coder, start, end, {role: frozenset() for role in ROLES}, frozenset(), coded=False)


@dataclass(frozen=True)
class Unit:
    """A passage: the codings of one transcript whose lines overlap, directly or through one another."""

    path: str
    line: int  # where the passage starts, in the file people read (the first revision's in revision mode)
    start: int
    end: int
    codings: tuple[Coding, ...]

    @property
    def coders(self) -> list[str]:
        return sorted({coding.coder for coding in self.codings})

    @property
    def double_coded(self) -> bool:
        return len({coding.coder for coding in self.codings}) >= 2

    @property
    def not_coded(self) -> list[str]:
        """The coders with a value here only because they had the transcript (revision mode): `(not coded)`."""
        return sorted({c.coder for c in self.codings} - {c.coder for c in self.codings if c.coded})


def coding_of(
    record: Mapping[str, object], coder: str, path: str, lines: ContentLines, cmocs: frozenset[str]
) -> Coding:
    """A record (as its JSON data) for agreement, its lines made content lines."""
    start, end = lines.span(_int(record.get("line_start")), _int(record.get("line_end")))
    codes = {role: frozenset(_codes(record.get(role))) for role in ROLES}
    return Coding(path, coder, start, end, codes, cmocs)


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _codes(value: object) -> list[str]:
    return [code for code in value if isinstance(code, str)] if isinstance(value, list) else []


def record_coder(record: Mapping[str, object]) -> str:
    """Who coded a record: its block's or its file's `coder`, else "(unnamed)"."""
    coder = record.get("coder")
    return coder if isinstance(coder, str) and coder.strip() else UNNAMED


def align(codings: Iterable[Coding], lines: Mapping[str, ContentLines]) -> list[Unit]:
    """The units: per transcript, codings whose content lines overlap (the transitive closure), in path/line order.

    `lines` gives each transcript's content lines of the file whose line numbers a unit is reported at.
    """
    by_path: dict[str, list[Coding]] = {}
    for coding in codings:
        by_path.setdefault(coding.path, []).append(coding)
    units = []
    for path in sorted(by_path):
        shown = lines.get(path, ContentLines(None))
        for group in _overlapping(sorted(by_path[path], key=lambda c: (c.start, c.end, c.coder))):
            start, end = group[0].start, max(coding.end for coding in group)
            units.append(Unit(path, shown.file_line(start), start, end, tuple(group)))
    return units


def completed(units: Iterable[Unit], covered: Mapping[str, Sequence[str]]) -> list[Unit]:
    """The units with an `uncoded` coding for each coder who had the transcript (`covered`) but did not code them.

    Revisions all show the same transcripts: a revision that left a passage uncoded said "nothing here".
    """
    found = []
    for unit in units:
        missing = [coder for coder in covered.get(unit.path, ()) if coder not in unit.coders]
        extra = tuple(uncoded(unit.path, coder, unit.start, unit.end) for coder in missing)
        found.append(dataclasses.replace(unit, codings=unit.codings + extra) if extra else unit)
    return found


def _overlapping(codings: Sequence[Coding]) -> list[list[Coding]]:
    """Codings sorted by start, cut into runs in which each overlaps the run so far (intervals merged)."""
    groups: list[list[Coding]] = []
    reach = 0
    for coding in codings:
        if groups and coding.start <= reach:
            groups[-1].append(coding)
            reach = max(reach, coding.end)
        else:
            groups.append([coding])
            reach = coding.end
    return groups


def transcript_lines(path: Path) -> ContentLines:
    """The content lines of a transcript file (its file lines themselves when it cannot be read)."""
    text = None
    with contextlib.suppress(OSError):
        text = transcript.decode(path.read_bytes(), "", Diagnostics())
    return ContentLines(text)


@dataclass(frozen=True)
class Source:
    """A record to align: its data, its transcript as shown and as a file to read, and its theory's CMOCs."""

    record: Mapping[str, Any]
    shown: str
    file: Path | None  # None: align on file lines (every coding of the transcript is of this one file)
    cmocs: Sequence[str] = ()


def codings_of(
    sources: Iterable[Source], coder: str | None = None, known: Mapping[str, ContentLines] | None = None
) -> tuple[list[Coding], dict[str, ContentLines]]:
    """Each record as a Coding and each transcript's content lines, keyed by the transcript as shown.

    `coder`, when given, is the coder of every record (a revision standing for one coder), else each record's own;
    `known` gives content lines already read.
    """
    codings, lines = [], dict(known or {})
    for source in sources:
        if source.shown not in lines:
            lines[source.shown] = ContentLines(None) if source.file is None else transcript_lines(source.file)
        who = coder if coder is not None else record_coder(source.record)
        cmocs = frozenset(source.cmocs) or configurations_of(source.record)
        codings.append(coding_of(source.record, who, source.shown, lines[source.shown], cmocs))
    return codings, lines


def configurations_of(record: Mapping[str, Any]) -> frozenset[str]:
    """The CMOC of a record no theory lists: its `cmoc:`, else the generated mechanism-outcome key, else none.

    A record with no mechanism or no outcome (a fragment) and no `cmoc:` is in no configuration.
    """
    explicit = record.get("cmoc")
    if isinstance(explicit, str) and explicit:
        return frozenset({explicit})
    if not record.get("mechanism") or not record.get("outcome"):
        return frozenset()
    # The id merge gives the record's configuration (a record's data as coded is always a valid Record).
    return frozenset({generated_id(Record.model_validate(dict(record)))})
