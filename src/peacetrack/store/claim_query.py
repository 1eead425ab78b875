"""Choosing claims: ``ClaimQuery``, the one form every listing, stream and count of claims
takes its filters in, and the SQL conditions it stands for.

``Store.claims``, ``Store.iter_claims`` and ``Store.claim_facets`` take the same keywords
(``**query: Unpack[ClaimQuery]``) and turn them into conditions here, once, so a page, its
export and its counts can never choose different claims.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from sqlalchemy import Column, ColumnElement, Connection, case, exists, func, or_, select

from peacetrack.source import Filters, StoredClaim
from peacetrack.store.queries import (
    Sort,
    document_id,
    filter_conditions,
    load_claims,
    sort_keys,
    stream_claims,
)
from peacetrack.store.tables import CELL_SUMMARIES, CLAIM_ACTORS, CLAIMS, DOCUMENTS
from peacetrack.support import CHECKED_STATUSES, LOW_CONFIDENCE, Support

if TYPE_CHECKING:
    from peacetrack.store.store import Store

#: Past this share of every claim, the chosen actors' claims are found by reading the list
#: in its order and checking each one's actors (a page fills after a few rows); under it,
#: their ids are read first, which is quicker when they are few.
DENSE = 0.02


class ClaimQuery(TypedDict, total=False):
    """What claims to choose; every key may be left out (no restriction).

    ``issues`` take codes, groups or patterns, ``conflict`` an id, name or alias or
    ``unassigned`` (checked by the codebook as ``peacetrack.source.Filters`` checks them);
    dates are publication dates; ``min_support`` keeps claims whose own grade
    (``support.claim_grade``) is at or above the level, as ``--min-support`` orders them.
    Rejected claims are left out unless ``include_rejected`` or ``status="rejected"``.
    """

    actors: Sequence[str] | None
    issues: Sequence[str] | None
    stances: Sequence[str] | None
    document: int | str | None
    extractor: str | None
    proposal: str | None
    since: date | None
    until: date | None
    outlet: str | None
    status: str | None
    include_rejected: bool
    conflict: str | None
    min_support: Support | None


def grade_column() -> ColumnElement[int]:
    """A claim's grade (``support.claim_grade``) in SQL, as its level's number, so claims
    are counted and chosen by support in the database."""
    return case(
        (CLAIMS.c.status.in_(CHECKED_STATUSES), int(Support.REVIEWED)),
        (CLAIMS.c.confidence < LOW_CONFIDENCE, int(Support.LOW)),
        (CLAIMS.c.attribution_anonymous.is_(True), int(Support.ANONYMOUS)),
        else_=int(Support.NAMED),
    )


def _filters(query: ClaimQuery) -> Filters:
    """``query``'s codebook filters but actors and issues (``_of_actors``, ``_of_issues``)."""
    return Filters(
        None,
        None,
        query.get("since"),
        query.get("until"),
        query.get("stances"),
        conflict=query.get("conflict"),
    )


def claim_conditions(
    connection: Connection,
    query: ClaimQuery,
    sort: Sort | None = None,
    *,
    in_order: bool = True,
) -> list[ColumnElement[bool]]:
    """The SQL conditions of ``query``, built in one place so a list and its counts never
    disagree. ``sort`` (the list's) and
    ``in_order`` (False for counts, read in any order) choose the form of the conditions
    that reads quickest."""
    where = filter_conditions(_filters(query))
    chosen = Filters(query.get("actors"), query.get("issues"))
    if chosen.actors:
        where.append(_of_actors(connection, chosen.actors))
    if chosen.issues:
        indexed = sort == "issue" or not in_order
        where.append(_of_issues(connection, chosen.issues, indexed))
    status = query.get("status")
    if status is not None:
        where.append(CLAIMS.c.status == status)
    elif not query.get("include_rejected", False):
        where.append(CLAIMS.c.status != "rejected")
    if (extractor := query.get("extractor")) is not None:
        where.append(CLAIMS.c.extractor == extractor)
    if (outlet := query.get("outlet")) is not None:
        where.append(DOCUMENTS.c.outlet == outlet)
    if (document := query.get("document")) is not None:
        where.append(CLAIMS.c.document_id == document_id(connection, document))
    if (proposal := query.get("proposal")) is not None:
        # The phrase analysis behind proposal names loads only for a listing by proposal.
        from peacetrack.store.proposal_words import proposal_ids_named

        named = proposal_ids_named(connection, proposal)
        where.append(or_(CLAIMS.c.proposal == proposal, CLAIMS.c.proposal_id.in_(named)))
    if (floor := query.get("min_support")) is not None and floor > Support.LOW:
        where.append(grade_column() >= int(floor))
    return where


