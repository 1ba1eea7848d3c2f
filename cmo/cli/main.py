"""The `cmo` command: argument parsing, exit codes, and turning failures into messages, never tracebacks."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from cmo import __version__
from cmo.across.matching import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from cmo.core.diagnostics import Diagnostics
    from cmo.theory.model import Theory

app = typer.Typer(
    name="cmo",
    help="Realist evaluation as plain text in git: annotated transcripts -> CMO records -> programme theories.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
_state = {"debug": False}
# Click's base class of usage errors; recent typer vendors click, so find it rather than import it.
_USAGE_ERROR: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class RecordFormat(StrEnum):
    jsonl = "jsonl"
    json = "json"
    yaml = "yaml"


class DiagnosticFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


class ListFormat(StrEnum):
    text = "text"
    json = "json"


JobsOption = Annotated[
    int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores).", show_default=False)
]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Code every transcript again, ignoring (and not updating) the cache.")
]
ThresholdOption = Annotated[
    float, typer.Option("--threshold", min=0, max=100, help="Label similarity (0-100) for a fuzzy match.")
]
TheoriesOption = Annotated[Path, typer.Option("--theories", help="Folder of theory files.")]
CorpusOption = Annotated[
    Path | None, typer.Option("--corpus", help="Corpus whose codebooks give labels and same_as (default: corpus/).")
]
PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Corpus folder, programme folders or transcripts (default: corpus/).", show_default=False),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cmo {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback on internal errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Realist evaluation as plain text in git."""
    _state["debug"] = debug


def _paths(paths: list[Path] | None) -> list[Path]:
    from cmo.corpus.layout import default_corpus

    return list(paths) if paths else [default_corpus()]


def _theories_or_exit(names: list[str], theories: Path, diagnostics: Diagnostics) -> list[Theory]:
    """The named programme theories, or their problems printed and exit 1."""
    from cmo.across.compare import CompareError, load_theories
    from cmo.cli.output import print_diagnostics

    try:
        return load_theories(names, theories, diagnostics)
    except CompareError:
        print_diagnostics(diagnostics.sorted())
        raise typer.Exit(EXIT_FINDINGS) from None


def _warn(warnings: list[str]) -> None:
    """Notes that are not findings (say, the coding cache could not be saved): stderr, never the exit code."""
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)


