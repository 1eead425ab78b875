"""Which conflict each stored claim belongs to: decided as claims are saved, counted per
conflict, and the reviewer's choice for a whole document.

The decision is the codebook's (``peacetrack.codebook.assign_document``: a claim's actors
and places, with its document's other claims settling ambiguous ones); this module feeds it
the document's claims and records the answer in ``claims.conflict`` (NULL: unassigned).
A reviewer who puts a document in a conflict is recorded on the document
(``documents.conflict_reviewer``), so the claims a re-extraction writes get that conflict
instead of a decision of their own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from peacetrack.codebook import Codebook, assign_document, default_codebook
from peacetrack.model import Claim
from peacetrack.store.engine import time_allowed
from peacetrack.store.tables import CLAIM_ACTORS, CLAIMS, DOCUMENTS

if TYPE_CHECKING:
    from peacetrack.store.store import Store

#: A claim as the assignment sees it: its actors and its territories.
Pair = tuple[Sequence[str], Sequence[str]]


@dataclass(frozen=True)
class ConflictCount:
    """Documents and claims of one conflict (None: unassigned), with their date range."""

    conflict: str | None
    documents: int
    claims: int
    first: date | None
    last: date | None


def stored_pairs(connection: Connection, document_id: int) -> dict[int, Pair]:
    """The (actors, territories) of a document's stored, non-rejected claims, by claim id."""
    claims = connection.execute(
        select(CLAIMS.c.id, CLAIMS.c.territories).where(
            CLAIMS.c.document_id == document_id, CLAIMS.c.status != "rejected"
        )
    ).all()
    actors: dict[int, list[str]] = defaultdict(list)
    query = (
        select(CLAIM_ACTORS.c.claim_id, CLAIM_ACTORS.c.actor_id)
        .join(CLAIMS, CLAIMS.c.id == CLAIM_ACTORS.c.claim_id)
        .where(CLAIMS.c.document_id == document_id, CLAIM_ACTORS.c.role == "actor")
        .order_by(CLAIM_ACTORS.c.claim_id, CLAIM_ACTORS.c.position)
    )
    for claim_id, actor in connection.execute(query):
        actors[claim_id].append(actor)
    return {row.id: (actors[row.id], row.territories or []) for row in claims}


def reviewed_conflict(connection: Connection, document_id: int) -> tuple[bool, str | None]:
    """(True, conflict) when a reviewer chose the document's conflict, else (False, None)."""
    row = connection.execute(
        select(DOCUMENTS.c.conflict, DOCUMENTS.c.conflict_reviewer).where(
            DOCUMENTS.c.id == document_id
        )
    ).one_or_none()
    if row is None or row.conflict_reviewer is None:
        return False, None
    return True, row.conflict


def decide(
    connection: Connection,
    document_id: int,
    claims: Sequence[Claim],
    codebook: Codebook | None = None,
) -> list[str | None]:
    """The conflict of each claim about to be saved in a document: the reviewer's choice for
    the document if there is one, else decided with the document's stored claims as context
    (call it after the claims being replaced are deleted), a reviewed claim's conflict going
    to its re-extracted copy."""
    if not claims:
        return []
    chosen, conflict = reviewed_conflict(connection, document_id)
    if chosen:
        return [conflict] * len(claims)
    new: list[Pair] = [(c.actors, c.territories or []) for c in claims]
    context = list(stored_pairs(connection, document_id).values())
    found = assign_document([*new, *context], codebook or default_codebook())[: len(new)]
    twins = reviewed_twins(connection, document_id)
    return [twins.get((c.start, c.end, c.issue), k) for c, k in zip(claims, found, strict=True)]


def reviewed_twins(connection: Connection, document_id: int) -> dict[tuple[Any, ...], str | None]:
    """The conflict of each reviewed claim of a document, by its evidence span and issue:
    a re-extracted claim saying the same thing takes it, so a reviewer's reassignment also
    holds for the extractor's copy of the claim."""
    query = select(CLAIMS.c.start, CLAIMS.c.end, CLAIMS.c.issue, CLAIMS.c.conflict).where(
        CLAIMS.c.document_id == document_id, CLAIMS.c.status != "extracted"
    )
    return {(r.start, r.end, r.issue): r.conflict for r in connection.execute(query)}


def conflict_counts(store: Store, budget_ms: int | None = None) -> list[ConflictCount]:
    """Per conflict id found on claims (None: unassigned) the non-rejected claims, their
    documents and publication dates; counted in SQL, so any store size costs one query
    (which reads every claim: ``engine.OutOfTime`` past ``budget_ms``, if given)."""
    query = (
        select(
            CLAIMS.c.conflict,
            func.count(func.distinct(CLAIMS.c.document_id)),
            func.count(CLAIMS.c.id),
            func.min(DOCUMENTS.c.published),
            func.max(DOCUMENTS.c.published),
        )
        .join(DOCUMENTS, DOCUMENTS.c.id == CLAIMS.c.document_id)
        .where(CLAIMS.c.status != "rejected")
        .group_by(CLAIMS.c.conflict)
    )
    with store.reading() as connection, time_allowed(connection, budget_ms):
        return [ConflictCount(*row) for row in connection.execute(query)]
