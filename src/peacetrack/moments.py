"""The arithmetic of a cell: moments, the prevailing stance, conflicts and changes.

It works on ``Entry`` tuples (a claim's id, date, stance and source) rather than on whole
claims, so the same code summarises a list of claims in memory and the millions of rows
the store folds into per-cell summaries (``store.cells``): a cell
shown from a summary is the cell this module would compute from its claims.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations, pairwise
from typing import NamedTuple

from peacetrack.model import Stance

#: Reports this close together describe the same moment of the negotiation.
SAME_MOMENT = timedelta(days=7)

#: Stance classes that cannot both be true of one party, issue and moment. Others coexist:
#: a party can demand a term the sides then fail to agree on.
OPPOSED = {
    frozenset(pair)
    for pair in (
        ("accept", "reject"),
        ("agree", "no_agreement"),
        ("agree", "reject"),
        ("put_forward", "absent"),
        ("put_forward", "reject"),
        ("put_forward", "concede"),
    )
}


class Entry(NamedTuple):
    """What the arithmetic needs of a claim; ``source`` is its document's source group."""

    id: int
    published: date | None
    stance: Stance
    source: int


Moment = tuple[Entry, ...]


@dataclass(frozen=True)
class Tally:
    """A cell without its words: what the store keeps per cell, and updates as claims come.

    ``current`` are the ids of the claims stating ``stance`` in the latest moment, oldest
    first. ``latest`` (that moment's entries), ``prior`` (the prevailing class of the
    moment before) and ``changed_before`` (a change among the moments before the latest)
    are what ``extend`` needs to add later reports without reading the cell's history.
    """

    stance: Stance
    claims: int
    sources: int
    first: date | None
    last: date | None
    conflict: bool
    current: tuple[int, ...]
    latest: tuple[Entry, ...] = ()
    prior: str | None = None
    changed_before: bool = False

    @property
    def changed(self) -> bool:
        """The prevailing stance class of some moment differs from the next one's."""
        return self.changed_before or (self.prior is not None and self.prior != self.stance.coarse)


def chronological(entries: Iterable[Entry]) -> list[Entry]:
    """Oldest first; undated entries first (their time is unknown), then by claim id."""
    return sorted(entries, key=lambda e: (e.published or date.min, e.id))


def moments(entries: Sequence[Entry], window: timedelta = SAME_MOMENT) -> list[Moment]:
    """Chronological groups, each spanning at most ``window`` from its first report."""
    groups: list[list[Entry]] = []
    for entry in chronological(entries):
        if groups and _same_moment(groups[-1][0].published, entry.published, window):
            groups[-1].append(entry)
        else:
            groups.append([entry])
    return [tuple(group) for group in groups]


def _same_moment(start: date | None, day: date | None, window: timedelta) -> bool:
    if start is None or day is None:
        return start is None and day is None
    return day - start <= window


def prevailing(moment: Moment) -> Moment:
    """The entries of the stance class most independent sources report in ``moment``.

    Ties go to the class reported last, the freshest word on the matter.
    """
    by_class: dict[str, list[Entry]] = {}
    for entry in moment:
        by_class.setdefault(entry.stance.coarse, []).append(entry)
    order = {stance: i for i, stance in enumerate(e.stance.coarse for e in moment)}
    best = max(by_class, key=lambda c: (count_sources(by_class[c]), order[c]))
    return tuple(by_class[best])


def is_conflicted(moment: Moment) -> bool:
    """Independent reports of the same moment contradict each other (accepted vs rejected).

    One report stating both is nuance ("accepted parts, rejected others"), not a conflict.
    """
    reporters: dict[str, set[int]] = {}
    for entry in moment:
        reporters.setdefault(entry.stance.coarse, set()).add(entry.source)
    return any(
        frozenset((a, b)) in OPPOSED and len(reporters[a] | reporters[b]) > 1
        for a, b in combinations(reporters, 2)
    )


def count_sources(entries: Iterable[Entry]) -> int:
    return len({e.source for e in entries})


def span(entries: Iterable[Entry]) -> tuple[date | None, date | None]:
    """First and last publication date among ``entries`` (None when none is dated)."""
    dates = [e.published for e in entries if e.published is not None]
    return min(dates, default=None), max(dates, default=None)


def tally(entries: Sequence[Entry], window: timedelta = SAME_MOMENT) -> Tally:
    """The summary of one cell from all its entries, in any order."""
    if not entries:
        raise ValueError("a cell needs at least one claim")
    first, last = span(entries)
    counts = (len(entries), count_sources(entries), first, last)
    return _fold(moments(entries, window), None, False, counts)


def extend(
    found: Tally, new: Sequence[Entry], new_sources: int, window: timedelta = SAME_MOMENT
) -> Tally | None:
    """``found`` with ``new`` entries added, or None when the history must be read again.

    Later reports only move the latest moment on, so the moments before it stand: that
    holds when every new entry is dated no earlier than the latest moment's first report.
    ``new_sources`` counts the sources among ``new`` that the cell did not have.
    """
    start = found.latest[0].published if found.latest else None
    if not new or start is None or any(e.published is None or e.published < start for e in new):
        return None
    first, last = span([*new, *found.latest])
    counts = (
        found.claims + len(new),
        found.sources + new_sources,
        min(d for d in (found.first, first) if d is not None),
        max(d for d in (found.last, last) if d is not None),
    )
    steps = moments([*found.latest, *new], window)
    return _fold(steps, found.prior, found.changed_before, counts)


Counts = tuple[int, int, date | None, date | None]


def _fold(steps: list[Moment], prior: str | None, changed_before: bool, counts: Counts) -> Tally:
    """The tally of a cell whose latest moments are ``steps``, after the history that
    ``prior`` and ``changed_before`` sum up."""
    chain = ([prior] if prior else []) + [prevailing(m)[-1].stance.coarse for m in steps]
    before = changed_before or any(a != b for a, b in pairwise(chain[:-1]))
    current = prevailing(steps[-1])
    claims, sources, first, last = counts
    return Tally(
        stance=current[-1].stance,
        claims=claims,
        sources=sources,
        first=first,
        last=last,
        conflict=is_conflicted(steps[-1]),
        current=tuple(e.id for e in current),
        latest=steps[-1],
        prior=chain[-2] if len(chain) > 1 else None,
        changed_before=before,
    )
