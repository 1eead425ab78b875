"""`peacetrack codebook`: what the extractor knows (issues, actors, places) and the conflicts."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from peacetrack.cli.app import app
from peacetrack.cli.common import console, handled, write_output

if TYPE_CHECKING:
    from peacetrack.codebook import Codebook, Conflict

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


def _matches(search: str | None, words: Iterable[str]) -> bool:
    needle = (search or "").casefold()
    return not needle or any(needle in word.casefold() for word in words)


@codebook_app.command("actors")
def actors(
    search: Annotated[
        str | None, typer.Argument(help="Only actors whose id, name or alias contains this.")
    ] = None,
) -> None:
    """List actor ids with their names and the aliases reporters use."""
    table = Table("id", "name", "kind", "aliases", box=None)
    for a in _book().actors.values():
        if _matches(search, [a.id, a.name, *a.aliases, *a.adjectives]):
            table.add_row(a.id, a.name, a.kind, ", ".join(a.aliases))
    console.print(table)


@codebook_app.command("places")
def places(
    search: Annotated[
        str | None, typer.Argument(help="Only places whose code, name or alias contains this.")
    ] = None,
) -> None:
    """List the places written out in the codebook (countries come from ISO 3166)."""
    table = Table("code", "name", "aliases", box=None)
    for place in _book().places.values():
        if _matches(search, [place.code, place.name, *place.aliases]):
            table.add_row(place.code, place.name, ", ".join(place.aliases))
    console.print(table)


class ConflictFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


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
    """List the conflicts claims are assigned to, with their parties and start dates."""
    book = _book()
    chosen = [
        c
        for c in book.conflicts.values()
        if _matches(search, [c.id, c.name, *c.aliases, *c.parties])
    ]
    if fmt is ConflictFormat.table:
        table = Table("id", "name", "parties", "since", box=None)
        for c in chosen:
            parties = ", ".join(book.actor_name(a) for a in c.parties)
            table.add_row(c.id, c.name, parties, c.start.isoformat() if c.start else "")
        console.print(table)
        return
    records = [_conflict_record(c) for c in chosen]
    write_output(_json(records) if fmt is ConflictFormat.json else _csv(records), None)


def _conflict_record(conflict: Conflict) -> dict[str, object]:
    """A conflict as plain values, ids and codes kept as codes: machine formats read them."""
    return {
        "id": conflict.id,
        "name": conflict.name,
        "aliases": list(conflict.aliases),
        "parties": list(conflict.parties),
        "around": list(conflict.around),
        "places": list(conflict.places),
        "start": conflict.start.isoformat() if conflict.start else None,
    }


def _json(records: list[dict[str, object]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2)


def _csv(records: list[dict[str, object]]) -> str:
    """One row per conflict; list fields joined with "; " so a spreadsheet shows one cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "name", "aliases", "parties", "around", "places", "start"])
    for r in records:
        row = [r[k] for k in ("id", "name", "aliases", "parties", "around", "places", "start")]
        writer.writerow(["; ".join(v) if isinstance(v, list) else (v or "") for v in row])
    return out.getvalue()
