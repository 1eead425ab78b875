"""Each comparison cell's days, kept with its summary, so a comparison from a date reads
one row per moment instead of every claim in range.

A comparison from a date cuts each cell's claims into moments from the cell's first day
on or after it (``peacetrack.moments``): a moment begins on that day, the next on the
first day more than a week later, and so on. Which days begin moments therefore depends
on the date asked, so ``cell_days`` (migration 0011) keeps, for every day a cell has
dated claims, the moment that would begin that day: what it decides at each support
level (``moments.decisions``: the stance class prevailing at that floor and the claims
below it, two columns a level since migration 0012), how many claims it holds, and the
day the moment after it would begin (``next``), and a copy of that moment's
(``next_claims``, ``next_class_named``, ..., ``next_next``; migration 0019), so
following ``next`` reads two moments a row. With the day's claim ids and the count of
the cell's sources not seen since (``gone``), a cell from a date is: its first row on or
after the date, the rows its ``next`` days lead to (one recursive query for every cell,
which folds the moments' decisions at the floor asked as it goes, so only each cell's
result and its shown moment's days leave the database), the cell summary's sources less
``gone``, and the entries of the one moment it shows, loaded by id. The fold is the one
``moments.History`` describes and ``moments.resume`` finishes, a cell's tally's, so the
cell is the one ``tally`` computes from the claims in range, at any support floor.

The rows are kept by the cells' refresh (``store.cell_summaries``): a rebuilt cell gets
its rows again from the entries the rebuild read; a cell that only gained later claims
rewrites the rows of its last week and the new days, from their claim ids, points the
rows before them at the new days and copies the moments they point at again
(``followed``). A later claim whose source the cell last saw more than a week before
changes ``gone`` on older days, so that cell is rebuilt instead. Comparisons read the
rows through ``store.cell_day_reads``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    delete,
    insert,
    select,
    tuple_,
    update,
)

import peacetrack.store.cell_moments as cell_moments
from peacetrack.moments import (
    SAME_MOMENT,
    Decision,
    Entry,
    Tally,
    chronological,
    decisions,
)
from peacetrack.source import Key
from peacetrack.store.cell_day_reads import same_cell
from peacetrack.store.cell_entries import Kind, read_entries
from peacetrack.store.queries import chunked
from peacetrack.store.tables import CELL_DAYS, CLAIMS, DOCUMENTS
from peacetrack.support import SUPPORT_LEVELS, Support


def _days(entries: Iterable[Entry]) -> dict[date, list[Entry]]:
    """The dated entries by day, each day's chronological, days in order."""
    found: dict[date, list[Entry]] = {}
    for entry in chronological(e for e in entries if e.published is not None):
        found.setdefault(entry.published, []).append(entry)  # type: ignore[arg-type]
    return found


class Earlier(NamedTuple):
    """The sources a cell's claims dated before a day have: how many, and which of them
    some later entries also have."""

    number: int
    among: set[int]


NONE_EARLIER = Earlier(0, set())


def day_rows(
    kind: Kind,
    key: Key,
    entries: Iterable[Entry],
    sources: int,
    since: date | None = None,
    earlier: Earlier = NONE_EARLIER,
) -> list[dict[str, Any]]:
    """The rows of a cell's days on or after ``since`` (None: every day), from its entries
    of those days and any later ones; ``sources`` counts the cell's sources, all of them,
    and ``earlier`` those of its claims dated before ``since``."""
    by_day = _days(entries)
    days = list(by_day)
    later: set[int] = set()
    gone: dict[date, int] = {}
    for day in reversed(days):
        later.update(e.source for e in by_day[day])
        gone[day] = sources - len(later)
    known, seen = set(earlier.among), {}
    for day in days:
        known.update(e.source for e in by_day[day])
        seen[day] = earlier.number + len(known - earlier.among)
    rows: list[dict[str, Any]] = []
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
                "seen": seen[day],
            }
        )
    return _with_next(rows)


