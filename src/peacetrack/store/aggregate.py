"""Loading the claims a comparison needs from the store in a few bulk queries.

``compare`` on a store used to go through ``Store.claims``, which builds ORM rows and asks
for actors 500 claims at a time: fine for a page, slow for a million claims. Here the
comparison filters (actors, issue patterns, dates) run in SQL on indexed columns
(migration 0003) and claims and their actors come back as plain rows in two queries. The
result is exactly what ``Store.claims()`` followed by ``compare.select.select`` gives, in
the same order, so every view built from it is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, aliased

from peacetrack.store.queries import chunked, claim_from_row, in_reading_order
from peacetrack.store.schema import ClaimActor, ClaimRow, DocumentRow, ProposalRow
from peacetrack.store.store import StoredClaim

if TYPE_CHECKING:
    from peacetrack.store.store import Store


def canonical_proposal() -> ColumnElement[Any]:
    """A claim's proposal column: the resolved proposal's name, else its own phrase."""
    return func.coalesce(ProposalRow.name, ClaimRow.proposal)


def proposal_phrases(store: Store) -> dict[str, set[str]]:
    """Each canonical proposal name of the visible claims -> the names its claims use.

    What ``compare.diff`` matches a side's name against, read without loading claims.
    """
    canonical = canonical_proposal()
    query = (
        select(canonical, func.coalesce(ClaimRow.proposal, canonical))
        .outerjoin(ProposalRow, ProposalRow.id == ClaimRow.proposal_id)
        .where(ClaimRow.status != "rejected", canonical.is_not(None))
        .distinct()
    )
    names: dict[str, set[str]] = {}
    with store._read() as session:
        for name, phrase in session.execute(query):
            names.setdefault(name, {name}).add(phrase)
    return names


def proposal_claims(store: Store, name: str) -> list[StoredClaim]:
    """The visible claims whose canonical proposal is ``name``, newest first."""
    where = [*comparison_conditions(None, None, None, None), canonical_proposal() == name]
    with store._read() as session:
        return load_claims(session, where)


def comparison_conditions(
    actors: Sequence[str] | None,
    issue_codes: Iterable[str] | None,
    since: date | None,
    until: date | None,
) -> list[ColumnElement[bool]]:
    """WHERE conditions matching ``compare.select.select`` on the store's visible claims.

    ``issue_codes`` are already expanded by the codebook (patterns expand there, not in
    LIKE), so a store and a claim list agree on what ``TER.*`` means. Actor ids are
    upper-cased but not stripped, as ``select`` does. Undated claims fail any date bound,
    as in ``select``: NULL compares false in SQL.
    """
    where: list[ColumnElement[bool]] = [ClaimRow.status != "rejected"]
    if issue_codes is not None:
        where.append(ClaimRow.issue.in_(sorted(issue_codes)))
    if actors:
        wanted = sorted({a.upper() for a in actors})
        # An uncorrelated IN list walks ix_claim_actors_actor_claim; the alias keeps it apart
        # from the claim_actors the actors query reads.
        named = aliased(ClaimActor)
        of_actors = select(named.claim_id).where(named.actor_id.in_(wanted), named.role == "actor")
        where.append(ClaimRow.id.in_(of_actors))
    if since is not None:
        where.append(DocumentRow.published >= since)
    if until is not None:
        where.append(DocumentRow.published <= until)
    return where


def _claims_query(where: Sequence[ColumnElement[bool]]) -> Select[Any]:
    """The rows of ``queries.claims_select`` (same joins, same order) as plain tuples.

    ``tests/test_aggregate.py`` compares the two paths, so a change to one shows up there.
    """
    columns = [c for c in ClaimRow.__table__.c if c.name not in ("created_at", "updated_at")]
    return in_reading_order(
        select(
            *columns,
            DocumentRow.name,
            DocumentRow.outlet,
            DocumentRow.published,
            DocumentRow.url,
            ProposalRow.name.label("proposal_name"),
        ),
        where,
    )


def _actors_query(where: Sequence[ColumnElement[bool]]) -> Select[int, str, str]:
    """Actors of the chosen claims in one join, instead of one IN list per 500 claims."""
    return (
        select(ClaimActor.claim_id, ClaimActor.role, ClaimActor.actor_id)
        .join(ClaimRow, ClaimRow.id == ClaimActor.claim_id)
        .join(DocumentRow, DocumentRow.id == ClaimRow.document_id)
        .outerjoin(ProposalRow, ProposalRow.id == ClaimRow.proposal_id)
        .where(*where)
        .order_by(ClaimActor.claim_id, ClaimActor.role, ClaimActor.position)
    )


def comparison_claims(
    store: Store,
    *,
    actors: Sequence[str] | None = None,
    issue_codes: Iterable[str] | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[StoredClaim]:
    """The store's non-rejected claims passing the comparison filters, newest first."""
    with store._read() as session:
        return load_claims(session, comparison_conditions(actors, issue_codes, since, until))


def load_claims(
    session: Session, where: Sequence[ColumnElement[bool]], limit: int | None = None
) -> list[StoredClaim]:
    """Claims meeting ``where`` (at most ``limit``), newest first, from plain rows.

    Without a limit the actors come in one join on the same conditions; with one, only
    the actors of the claims kept are read.
    """
    rows = session.execute(_claims_query(where).limit(limit)).all()
    if limit is None:
        actor_rows = list(session.execute(_actors_query(where)))
    else:
        ids = [row.id for row in rows]
        actor_rows = [
            actor
            for chunk in chunked(ids)
            for actor in session.execute(_actors_query([ClaimRow.id.in_(chunk)]))
        ]
    actors_of: dict[int, list[Any]] = {}
    for actor in actor_rows:
        actors_of.setdefault(actor.claim_id, []).append(actor)
    # Plain rows carry the same attribute names as the ORM rows ``claim_from_row`` reads,
    # so the one conversion serves both paths.
    return [
        StoredClaim(
            id=row.id,
            document_id=row.document_id,
            document_name=row.name,
            claim=claim_from_row(
                cast(ClaimRow, row), cast(list[ClaimActor], actors_of.get(row.id, []))
            ),
            status=row.status,
            outlet=row.outlet,
            published=row.published,
            url=row.url,
            proposal_name=row.proposal_name,
        )
        for row in rows
    ]
