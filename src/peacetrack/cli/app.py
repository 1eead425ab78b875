"""The Typer application and its global options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peacetrack import __version__
from peacetrack.cli.common import handled

app = typer.Typer(
    name="peacetrack",
    help="Turn news reports about peace negotiations into a sourced, comparable record "
    "of who demands what.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"peacetrack {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    codebook: Annotated[
        list[Path] | None,
        typer.Option(
            "--codebook",
            metavar="FILE",
            help="An extra codebook TOML file (actors, aliases, places, issues); repeatable. "
            "Also read from PEACETRACK_CODEBOOK.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """PeaceTrack: who demands what in peace negotiations, with sources."""
    if codebook:
        from peacetrack.codebook import use_codebook

        with handled():
            use_codebook(*codebook)
