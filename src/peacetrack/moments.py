"""The arithmetic of a cell: moments, the prevailing stance, conflicts and changes.

It works on ``Entry`` tuples (a claim's id, date, stance, source and grade) rather than on
whole claims, so the same code summarises a list of claims in memory and the millions of
rows the store folds into per-cell summaries (``store.cells``): a cell
shown from a summary is the cell this module would compute from its claims.

Moments are cut from every report, but only positions with enough support
(``peacetrack.support``, at or above a floor) decide a cell's stance, its conflicts and its
changes: one misread sentence or one unnamed official opposite a corroborated position is
counted beside the cell (``Tally.weaker``), never shown as a reversal. A cell whose every
position is below the floor still shows its best, with its level, and no marker.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import combinations, pairwise
from typing import NamedTuple

from peacetrack.model import Stance
from peacetrack.support import DEFAULT_SUPPORT, Support, independent, position_support

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
    """What the arithmetic needs of a claim; ``source`` is its document's source group,
    ``grade`` what the claim is worth alone (``support.claim_grade``), ``outlet`` its
    document's outlet (two stories of one outlet are not two witnesses)."""

    id: int
    published: date | None
    stance: Stance
    source: int
    grade: Support
    outlet: str | None


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
    support: Support
    backing: int
    weaker: int
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
    by_class = _by_class(moment)
    return tuple(by_class[max(by_class, key=_ranks(moment, by_class).__getitem__)])


def _by_class(moment: Moment) -> dict[str, list[Entry]]:
    """The entries of each stance class, classes in the order first reported."""
    by_class: dict[str, list[Entry]] = {}
    for entry in moment:
        by_class.setdefault(entry.stance.coarse, []).append(entry)
    return by_class


def _ranks(moment: Moment, by_class: dict[str, list[Entry]]) -> dict[str, tuple[int, int]]:
    """What makes a class prevail over another: its sources, then how late its last report."""
    last = {stance: i for i, stance in enumerate(e.stance.coarse for e in moment)}
    return {c: (count_sources(found), last[c]) for c, found in by_class.items()}


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


def supported(moment: Moment, floor: Support) -> Moment:
    """The entries of ``moment`` whose position (their stance class) reaches ``floor``."""
    by_class: dict[str, list[Entry]] = {}
    for entry in moment:
        by_class.setdefault(entry.stance.coarse, []).append(entry)
    kept = {c for c, found in by_class.items() if support_of(found) >= floor}
    return tuple(e for e in moment if e.stance.coarse in kept)


def support_of(entries: Iterable[Entry]) -> Support:
    """The support of the position these entries state."""
    return position_support((e.grade, (e.source, e.outlet)) for e in entries)


def tally(
    entries: Sequence[Entry], window: timedelta = SAME_MOMENT, floor: Support = DEFAULT_SUPPORT
) -> Tally:
    """The summary of one cell from all its entries, in any order."""
    return tallies(entries, window, (floor,))[floor]


def tallies(
    entries: Sequence[Entry], window: timedelta = SAME_MOMENT, floors: Iterable[Support] = Support
) -> dict[Support, Tally]:
    """The summary of one cell at each of ``floors`` (every level: the store keeps each
    cell's at every floor, ``store.cell_summaries``), its moments cut once."""
    if not entries:
        raise ValueError("a cell needs at least one claim")
    first, last = span(entries)
    counts = (len(entries), count_sources(entries), first, last)
    steps = moments(entries, window)
    return {floor: _fold(steps, History(None, False, 0), counts, floor) for floor in floors}


