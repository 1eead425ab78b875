"""A claim as an entry of the comparison cells it fills, read in SQL.

A cell is an actor (or a proposal) on an issue, across conflicts (kinds ``actor`` and
``proposal``) or within one (``c-actor``, ``c-proposal``: the column is the conflict id, or
``unassigned``, a ``|`` and the actor or proposal). The cell summaries
(``store.cell_summaries``) and the cells' days (``store.cell_days``) both read claims
through ``read_entries``: only what the arithmetic of ``peacetrack.moments`` needs, never the
claims' texts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, func, select

from peacetrack.model import STANCE_BY_VALUE
from peacetrack.moments import Entry
from peacetrack.source import By, Key
from peacetrack.store.queries import ROW_BATCH, canonical_proposal
from peacetrack.store.tables import CLAIM_ACTORS, CLAIMS, DOCUMENTS, PROPOSALS
from peacetrack.support import BY_LABEL, claim_grade
from peacetrack.vocabulary import UNASSIGNED

Kind = Literal["actor", "proposal", "c-actor", "c-proposal"]
KINDS: tuple[Kind, ...] = ("actor", "proposal", "c-actor", "c-proposal")
#: Between a per-conflict cell's conflict and its actor or proposal.
SEPARATOR = "|"


def base_of(kind: Kind) -> By:
    """``actor`` or ``proposal``, whether across conflicts or within one."""
    return "actor" if kind in ("actor", "c-actor") else "proposal"


def column_of(kind: Kind) -> ColumnElement[Any]:
    """A claim's column in cells of ``kind``; within a conflict, prefixed with it."""
    base = CLAIM_ACTORS.c.actor_id.expression if base_of(kind) == "actor" else canonical_proposal()
    if kind in ("actor", "proposal"):
        return base
    return func.coalesce(CLAIMS.c.conflict, UNASSIGNED).concat(SEPARATOR).concat(base)


def read_entries(
    connection: Connection,
    kind: Kind,
    where: Sequence[ColumnElement[bool]],
    by_cell: bool = False,
    *,
    few: bool = False,
) -> Iterator[tuple[Key, Entry]]:
    """Each visible claim meeting ``where`` as an entry of each of its cells of ``kind``;
    ``by_cell``: one cell's entries after another, so a reader can fold each cell and let
    it go instead of holding every entry (the database sorts them). ``few``: ``where``
    picks a chunk of claims by id (``queries.chunked``), fetched at once: in batches, each
    chunk cost PostgreSQL a cursor declared, fetched twice and closed, four round trips
    instead of one (11 chunks for a million-claim comparison from a date)."""
    column = column_of(kind)
    query = (
        select(
            CLAIMS.c.issue,
            column,
            CLAIMS.c.id,
            DOCUMENTS.c.published,
            CLAIMS.c.stance,
            func.coalesce(DOCUMENTS.c.source_id, DOCUMENTS.c.id),
            DOCUMENTS.c.outlet,
            CLAIMS.c.status,
            CLAIMS.c.confidence,
            CLAIMS.c.attribution_anonymous,
        )
        .join(DOCUMENTS, DOCUMENTS.c.id == CLAIMS.c.document_id)
        .where(CLAIMS.c.status != "rejected", *where)
    )
    if base_of(kind) == "actor":
        query = query.join(
            CLAIM_ACTORS,
            (CLAIM_ACTORS.c.claim_id == CLAIMS.c.id) & (CLAIM_ACTORS.c.role == "actor"),
        )
    else:
        query = query.outerjoin(PROPOSALS, PROPOSALS.c.id == CLAIMS.c.proposal_id)
        query = query.where(column.is_not(None))
    if by_cell:
        query = query.order_by(CLAIMS.c.issue, column)
    # Read in batches (a server-side cursor on PostgreSQL): fetched at once, every row would
    # be held before the first is seen, 390 MB for a million claims.
    rows = connection.execute(query, execution_options={} if few else {"yield_per": ROW_BATCH})
    for issue, col, claim_id, published, stance, source, outlet, *graded in rows:
        entry = Entry(
            claim_id, published, STANCE_BY_VALUE[stance], source, claim_grade(*graded), outlet
        )
        yield (issue, col), entry


def kept_entry(
    claim_id: int, day: str | None, stance: str, source: int, grade: str, outlet: str | None
) -> Entry:
    """An entry of a cell summary's latest moment, as its ``latest`` column keeps it
    ([id, date, stance, source, grade, outlet]): the moment's entries without reading
    its claims."""
    published = date.fromisoformat(day) if day else None
    return Entry(claim_id, published, STANCE_BY_VALUE[stance], source, BY_LABEL[grade], outlet)
