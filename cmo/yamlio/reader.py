"""All YAML reading: safe loading with line marks, refusal of object tags and alias bombs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent

from cmo.core.diagnostics import Diagnostics
from cmo.core.rules import Rule
from cmo.yamlio.syntax import explain

try:  # libyaml's C parser when the wheel has it; the constructor below is ours either way
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = [
    "UNSURE",
    "Mark",
    "MarkedMap",
    "MarkedSeq",
    "YamlError",
    "first_key",
    "load",
    "load_bytes",
    "load_plain",
    "locate",
    "not_utf8",
]

_TAG = "tag:yaml.org,2002:"
_BOM = b"\xef\xbb\xbf"
_SAFE_CONSTRUCTOR = SafeConstructor()
_SCALARS = {
    _TAG + "str": None,
    _TAG + "int": _SAFE_CONSTRUCTOR.construct_yaml_int,
    _TAG + "float": _SAFE_CONSTRUCTOR.construct_yaml_float,
    _TAG + "bool": _SAFE_CONSTRUCTOR.construct_yaml_bool,
    _TAG + "null": _SAFE_CONSTRUCTOR.construct_yaml_null,
    _TAG + "timestamp": _SAFE_CONSTRUCTOR.construct_yaml_timestamp,
}
# Aliases may repeat a node, but no document may expand to more nodes than this many beyond
# its own size in characters: a plain document can never reach that, a "billion laughs" does
# within microseconds.
_EXPANSION_ALLOWANCE = 10_000
# Python refuses to print an int of more than 4,300 digits (ValueError from repr or str), so a value
# that large would crash whichever later message quotes it; no cmo field means such a number.
_MAX_INT_DIGITS = 4_000
_TOO_LARGE = 10**_MAX_INT_DIGITS
# Longer than any int under the limit can be written (binary takes ~3.3 characters a digit): refused
# before constructing, as base-60 ints ("1:2:3") take quadratic time to build.
_MAX_INT_TEXT = 4 * _MAX_INT_DIGITS


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column in the file the YAML came from."""

    line: int
    column: int


class YamlError(Exception):
    """YAML that cannot be read: syntax, a refused tag, or runaway alias expansion."""

    def __init__(self, rule: str, message: str, mark: Mark) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.mark = mark


class MarkedMap(dict[Any, Any]):
    """A mapping that remembers where it, each key and each value started."""

    mark: Mark
    key_marks: dict[Any, Mark]
    value_marks: dict[Any, Mark]


class MarkedSeq(list[Any]):
    """A sequence that remembers where it and each item started."""

    mark: Mark
    item_marks: list[Mark]


class _Builder:
    def __init__(self, text_size: int, line_offset: int) -> None:
        self.budget = text_size + _EXPANSION_ALLOWANCE
        self.line_offset = line_offset
        self.active: set[int] = set()

    def mark(self, node: yaml.Node) -> Mark:
        return Mark(node.start_mark.line + 1 + self.line_offset, node.start_mark.column + 1)

    def build(self, node: yaml.Node) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise YamlError(
                Rule.YAML_EXPANSION,
                "aliases expand this YAML far beyond its size (an alias bomb?); refused",
                self.mark(node),
            )
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if id(node) in self.active:
            raise YamlError(Rule.YAML_EXPANSION, "an alias refers to its own parent; refused", self.mark(node))
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node)
            if isinstance(node, yaml.SequenceNode):
                return self.sequence(node)
        finally:
            self.active.discard(id(node))
        raise YamlError(Rule.YAML_SYNTAX, "unsupported YAML node", self.mark(node))  # pragma: no cover

    def scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            construct = _SCALARS[node.tag]
        except KeyError:
            raise self.refused_tag(node) from None
        if construct is None:
            return node.value
        if node.tag == _TAG + "int" and len(node.value) > _MAX_INT_TEXT:
            raise self.too_large(node)
        try:
            value = construct(node)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError):
            if node.tag == _TAG + "int" and len(node.value) > _MAX_INT_DIGITS:
                raise self.too_large(node) from None
            # e.g. 2024-13-45 looks like a date but is none, or `!!bool maybe` names a type its text is
            # not (PyYAML's constructors then fail with KeyError or AttributeError): keep the text for the
            # schema to reject.
            return node.value
        if isinstance(value, int) and not -_TOO_LARGE < value < _TOO_LARGE:
            raise self.too_large(node)
        return value

    def too_large(self, node: yaml.ScalarNode) -> YamlError:
        return YamlError(
            Rule.YAML_NUMBER_TOO_LARGE,
            f"a number of more than {_MAX_INT_DIGITS:,} digits is too large for cmo"
            " (if it is meant as text, put it in quotes)",
            self.mark(node),
        )

    def refused_tag(self, node: yaml.Node) -> YamlError:
        tag = node.tag.replace(_TAG, "!!")
        return YamlError(
            Rule.YAML_TAG,
            f"YAML tag {tag!r} is not allowed: cmo files hold plain data, never objects",
            self.mark(node),
        )

    def mapping(self, node: yaml.MappingNode) -> MarkedMap:
        if node.tag != _TAG + "map":
            raise self.refused_tag(node)
        result = MarkedMap()
        result.mark = self.mark(node)
        result.key_marks = {}
        result.value_marks = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(Rule.YAML_SYNTAX, "a mapping key must be a plain value", self.mark(key_node))
            key = self.scalar(key_node)
            if key in result:
                first = result.key_marks[key]
                raise YamlError(
                    Rule.YAML_DUPLICATE_KEY,
                    f"key {key!r} appears twice in one mapping (first at line {first.line})",
                    self.mark(key_node),
                )
            result[key] = self.build(value_node)
            result.key_marks[key] = self.mark(key_node)
            result.value_marks[key] = self.mark(value_node)
        return result

    def sequence(self, node: yaml.SequenceNode) -> MarkedSeq:
        if node.tag != _TAG + "seq":
            raise self.refused_tag(node)
        result = MarkedSeq(self.build(item) for item in node.value)
        result.mark = self.mark(node)
        result.item_marks = [self.mark(item) for item in node.value]
        return result


