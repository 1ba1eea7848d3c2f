"""Adding ids to a list in a YAML file people curate by editing its text: one line changes, every other byte stays."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from cmo.yamlio.emitter import scalar
from cmo.yamlio.reader import YamlError, load

__all__ = ["EditError", "append_to_list"]

# The line breaks YAML counts (PyYAML's marks count lines by these).
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_NULL = "tag:yaml.org,2002:null"


class EditError(Exception):
    """The text cannot be edited without touching more than the one list (a layout cmo does not know)."""


def append_to_list(text: str, where: Sequence[str], key: str, items: Sequence[str]) -> str:
    """`text` with `items` added to the list `key` of the mapping at `where` (keys from the root), made if missing.

    A flow list gains `, item` before its `]`; a block list gains a `- item` line; a missing key is added to a
    flow mapping before its `}`, or as a `key: [items]` line after the block mapping's last line. The result is
    read back: it must hold exactly the old data with the items appended, or EditError is raised.
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    try:
        before = load(body)
        root = yaml.compose(body, Loader=yaml.SafeLoader)
    except (YamlError, yaml.YAMLError) as exc:
        raise EditError(f"the file does not parse: {exc}") from None
    mapping = _find(root, where)
    newline = "\r\n" if "\r\n" in body else "\n"
    value = next((v for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    words = [scalar(item, flow=True) for item in items]
    if value is None:
        edited = _add_key(body, mapping, key, words, newline)
    elif isinstance(value, yaml.SequenceNode) and value.flow_style:
        edited = _into_flow(body, value.end_mark.index, "]", ", ".join(words))
    elif isinstance(value, yaml.SequenceNode):
        edited = _into_block_list(body, value, words, newline)
    elif isinstance(value, yaml.ScalarNode) and value.tag == _NULL and value.start_mark.index == value.end_mark.index:
        edited = body[: value.start_mark.index] + f" [{', '.join(words)}]" + body[value.end_mark.index :]
    elif isinstance(value, yaml.ScalarNode) and value.style in (None, "'", '"'):
        start, end = value.start_mark.index, value.end_mark.index
        edited = body[:start] + "[" + body[start:end] + ", " + ", ".join(words) + "]" + body[end:]
    else:
        raise EditError(f"{key!r} is neither a list nor one id")
    try:
        after = load(edited)
    except YamlError as exc:
        raise EditError(f"the edited file would not parse: {exc}") from None
    _check(before, after, where, key, items)
    return bom + edited


def _find(root: Any, where: Sequence[str]) -> yaml.MappingNode:
    node = root
    for part in where:
        if not isinstance(node, yaml.MappingNode):
            raise EditError(f"no mapping at {'.'.join(where)}")
        node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
    if not isinstance(node, yaml.MappingNode):
        raise EditError(f"no mapping at {'.'.join(where)}")
    return node


def _into_flow(text: str, end: int, closer: str, addition: str) -> str:
    """Insert `addition` as the last entry of the flow collection that ends (with `closer`) just before `end`."""
    close = end - 1
    if text[close] != closer:
        raise EditError(f"expected {closer!r} at the end of a flow collection")
    at = close
    while text[at - 1] in " \t\r\n":
        at -= 1
    previous = text[at - 1]
    joint = "" if previous in "[{" else " " if previous == "," else ", "
    return text[:at] + joint + addition + text[at:]


def _line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in _BREAK.finditer(text))]


def _line(text: str, starts: list[int], number: int) -> str:
    end = starts[number + 1] if number + 1 < len(starts) else len(text)
    return _BREAK.sub("", text[starts[number] : end])


def _into_block_list(text: str, seq: yaml.SequenceNode, words: list[str], newline: str) -> str:
    """A `- item` line after the last item, with the first item's dash and spacing."""
    if not seq.value:
        raise EditError("an empty block list")
    starts = _line_starts(text)
    first, last = seq.value[0], seq.value[-1]
    prefix = _line(text, starts, first.start_mark.line)[: first.start_mark.column]
    dash = prefix.rstrip()
    if not dash.endswith("-") or (dash[:-1].strip() and seq.start_mark.line == first.start_mark.line):
        raise EditError("a block list whose items do not each start a line")
    indent = " " * (len(dash) - 1) + prefix[len(dash) - 1 :]
    after = _end_of_content(text, starts, last, len(dash) - 1)
    lines = "".join(indent + word + newline for word in words)
    return text[:after] + lines + text[after:]


def _add_key(text: str, mapping: yaml.MappingNode, key: str, words: list[str], newline: str) -> str:
    addition = f"{key}: [{', '.join(words)}]"
    if mapping.flow_style:
        return _into_flow(text, mapping.end_mark.index, "}", addition)
    if not mapping.value:
        raise EditError("an empty block mapping")
    starts = _line_starts(text)
    column: int = mapping.value[0][0].start_mark.column
    if any(k.start_mark.column != column for k, _ in mapping.value):
        raise EditError("a block mapping whose keys are not aligned")
    after = _end_of_content(text, starts, mapping.value[-1][1], column)
    return text[:after] + " " * column + addition + newline + text[after:]


def _end_of_content(text: str, starts: list[int], node: yaml.Node, column: int) -> int:
    """The index just after the line break ending `node`'s last line (a block scalar's trailing blanks not counted).

    Comment lines after a block scalar count as the scalar's only when indented past `column`; any other comment
    or blank line there belongs to what follows.
    """
    node = _last_leaf(node)
    mark = node.end_mark
    line = mark.line - 1 if mark.column == 0 and mark.line > node.start_mark.line else mark.line
    while line > node.start_mark.line:
        content = _line(text, starts, line)
        stripped = content.strip()
        if stripped and not (stripped.startswith("#") and len(content) - len(content.lstrip()) <= column):
            break
        line -= 1
    if line + 1 >= len(starts):
        raise EditError("the file does not end with a line break")
    return starts[line + 1]


def _last_leaf(node: yaml.Node) -> yaml.Node:
    """The last scalar or flow collection inside `node`: a block collection's own end mark is the next token's."""
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node


def _check(before: Any, after: Any, where: Sequence[str], key: str, items: Sequence[str]) -> None:
    """The edit changed the data exactly as meant: the list gained the items, nothing else moved."""
    expected = before
    for part in where:
        expected = expected[part]
    old = expected.get(key)
    expected[key] = [*([] if old is None else [old] if isinstance(old, str) else old), *items]
    if after != before:
        raise EditError("the edit would change more than the list")
