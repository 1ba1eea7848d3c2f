"""Plain YAML with cheap marks for the coding fast path: data as `load` reads it, and where the root's entries start."""

from __future__ import annotations

from typing import Any, NamedTuple

import yaml
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from cmo.yamlio.reader import UNSURE, _Events, _Unsure
from cmo.yamlio.simple import read_simple

try:  # libyaml's C parser when the wheel has it, as cmo.yamlio.reader reads with
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

# Plain scalars' values, shared by every document read here: the same codes and words recur in every
# transcript, and each is resolved once. Only immutable values are held (str, int, float, bool, None, dates).
_RESOLVED: dict[str, Any] = {}
_RESOLVED_MAX = 20_000

Spot = tuple[int, int]  # a 1-based line and column, as cmo.yamlio.reader.Mark holds them


class PlainDocument(NamedTuple):
    """One document's plain data, where its root starts, and where each item (or each value) of the root starts."""

    data: Any
    root: Spot
    entries: list[Spot]


class _MarkedEvents(_Events):
    """`_Events` keeping the marks coding needs: the root's, and those of its items or its mapping's values."""

    def __init__(self, loader: Any, text_size: int, line_offset: int) -> None:
        super().__init__(loader, text_size)
        if len(_RESOLVED) > _RESOLVED_MAX:
            _RESOLVED.clear()
        self.plain = _RESOLVED
        self.line_offset = line_offset
        self.entries: list[Spot] = []

    def spot(self, event: Any) -> Spot:
        mark = event.start_mark
        return mark.line + 1 + self.line_offset, mark.column + 1

    def marked(self) -> PlainDocument:
        """`document()`, with the marks: only the root's own entries pay for theirs."""
        get = self.get
        get()  # the stream's start
        if type(get()) is not DocumentStartEvent:
            raise _Unsure  # an empty stream: the full reader says what it is
        event = get()
        root, kind = self.spot(event), type(event)
        plain = kind is not ScalarEvent and event.anchor is None and getattr(event, "tag", None) is None
        if plain and kind is MappingStartEvent:
            data: Any = self.root_mapping()
        elif plain and kind is SequenceStartEvent:
            data = self.root_sequence()
        else:
            data = self.value(event, 0)
        if type(get()) is not DocumentEndEvent or type(get()) is not StreamEndEvent:
            raise _Unsure  # pragma: no cover - libyaml reports a second document as an error first
        if self.nodes > self.budget:
            raise _Unsure
        return PlainDocument(data, root, self.entries)

    def root_mapping(self) -> dict[Any, Any]:
        """`_Events.mapping(1)`, keeping where each value starts."""
        result: dict[Any, Any] = {}
        get, value, entries = self.get, self.value, self.entries
        while True:
            event = get()
            if type(event) is MappingEndEvent:
                self.nodes += 2 * len(result)
                return result
            if type(event) is not ScalarEvent:
                raise _Unsure  # a key that is a mapping or a sequence (or an alias)
            key = self.scalar(event)
            if key in result:
                raise _Unsure  # a duplicate key, which the full reader reports with both lines
            event = get()
            entries.append(self.spot(event))
            result[key] = value(event, 1)

    def root_sequence(self) -> list[Any]:
        """`_Events.sequence(1)`, keeping where each item starts."""
        result: list[Any] = []
        get, value, entries = self.get, self.value, self.entries
        while True:
            event = get()
            if type(event) is SequenceEndEvent:
                self.nodes += len(result)
                return result
            entries.append(self.spot(event))
            result.append(value(event, 1))


def load_marked(text: str, line_offset: int = 0) -> PlainDocument | Any:
    """`cmo.yamlio.reader.load(text, line_offset=...)` as plain data with marks, or UNSURE unless certainly equal.

    UNSURE for everything `load_plain` is unsure of: anchors, aliases, tags, duplicate keys, odd scalars,
    deep nesting, an empty document and any error.
    """
    simple = read_simple(text, line_offset)
    if simple is not None:
        return PlainDocument(*simple)
    return load_marked_events(text, line_offset)


def load_marked_events(text: str, line_offset: int = 0) -> PlainDocument | Any:
    """`load_marked` from libyaml's events alone (never by hand): what the hand reading is checked against."""
    loader = _Loader(text)
    try:
        return _MarkedEvents(loader, len(text), line_offset).marked()
    except (_Unsure, yaml.YAMLError, RecursionError):
        return UNSURE
    finally:
        loader.dispose()
