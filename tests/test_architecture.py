"""The core never imports the CLI libraries; only cmo/cli/ does."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "cmo"
CLI_LIBRARIES = {"typer", "rich", "click"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_modules_do_not_import_cli_libraries() -> None:
    core = [p for p in CORE.rglob("*.py") if "cli" not in p.relative_to(CORE).parts]
    assert len(core) > 5
    offenders = {str(p.relative_to(CORE)): sorted(_imports(p) & CLI_LIBRARIES) for p in core}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_every_module_says_what_it_owns() -> None:
    for path in CORE.rglob("*.py"):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert docstring, f"{path} has no module docstring"
