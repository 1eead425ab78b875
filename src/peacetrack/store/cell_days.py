"""Each comparison cell's days, kept with its summary, so a comparison from a date reads
one row per moment instead of every claim in range.

A comparison from a date cuts each cell's claims into moments from the cell's first day
on or after it (``peacetrack.moments``): a moment begins on that day, the next on the
first day more than a week later, and so on. Which days begin moments therefore depends
on the date asked, so ``cell_days`` (migration 0011) keeps, for every day a cell has dated
claims, the moment that would begin that day: what it decides at each support level
(``moments.decisions``: the stance class prevailing at that floor and the claims below
it, two columns a level since migration 0012), how many claims it holds, and the day the
moment after it would begin (``next``). With the day's claim ids and the count of the
cell's sources not seen since (``gone``), a cell from a date is: its first row on or
after the date, the rows its ``next`` days lead to (one recursive query for every cell,
which folds the moments' decisions at the floor asked as it goes, so only each cell's
result and its shown moment's days leave the database), the cell summary's sources less
``gone``, and the entries of the one moment it shows, loaded by id. The fold is the one
``moments.History`` describes and ``moments.resume`` finishes, a cell's tally's, so the
cell is the one ``tally`` computes from the claims in range, at any support floor.

The rows are kept by the cells' refresh (``store.cell_summaries``): a rebuilt cell gets
its rows again from the entries the rebuild read; a cell that only gained later claims
rewrites the rows of its last week and the new days, from their claim ids, and points
the rows before them at the new days. A later claim whose source the cell last saw more
than a week before changes ``gone`` on older days, so that cell is rebuilt instead.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    Text,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal_column,
    null,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session, aliased

from peacetrack.moments import (
    SAME_MOMENT,
    Counts,
    Decision,
    Entry,
    History,
    Tally,
    chronological,
    decisions,
    resume,
)
from peacetrack.source import Key
from peacetrack.store.cell_entries import Kind, read_entries
from peacetrack.store.queries import chunked
from peacetrack.store.schema import CellDayRow, CellSummaryRow, ClaimRow
from peacetrack.support import Support


def _days(entries: Iterable[Entry]) -> dict[date, list[Entry]]:
    """The dated entries by day, each day's chronological, days in order."""
    found: dict[date, list[Entry]] = {}
    for entry in chronological(e for e in entries if e.published is not None):
        found.setdefault(entry.published, []).append(entry)  # type: ignore[arg-type]
    return found


def day_rows(
    kind: Kind, key: Key, entries: Iterable[Entry], sources: int, since: date | None = None
) -> list[dict[str, Any]]:
    """The rows of a cell's days on or after ``since`` (None: every day), from its entries
    of those days and any later ones; ``sources`` counts the cell's sources, all of them."""
    by_day = _days(entries)
    days = list(by_day)
    seen: set[int] = set()
    gone: dict[date, int] = {}
    for day in reversed(days):
        seen.update(e.source for e in by_day[day])
        gone[day] = sources - len(seen)
    rows = []
    for i, day in enumerate(days):
        if since is not None and day < since:
            continue
        end = bisect_right(days, day + SAME_MOMENT)
        moment = tuple(e for later in days[i:end] for e in by_day[later])
        rows.append(
            {
                "kind": kind,
                "issue": key[0],
                "col": key[1],
                "day": day,
                "next": days[end] if end < len(days) else None,
                "claims": len(moment),
                **_levels(decisions(moment)),
                "ids": [e.id for e in by_day[day]],
                "gone": gone[day],
            }
        )
    return rows


def _levels(found: Sequence[Decision]) -> dict[str, Any]:
    """A moment's decisions as the row's columns, two a support level."""
    columns: dict[str, Any] = {}
    for level, (prevailing, weaker) in zip(Support, found, strict=True):
        columns[f"class_{level.label}"] = prevailing
        columns[f"weaker_{level.label}"] = weaker
    return columns


