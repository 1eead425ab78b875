"""`peacetrack codebook`: what the extractor knows (issues, actors, places) and the conflicts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from peacetrack.cli.app import app
from peacetrack.cli.common import console, err_console, handled
from peacetrack.cli.conflicts import ConflictFormat, print_listing

if TYPE_CHECKING:
    from peacetrack.codebook import Codebook

codebook_app = typer.Typer(
    help="Show the codebook in force: built-in plus any --codebook files.", no_args_is_help=True
)
app.add_typer(codebook_app, name="codebook")


@codebook_app.command("issues")
def issues(
    group: Annotated[str | None, typer.Argument(help="Only this group, e.g. TER.")] = None,
) -> None:
    """List issue codes with their labels and definitions."""
    book = _book()
    with handled():
        codes = book.expand_issues([group]) if group else list(book.issues)
    table = Table("code", "label", "definition", "PA-X", box=None)
    for code in codes:
        issue = book.issues[code]
        table.add_row(code, issue.label, issue.definition, issue.pax or "")
    console.print(table)


def _book() -> Codebook:
    from peacetrack.codebook import default_codebook

    with handled():
        return default_codebook()


@codebook_app.command("actors")
def actors(
    search: Annotated[
        str | None, typer.Argument(help="Only actors whose id, name or alias contains this.")
    ] = None,
) -> None:
    """List actor ids with their names and the aliases reporters use."""
    from peacetrack.conflicts import matches

    table = Table("id", "name", "kind", "aliases", box=None)
    for a in _book().actors.values():
        if matches(search, [a.id, a.name, *a.aliases, *a.adjectives]):
            table.add_row(a.id, a.name, a.kind, ", ".join(a.aliases))
    _print_found(table, "actor", search)


@codebook_app.command("places")
def places(
    search: Annotated[
        str | None, typer.Argument(help="Only places whose code, name or alias contains this.")
    ] = None,
) -> None:
    """List the places written out in the codebook (countries come from ISO 3166)."""
    from peacetrack.conflicts import matches

    table = Table("code", "name", "aliases", box=None)
    for place in _book().places.values():
        if matches(search, [place.code, place.name, *place.aliases]):
            table.add_row(place.code, place.name, ", ".join(place.aliases))
    _print_found(table, "place", search)


def _print_found(table: Table, what: str, search: str | None) -> None:
    """The table, or, when the search matched nothing, a sentence saying so: an empty
    table with headers only reads like a fault."""
    if table.row_count:
        console.print(table)
        return
    err_console.print(
        f"no {what} matches {search!r}; `peacetrack codebook {what}s` lists them all",
        highlight=False,
    )


@codebook_app.command("conflicts")
def conflicts(
    search: Annotated[
        str | None,
        typer.Argument(help="Only conflicts whose id, name, alias or party contains this."),
    ] = None,
    fmt: Annotated[
        ConflictFormat, typer.Option("--format", help="Output format.")
    ] = ConflictFormat.table,
) -> None:
    """List the conflicts claims are assigned to, with their parties and start dates.

    `peacetrack conflicts` counts a store's documents and claims per conflict.
    """
    from peacetrack.conflicts import codebook_lines

    book = _book()
    print_listing(codebook_lines(book, search), book, fmt)