def _of_actors(connection: Connection, actors: Sequence[str]) -> ColumnElement[bool]:
    """Claims naming one of ``actors``: an EXISTS checked row by row when they hold many
    claims (a million-claim list's first page then costs a few rows, not a list of 250,000
    ids), an IN list when they hold few (their ids are quicker to read than the list)."""
    named = CLAIM_ACTORS.alias()
    held = (named.c.role == "actor") & named.c.actor_id.in_(sorted(actors))
    if _share(connection, CELL_SUMMARIES.c.col, actors) < DENSE:
        return CLAIMS.c.id.in_(select(named.c.claim_id).where(held))
    return exists().where(named.c.claim_id == CLAIMS.c.id, held)


def _of_issues(connection: Connection, issues: Sequence[str], indexed: bool) -> ColumnElement[bool]:
    """Claims on one of ``issues``: through the issue index when they hold few claims (or
    ``indexed``: a list sorted by issue, a count), else checked row by row as the list is
    read in its order (``|| ''`` keeps the database from reading 100,000 claims by the
    index to sort them)."""
    if indexed or _share(connection, CELL_SUMMARIES.c.issue, issues) < DENSE:
        return CLAIMS.c.issue.in_(sorted(issues))
    return CLAIMS.c.issue.concat("").in_(sorted(issues))


def _share(connection: Connection, column: Column[str], values: Sequence[str]) -> float:
    """The share of the claims whose actor (``column`` col) or issue is one of ``values``,
    by the cell summaries as last built: a guess to choose a plan by, never a count shown."""
    total = select(func.sum(CELL_SUMMARIES.c.claims)).where(CELL_SUMMARIES.c.kind == "actor")
    every = connection.scalar(total) or 0
    theirs = connection.scalar(total.where(column.in_(sorted(values)))) or 0
    return theirs / every if every else 0.0


def read_claims(store: Store, query: ClaimQuery, **page: Unpack[Page]) -> list[StoredClaim]:
    """``Store.claims``: the chosen claims in reading order (or by ``sort``), a page of
    them when ``limit`` is given."""
    with store.reading() as connection:
        return load_claims(connection, **_reading(connection, query, page))


def stream(store: Store, query: ClaimQuery, **page: Unpack[Page]) -> Iterator[StoredClaim]:
    """``Store.iter_claims``: ``read_claims`` a chunk at a time, never all in memory."""
    with store.reading() as connection:
        yield from stream_claims(connection, **_reading(connection, query, page))


class Page(TypedDict):
    """Which of the chosen claims, in which order: ``Store.claims``'s paging arguments."""

    limit: int | None
    offset: int
    sort: Sort | None
    descending: bool


def _reading(connection: Connection, query: ClaimQuery, page: Page) -> dict[str, Any]:
    """What a list and its stream both read: conditions, page and first sort keys."""
    return {
        "where": claim_conditions(connection, query, page["sort"]),
        "limit": page["limit"],
        "offset": page["offset"],
        "first": sort_keys(page["sort"], page["descending"]),
    }


def unfiltered(query: ClaimQuery) -> bool:
    """Whether ``query`` chooses every claim a comparison sees (every one but rejected):
    the claims the cell summaries count, so their totals answer for it. No value given
    restricts (None, empty, ``False``, the lowest support level all choose every claim)."""
    return not any(query.values())
