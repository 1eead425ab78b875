"""`peacetrack codebook`: what the extractor knows (issues, actors, places) and the conflicts."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from peacetrack.cli.app import app
from peacetrack.cli.common import console, handled, open_store, write_output

if TYPE_CHECKING:
    from peacetrack.codebook import Codebook, Conflict
    from peacetrack.conflicts import ConflictCount

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


@dataclass
class ConflictRow:
    """One line of the listing: a conflict (None: the unassigned claims) and its counts."""

    conflict: Conflict | None
    count: ConflictCount | None = None

    def record(self) -> dict[str, object]:
        """Plain values for JSON and CSV, ids and codes kept as codes: machines read them."""
        c = self.conflict
        row: dict[str, object] = {
            "id": c.id if c else None,
            "name": c.name if c else "(unassigned)",
            "aliases": list(c.aliases) if c else [],
            "parties": list(c.parties) if c else [],
            "around": list(c.around) if c else [],
            "places": list(c.places) if c else [],
            "start": c.start.isoformat() if c and c.start else None,
        }
        if self.count is not None:
            n = self.count
            row["documents"], row["claims"] = n.documents, n.claims
            row["first"] = n.first.isoformat() if n.first else None
            row["last"] = n.last.isoformat() if n.last else None
        return row


@codebook_app.command("conflicts")
def conflicts(
    search: Annotated[
        str | None,
        typer.Argument(help="Only conflicts whose id, name, alias or party contains this."),
    ] = None,
    fmt: Annotated[
        ConflictFormat, typer.Option("--format", help="Output format.")
    ] = ConflictFormat.table,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="FILE|URL",
            help="Also count the documents and claims of this store per conflict, with "
            "their date range (claims are assigned as they are read).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """List the conflicts claims are assigned to, with their parties and start dates."""
    book = _book()
    rows = [
        ConflictRow(c)
        for c in book.conflicts.values()
        if _matches(search, [c.id, c.name, *c.aliases, *c.parties])
    ]
    if db is not None:
        rows = _with_counts(rows, book, db, unassigned=search is None)
    if fmt is ConflictFormat.table:
        _print_conflicts(rows, book)
        return
    records = [row.record() for row in rows]
    write_output(_json(records) if fmt is ConflictFormat.json else _csv(records), None)


def _with_counts(
    rows: list[ConflictRow], book: Codebook, db: str, *, unassigned: bool
) -> list[ConflictRow]:
    """The rows with the store's counts, and a row for unassigned claims when the whole list
    is shown: those claims fit no conflict and must not vanish from the totals."""
    from peacetrack.conflicts import conflict_counts

    with open_store(db, create=False) as store, handled():
        counts = {n.conflict: n for n in conflict_counts(store.claims(), book)}
    counted = [ConflictRow(r.conflict, counts[r.conflict.id if r.conflict else None]) for r in rows]
    if unassigned:
        counted.append(ConflictRow(None, counts[None]))
    return counted


def _print_conflicts(rows: list[ConflictRow], book: Codebook) -> None:
    """Parties by name and the start date; with counts, parties by id and no start date, so
    the counts and date range still fit a terminal."""
    counted = any(r.count is not None for r in rows)
    columns = [
        "id",
        "name",
        "parties",
        *(("documents", "claims", "first", "last") if counted else ("since",)),
    ]
    table = Table(*columns, box=None)
    table.columns[1].min_width = 14  # "(unassigned)" and most names fit unbroken
    for row in rows:
        c = row.conflict
        parties = ", ".join(c.parties if counted else map(book.actor_name, c.parties)) if c else ""
        cells = [c.id if c else "", c.name if c else "(unassigned)", parties]
        if row.count is None:
            cells.append(c.start.isoformat() if c and c.start else "")
        else:
            n = row.count
            cells += [str(n.documents), str(n.claims)]
            cells += [n.first.isoformat() if n.first else "", n.last.isoformat() if n.last else ""]
        table.add_row(*cells)
    console.print(table)


def _json(records: list[dict[str, object]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2)


#: CSV columns; list fields are joined with "; " so a spreadsheet shows one cell each.
_CSV_FIELDS = ("id", "name", "aliases", "parties", "around", "places", "start")
_CSV_COUNTS = ("documents", "claims", "first", "last")


def _csv(records: list[dict[str, object]]) -> str:
    fields = [*_CSV_FIELDS, *(_CSV_COUNTS if records and "claims" in records[0] else ())]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for r in records:
        values = [r[k] for k in fields]
        writer.writerow(["; ".join(map(str, v)) if isinstance(v, list) else v for v in values])
    return out.getvalue()
