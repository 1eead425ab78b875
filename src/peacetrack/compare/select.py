"""Choosing the claims a comparison looks at, and counting their sources.

Every view in this package (matrix, diff, timeline, report) works on a plain sequence of
stored claims, so it can be fed from a store, a file export or a test. This module holds
the rules they share: which claims a filter keeps, what date a claim has, and which
documents count as one source (syndicated wire copies are one voice, not five).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from peacetrack.store import Store, StoredClaim
from peacetrack.store.aggregate import comparison_claims

#: Groups near-duplicate documents: each returned set of document ids is one source.
GroupFn = Callable[[Iterable[int]], list[set[int]]]


@dataclass(frozen=True)
class Filters:
    """What to keep; None means no restriction on that field."""

    actors: Sequence[str] | None = None
    issues: Sequence[str] | None = None
    since: date | None = None
    until: date | None = None


def expand_issue_patterns(patterns: Sequence[str]) -> set[str]:
    """Issue codes named by ``patterns`` (``TER.*``, ``CF.GENERAL``), as the codebook reads them."""
    from peacetrack.codebook import default_codebook

    return set(default_codebook().expand_issues(list(patterns)))


def select(claims: Iterable[StoredClaim], filters: Filters) -> list[StoredClaim]:
    """Claims passing ``filters``; undated claims are dropped only when dates are asked for."""
    issues = expand_issue_patterns(filters.issues) if filters.issues else None
    actors = {a.upper() for a in filters.actors} if filters.actors else None
    kept = []
    for stored in claims:
        claim = stored.claim
        if issues is not None and claim.issue not in issues:
            continue
        if actors is not None and not actors.intersection(claim.actors):
            continue
        if not _in_range(stored.published, filters.since, filters.until):
            continue
        kept.append(stored)
    return kept


def _in_range(day: date | None, since: date | None, until: date | None) -> bool:
    if since is None and until is None:
        return True
    if day is None:
        return False
    return (since is None or day >= since) and (until is None or day <= until)


class SourceIndex:
    """Maps each document to the source it belongs to, so counts ignore syndicated copies."""

    def __init__(self, claims: Iterable[StoredClaim], groups: GroupFn | None = None) -> None:
        doc_ids = sorted({s.document_id for s in claims})
        self._source: dict[int, int] = {doc: doc for doc in doc_ids}
        if groups is not None and doc_ids:
            for group in groups(doc_ids):
                head = min(group)
                for doc in group:
                    self._source[doc] = head

    def source_of(self, document_id: int) -> int:
        return self._source.get(document_id, document_id)

    def count(self, claims: Iterable[StoredClaim]) -> int:
        """Independent sources behind ``claims``."""
        return len({self.source_of(s.document_id) for s in claims})


class ClaimSource(Protocol):
    """What the views need from a store: its accepted claims and its duplicate groups."""

    def claims(self) -> list[StoredClaim]: ...

    def independent_groups(self, document_ids: Iterable[int]) -> list[set[int]]: ...


def resolve(
    source: ClaimSource | Sequence[StoredClaim], groups: GroupFn | None
) -> tuple[list[StoredClaim], GroupFn | None]:
    """Claims and grouping from either a store or a plain sequence of claims.

    A store brings its own near-duplicate groups, so callers passing a store get correct
    source counts without wiring ``independent_groups`` themselves.
    """
    if isinstance(source, Sequence):
        return list(source), groups
    return source.claims(), groups or source.independent_groups


def choose(
    claims: ClaimSource | Sequence[StoredClaim], filters: Filters, groups: GroupFn | None
) -> tuple[list[StoredClaim], GroupFn | None]:
    """The claims passing ``filters`` and the grouping to count their sources with.

    A store filters in SQL and loads only the claims kept, in bulk (``store.aggregate``),
    instead of reading every claim through ``Store.claims`` and filtering here.
    """
    if isinstance(claims, Store):
        issue_codes = expand_issue_patterns(filters.issues) if filters.issues else None
        chosen = comparison_claims(
            claims,
            actors=filters.actors,
            issue_codes=issue_codes,
            since=filters.since,
            until=filters.until,
        )
        return chosen, groups or claims.independent_groups
    pool, found = resolve(claims, groups)
    return select(pool, filters), found
