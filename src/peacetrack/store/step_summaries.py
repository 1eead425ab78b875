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

from sqlalchemy import ColumnElement, Select, delete, func, insert, select, tuple_
from sqlalchemy.orm import Session, aliased

from peacetrack.model import Stance
from peacetrack.moments import SAME_MOMENT, Entry, Step, steps
from peacetrack.source import Filters, Key, StoredStep
from peacetrack.store.cell_entries import SEPARATOR
from peacetrack.store.queries import chunked, claims_with_ids
from peacetrack.store.schema import TimelineStepRow
from peacetrack.support import DEFAULT_SUPPORT, Support
from peacetrack.vocabulary import UNASSIGNED

if TYPE_CHECKING:
    from peacetrack.store.store import Store

#: A track as stored: (conflict id or ``unassigned``, actor, issue).
Track = tuple[str, str, str]
#: The day an undated step sorts on: before every dated one.
UNDATED = date(1, 1, 1)
_STANCES = {s.value: s for s in Stance}
_LEVELS = {level.label: level for level in Support}


def track_of(key: Key) -> Track:
    """The track of a per-conflict actor cell (issue, ``conflict|actor``)."""
    issue, column = key
    conflict, _, actor = column.partition(SEPARATOR)
    return conflict, actor, issue


def rebuilt(session: Session, keys: Iterable[Key], entries: Mapping[Key, Sequence[Entry]]) -> None:
    """The tracks of ``keys`` computed again from all their ``entries`` (a track without
    entries keeps no step)."""
    tracks = [track_of(key) for key in keys]
    _drop(session, tracks)
    _write(session, [(track_of(k), s) for k, found in entries.items() for s in steps(found)])


def extended(
    session: Session, grown: Mapping[Key, tuple[Sequence[Entry], Sequence[Entry]]]
) -> None:
    """Tracks that gained later claims: for each cell, its stored latest moment (the track's
    last step's entries; none when the cell had no claim) and the new entries, none of them
    dated before that moment began. The last step and what follows are computed again."""
    rows: list[tuple[Track, Step]] = []
    for key, (latest, new) in grown.items():
        track = track_of(key)
        start = latest[0].published if latest else None
        prior = _prior_at(session, track, start) if start is not None else None
        session.execute(delete(TimelineStepRow).where(_in_track(track, start)))
        rows += [(track, s) for s in steps([*latest, *new], prior=prior)]
    _write(session, rows)


def _in_track(track: Track, start: date | None = None) -> ColumnElement[bool]:
    conflict, actor, issue = track
    where = (
        (TimelineStepRow.conflict == conflict)
        & (TimelineStepRow.actor == actor)
        & (TimelineStepRow.issue == issue)
    )
    return where if start is None else where & (TimelineStepRow.day >= start)


def _prior_at(session: Session, track: Track, start: date) -> str | None:
    """The class the track held before its step that began on ``start``."""
    query = select(TimelineStepRow.prior).where(_in_track(track) & (TimelineStepRow.day == start))
    return session.scalar(query)


def _drop(session: Session, tracks: Sequence[Track]) -> None:
    columns = tuple_(TimelineStepRow.conflict, TimelineStepRow.actor, TimelineStepRow.issue)
    for chunk in chunked(sorted(tracks)):
        session.execute(delete(TimelineStepRow).where(columns.in_(chunk)))


def _write(session: Session, found: Sequence[tuple[Track, Step]]) -> None:
    for chunk in chunked(found, 5_000):
        session.execute(insert(TimelineStepRow), [_row(track, step) for track, step in chunk])


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


def _step(row: TimelineStepRow) -> Step:
    return Step(
        first=row.first,
        last=row.last,
        stance=_STANCES[row.stance],
        sources=row.sources,
        conflict=row.conflicted,
        changed=row.changed,
        support=_LEVELS[row.support],
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
        query = _chosen(select(TimelineStepRow), filters, since).order_by(*_NEWEST)
        with self._store.reading() as session:
            return _stored(session, session.scalars(query.offset(offset).limit(limit)).all())

    def newest_per_issue(
        self, filters: Filters, per_issue: int
    ) -> dict[str, tuple[list[StoredStep], int]]:
        """Each issue's ``per_issue`` newest steps (newest first) and how many it has, in
        one query: an actor's page asks this of forty issues at once."""
        self._store.cells.refresh()
        ranked = _chosen(
            select(
                TimelineStepRow,
                func.row_number()
                .over(partition_by=TimelineStepRow.issue, order_by=_NEWEST)
                .label("rank"),
                func.count().over(partition_by=TimelineStepRow.issue).label("total"),
            ),
            filters,
            None,
        ).subquery()
        row = aliased(TimelineStepRow, ranked)
        query = (
            select(row, ranked.c.total)
            .where(ranked.c.rank <= per_issue)
            .order_by(ranked.c.issue, ranked.c.rank)
        )
        with self._store.reading() as session:
            found = session.execute(query).all()
            stored = _stored(session, [r for r, _ in found])
        per: dict[str, tuple[list[StoredStep], int]] = {}
        for step, (_, total) in zip(stored, found, strict=True):
            per.setdefault(step.issue, ([], total))[0].append(step)
        return per

    def count(self, filters: Filters, since: date | None = None) -> int:
        """How many steps the filters choose (since ``since``)."""
        self._store.cells.refresh()
        query = _chosen(select(func.count()).select_from(TimelineStepRow), filters, since)
        with self._store.reading() as session:
            return session.scalar(query) or 0


#: Newest first: the order of ``compare.timeline.recent_steps``.
_NEWEST = (
    TimelineStepRow.day.desc(),
    TimelineStepRow.actor.desc(),
    TimelineStepRow.issue.desc(),
    TimelineStepRow.conflict.desc(),
)


def _stored(session: Session, rows: Sequence[TimelineStepRow]) -> list[StoredStep]:
    """The rows as steps, with the claims stating each stance (those still there)."""
    found = [(row.conflict, row.actor, row.issue, _step(row)) for row in rows]
    claims = claims_with_ids(session, {i for *_, s in found for i in s.evidence})
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
        (TimelineStepRow.actor, filters.actors),
        (TimelineStepRow.issue, filters.issues),
        (TimelineStepRow.conflict, (filters.conflict,) if filters.conflict else None),
    ):
        if values is not None:
            query = query.where(column == values[0] if len(values) == 1 else column.in_(values))
    return query if since is None else query.where(TimelineStepRow.day >= since)
