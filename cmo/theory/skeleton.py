"""Reading a theory file's CMOC layout line by line, without parsing the generated keys merge rewrites anyway."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cmo.theory.model import GENERATED_KEYS
from cmo.yamlio.emitter import join_lines, yaml_lines

_KEY_NAME = re.compile(r"([^\s#'\"\-][^:#]*?):(?:\s|$)")
_ITEM_DASHES = re.compile(r"(?:- +)+")
# A value that starts like a quoted scalar or a flow collection may go on over the next lines, and those
# lines may look like keys; the scan accepts it only when it visibly ends on its own line.
_FLOW_START = frozenset("\"'[{&*!?%@`")
_FLOW_CHARS = re.compile("[\"'\\[{&*!?%@`]")
_ONE_LINE_FLOW = re.compile(
    r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|\{\s*\}|\[(?:[^\[\]{}"'#]|"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')*\])"""
    r"\s*(?:#.*)?"
)


@dataclass
class Layout:
    """Where each CMOC and each of its keys start (0-based lines), found by scanning the lines."""

    skeleton: str  # the text with every generated key's lines blanked (line numbers unchanged)
    start: int = 0  # the line of `cmocs:`
    end: int = 0  # the first line after the `cmocs:` block (the next top-level key's, or `size`)
    size: int = 0  # lines in the file
    items: list[int] = field(default_factory=list)
    keys: list[list[tuple[int, str]]] = field(default_factory=list)
    had_evidence: list[bool] = field(default_factory=list)


def _value_ends_on_its_line(stripped: str) -> bool:
    """False when the value on this line may continue on the next lines in a way the scan cannot follow."""
    dashes = _ITEM_DASHES.match(stripped)
    rest = stripped[dashes.end() :] if dashes else stripped
    name = _KEY_NAME.match(rest)
    value = rest[name.end() :].lstrip() if name else rest
    return not value or value[0] not in _FLOW_START or _ONE_LINE_FLOW.fullmatch(value) is not None


def _place_line(layout: Layout, number: int, line: str, indents: tuple[int, int], generated: bool) -> bool | None:
    """Note one line of the `cmocs:` block in `layout`: whether it is part of a generated key; None to give up.

    `indents` are those of the items' dashes and of their keys; `generated` says the line before was.
    """
    dash, key_indent = indents
    stripped = line.strip()
    indent = len(line) - len(line.lstrip(" "))
    if indent == dash and stripped.startswith("- "):
        name = _KEY_NAME.match(line, key_indent)
        if name is None:
            return None
        layout.items.append(number)
        layout.keys.append([(number, name.group(1))])
        layout.had_evidence.append(False)
        return name.group(1) in GENERATED_KEYS
    if indent == key_indent and (name := _KEY_NAME.match(line, key_indent)) is not None:
        if not layout.items:
            return None
        layout.keys[-1].append((number, name.group(1)))
        return name.group(1) in GENERATED_KEYS
    if indent <= key_indent or not layout.items:
        return None
    if generated and layout.keys[-1][-1][1] == "evidence" and stripped.startswith("- "):
        layout.had_evidence[-1] = True
    return generated


def scan_layout(text: str) -> Layout | None:
    """The CMOCs' layout when the file is laid out as merge writes it (block style), else None.

    Merge only rewrites generated keys, so it need not parse them: a theory of 100,000 evidence entries
    is read as a skeleton of ids and curated fields. `text` is normalised (`normalise_breaks`); lines are
    YAML's. Anything unexpected gives None, and the caller parses the whole file instead.
    """
    lines = yaml_lines(text)
    try:
        start = next(i for i, line in enumerate(lines) if re.match(r"cmocs:\s*(#.*)?$", line))
    except StopIteration:
        return None
    blanked = list(lines)
    layout = Layout(skeleton="", start=start, end=len(lines), size=len(lines))
    dash = key_indent = -1
    generated = False
    for number in range(start + 1, len(lines)):
        line = lines[number]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            if generated and stripped:
                # A comment inside a generated value: out of the skeleton, or an indented one would read as
                # part of a block scalar above it (comments are carried from the text itself, not from here).
                blanked[number] = ""
            continue
        indent = len(line) - len(line.lstrip(" "))
        if "\t" in line[: indent + 1]:
            return None
        if indent == 0:
            layout.end = number
            break
        if dash < 0:
            if not stripped.startswith("- "):
                return None
            dash = indent
            key_indent = dash + 2 + (len(stripped) - 2 - len(stripped[2:].lstrip(" ")))
        found = _place_line(layout, number, line, (dash, key_indent), generated)
        if found is None:
            return None
        generated = found
        if generated:
            blanked[number] = ""  # rewritten anyway, even when a person broke it
        elif _FLOW_CHARS.search(stripped) and not _value_ends_on_its_line(stripped):
            return None
    layout.skeleton = join_lines(blanked)
    return layout
