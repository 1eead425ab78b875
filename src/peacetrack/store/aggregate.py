"""The store as a ``ClaimSource``: comparison claims loaded in bulk, and proposal names.

``compare`` on a store filters in SQL on indexed columns (migration 0003) and loads claims
and their actors as plain rows in two queries (``queries.load_claims``), so a million
claims load in seconds; cells come from the summaries (``cell_summaries.cell_facts``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select

from peacetrack.source import Filters, StoredClaim
from peacetrack.store.queries import canonical_proposal, load_claims, visible
from peacetrack.store.tables import CLAIMS, PROPOSALS

if TYPE_CHECKING:
    from peacetrack.store.store import Store


def proposal_phrases(store: Store) -> dict[str, set[str]]:
    """Each canonical proposal name of the visible claims -> the names its claims use.

    What ``compare.diff`` matches a side's name against, read without loading claims.
    """
    canonical = canonical_proposal()
    query = (
        select(canonical, func.coalesce(CLAIMS.c.proposal, canonical))
        .outerjoin(PROPOSALS, PROPOSALS.c.id == CLAIMS.c.proposal_id)
        .where(CLAIMS.c.status != "rejected", canonical.is_not(None))
        .distinct()
    )
    names: dict[str, set[str]] = {}
    with store.reading() as connection:
        for name, phrase in connection.execute(query):
            names.setdefault(name, {name}).add(phrase)
    return names


def comparison_claims(store: Store, filters: Filters) -> list[StoredClaim]:
    """The store's non-rejected claims passing ``filters``, newest first."""
    with store.reading() as connection:
        return load_claims(connection, visible(filters))
