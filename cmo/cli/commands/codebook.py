"""`cmo codebook`: each programme's codes with kind, label and use; `cmo codebook link` confirms a match across them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from cmo.cli.app import EXIT_FINDINGS, EXIT_OK, fail_usage
from cmo.cli.options import CorpusOption, ListFormat

if TYPE_CHECKING:
    from cmo.corpus.codebook_links import Link


class _ListByDefault(TyperGroup):
    """`cmo codebook [PATH]` lists, as it always has: anything not a subcommand's name goes to `list`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["list", *args]
        return super().parse_args(ctx, args)


_LIST_EXAMPLE = "Example: cmo codebook list corpus/northcliffe-connect --format json"
_LINK_EXAMPLE = (
    "Example: cmo codebook link northcliffe-connect:varied-careers riverside-bridges:diverse-work-backgrounds"
)
codebook_app = typer.Typer(
    name="codebook",
    epilog="Examples: cmo codebook; " + _LINK_EXAMPLE.removeprefix("Example: "),
    cls=_ListByDefault,
    help="List each programme's codes with kind, label and use (`cmo codebook [PATH]`); confirm matches (`link`).",
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    """Add `cmo codebook` (listing by default) and `cmo codebook link` to the `cmo` command."""
    codebook_app.command("list", epilog="Example: cmo codebook list corpus/northcliffe-connect --format json")(
        codebook_command
    )
    codebook_app.command(
        "link",
        epilog="Example: cmo codebook link northcliffe-connect:varied-careers riverside-bridges:diverse-work-backgrounds",
    )(link_command)
    app.add_typer(codebook_app, name="codebook")


def codebook_command(
    path: Annotated[Path | None, typer.Argument(help="Corpus or programme folder (default: corpus/).")] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.text,
) -> None:
    """List each programme's codes with kind, label and use; and codes used but never declared."""
    from cmo.cli.inputs import corpus_paths
    from cmo.cli.output import codebook_tables
    from cmo.corpus.codebook_usage import usage
    from cmo.corpus.coding import code_corpus

    result = code_corpus(corpus_paths([path] if path else None), keep_records=False)
    report = usage(result)
    if fmt is ListFormat.json:
        import json

        sys.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        codebook_tables(report)
    raise typer.Exit(EXIT_FINDINGS if report.undeclared else EXIT_OK)


def link_command(
    codes: Annotated[
        list[str],
        typer.Argument(
            metavar="PROGRAMME:CODE", help="The code to edit, then codes of other programmes that mean the same."
        ),
    ],
    reject: Annotated[
        bool,
        typer.Option("--reject", help="Record that they do NOT mean the same (not_same_as): never proposed again."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the change to the codebook; write nothing.")
    ] = False,
    corpus: CorpusOption = None,
) -> None:
    """Confirm a match: add the other codes to `same_as` of the first, in the codebook that declares it."""
    from cmo.cli.inputs import corpus_to_write, default_corpus
    from cmo.cli.output import print_diagnostics
    from cmo.corpus.codebook_links import CodeRef, link_codes

    refs = [CodeRef.parse(text) for text in codes]
    bad = [text for text, ref in zip(codes, refs, strict=True) if ref is None]
    if bad:
        fail_usage(f"give codes as PROGRAMME:CODE (e.g. northcliffe-connect:varied-careers), not {bad[0]!r}")
    if len(refs) < 2:
        fail_usage("cmo codebook link needs two codes or more: PROGRAMME:CODE PROGRAMME:CODE")
    root = (corpus or default_corpus()) if dry_run else corpus_to_write(corpus, "codebook link")
    link = link_codes(root, [ref for ref in refs if ref], reject=reject, dry_run=dry_run)
    if not link.ok:
        print_diagnostics(link.diagnostics.sorted())
        raise typer.Exit(EXIT_FINDINGS)
    sys.stdout.write(_summary(link, dry_run))
    raise typer.Exit(EXIT_OK)


def _summary(link: Link, dry_run: bool) -> str:
    """What was (or, in a dry run, would be) written, and each link asked for that held already."""
    import difflib

    from cmo.core.paths import display_path

    lines = [note + "\n" for note in link.held]
    if link.path is not None and link.added:
        shown = display_path(link.path)
        if dry_run:
            diff = difflib.unified_diff(
                link.before.splitlines(keepends=True), link.after.splitlines(keepends=True), shown, shown, n=1
            )
            lines += list(diff)
        verb = "would add" if dry_run else "added"
        assert link.first is not None
        added = ", ".join(ref.code for ref in link.added)
        sign = "=" if link.key == "same_as" else "!="
        others = ", ".join(str(ref) for ref in link.added)
        lines.append(f"{shown}: {verb} {added} to {link.key} of {link.first.code!r} ({link.first} {sign} {others})\n")
    if dry_run:
        lines.append("dry run: nothing written\n")
    return "".join(lines)
