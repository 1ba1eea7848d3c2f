"""Replace rule-id string literals in cmo/ with members of the rule registry (cmo.core.rules.Rule).

Usage: python tools/rule_literals.py [--check] [FILE_OR_FOLDER ...]   (default: cmo/)

Line-level and idempotent, so it can be re-run while other people move code between files: each string
constant equal to a registry value (say "unknown-code") becomes `Rule.UNKNOWN_CODE` on its own line, and
`from cmo.core.rules import Rule` is added among the file's cmo imports. Nothing else in a file changes;
a second run changes nothing. A file whose lines grow past the line length is handed to `ruff format`.
`--check` changes nothing and exits 1 when a literal is left.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cmo.core.rules import Rule  # noqa: E402  (after the path is set, so it runs from any folder)

REGISTRY = ROOT / "cmo" / "core" / "rules.py"
IMPORT = "from cmo.core.rules import Rule"
LINE_LENGTH = 120
BY_VALUE = {rule.value: rule for rule in Rule}


def _literals(tree: ast.Module) -> list[ast.Constant]:
    """The string constants equal to a rule id, outside f-strings (a part of an f-string is no rule argument)."""
    inside_fstrings = {
        id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in ast.walk(node)
    }
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in BY_VALUE
        and id(node) not in inside_fstrings
    ]


def _has_import(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "cmo.core.rules"
        and any(alias.name == "Rule" and alias.asname is None for alias in node.names)
        for node in tree.body
    )


def _import_at(tree: ast.Module) -> tuple[int, bool]:
    """The 0-based line to insert the import before, and whether it opens a new import section."""
    body = tree.body[1:] if tree.body and _is_docstring(tree.body[0]) else tree.body
    # Only the imports at the top: a late import (say one that registers commands on an app) stays last.
    imports: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if not isinstance(node, ast.Import | ast.ImportFrom):
            break
        imports.append(node)
    first_party = [
        node for node in imports if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cmo")
    ]
    # Sorted as ruff's isort sorts `from` imports of one section: by module name.
    for node in first_party:
        if (node.module or "") > "cmo.core.rules":
            return node.lineno - 1, False
    if first_party:
        return first_party[-1].end_lineno or first_party[-1].lineno, False
    if imports:
        return imports[-1].end_lineno or imports[-1].lineno, True
    return (tree.body[0].end_lineno or 0) if body is not tree.body else 0, True


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def rewrite(source: str) -> tuple[str, int]:
    """The source with rule-id literals replaced and the import added, and how many literals were replaced."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    found = _literals(tree)
    # Right to left within a line, so the columns of the literals not yet replaced stay right.
    found.sort(key=lambda node: (node.lineno, node.col_offset), reverse=True)
    replaced = 0
    for node in found:
        if node.end_lineno != node.lineno or node.end_col_offset is None:
            continue  # an implicitly concatenated or multi-line string: no rule id is written so
        line = lines[node.lineno - 1]
        # ast columns count UTF-8 bytes.
        raw = line.encode("utf-8")
        text = raw[node.col_offset : node.end_col_offset].decode("utf-8")
        value = node.value
        if not isinstance(value, str) or text not in (f'"{value}"', f"'{value}'"):
            continue
        member = f"Rule.{BY_VALUE[value].name}"
        lines[node.lineno - 1] = (raw[: node.col_offset] + member.encode() + raw[node.end_col_offset :]).decode("utf-8")
        replaced += 1
    if replaced and not _has_import(tree):
        at, new_section = _import_at(tree)
        lines[at:at] = [f"\n{IMPORT}\n"] if new_section else [f"{IMPORT}\n"]
    return "".join(lines), replaced


def _files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [f for f in files if f.resolve() != REGISTRY]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT / "cmo"])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when a literal is left")
    args = parser.parse_args(argv)
    changed: list[Path] = []
    left = 0
    for path in _files(args.paths):
        new, replaced = rewrite(path.read_text(encoding="utf-8"))
        if not replaced:
            continue
        print(f"{path}: {replaced} rule literal{'' if replaced == 1 else 's'}")
        left += replaced
        if not args.check:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    if args.check:
        return 1 if left else 0
    too_long = [
        p for p in changed if any(len(line) > LINE_LENGTH for line in p.read_text(encoding="utf-8").splitlines())
    ]
    if too_long:
        subprocess.run([sys.executable, "-m", "ruff", "format", *map(str, too_long)], check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
