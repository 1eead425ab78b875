"""`peacetrack claims`: list and filter stored claims, as a table or an export."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal, cast

import typer
from rich.table import Table

from peacetrack.cli.app import app
from peacetrack.cli.common import (
    ConflictOption,
    DbOption,
    OutputOption,
    SinceOption,
    UntilOption,
    console,
    fail,
    handled,
    open_store,
    write_stream,
)
from peacetrack.cli.documents import parse_date

if TYPE_CHECKING:
    from peacetrack.store import ClaimQuery, StoredClaim


#: Claims in one table page: about a screen, and cheap to lay out (a table costs about
#: 1 ms a row to measure and wrap).
PAGE = 20


class ClaimFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    json = "json"
    csv = "csv"
    md = "md"
    parquet = "parquet"


ActorsOption = Annotated[
    list[str] | None,
    typer.Option(metavar="ID[,...]", help="Actor ids, e.g. RUS,UKR. Repeatable."),
]
IssuesOption = Annotated[
    list[str] | None,
    typer.Option(
        metavar="ISSUE[,...]",
        help="Issue codes, groups or patterns, e.g. 'TER.*,CF.GENERAL'. Repeatable.",
    ),
]


def split_list(values: list[str] | None) -> list[str] | None:
    """Accept both `--actor RUS --actor UKR` and `--actor RUS,UKR`."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@app.command()
def claims(
    db: DbOption = None,
    actor: ActorsOption = None,
    issue: IssuesOption = None,
    stance: Annotated[
        list[str] | None,
        typer.Option(metavar="STANCE[,...]", help="Stances, e.g. demand,reject. Repeatable."),
    ] = None,
    document: Annotated[
        str | None, typer.Option(metavar="ID|NAME", help="One document, by id or name.")
    ] = None,
    extractor: Annotated[
        str | None, typer.Option(metavar="NAME", help="Only claims from this extractor.")
    ] = None,
    proposal: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Only claims of this proposal (a name or an alias)."),
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    conflict: ConflictOption = None,
    min_support: Annotated[
        str | None,
        typer.Option(
            "--min-support",
            metavar="LEVEL",
            help="Only claims whose own support is this level or above, weakest first: low, "
            "anonymous, named, reviewed (as the claims browser's support facet counts them).",
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help=f"At most this many claims (the table shows {PAGE} at a time; other "
            "formats give every claim unless limited).",
            min=1,
        ),
    ] = None,
    offset: Annotated[
        int, typer.Option(metavar="N", help="Skip this many claims first (the next page).", min=0)
    ] = 0,
    fmt: Annotated[
        ClaimFormat, typer.Option("--format", help="Output format.")
    ] = ClaimFormat.table,
    output: OutputOption = None,
) -> None:
    """List stored claims, filtered by actor, issue, stance, document, proposal, conflict,
    support or date."""
    from peacetrack.compare.vocabulary import (
        check_actors,
        check_issues,
        check_proposal,
        check_stances,
    )
    from peacetrack.support import parse_grade

    if fmt is ClaimFormat.table and output is not None:
        fail("--format table prints to the terminal; choose csv, jsonl, json, md or parquet")
    with open_store(db, create=False) as store, handled():
        chosen: ClaimQuery = {
            "actors": check_actors(split_list(actor), store),
            "issues": check_issues(split_list(issue)),
            "stances": check_stances(split_list(stance)),
            "document": int(document) if document and document.isdigit() else document,
            "extractor": extractor,
            "proposal": check_proposal(proposal, store),
            "since": parse_date(since),
            "until": parse_date(until),
            "conflict": conflict,
            "min_support": parse_grade(min_support) if min_support else None,
        }
        if fmt is ClaimFormat.table:
            shown = store.claims(**chosen, limit=PAGE if limit is None else limit, offset=offset)
            counted = store.claim_facets(**chosen, top=0, budget_ms=COUNT_MS)
            print_claims_table(shown, offset, counted.total, exact=counted.exact)
            return
        from peacetrack.compare.export import claim_text, export_claims

        found = store.iter_claims(**chosen, limit=limit, offset=offset)
        written = cast(Literal["csv", "jsonl", "json", "md", "parquet"], fmt.value)
        if output is not None:
            count = export_claims(found, output, written)
            console.print(f"wrote {_claims(count)} to {output}", style="dim")
        elif fmt is ClaimFormat.parquet:
            fail("parquet is binary: give a file with -o claims.parquet")
        else:
            write_stream(claim_text(found, written))


#: How long the table's page line may spend counting the claims past the first 10,001:
#: an exact total over a million claims reads every one of them.
COUNT_MS = 300


def _produced_by(stored: StoredClaim) -> str:
    """Who made the claim: a reviewer's status, else the extractor and model."""
    if stored.status != "extracted":
        return stored.status
    return stored.claim.produced_by or ""


def print_claims_table(
    found: Sequence[StoredClaim], offset: int, total: int, exact: bool = True
) -> None:
    """One page of claims for a person to read (places by name; codes stay in the file
    formats) and where it lies among all ``total`` the filters choose (more than
    ``total`` unless ``exact``): a table of a million rows would take minutes to lay out
    and no one would read it."""
    from peacetrack.compare.labels import place_name
    from peacetrack.vocabulary import UNASSIGNED

    # The conflict goes under the document's name: a column of its own would squeeze the
    # details and evidence out of a narrow terminal.
    table = Table("id", "doc", "actors", "stance", "issue", "details", "evidence", "by", box=None)
    for stored in found:
        c = stored.claim
        details = " ".join(
            part
            for part in (
                ", ".join(map(place_name, c.territories or [])),
                c.proposal and f"[{c.proposal}]",
                c.attribution and c.attribution.source and f"via {c.attribution.source}",
            )
            if part
        )
        table.add_row(
            str(stored.id),
            f"{stored.document_name}\n{stored.conflict or UNASSIGNED}",
            ",".join(c.actors),
            c.stance.value,
            c.issue,
            details,
            c.evidence if len(c.evidence) < 120 else c.evidence[:117] + "...",
            _produced_by(stored),
        )
    if found:
        console.print(table)
    console.print(_page_line(len(found), offset, total, exact), style="dim")


def _claims(count: int) -> str:
    """``1 claim``, ``2 claims``."""
    return f"{count} claim{'s' if count != 1 else ''}"


def _page_line(shown: int, offset: int, total: int, exact: bool = True) -> str:
    """``claims 1-20 of 80; next page: --offset 20`` (or the count alone when all show);
    ``of more than 10,000`` when counting them all would have kept the reader waiting."""
    of = f"{total}" if exact else f"more than {total:,}"
    if shown == total and offset == 0 and exact:
        return _claims(total)
    if shown == 0:
        return f"no claims after the first {offset} of {of}"
    line = f"claims {offset + 1}-{offset + shown} of {of}"
    if offset + shown < total or not exact:
        line += f"; next page: --offset {offset + shown}, all: --format csv or jsonl"
    return line
