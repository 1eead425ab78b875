"""`peacetrack conflicts` (each conflict's documents, claims and dates in a store) and
`peacetrack reassign` (a reviewer puts a claim or a document in another conflict).

The listing is shared with `peacetrack codebook conflicts`, which shows the same rows
without a store: one row shape, one table, one JSON and one CSV form.
"""

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
from peacetrack.cli.common import (
    DbOption,
    OutputOption,
    console,
    fail,
    handled,
    open_store,
    write_output,
)

if TYPE_CHECKING:
    from peacetrack.codebook import Codebook, Conflict
    from peacetrack.store import ConflictCount

#: What `peacetrack conflicts` calls the claims that fit no conflict.
UNASSIGNED_NAME = "(unassigned)"


class ConflictFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@dataclass
class ConflictRow:
    """One line of a listing: a conflict id (None: the unassigned claims), its codebook
    entry (None for the unassigned, or an id this codebook lacks) and its counts."""

    key: str | None
    conflict: Conflict | None
    count: ConflictCount | None = None

    @property
    def name(self) -> str:
        if self.conflict is not None:
            return self.conflict.name
        return UNASSIGNED_NAME if self.key is None else self.key

    def record(self) -> dict[str, object]:
        """Plain values for JSON and CSV, ids and codes kept as codes: machines read them."""
        c = self.conflict
        row: dict[str, object] = {
            "id": self.key,
            "name": self.name,
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


def matches(search: str | None, words: Iterable[str]) -> bool:
    needle = (search or "").casefold()
    return not needle or any(needle in word.casefold() for word in words)


def codebook_rows(book: Codebook, search: str | None) -> list[ConflictRow]:
    """The codebook's conflicts whose id, name, alias or party contains ``search``."""
    return [
        ConflictRow(c.id, c)
        for c in book.conflicts.values()
        if matches(search, [c.id, c.name, *c.aliases, *c.parties])
    ]


def print_listing(
    rows: list[ConflictRow], book: Codebook, fmt: ConflictFormat, output: OutputOption = None
) -> None:
    """The rows as a table on the terminal, or as JSON or CSV (to ``output`` if given)."""
    if fmt is ConflictFormat.table and output is None:
        _print_table(rows, book)
        return
    records = [row.record() for row in rows]
    write_output(_csv(records) if fmt is ConflictFormat.csv else _json(records), output)


def _print_table(rows: list[ConflictRow], book: Codebook) -> None:
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
        cells = [row.key or "", row.name, parties]
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


@app.command("conflicts")
def conflicts(
    search: Annotated[
        str | None,
        typer.Argument(help="Only conflicts whose id, name, alias or party contains this."),
    ] = None,
    db: DbOption = None,
    fmt: Annotated[
        ConflictFormat, typer.Option("--format", help="Output format.")
    ] = ConflictFormat.table,
    output: OutputOption = None,
) -> None:
    """Each conflict's documents and claims in the store, with their date range.

    The claims that fit no conflict are listed too, as (unassigned): they are never
    folded into a conflict. Pick one for other commands with --conflict ID.
    """
    from peacetrack.codebook import default_codebook
    from peacetrack.conflicts import conflict_counts

    with open_store(db, create=False) as store, handled():
        book = default_codebook()
        counts = conflict_counts(store, book)
    wanted = {r.key for r in codebook_rows(book, search)}
    rows = [
        ConflictRow(n.conflict, book.conflicts.get(n.conflict or ""), n)
        for n in counts
        if search is None or n.conflict in wanted or matches(search, [n.conflict or ""])
    ]
    print_listing(rows, book, fmt, output)


@app.command("reassign")
def reassign(
    conflict: Annotated[
        str,
        typer.Argument(
            metavar="CONFLICT",
            help="A conflict id, name or alias; 'unassigned'; or, for a document, 'auto' to "
            "let its claims decide again.",
        ),
    ],
    claim: Annotated[
        int | None, typer.Option("--claim", metavar="ID", help="The claim to reassign.")
    ] = None,
    document: Annotated[
        str | None,
        typer.Option("--document", metavar="ID|NAME", help="Reassign all of its claims."),
    ] = None,
    reviewer: Annotated[
        str, typer.Option(metavar="NAME", help="Who decides, for the audit trail.")
    ] = "anonymous",
    db: DbOption = None,
) -> None:
    """Put a claim, or every claim of a document, in another conflict.

    Each changed claim gets an audit row (see a claim's history in the web app). The
    choice survives re-extraction: a reassigned claim counts as reviewed, and a document's
    conflict is given to the claims extracted from it later.
    """
    if (claim is None) == (document is None):
        fail("give either --claim ID or --document ID|NAME")
    with open_store(db, create=False) as store, handled():
        if claim is not None:
            if conflict.strip().lower() == "auto":
                fail("'auto' applies to documents only: give the claim's conflict")
            done = store.review.reassign(claim, conflict, reviewer)
            console.print(f"claim {done.id}: {done.conflict or 'unassigned'}")
            return
        ref: int | str = int(document) if document and document.isdigit() else document or ""
        auto = conflict.strip().lower() == "auto"
        found = store.review.reassign_document(ref, None if auto else conflict, reviewer)
        for stored in found:
            console.print(f"claim {stored.id}: {stored.conflict or 'unassigned'}")
