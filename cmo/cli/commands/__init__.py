"""The subcommands, one module each: the `cmo` group builds only the one a run invokes; `register_all` adds them all."""

from __future__ import annotations

import functools
import importlib
import inspect
import weakref
from collections.abc import Iterator, MutableMapping
from gettext import gettext as _
from typing import Any

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info, get_group_from_info, solve_typer_info_defaults

# Every command name and the module that registers it, in the order `cmo --help` lists them (typer lists
# groups, codebook and qdpx, after plain commands). tests/cli/test_startup.py checks this against the modules.
COMMANDS = {
    "init": "init",
    "code": "code",
    "validate": "validate",
    "merge": "merge",
    "compare": "compare",
    "import": "importing",
    "synthesise": "synthesise",
    "synthesize": "synthesise",
    "report": "report",
    "diff": "diff",
    "query": "query",
    "matrix": "matrix",
    "agreement": "agreement",
    "lsp": "lsp",
    "schema": "schema",
    "codebook": "codebook",
    "qdpx": "qdpx",
}

_registered: weakref.WeakSet[typer.Typer] = weakref.WeakSet()  # not ids: a new app may reuse a dead one's


@functools.cache
def registrations(module: str) -> typer.Typer:
    """What one command module registers, on a Typer of its own: each module registers once per process."""
    own = typer.Typer()
    importlib.import_module(f"{__name__}.{module}").register(own)
    return own


def register_all(app: typer.Typer) -> None:
    """Add every command to `app`, once, in the order `cmo --help` lists them."""
    if app in _registered:
        return
    _registered.add(app)
    for module in dict.fromkeys(COMMANDS.values()):
        own = registrations(module)
        app.registered_commands.extend(own.registered_commands)
        app.registered_groups.extend(own.registered_groups)


def _build(name: str, group: TyperGroup, *, summary: bool = False) -> _click.Command | None:
    """The click command `name` as typer builds it; with `summary`, only what its line in `cmo --help` needs."""
    from cmo.cli.app import app

    own = registrations(COMMANDS[name])
    for info in own.registered_commands:
        if info.name == name:
            if summary:  # get_short_help_str reads help, short_help and deprecated; format_commands reads hidden
                text = inspect.getdoc(info.callback) if info.help is None else inspect.cleandoc(info.help)
                return TyperCommand(
                    name,
                    help=text,
                    short_help=info.short_help,
                    hidden=info.hidden,
                    deprecated=info.deprecated,
                )
            return get_command_from_info(
                info, pretty_exceptions_short=app.pretty_exceptions_short, rich_markup_mode=group.rich_markup_mode
            )
    for sub in own.registered_groups:
        if sub.name == name:
            if summary:
                solved = solve_typer_info_defaults(sub)
                return TyperCommand(
                    name,
                    help=solved.help,
                    short_help=solved.short_help,
                    hidden=solved.hidden,
                    deprecated=solved.deprecated,
                )
            return get_group_from_info(
                sub,
                pretty_exceptions_short=app.pretty_exceptions_short,
                suggest_commands=group.suggest_commands,
                rich_markup_mode=group.rich_markup_mode,
            )
    return None  # pragma: no cover - COMMANDS names a command its module does not register (a test checks)


class _Commands(MutableMapping[str, _click.Command]):
    """The group's commands by name: every name known at once, each command built when first asked for."""

    def __init__(self, built: MutableMapping[str, _click.Command], group: TyperGroup) -> None:
        self._built = dict(built)
        self._group = group

    def __getitem__(self, name: str) -> _click.Command:
        if name not in self._built:
            command = _build(name, self._group) if name in COMMANDS else None
            if command is None:
                raise KeyError(name)
            self._built[name] = command
        return self._built[name]

    def __setitem__(self, name: str, command: _click.Command) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self._built if name not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS) + sum(1 for name in self._built if name not in COMMANDS)

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self._built

    def summary(self, name: str) -> _click.Command | None:
        """The command itself once built; until then a stand-in with its help line, hidden and deprecated only."""
        if name in self._built or name not in COMMANDS:
            return self._built.get(name)
        return _build(name, self._group, summary=True)


class LazyGroup(TyperGroup):
    """The `cmo` group: builds the invoked command only, so a run never pays for its neighbours' options."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(self.commands, self)

    def list_commands(self, ctx: _click.Context) -> list[str]:
        """TyperGroup's, by name alone (its `commands.items()` would build every command)."""
        return list(self.commands)

    def format_commands(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        """TyperGroup's listing, each line from the command's registration rather than a built command."""
        commands = self.commands
        if not isinstance(commands, _Commands):  # pragma: no cover - someone replaced the mapping
            super().format_commands(ctx, formatter)
            return
        listed = [(name, commands.summary(name)) for name in self.list_commands(ctx)]
        shown = [(name, command) for name, command in listed if command is not None and not command.hidden]
        if shown:
            limit = formatter.width - 6 - max(len(entry[0]) for entry in shown)
            with formatter.section(_("Commands")):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in shown])
