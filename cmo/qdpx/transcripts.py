"""A source's text and its configurations -> a Markdown transcript with a `cmo` block after each coded paragraph."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cmo.qdpx.configurations import Configuration, annotation
from cmo.yamlio.emitter import dump, dump_annotations

_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")
_BACKTICKS = re.compile(r"`+")
SOURCE_FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})", re.MULTILINE)


@dataclass
class Written:
    """A transcript's text, how many annotations it holds, and what was skipped or changed on the way."""

    text: str
    annotations: int = 0
    skipped: list[str] = field(default_factory=list)


def main_coder(configurations: list[Configuration]) -> str | None:
    """The coder of most configurations (ties: the first by name), for the front matter."""
    counts = Counter(", ".join(item.coders) for item in configurations if item.coders)
    if not counts:
        return None
    return min(counts.items(), key=lambda pair: (-pair[1], pair[0]))[0]


def _paragraph_end(text: str, start: int, end: int) -> int:
    """The offset just after the last line of the paragraph the passage ends in."""
    last = start + len(text[start:end].rstrip()) - 1
    found = _PARAGRAPH_END.search(text, max(last, 0))
    return found.start() if found else len(text.rstrip())


def _fence(yaml_text: str) -> str:
    """A fence longer than any run of backticks inside, so a quoted passage can never close the block."""
    longest = max((len(run) for run in _BACKTICKS.findall(yaml_text)), default=0)
    return "`" * max(3, longest + 1)


def _block(mappings: list[dict[str, Any]]) -> str:
    yaml_text = dump_annotations(mappings)
    fence = _fence(yaml_text)
    return f"\n\n{fence}cmo\n{yaml_text}{fence}"


def _describe(item: Configuration, quote: str) -> str:
    codes = ", ".join(code for codes in item.codes.values() for code in codes)
    passage = " ".join(quote.split())
    return f"{codes} on {passage[:60] + '...' if len(passage) > 60 else passage!r}"


def write_transcript(
    front: dict[str, Any], text: str, configurations: list[Configuration], comment: str = ""
) -> Written:
    """Front matter, then the text exactly, with each configuration's block after the paragraph its passage ends in."""
    coder = main_coder(configurations)
    if coder is not None:
        front = {**front, "coder": coder}
    written = Written("")
    blocks: dict[int, list[dict[str, Any]]] = {}
    for item in configurations:
        quote = text[item.start : item.end].strip()
        if not quote:
            written.skipped.append(f"{_describe(item, '')}: the passage is blank")
            continue
        if not item.complete():
            written.skipped.append(
                f"{_describe(item, quote)}: an annotation needs a context, mechanism or outcome code"
            )
            continue
        mapping, changes = annotation(item, quote, coder)
        written.skipped.extend(f"{_describe(item, quote)}: {change}" for change in changes)
        blocks.setdefault(_paragraph_end(text, item.start, item.end), []).append(mapping)
        written.annotations += 1
    pieces, cursor = [], 0
    for offset in sorted(blocks):
        pieces.extend([text[cursor:offset], _block(blocks[offset])])
        cursor = offset
    body = "".join([*pieces, text[cursor:]]).rstrip()
    header = f"---\n# {comment}\n{dump(front)}---\n" if comment else f"---\n{dump(front)}---\n"
    written.text = f"{header}\n{body}\n" if body else header
    return written