def _cell(kind: Kind, key: Key) -> ColumnElement[bool]:
    return (CellDayRow.kind == kind) & (CellDayRow.issue == key[0]) & (CellDayRow.col == key[1])


def rebuilt(
    session: Session, kind: Kind, keys: Iterable[Key], entries: Mapping[Key, Sequence[Entry]],
    found: Mapping[Key, Tally],
) -> None:  # fmt: skip
    """The days of ``keys`` from all their ``entries``; ``found`` are the cells' tallies
    (a cell left without claims keeps no day)."""
    for chunk in chunked(sorted(keys)):
        cells = tuple_(CellDayRow.issue, CellDayRow.col).in_(chunk)
        session.execute(delete(CellDayRow).where(CellDayRow.kind == kind, cells))
    rows = [r for k, t in found.items() for r in day_rows(kind, k, entries[k], t.sources)]
    for part in chunked(rows):
        session.execute(insert(CellDayRow), list(part))


class Growth(NamedTuple):
    """A cell that gained later claims: the new entries, the sources its other claims
    had, and how many sources it has now."""

    new: Sequence[Entry]
    held: set[int]
    sources: int


def extended(session: Session, kind: Kind, grown: Mapping[Key, Growth]) -> set[Key]:
    """Rewrite the days a week before the new claims and after; returns the cells whose
    new claims come from a source they last saw earlier, which need a rebuild."""
    reach = {key: _reach(session, kind, key, min(_dates(g.new))) for key, g in grown.items()}
    wanted = {i for rows in reach.values() for r in rows if r.day >= r.low for i in r.ids}
    old: dict[Key, list[Entry]] = {}
    for chunk in chunked(sorted(wanted)):
        for key, entry in read_entries(session, kind, [ClaimRow.id.in_(chunk)]):
            if key in grown and entry.id in wanted:
                old.setdefault(key, []).append(entry)
    redo = set()
    for key, growth in grown.items():
        before = old.get(key, [])
        if (growth.held - {e.source for e in before}) & {e.source for e in growth.new}:
            redo.add(key)
            continue
        low = min(_dates(growth.new)) - SAME_MOMENT
        rows = day_rows(kind, key, [*before, *growth.new], growth.sources, low)
        session.execute(delete(CellDayRow).where(_cell(kind, key), CellDayRow.day >= low))
        session.execute(insert(CellDayRow), rows)
        days = [r["day"] for r in rows]
        for found in reach[key]:
            if found.day < low:
                end = bisect_right(days, found.day + SAME_MOMENT)
                point = days[end] if end < len(days) else None
                where = (_cell(kind, key), CellDayRow.day == found.day)
                session.execute(update(CellDayRow).where(*where).values(next=point))
    return redo


def _dates(entries: Iterable[Entry]) -> list[date]:
    return [e.published for e in entries if e.published is not None]


class _Reached(NamedTuple):
    day: date
    ids: list[int]
    low: date


def _reach(session: Session, kind: Kind, key: Key, start: date) -> list[_Reached]:
    """The days a claim from ``start`` on can change: those from a week before it (their
    moments may hold it), and earlier ones whose next moment would begin at it or later."""
    low = start - SAME_MOMENT
    row = CellDayRow
    query = select(row.day, row.ids).where(
        _cell(kind, key), (row.day >= low) | row.next.is_(None) | (row.next >= start)
    )
    return [_Reached(day, ids, low) for day, ids in session.execute(query)]


