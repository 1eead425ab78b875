"""Facet counts: how many of the chosen claims each value has, within a time allowed.

A claims browser shows, beside each filter, the values it can take with their counts. The
counts are GROUP BY queries on the same conditions as the list (``claim_query``), so claims
are counted in the database, never loaded. At a million claims one such count reads the
whole archive (a second or more each), so, as datasette does, each count may be given a
time allowed (``budget_ms``): one that runs out is stopped and its facet reported as not
counted in time, and the total falls back to "more than ``COUNT_CAP``", so a page never
waits on a count. The actor facet of the unfiltered view comes from the cell summaries
(``store.cells.column_totals``), which already hold it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, Connection, func, select

from peacetrack.store.claim_query import ClaimQuery, claim_conditions, grade_column, unfiltered
from peacetrack.store.engine import OutOfTime, time_allowed
from peacetrack.store.tables import CELL_SUMMARIES, CLAIM_ACTORS, CLAIMS, DOCUMENTS, PROPOSALS
from peacetrack.support import Support
from peacetrack.vocabulary import UNASSIGNED

if TYPE_CHECKING:
    from peacetrack.store.store import Store

#: The fields counted, in the order a page shows them: the conflict first, as a user picks it.
FACETS = ("conflict", "actor", "issue", "stance", "outlet", "extractor", "status", "support")
#: A total that cannot be counted in time is counted this far: "more than 10,000".
COUNT_CAP = 10_000
#: Milliseconds the first count (to ``COUNT_CAP`` + 1) may take: finding 10,001 claims of a
#: common filter reads a few tens of thousands of rows.
CAP_MS = 250
#: Milliseconds the facets of at most ``COUNT_CAP`` claims share instead of the page's
#: time: counting so few is quick, so a busy machine does not drop a small store's facets.
FEW_MS = 200
T = TypeVar("T")


@dataclass(frozen=True)
class Counted:
    """A count as far as it went: ``exact``, or "more than ``total``" (``exact`` False),
    or not made in time at all (``counted`` False, ``total`` 0)."""

    total: int
    exact: bool = True
    counted: bool = True


@dataclass(frozen=True)
class ClaimFacets:
    """The chosen claims' total and, per facet, (value, count) pairs, most frequent first
    (support: each level with the claims at or above it, strongest first, as
    ``min_support`` chooses them).

    ``exact`` is False when the total could not be counted in time: there are then more
    than ``total`` claims, or, with ``counted`` False, an unknown number. ``late`` names
    the facets not counted in time.
    """

    total: int
    counts: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    exact: bool = True
    late: tuple[str, ...] = ()
    counted: bool = True


def _column(name: str) -> ColumnElement[Any]:
    columns: dict[str, Any] = {
        # Claims that fit no conflict are counted as such, by the value --conflict takes.
        "conflict": func.coalesce(CLAIMS.c.conflict, UNASSIGNED),
        "issue": CLAIMS.c.issue,
        "stance": CLAIMS.c.stance,
        "outlet": DOCUMENTS.c.outlet,
        "extractor": CLAIMS.c.extractor,
        "status": CLAIMS.c.status,
        "support": grade_column(),
    }
    return columns[name]  # type: ignore[no-any-return]


def _chosen(where: Sequence[ColumnElement[bool]]) -> Any:
    """The ids of the chosen claims, joined as the list joins them."""
    return (
        select(CLAIMS.c.id)
        .join(DOCUMENTS, DOCUMENTS.c.id == CLAIMS.c.document_id)
        .outerjoin(PROPOSALS, PROPOSALS.c.id == CLAIMS.c.proposal_id)
        .where(*where)
    )


def _facet(
    connection: Connection, name: str, where: Sequence[ColumnElement[bool]], top: int
) -> list[tuple[str, int]]:
    """One facet's GROUP BY: actors through claim_actors, the rest on a column."""
    count = func.count().label("n")
    if name == "actor":
        actor = CLAIM_ACTORS.alias()
        query = (
            select(actor.c.actor_id, count)
            .where(actor.c.role == "actor", actor.c.claim_id.in_(_chosen(where)))
            .group_by(actor.c.actor_id)
        )
    else:
        column = _column(name)
        query = (
            select(column, count)
            .select_from(CLAIMS)
            .join(DOCUMENTS, DOCUMENTS.c.id == CLAIMS.c.document_id)
            .outerjoin(PROPOSALS, PROPOSALS.c.id == CLAIMS.c.proposal_id)
            .where(*where, column.is_not(None))
            .group_by(column)
        )
    if name == "support":
        return _at_or_above({int(level): int(n) for level, n in connection.execute(query)})
    found = connection.execute(query.order_by(count.desc(), query.selected_columns[0]).limit(top))
    return [(str(value), int(n)) for value, n in found]


