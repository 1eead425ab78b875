"""`peacetrack documents`: list and show stored reports."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from peacetrack.cli.app import app
from peacetrack.cli.common import (
    DbOption,
    SinceOption,
    UntilOption,
    console,
    handled,
    label,
    open_store,
)

documents_app = typer.Typer(help="List and show stored documents.", no_args_is_help=True)
app.add_typer(documents_app, name="documents")


@documents_app.command("list")
def list_documents(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(metavar="N", help="How many, newest first.")] = 50,
    outlet: Annotated[str | None, typer.Option(metavar="NAME", help="Only this outlet.")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
) -> None:
    """List stored documents, newest first."""
    with open_store(db, create=False) as store, handled():
        docs = store.documents(
            limit=limit, outlet=outlet, since=parse_date(since), until=parse_date(until)
        )
        total = store.count_documents()
    table = Table("id", "name", "published", "outlet", "title", box=None)
    for doc in docs:
        table.add_row(
            str(doc.id), doc.name, str(doc.published or ""), doc.outlet or "", doc.title or ""
        )
    console.print(table)
    console.print(f"{len(docs)} of {total} documents", style="dim")


@documents_app.command("show")
def show_document(
    ref: Annotated[str, typer.Argument(metavar="ID|NAME", help="Document id or name.")],
    db: DbOption = None,
    text: Annotated[
        bool,
        typer.Option(
            "--text/--no-text",
            help="Print the full text after the metadata (the default), or only the metadata.",
            show_default=False,
        ),
    ] = True,
) -> None:
    """Show one document: metadata, near-duplicates and text."""
    with open_store(db, create=False) as store, handled():
        doc = store.get_document(int(ref) if ref.isdigit() else ref)
        assert doc.id is not None
        twins = store.near_duplicates(doc.id)
    for name, value in (
        ("id", doc.id),
        ("name", doc.name),
        ("title", doc.title),
        ("outlet", doc.outlet),
        ("author", doc.author),
        ("published", doc.published),
        ("url", doc.url),
        ("source", doc.source),
        ("near-duplicates", ", ".join(f"{i} ({s:.2f})" for i, s in twins) or None),
    ):
        if value not in (None, ""):
            console.print(label(name, value))
    if text:
        console.print()
        console.print(doc.text)


def parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        from peacetrack.cli.common import fail

        fail(f"date {value!r}: write it as YYYY-MM-DD, e.g. 2025-05-16")
