"""Writing YAML people read and edit: one quoting rule, the fixed-layout emitter, documents, comments kept.

The layout is the one ruamel.yaml writes with cmo's settings (mapping indent 2, "- " at +2, short lists of
strings in flow style, quotes only where YAML needs them), so files written here and by `cmo import` or
`cmo synthesise` read and diff alike.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from typing import Any, Literal, NamedTuple

import yaml
from yaml.emitter import Emitter
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

_STR = "tag:yaml.org,2002:str"
_RESOLVER = Resolver()
_FLOW_LIMIT = 8
# Raw, these would break the line (NEL, LS, PS) or make the file unreadable (C1 controls, U+FFFE/FFFF).
_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")
_ODD_BREAK = re.compile("[\x85\u2028\u2029]")
# How a string is written: plain, single-quoted, double-quoted, or a literal block.
Style = Literal["", "'", '"', "|"]


class _Analysis:
    allow_unicode = True


class Reading(NamedTuple):
    """What PyYAML says of a string, all the quoting rule needs: how it may be written, and if it reads as one."""

    reads_as_str: bool  # written plain, a YAML 1.1 reader sees this string (not a bool, number, null, date)
    block_plain: bool
    flow_plain: bool
    single_quoted: bool
    literal: bool
    multiline: bool


@functools.lru_cache(maxsize=1 << 16)
def reading(value: str) -> Reading:
    """PyYAML's own analysis of `value`, the one place cmo uses its internals (tests/yamlio pins their answers)."""
    analysis = Emitter.analyze_scalar(_Analysis(), value)  # type: ignore[arg-type]
    return Reading(
        _reads_as_str(value),
        analysis.allow_block_plain,
        analysis.allow_flow_plain,
        analysis.allow_single_quoted,
        analysis.allow_block,
        analysis.multiline,
    )


# One line of characters PyYAML writes as they are (printable, no line break): `_one_line_style` decides these.
_ONE_LINE = re.compile("[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010fffe]+")
_IMPLICIT = _RESOLVER.yaml_implicit_resolvers
_FLOW_INDICATORS = frozenset(",?[]{}:")


def _one_line_style(value: str, flow: bool) -> Style | None:
    """`style` of a one-line string of printable characters, as `analyze_scalar` decides it, without calling it.

    Such a string is always single-quotable; plain unless an indicator or edge space forbids it, or it would
    read as something else. None for anything else (empty, line breaks, controls): `style`'s full path decides.
    """
    if _ONE_LINE.fullmatch(value) is None:
        return None
    first = value[0]
    if first == " " or value[-1] == " ":
        return "'"
    # What makes a plain scalar unreadable in block context: analyze_scalar's block indicators.
    if (
        first in "#,[]{}&*!|>'\"%@`"
        or (first in "?-" and value[1:2] in ("", " "))
        or ": " in value
        or value[-1] == ":"
        or " #" in value
        or value.startswith(("---", "..."))
    ):
        return "'"
    if flow and not _FLOW_INDICATORS.isdisjoint(value):
        return "'"
    if (first in _IMPLICIT or None in _IMPLICIT) and not _reads_as_str(value):
        return "'"
    return ""


def _reads_as_str(value: str) -> bool:
    """Whether a YAML 1.1 reader takes `value`, written plain, for a string (`Reading.reads_as_str`)."""
    return bool(_RESOLVER.resolve(ScalarNode, value, (True, False)) == _STR)  # type: ignore[no-untyped-call]


def style(value: str, flow: bool = False, literal: bool = False) -> Style:
    """The one quoting rule: plain when it reads back as the same string, else single-, else double-quoted.

    `literal` lets multi-line text be a `|` block instead (imported transcripts, whose quotes people read as
    passages); only LF breaks go in one: a block reads NEL back as LF, and LS or PS would split its lines.
    Nor text ending in a blank line: PyYAML ends its `|+` block with `...`, which ends a `cmo` list early.
    """
    fast = _one_line_style(value, flow)
    return fast if fast is not None else _analysed_style(value, flow, literal)


@functools.lru_cache(maxsize=1 << 16)
def _analysed_style(value: str, flow: bool, literal: bool) -> Style:
    """`style` from PyYAML's full analysis of the string."""
    facts = reading(value)
    if facts.multiline:
        block = facts.literal and not _ODD_BREAK.search(value) and value[-2:] not in ("\n", "\n\n")
        return "|" if literal and not flow and block else '"'
    if value and facts.reads_as_str and (facts.flow_plain if flow else facts.block_plain):
        return ""
    return "'" if facts.single_quoted else '"'


def scalar(value: str, flow: bool = False) -> str:
    """A string as YAML on one line, quoted by `style`; double quotes escape what would break the line."""
    if len(value) <= _SHORT:  # ids, sources, stances, labels: met again and again
        return _short_scalar(value, flow)
    return _scalar(value, flow)


_SHORT = 48


@functools.lru_cache(maxsize=1 << 16)
def _short_scalar(value: str, flow: bool) -> str:
    return _scalar(value, flow)


