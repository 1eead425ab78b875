"""Comparison cells kept summarised in the store, so a matrix of a million claims is quick.

A cell (an actor or a proposal on an issue) is summarised by ``compare.moments.tally``.
The summaries live in ``cell_summaries``; triggers (migration 0004) list in
``stale_cells`` every cell whose claims, actors, documents or proposal changed since.
``refresh`` rebuilds just those cells from their claims' dates, stances and sources, so a
comparison costs one read per cell plus the claims behind each current stance, however
many claims stand behind the cells. After a bulk load every cell is stale and the first
refresh reads them all once (seconds per million claims).

Only comparisons over the whole record use the summaries: a date range changes what is
in every cell, so ``compare`` then summarises the claims in range as it loads them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import ColumnElement, Select, delete, func, insert, select, text, tuple_
from sqlalchemy.orm import Session

from peacetrack.compare.moments import Entry, Tally, tally
from peacetrack.model import Stance
from peacetrack.store.aggregate import comparison_conditions, load_claims
from peacetrack.store.queries import chunked
from peacetrack.store.schema import (
    CellSummaryRow,
    ClaimActor,
    ClaimRow,
    DocumentRow,
    ProposalRow,
    StaleCellRow,
)
from peacetrack.store.store import StoredClaim

if TYPE_CHECKING:
    from peacetrack.store.store import Store

Kind = Literal["actor", "proposal"]
Key = tuple[str, str]
#: Past this many stale cells of a kind, reading every claim once beats one query per cell.
WHOLE_READ = 64
_STANCES = {s.value: s for s in Stance}


def canonical_proposal() -> ColumnElement[Any]:
    """A claim's proposal column: the resolved proposal's name, else its own phrase."""
    return func.coalesce(ProposalRow.name, ClaimRow.proposal)


def refresh(store: Store) -> int:
    """Rebuild the stale cells' summaries; returns how many cells were rebuilt.

    Writers that would mark cells wait until this commits (SQLite's single writer; a
    table lock on PostgreSQL), so a mark made meanwhile is never lost with the ones read.
    """
    with store._read() as session:
        if session.scalar(select(StaleCellRow.kind).limit(1)) is None:
            return 0
    with store._write() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("LOCK TABLE stale_cells IN SHARE ROW EXCLUSIVE MODE"))
        stale: dict[Kind, set[Key]] = {"actor": set(), "proposal": set()}
        marks = select(StaleCellRow.kind, StaleCellRow.issue, StaleCellRow.col)
        for kind, issue, col in session.execute(marks):
            stale[kind].add((issue, col))  # type: ignore[index]
        for kind, keys in stale.items():
            if keys:
                _rebuild(session, kind, keys)
        session.execute(delete(StaleCellRow))
    return sum(len(keys) for keys in stale.values())


def _rebuild(session: Session, kind: Kind, keys: set[Key]) -> None:
    entries: dict[Key, list[Entry]] = {}
    for issue, col, claim_id, published, stance, source in session.execute(
        _entries_query(kind, keys)
    ):
        key = (issue, col)
        if key in keys:
            entries.setdefault(key, []).append(Entry(claim_id, published, _STANCES[stance], source))
    for chunk in chunked(sorted(keys)):
        session.execute(
            delete(CellSummaryRow).where(
                CellSummaryRow.kind == kind,
                tuple_(CellSummaryRow.issue, CellSummaryRow.col).in_(chunk),
            )
        )
    rows = [_row(kind, key, tally(found)) for key, found in entries.items()]
    if rows:
        session.execute(insert(CellSummaryRow), rows)


def _entries_query(kind: Kind, keys: set[Key]) -> Select[Any]:
    """Date, stance and source of every visible claim of the cells ``keys`` may name.

    Few cells are narrowed in SQL by their issues and columns (the exact pairs are picked
    in Python); many cells are read whole, one pass over the claims.
    """
    column = ClaimActor.actor_id if kind == "actor" else canonical_proposal()
    query = (
        select(
            ClaimRow.issue,
            column,
            ClaimRow.id,
            DocumentRow.published,
            ClaimRow.stance,
            func.coalesce(DocumentRow.source_id, DocumentRow.id),
        )
        .join(DocumentRow, DocumentRow.id == ClaimRow.document_id)
        .where(ClaimRow.status != "rejected")
    )
    if kind == "actor":
        query = query.join(
            ClaimActor, (ClaimActor.claim_id == ClaimRow.id) & (ClaimActor.role == "actor")
        )
    else:
        query = query.outerjoin(ProposalRow, ProposalRow.id == ClaimRow.proposal_id)
        query = query.where(column.is_not(None))
    if len(keys) <= WHOLE_READ:
        query = query.where(
            ClaimRow.issue.in_(sorted({i for i, _ in keys})),
            column.in_(sorted({c for _, c in keys})),
        )
    return query


def _row(kind: Kind, key: Key, found: Tally) -> dict[str, Any]:
    return {
        "kind": kind,
        "issue": key[0],
        "col": key[1],
        "stance": found.stance.value,
        "claims": found.claims,
        "sources": found.sources,
        "first": found.first,
        "last": found.last,
        "conflict": found.conflict,
        "changed": found.changed,
        "current": list(found.current),
    }


def summaries(
    store: Store,
    kind: Kind,
    *,
    issue_codes: Iterable[str] | None = None,
    columns: Sequence[str] | None = None,
) -> dict[Key, Tally]:
    """Every cell of ``kind`` (on these issues, in these columns), rebuilt first if stale."""
    refresh(store)
    query = select(CellSummaryRow).where(CellSummaryRow.kind == kind)
    if issue_codes is not None:
        query = query.where(CellSummaryRow.issue.in_(sorted(issue_codes)))
    if columns is not None:
        query = query.where(CellSummaryRow.col.in_(sorted(columns)))
    with store._read() as session:
        return {(row.issue, row.col): _tally(row) for row in session.scalars(query)}


def column_totals(store: Store, kind: Kind) -> dict[str, int]:
    """Claims per column (an actor's claims, a proposal's), the largest first.

    A claim names each of its actors once and has one issue, so summing an actor's cells
    counts each of its claims exactly once.
    """
    refresh(store)
    total = func.sum(CellSummaryRow.claims)
    query = (
        select(CellSummaryRow.col, total)
        .where(CellSummaryRow.kind == kind)
        .group_by(CellSummaryRow.col)
        .order_by(total.desc(), CellSummaryRow.col)
    )
    with store._read() as session:
        return {col: int(n) for col, n in session.execute(query)}


def _tally(row: CellSummaryRow) -> Tally:
    return Tally(
        stance=_STANCES[row.stance],
        claims=row.claims,
        sources=row.sources,
        first=row.first,
        last=row.last,
        conflict=row.conflict,
        changed=row.changed,
        current=tuple(row.current),
    )


def claims_by_id(store: Store, ids: Iterable[int]) -> dict[int, StoredClaim]:
    """The claims with these ids (those behind cells' current stances), by id."""
    found: dict[int, StoredClaim] = {}
    with store._read() as session:
        for chunk in chunked(sorted(set(ids))):
            found.update((s.id, s) for s in load_claims(session, [ClaimRow.id.in_(chunk)]))
    return found


def cell_claims(
    store: Store,
    kind: Kind,
    issue: str,
    column: str,
    *,
    actors: Sequence[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
) -> list[StoredClaim]:
    """The claims behind one cell under the comparison's filters, newest first.

    The cell page lists these; ``limit`` keeps a cell of thousands of claims readable.
    """
    if kind == "actor":
        actors = [column]
    where = comparison_conditions(actors, [issue], since, until)
    if kind == "proposal":
        where.append(canonical_proposal() == column)
    with store._read() as session:
        return load_claims(session, where, limit)