def load(text: str, *, line_offset: int = 0) -> Any:
    """Parse one YAML document safely; `line_offset` shifts marks to the line the text starts on, minus one."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _Builder(len(text), line_offset).build(node)
    except yaml.MarkedYAMLError as exc:
        found = explain(exc, text)
        raise YamlError(Rule.YAML_SYNTAX, found.message, Mark(found.line + 1 + line_offset, found.column + 1)) from None
    except yaml.YAMLError as exc:
        raise YamlError(Rule.YAML_SYNTAX, f"invalid YAML: {exc}", Mark(1 + line_offset, 1)) from None
    except RecursionError:
        raise YamlError(Rule.YAML_SYNTAX, "YAML nested too deeply", Mark(1 + line_offset, 1)) from None
    finally:
        loader.dispose()


def load_bytes(raw: bytes) -> Any:
    """`load` for a file's bytes: UTF-8 (a BOM allowed), any line endings; not UTF-8 is a YamlError too."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        mark, message = not_utf8(raw)
        raise YamlError(Rule.ENCODING, message, mark) from None
    return load(text.replace("\r\n", "\n"))


# What `load_reported` gives for bytes it could not read (after reporting why).
UNREAD: Any = object()


def load_reported(raw: bytes, shown: str, diagnostics: Diagnostics) -> Any:
    """`load_bytes`, or UNREAD after reporting its YamlError as a diagnostic of `shown`."""
    try:
        return load_bytes(raw)
    except YamlError as exc:
        diagnostics.add(shown, exc.mark.line, exc.mark.column, exc.rule, exc.message)
        return UNREAD


def not_utf8(raw: bytes) -> tuple[Mark, str]:
    """Where the first byte that is not UTF-8 is, and the message saying so; for bytes that do not decode.

    The byte is counted from 1 in the whole file; the column in characters, as an editor shows it (a BOM is none).
    """
    body = raw.removeprefix(_BOM)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    else:  # pragma: no cover - only bytes that failed to decode are passed
        bad = len(body)
    line_start = body.rfind(b"\n", 0, bad) + 1
    line = body.count(b"\n", 0, bad) + 1
    column = len(body[line_start:bad].decode("utf-8")) + 1
    byte = bad + len(raw) - len(body) + 1
    return Mark(line, column), f"not UTF-8 at byte {byte} (line {line}, column {column}): save the file as UTF-8"


def locate(data: Any, loc: tuple[int | str, ...], *, key: bool = False) -> Mark | None:
    """The mark of the value at `loc` inside loaded data (of the key itself with `key=True`), or the nearest parent."""
    best: Mark | None = getattr(data, "mark", None)
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, MarkedMap) and part in node:
            best = node.key_marks[part] if key and last else node.value_marks[part]
            node = node[part]
        elif isinstance(node, MarkedSeq) and isinstance(part, int) and 0 <= part < len(node):
            best = node.item_marks[part]
            node = node[part]
        else:
            break
    return best


# --- the fast path: plain data for read-only callers, the full reader above for anything unusual ---------

# What `load_plain` returns for anything `load_bytes` might read differently or refuse.
UNSURE: Any = object()
# Deeper than any cmo file nests: left to the full reader, which says when a document is nested too deeply.
_MAX_DEPTH = 64
_MISSING = object()
# The errors the full reader's scalar construction catches (it then keeps the text): here, reasons to be unsure.
_CONSTRUCT_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)


class _Unsure(Exception):
    """Something the full reader must judge: an anchor, alias, tag, duplicate key, huge number or odd scalar."""