def _at_or_above(per_grade: dict[int, int]) -> list[tuple[str, int]]:
    """Claims per grade -> claims at or above each grade present, strongest first: the
    count ``min_support=LEVEL`` lists."""
    levels, running = [], 0
    for level in sorted(per_grade, reverse=True):
        running += per_grade[level]
        levels.append((Support(level).label, running))
    return levels


class _Clock:
    """What is left of a page's time for counting: each count gets the rest, and once
    it is spent the counts not yet made are not started."""

    def __init__(self, ms: int | None) -> None:
        self._end = None if ms is None else time.monotonic() + ms / 1000

    def left(self) -> int | None:
        """Milliseconds left (at least 0); None: no limit."""
        return None if self._end is None else max(0, int((self._end - time.monotonic()) * 1000))


def _timed(connection: Connection, ms: int | None, count: Callable[[], T]) -> T | None:
    """``count()``, or None when it takes longer than ``ms`` (or no time is left)."""
    if ms == 0:
        return None
    try:
        with time_allowed(connection, ms):
            return count()
    except OutOfTime:
        return None


def _capped(
    connection: Connection, where: Sequence[ColumnElement[bool]], ms: int | None
) -> Counted:
    """The chosen claims counted up to ``COUNT_CAP`` + 1 (reading that many is quick):
    exact under the cap, "more than" over it, not counted past ``ms``."""
    query = select(func.count()).select_from(_chosen(where).limit(COUNT_CAP + 1).subquery())
    capped = _timed(connection, ms, lambda: connection.scalar(query) or 0)
    if capped is None:
        return Counted(0, exact=False, counted=False)
    return Counted(capped) if capped <= COUNT_CAP else Counted(COUNT_CAP, exact=False)


def _exact(connection: Connection, where: Sequence[ColumnElement[bool]], ms: int | None) -> Counted:
    """Every chosen claim counted, or "more than ``COUNT_CAP``" past ``ms``."""
    every = select(func.count()).select_from(_chosen(where).subquery())
    exact = _timed(connection, ms, lambda: connection.scalar(every) or 0)
    return Counted(exact) if exact is not None else Counted(COUNT_CAP, exact=False)


def claim_facets(
    store: Store, query: ClaimQuery, top: int = 20, budget_ms: int | None = None
) -> ClaimFacets:
    """The total of the claims ``query`` chooses and each facet's ``top`` values (no
    facets for ``top=0``: the total alone, for a caller that only needs to count), all
    counted within ``budget_ms`` (None: as long as it takes) when there are more than
    ``COUNT_CAP`` claims, within ``FEW_MS`` when there are fewer; the first count, to
    ``COUNT_CAP`` + 1, within ``CAP_MS``."""
    summarised = unfiltered(query) and top > 0
    counts: dict[str, list[tuple[str, int]]] = {}
    with store.reading() as connection:
        where = claim_conditions(connection, query, in_order=False)
        began = time.monotonic()
        total = _capped(connection, where, None if budget_ms is None else CAP_MS)
        took = int((time.monotonic() - began) * 1000)
        clock = _Clock(FEW_MS if total.exact and budget_ms is not None else budget_ms)
        # Counting them all reads more rows than counting 10,001 did: not worth starting
        # unless that was quick next to the time left.
        left = clock.left()
        if total.counted and not total.exact and (left is None or 2 * took < left):
            total = _exact(connection, where, left)
        for name in FACETS if top > 0 else ():
            if name == "actor" and summarised:
                continue
            found = _timed(connection, clock.left(), partial(_facet, connection, name, where, top))
            if found is not None:
                counts[name] = found
    if summarised:
        counts["actor"] = list(store.cells.column_totals("actor").items())[:top]
    late = tuple(name for name in FACETS if top > 0 and name not in counts)
    ordered = {name: counts[name] for name in FACETS if name in counts}
    return ClaimFacets(total.total, ordered, total.exact, late, total.counted)


def issue_spread(store: Store) -> list[tuple[str, int]]:
    """Each issue with the number of actors holding a stance on it, the most held first:
    counted on the cell summaries (a row per cell), not on the claims, so a filter's
    suggestions cost the same at any store size."""
    store.cells.refresh()
    actors = func.count().label("n")
    query = (
        select(CELL_SUMMARIES.c.issue, actors)
        .where(CELL_SUMMARIES.c.kind == "actor")
        .group_by(CELL_SUMMARIES.c.issue)
        .order_by(actors.desc(), CELL_SUMMARIES.c.issue)
    )
    with store.reading() as connection:
        return [(issue, int(n)) for issue, n in connection.execute(query)]