def ranged(
    session: Session,
    kind: Kind,
    cells: Sequence[ColumnElement[bool]],
    since: date | None,
    floor: Support,
) -> dict[Key, Tally]:
    """The cells chosen by ``cells`` (conditions on ``cell_summaries``, whose kind is
    ``kind``) tallied from their claims published on or after ``since``, at ``floor``.

    Without ``since`` a cell's moments begin with its undated claims, which keep no day:
    such a cell is left out, for the caller to tally from its claims.
    """
    folded: dict[Key, tuple[Counts, History]] = {}
    ids: dict[Key, set[int]] = {}
    for issue, col, first, in_range, gone, prior, changed, rest, *total, day_ids in session.execute(
        _folded(session, kind, cells, since, floor)
    ):
        claims, sources, last = total
        if since is None and in_range != claims:
            continue  # undated claims come first: the caller tallies the cell
        folded[issue, col] = (
            (in_range, sources - gone, first, last),
            History(prior, bool(changed), rest),
        )
        ids.setdefault((issue, col), set()).update(day_ids)
    shown = _entries_of(session, kind, ids)
    return {
        key: resume(tuple(chronological(shown[key])), before, counts, floor)
        for key, (counts, before) in folded.items()
    }


def _folded(
    session: Session,
    kind: Kind,
    cells: Sequence[ColumnElement[bool]],
    since: date | None,
    floor: Support,
) -> Select[Any]:
    """Every chosen cell folded at ``floor`` from its first day on or after ``since``, in
    one query, a row for each day of the moment it shows (with the day's claim ids): the
    first days (``_starts``), a recursive query along ``next`` (an index seek per moment)
    that carries the fold (``_step``), its last row (the cell's last moment), and the
    shown moment's days.

    The days are joined on columns of the rows before them, never on a constant kind:
    SQLite's planner, without statistics of a table filled since the last ``ANALYZE``,
    would otherwise start from every day of the kind.
    """
    starts = _starts(session, cells, since)
    anchor = aliased(CellDayRow)
    chain = (
        select(*_step(anchor, _Fold.empty(anchor), floor))
        .join(starts, _same_cell(anchor, starts.c) & (anchor.day == starts.c.day))
        .cte("chain", recursive=True)
    )
    step = aliased(CellDayRow)
    after = select(*_step(step, _Fold.of(chain), floor)).join(
        chain, _same_cell(step, chain.c) & (step.day == chain.c.next)
    )
    # SQLite then takes the moments from a queue ordered by cell, one cell's after the
    # other's, its days' pages read once (PostgreSQL has no such order, nor needs it).
    chain = chain.union_all(after.suffix_with("ORDER BY issue, col", dialect="sqlite"))
    # Materialised, the last rows only: SQLite then streams the recursion into it rather
    # than keeping every moment's row for the join.
    last = _materialised(session, select(chain).where(chain.c.next.is_(None)).cte("last"))
    shown = func.coalesce(last.c.held_day, last.c.day)
    days = aliased(CellDayRow)
    window = (days.day >= shown) & (last.c.held_next.is_(None) | (days.day < last.c.held_next))
    rest = last.c.weaker - func.coalesce(last.c.held_weaker, last.c.own_weaker)
    fold = (last.c.first, last.c.claims, last.c.gone, last.c.prior, last.c.changed, rest)
    summary = CellSummaryRow
    totals = (summary.claims, summary.sources, summary.last)
    # The summaries by their key, not ``starts`` again: PostgreSQL, which cannot tell how
    # many rows a CTE holds, would scan it for every row.
    return (
        select(last.c.issue, last.c.col, *fold, *totals, days.ids)
        .join(summary, _same_cell(summary, last.c))
        .join(days, _same_cell(days, last.c) & window)
    )


def _starts(session: Session, cells: Sequence[ColumnElement[bool]], since: date | None) -> Any:
    """The chosen cells' first days on or after ``since`` (an index seek per cell summary,
    materialised first)."""
    summary, day = CellSummaryRow, aliased(CellDayRow)
    first = select(func.min(day.day)).where(
        day.kind == summary.kind,
        day.issue == summary.issue,
        day.col == summary.col,
        *([day.day >= since] if since is not None else []),
    )
    starts = (
        select(summary.kind, summary.issue, summary.col, first.scalar_subquery().label("day"))
        .where(*cells)
        .cte("starts")
    )
    return _materialised(session, starts)


