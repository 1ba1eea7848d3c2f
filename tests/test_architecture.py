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


# The floor plan (docs/architecture.md): each folder may import only the folders before it.
FLOORS = ("core", "yamlio", "corpus", "theory", "across", "analysis", "render", "qdpx", "editor", "cli")


def _floor(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "cmo" or len(parts) < 2:
        return None
    return FLOORS.index(parts[1]) if parts[1] in FLOORS else None


def _cmo_imports(path: Path) -> set[str]:
    """Every cmo module a file imports, at any depth (lazy imports inside functions count too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.startswith("cmo."))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("cmo"):
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_every_module_lives_on_a_floor() -> None:
    loose = [str(p.relative_to(CORE)) for p in CORE.glob("*.py") if p.name not in {"__init__.py", "__main__.py"}]
    unknown = [p.name for p in CORE.iterdir() if p.is_dir() and p.name not in {*FLOORS, "__pycache__", "_demo"}]
    assert loose == [] and unknown == []


def test_no_floor_imports_one_above_it() -> None:
    upward: list[str] = []
    for path in CORE.rglob("*.py"):
        own = _floor("cmo." + ".".join(path.relative_to(CORE).with_suffix("").parts))
        if own is None:
            continue
        for name in sorted(_cmo_imports(path)):
            floor = _floor(name)
            if floor is not None and floor > own:
                upward.append(f"{path.relative_to(CORE)} imports {name}")
    assert upward == []


def test_the_floor_check_sees_an_upward_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text('"""A probe."""\n\ndef f() -> None:\n    from cmo.cli.app import run\n', encoding="utf-8")
    assert _cmo_imports(probe) == {"cmo.cli.app.run"}
    assert _floor("cmo.cli.app.run") > _floor("cmo.core.files")  # type: ignore[operator]


MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60


def test_no_module_is_too_long_to_read() -> None:
    long = {
        str(p.relative_to(CORE)): n
        for p in CORE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_body_is_over_sixty_lines() -> None:
    """Counted from the first statement of the body, so a typer signature's options do not count."""
    long: dict[str, int] = {}
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = node.body[0].lineno
                if ast.get_docstring(node) and len(node.body) > 1:
                    start = node.body[1].lineno
                length = (node.end_lineno or start) - start + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(CORE)}:{node.name}"] = length
    assert long == {}
