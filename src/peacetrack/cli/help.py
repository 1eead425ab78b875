"""`--help` that reads as if a person wrote it, not as Python type names.

Typer shows each parameter's Python type: `--actor <list[str]>`, `--follow-links <bool>`,
`ingest {sources}...`. Here every option shows its metavar (`--actor ID[,ID...]`, given
where the option is declared) or a plain word for its type (TEXT, N, PATH, `csv|json`),
flags show nothing, and arguments show their name in capitals (`ingest SOURCE...`).

Typer builds its parameter objects itself, so the commands' parameters are switched to the
two subclasses below when the help is formatted (``Readable.get_params``); `readable_help`
gives every command of the app the class that does this, including the commands declared
in modules that do not know about it.
"""

from __future__ import annotations

import inspect
from typing import Any

import typer
from typer._click import Context, Parameter
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

#: Typer's type names as a reader would say them; None: a flag, which takes no value.
_WORDS: dict[str, str | None] = {
    "bool": None,
    "str": "TEXT",
    "int": "N",
    "float": "NUMBER",
    "path": "PATH",
    "Path": "PATH",
    "list[str]": "TEXT",
    "list[Path]": "PATH",
    "list[path]": "PATH",
}


def _plain_type(typed: str | None) -> str | None:
    """`<int>` -> N, `<table|md>` -> table|md, `<bool>` -> nothing."""
    if not typed:
        return typed
    name = typed.removeprefix("<").removesuffix(">")
    return _WORDS.get(name, name)


class ReadableOption(TyperOption):
    """An option shown by its metavar, or by a word for its type; a flag by nothing."""

    def display_type_rich(self, ctx: Context) -> str | None:
        if self.metavar is not None:
            return self.metavar
        if self.is_flag:
            return None
        return _plain_type(super().display_type_rich(ctx))


class ReadableArgument(TyperArgument):
    """An argument shown by its name in capitals (SOURCE...), in the usage line too."""

    @property
    def display_name_raw(self) -> str:
        return self.metavar or (self.name or "").upper()

    def display_type_rich(self, ctx: Context) -> str | None:
        return None

    def get_usage_pieces(self, ctx: Context) -> list[str]:
        name = self.display_name_raw
        if self.metavar is None and self.nargs != 1:
            name += "..."
        return [name if self.required else f"[{name}]"]


def _readable(param: Parameter) -> Parameter:
    if type(param) is TyperOption:
        param.__class__ = ReadableOption
    elif type(param) is TyperArgument:
        param.__class__ = ReadableArgument
    return param


def reflowed(text: str | None) -> str | None:
    """A docstring's paragraphs each on one line, for the terminal to wrap.

    Typer's rich help keeps a docstring's line breaks and Rich then wraps each line to the
    terminal, so a paragraph written at 92 columns reads as ragged lines with orphan words.
    """
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


class Readable:
    """Mixed into Typer's command and group classes: parameters shown for people, and
    the help text's paragraphs left to the terminal to wrap."""

    help: str | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = reflowed(self.help)

    def get_params(self, ctx: Context) -> list[Parameter]:
        params: list[Parameter] = super().get_params(ctx)  # type: ignore[misc]
        return [_readable(param) for param in params]


class ReadableCommand(Readable, TyperCommand):
    """A command whose help shows metavars and words, not Python types."""


class ReadableGroup(Readable, TyperGroup):
    """A group (the app, `documents`, `proposals`...) whose help reads like its commands'."""


def readable_help(app: typer.Typer) -> None:
    """Give every command and group of ``app`` the readable help classes, recursively
    (unless one was given its own class)."""
    if not app.info.cls or app.info.cls is TyperGroup:  # unset: None or a typer placeholder
        app.info.cls = ReadableGroup
    for command in app.registered_commands:
        if not command.cls or command.cls is TyperCommand:
            command.cls = ReadableCommand
    for group in app.registered_groups:
        if not group.cls or group.cls is TyperGroup:
            group.cls = ReadableGroup
        if group.typer_instance is not None:
            readable_help(group.typer_instance)
