"""`peacetrack proposals`: list, show, rename, merge and split the proposals claims belong to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from peacetrack.cli.app import app
from peacetrack.cli.common import ConflictOption, DbOption, console, handled, open_store
from peacetrack.terminal import plain

if TYPE_CHECKING:
    from peacetrack.store import ProposalInfo

proposals_app = typer.Typer(
    help="List proposals and correct how claims are grouped into them.", no_args_is_help=True
)
app.add_typer(proposals_app, name="proposals")

RefArgument = Annotated[
    str, typer.Argument(help="A proposal: its id, name, an alias, or a unique part of its name.")
]


def _print(info: ProposalInfo, verb: str) -> None:
    console.print(Text.assemble(f"{verb} proposal {info.id}: ", plain(info.name, "bold")))


@proposals_app.command("list")
def list_command(db: DbOption = None, conflict: ConflictOption = None) -> None:
    """List proposals, oldest first, with their conflict, kind, authors, aliases and claim
    count; proposals are grouped within one conflict."""
    from peacetrack.vocabulary import UNASSIGNED

    with open_store(db, create=False) as store, handled():
        found = store.proposals.list(conflict)
    table = Table(
        "id", "name", "conflict", "kind", "date", "authors", "claims", "aliases", box=None
    )
    for info in found:
        table.add_row(
            str(info.id),
            info.name,
            info.conflict or UNASSIGNED,
            info.kind,
            str(info.date or ""),
            ",".join(info.authors),
            str(info.claims),
            "; ".join(info.aliases),
        )
    console.print(table)
    console.print(f"{len(found)} proposals", style="dim")


@proposals_app.command("show")
def show_command(ref: RefArgument, db: DbOption = None) -> None:
    """Show one proposal: kind, date, authors, every alias and its number of claims."""
    from peacetrack.vocabulary import UNASSIGNED

    with open_store(db, create=False) as store, handled():
        info = store.proposals.get(ref)
    console.print(Text.assemble(plain(info.name, "bold"), f" (id {info.id})"))
    console.print(f"conflict: {info.conflict or UNASSIGNED}")
    console.print(f"kind:    {info.kind}")
    console.print(f"date:    {info.date or 'unknown'}")
    console.print(f"authors: {', '.join(info.authors) or 'unknown'}")
    console.print(f"aliases: {'; '.join(info.aliases) or 'none'}")
    console.print(f"claims:  {info.claims} (`peacetrack claims --proposal {info.name!r}`)")


@proposals_app.command("rename")
def rename_command(
    ref: RefArgument,
    new_name: Annotated[str, typer.Argument(help="The new name.")],
    db: DbOption = None,
) -> None:
    """Rename a proposal; the old name stays an alias, so re-extraction keeps the link."""
    with open_store(db, create=False) as store, handled():
        _print(store.proposals.rename(ref, new_name), "renamed")


@proposals_app.command("merge")
def merge_command(
    source: RefArgument,
    into: Annotated[str, typer.Argument(help="The proposal to merge SOURCE into.")],
    db: DbOption = None,
) -> None:
    """Merge SOURCE into INTO: its claims and names move there and SOURCE is deleted."""
    with open_store(db, create=False) as store, handled():
        _print(store.proposals.merge(source, into), "merged into")


@proposals_app.command("split")
def split_command(
    ref: RefArgument,
    alias: Annotated[str, typer.Argument(help="The alias to move, with its claims.")],
    new_name: Annotated[str, typer.Argument(help="Name of the new proposal.")],
    db: DbOption = None,
) -> None:
    """Split the claims named by one alias of a proposal off into a new proposal."""
    with open_store(db, create=False) as store, handled():
        _print(store.proposals.split(ref, alias, new_name), "created")
