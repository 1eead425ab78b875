"""`peacetrack codebook`: what the extractor knows (issues, actors, places)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from peacetrack.cli.app import app
from peacetrack.cli.common import console, handled

codebook_app = typer.Typer(
    help="Show the codebook in force: built-in plus any --codebook files.", no_args_is_help=True
)
app.add_typer(codebook_app, name="codebook")


@codebook_app.command("issues")
def issues(
    group: Annotated[str | None, typer.Argument(help="Only this group, e.g. TER.")] = None,
) -> None:
    """List issue codes with their labels and definitions."""
    from peacetrack.codebook import default_codebook

    with handled():
        book = default_codebook()
        codes = book.expand_issues([group]) if group else list(book.issues)
    table = Table("code", "label", "definition", "PA-X", box=None)
    for code in codes:
        issue = book.issues[code]
        table.add_row(code, issue.label, issue.definition, issue.pax or "")
    console.print(table)


@codebook_app.command("actors")
def actors(
    search: Annotated[
        str | None, typer.Argument(help="Only actors whose id, name or alias contains this.")
    ] = None,
) -> None:
    """List actor ids with their names and the aliases reporters use."""
    from peacetrack.codebook import default_codebook

    with handled():
        book = default_codebook()
    needle = (search or "").casefold()
    table = Table("id", "name", "kind", "aliases", box=None)
    for actor in book.actors.values():
        words = [actor.id, actor.name, *actor.aliases, *actor.adjectives]
        if needle and not any(needle in word.casefold() for word in words):
            continue
        table.add_row(actor.id, actor.name, actor.kind, ", ".join(actor.aliases))
    console.print(table)


@codebook_app.command("places")
def places(
    search: Annotated[
        str | None, typer.Argument(help="Only places whose code, name or alias contains this.")
    ] = None,
) -> None:
    """List the places written out in the codebook (countries come from ISO 3166)."""
    from peacetrack.codebook import default_codebook

    with handled():
        book = default_codebook()
    needle = (search or "").casefold()
    table = Table("code", "name", "aliases", box=None)
    for place in book.places.values():
        words = [place.code, place.name, *place.aliases]
        if needle and not any(needle in word.casefold() for word in words):
            continue
        table.add_row(place.code, place.name, ", ".join(place.aliases))
    console.print(table)
