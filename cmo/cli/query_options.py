"""The filters `cmo query` and `cmo matrix` share, declared once, and the coded evidence both read."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from cmo.cli.app import EXIT_FINDINGS, fail_usage

if TYPE_CHECKING:
    from cmo.analysis.evidence import Evidence
    from cmo.analysis.selection import Filters

F = TypeVar("F", bound=Callable[..., Any])


def _many(flag: str, metavar: str, help_text: str, repeats: str = "Repeat for any of several.") -> Any:
    option = typer.Option(flag, metavar=metavar, help=f"{help_text} {repeats}", show_default=False)
    return Annotated[list[str] | None, option]


def _one(flag: str, metavar: str, help_text: str) -> Any:
    return Annotated[str | None, typer.Option(flag, metavar=metavar, help=help_text, show_default=False)]


# (parameter, option): every filter, in the order `--help` lists them. Repeats of one filter OR together;
# different filters AND.
FILTER_OPTIONS: list[tuple[str, Any]] = [
    ("code", _many("--code", "ID", "Records with this code in any role.")),
    ("context", _many("--context", "ID", "Records with this context code.")),
    ("intervention", _many("--intervention", "ID", "Records with this intervention code.")),
    ("actor", _many("--actor", "ID", "Records with this actor code.")),
    ("mechanism", _many("--mechanism", "ID", "Records with this mechanism code (given as resource or reasoning too).")),
    ("resource", _many("--resource", "ID", "Records with this code as the mechanism's resource.")),
    ("reasoning", _many("--reasoning", "ID", "Records with this code as the mechanism's reasoning.")),
    ("outcome", _many("--outcome", "ID", "Records with this outcome code.")),
    ("enabler", _many("--enabler", "ID", "Records with this enabler.")),
    ("barrier", _many("--barrier", "ID", "Records with this barrier.")),
    ("cmoc", _many("--cmoc", "ID", "Evidence of this CMOC (the theory's, else the block's own `cmoc`).")),
    ("source", _many("--source", "TYPE", "From this kind of data: interview, observation, document, workshop.")),
    ("stance", _many("--stance", "STANCE", "Evidence that supports, refutes or refines.")),
    (
        "elicited",
        Annotated[
            bool | None,
            typer.Option(
                "--elicited/--spontaneous",
                help="Only answers to a theory the evaluator put (elicited), or only unprompted accounts.",
                show_default=False,
            ),
        ],
    ),
    ("coder", _many("--coder", "NAME", "Coded by this coder.")),
    (
        "where",
        _many(
            "--where",
            "ATTR=VALUE",
            "A participant has this attribute (role too).",
            "One participant has every attribute named; a repeated attribute: any of its values.",
        ),
    ),
    ("transcript", _many("--transcript", "ID", "From this transcript (ID or PROGRAMME/ID).")),
    ("programme", _many("--programme", "ID", "From this programme.")),
    ("since", _one("--since", "DATE", "Transcripts dated on or after DATE (YYYY-MM-DD); undated ones never match.")),
    ("until", _one("--until", "DATE", "Transcripts dated on or before DATE (YYYY-MM-DD); undated ones never match.")),
    ("text", _many("--text", "WORDS", "The quote holds these words, as a phrase (case ignored).")),
]
FILTER_NAMES = tuple(name for name, _ in FILTER_OPTIONS)


def with_filters(command: F) -> F:
    """The command with every filter option added to its own, handed to it as `filters` (a FilterArgs)."""
    signature = inspect.signature(command, eval_str=True)
    own = [parameter for parameter in signature.parameters.values() if parameter.name != "filters"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
        for name, annotation in FILTER_OPTIONS
    ]
    parameters = [*own, *added]

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        given = {name: kwargs.pop(name, None) for name in FILTER_NAMES}
        return command(*args, filters=FilterArgs(given), **kwargs)

    run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters}
    return run  # type: ignore[return-value]


class FilterArgs:
    """The filter options as given on the command line, to be checked and made into `Filters`."""

    def __init__(self, given: dict[str, Any]) -> None:
        self.given = given

    def parse(self) -> Filters:
        """The filters, or a usage error (exit 2) for a value that is no date or no ATTR=VALUE."""
        from cmo.analysis.selection import FilterError, Filters, parse_date, parse_where

        given = self.given

        def many(name: str) -> tuple[str, ...]:
            return tuple(dict.fromkeys(value.strip() for value in given[name] or ()))

        try:
            since = parse_date(given["since"], "--since") if given["since"] is not None else None
            until = parse_date(given["until"], "--until") if given["until"] is not None else None
            where = tuple(parse_where(value) for value in given["where"] or ())
        except FilterError as exc:
            fail_usage(str(exc))
        roles = ("context", "intervention", "actor", "mechanism", "resource", "reasoning", "outcome")
        return Filters(
            codes=many("code"),
            **{name: many(name) for name in roles},
            enablers=many("enabler"),
            barriers=many("barrier"),
            cmocs=many("cmoc"),
            sources=many("source"),
            stances=many("stance"),
            elicited=given["elicited"],
            coders=many("coder"),
            where=where,
            transcripts=many("transcript"),
            programmes=many("programme"),
            since=since,
            until=until,
            texts=tuple(text for text in many("text") if text),
        )


def check_filters(filters: Filters, evidence: Evidence) -> None:
    """Usage errors (exit 2) for filter values the corpus does not know, each with a did-you-mean."""
    from cmo.analysis.selection import problems

    found = problems(filters, evidence)
    for problem in found[:-1]:
        typer.echo(f"cmo: error: {problem}", err=True)
    if found:
        fail_usage(found[-1])


def evidence_or_exit(paths: list[Path] | None, theories: Path | None, jobs: int | None, no_cache: bool) -> Evidence:
    """The coded evidence of the paths (default: the study's corpus), its problems printed on stderr."""
    from cmo.analysis.evidence import gather
    from cmo.cli.inputs import corpus_paths, theories_folder
    from cmo.cli.output import print_diagnostics, warn

    chosen = corpus_paths(paths)
    evidence = gather(chosen, theories_folder(theories, chosen), jobs=jobs, cache=not no_cache)
    warn(evidence.warnings)
    print_diagnostics(evidence.diagnostics)
    if not evidence.ok and not any(t.record_count for t in evidence.coding.transcripts):  # the errors say why
        raise typer.Exit(EXIT_FINDINGS)
    return evidence
