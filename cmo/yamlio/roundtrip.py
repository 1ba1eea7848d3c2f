"""Editing files people curate (theories, overarching theories) without moving or losing their comments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def commented(value: Any, flow: bool = False) -> Any:
    """Plain data as ruamel nodes, strings quoted exactly where cmo's own emitter quotes them."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    from cmo.yamlio.emitter import flow_list, style

    if isinstance(value, dict):
        return CommentedMap((key, commented(item)) for key, item in value.items())
    if isinstance(value, list):
        if flow_list(value):  # short lists of ids stay on one line, as the emitter writes them
            seq = CommentedSeq(commented(item, flow=True) for item in value)
            seq.fa.set_flow_style()
            return seq
        return CommentedSeq(commented(item) for item in value)
    if isinstance(value, str):
        # The emitter's rule picks the style (ruamel's own would write `yes` or `on` plain, a YAML 1.2 string).
        chosen = style(value, flow)
        if chosen == "'":
            return SingleQuotedScalarString(value)
        if chosen == '"':
            return DoubleQuotedScalarString(value)
    return value


def _is_collection(value: Any) -> bool:
    return isinstance(value, dict | list)


def _tail_slot(node: Any) -> tuple[Any, Any]:
    """(container, key) of the deepest last element of a collection: where a trailing comment lives."""
    container, key = None, None
    while _is_collection(node) and len(node):
        key = next(reversed(node)) if isinstance(node, dict) else len(node) - 1
        container, node = node, node[key]
    return container, key


def _take_tail_comment(node: Any) -> Any:
    container, key = _tail_slot(node)
    if container is None or not hasattr(container, "ca"):
        return None
    entry = container.ca.items.get(key)
    if not entry:
        return None
    return entry[2] if isinstance(container, dict) else entry[0]


def _put_tail_comment(parent: Any, key: Any, token: Any) -> None:
    if token is None:
        return
    container, slot = _tail_slot(parent[key])
    if container is None:
        container, slot = parent, key
    comments = container.ca.items
    if isinstance(container, dict):
        comments.setdefault(slot, [None, None, None, None])[2] = token
    else:
        comments.setdefault(slot, [None, None])[0] = token


def sync(parent: Any, key: Any, new: Any) -> None:
    """Make parent[key] equal `new`, changing as little as possible so comments stay where people put them."""
    old = parent[key]
    if isinstance(old, dict) and isinstance(new, dict) and list(old) == list(new):
        for name, value in new.items():
            sync(old, name, value)
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, value in enumerate(new):
            sync(old, index, value)
        return
    if not _is_collection(old) and not _is_collection(new):
        if old != new or type(old) is not type(new):
            parent[key] = new
        return
    tail = _take_tail_comment(old)
    parent[key] = commented(new)
    _put_tail_comment(parent, key, tail)


def set_in_order(mapping: Any, key: str, value: Any, order: Sequence[str]) -> None:
    """Set a key, inserting a missing one at its place in `order`."""
    if key in mapping:
        sync(mapping, key, value)
        return
    rank = order.index(key)
    position = sum(1 for existing in mapping if existing in order and order.index(existing) < rank)
    mapping.insert(position, key, commented(value))


def remove_item(seq: Any, index: int) -> None:
    """Delete seq[index], handing its trailing comment (which sits above the next item) to the item before."""
    tail = _take_tail_comment(seq[index])
    del seq[index]
    if tail is not None and index > 0:
        _put_tail_comment(seq, index - 1, tail)
