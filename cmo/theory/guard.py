"""Merge's guards: a theory file is laid out so that merge may edit it line by line (its layout found
fast), and the text merge wrote still reads back with everything people wrote."""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from cmo.theory.model import GENERATED_KEYS, Status
from cmo.theory.skeleton import Layout, scan_layout
from cmo.yamlio.emitter import split_comment, yaml_lines
from cmo.yamlio.reader import MarkedMap, MarkedSeq, YamlError, load


class UnsafeWrite(Exception):
    """What was read back from merge's output differs from what people wrote."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


try:  # libyaml's C parser when the wheel has it, as cmo.yamlio.reader reads
    from yaml import CSafeLoader as SafeEventLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as SafeEventLoader  # type: ignore[assignment]
_STARTS = frozenset({yaml.MappingStartEvent, yaml.SequenceStartEvent})
_ENDS = frozenset({yaml.MappingEndEvent, yaml.SequenceEndEvent})
_READ_BACK = Resolver()
# Top-level keys merge writes anew every time (the programme's description from programme.yaml).
_REGENERATED = ("programme", "fragments")
_CONSTRUCT = SafeConstructor()


class _Readback:
    """Merge's output as the safe parser's events: each top-level key's value, the CMOCs' curated keys."""

    def __init__(self, text: str) -> None:
        self.events = _anchored(yaml.parse(text, Loader=SafeEventLoader))
        self.top: dict[Any, Any] = {}
        self.cmocs: list[dict[Any, Any]] = []
        for event in self.events:
            if isinstance(event, yaml.MappingStartEvent):
                self.read_top()
            elif isinstance(event, yaml.NodeEvent):
                raise UnsafeWrite("the text merge wrote is not a mapping")

    def read_top(self) -> None:
        for key in self.keys(self.top):
            event = next(self.events)
            if key == "cmocs" and isinstance(event, yaml.SequenceStartEvent):
                self.top[key] = None
                self.read_cmocs()
            elif key in _REGENERATED:
                self.skip(event)
                self.top[key] = None
            else:
                self.top[key] = self.value(event)

    def read_cmocs(self) -> None:
        for event in self.events:
            if isinstance(event, yaml.SequenceEndEvent):
                return
            if not isinstance(event, yaml.MappingStartEvent):
                raise UnsafeWrite("a CMOC merge wrote is not a mapping")
            cmoc: dict[Any, Any] = {}
            for key in self.keys(cmoc):
                value = next(self.events)
                if key in GENERATED_KEYS:
                    self.skip(value)
                    cmoc[key] = None
                else:
                    cmoc[key] = self.value(value)
            self.cmocs.append({key: value for key, value in cmoc.items() if key not in GENERATED_KEYS})

    def keys(self, into: dict[Any, Any]) -> Iterator[Any]:
        """The keys of the mapping being read, until its end; a key twice is refused."""
        for event in self.events:
            if isinstance(event, yaml.MappingEndEvent):
                return
            key = self.value(event)
            if key in into:
                raise UnsafeWrite(f"merge wrote the key {key!r} twice")
            yield key

    def value(self, event: Any) -> Any:
        if isinstance(event, yaml.AliasEvent):
            raise _NeedsFullRead
        if isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag in (None, "!"):
                tag = _READ_BACK.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
            if tag == "tag:yaml.org,2002:str":
                return event.value
            try:
                return _CONSTRUCT.construct_object(yaml.ScalarNode(tag, event.value))
            except (ValueError, TypeError):
                return event.value
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            for item in self.events:
                if isinstance(item, yaml.SequenceEndEvent):
                    return items
                items.append(self.value(item))
        if isinstance(event, yaml.MappingStartEvent):
            mapping: dict[Any, Any] = {}
            for key in self.keys(mapping):
                mapping[key] = self.value(next(self.events))
            return mapping
        raise UnsafeWrite("unexpected YAML")  # pragma: no cover

    def skip(self, event: Any) -> None:
        """Read past a generated value without building it (an alias in it cannot change a curated value)."""
        if type(event) not in _STARTS:
            return
        depth = 1
        for inner in self.events:
            kind = type(inner)
            if kind in _STARTS:
                depth += 1
            elif kind in _ENDS:
                depth -= 1
                if not depth:
                    return


def _anchored(events: Iterable[Any]) -> Iterator[Any]:
    """The events, refusing an alias whose anchor is not above it (the event parser alone lets it through)."""
    anchors: set[str] = set()
    for event in events:
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise UnsafeWrite(
                    f"it would leave the alias *{event.anchor} without its anchor, which sat in a value merge "
                    "writes anew; write the aliased value out in full"
                )
        elif isinstance(event, yaml.NodeEvent) and event.anchor:
            anchors.add(event.anchor)
        yield event


class _NeedsFullRead(Exception):
    """An alias in a curated value: the events alone cannot say what it is."""


def _curated(item: Any) -> dict[Any, Any]:
    return {key: value for key, value in item.items() if key not in GENERATED_KEYS}


def _comments(lines: Iterable[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for line in lines:
        comment = split_comment(line)[1]
        if comment:
            found[comment.rstrip()] += 1
    return found


def _read_back(text: str) -> tuple[dict[Any, Any], list[dict[Any, Any]]]:
    """(top-level keys with their values, the CMOCs' curated keys) of merge's output, or `UnsafeWrite`."""
    try:
        back = _Readback(text)
        return back.top, back.cmocs
    except _NeedsFullRead:
        try:
            data = load(text)
        except YamlError as exc:  # say, an alias whose anchor sat in a generated value merge wrote anew
            raise UnsafeWrite(
                f"the text merge wrote does not read back as YAML ({exc.message}); an alias (*name) in a "
                "curated value may point into a generated one: write that value out in full"
            ) from None
        if not isinstance(data, dict):
            raise UnsafeWrite("the text merge wrote is not a mapping") from None
        top = {key: None if key in (*_REGENERATED, "cmocs") else value for key, value in data.items()}
        return top, [_curated(item) for item in data.get("cmocs") or [] if isinstance(item, dict)]
    except YamlError as exc:
        raise UnsafeWrite(f"the text merge wrote does not read back as YAML: {exc.message}") from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or type(exc).__name__
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} of the new text" if mark else ""
        raise UnsafeWrite(f"the text merge wrote does not read back as YAML: {problem}{where}") from None


def check_written(before: Any, before_lines: list[str], text: str, kept: list[Any], added: list[str]) -> None:
    """Raise `UnsafeWrite` unless `text` reads back with every curated field, top-level key and comment of the input.

    `before` is the parsed input (None for a new file), `kept` its CMOCs that merge keeps (in order), `added`
    the ids of the new CMOCs it appends.
    """
    top, cmocs = _read_back(text)
    before_top: dict[Any, Any] = before if isinstance(before, dict) else {}
    marks = getattr(before, "key_marks", {})
    for key in ("programme", "cmocs"):
        if key not in top:
            raise UnsafeWrite(f"the text merge wrote has no {key!r}")
    for key, value in before_top.items():
        if key not in (*_REGENERATED, "cmocs") and (key not in top or top[key] != value):
            raise UnsafeWrite(f"the top-level key {key!r} would change", marks[key].line)
    if set(top) - set(before_top) - {*_REGENERATED, "cmocs"}:
        raise UnsafeWrite("merge would add a top-level key")
    expected = [_curated(item) for item in kept] + [{"id": cmoc_id, "status": Status.NEW.value} for cmoc_id in added]
    if cmocs != expected:
        for index, want in enumerate(expected):
            got = cmocs[index] if index < len(cmocs) else {}
            if want != got:
                line = kept[index].mark.line if index < len(kept) else 1
                changed = ", ".join(str(key) for key in {**want, **got} if want.get(key) != got.get(key))
                raise UnsafeWrite(f"CMOC {want.get('id')!r} would not keep {changed}", line)
        raise UnsafeWrite("merge would add CMOCs nobody asked for")
    lost = _comments(before_lines) - _comments(yaml_lines(text))
    if lost:
        raise UnsafeWrite(f"the comment {next(iter(lost))!r} would be lost")


# --- whether merge may edit a file line by line ------------------------------------------------


def layout_matches(data: Any, layout: Layout) -> bool:
    """The scan found what the parser found in the skeleton: the `cmocs:` block, every CMOC, every key."""
    if not isinstance(data, MarkedMap) or "cmocs" not in data or data.key_marks["cmocs"].line - 1 != layout.start:
        return False
    if any(layout.start < mark.line - 1 < layout.end for mark in data.key_marks.values()):
        return False  # a top-level key inside the scanned block
    if layout.end < layout.size and layout.end + 1 not in {mark.line for mark in data.key_marks.values()}:
        return False  # the scan stopped at a line the parser does not take for a top-level key
    items = data["cmocs"]
    if not isinstance(items, list) or len(items) != len(layout.items):
        return False
    for item, line, keys in zip(items, layout.items, layout.keys, strict=True):
        if not isinstance(item, MarkedMap) or item.mark.line - 1 != line:
            return False
        parsed = sorted((mark.line - 1, key) for key, mark in item.key_marks.items())
        if parsed != [(number, key) for number, key in keys if key not in GENERATED_KEYS]:
            return False
        if len({key for _, key in keys}) != len(keys):
            return False  # a key twice: the parser would refuse the whole file
    return True


def edit_problem(data: Any, lines: list[str]) -> tuple[int, str] | None:
    """(line, why) when the text is not laid out so that merge can edit it line by line, else None."""
    top = sorted(mark.line for mark in data.key_marks.values())
    if len(set(top)) != len(top):
        return top[0], "its top-level keys share a line (flow style); write one key per line"
    items = data.get("cmocs")
    if not isinstance(items, MarkedSeq):
        return None
    after = data.key_marks["cmocs"].line
    for item, mark in zip(items, items.item_marks, strict=True):
        if not isinstance(item, MarkedMap) or not item:
            return mark.line, "a CMOC is not a mapping of keys"
        marks = sorted(mark.line for mark in item.key_marks.values())
        if item.mark.line <= after or len(set(marks)) != len(marks) or marks[0] != item.mark.line:
            return item.mark.line, f"CMOC {item.get('id')!r} is not in block style (one key per line); write it so"
        text = lines[item.mark.line - 1] if item.mark.line <= len(lines) else ""
        if not text.lstrip(" ").startswith("-"):
            return item.mark.line, f"CMOC {item.get('id')!r} does not start its own line with '- '"
        after = marks[-1]
    return None


# Whitespace but a space or LF (tabs, odd breaks, no-break spaces): where `str.strip` and a scan of spaces differ.
_OTHER_SPACES = tuple(char for char in map(chr, range(0x3001)) if char.isspace() and char not in " \n")
_CMOCS_LINE = re.compile(r"^cmocs: *(#.*)?$", re.M)
_CONTENT_LINE = re.compile(r"^( *)[^ #\n]", re.M)
_ITEM_LINE = re.compile(r"\n *- +[^ \n]")
_TOP_LINE = re.compile(r"\n[^ #\n]")


@dataclass
class _Cut:
    """The text less the inner lines of its generated keys, and where they were: what `quick_layout` scans."""

    text: str
    cuts: list[tuple[int, int]]  # (line of a generated key in `text`, lines cut after it)
    evidence: set[int]  # lines in `text` of the evidence keys that had items below them


def _plain_spacing(text: str) -> bool:
    """Whether the only whitespace in the text is spaces and LF breaks, and it ends in LF."""
    if not text.endswith("\n"):
        return False
    return not any(char in text for char in (_OTHER_SPACES[:8] if text.isascii() else _OTHER_SPACES))


def _cut_regions(text: str) -> _Cut | None:
    """The generated keys' inner lines cut out, or None unless the text is plainly laid out for it.

    Cut are the lines right after a generated key's line that `scan_layout` would blank one by one,
    changing nothing else: lines deeper than a key with more than spaces, comment lines and empty lines.
    """
    head = _CMOCS_LINE.search(text) if _plain_spacing(text) else None
    first = _CONTENT_LINE.search(text, head.end() + 1) if head else None
    item = text[first.end(1) : text.find("\n", first.end(1))].rstrip(" ") if first else ""
    if first is None or not item.startswith("- "):
        return None
    indent = len(first.group(1)) + len(item) - len(item[2:].lstrip(" "))  # of the CMOCs' keys
    top = _TOP_LINE.search(text, first.start())
    regions = re.compile(
        rf"\n {{{indent}}}({'|'.join(GENERATED_KEYS)}):(?: [^\n]*)?(?=\n)"
        rf"((?:\n(?: {{{indent + 1}}} *[^ \n][^\n]*| *#[^\n]*|(?=\n)))*)"
    )
    cut = _Cut("", [], set())
    pieces: list[str] = []
    done = line = counted = removed = 0
    for match in regions.finditer(text, first.start() - 1, top.start() + 1 if top else len(text)):
        region, end = match.span(2)
        line, counted = line + text.count("\n", counted, match.start() + 1), match.start() + 1
        if match.group(1) == "evidence" and _ITEM_LINE.search(text, region, end):
            cut.evidence.add(line - removed)
        lines = text.count("\n", region, end)
        cut.cuts.append((line - removed, lines))
        removed += lines
        pieces.append(text[done:region])
        done = end
    cut.text = "".join([*pieces, text[done:]])
    return cut


def quick_layout(text: str) -> Layout | None:
    """`scan_layout(text)`, faster: the scan reads the text less its generated keys' inner lines, which it
    would blank one by one; its lines are counted back, the cut lines blank in the skeleton."""
    cut = _cut_regions(text)
    if cut is None or not cut.cuts:
        return scan_layout(text)
    layout = scan_layout(cut.text)
    if layout is None:
        return None  # as the scan of the whole text says: the lines cut never decide that
    keys = [key for key, _ in cut.cuts]
    shifts = list(itertools.accumulate((lines for _, lines in cut.cuts), initial=0))

    def back(line: int) -> int:
        return line + shifts[bisect.bisect_left(keys, line)]

    skeleton = layout.skeleton.split("\n")
    blanked: list[str] = []
    done = 0
    for key, lines in cut.cuts:
        blanked += skeleton[done : key + 1]
        blanked += [""] * lines
        done = key + 1
    blanked += skeleton[done:]
    return Layout(
        skeleton="\n".join(blanked),
        start=back(layout.start),
        end=back(layout.end),
        size=back(layout.size),
        items=[back(line) for line in layout.items],
        keys=[[(back(line), name) for line, name in item] for item in layout.keys],
        had_evidence=[
            had or any(name == "evidence" and line in cut.evidence for line, name in item)
            for had, item in zip(layout.had_evidence, layout.keys, strict=True)
        ],
    )
