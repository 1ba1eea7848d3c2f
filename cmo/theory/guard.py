"""The last guard of merge: the text it wrote still reads back with everything people wrote."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from cmo.theory.model import GENERATED_KEYS, Status
from cmo.yamlio.emitter import split_comment, yaml_lines
from cmo.yamlio.reader import YamlError, load


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