def extend(
    found: Tally,
    new: Sequence[Entry],
    new_sources: int,
    window: timedelta = SAME_MOMENT,
    floor: Support = DEFAULT_SUPPORT,
) -> Tally | None:
    """``found`` with ``new`` entries added, or None when the history must be read again.

    Later reports only move the latest moment on, so the moments before it stand: that
    holds when every new entry is dated no earlier than the latest moment's first report.
    ``new_sources`` counts the sources among ``new`` that the cell did not have; ``found``
    was summarised with ``floor``.
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
    kept = supported(found.latest, floor)
    weaker = found.weaker - (len(found.latest) - len(kept))
    steps = moments([*found.latest, *new], window)
    if found.support < floor or (kept and set(found.current) <= {e.id for e in kept}):
        # The current stance is the latest moment's (or no position reaches the floor).
        return _fold(steps, History(found.prior, found.changed_before, weaker), counts, floor)
    # The current stance is an earlier moment's: the latest held only weaker reports.
    if not any(supported(m, floor) for m in steps):
        claims, sources, first, last = counts
        weaker += sum(len(m) for m in steps)
        return replace(
            found,
            claims=claims,
            sources=sources,
            first=first,
            last=last,
            latest=steps[-1],
            weaker=weaker,
        )
    return _fold(steps, History(found.stance.coarse, found.changed, weaker), counts, floor)


Counts = tuple[int, int, date | None, date | None]


#: What a moment decides at one support floor: the stance class prevailing among its
#: positions at that floor (None when none reaches it), and its claims below the floor.
Decision = tuple[str | None, int]


def decisions(moment: Moment) -> list[Decision]:
    """What ``moment`` (chronological entries) decides at each support level, weakest
    first, as ``_fold`` decides it: a store keeps these for the moment that would begin on
    each day of a cell (``store.cell_days``), so a date range at any floor is decided moment
    by moment without the moments' claims.

    The class prevailing among the positions at a floor is ``prevailing``'s over the
    entries kept there (it compares classes by their sources and their last report, which
    keeping whole classes leaves as they were)."""
    by_class = _by_class(moment)
    level = {c: support_of(found) for c, found in by_class.items()}
    rank = _ranks(moment, by_class)
    found: list[Decision] = []
    for floor in Support:
        kept = [c for c in by_class if level[c] >= floor]
        weaker = sum(len(by_class[c]) for c in by_class if level[c] < floor)
        found.append((max(kept, key=rank.__getitem__) if kept else None, weaker))
    return found


def resume(steps: Sequence[Moment], before: History, counts: Counts, floor: Support) -> Tally:
    """The tally of a cell whose last moments are ``steps`` (each its entries,
    chronological), after the ``History`` its other moments left: the moment it shows,
    or the moment it would show before an end date and the moment that date cuts."""
    return _fold(list(steps), before, counts, floor)


class History(NamedTuple):
    """What the moments before ``steps`` left: the last supported class before them,
    whether the stance changed among them, and how many weaker claims they held.

    A cell's moments, each read as its decisions at a floor, leave the history ``_fold``
    would: the cell shows its last moment with a class at the floor (else its last);
    ``prior`` is the class of the one with a class before it, ``changed`` whether two
    consecutive classes differ among those before it, and ``weaker`` counts the claims
    below the floor of every other moment. ``store.cell_days`` folds it so in SQL.
    """

    prior: str | None
    changed: bool
    weaker: int


def _fold(steps: list[Moment], before: History, counts: Counts, floor: Support) -> Tally:
    """The tally of a cell whose latest moments are ``steps``, after ``before``."""
    kept = [supported(m, floor) for m in steps]
    # Every claim below the floor, also in a cell with no supported position at all.
    weaker = before.weaker + sum(len(m) - len(k) for m, k in zip(steps, kept, strict=True))
    held = [k for k in kept if k]
    # Each supported moment's prevailing entries: the last one's are the current stance's.
    tops = [prevailing(k) for k in held]
    chain = ([before.prior] if before.prior else []) + [top[-1].stance.coarse for top in tops]
    claims, sources, first, last = counts
    if held:
        current, conflict = tops[-1], is_conflicted(held[-1])
        changed = before.changed or any(a != b for a, b in pairwise(chain[:-1]))
        prior = chain[-2] if len(chain) > 1 else None
    else:  # no position reaches the floor: show the latest, with no marker
        current, conflict, changed, prior = prevailing(steps[-1]), False, False, None
    return Tally(
        stance=current[-1].stance,
        claims=claims,
        sources=sources,
        first=first,
        last=last,
        conflict=conflict,
        current=tuple(e.id for e in current),
        support=support_of(current),
        backing=independent((e.source, e.outlet) for e in current),
        weaker=weaker,
        latest=steps[-1],
        prior=prior,
        changed_before=changed,
    )


@dataclass(frozen=True)
class Step:
    """One moment of a track (an actor on an issue in a conflict), without its words.

    ``claims`` are the moment's claim ids, oldest first; ``evidence`` those stating the
    shown stance; ``prior`` the stance class of the track's last supported step before
    this one, which ``changed`` compares against. The timeline words a step from its
    evidence; the store keeps steps as they are (``store.step_summaries``), so that later
    reports recompute only a track's last step and what follows it.
    """

    first: date | None
    last: date | None
    stance: Stance
    sources: int
    conflict: bool
    changed: bool
    support: Support
    weaker: int
    claims: tuple[int, ...]
    evidence: tuple[int, ...]
    prior: str | None


def steps(
    entries: Sequence[Entry],
    window: timedelta = SAME_MOMENT,
    floor: Support = DEFAULT_SUPPORT,
    prior: str | None = None,
) -> list[Step]:
    """A track's steps, one per moment, oldest first; ``prior`` is the class held before
    ``entries`` (when they continue a track from its last step).

    Only positions at ``floor`` decide a step's stance and mark a change or a conflict; a
    step of weaker reports only shows its best with its level, and leaves the held class.
    """
    found: list[Step] = []
    held = prior
    for moment in moments(entries, window):
        kept = supported(moment, floor)
        chosen = prevailing(kept or moment)
        stance = chosen[-1].stance
        first, last = span(moment)
        found.append(
            Step(
                first=first,
                last=last,
                stance=stance,
                sources=count_sources(moment),
                conflict=bool(kept) and is_conflicted(kept),
                changed=bool(kept) and held is not None and held != stance.coarse,
                support=support_of(chosen),
                weaker=len(moment) - len(kept),
                claims=tuple(e.id for e in moment),
                evidence=tuple(e.id for e in chosen),
                prior=held,
            )
        )
        held = stance.coarse if kept else held
    return found