def _scalar(value: str, flow: bool) -> str:
    chosen = _one_line_style(value, flow)
    if chosen == "":
        return value
    if chosen == "'":
        return "'" + value.replace("'", "''") + "'"
    return _analysed_scalar(value, flow)


@functools.lru_cache(maxsize=1 << 16)
def _analysed_scalar(value: str, flow: bool) -> str:
    """`scalar` for a string `_one_line_style` leaves to PyYAML's analysis."""
    chosen = _analysed_style(value, flow, False)
    if chosen == "":
        return value
    if chosen == "'":
        return "'" + value.replace("'", "''") + "'"
    return _ESCAPE.sub(lambda char: f"\\u{ord(char.group()):04x}", json.dumps(value, ensure_ascii=False))


def _atom(value: Any, flow: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return scalar(str(value), flow)


def flow_list(value: list[Any]) -> bool:
    """Whether a list is written `[a, b]`: a short list of strings (ids, codes)."""
    return 0 < len(value) <= _FLOW_LIMIT and all(isinstance(item, str) for item in value)


def emit(key: str, value: Any, indent: int, out: list[str]) -> None:
    """Append the lines of `key: value` at `indent` to `out`."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            out.append(f"{pad}{key}: {{}}")
            return
        out.append(f"{pad}{key}:")
        _emit_mapping(value, indent + 2, out)
    elif isinstance(value, list):
        if not value:
            out.append(f"{pad}{key}: []")
        elif flow_list(value):
            out.append(f"{pad}{key}: [{', '.join(_atom(item, flow=True) for item in value)}]")
        else:
            out.append(f"{pad}{key}:")
            emit_items(value, indent + 2, out)
    else:
        text = _atom(value)
        out.append(f"{pad}{key}: {text}" if text else f"{pad}{key}:")


def _emit_mapping(mapping: dict[Any, Any], indent: int, out: list[str]) -> None:
    """`emit` of each key and value of a mapping; the plain str, int, bool and None values written here."""
    pad = " " * indent
    append = out.append
    for name, value in mapping.items():
        kind = type(value)
        if kind is str:
            append(f"{pad}{name}: {scalar(value)}")
        elif kind is int:
            append(f"{pad}{name}: {value!r}")
        elif kind is bool:
            append(f"{pad}{name}: {'true' if value else 'false'}")
        elif value is None:
            append(f"{pad}{name}:")
        else:
            emit(name, value, indent, out)


def emit_items(items: Iterable[Any], indent: int, out: list[str]) -> None:
    """Block-sequence items with their "- " at `indent` (mapping items' keys at indent + 2)."""
    dash = " " * indent + "- "
    for item in items:
        if isinstance(item, dict) and item:
            lines: list[str] = []
            _emit_mapping(item, indent + 2, lines)
            lines[0] = dash + lines[0][indent + 2 :]
            out.extend(lines)
        else:
            out.append(dash + _atom(item))


# --- documents: PyYAML's layout, cmo's quoting ----------------------------------------------------
# The files `cmo qdpx import` writes and `cmo code --format yaml` are laid out by PyYAML (lists of
# mappings at the key's indent), with strings styled by `style` above, multi-line text as `|` blocks.


class Flow(dict[str, Any]):
    """A mapping written on one line, `{resource: a, reasoning: b}`, as people write a split mechanism."""


class _Dumper(yaml.SafeDumper):
    """Safe dumping with cmo's string styles; a `Flow` on one line."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    chosen = style(value, literal=True)
    # No style lets PyYAML pick plain only where its context (a flow list, a key) allows, else single quotes,
    # which is `style`'s rule; the others are asked for by name.
    return dumper.represent_scalar(_STR, value, style=chosen if chosen in ('"', "|") else None)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(
    Flow, lambda dumper, value: dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)
)


class _FlowListDumper(_Dumper):
    """Every list as `[a, b]`: the codes of a `cmo` block."""


_FlowListDumper.add_representer(
    list, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)
)


def dump(data: Any, *, flow_lists: bool = False) -> str:
    """`data` as a YAML document: keys in the given order, no line wrapping; `flow_lists` writes lists as `[a, b]`."""
    return yaml.dump(
        data,
        Dumper=_FlowListDumper if flow_lists else _Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=10**9,
        default_flow_style=False,
    )


def dump_annotations(mappings: list[dict[str, Any]]) -> str:
    """The YAML of a `cmo` block: one mapping, or a list of them."""
    if len(mappings) == 1:
        return dump(mappings[0], flow_lists=True)
    items = []
    for mapping in mappings:
        lines = dump(mapping, flow_lists=True).splitlines()
        items.append("".join(("- " if i == 0 else "  ") + line + "\n" for i, line in enumerate(lines)))
    return "".join(items)


# --- lines, as YAML counts them ------------------------------------------------------------------
# YAML breaks lines on \n, \r\n, a lone \r, NEL, LS and PS, and its marks count lines so. \r\n, \r and
# NEL read as \n wherever they stand (in a scalar too), so they become \n; LS and PS are kept (inside a
# quoted or block scalar they are content), each ending its line.

_TO_LF = re.compile("\r\n?|\x85")
_BREAK_AFTER = re.compile("(?<=[\u2028\u2029])|\n")


def normalise_breaks(text: str) -> str:
    """The same YAML document with CRLF, CR and NEL line breaks written as LF.

    CRLFs go first, as `cmo.yamlio.reader.load_bytes` replaces them, so that merge reads CR CR LF as validate does.
    """
    if "\r" not in text and "\x85" not in text:
        return text
    return _TO_LF.sub("\n", text.replace("\r\n", "\n"))


def yaml_lines(text: str) -> list[str]:
    """The lines of normalised text as YAML's marks count them; a line ended by LS or PS keeps it."""
    lines = _BREAK_AFTER.split(text) if "\u2028" in text or "\u2029" in text else text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def join_lines(lines: list[str]) -> str:
    """The text of `yaml_lines`: each line ended by LF, unless it keeps its own LS or PS."""
    joined = "\n".join(lines)
    if "\u2028" not in joined and "\u2029" not in joined:
        return joined + "\n" if lines else ""
    return "".join(line if line.endswith(("\u2028", "\u2029")) else line + "\n" for line in lines)


# --- comments -------------------------------------------------------------------------------------

_KEY = re.compile(r"^( *)(- +)?([^\s#:'\"][^:#]*?|'[^']*'|\"[^\"]*\"):(?=\s|$)")


def split_comment(line: str) -> tuple[str, str]:
    """(content, comment) of a YAML line: the comment starts at a # after whitespace, outside quotes."""
    if "#" not in line or (" #" not in line and "\t#" not in line and not line.startswith("#")):
        return line, ""  # a comment's # starts the line or follows whitespace
    quote = ""
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 1  # an escaped character, whatever it is
            elif char == quote:
                if quote == "'" and line[index + 1 : index + 2] == "'":
                    index += 1  # '' is a quote inside single quotes
                else:
                    quote = ""
        elif char in "'\"" and (index == 0 or line[index - 1] in " [{,:-"):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index].rstrip(), line[index:]
        index += 1
    return line, ""


def key_paths(lines: list[str]) -> list[tuple[str, ...] | None]:
    """For each line, the path of keys it sets (a list item named by its first key and value); None if none."""
    stack: list[tuple[int, str]] = []
    paths: list[tuple[str, ...] | None] = []
    for line in lines:
        content, _ = split_comment(line)
        match = _KEY.match(content)
        if not content.strip() or match is None:
            paths.append(None)
            continue
        indent = len(match.group(1))
        name = match.group(3).strip()
        if match.group(2):  # "- key: value" starts an item, named by its first key and value
            item_indent = indent
            key_indent = indent + len(match.group(2))
            while stack and stack[-1][0] >= item_indent:
                stack.pop()
            value = content[match.end() :].strip()
            stack.append((item_indent, f"- {name}={value}"))
            indent = key_indent
        while (stack and stack[-1][0] >= indent and not stack[-1][1].startswith("- ")) or (
            stack and stack[-1][0] > indent
        ):
            stack.pop()
        stack.append((indent, name))
        paths.append(tuple(part for _, part in stack))
    return paths


def carry_comments(old: list[str], new: list[str]) -> list[str]:
    """`new` with the comments of `old` put back: inline ones on the line with the same key path, full-line
    ones above the line they were above; a comment whose place is gone is kept at the end, never dropped."""
    joined = "\n".join(old)  # the lines' text: a line starts with # or holds " #" where the text does so
    if not (joined.startswith("#") or "\n#" in joined or " #" in joined or "\t#" in joined):
        return new  # the common case: evidence lines hold record ids (`prog/t#1a2b3c4d`), never a comment
    old_paths = key_paths(old)
    inline: dict[tuple[str, ...], tuple[str, str]] = {}  # path -> (indent of its line, comment)
    above: dict[tuple[str, ...], list[str]] = {}
    orphans: list[str] = []
    pending: list[str] = []
    for line, path in zip(old, old_paths, strict=True):
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(line)
            continue
        _, comment = split_comment(line)
        if path is None:
            if not stripped:
                continue
            orphans += pending
            pending = []
            if comment:
                orphans.append(" " * (len(line) - len(line.lstrip())) + comment)
            continue
        if pending:
            above.setdefault(path, []).extend(pending)
            pending = []
        if comment:
            inline[path] = (" " * (len(line) - len(line.lstrip())), comment)
    result: list[str] = []
    for line, path in zip(new, key_paths(new), strict=True):
        if path is not None:
            result += above.pop(path, [])
            if path in inline:
                line = f"{line}  {inline.pop(path)[1]}"
        result.append(line)
    orphans += [indent + comment for indent, comment in inline.values()]
    for lines in above.values():
        orphans += lines
    return result + orphans + pending
