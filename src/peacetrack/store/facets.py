"""Choosing claims for a list, and facet counts: how many of the chosen claims each value has.

A claims browser shows, beside each filter, the values it can take with their counts. The
counts are GROUP BY queries on the same conditions as the list (``queries.filter_conditions``
and the store's own), so a million claims are counted in the database, never loaded, and
each facet returns at most ``top`` values, the most frequent first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, aliased

from peacetrack.source import Filters
from peacetrack.store.proposal_resolver import proposal_ids_named
from peacetrack.store.queries import filter_conditions
from peacetrack.store.schema import ClaimActor, ClaimRow, DocumentRow, ProposalRow
from peacetrack.vocabulary import UNASSIGNED

#: The fields counted, in the order a page shows them: the conflict first, as a user picks it.
FACETS = ("conflict", "actor", "issue", "stance", "outlet", "extractor", "status")


@dataclass(frozen=True)
class ClaimFilters:
    """What ``Store.claims`` and ``Store.claim_facets`` choose by, beside ``Filters``:
    one value, so the list and its counts are always of the same claims."""

    filters: Filters
    document: int | str | None = None
    extractor: str | None = None
    proposal: str | None = None
    outlet: str | None = None
    status: str | None = None
    include_rejected: bool = False


class ClaimQuery(TypedDict, total=False):
    """``Store.claims``'s filters as keywords, for what takes them through whole: the
    streamed listing (``Store.iter_claims``), a command giving its page and count alike."""

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


def claim_filters(query: ClaimQuery) -> ClaimFilters:
    q = query
    return ClaimFilters(
        Filters(
            q.get("actors"),
            q.get("issues"),
            q.get("since"),
            q.get("until"),
            q.get("stances"),
            conflict=q.get("conflict"),
        ),
        document=q.get("document"),
        extractor=q.get("extractor"),
        proposal=q.get("proposal"),
        outlet=q.get("outlet"),
        status=q.get("status"),
        include_rejected=q.get("include_rejected", False),
    )


@dataclass(frozen=True)
class ClaimFacets:
    """The chosen claims' total and, per facet, (value, count) pairs, most frequent first."""

    total: int
    counts: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def claim_conditions(
    session: Session, chosen: ClaimFilters, document_id: Callable[[Session, int | str], int]
) -> list[ColumnElement[bool]]:
    """The SQL conditions of ``Store.claims`` and ``Store.claim_facets``, built in one place
    so a list and its counts never disagree; ``document_id`` resolves a document's name."""
    where = filter_conditions(chosen.filters)
    if chosen.status is not None:
        where.append(ClaimRow.status == chosen.status)
    elif not chosen.include_rejected:
        where.append(ClaimRow.status != "rejected")
    if chosen.extractor is not None:
        where.append(ClaimRow.extractor == chosen.extractor)
    if chosen.outlet is not None:
        where.append(DocumentRow.outlet == chosen.outlet)
    if chosen.document is not None:
        where.append(ClaimRow.document_id == document_id(session, chosen.document))
    if chosen.proposal is not None:
        named = proposal_ids_named(session, chosen.proposal)
        where.append(or_(ClaimRow.proposal == chosen.proposal, ClaimRow.proposal_id.in_(named)))
    return where


def _column(name: str) -> ColumnElement[Any]:
    columns: dict[str, Any] = {
        # Claims that fit no conflict are counted as such, by the value --conflict takes.
        "conflict": func.coalesce(ClaimRow.conflict, UNASSIGNED),
        "issue": ClaimRow.issue,
        "stance": ClaimRow.stance,
        "outlet": DocumentRow.outlet,
        "extractor": ClaimRow.extractor,
        "status": ClaimRow.status,
    }
    return columns[name]  # type: ignore[no-any-return]


def _chosen(where: Sequence[ColumnElement[bool]]) -> Any:
    """The ids of the chosen claims, joined as the list joins them."""
    return (
        select(ClaimRow.id)
        .join(DocumentRow, DocumentRow.id == ClaimRow.document_id)
        .outerjoin(ProposalRow, ProposalRow.id == ClaimRow.proposal_id)
        .where(*where)
    )


def _facet(session: Session, name: str, where: Sequence[ColumnElement[bool]], top: int) -> Any:
    """One facet's GROUP BY: actors through claim_actors, the rest on a column."""
    count = func.count().label("n")
    if name == "actor":
        actor = aliased(ClaimActor)
        query = (
            select(actor.actor_id, count)
            .where(actor.role == "actor", actor.claim_id.in_(_chosen(where)))
            .group_by(actor.actor_id)
        )
    else:
        column = _column(name)
        query = (
            select(column, count)
            .select_from(ClaimRow)
            .join(DocumentRow, DocumentRow.id == ClaimRow.document_id)
            .outerjoin(ProposalRow, ProposalRow.id == ClaimRow.proposal_id)
            .where(*where, column.is_not(None))
            .group_by(column)
        )
    return session.execute(query.order_by(count.desc(), query.selected_columns[0]).limit(top))


def claim_facets(
    session: Session, where: Sequence[ColumnElement[bool]], top: int = 20
) -> ClaimFacets:
    """The total of the claims meeting ``where`` and each facet's ``top`` values (no
    facets for ``top=0``: the total alone, for a caller that only needs to count)."""
    total = session.scalar(select(func.count()).select_from(_chosen(where).subquery())) or 0
    counts = {
        name: [(str(value), int(n)) for value, n in _facet(session, name, where, top)]
        for name in (FACETS if top > 0 else ())
    }
    return ClaimFacets(total, counts)
