"""`peacetrack conflicts` (each conflict's documents, claims and dates in a store) and
`peacetrack reassign` (a reviewer puts a claim or a document in another conflict).

The listing is shared with `peacetrack codebook conflicts`, which shows the same rows
without a store, and its JSON and CSV are the web app's (``peacetrack.conflicts``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from peacetrack.cli.app import app
from peacetrack.cli.common import (
    DbOption,
    OutputOption,
    console,
    err_console,
    fail,
    handled,
    open_store,
    write_output,
)

if TYPE_CHECKING:
    from peacetrack.codebook import Codebook
    from peacetrack.conflicts import ConflictLine


class ConflictFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def print_listing(
    rows: list[ConflictLine], book: Codebook, fmt: ConflictFormat, output: OutputOption = None
) -> None:
    """The rows as a table on the terminal, or as JSON or CSV (to ``output`` if given)."""
    from peacetrack.conflicts import lines_csv, lines_json

    if fmt is ConflictFormat.table and output is None:
        if not rows:
            err_console.print(
                "no conflict matches; `peacetrack codebook conflicts` lists them all",
                highlight=False,
            )
            return
        _print_table(rows, book)
        return
    with handled():
        write_output(lines_csv(rows) if fmt is ConflictFormat.csv else lines_json(rows), output)


def _print_table(rows: list[ConflictLine], book: Codebook) -> None:
    """Parties by name and the start date; with counts, the counts and date range instead
    (`peacetrack codebook conflicts` shows the parties), so a line fits a terminal."""
    counted = any(r.count is not None for r in rows)
    columns = [
        "id",
        "name",
        *(("docs", "claims", "first", "last") if counted else ("parties", "since")),
    ]
    table = Table(*columns, box=None)
    for column in table.columns:
        # Ids, counts and dates are never cut; names and parties wrap instead.
        column.no_wrap = column.header not in ("name", "parties")
    table.columns[1].min_width = 14  # "(unassigned)" and most names fit unbroken
    for row in rows:
        c = row.conflict
        cells = [row.key or "", row.name]
        if row.count is None:
            cells.append(", ".join(map(book.actor_name, c.parties)) if c else "")
            cells.append(c.start.isoformat() if c and c.start else "")
        else:
            n = row.count
            cells += [str(n.documents), str(n.claims)]
            cells += [n.first.isoformat() if n.first else "", n.last.isoformat() if n.last else ""]
        table.add_row(*cells)
    console.print(table)


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
    from peacetrack.conflicts import conflict_lines

    with open_store(db, create=False) as store, handled():
        book = default_codebook()
        rows = conflict_lines(store, book, search)
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
