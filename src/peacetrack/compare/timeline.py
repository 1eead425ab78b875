"""How a party's stance on an issue moves across rounds of talks.

One entry per moment (reports within a few days of each other) per conflict, actor and
issue, so a stance restated by ten outlets after one round is one step, and a reversal
shows as a change between steps. Steps are never compared across conflicts: the United
States on disarmament in Lebanon and in Gaza are two tracks, not a change of mind. As in
a matrix cell, only positions at the support floor or above
decide a step's stance and mark a change or a conflict: a step of weaker reports only is
shown with its level and never counts as a reversal.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, TypedDict, Unpack

from peacetrack.compare.cells import describe
from peacetrack.model import Stance
from peacetrack.moments import SAME_MOMENT, steps
from peacetrack.source import (
    CellFacts,
    ClaimSource,
    Filters,
    GroupFn,
    SourceIndex,
    StepPages,
    StoredClaim,
    StoredStep,
    as_source,
    by_cell,
)
from peacetrack.support import DEFAULT_SUPPORT, Support
from peacetrack.vocabulary import UNASSIGNED


@dataclass(frozen=True)
class TimelineEntry:
    """One step: what ``actor`` held on ``issue`` at one moment, with the claims saying so.

    ``changed`` is True when the stance class differs from the actor's previous supported
    step on the same issue in the same conflict (``conflict_id``, None: unassigned claims);
    ``claim_ids`` are all the moment's claims, oldest first (ids only: no view shows more
    of them, and a busy moment of a big archive holds several times its evidence);
    ``evidence`` are the claims stating the shown stance,
    ``support`` their position's level, ``weaker`` the step's claims below the floor (all
    of them in a step of weaker reports only).
    """

    conflict_id: str | None
    actor: str
    issue: str
    first: date | None
    last: date | None
    stance: Stance
    summary: str
    sources: int
    conflict: bool
    changed: bool
    support: Support
    weaker: int
    claim_ids: tuple[int, ...]
    evidence: tuple[StoredClaim, ...]

    def to_record(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "issue": self.issue,
            "first": self.first,
            "last": self.last,
            "stance": self.stance.value,
            "summary": self.summary,
            "sources": self.sources,
            "conflict": self.conflict,
            "changed": self.changed,
            "support": self.support.label,
            "weaker_claims": self.weaker,
            "claim_ids": list(self.claim_ids),
            "conflict_id": self.conflict_id,
        }


def timeline(
    claims: ClaimSource | Sequence[StoredClaim],
    *,
    actor: str | None = None,
    issue: str | None = None,
    independent_groups: GroupFn | None = None,
    window: timedelta = SAME_MOMENT,
    conflict: str | None = None,
    min_support: Support = DEFAULT_SUPPORT,
    reviewed_only: bool = False,
) -> list[TimelineEntry]:
    """Steps for every conflict, actor and issue (or those asked for), oldest first.

    ``issue`` may be a pattern (``TER.*``); ``conflict`` an id, name or alias, or
    ``unassigned`` (each conflict's claims make their own tracks); ``min_support`` and
    ``reviewed_only`` are those of ``compare``.
    """
    filters = _filters(
        StepQuery(actor=actor, issue=issue, conflict=conflict, min_support=min_support,
                  reviewed_only=reviewed_only)
    )  # fmt: skip
    source = as_source(claims, independent_groups)
    chosen = source.select_claims(filters)
    sources = SourceIndex(chosen, source.independent_groups)
    entries = [
        entry
        for (code, who), track in by_cell(chosen, "actor", filters.actors).items()
        for entry in _conflict_steps(who, code, track, sources, (window, filters.min_support))
    ]
    return sorted(
        entries, key=lambda e: (e.first or date.min, e.actor, e.issue, e.conflict_id or UNASSIGNED)
    )


def _conflict_steps(
    actor: str,
    issue: str,
    track: list[StoredClaim],
    sources: SourceIndex,
    rules: tuple[timedelta, Support],
) -> list[TimelineEntry]:
    """An actor's steps on an issue, one track per conflict: never a change across wars."""
    per_conflict: dict[str | None, list[StoredClaim]] = defaultdict(list)
    for stored in track:
        per_conflict[stored.conflict].append(stored)
    return [
        step
        for war, members in per_conflict.items()
        for step in _steps(Track(war, actor, issue), members, sources, rules)
    ]


@dataclass(frozen=True)
class Track:
    """Whose steps these are: one actor on one issue in one conflict."""

    conflict: str | None
    actor: str
    issue: str


class StepQuery(TypedDict, total=False):
    """Which steps ``recent_steps`` pages through and ``count_steps`` counts: an actor, an
    issue (or pattern), a conflict, the moment window and support floor (default
    ``SAME_MOMENT`` and ``DEFAULT_SUPPORT``), reviewed claims only, a first day."""

    actor: str | None
    issue: str | None
    conflict: str | None
    window: timedelta
    min_support: Support
    reviewed_only: bool
    since: date | None


def recent_steps(
    claims: ClaimSource | Sequence[StoredClaim],
    *,
    limit: int = 20,
    offset: int = 0,
    independent_groups: GroupFn | None = None,
    **query: Unpack[StepQuery],
) -> list[TimelineEntry]:
    """A page of steps, newest first: ``limit`` of them after the ``offset`` newest (of
    those that began on or after ``since``), in the order of the day each began, then
    actor, issue and conflict.

    The same steps as ``timeline``, without reading every claim. A store keeps them
    summarised at the default floor and window (``store.cells.steps``): a page is then
    one index read and its claims. Otherwise the tracks (an actor's issue each) wait in
    one queue with the date their latest step began, which the cells know, and a track's
    claims are read only when its latest step is the newest one left; its older steps
    then join the queue. So a page reads about as many tracks as it shows steps. A track
    read across conflicts is split into one per conflict, as ``timeline`` splits it.
    """
    filters, window, since = _filters(query), _window(query), query.get("since")
    source = as_source(claims, independent_groups)
    kept = _kept_steps(source, filters, window)
    if kept is not None:
        found = kept.page(filters, limit=limit, offset=offset, since=since)
        return [_worded(step) for step in found]
    order = itertools.count()  # ties never reach what follows, which does not compare
    queue: list[tuple[_Later, int, TimelineEntry | tuple[str, str]]] = [
        (_Later((_track_start(facts, filters), who, code, _LAST)), next(order), (code, who))
        for (code, who), facts in source.cell_facts("actor", filters, filters.actors).items()
    ]
    heapq.heapify(queue)
    found_steps: list[TimelineEntry] = []
    while queue and len(found_steps) < offset + limit:
        later, _, item = heapq.heappop(queue)
        if since is not None and later.key[0] < since:
            break  # every step left began earlier
        if isinstance(item, TimelineEntry):
            found_steps.append(item)
            continue
        code, who = item
        track = source.select_claims(replace(filters, actors=(who,), issues=(code,)))
        sources = SourceIndex(track, source.independent_groups)
        for step in _conflict_steps(who, code, track, sources, (window, filters.min_support)):
            key = (_day(step.first), step.actor, step.issue, step.conflict_id or UNASSIGNED)
            heapq.heappush(queue, (_Later(key), next(order), step))
    return found_steps[offset:]


def count_steps(
    claims: ClaimSource | Sequence[StoredClaim], **query: Unpack[StepQuery]
) -> int | None:
    """How many steps ``recent_steps`` pages through, when a store keeps them summarised;
    None otherwise, since counting them would read every claim."""
    filters = _filters(query)
    kept = _kept_steps(as_source(claims), filters, _window(query))
    return None if kept is None else kept.count(filters, query.get("since"))


def newest_per_issue(
    claims: ClaimSource | Sequence[StoredClaim], *, actor: str, issues: Sequence[str], limit: int
) -> dict[str, tuple[list[TimelineEntry], int | None]]:
    """The actor's ``limit`` newest steps on each of ``issues`` (newest first) and how many
    there are (None when uncounted), as ``recent_steps`` and ``count_steps`` give them one
    issue at a time; kept steps answer every issue in one read."""
    filters = _filters({"actor": actor})
    kept = _kept_steps(as_source(claims), filters, SAME_MOMENT)
    if kept is None:
        return {
            code: (recent_steps(claims, actor=actor, issue=code, limit=limit), None)
            for code in issues
        }
    found = kept.newest_per_issue(replace(filters, issues=tuple(issues)), limit)
    return {
        code: ([_worded(step) for step in steps], total) for code, (steps, total) in found.items()
    }


def _filters(query: StepQuery) -> Filters:
    actor, issue = query.get("actor"), query.get("issue")
    return Filters(
        actors=[actor] if actor else None,
        issues=[issue] if issue else None,
        reviewed_only=query.get("reviewed_only", False),
        min_support=query.get("min_support", DEFAULT_SUPPORT),
        conflict=query.get("conflict"),
    )


def _window(query: StepQuery) -> timedelta:
    return query.get("window", SAME_MOMENT)


def _kept_steps(source: ClaimSource, filters: Filters, window: timedelta) -> StepPages | None:
    """The steps a store keeps summarised (``store.cells.steps``), when they answer."""
    kept = getattr(getattr(source, "cells", None), "steps", None)
    return kept if isinstance(kept, StepPages) and kept.answers(filters, window) else None


#: Sorts after every conflict id: a track's key stays above its steps' own.
_LAST = chr(0x10FFFF)


@dataclass(frozen=True)
class _Later:
    """A queue key that comes first when it is later: ``heapq`` keeps the least first."""

    key: tuple[date, str, str, str]

    def __lt__(self, other: _Later) -> bool:
        return self.key > other.key


def _track_start(facts: CellFacts, filters: Filters) -> date:
    """The queue key of a track: across conflicts, the latest report (a conflict's steps
    within the track may begin after the track's own latest moment began)."""
    return _latest_start(facts) if filters.conflict else _day(facts.tally.last)


def _latest_start(facts: CellFacts) -> date:
    """When a track's latest step began, or a date after it that no step began after.

    The cell's latest moment says it, when it was read with the cell; else the claims
    behind the current stance, all of that moment, began no earlier; else its latest
    report. Undated claims come first in a track, so an undated one here means all are.
    """
    if facts.tally.latest:
        return min(_day(entry.published) for entry in facts.tally.latest)
    if facts.current:
        return min(_day(stated.published) for stated in facts.current)
    return _day(facts.tally.last)


def _day(day: date | None) -> date:
    return day or date.min


def _steps(
    of: Track,
    track: list[StoredClaim],
    sources: SourceIndex,
    rules: tuple[timedelta, Support],
) -> list[TimelineEntry]:
    """The track's steps; ``rules`` are the moment window and the support floor."""
    window, floor = rules
    by_id = {s.id: s for s in track}
    entries = [sources.entry(s) for s in track]
    return [
        _worded(
            StoredStep(
                of.conflict, of.actor, of.issue, step, tuple(by_id[i] for i in step.evidence)
            )
        )
        for step in steps(entries, window, floor)
    ]


def _worded(found: StoredStep) -> TimelineEntry:
    """A step with its sentence, from the claims stating its stance."""
    step = found.step
    return TimelineEntry(
        conflict_id=found.conflict,
        actor=found.actor,
        issue=found.issue,
        first=step.first,
        last=step.last,
        stance=step.stance,
        summary=describe(step.stance, [s.claim for s in found.evidence]),
        sources=step.sources,
        conflict=step.conflict,
        changed=step.changed,
        support=step.support,
        weaker=step.weaker,
        claim_ids=step.claims,
        evidence=found.evidence,
    )
