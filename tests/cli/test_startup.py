"""Start-up: a run builds (and imports) only the command it invokes, and prints just what the eager typer group did."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup

import cmo.cli.commands
from cmo.cli import app as cli_app
from cmo.cli.commands import COMMANDS, register_all, registrations
from tests.conftest import TRANSCRIPT, Result, corpus_files, write_tree

# Run `cmo ARGS...` as the console script does, then write the names of every module the run imported to a file.
_RUNNER = """\
import json, sys
from cmo.cli.main import run
target, sys.argv = sys.argv[1], ["cmo", *sys.argv[2:]]
try:
    run()
finally:
    open(target, "w").write(json.dumps(sorted(sys.modules)))
"""


def _imported(tmp_path: Path, *args: str | Path) -> tuple[int, set[str]]:
    target = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(target), *map(str, args)],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        check=False,
    )
    return done.returncode, set(json.loads(target.read_text()))


def test_validate_imports_no_other_command_and_no_theory_model(tmp_path: Path) -> None:
    corpus = write_tree(tmp_path / "corpus", corpus_files(**{"a-int-01": TRANSCRIPT}))
    code, modules = _imported(tmp_path, "validate", corpus)
    assert code == 0
    assert {name for name in modules if name.startswith("cmo.cli.commands.")} == {"cmo.cli.commands.validate"}
    # A corpus-only run checks no theory; compare's matching and the rich tables are no part of it either.
    assert not {"cmo.theory.check", "cmo.across.matching", "rich"} & modules


def test_help_imports_no_pydantic(tmp_path: Path) -> None:
    code, modules = _imported(tmp_path, "--help")
    assert code == 0
    assert "cmo.cli.commands.qdpx" in modules  # every command's line is there ...
    assert not {name for name in modules if name.split(".")[0] in {"pydantic", "rich"}}  # ... none's options


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the commands the `cmo` group builds, in the order it builds them."""
    assert not cli_app.app.registered_commands, "something registered every command on the app: all runs are eager"
    names: list[str] = []
    for function in ("get_command_from_info", "get_group_from_info"):
        real = getattr(cmo.cli.commands, function)

        def spy(info: object, *, _real: Callable[..., object] = real, **kwargs: object) -> object:
            names.append(str(getattr(info, "name", "")))
            return _real(info, **kwargs)

        monkeypatch.setattr(cmo.cli.commands, function, spy)
    yield names


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--help"], []),
        ([], []),
        (["-V"], []),
        (["valdate"], []),
        (["validate", "--help"], ["validate"]),
        (["validate", "--format", "xml"], ["validate"]),
        (["synthesize", "--help"], ["synthesize"]),
        (["qdpx", "export", "--help"], ["qdpx"]),
    ],
)
def test_a_run_builds_only_the_command_it_names(
    cli: Callable[..., Result], built: list[str], args: list[str], names: list[str]
) -> None:
    cli(*args)
    assert built == names


def test_the_table_names_each_command_where_its_module_registers_it() -> None:
    for module in set(COMMANDS.values()):
        own = registrations(module)
        registered = [info.name for info in own.registered_commands] + [sub.name for sub in own.registered_groups]
        assert registered == [name for name, where in COMMANDS.items() if where == module], module
    everything = typer.Typer()
    register_all(everything)
    # The table's order is the order typer's own group lists commands in: plain commands first, then groups.
    listed = [info.name for info in everything.registered_commands] + [g.name for g in everything.registered_groups]
    assert listed == list(COMMANDS)


@pytest.fixture(scope="module")
def eager() -> typer.Typer:
    """The `cmo` app as it was: every command registered up front, and typer's own group building them all."""
    app = copy.copy(cli_app.app)
    app.info = copy.copy(app.info)
    app.info.cls = TyperGroup
    app.registered_commands, app.registered_groups = [], []
    register_all(app)
    return app


_SAME = [
    [],
    ["--help"],
    ["-h"],
    ["--debug", "--help"],
    ["-V"],
    ["valdate"],
    ["synthesis"],
    ["nosuch"],
    ["--nosuch"],
    ["validate", "--nosuch"],
    ["validate", "--format", "xml"],
    ["code", "--jobs", "0"],
    ["qdpx"],
    ["qdpx", "nosuch"],
    ["codebook", "--help"],
    ["codebook", "link", "--help"],
    *([name, "--help"] for name in COMMANDS),
]


@pytest.mark.parametrize("args", _SAME, ids=" ".join)
def test_the_lazy_group_prints_what_the_eager_one_did(
    cli: Callable[..., Result], eager: typer.Typer, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    lazy = cli(*args)
    monkeypatch.setattr(cli_app, "app", eager)
    assert cli(*args) == lazy


@pytest.mark.parametrize("columns", ["40", "63", "64", "65", "200"])
def test_the_help_lines_are_cut_where_the_eager_group_cut_them(
    cli: Callable[..., Result], eager: typer.Typer, monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    lazy = cli("--help")
    monkeypatch.setattr(cli_app, "app", eager)
    assert cli("--help") == lazy


@pytest.mark.parametrize(
    ("words", "cword"),
    [("cmo ", 1), ("cmo s", 1), ("cmo --", 1), ("cmo qdpx ", 2), ("cmo validate --", 2), ("cmo validate -f ", 3)],
)
@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_is_what_the_eager_group_completed(
    cli: Callable[..., Result],
    eager: typer.Typer,
    monkeypatch: pytest.MonkeyPatch,
    shell: str,
    words: str,
    cword: int,
) -> None:
    for name, value in {"_CMO_COMPLETE": f"complete_{shell}", "COMP_WORDS": words, "COMP_CWORD": str(cword)}.items():
        monkeypatch.setenv(name, value)
    lazy = cli()
    assert lazy.exit_code == 0 and lazy.stdout.strip()
    monkeypatch.setattr(cli_app, "app", eager)
    assert cli() == lazy