class _Events:
    """Plain dicts, lists and scalars from one document's events, built as the full reader builds them."""

    def __init__(self, loader: Any, text_size: int) -> None:
        self.get = loader.get_event
        self.resolve = loader.resolve
        self.budget = text_size + _EXPANSION_ALLOWANCE
        self.nodes = 1
        self.plain: dict[str, Any] = {}

    def document(self) -> Any:
        self.get()  # the stream's start
        if type(self.get()) is not yaml.DocumentStartEvent:
            raise _Unsure  # an empty stream: the full reader says what it is
        root = self.value(self.get(), 0)
        if type(self.get()) is not yaml.DocumentEndEvent or type(self.get()) is not yaml.StreamEndEvent:
            raise _Unsure  # pragma: no cover - libyaml reports a second document as an error first
        if self.nodes > self.budget:
            raise _Unsure
        return root

    def value(self, event: Any, depth: int) -> Any:
        kind = type(event)
        if kind is ScalarEvent:
            return self.scalar(event)
        if event.anchor is not None or getattr(event, "tag", None) is not None or depth > _MAX_DEPTH:
            raise _Unsure
        if kind is MappingStartEvent:
            return self.mapping(depth + 1)
        if kind is SequenceStartEvent:
            return self.sequence(depth + 1)
        raise _Unsure  # an alias

    def mapping(self, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        get, value = self.get, self.value
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
            result[key] = value(get(), depth)

    def sequence(self, depth: int) -> list[Any]:
        result: list[Any] = []
        get, value = self.get, self.value
        while True:
            event = get()
            if type(event) is SequenceEndEvent:
                self.nodes += len(result)
                return result
            result.append(value(event, depth))

    def scalar(self, event: Any) -> Any:
        if event.anchor is not None or event.tag is not None:
            raise _Unsure
        text: str = event.value
        if not event.implicit[0]:
            return text  # quoted, literal or folded: a string, as the resolver says of any scalar not plain
        found = self.plain.get(text, _MISSING)
        if found is _MISSING:
            found = self.plain[text] = self.construct(text, event.implicit)
        return found

    def construct(self, text: str, implicit: tuple[bool, bool]) -> Any:
        """A plain scalar's value as `_Builder` builds it; unsure of any it refuses or keeps as text."""
        tag = self.resolve(yaml.ScalarNode, text, implicit)
        construct = _SCALARS.get(tag, _MISSING)
        if construct is None:
            return text
        if construct is _MISSING or (tag == _TAG + "int" and len(text) > _MAX_INT_TEXT):
            raise _Unsure
        try:
            value = construct(yaml.ScalarNode(tag, text))  # type: ignore[operator]
        except _CONSTRUCT_ERRORS:
            raise _Unsure from None
        if isinstance(value, int) and not -_TOO_LARGE < value < _TOO_LARGE:
            raise _Unsure
        return value


def _text(raw: bytes) -> str | None:
    """The text `load_bytes` parses: UTF-8 (a BOM allowed) with CRLF as LF; None when not UTF-8."""
    try:
        return raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        return None


def load_plain(raw: bytes) -> Any:
    """A file's YAML as plain data, equal to what `load_bytes` reads from it; UNSURE unless certainly so.

    Unsure of anything the full reader polices (anchors, aliases, tags, duplicate keys, numbers too large,
    scalars it keeps as text, deep nesting, errors of any kind) and of an empty document: only a document
    of plain data, read without a problem, is returned.
    """
    text = _text(raw)
    if text is None:
        return UNSURE
    loader = _Loader(text)
    try:
        return _Events(loader, len(text)).document()
    except (_Unsure, yaml.YAMLError, RecursionError):
        return UNSURE
    finally:
        loader.dispose()


def first_key(raw: bytes) -> Any:
    """The first key of the file's top-level mapping, from its first few events; UNSURE when not plainly one."""
    text = _text(raw)
    if text is None:
        return UNSURE
    loader = _Loader(text)
    try:
        get = loader.get_event
        get()
        if type(get()) is not yaml.DocumentStartEvent or type(get()) is not MappingStartEvent:
            return UNSURE
        event = get()
        return _Events(loader, len(text)).scalar(event) if type(event) is ScalarEvent else UNSURE
    except (_Unsure, yaml.YAMLError, RecursionError):
        return UNSURE
    finally:
        loader.dispose()


# --- round trip: files people curate -----------------------------------------------------------
# Theory files are read back with ruamel.yaml, which keeps people's comments, and written with a
# fixed layout: two-space indent, "- " offset by two, no line wrapping (a quote is one line, so a
# one-quote change is a one-line diff). Only text `load` above has accepted is ever handed to it.


def _round_trip() -> Any:
    from ruamel.yaml import YAML

    yaml_rt = YAML(typ="rt")
    yaml_rt.width = 1_000_000
    yaml_rt.indent(mapping=2, sequence=4, offset=2)
    # Keep quotes as read: a quoted 'yes' must stay quoted, or YAML 1.1 readers (ours) see a boolean.
    yaml_rt.preserve_quotes = True
    yaml_rt.allow_unicode = True
    return yaml_rt


def load_round_trip(text: str) -> Any:
    """A comment-keeping document (ruamel CommentedMap/Seq) of text already accepted by `load`."""
    return _round_trip().load(text)


def dump_round_trip(document: Any) -> str:
    import io

    out = io.StringIO()
    _round_trip().dump(document, out)
    return out.getvalue()