def _fail_usage(message: str) -> NoReturn:
    typer.echo(f"cmo: error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def _reason(exc: OSError, path: Path | str | None = None) -> str:
    if isinstance(exc, FileExistsError | NotADirectoryError) and path is not None:
        # A folder was needed where a file is; errno's own words ("File exists") do not say which.
        for parent in [*Path(path).parents, Path(path)]:
            if parent.exists() and not parent.is_dir():
                return f"{parent} is a file, not a folder"
    return exc.strerror or str(exc) or type(exc).__name__


@contextlib.contextmanager
def writing(path: Path | str) -> Iterator[None]:
    """An OSError while writing `path` (read-only, full disk, a file where a folder should be) is a one-line error, exit 1."""
    try:
        yield
    except OSError as exc:
        typer.echo(f"cmo: error: cannot write {path}: {_reason(exc, path)}", err=True)
        raise typer.Exit(EXIT_FINDINGS) from None


def write_output(path: Path, chunks: Iterable[bytes | str]) -> None:
    """Write an --out file whole or not at all; a device or pipe (/dev/stdout, a FIFO) is written to, never replaced."""
    from cmo.core.files import write_chunks_atomic

    with writing(path):
        if path.exists() and not path.is_file() and not path.is_dir():
            with path.open("wb") as handle:
                for chunk in chunks:
                    handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        else:
            write_chunks_atomic(path, chunks)


@app.command("code")
def code_command(
    paths: PathsArg = None,
    out: Annotated[
        str | None, typer.Option("--out", "-o", help="Write the records to FILE ('-' for standard output).")
    ] = None,
    fmt: Annotated[RecordFormat, typer.Option("--format", "-f", help="Format of the records written.")] = (
        RecordFormat.jsonl
    ),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print diagnostics only, no summary.")] = False,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Parse and validate transcripts into CMO records; print a summary, optionally write the records."""
    from cmo.cli.output import coding_summary, console, print_diagnostics, tally
    from cmo.corpus.coding import code_corpus
    from cmo.render.records import record_chunks

    result = code_corpus(_paths(paths), jobs=jobs, cache=not no_cache, keep_records=out is not None)
    _warn(result.warnings)
    print_diagnostics(result.diagnostics)
    to_stdout = out == "-"
    if not quiet:
        summary = console(stderr=to_stdout)
        coding_summary(result, summary)
        summary.print(tally(result.diagnostics, len(result.transcripts)))
    if out is not None:
        if not result.ok:
            typer.echo("cmo: records not written: fix the errors above first", err=True)
        elif to_stdout:
            for chunk in record_chunks(result.iter_records(), fmt.value):
                sys.stdout.write(chunk)
        else:
            write_output(Path(out), record_chunks(result.iter_records(), fmt.value))
            if not quiet:
                count = sum(transcript.record_count for transcript in result.transcripts)
                typer.echo(f"wrote {count} records to {out}", err=True)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)


@app.command("validate")
def validate_command(
    paths: PathsArg = None,
    fmt: Annotated[DiagnosticFormat, typer.Option("--format", "-f", help="How to print findings.")] = (
        DiagnosticFormat.text
    ),
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Check transcripts, codebooks, programme files and theory files; print diagnostics only."""
    from cmo.cli.output import tally
    from cmo.core.diagnostics import Diagnostics, format_github, format_json, format_text
    from cmo.corpus.coding import code_corpus
    from cmo.corpus.layout import default_corpus
    from cmo.theory.check import check_theory, is_theory_path, theory_files

    given = _paths(paths)
    theories = [path for path in given if is_theory_path(path)]
    corpus_paths = [path for path in given if path not in theories]
    result = code_corpus(corpus_paths or [default_corpus()], jobs=jobs, cache=not no_cache, keep_records=False)
    _warn(result.warnings)
    found = Diagnostics()
    if corpus_paths:
        found.extend(result.diagnostics)
    checked = 0
    for folder in theories:
        for file in theory_files(folder):
            check_theory(file, result.corpus, found)
            checked += 1
    diagnostics = found.sorted()
    if fmt is DiagnosticFormat.json:
        sys.stdout.write(format_json(diagnostics))
    elif fmt is DiagnosticFormat.github:
        sys.stdout.write(format_github(diagnostics))
    else:
        sys.stdout.write(format_text(diagnostics))
        sys.stdout.flush()
        typer.echo(tally(diagnostics, len(result.transcripts) if corpus_paths else 0, checked), err=True)
    errors = any(d.severity == "error" for d in diagnostics)
    failed = errors or (strict and bool(diagnostics))
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


@app.command("codebook")
def codebook_command(
    path: Annotated[Path | None, typer.Argument(help="Corpus or programme folder (default: corpus/).")] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.text,
) -> None:
    """List each programme's codes with kind, label and use; and codes used but never declared."""
    from cmo.cli.output import codebook_tables
    from cmo.corpus.codebook_usage import usage
    from cmo.corpus.coding import code_corpus

    result = code_corpus(_paths([path] if path else None), keep_records=False)
    report = usage(result)
    if fmt is ListFormat.json:
        import json

        sys.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        codebook_tables(report)
    raise typer.Exit(EXIT_FINDINGS if report.undeclared else EXIT_OK)


@app.command("merge")
def merge_command(
    paths: PathsArg = None,
    theories: TheoriesOption = Path("theories"),
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when a theory file is stale against the corpus.")
    ] = False,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Build or update theories/<programme>.yaml from the records, keeping every curated field and comment."""
    from cmo.cli.output import print_diagnostics
    from cmo.core.files import LockTimeout, locked, write_atomic
    from cmo.corpus.coding import code_corpus
    from cmo.corpus.layout import display_path
    from cmo.theory.merge import merge_corpus

    result = code_corpus(_paths(paths), jobs=jobs, cache=not no_cache)
    _warn(result.warnings)
    print_diagnostics(result.diagnostics)
    if not result.ok:
        typer.echo("cmo: nothing merged: fix the errors above first", err=True)
        raise typer.Exit(EXIT_FINDINGS)
    try:
        with contextlib.ExitStack() as stack:
            # --check writes nothing, so it needs no lock; atomic renames keep what it reads whole.
            if not check:
                with writing(theories):
                    stack.enter_context(locked(theories))
            failed = False
            for outcome in merge_corpus(result, theories):
                print_diagnostics(outcome.diagnostics)
                shown = display_path(outcome.path)
                if outcome.text is None:
                    failed = True
                    typer.echo(f"{shown}: not merged: fix the errors above first", err=True)
                elif not outcome.changed:
                    if not check:
                        typer.echo(f"{shown}: up to date")
                elif check:
                    failed = True
                    typer.echo(f"{shown}: stale: run `cmo merge` to update it")
                else:
                    with writing(shown):
                        write_atomic(outcome.path, outcome.text)
                    typer.echo(f"{shown}: updated")
    except LockTimeout as exc:
        typer.echo(f"cmo: another merge is running ({exc})", err=True)
        raise typer.Exit(EXIT_FINDINGS) from None
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


class CompareFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"


@app.command("compare")
def compare_command(
    programmes: Annotated[
        list[str], typer.Argument(help="Two or more programme ids (theories/<id>.yaml) or theory files.")
    ],
    fmt: Annotated[CompareFormat, typer.Option("--format", "-f", help="Output format.")] = CompareFormat.text,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    theories: TheoriesOption = Path("theories"),
    corpus: CorpusOption = None,
) -> None:
    """Compare programme theories: attributes, codes by role (converge / diverge), CMOCs paired across programmes."""
    from cmo.across.compare import compare
    from cmo.core.diagnostics import Diagnostics
    from cmo.corpus.layout import default_corpus, discover
    from cmo.render.compare_text import format_json, format_markdown, format_text

    if len(programmes) < 2:
        _fail_usage("compare needs at least two programmes")
    diagnostics = Diagnostics()
    loaded = _theories_or_exit(programmes, theories, diagnostics)
    codebooks = Diagnostics()  # a corpus with problems still gives labels; `cmo validate` reports them
    comparison = compare(loaded, discover([corpus or default_corpus()], codebooks), threshold)
    render = {CompareFormat.text: format_text, CompareFormat.md: format_markdown, CompareFormat.json: format_json}[fmt]
    sys.stdout.write(render(comparison))
    raise typer.Exit(EXIT_OK)


@app.command("import")
def import_command(
    source: Annotated[str, typer.Argument(help="Programme (or theory file) to import CMOCs from.")],
    into: Annotated[str, typer.Option("--into", help="Programme (or theory file) to import them into.")],
    cmoc: Annotated[list[str] | None, typer.Option("--cmoc", help="Only this CMOC (repeat for several).")] = None,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    theories: TheoriesOption = Path("theories"),
    corpus: CorpusOption = None,
) -> None:
    """Carry CMOCs from one programme theory into another as hypotheses to test (status: imported)."""
    from cmo.across.compare import codebooks_for, resolve_theory
    from cmo.across.importing import ImportFailed, import_text, translations
    from cmo.cli.output import print_diagnostics
    from cmo.core.diagnostics import Diagnostics
    from cmo.core.files import LockTimeout, locked, write_atomic
    from cmo.corpus.layout import default_corpus, discover, display_path

    diagnostics = Diagnostics()
    loaded = _theories_or_exit([source, into], theories, diagnostics)
    origin, target = loaded
    found = discover([corpus or default_corpus()], Diagnostics())
    codebooks = codebooks_for(loaded, found)
    kinds = {
        p.id: {code: declared.code.kind.value for code, declared in p.codes.items()}
        for p in (found.programmes.values() if found else [])
    }
    path = resolve_theory(into, theories)
    shown = display_path(path)
    translate = translations(origin, target, codebooks, kinds, threshold)
    try:
        with contextlib.ExitStack() as stack:
            with writing(shown):
                stack.enter_context(locked(path.parent))
            text, imported = import_text(
                origin,
                target,
                path.read_bytes().decode("utf-8-sig"),
                translate,
                codebooks[target.programme.id],
                cmoc,
                diagnostics,
                shown,
            )
            if text != path.read_bytes().decode("utf-8-sig"):
                with writing(shown):
                    write_atomic(path, text)
    except ImportFailed:
        print_diagnostics(diagnostics.sorted())
        raise typer.Exit(EXIT_FINDINGS) from None
    except LockTimeout as exc:
        typer.echo(f"cmo: another merge or import is running ({exc})", err=True)
        raise typer.Exit(EXIT_FINDINGS) from None
    print_diagnostics(diagnostics.sorted())
    typer.echo(f"{shown}: {len(imported)} CMOCs imported from {origin.programme.id}")
    raise typer.Exit(EXIT_FINDINGS if diagnostics.errors else EXIT_OK)


def synthesise_command(
    programmes: Annotated[
        list[str], typer.Argument(help="Two or more programme ids (theories/<id>.yaml) or theory files.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The overarching theory file to write.")] = Path(
        "theories/overarching.yaml"
    ),
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 when --out is stale.")] = False,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    theories: TheoriesOption = Path("theories"),
    corpus: CorpusOption = None,
) -> None:
    """Write an overarching theory: converged CMOCs and concepts across programmes, and what is context-specific."""
    from cmo.across.compare import compare
    from cmo.across.synthesis import synthesis_text
    from cmo.cli.output import print_diagnostics
    from cmo.core.diagnostics import Diagnostics
    from cmo.core.files import LockTimeout, locked, write_atomic
    from cmo.corpus.layout import default_corpus, discover, display_path
    from cmo.theory.model import is_overarching, parse_document, readable

    if len(programmes) < 2:
        _fail_usage("synthesise needs at least two programmes")
    diagnostics = Diagnostics()
    shown = display_path(out)
    loaded = _theories_or_exit(programmes, theories, diagnostics)
    comparison = compare(loaded, discover([corpus or default_corpus()], Diagnostics()), threshold)
    try:
        with contextlib.ExitStack() as stack:
            if not check:
                with writing(shown):
                    stack.enter_context(locked(out.parent))
            existing = None
            if out.exists():
                raw = out.read_bytes()
                data = parse_document(raw, shown, diagnostics)
                if readable(data) and not is_overarching(data):
                    diagnostics.add(
                        shown, 1, 1, "not-overarching", "this file is not an overarching theory; not overwritten"
                    )
                if diagnostics.errors:
                    print_diagnostics(diagnostics.sorted())
                    raise typer.Exit(EXIT_FINDINGS)
                existing = raw.decode("utf-8-sig").replace("\r\n", "\n")
            text = synthesis_text(existing, comparison, shown, diagnostics)
            print_diagnostics(diagnostics.sorted())
            if text == existing:
                typer.echo(f"{shown}: up to date")
            elif check:
                typer.echo(f"{shown}: stale: run `cmo synthesise` to update it")
                raise typer.Exit(EXIT_FINDINGS)
            else:
                with writing(shown):
                    write_atomic(out, text)
                typer.echo(f"{shown}: updated")
    except LockTimeout as exc:
        typer.echo(f"cmo: another merge is running ({exc})", err=True)
        raise typer.Exit(EXIT_FINDINGS) from None
    raise typer.Exit(EXIT_OK)


app.command("synthesise")(synthesise_command)
app.command("synthesize", hidden=True)(synthesise_command)  # the same, in US spelling


class ReportFormat(StrEnum):
    text = "text"
    html = "html"
    md = "md"
    xlsx = "xlsx"
    csv = "csv"
    json = "json"


_SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".xlsx": "xlsx", ".csv": "csv", ".json": "json"}


@app.command("report")
def report_command(
    programmes: Annotated[
        list[str] | None,
        typer.Argument(
            help="Programme ids or theory files (default: every programme theory in --theories).", show_default=False
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option("--format", "-f", help="Output format (default: from --out's suffix, else text)."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")] = None,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    theories: TheoriesOption = Path("theories"),
    corpus: CorpusOption = None,
) -> None:
    """Render what people read: one programme's theory, or the comparison of several, as HTML, Markdown, Excel, CSV, JSON or text."""
    from cmo.across.compare import compare
    from cmo.cli.output import console
    from cmo.core.diagnostics import Diagnostics
    from cmo.corpus.layout import default_corpus, discover
    from cmo.render.view import build_report
    from cmo.theory.model import is_overarching, parse_document

    chosen = fmt.value if fmt else _SUFFIX_FORMATS.get(out.suffix.lower(), "text") if out else "text"
    if chosen == "xlsx" and out is None:
        _fail_usage("--format xlsx needs --out FILE")
    names = list(programmes or [])
    if not names:
        # As `cmo validate`: a folder or a dangling link named *.yaml is no theory file.
        for path in sorted(p for p in theories.glob("*.yaml") if p.is_file()):
            if not is_overarching(parse_document(path.read_bytes(), str(path), Diagnostics())):
                names.append(path.stem)
        if not names:
            _fail_usage(f"no programme theories in {theories}/ (run `cmo merge` first)")
    diagnostics = Diagnostics()
    with _progress(f"loading {len(names)} programme theories") as _:
        loaded = _theories_or_exit(names, theories, diagnostics)
        comparison = None
        if len(loaded) > 1:
            comparison = compare(loaded, discover([corpus or default_corpus()], Diagnostics()), threshold)
        report = build_report(loaded, comparison)
    if chosen == "text" and out is None:
        from cmo.cli.report_text import print_report

        print_report(report, console())
        raise typer.Exit(EXIT_OK)
    data: str | bytes
    if chosen == "html":
        from cmo.render.html import render_html

        data = render_html(report)
    elif chosen == "md":
        from cmo.render.markdown import render_markdown

        data = render_markdown(report)
    elif chosen == "json":
        from cmo.render.json_data import render_json

        data = render_json(report)
    elif chosen == "csv":
        from cmo.render.spreadsheet import render_csv

        data = render_csv(report)
    elif chosen == "xlsx":
        from cmo.render.spreadsheet import render_xlsx

        data = render_xlsx(report)
    else:
        import io

        from rich.console import Console

        from cmo.cli.report_text import print_report

        buffer = io.StringIO()
        print_report(report, Console(file=buffer, width=160, highlight=False))
        data = buffer.getvalue()
    if out is None:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
    else:
        write_output(out, [data])
        typer.echo(f"wrote {out}")
    raise typer.Exit(EXIT_OK)


@contextlib.contextmanager
def _progress(description: str) -> Iterator[None]:
    """A transient spinner on long runs, only when a person is watching a terminal."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    # On stderr, so a report written to standard output is never mixed with the spinner.
    spinner = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        transient=True,
        console=Console(stderr=True),
    )
    with spinner as progress:
        progress.add_task(description, total=None)
        yield


from cmo.cli import diff as diff_cli  # noqa: E402 - registers onto `app`, defined above

diff_cli.register(app)

from cmo.cli import qdpx as qdpx_cli  # noqa: E402 - registers onto `app`, defined above

qdpx_cli.register(app)


def run() -> NoReturn:
    """Console-script entry point: map every way out to a documented exit code."""
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
        sys.stderr.write(f"cmo: error: {where}{_reason(exc)}\n")
        sys.exit(EXIT_FINDINGS)
    except Exception as exc:  # the last line of defence against tracebacks
        if _state["debug"]:
            raise
        sys.stderr.write(f"cmo: internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)\n")
        sys.exit(EXIT_INTERNAL)
    if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C into a silent exit 130; say why we stopped
        sys.stderr.write("cmo: interrupted\n")
    sys.exit(code if isinstance(code, int) else EXIT_OK)
