"""The `cmo` typer app: global options, the exit codes, and turning every failure into a message, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from cmo import __version__
from cmo.cli.commands import LazyGroup

# The documented exit codes (README): ok, findings or data errors, usage errors, internal error, interrupted.
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

app = typer.Typer(
    name="cmo",
    help="Realist evaluation as plain text in git: annotated transcripts -> CMO records -> programme theories.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish and PowerShell
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    cls=LazyGroup,  # builds only the command a run invokes (cmo/cli/commands/__init__.py)
)

_state = {"debug": False, "demo_noticed": False}
# Click's base class of usage errors; recent typer vendors click, so find it rather than import it.
_USAGE_ERROR: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def fail_usage(message: str) -> NoReturn:
    """A usage error the arguments' types could not catch: one line on stderr, exit 2."""
    typer.echo(f"cmo: error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def reason(exc: OSError, path: Path | str | None = None) -> str:
    """Why a file could not be read or written, in words that name the culprit."""
    if isinstance(exc, FileExistsError | NotADirectoryError) and path is not None:
        # A folder was needed where a file is; errno's own words ("File exists") do not say which.
        for parent in [*Path(path).parents, Path(path)]:
            if parent.exists() and not parent.is_dir():
                return f"{parent} is a file, not a folder"
    return exc.strerror or str(exc) or type(exc).__name__


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cmo {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback on internal errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Realist evaluation as plain text in git."""
    _state["debug"] = debug


def run() -> NoReturn:
    """Console-script entry point: every way out mapped to a documented exit code."""
    _state["demo_noticed"] = False  # one notice per run that falls back on the demo corpus
    try:
        code = app(standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    except (KeyboardInterrupt, typer.Abort):
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except _USAGE_ERROR as exc:
        exc.show()  # type: ignore[attr-defined]
        sys.exit(EXIT_USAGE)
    except OSError as exc:  # the file system, not cmo: a file that cannot be read or written
        if _state["debug"]:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"cmo: error: {where}{reason(exc)}\n")
        sys.exit(EXIT_FINDINGS)
    except Exception as exc:  # the last line of defence against tracebacks
        if _state["debug"]:
            raise
        sys.stderr.write(f"cmo: internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)\n")
        sys.exit(EXIT_INTERNAL)
    if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C into a silent exit 130; say why we stopped
        sys.stderr.write("cmo: interrupted\n")
    sys.exit(code if isinstance(code, int) else EXIT_OK)
