"""Comparison cells kept summarised in the store, so a matrix of a million claims is quick.

A cell (an actor or a proposal on an issue) is summarised by ``peacetrack.moments.tally``.
The summaries live in ``cell_summaries``; triggers (migration 0004) list in
``stale_cells`` every cell whose claims, actors, documents or proposal changed since, and
the ids of claims added to a cell. ``refresh`` extends a cell that only gained later
claims from its stored latest moment, and rebuilds any other marked cell from its claims'
dates, stances and sources. A comparison then costs one read per cell plus what the claims
behind each current stance state, however many claims stand behind the cells. After a bulk
load every cell is rebuilt once (seconds per million claims).

Each cell is summarised twice: across conflicts (kinds ``actor`` and ``proposal``) and
within its conflict (``c-actor``, ``c-proposal``: the column is the conflict id, or
``unassigned``, a ``|`` and the actor or proposal), so one conflict's matrix reads
summaries too. A per-conflict actor cell is a timeline track: its steps are kept beside
it, rebuilt and extended with it (``store.step_summaries``), and every cell's days are
kept the same way (``store.cell_days``). A row holds its cell at every support floor
(migration 0015), so comparisons over the whole record (of one conflict or all) at any
floor use the summaries; a first date or an end date changes what is in every cell, so
those read the cells' days; both dates, stances or reviewed claims only are summarised
from the claims as they load.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import ColumnElement, Connection, delete, func, insert, select, text, tuple_

import peacetrack.store.cell_day_reads as cell_day_reads
import peacetrack.store.cell_days as cell_days
import peacetrack.store.step_summaries as step_summaries
from peacetrack.model import STANCE_BY_VALUE
from peacetrack.moments import Entry, Tally, extend, tallies, tally
from peacetrack.source import (
    By,
    CellFacts,
    Filters,
    Key,
    StoredClaim,
)
from peacetrack.store.cell_entries import (
    KINDS,
    SEPARATOR,
    Kind,
    column_of,
    kept_entry,
    read_entries,
)
from peacetrack.store.queries import (
    canonical_proposal,
    chunked,
    load_claims,
    statements_with_ids,
    visible,
)
from peacetrack.store.tables import CELL_SUMMARIES, CLAIMS, DOCUMENTS, STALE_CELLS
from peacetrack.support import BY_LABEL, DEFAULT_SUPPORT, Support

if TYPE_CHECKING:
    from peacetrack.store.store import Store


def scoped(by: By, conflict: str | None) -> tuple[Kind, str]:
    """The kind of cells that answer ``by`` within ``conflict`` (None: across conflicts),
    and the prefix of their columns."""
    if conflict is None:
        return by, ""
    return cast(Kind, f"c-{by}"), f"{conflict}{SEPARATOR}"


#: Past this many stale cells of a kind, reading every claim once beats one query per cell.
WHOLE_READ = 64
#: Entries summarised at a time when cells are rebuilt. With the rows written for them
#: (summaries, days, steps) a process held 98 MB at 20,000 and 214 MB at 200,000, and
#: over 1 GB rebuilding all of a million claims at once.
REBUILD_BATCH = 50_000
#: Past this many added claims (a bulk load), rebuilding their cells is quicker than
#: extending them claim by claim.
MAX_ADDED = 50_000
#: Past this many marks cleared at once (about a hundred pages), their table is vacuumed
#: straight away (``Store.reclaim``); fewer are left to autovacuum.
RECLAIM_AFTER = 10_000
#: A cell's tally at every support floor, as its summary row keeps them.
Floors = dict[Support, Tally]


def refresh(store: Store) -> int:
    """Bring the marked cells' summaries up to date; returns how many cells were marked.

    Cells with only new claims are extended from their latest moment; others are rebuilt
    from all their claims. Writers that would mark cells wait until this commits (SQLite's
    single writer; a table lock on PostgreSQL), so no mark made meanwhile is lost. Many
    marks cleared (a bulk load's) are vacuumed at once: every read checks for marks.
    """
    with store.reading() as connection:
        if connection.scalar(select(STALE_CELLS.c.kind).limit(1)) is None:
            return 0
    with store.writing() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("LOCK TABLE stale_cells IN SHARE ROW EXCLUSIVE MODE"))
        whole, added = _marked(connection)
        for kind in KINDS:
            redo = _extend(connection, kind, added[kind])
            if whole[kind] | redo:
                _rebuild(connection, kind, whole[kind] | redo)
        cleared = connection.execute(delete(STALE_CELLS)).rowcount
    if cleared > RECLAIM_AFTER:
        store.reclaim(STALE_CELLS.name)
    return sum(len(whole[k]) + len(added[k]) for k in KINDS)


def _marked(connection: Connection) -> tuple[dict[Kind, set[Key]], dict[Kind, dict[Key, set[int]]]]:
    """Cells to rebuild, and cells that only gained claims (with those claims' ids)."""
    whole: dict[Kind, set[Key]] = {k: set() for k in KINDS}
    added: dict[Kind, dict[Key, set[int]]] = {k: {} for k in KINDS}
    marks = select(
        STALE_CELLS.c.kind,
        STALE_CELLS.c.issue,
        STALE_CELLS.c.col,
        func.min(STALE_CELLS.c.claim_id),
        func.count(),
    ).group_by(STALE_CELLS.c.kind, STALE_CELLS.c.issue, STALE_CELLS.c.col)
    extended, total = set(), 0
    for kind, issue, col, lowest, n in connection.execute(marks):
        if lowest <= 0:
            whole[cast(Kind, kind)].add((issue, col))
        else:
            extended.add((kind, issue, col))
            total += n
    if total > MAX_ADDED:
        for kind, issue, col in extended:
            whole[cast(Kind, kind)].add((issue, col))
        return whole, added
    ids = select(STALE_CELLS.c.kind, STALE_CELLS.c.issue, STALE_CELLS.c.col, STALE_CELLS.c.claim_id)
    for kind, issue, col, claim_id in connection.execute(ids.where(STALE_CELLS.c.claim_id > 0)):
        if (kind, issue, col) in extended:
            added[cast(Kind, kind)].setdefault((issue, col), set()).add(claim_id)
    return whole, added


def _extend(connection: Connection, kind: Kind, added: dict[Key, set[int]]) -> set[Key]:
    """Add new claims to their cells' summaries; returns the cells that need a rebuild."""
    ids = sorted({i for found in added.values() for i in found})
    new: dict[Key, list[Entry]] = {}
    for chunk in chunked(ids):
        for key, entry in read_entries(connection, kind, [CLAIMS.c.id.in_(chunk)], few=True):
            if entry.id in added.get(key, ()):
                new.setdefault(key, []).append(entry)
    if not new:
        return set()
    known = _sources_held(connection, kind, new, added)
    stored = _stored(connection, kind, set(new))
    redo, done = set(), {}
    grown: dict[Key, tuple[Sequence[Entry], Sequence[Entry]]] = {}
    for key, entries in new.items():
        before = stored.get(key)
        if before is None:  # the cell had no visible claim: the new ones are all of it
            done[key], grown[key] = tallies(entries), ((), entries)
            continue
        found = _extended(before, entries, len({e.source for e in entries} - known.get(key, set())))
        if found is None:
            redo.add(key)
        else:
            done[key], grown[key] = found, (before[DEFAULT_SUPPORT].latest, entries)
    _replace(connection, kind, done, done)
    if kind == "c-actor":  # a track's steps grow with its cell
        step_summaries.extended(connection, grown)
    return redo | _days_grown(connection, kind, {k: new[k] for k in done}, known, stored, done)


def _extended(before: Floors, new: Sequence[Entry], fresh: int) -> Floors | None:
    """A cell's tallies at every floor with ``new`` entries (``fresh`` new sources), or
    None when one of them needs the cell's history read again."""
    found = {}
    for floor, kept in before.items():
        grown = extend(kept, new, fresh, floor=floor)
        if grown is None:
            return None
        found[floor] = grown
    return found


def _days_grown(
    connection: Connection,
    kind: Kind,
    new: dict[Key, list[Entry]],
    known: dict[Key, set[int]],
    stored: dict[Key, Floors],
    done: dict[Key, Floors],
) -> set[Key]:
    """The days of cells that gained ``new`` claims (``done`` their tallies now): a cell
    that had none gets all its days, others their last week's and the new days; returns
    the cells ``cell_days`` needs rebuilt."""
    first = {key: found for key, found in new.items() if key not in stored}
    cell_days.rebuilt(connection, kind, first, first, {k: done[k][DEFAULT_SUPPORT] for k in first})
    grown = {
        key: cell_days.Growth(found, known.get(key, set()), done[key][DEFAULT_SUPPORT].sources)
        for key, found in new.items()
        if key in stored
    }
    return cell_days.extended(connection, kind, grown)


def _sources_held(
    connection: Connection, kind: Kind, new: dict[Key, list[Entry]], added: dict[Key, set[int]]
) -> dict[Key, set[int]]:
    """Which of the new claims' sources each cell already had, through its other claims."""
    sources = sorted({e.source for entries in new.values() for e in entries})
    held: dict[Key, set[int]] = {}
    for chunk in chunked(sources):
        in_groups = DOCUMENTS.c.id.in_(chunk) | DOCUMENTS.c.source_id.in_(chunk)
        for key, entry in read_entries(connection, kind, [in_groups]):
            if key in new and entry.id not in added[key]:
                held.setdefault(key, set()).add(entry.source)
    return held


def _stored(connection: Connection, kind: Kind, keys: set[Key]) -> dict[Key, Floors]:
    found: dict[Key, Floors] = {}
    for chunk in chunked(sorted(keys)):
        query = select(CELL_SUMMARIES).where(_cells_in(kind, chunk))
        for row in connection.execute(query):
            named = _tally(row)  # its latest moment read once, shared by every floor
            found[row.issue, row.col] = {level: _at_floor(named, row, level) for level in Support}
    return found


def _rebuild(connection: Connection, kind: Kind, keys: set[Key]) -> None:
    """Summarise ``keys`` from all their claims.

    The claims come one cell after another and are summarised a group of cells at a time
    (``REBUILD_BATCH`` entries), so rebuilding every cell of a million claims (a migration
    that adds a kept figure marks them all) holds one group's entries, not all of them.
    """
    where = [] if len(keys) > WHOLE_READ else _narrowed(kind, keys)
    left, group, held = set(keys), {}, 0
    for key, cell in groupby(read_entries(connection, kind, where, by_cell=True), itemgetter(0)):
        if key in left:
            group[key] = [entry for _, entry in cell]
            held += len(group[key])
        if held >= REBUILD_BATCH:
            _rebuilt(connection, kind, list(group), group)
            left -= group.keys()
            group, held = {}, 0
    _rebuilt(connection, kind, left, group)  # the last group and the cells left without claims


def _rebuilt(
    connection: Connection,
    kind: Kind,
    keys: Sequence[Key] | set[Key],
    entries: dict[Key, list[Entry]],
) -> None:
    """Replace the summaries, days and steps of ``keys`` with those of ``entries``."""
    found = {key: tallies(cell) for key, cell in entries.items()}
    _replace(connection, kind, keys, found)
    named = {key: floors[DEFAULT_SUPPORT] for key, floors in found.items()}
    cell_days.rebuilt(connection, kind, keys, entries, named)
    if kind == "c-actor":  # a cell within a conflict is a timeline track
        step_summaries.rebuilt(connection, keys, entries)


def _replace(
    connection: Connection, kind: Kind, keys: Iterable[Key], found: dict[Key, Floors]
) -> None:
    """Drop the summaries of ``keys``, then write ``found`` (a cell left without visible
    claims keeps no row)."""
    for chunk in chunked(sorted(keys)):
        connection.execute(delete(CELL_SUMMARIES).where(_cells_in(kind, chunk)))
    if found:
        connection.execute(insert(CELL_SUMMARIES), [_row(kind, k, t) for k, t in found.items()])


def _cells_in(kind: Kind, keys: Sequence[Key]) -> ColumnElement[bool]:
    return (CELL_SUMMARIES.c.kind == kind) & tuple_(
        CELL_SUMMARIES.c.issue, CELL_SUMMARIES.c.col
    ).in_(keys)


def _narrowed(kind: Kind, keys: set[Key]) -> list[ColumnElement[bool]]:
    """Few cells are narrowed in SQL by their issues and columns (the exact pairs are
    picked in Python); many cells are read whole, one pass over the claims."""
    return [
        CLAIMS.c.issue.in_(sorted({i for i, _ in keys})),
        column_of(kind).in_(sorted({c for _, c in keys})),
    ]


def _row(kind: Kind, key: Key, floors: Floors) -> dict[str, Any]:
    found = floors[DEFAULT_SUPPORT]
    return {
        "kind": kind,
        "issue": key[0],
        "col": key[1],
        "stance": found.stance.value,
        "claims": found.claims,
        "sources": found.sources,
        "first": found.first,
        "last": found.last,
        "conflict": found.conflict,
        "current": list(found.current),
        "support": found.support.label,
        "backing": found.backing,
        "weaker": found.weaker,
        "latest": [
            [
                e.id,
                e.published.isoformat() if e.published else None,
                e.stance.value,
                e.source,
                e.grade.label,
                e.outlet,
            ]
            for e in found.latest
        ],
        "prior": found.prior,
        "changed_before": found.changed_before,
        "floors": {
            level.label: _other(t) for level, t in floors.items() if level != DEFAULT_SUPPORT
        },
    }


def _other(found: Tally) -> list[Any]:
    """A tally at another floor as ``floors`` keeps it (``_tally`` reads it back)."""
    kept = (found.stance.value, found.conflict, list(found.current), found.support.label)
    return [*kept, found.backing, found.weaker, found.prior, found.changed_before]


def summaries(
    store: Store,
    kind: Kind,
    *,
    issue_codes: Iterable[str] | None = None,
    columns: Sequence[str] | None = None,
    prefix: str = "",
    floor: Support = DEFAULT_SUPPORT,
) -> dict[Key, Tally]:
    """Every cell of ``kind`` (on these issues, in these columns) at ``floor``, rebuilt
    first if stale; with ``prefix`` (a per-conflict kind's conflict and separator) the
    cells whose column starts with it, keyed by the column without it."""
    refresh(store)
    # Plain rows, without the latest moment (only extending a cell needs it), and the
    # other floors only when asked: ORM objects cost a third of reading a million-claim
    # matrix's thousand cells.
    skipped = {"latest"} | ({"floors"} if floor == DEFAULT_SUPPORT else set())
    columns_read = [c for c in CELL_SUMMARIES.c if c.name not in skipped]
    query = select(*columns_read).where(*_chosen(kind, issue_codes, columns, prefix))
    with store.reading() as connection:
        return {
            (row.issue, row.col[len(prefix) :]): _tally(row, latest=False, floor=floor)
            for row in connection.execute(query)
        }


def _chosen(
    kind: Kind, issue_codes: Iterable[str] | None, columns: Sequence[str] | None, prefix: str
) -> list[ColumnElement[bool]]:
    """The cells of ``kind`` on these issues, in these columns (all: None), whose column
    starts with ``prefix``."""
    where = [CELL_SUMMARIES.c.kind == kind]
    if issue_codes is not None:
        where.append(CELL_SUMMARIES.c.issue.in_(sorted(issue_codes)))
    if columns is not None:
        where.append(CELL_SUMMARIES.c.col.in_(sorted(prefix + c for c in columns)))
    elif prefix:
        where.append(CELL_SUMMARIES.c.col.startswith(prefix, autoescape=True))
    return where


def column_totals(store: Store, kind: Kind) -> dict[str, int]:
    """Claims per column (an actor's claims, a proposal's), the largest first.

    A claim names each of its actors once and has one issue, so summing an actor's cells
    counts each of its claims exactly once.
    """
    refresh(store)
    total = func.sum(CELL_SUMMARIES.c.claims)
    query = (
        select(CELL_SUMMARIES.c.col, total)
        .where(CELL_SUMMARIES.c.kind == kind)
        .group_by(CELL_SUMMARIES.c.col)
        .order_by(total.desc(), CELL_SUMMARIES.c.col)
    )
    with store.reading() as connection:
        return {col: int(n) for col, n in connection.execute(query)}


def _tally(row: Any, latest: bool = True, floor: Support = DEFAULT_SUPPORT) -> Tally:
    """A summary's tally at ``floor`` from its row (a ``CELL_SUMMARIES``, or a plain row of
    its columns); ``latest`` False leaves out the latest moment, which the row may lack."""
    found = Tally(
        stance=STANCE_BY_VALUE[row.stance],
        claims=row.claims,
        sources=row.sources,
        first=row.first,
        last=row.last,
        conflict=row.conflict,
        current=tuple(row.current),
        support=BY_LABEL[row.support],
        backing=row.backing,
        weaker=row.weaker,
        latest=tuple(kept_entry(*found) for found in (row.latest if latest else ())),
        prior=row.prior,
        changed_before=row.changed_before,
    )
    return _at_floor(found, row, floor)


def _at_floor(found: Tally, row: Any, floor: Support) -> Tally:
    """``found``, a row's tally at the default floor, as the row keeps it at ``floor``."""
    if floor == DEFAULT_SUPPORT:
        return found
    stance, conflict, current, support, backing, weaker, prior, changed = row.floors[floor.label]
    return replace(
        found,
        stance=STANCE_BY_VALUE[stance],
        conflict=conflict,
        current=tuple(current),
        support=BY_LABEL[support],
        backing=backing,
        weaker=weaker,
        prior=prior,
        changed_before=changed,
    )


def _with_statements(store: Store, found: dict[Key, Tally]) -> dict[Key, CellFacts]:
    """Each tally with what the claims behind its current stance state, read in one go; a
    claim deleted between the two reads drops out rather than failing the comparison."""
    with store.reading() as connection:
        stated = statements_with_ids(connection, (i for t in found.values() for i in t.current))
    return {
        key: CellFacts(t, tuple(stated[i] for i in t.current if i in stated))
        for key, t in found.items()
    }


def summarised(by: By, filters: Filters) -> bool:
    """Whether the summaries answer: they cover the whole record (of every conflict, and of
    each) at every support floor, so a date range (the cells' days, ``days_answer``), a
    stance filter or reviewed claims only (which change what is in every cell) or actors by
    proposal (which change what is in a proposal's cell) need more."""
    return not filters.dated and _every_claim(by, filters)


def days_answer(by: By, filters: Filters) -> bool:
    """Whether the cells' days (``store.cell_days``) answer: a first date or an end date
    (not both: the days keep the sources seen before and after a day, not between two),
    at any floor, over every claim in range (of every conflict, or of one)."""
    return not (filters.since and filters.until) and _every_claim(by, filters)


def _every_claim(by: By, filters: Filters) -> bool:
    """Every claim of each cell counts: no stance filter, not reviewed claims only, and no
    actors picked by proposal."""
    return (
        filters.stances is None
        and not filters.reviewed_only
        and not (by == "proposal" and filters.actors)
    )


def cell_facts(
    store: Store, by: By, filters: Filters, columns: Sequence[str] | None = None
) -> dict[Key, CellFacts]:
    """The cells of ``filters`` from the summaries when they can answer, else from the
    cells' days (``_from_days``), else tallied from the claims in range (``_computed``),
    with the store's near-duplicate groups."""
    if columns is None and by == "actor":
        columns = filters.actors
    if summarised(by, filters):
        kind, prefix = scoped(by, filters.conflict)
        found = summaries(
            store,
            kind,
            issue_codes=filters.issues,
            columns=columns,
            prefix=prefix,
            floor=filters.min_support,
        )
    elif days_answer(by, filters):
        found = _from_days(store, by, filters, columns)
    else:
        found = _computed(store, by, filters, columns)
    return _with_statements(store, found)


def _from_days(
    store: Store, by: By, filters: Filters, columns: Sequence[str] | None
) -> dict[Key, Tally]:
    """The cells from their kept days, from a first date (``cell_day_reads.ranged``) or to an
    end date (``cell_day_reads.until``)."""
    kind, prefix = scoped(by, filters.conflict)
    refresh(store)
    where = _chosen(kind, filters.issues, columns, prefix)
    with store.reading() as connection:
        if filters.until is not None:
            found = cell_day_reads.until(
                connection, kind, where, filters.until, filters.min_support
            )
        else:
            assert filters.since is not None  # days_answer: a first date or an end date
            found = cell_day_reads.ranged(
                connection, kind, where, filters.since, filters.min_support
            )
    return {(issue, col[len(prefix) :]): t for (issue, col), t in found.items()}


def _computed(
    store: Store, by: By, filters: Filters, columns: Sequence[str] | None
) -> dict[Key, Tally]:
    """The cells of ``filters`` tallied from their claims' dates, stances and sources, as
    a rebuild tallies them.

    The entries come one cell after another and each cell is tallied as it ends, so a date
    range over a million claims holds the entries of one cell at a time, not a few small
    tuples per claim in range (523 MiB at a million claims before).
    """
    kind: Kind = by
    where = visible(filters)
    if columns is not None:
        where.append(column_of(kind).in_(sorted(columns)))
    with store.reading() as connection:
        cells = groupby(read_entries(connection, kind, where, by_cell=True), key=itemgetter(0))
        return {
            key: tally([entry for _, entry in cell], floor=filters.min_support)
            for key, cell in cells
        }


def cell_claims(
    store: Store,
    kind: Kind,
    issue: str,
    column: str,
    *,
    actors: Sequence[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    conflict: str | None = None,
    limit: int | None = None,
    reviewed_only: bool = False,
) -> list[StoredClaim]:
    """The claims behind one cell under the comparison's filters, newest first, weaker
    ones included: the cell page lists these, each with its grade.

    ``limit`` keeps a cell of thousands of claims readable.
    """
    if kind == "actor":
        actors = [column]
    where = visible(
        Filters(actors, [issue], since, until, reviewed_only=reviewed_only, conflict=conflict)
    )
    if kind == "proposal":
        where.append(canonical_proposal() == column)
    with store.reading() as connection:
        return load_claims(connection, where, limit)


class Cells:
    """The cell summaries through the store's door (``store.cells``), and the timeline
    steps kept with them (``store.cells.steps``)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.steps = step_summaries.Steps(store)

    def refresh(self) -> int:
        return refresh(self._store)

    def summaries(
        self,
        kind: Kind,
        *,
        issue_codes: Iterable[str] | None = None,
        columns: Sequence[str] | None = None,
    ) -> dict[Key, Tally]:
        return summaries(self._store, kind, issue_codes=issue_codes, columns=columns)

    def column_totals(self, kind: Kind) -> dict[str, int]:
        return column_totals(self._store, kind)

    def conflicts(self) -> set[str]:
        """The conflicts whose claims fill some cell (``unassigned`` for claims that fit
        none), read from the per-conflict summaries: a few thousand rows at a million
        claims, where counting per conflict reads every claim."""
        return {col.partition(SEPARATOR)[0] for col in column_totals(self._store, "c-actor")}

    def facts(
        self, by: By, filters: Filters, columns: Sequence[str] | None = None
    ) -> dict[Key, CellFacts]:
        return cell_facts(self._store, by, filters, columns)

    def claims(
        self,
        kind: Kind,
        issue: str,
        column: str,
        *,
        actors: Sequence[str] | None = None,
        since: date | None = None,
        until: date | None = None,
        conflict: str | None = None,
        limit: int | None = None,
        reviewed_only: bool = False,
    ) -> list[StoredClaim]:
        return cell_claims(
            self._store,
            kind,
            issue,
            column,
            actors=actors,
            since=since,
            until=until,
            conflict=conflict,
            limit=limit,
            reviewed_only=reviewed_only,
        )