def _with_next(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each of a cell's day ``rows`` (every day from the first one's on) with the columns
    of the row its ``next`` names (``FOLLOWED``)."""
    at = {row["day"]: row for row in rows}
    for row in rows:
        after = at.get(row["next"])
        row.update({f"next_{c}": None if after is None else after[c] for c in FOLLOWED})
    return rows


#: The columns of the moment beginning on a day's ``next`` that its row holds too, each as
#: ``next_`` and the name of the next row's own column (``next_next`` is that row's ``next``).
FOLLOWED = (
    "claims",
    *(f"{w}_{level}" for level in SUPPORT_LEVELS for w in ("class", "weaker")),
    "next",
)


def followed(connection: Connection, where: Sequence[ColumnElement[bool]]) -> None:
    """Copy into the days chosen by ``where`` the columns of the moment beginning on their
    ``next`` (``FOLLOWED``), from its row; days without a ``next`` are left as they are."""
    day, after = CELL_DAYS.c, CELL_DAYS.alias("after").c
    values = {f"next_{c}": after[c] for c in FOLLOWED}
    connection.execute(
        update(CELL_DAYS).where(same_cell(after, day), after.day == day.next, *where).values(values)
    )


def _levels(found: Sequence[Decision]) -> dict[str, Any]:
    """A moment's decisions as the row's columns, two a support level."""
    columns: dict[str, Any] = {}
    for level, (prevailing, weaker) in zip(Support, found, strict=True):
        columns[f"class_{level.label}"] = prevailing
        columns[f"weaker_{level.label}"] = weaker
    return columns


def _cell(kind: Kind, key: Key) -> ColumnElement[bool]:
    return (CELL_DAYS.c.kind == kind) & (CELL_DAYS.c.issue == key[0]) & (CELL_DAYS.c.col == key[1])


def rebuilt(
    connection: Connection, kind: Kind, keys: Iterable[Key], entries: Mapping[Key, Sequence[Entry]],
    found: Mapping[Key, Tally],
) -> None:  # fmt: skip
    """The days of ``keys`` from all their ``entries``; ``found`` are the cells' tallies
    (a cell left without claims keeps no day)."""
    for chunk in chunked(sorted(keys)):
        cells = tuple_(CELL_DAYS.c.issue, CELL_DAYS.c.col).in_(chunk)
        connection.execute(delete(CELL_DAYS).where(CELL_DAYS.c.kind == kind, cells))
    rows = [r for k, t in found.items() for r in day_rows(kind, k, entries[k], t.sources)]
    for part in chunked(rows):
        connection.execute(insert(CELL_DAYS), list(part))
    cell_moments.kept(connection, kind, dict.fromkeys(keys))


class Growth(NamedTuple):
    """A cell that gained later claims: the new entries, the sources its other claims
    had, and how many sources it has now."""

    new: Sequence[Entry]
    held: set[int]
    sources: int


def extended(connection: Connection, kind: Kind, grown: Mapping[Key, Growth]) -> set[Key]:
    """Rewrite the days a week before the new claims and after; returns the cells whose
    new claims come from a source they last saw earlier, which need a rebuild."""
    reach = {key: _reach(connection, kind, key, min(_dates(g.new))) for key, g in grown.items()}
    wanted = {i for rows in reach.values() for r in rows if r.day >= r.low for i in r.ids}
    old: dict[Key, list[Entry]] = {}
    for chunk in chunked(sorted(wanted)):
        for key, entry in read_entries(connection, kind, [CLAIMS.c.id.in_(chunk)], few=True):
            if key in grown and entry.id in wanted:
                old.setdefault(key, []).append(entry)
    redo = {
        key
        for key, growth in grown.items()
        if (growth.held - {e.source for e in old.get(key, [])}) & {e.source for e in growth.new}
    }
    lows = {key: min(_dates(g.new)) - SAME_MOMENT for key, g in grown.items() if key not in redo}
    touched = {key: [*old.get(key, []), *grown[key].new] for key in lows}
    earlier = _earlier(connection, kind, lows, touched)
    for key, low in lows.items():
        rows = day_rows(kind, key, touched[key], grown[key].sources, low, earlier[key])
        connection.execute(delete(CELL_DAYS).where(_cell(kind, key), CELL_DAYS.c.day >= low))
        connection.execute(insert(CELL_DAYS), rows)
        days = [r["day"] for r in rows]
        older = [found.day for found in reach[key] if found.day < low]
        for day in older:
            end = bisect_right(days, day + SAME_MOMENT)
            point = days[end] if end < len(days) else None
            where = (_cell(kind, key), CELL_DAYS.c.day == day)
            connection.execute(update(CELL_DAYS).where(*where).values(next=point))
        # The older days whose next moment was written again or now ends elsewhere: those
        # pointing at a rewritten day or at one just pointed anew.
        followed(
            connection,
            [_cell(kind, key), CELL_DAYS.c.day < low, CELL_DAYS.c.next >= min([low, *older])],
        )
    cell_moments.kept(connection, kind, lows)
    return redo


def _earlier(
    connection: Connection, kind: Kind, lows: Mapping[Key, date], entries: Mapping[Key, list[Entry]]
) -> dict[Key, Earlier]:
    """For each cell, the sources its claims dated before its day in ``lows`` have (the
    count kept on its last day before it), and which of them its ``entries`` have."""
    found = {}
    for key, low in lows.items():
        last = select(CELL_DAYS.c.seen).where(_cell(kind, key), CELL_DAYS.c.day < low)
        count = connection.scalar(last.order_by(CELL_DAYS.c.day.desc()).limit(1))
        found[key] = Earlier(count or 0, set())
    sources = sorted({e.source for found in entries.values() for e in found})
    for chunk in chunked(sources):
        in_groups = DOCUMENTS.c.id.in_(chunk) | DOCUMENTS.c.source_id.in_(chunk)
        before = DOCUMENTS.c.published < max(lows.values())
        for key, entry in read_entries(connection, kind, [in_groups, before]):
            if key in lows and entry.published is not None and entry.published < lows[key]:
                found[key].among.add(entry.source)
    for key, kept in found.items():
        kept.among.intersection_update(e.source for e in entries[key])
    return found


def _dates(entries: Iterable[Entry]) -> list[date]:
    return [e.published for e in entries if e.published is not None]


class _Reached(NamedTuple):
    day: date
    ids: list[int]
    low: date


def _reach(connection: Connection, kind: Kind, key: Key, start: date) -> list[_Reached]:
    """The days a claim from ``start`` on can change: those from a week before it (their
    moments may hold it), and earlier ones whose next moment would begin at it or later."""
    low = start - SAME_MOMENT
    row = CELL_DAYS.c
    query = select(row.day, row.ids).where(
        _cell(kind, key), (row.day >= low) | row.next.is_(None) | (row.next >= start)
    )
    return [_Reached(day, ids, low) for day, ids in connection.execute(query)]
