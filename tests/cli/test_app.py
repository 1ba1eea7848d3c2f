"""The `cmo` app: its exit codes, the usage-error path of each kind of command, and the curated-file writes."""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer

from cmo import __version__
from cmo.cli import app as cli_app
from cmo.cli.commands import register_all
from cmo.core.files import LockTimeout
from tests.conftest import REPO, Result

DEMO = ["northcliffe-connect", "riverside-bridges"]


def test_the_exit_codes_are_the_documented_ones() -> None:
    codes = (cli_app.EXIT_OK, cli_app.EXIT_FINDINGS, cli_app.EXIT_USAGE, cli_app.EXIT_INTERNAL)
    assert (*codes, cli_app.EXIT_INTERRUPTED) == (0, 1, 2, 3, 130)


def test_fail_usage_prints_one_line_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exited:
        cli_app.fail_usage("no good")
    assert exited.value.exit_code == 2
    assert capsys.readouterr() == ("", "cmo: error: no good\n")


def test_every_command_is_registered_once() -> None:
    app = typer.Typer()  # not the `cmo` app itself: it builds each command as a run names it
    register_all(app)
    register_all(app)  # again: a no-op
    names = [command.name for command in app.registered_commands]
    assert names == [
        "init",
        "code",
        "validate",
        "merge",
        "compare",
        "import",
        "synthesise",
        "synthesize",
        "report",
        "diff",
        "query",
        "matrix",
        "agreement",
        "lsp",
        "schema",
    ]
    assert [group.name for group in app.registered_groups] == ["codebook", "qdpx"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "alpha"], "compare needs at least two programmes"),
        (["synthesise", "alpha"], "synthesise needs at least two programmes"),
        (["report", "alpha", "--format", "xlsx"], "--format xlsx needs --out FILE"),
        (["diff", "old.yaml"], "give two theory files (cmo diff OLD.yaml NEW.yaml), or one with --rev REV"),
        (["qdpx", "export", "alpha"], "cmo qdpx export needs --out FILE.qdpx"),
        (
            ["qdpx", "import", "x.qdpx", "--programme", "Not A Slug"],
            "programme id 'Not A Slug' must be a slug (lower-case letters, digits and '-')",
        ),
    ],
)
def test_usage_errors_the_command_finds_exit_2(cli: Callable[..., Result], args: list[str], message: str) -> None:
    assert cli(*args) == Result(2, "", f"cmo: error: {message}\n")


def test_report_with_no_theories_is_a_usage_error(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("report", "--theories", tmp_path)
    assert result == Result(2, "", f"cmo: error: no programme theories in {tmp_path}/ (run `cmo merge` first)\n")


@pytest.mark.parametrize(
    "args",
    [
        ["code", "--jobs", "0"],
        ["codebook", "--format", "xml"],
        ["merge", "--no-such-option"],
        ["import", "alpha"],  # --into is required
        ["compare", "a", "b", "--threshold", "101"],
        ["report", "--format", "pdf"],
    ],
)
def test_usage_errors_typer_finds_exit_2(cli: Callable[..., Result], args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Error" in result.stderr


def test_data_errors_exit_1(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("compare", "alpha", "beta", "--theories", tmp_path)
    assert result.exit_code == 1
    assert "error[theory-missing]: no theory file for 'alpha'" in result.stderr


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo's theories and corpus as the working directory."""
    shutil.copytree(REPO / "theories", tmp_path / "theories")
    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every writers' lock is held by another process."""
    import cmo.core.files

    @contextlib.contextmanager
    def busy(folder: Path, *args: object, **kwargs: object) -> Iterator[None]:
        raise LockTimeout(f"{folder}/.cmo-merge.lock is held by another process")
        yield

    monkeypatch.setattr(cmo.core.files, "locked", busy)


@pytest.mark.parametrize(
    ("args", "others"),
    [
        (["merge"], "merge"),
        (["import", DEMO[0], "--into", DEMO[1]], "merge or import"),
        (["synthesise", *DEMO], "merge"),
    ],
)
def test_a_held_lock_names_the_commands_that_hold_it(
    demo: Path, held: None, cli: Callable[..., Result], args: list[str], others: str
) -> None:
    before = {path.name: path.read_bytes() for path in (demo / "theories").iterdir()}
    result = cli(*args)
    assert result.exit_code == 1
    lock = "theories/.cmo-merge.lock is held by another process"
    assert result.stderr.endswith(f"cmo: another {others} is running ({lock})\n")
    assert {path.name: path.read_bytes() for path in (demo / "theories").iterdir()} == before


def test_check_takes_no_lock_and_writes_nothing(demo: Path, held: None, cli: Callable[..., Result]) -> None:
    assert cli("merge", "--check") == Result(0, "", "")
    assert cli("synthesise", *DEMO, "--check") == Result(0, "theories/overarching.yaml: up to date\n", "")


def test_synthesise_check_reports_a_stale_file(demo: Path, cli: Callable[..., Result]) -> None:
    out = demo / "theories" / "overarching.yaml"
    out.unlink()
    result = cli("synthesise", *DEMO, "--check")
    assert result == Result(1, "theories/overarching.yaml: stale: run `cmo synthesise` to update it\n", "")
    assert not out.exists()


def test_a_curated_file_that_cannot_be_written_is_one_line(
    demo: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cmo.core.files

    def refused(path: Path, text: str) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(cmo.core.files, "write_atomic", refused)
    (demo / "theories" / "overarching.yaml").unlink()
    result = cli("synthesise", *DEMO)
    assert result.exit_code == 1
    assert result.stderr.endswith("cmo: error: cannot write theories/overarching.yaml: Permission denied\n")


def _commands(group: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [(*prefix, command.name) for command in group.registered_commands if command.name and not command.hidden]
    for sub in group.registered_groups:
        assert sub.name is not None and sub.typer_instance is not None
        found.append((*prefix, sub.name))
        found += _commands(sub.typer_instance, (*prefix, sub.name))
    return found


def test_every_command_help_ends_with_an_example(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = typer.Typer()
    register_all(everything)
    names = _commands(everything)
    assert ("merge",) in names and ("codebook", "link") in names and ("qdpx", "export") in names
    for name in names:
        monkeypatch.setattr(sys, "argv", ["cmo", *name, "--help"])
        with pytest.raises(SystemExit):
            cli_app.run()
        out = capsys.readouterr().out
        assert "Example: cmo " in out or "Examples: cmo " in out, name


def test_dash_capital_v_is_the_version(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["cmo", "-V"])
    with pytest.raises(SystemExit) as exit_info:
        cli_app.run()
    assert (exit_info.value.code, capsys.readouterr().out) == (0, f"cmo {__version__}\n")
