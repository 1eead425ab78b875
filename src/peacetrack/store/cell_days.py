"""Each comparison cell's days, kept with its summary, so a comparison from a date reads
one row per moment instead of every claim in range.

A comparison from a date cuts each cell's claims into moments from the cell's first day
on or after it (``peacetrack.moments``): a moment begins on that day, the next on the
first day more than a week later, and so on. Which days begin moments therefore depends
on the date asked, so ``cell_days`` (migration 0011) keeps, for every day a cell has dated
claims, the moment that would begin that day: what it decides at each support level
(``moments.decisions``: the stance class prevailing at that floor and the claims below
it), how many claims it holds, and the day the moment after it would begin (``next``).
With the day's claim ids and the count of the cell's sources not seen since (``gone``), a
cell from a date is: its first row on or after the date, the rows its ``next`` days lead
to (one recursive query for every cell), the cell summary's sources less ``gone``, and
the entries of the one moment it shows, loaded by id. The arithmetic is
``moments.course`` and ``moments.resume``, the fold a cell's tally makes, so the cell is
the one ``tally`` computes from the claims in range, at any support floor.

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
    JSON,
    ColumnElement,
    Select,
    and_,
    delete,
    func,
    insert,
    literal,
    null,
    select,
    tuple_,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased

from peacetrack.moments import (
    SAME_MOMENT,
    Counts,
    Course,
    Decision,
    Entry,
    Tally,
    chronological,
    course,
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
                "decisions": [value for found in decisions(moment) for value in found],
                "ids": [e.id for e in by_day[day]],
                "gone": gone[day],
            }
        )
    return rows


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


class _Folded(NamedTuple):
    """A cell from a date, before its shown moment is read: its counts, the day the shown
    moment begins, and what ``moments.course`` folded from its moments."""

    counts: Counts
    shown: date
    course: Course


class _Read(NamedTuple):
    """What one query reads of the chosen cells from a date: each cell's moments (day,
    claims, decisions, gone), and the claim ids of the days of its last moment."""

    chains: dict[Key, list[tuple[Any, ...]]]
    last_ids: dict[Key, set[int]]


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
    read = _read(session, kind, cells, since)
    summary = select(
        CellSummaryRow.issue, CellSummaryRow.col, CellSummaryRow.claims, CellSummaryRow.sources,
        CellSummaryRow.last,
    ).where(*cells)  # fmt: skip
    totals = {(i, c): (n, s, last) for i, c, n, s, last in session.execute(summary)}
    folded: dict[Key, _Folded] = {}
    for key, rows in read.chains.items():
        claims, sources, last = totals[key]
        in_range = sum(r[1] for r in rows)
        if since is None and in_range != claims:
            continue  # undated claims come first: the caller tallies the cell
        found = course([_decisions(r[2]) for r in rows], floor)
        counts = (in_range, sources - rows[0][3], rows[0][0], last)
        folded[key] = _Folded(counts, rows[found.shown][0], found)
    ids = {
        key: read.last_ids[key] for key, f in folded.items() if f.shown == read.chains[key][-1][0]
    }
    ids |= _window_ids(session, kind, {k: f.shown for k, f in folded.items() if k not in ids})
    shown = _entries_of(session, kind, ids)
    return {
        key: resume(tuple(chronological(shown[key])), f.course.before, f.counts, floor)
        for key, f in folded.items()
    }


def _decisions(stored: list[Any]) -> list[Decision]:
    """A moment's decisions as ``day_rows`` stored them: class and weaker claims at each
    level in turn, one flat list."""
    return list(zip(stored[::2], stored[1::2], strict=True))


def _read(
    session: Session, kind: Kind, cells: Sequence[ColumnElement[bool]], since: date | None
) -> _Read:
    """Every chosen cell's moments from its first day on or after ``since``, and the ids of
    its last moment's days, in one query: the first days (an index seek per cell summary,
    materialised first), a recursive query along ``next`` (an index seek per moment), and
    the days from the last moment's on.

    The days are joined on columns of the rows before them, never on a constant kind:
    SQLite's planner, without statistics of a table filled since the last ``ANALYZE``,
    would otherwise start from every day of the kind.
    """
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
    if _materialises(session):
        starts = starts.prefix_with("MATERIALIZED")
    chain = _follow(select(*_moment(CellDayRow)).join(starts, _at(CellDayRow, starts)))
    days = aliased(CellDayRow)
    later = _same_cell(days, chain) & (days.day >= chain.c.day)
    # Not ``next``: it only leads the query from moment to moment.
    read = [chain.c[name] for name in ("issue", "col", "day", "claims", "decisions", "gone")]
    moments = select(literal("moment"), *read, type_coerce(null(), JSON))
    last = select(literal("last"), days.issue, days.col, days.day, *[null()] * 3, days.ids)
    query: Any = union_all(moments, last.join(chain, later).where(chain.c.next.is_(None)))
    found = _Read({}, {})
    for what, issue, col, *row, ids in session.execute(query):
        if what == "moment":
            found.chains.setdefault((issue, col), []).append(tuple(row))
        else:
            found.last_ids.setdefault((issue, col), set()).update(ids)
    for rows in found.chains.values():
        rows.sort(key=lambda r: r[0])
    return found


def _materialises(session: Session) -> bool:
    """Whether the database takes ``AS MATERIALIZED`` (PostgreSQL 12, SQLite 3.35 on):
    an older SQLite may plan the first days from the days' side, slower but the same."""
    if session.get_bind().dialect.name != "sqlite":
        return True
    return sqlite3.sqlite_version_info >= (3, 35)


def _moment(row: Any) -> list[Any]:
    return [row.kind, row.issue, row.col, row.day, row.next, row.claims, row.decisions, row.gone]


def _same_cell(row: Any, other: Any) -> ColumnElement[bool]:
    return and_(row.kind == other.c.kind, row.issue == other.c.issue, row.col == other.c.col)


def _at(row: Any, other: Any) -> ColumnElement[bool]:
    return and_(_same_cell(row, other), row.day == other.c.day)


def _follow(anchor: Select[Any]) -> Any:
    """The moments from ``anchor``'s along ``next``: a recursive query."""
    chain = anchor.cte("chain", recursive=True)
    step = aliased(CellDayRow)
    return chain.union_all(
        select(*_moment(step)).join(chain, _same_cell(step, chain) & (step.day == chain.c.next))
    )


def _window_ids(session: Session, kind: Kind, shown: Mapping[Key, date]) -> dict[Key, set[int]]:
    """The claim ids of each cell's days from its shown day to a week after, a query per
    cell: most cells show their last moment, whose ids ``_read`` has read already."""
    found: dict[Key, set[int]] = {}
    for key, start in shown.items():
        where = (_cell(kind, key), CellDayRow.day.between(start, start + SAME_MOMENT))
        for ids in session.scalars(select(CellDayRow.ids).where(*where)):
            found.setdefault(key, set()).update(ids)
    return found


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
