"""Escaping in one place: text made safe for a terminal (control characters), Markdown, HTML/SVG, JSON and spreadsheets."""

from __future__ import annotations

import html
import re

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional embeddings, overrides
# and isolates: a terminal or an editor acts on them (sets the window title, clears the screen,
# hides or reorders text) where a reviewer should see them.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNESCAPED_BY_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _control_picture(match: re.Match[str]) -> str:
    code = ord(match[0])
    if code < 0x20:
        return chr(0x2400 + code)  # ␛, ␇, ␍, ...: the Unicode picture of that control
    return "\u2421" if code == 0x7F else "\ufffd"


def printable(text: str) -> str:
    """`text` safe to show in a terminal or a review: each control character replaced by a visible symbol."""
    return _CONTROL.sub(_control_picture, text)


def json_controls(text: str) -> str:
    """JSON text with the controls json.dumps leaves raw written as \\uXXXX too."""
    # json escapes C0 controls itself; DEL, C1 (8-bit CSI) and bidi controls get the same \\uXXXX form.
    return _UNESCAPED_BY_JSON.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


# Characters that would start emphasis, code, links, HTML, tables, strike-through, math or an
# entity anywhere in a line; escaped with a backslash, which CommonMark and GitHub both honour.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&$])")
# What turns a line into a heading, list item, quote, rule or setext underline at its start.
_MD_LINE_START = re.compile(r"^([-+=#])|^(\d+)([.)])")
# What GitHub links (and notifies) in a comment: @user or @org/team, #123. A backslash does not
# stop it (the escape is gone before linking runs), an invisible word joiner after the sign does.
_MD_REFERENCE = re.compile(r"(@(?=[A-Za-z0-9])|#(?=[0-9]))")
_WORD_JOINER = "\u2060"


def md_escape(text: str) -> str:
    """Corpus text as literal Markdown: one escaped line per line, leading blanks dropped (no code blocks)."""
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _MD_INLINE.sub(r"\\\1", printable(line.strip()))
        line = _MD_LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", line)
        lines.append(_MD_REFERENCE.sub(r"\1" + _WORD_JOINER, line))
    return "\n".join(lines)


def esc(text: object) -> str:
    """Text safe inside SVG or HTML, attribute values included."""
    return html.escape(str(text), quote=True)


# What starts a formula (or a DDE payload) when a spreadsheet program opens a CSV or a cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str) -> str:
    """Text a spreadsheet shows as typed: one that would start a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
