"""Evidence as people read it: Markdown emphasis, code and link syntax taken out, the speaker's label kept as text."""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt

# Only text with one of these can hold inline Markdown (a lone `[laughs]` cannot: a link needs `](` or
# `][`); the rest is returned as it is, unparsed. A bold speaker's label first is the common case.
_MARKUP = re.compile(r"[*_`<>&\\]|!\[|\]\(|\]\[")
_SPEAKER = re.compile(r"(\*\*|__)([^*_`<>&\\\[\]\s][^*_`<>&\\\[\]]{0,58}?:)\1 +(?=\S)")
_KEPT = frozenset({"text", "code_inline", "html_inline"})
_BREAKS = frozenset({"softbreak", "hardbreak"})


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # CommonMark's inline rules (emphasis at word boundaries only, so snake_case and "5 * 3" stay as written).
    return MarkdownIt("commonmark")


def reading_text(markdown: str) -> str:
    """`**M01:** It's a _lot_, see [the plan](x.md)` -> `M01: It's a lot, see the plan`.

    Emphasis, inline code and link or image syntax go (a link keeps its words, an image its alt text);
    escapes and entities become the characters they stand for; raw HTML stays as text, which every
    renderer escapes. Block syntax (a `#` or `-` starting the passage) is part of what was said and stays.
    """
    if not _MARKUP.search(markdown):
        return " ".join(markdown.split())
    label = _SPEAKER.match(markdown)
    if label is not None and not _MARKUP.search(markdown, label.end()):
        return " ".join((label.group(2) + " " + markdown[label.end() :]).split())
    return _parsed(markdown)


def _parsed(markdown: str) -> str:
    """`reading_text` by the CommonMark parser itself: the slow path, and what the fast ones must equal."""
    pieces: list[str] = []
    for token in _parser().parseInline(markdown):
        for child in token.children or ():
            if child.type in _KEPT or child.type == "image":
                pieces.append(child.content)
            elif child.type in _BREAKS:
                pieces.append(" ")
    # A passage that is all syntax (an image with no alt text) is shown as written, never as nothing.
    return " ".join("".join(pieces).split()) or " ".join(markdown.split())
