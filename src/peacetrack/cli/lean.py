"""Building only the command a run invokes.

Typer turns every registered command into a Click command before it parses anything,
reading each one's signature and options: some 40 commands cost a read of a small store
about a tenth of its start (benchmarks/bench_startup.py). Click only ever runs a command
whose name is one of the words on the command line, so a run that names commands needs
only those: ``invoked`` gives the app without the others. A run that names none (``--help``,
no arguments, a mistyped name, shell completion) gets the whole app, so Click lists and
suggests from every command as before.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import typer
from typer.main import get_command_name
from typer.models import CommandInfo, TyperInfo


def invoked(app: typer.Typer, args: Sequence[str]) -> typer.Typer:
    """``app`` with only the commands and groups that ``args`` name (and, in a group, only
    the subcommands they name); ``app`` itself when they name none of its commands."""
    words = set(args)
    commands = [c for c in app.registered_commands if _name(c) in words]
    groups = [g for g in app.registered_groups if g.name in words]
    if not commands and not groups:
        return app
    lean = copy.copy(app)
    lean.registered_commands = commands
    lean.registered_groups = [_group(g, args) for g in groups]
    return lean


def _name(command: CommandInfo) -> str | None:
    """The name Click knows a command by (Typer's rule: the function's, with dashes)."""
    if command.name:
        return command.name
    return get_command_name(command.callback.__name__) if command.callback else None


def _group(group: TyperInfo, args: Sequence[str]) -> TyperInfo:
    if group.typer_instance is None:
        return group
    lean = copy.copy(group)
    lean.typer_instance = invoked(group.typer_instance, args)
    return lean