class _Fold(NamedTuple):
    """What the recursive query carries along a cell's moments (``History``'s fold): the
    first moment's day, the claims so far, the first moment's ``gone``, the last moment
    with a class at the floor (its day, next day, class and weaker claims), the class held
    before it, whether two consecutive classes differ among all held and among those
    before the last, and the weaker claims so far."""

    first: Any
    claims: Any
    gone: Any
    held_day: Any
    held_next: Any
    held_class: Any
    prior: Any
    changed_all: Any
    changed: Any
    weaker: Any
    held_weaker: Any

    @classmethod
    def empty(cls, first: Any) -> _Fold:
        """Before a cell's first moment (``first``, the row that begins it)."""
        no_day, no_class = cast(null(), Date), cast(null(), Text)
        zero = literal_column("0", Integer)
        no_count = cast(null(), Integer)
        return cls(
            first.day, zero, first.gone, no_day, no_day, no_class, no_class, zero, zero, zero,
            no_count,
        )  # fmt: skip

    @classmethod
    def of(cls, chain: Any) -> _Fold:
        """As the query's row before carries it."""
        return cls(*(chain.c[name] for name in cls._fields))


def _step(row: Any, before: _Fold, floor: Support) -> list[ColumnElement[Any]]:
    """The fold after the moment beginning at ``row``, with the row's cell, day and next
    day: a moment with a class at ``floor`` becomes the one held (the one shown, if no
    later one has a class) and its class the next moment's prior; every moment's claims
    below the floor count as weaker."""
    found = cast(getattr(row, f"class_{floor.label}"), Text)
    weaker = getattr(row, f"weaker_{floor.label}")
    held = found.is_not(None)

    def kept(new: Any, old: Any) -> ColumnElement[Any]:
        return case((held, new), else_=old)

    fold = _Fold(
        first=before.first,
        claims=before.claims + row.claims,
        gone=before.gone,
        held_day=kept(row.day, before.held_day),
        held_next=kept(row.next, before.held_next),
        held_class=func.coalesce(found, before.held_class),
        prior=kept(before.held_class, before.prior),
        changed_all=case(
            (held & (before.held_class != found), literal_column("1", Integer)),
            else_=before.changed_all,
        ),
        changed=kept(before.changed_all, before.changed),
        weaker=before.weaker + weaker,
        held_weaker=kept(weaker, before.held_weaker),
    )
    values = [row.kind, row.issue, row.col, row.day, row.next]
    names = ["kind", "issue", "col", "day", "next", *_Fold._fields]
    return [
        v.label(n) for v, n in zip([*values, *fold, weaker], [*names, "own_weaker"], strict=True)
    ]


def _materialised(session: Session, query: Any) -> Any:
    """``query`` (a CTE) computed once, before the query that reads it, where the database
    takes ``AS MATERIALIZED`` (PostgreSQL 12, SQLite 3.35 on): an older SQLite may plan
    it otherwise, slower but the same."""
    if session.get_bind().dialect.name == "sqlite" and sqlite3.sqlite_version_info < (3, 35):
        return query
    return query.prefix_with("MATERIALIZED")


def _same_cell(row: Any, other: Any) -> ColumnElement[bool]:
    """Rows (or a query's columns, ``.c``) of the same cell."""
    return and_(row.kind == other.kind, row.issue == other.issue, row.col == other.col)


def _entries_of(
    session: Session, kind: Kind, wanted: Mapping[Key, set[int]]
) -> dict[Key, list[Entry]]:
    """The entries of these claims of each cell, read by id."""
    ids = sorted({i for found in wanted.values() for i in found})
    found: dict[Key, list[Entry]] = {key: [] for key in wanted}
    for chunk in chunked(ids):
        for key, entry in read_entries(session, kind, [ClaimRow.id.in_(chunk)]):
            if entry.id in wanted.get(key, ()):
                found[key].append(entry)
    return found
