"""What a store holds per conflict, assigning claims as they are read.

The store does not record a claim's conflict yet (issue #13 will add that), so the counts
assign every claim on read with the codebook's pure functions, one document at a time so
that each document's dominant conflict settles its ambiguous claims. Unassigned claims are
counted in a row of their own: a claim that fits no conflict must be visible, not dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from peacetrack.codebook import Codebook, assign_document
from peacetrack.source import StoredClaim


@dataclass(frozen=True)
class ConflictCount:
    """Documents and claims assigned to one conflict (None: unassigned), with their dates."""

    conflict: str | None
    documents: int
    claims: int
    first: date | None
    last: date | None


def assign_stored(claims: Iterable[StoredClaim], codebook: Codebook) -> dict[int, str | None]:
    """Claim id -> conflict id (or None), each document's claims assigned together."""
    by_document: dict[int, list[StoredClaim]] = defaultdict(list)
    for stored in claims:
        by_document[stored.document_id].append(stored)
    found: dict[int, str | None] = {}
    for members in by_document.values():
        pairs = [(s.claim.actors, s.claim.territories or []) for s in members]
        for stored, conflict in zip(members, assign_document(pairs, codebook), strict=True):
            found[stored.id] = conflict
    return found


def conflict_counts(claims: Iterable[StoredClaim], codebook: Codebook) -> list[ConflictCount]:
    """One count per codebook conflict, in codebook order, then the unassigned claims."""
    listed = list(claims)
    assigned = assign_stored(listed, codebook)
    documents: dict[str | None, set[int]] = defaultdict(set)
    dates: dict[str | None, list[date]] = defaultdict(list)
    totals: dict[str | None, int] = defaultdict(int)
    for stored in listed:
        key = assigned[stored.id]
        documents[key].add(stored.document_id)
        totals[key] += 1
        if stored.published is not None:
            dates[key].append(stored.published)
    return [
        ConflictCount(
            conflict=key,
            documents=len(documents[key]),
            claims=totals[key],
            first=min(dates[key], default=None),
            last=max(dates[key], default=None),
        )
        for key in (*codebook.conflicts, None)
    ]
