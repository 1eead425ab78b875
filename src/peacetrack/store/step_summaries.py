"""Timeline steps kept in the store, so a page of the newest steps is a page read.

A track is an actor on an issue in one conflict: exactly a per-conflict actor cell
(``c-actor``, ``store.cell_summaries``). Its steps (``peacetrack.moments.steps``, at the
default support floor and moment window) live in ``timeline_steps`` (migration 0010) and are
kept by the cells' own refresh: a rebuilt cell's track is computed again from the entries the
rebuild read; a cell that only gained later claims recomputes its last step and what
follows, from the cell's stored latest moment (the last step's claims) and the class held
before it (the last step's ``prior``). The triggers that mark cells (a claim added,
rejected, edited or moved to another conflict) so mark their tracks.

Reading (``Steps``, the store's ``cells.steps``) orders steps newest first by the day they
began, then actor, issue and conflict, the order of ``compare.timeline.recent_steps`` in
memory; each filter (actors, issues, a conflict, a first day) has an index that reads that
order, and only the claims stating the page's stances are loaded, by id. An actor's page
reads each issue's newest steps in one windowed query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, Select, delete, func, insert, select, tuple_

from peacetrack.model import STANCE_BY_VALUE
from peacetrack.moments import SAME_MOMENT, Entry, Step, steps
from peacetrack.source import Filters, Key, StoredStep
from peacetrack.store.cell_entries import SEPARATOR
from peacetrack.store.queries import ROW_BATCH, chunked, claims_with_ids
from peacetrack.store.tables import TIMELINE_STEPS
from peacetrack.support import BY_LABEL, DEFAULT_SUPPORT
from peacetrack.vocabulary import UNASSIGNED

if TYPE_CHECKING:
    from peacetrack.store.store import Store

#: A track as stored: (conflict id or ``unassigned``, actor, issue).
Track = tuple[str, str, str]
#: The day an undated step sorts on: before every dated one.
UNDATED = date(1, 1, 1)


def track_of(key: Key) -> Track:
    """The track of a per-conflict actor cell (issue, ``conflict|actor``)."""
    issue, column = key
    conflict, _, actor = column.partition(SEPARATOR)
    return conflict, actor, issue


def rebuilt(
    connection: Connection, keys: Iterable[Key], entries: Mapping[Key, Sequence[Entry]]
) -> None:
    """The tracks of ``keys`` computed again from all their ``entries`` (a track without
    entries keeps no step)."""
    tracks = [track_of(key) for key in keys]
    _drop(connection, tracks)
    _write(connection, [(track_of(k), s) for k, found in entries.items() for s in steps(found)])


def extended(
    connection: Connection, grown: Mapping[Key, tuple[Sequence[Entry], Sequence[Entry]]]
) -> None:
    """Tracks that gained later claims: for each cell, its stored latest moment (the track's
    last step's entries; none when the cell had no claim) and the new entries, none of them
    dated before that moment began. The last step and what follows are computed again."""
    rows: list[tuple[Track, Step]] = []
    for key, (latest, new) in grown.items():
        track = track_of(key)
        start = latest[0].published if latest else None
        prior = _prior_at(connection, track, start) if start is not None else None
        connection.execute(delete(TIMELINE_STEPS).where(_in_track(track, start)))
        rows += [(track, s) for s in steps([*latest, *new], prior=prior)]
    _write(connection, rows)


def _in_track(track: Track, start: date | None = None) -> ColumnElement[bool]:
    conflict, actor, issue = track
    where = (
        (TIMELINE_STEPS.c.conflict == conflict)
        & (TIMELINE_STEPS.c.actor == actor)
        & (TIMELINE_STEPS.c.issue == issue)
    )
    return where if start is None else where & (TIMELINE_STEPS.c.day >= start)


def _prior_at(connection: Connection, track: Track, start: date) -> str | None:
    """The class the track held before its step that began on ``start``."""
    query = select(TIMELINE_STEPS.c.prior).where(_in_track(track) & (TIMELINE_STEPS.c.day == start))
    return connection.scalar(query)


def _drop(connection: Connection, tracks: Sequence[Track]) -> None:
    columns = tuple_(TIMELINE_STEPS.c.conflict, TIMELINE_STEPS.c.actor, TIMELINE_STEPS.c.issue)
    for chunk in chunked(sorted(tracks)):
        connection.execute(delete(TIMELINE_STEPS).where(columns.in_(chunk)))


def _write(connection: Connection, found: Sequence[tuple[Track, Step]]) -> None:
    for chunk in chunked(found, ROW_BATCH):
        connection.execute(insert(TIMELINE_STEPS), [_row(track, step) for track, step in chunk])


def _row(track: Track, step: Step) -> dict[str, Any]:
    conflict, actor, issue = track
    return {
        "conflict": conflict,
        "actor": actor,
        "issue": issue,
        "day": step.first or UNDATED,
        "first": step.first,
        "last": step.last,
        "stance": step.stance.value,
        "sources": step.sources,
        "conflicted": step.conflict,
        "changed": step.changed,
        "support": step.support.label,
        "weaker": step.weaker,
        "prior": step.prior,
        "claim_ids": list(step.claims),
        "evidence_ids": list(step.evidence),
    }


def _step(row: Any) -> Step:
    return Step(
        first=row.first,
        last=row.last,
        stance=STANCE_BY_VALUE[row.stance],
        sources=row.sources,
        conflict=row.conflicted,
        changed=row.changed,
        support=BY_LABEL[row.support],
        weaker=row.weaker,
        claims=tuple(row.claim_ids),
        evidence=tuple(row.evidence_ids),
        prior=row.prior,
    )


class Steps:
    """The kept timeline steps through the store's door (``store.cells.steps``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def answers(self, filters: Filters, window: timedelta) -> bool:
        """The kept steps are the whole record's at the default floor and window: another
        floor, a date range, a stance or reviewed claims only need the claims."""
        from peacetrack.store.cell_summaries import summarised

        return (
            window == SAME_MOMENT
            and filters.min_support == DEFAULT_SUPPORT
            and summarised("actor", filters)
        )

    def page(
        self, filters: Filters, *, limit: int, offset: int = 0, since: date | None = None
    ) -> list[StoredStep]:
        """``limit`` steps after the ``offset`` newest, each with its evidence."""
        self._store.cells.refresh()
        query = _chosen(select(TIMELINE_STEPS), filters, since).order_by(*_NEWEST)
        with self._store.reading() as connection:
            return _stored(connection, connection.execute(query.offset(offset).limit(limit)).all())

    def newest_per_issue(
        self, filters: Filters, per_issue: int
    ) -> dict[str, tuple[list[StoredStep], int]]:
        """Each issue's ``per_issue`` newest steps (newest first) and how many it has, in
        one query: an actor's page asks this of forty issues at once."""
        self._store.cells.refresh()
        ranked = _chosen(
            select(
                TIMELINE_STEPS,
                func.row_number()
                .over(partition_by=TIMELINE_STEPS.c.issue, order_by=_NEWEST)
                .label("rank"),
                func.count().over(partition_by=TIMELINE_STEPS.c.issue).label("total"),
            ),
            filters,
            None,
        ).subquery()
        query = select(ranked).where(ranked.c.rank <= per_issue)
        query = query.order_by(ranked.c.issue, ranked.c.rank)
        with self._store.reading() as connection:
            found = connection.execute(query).all()
            stored = _stored(connection, found)
        per: dict[str, tuple[list[StoredStep], int]] = {}
        for step, row in zip(stored, found, strict=True):
            per.setdefault(step.issue, ([], row.total))[0].append(step)
        return per

    def count(self, filters: Filters, since: date | None = None) -> int:
        """How many steps the filters choose (since ``since``)."""
        self._store.cells.refresh()
        query = _chosen(select(func.count()).select_from(TIMELINE_STEPS), filters, since)
        with self._store.reading() as connection:
            return connection.scalar(query) or 0


#: Newest first: the order of ``compare.timeline.recent_steps``.
_NEWEST = (
    TIMELINE_STEPS.c.day.desc(),
    TIMELINE_STEPS.c.actor.desc(),
    TIMELINE_STEPS.c.issue.desc(),
    TIMELINE_STEPS.c.conflict.desc(),
)


def _stored(connection: Connection, rows: Sequence[Any]) -> list[StoredStep]:
    """The rows (of ``timeline_steps``' columns) as steps, with the claims stating each
    stance (those still there)."""
    found = [(row.conflict, row.actor, row.issue, _step(row)) for row in rows]
    claims = claims_with_ids(connection, {i for *_, s in found for i in s.evidence})
    return [
        StoredStep(
            None if conflict == UNASSIGNED else conflict,
            actor,
            issue,
            step,
            tuple(claims[i] for i in step.evidence if i in claims),
        )
        for conflict, actor, issue, step in found
    ]


def _chosen(query: Select[Any], filters: Filters, since: date | None) -> Select[Any]:
    """``query`` on the steps of the filters' actors, issues and conflict, begun on or after
    ``since``; one value compares equal, so its index is read in order."""
    for column, values in (
        (TIMELINE_STEPS.c.actor, filters.actors),
        (TIMELINE_STEPS.c.issue, filters.issues),
        (TIMELINE_STEPS.c.conflict, (filters.conflict,) if filters.conflict else None),
    ):
        if values is not None:
            query = query.where(column == values[0] if len(values) == 1 else column.in_(values))
    return query if since is None else query.where(TIMELINE_STEPS.c.day >= since)
