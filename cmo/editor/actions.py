"""Code actions: a quick fix for every diagnostic with a did-you-mean, and wrapping a selected passage in a cmo block."""

from __future__ import annotations

import re

from lsprotocol import types

from cmo.editor.completion import sections
from cmo.editor.text import from_column, split_lines, to_column

# cmo.core.suggest.did_you_mean's wording, with the suggestion as Python's repr writes it.
_DID_YOU_MEAN = re.compile(r"did you mean (?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\")\?")


def suggestion(message: str) -> str | None:
    """The did-you-mean of a diagnostic's message ('...; did you mean 'x'?'), or None."""
    match = _DID_YOU_MEAN.search(message)
    if match is None:
        return None
    found = match.group(1) if match.group(1) is not None else match.group(2)
    return found.replace("\\'", "'").replace('\\"', '"').replace("\\\\", "\\")


def quick_fixes(uri: str, diagnostics: list[types.Diagnostic]) -> list[types.CodeAction]:
    """One 'Replace with x' action per cmo diagnostic that suggests x, editing the diagnostic's token."""
    actions = []
    for diagnostic in diagnostics:
        if diagnostic.source != "cmo":
            continue
        fix = suggestion(diagnostic.message)
        if fix is None:
            continue
        edit = types.TextEdit(range=diagnostic.range, new_text=fix)
        actions.append(
            types.CodeAction(
                title=f"Replace with {fix!r}",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=types.WorkspaceEdit(changes={uri: [edit]}),
            )
        )
    return actions


def yaml_double_quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar, on one line (line breaks become spaces: quotes match across them)."""
    flat = " ".join(text.split())
    escaped = []
    for char in flat:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F or 0x80 <= ord(char) < 0xA0:
            escaped.append(f"\\x{ord(char):02x}")
        elif char in "\u2028\u2029\ufeff":
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def selected_text(lines: list[str], selection: types.Range) -> str:
    start_line, end_line = selection.start.line, min(selection.end.line, len(lines) - 1)
    start = from_column(lines[start_line], selection.start.character)
    end = from_column(lines[end_line], selection.end.character)
    if start_line == end_line:
        return lines[start_line][start:end]
    middle = lines[start_line + 1 : end_line]
    return "\n".join([lines[start_line][start:], *middle, lines[end_line][:end]])


def _touches_section(lines: list[str], first: int, last: int) -> bool:
    """Whether a line from `first` to `last` is in the front matter or a cmo block, or opens or closes one.

    The line before (in a section: `first` closes it) and the line after (`last` opens it) say the same.
    """
    found = sections(lines, last + 1)
    return any(found[max(first - 1, 0) : last + 2])


def wrap_in_block(uri: str, text: str, selection: types.Range) -> types.CodeAction | None:
    """'Wrap the selected passage in a cmo block': after its last line, a blank line and a block quoting it."""
    lines = split_lines(text)
    if selection.start == selection.end or selection.start.line >= len(lines):
        return None
    last = selection.end.line
    if selection.end.character == 0 and last > selection.start.line:
        last -= 1  # a selection of whole lines ends at the start of the next
    last = min(last, len(lines) - 1)
    if _touches_section(lines, selection.start.line, last):
        return None
    quoted = selected_text(lines, selection)
    if not quoted.strip():
        return None
    block = f"```cmo\nquote: {yaml_double_quoted(quoted)}\n```\n"
    if last + 1 < len(lines):
        at = types.Position(line=last + 1, character=0)
        insert = "\n" + block
    else:  # the last line, without a line break after it
        at = types.Position(line=last, character=to_column(lines[last], len(lines[last])))
        insert = "\n\n" + block
    edit = types.TextEdit(range=types.Range(start=at, end=at), new_text=insert)
    return types.CodeAction(
        title="Wrap the selected passage in a cmo block",
        kind=types.CodeActionKind.RefactorRewrite,
        edit=types.WorkspaceEdit(changes={uri: [edit]}),
    )


def code_actions(uri: str, text: str, params: types.CodeActionParams) -> list[types.CodeAction]:
    actions = quick_fixes(uri, list(params.context.diagnostics))
    wrap = wrap_in_block(uri, text, params.range)
    if wrap is not None:
        actions.append(wrap)
    return actions
