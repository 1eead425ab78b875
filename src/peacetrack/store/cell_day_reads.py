"""Comparisons from the kept cell days (``store.cell_days``): a cell from a first date
(``ranged``) or to an end date (``until``), at any support floor.

From a date, the database follows each cell's moments through their ``next`` days in one
recursive query for every cell, two moments a row (each day's row holds the moment
beginning on its ``next`` too), folding each moment's kept decisions at the floor asked as
it goes, so only each cell's result and the ids of the moment it shows leave the database;
the entries of that moment are then read by id, or taken from the cell summary's
``latest`` when it is that moment. To an end date, the fold of the moments
before the one the date falls in is kept (``store.cell_moments``, which writes it with the
fold defined here), so each cell's is one row. Kept apart from the module that writes the
days, because reading them is a question of queries and folds, writing them one of keeping
rows in step with the claims.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    BindParameter,
    ColumnElement,
    Connection,
    Date,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    null,
    select,
    type_coerce,
)

from peacetrack.moments import (
    Counts,
    Entry,
    History,
    Tally,
    chronological,
    resume,
    supported,
)
from peacetrack.source import Key
from peacetrack.store.cell_entries import Kind, kept_entry, read_entries
from peacetrack.store.queries import written_ids
from peacetrack.store.tables import CELL_DAYS, CELL_MOMENTS, CELL_SUMMARIES, CLAIMS
from peacetrack.support import Support


def ranged(
    connection: Connection,
    kind: Kind,
    cells: Sequence[ColumnElement[bool]],
    since: date,
    floor: Support,
) -> dict[Key, Tally]:
    """The cells chosen by ``cells`` (conditions on ``cell_summaries``, whose kind is
    ``kind``) tallied from their claims published on or after ``since``, at ``floor``."""
    folded: dict[Key, tuple[Counts, History]] = {}
    ids: dict[Key, set[int]] = {}
    kept: dict[Key, list[Entry]] = {}
    query = _folded(connection, kind, cells, since, floor)
    for (
        issue,
        col,
        first,
        in_range,
        gone,
        prior,
        changed,
        rest,
        *total,
        day,
        latest,
        day_ids,
    ) in connection.execute(query):
        _, sources, last = total
        folded[issue, col] = (
            (in_range, sources - gone, first, last),
            History(prior, bool(changed), rest),
        )
        ids.setdefault((issue, col), set()).update(day_ids)
        if latest:
            # Kept oldest first: the same moment if its first entry is of the shown day,
            # so only that one is read before knowing whether the rest are needed.
            first_entry = kept_entry(*latest[0])
            if first_entry.published == day:
                kept[issue, col] = [first_entry, *(kept_entry(*entry) for entry in latest[1:])]
    shown = _entries_of(connection, kind, {k: v for k, v in ids.items() if k not in kept})
    shown.update(kept)
    return {
        key: resume([tuple(chronological(shown[key]))], before, counts, floor)
        for key, (counts, before) in folded.items()
    }


def _folded(
    connection: Connection,
    kind: Kind,
    cells: Sequence[ColumnElement[bool]],
    since: date,
    floor: Support,
) -> Select[Any]:
    """Every chosen cell folded at ``floor`` from its first day on or after ``since``, in
    one query, a row for each day of the moment it shows (with the day's claim ids): the
    first days (``_starts``), a recursive query along ``next`` (an index seek per two
    moments, the row's and the one it holds) that carries the fold (``_step``), its last
    row (the cell's last moment), and the shown moment's days. When the shown moment is
    the cell's last, its first day's row also holds the summary's ``latest`` (the last
    moment of the cell's whole record): when that begins on the same day it is the same
    moment, and its entries need no claims read (at a million claims, 1,076 of the 1,170
    cells from 2025-06-01).

    The days are joined on columns of the rows before them, never on a constant kind:
    SQLite's planner, without statistics of a table filled since the last ``ANALYZE``,
    would otherwise start from every day of the kind.
    """
    starts = _starts(connection, cells, since)
    anchor = CELL_DAYS.alias()
    chain = (
        select(*_step(anchor.c, Fold.empty(anchor.c), floor))
        .join(starts, same_cell(anchor.c, starts.c) & (anchor.c.day == starts.c.day))
        .cte("chain", recursive=True)
    )
    step = CELL_DAYS.alias()
    after = select(*_step(step.c, Fold.of(chain), floor)).join(
        chain, same_cell(step.c, chain.c) & (step.c.day == chain.c.next)
    )
    last = _last(connection, chain, after, lambda c: c.next.is_(None))
    shown = func.coalesce(last.c.held_day, last.c.day)
    days = CELL_DAYS.alias()
    # A range on both ends, the moment after none ending after every day: with an OR for
    # that, PostgreSQL read every day of each cell (494,000 rows at a million claims).
    after_shown = func.coalesce(last.c.held_next, literal(NO_DAY, Date))
    window = (days.c.day >= shown) & (days.c.day < after_shown)
    rest = last.c.weaker - func.coalesce(last.c.held_weaker, last.c.own_weaker)
    fold = (last.c.first, last.c.claims, last.c.gone, last.c.prior, last.c.changed, rest)
    summary = CELL_SUMMARIES
    totals = (summary.c.claims, summary.c.sources, summary.c.last)
    # The summaries by their key, not ``starts`` again: PostgreSQL, which cannot tell how
    # many rows a CTE holds, would scan it for every row.
    last_shown = last.c.held_next.is_(None) & (days.c.day == shown)
    latest = type_coerce(case((last_shown, summary.c.latest), else_=null()), JSON)
    return (
        select(last.c.issue, last.c.col, *fold, *totals, days.c.day, latest, days.c.ids)
        .join(summary, same_cell(summary.c, last.c))
        .join(days, same_cell(days.c, last.c) & window)
    )


#: After every day a cell can have: the end of the range of a moment with none after it.
NO_DAY = date(9999, 12, 31)


def _last(
    connection: Connection,
    chain: Any,
    after: Select[Any],
    end: Callable[[Any], ColumnElement[bool]],
) -> Any:
    """The recursive query ``chain`` followed by ``after``, and its rows meeting ``end``
    (of its columns: each cell's last), materialised."""
    # SQLite then takes the moments from a queue ordered by cell, one cell's after the
    # other's, its days' pages read once (PostgreSQL has no such order, nor needs it).
    chain = chain.union_all(after.suffix_with("ORDER BY issue, col", dialect="sqlite"))
    # Materialised, the last rows only: SQLite then streams the recursion into it rather
    # than keeping every moment's row for the join.
    return materialised(connection, select(chain).where(end(chain.c)).cte("last"))


def until(
    connection: Connection,
    kind: Kind,
    cells: Sequence[ColumnElement[bool]],
    end: date,
    floor: Support,
) -> dict[Key, Tally]:
    """The cells chosen by ``cells`` (as ``ranged``'s) tallied from their claims published
    on or before ``end``, at ``floor``.

    A cell's moments from its first day are the same whatever comes later, so the fold of
    those before the moment ``end`` falls in is kept (``_folded_until``, ``cell_moments``);
    that moment holds only the claims up to ``end``, so it is read as entries with the
    moment the cell would show before it, and ``resume`` decides the two. The sources are
    those seen on the cell's last day up to ``end``. Undated claims are never in range.
    """
    found: dict[Key, _Before] = {}
    days: dict[Key, list[_Day]] = {}
    query = _folded_until(connection, cells, end, floor)
    for issue, col, *before, day, seen, day_ids in connection.execute(query):
        first, claims, prior, changed, rest, held, held_next, *whole = before
        held_class, changed_all, weaker = whole
        found[issue, col] = _Before(
            first,
            claims,
            None if held is None else _Shown(History(prior, bool(changed), rest), held, held_next),
            History(held_class, bool(changed_all), weaker),
        )
        days.setdefault((issue, col), []).append(_Day(day, seen, day_ids))
    ids = {key: {i for day in cell for i in day.ids} for key, cell in days.items()}
    last = _entries_of(connection, kind, ids)
    cut = {key: _Cut(found[key], chronological(got), days[key]) for key, got in last.items()}
    # The moment shown before the cut one matters only if the cut one has no class at the
    # floor: its days are read only when some cell needs them (at 2024-06-01, none of 1,170
    # at a million claims; they were 4,242 of the 7,215 days read with both moments at once).
    wanted = {
        key: cell.before.shown
        for key, cell in cut.items()
        if cell.before.shown is not None and not supported(tuple(cell.last), floor)
    }
    shown = _entries_of(connection, kind, _shown_ids(connection, kind, wanted))
    return {key: cell.tally(shown.get(key), floor) for key, cell in cut.items()}


class _Shown(NamedTuple):
    """The moment a cell would show before the one an end date cuts: the ``History`` of
    the moments up to it, the day it begins and the day the next one begins."""

    history: History
    day: date
    next: date


class _Before(NamedTuple):
    """What a cell's moments before the one an end date cuts left: the cell's first day,
    their claims, the moment the cell would show before the cut one (None: none has a
    class at the floor), and their whole history (the class of that moment as the prior,
    the changes among all, all weaker claims)."""

    first: date
    claims: int
    shown: _Shown | None
    whole: History


class _Day(NamedTuple):
    day: date
    seen: int
    ids: list[int]


class _Cut(NamedTuple):
    """A cell to an end date: its moments before the cut one, the cut one's entries up to
    the end date (chronological) and its days read (the last counts the sources seen)."""

    before: _Before
    last: list[Entry]
    days: list[_Day]

    def tally(self, shown: list[Entry] | None, floor: Support) -> Tally:
        """The cell, from the entries of the moment it would show before the cut one when
        the cut one has no class at the floor (``shown``; None otherwise)."""
        final = max(self.days)
        counts = (self.before.claims + len(self.last), final.seen, self.before.first, final.day)
        cut = tuple(self.last)
        if shown is None or self.before.shown is None:
            return resume([cut], self.before.whole, counts, floor)
        before = self.before.shown.history
        return resume([tuple(chronological(shown)), cut], before, counts, floor)


def _folded_until(
    connection: Connection, cells: Sequence[ColumnElement[bool]], end: date, floor: Support
) -> Select[Any]:
    """Every chosen cell folded at ``floor`` from its first day over the moments that end
    before ``end``, in one query, a row for each day up to ``end`` of the moment ``end``
    falls in. The fold is kept: each cell's row in ``cell_moments`` at its last moment
    beginning on or before ``end`` (``_cut``) holds what the moments before that one left,
    its own moment (the one ``end`` cuts, whose kept decisions count later claims)
    unfolded."""
    last = _cut(connection, cells, end, floor)
    rest = last.c.weaker - func.coalesce(last.c.held_weaker, 0)
    fold = (last.c.first, last.c.claims, last.c.prior, last.c.changed, rest)
    shown = (last.c.held_day, last.c.held_next)
    whole = (last.c.held_class, last.c.changed_all, last.c.weaker)
    days = CELL_DAYS.alias()
    window = same_cell(days.c, last.c) & (days.c.day >= last.c.day) & (days.c.day <= end)
    columns = (days.c.day, days.c.seen, days.c.ids)
    return select(last.c.issue, last.c.col, *fold, *shown, *whole, *columns).join(days, window)


def _shown_ids(
    connection: Connection, kind: Kind, wanted: Mapping[Key, _Shown]
) -> dict[Key, set[int]]:
    """The claim ids of the moment each cell of ``wanted`` would show before the one an
    end date cuts: the days of its range, those cells and ranges bound as one JSON list
    (``_listed``) and each cell's days sought from it. The kept rows are not sought again
    (``_folded_until`` read the ranges), nor the other chosen cells' days read and
    dropped: --until 2025-06-01 --min-support corroborated at a million claims, 679 of
    1,170 cells, 0.020-0.044 s of CPU against 0.052-0.093 s, the command 4,785.4 M
    instructions against 4,849.8 M (docs/benchmarks.md). A ``VALUES`` list of the same
    rows, each value a bound parameter, had cost SQLite about 0.1 s more."""
    if not wanted:
        return {}
    listed = _listed(connection, wanted)
    days = CELL_DAYS.alias()
    on = (
        (days.c.kind == kind)
        & (days.c.issue == listed.c.issue)
        & (days.c.col == listed.c.col)
        & (days.c.day >= listed.c.day)
        & (days.c.day < listed.c.next)
    )
    # An outer join, so SQLite goes from the list to the days (every listed range holds a
    # day, so it adds no row): joined inner, it sought every day of the kind and scanned
    # the list for each, minutes at a million claims.
    query = select(days.c.issue, days.c.col, days.c.ids).select_from(listed)
    found: dict[Key, set[int]] = {}
    for issue, col, day_ids in connection.execute(query.outerjoin(days, on)):
        found.setdefault((issue, col), set()).update(day_ids)
    return found


def _listed(connection: Connection, wanted: Mapping[Key, _Shown]) -> Any:
    """The cells of ``wanted`` and their shown moments' ranges as rows (``issue``,
    ``col``, ``day``, ``next``) of one bound JSON list of objects (PostgreSQL's
    ``json_to_recordset`` reads objects only): one parameter however many cells. Plain
    ``JSON``, not ``JSONB``: that type would import SQLAlchemy's PostgreSQL dialect into
    every command, 147 M instructions of ``compare`` on SQLite."""
    names = ("issue", "col", "day", "next")
    rows = [
        dict(zip(names, (i, c, w.day.isoformat(), w.next.isoformat()), strict=True))
        for (i, c), w in wanted.items()
    ]
    listed: BindParameter[str] = bindparam("cells", json.dumps(rows))
    if connection.dialect.name == "postgresql":
        typed = [column(n, Text) for n in names[:2]] + [column(n, Date) for n in names[2:]]
        records = func.json_to_recordset(cast(listed, JSON)).table_valued(*typed)
        return records.render_derived("listed", with_types=True)
    each = func.json_each(listed).table_valued("value")
    parts = [func.json_extract(each.c.value, f"$.{name}").label(name) for name in names]
    return select(*parts).subquery("listed")


def _cut(
    connection: Connection, cells: Sequence[ColumnElement[bool]], end: date, floor: Support
) -> Any:
    """The chosen cells' kept moments at ``floor`` beginning last on or before ``end``: the
    day of each (an index seek from each summary, materialised first), then its row."""
    summary, later = CELL_SUMMARIES.c, CELL_MOMENTS.alias().c
    begins = select(func.max(later.day)).where(
        same_cell(later, summary), later.level == floor.label, later.day <= end
    )
    ends = select(summary.kind, summary.issue, summary.col, begins.scalar_subquery().label("day"))
    ends_cte = materialised(connection, ends.where(*cells).cte("ends"))
    kept = CELL_MOMENTS.c
    row = select(CELL_MOMENTS).join(
        ends_cte,
        same_cell(kept, ends_cte.c) & (kept.level == floor.label) & (kept.day == ends_cte.c.day),
    )
    return materialised(connection, row.cte("last"))


def _starts(
    connection: Connection, cells: Sequence[ColumnElement[bool]], since: date | None
) -> Any:
    """The chosen cells' first days on or after ``since`` (None: their first days; an
    index seek per cell summary, materialised first)."""
    summary, day = CELL_SUMMARIES, CELL_DAYS.alias()
    first = select(func.min(day.c.day)).where(
        same_cell(day.c, summary.c), *([day.c.day >= since] if since is not None else [])
    )
    starts = (
        select(summary.c.kind, summary.c.issue, summary.c.col, first.scalar_subquery().label("day"))
        .where(*cells)
        .cte("starts")
    )
    return materialised(connection, starts)


class Fold(NamedTuple):
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
    def empty(cls, first: Any) -> Fold:
        """Before a cell's first moment (``first``, the row that begins it)."""
        no_day, no_class = cast(null(), Date), cast(null(), Text)
        zero = literal_column("0", Integer)
        no_count = cast(null(), Integer)
        return cls(
            first.day, zero, first.gone, no_day, no_day, no_class, no_class, zero, zero, zero,
            no_count,
        )  # fmt: skip

    @classmethod
    def of(cls, chain: Any) -> Fold:
        """As the query's row before carries it."""
        return cls(*(chain.c[name] for name in cls._fields))


class Moment(NamedTuple):
    """A moment as the fold reads it at a floor: the day it begins, the day the next
    begins, its claims, the class it decides and its claims below the floor."""

    day: Any
    next: Any
    claims: Any
    found: Any
    weaker: Any

    @classmethod
    def at(cls, row: Any, floor: Support) -> Moment:
        """The moment beginning at a kept day, ``row``."""
        found = cast(getattr(row, f"class_{floor.label}"), Text)
        return cls(row.day, row.next, row.claims, found, getattr(row, f"weaker_{floor.label}"))

    @classmethod
    def after(cls, row: Any, floor: Support) -> Moment:
        """The moment beginning on a kept day's ``next``, as the day's row holds it (no
        claims and no class without one)."""
        found = cast(getattr(row, f"next_class_{floor.label}"), Text)
        zero = literal_column("0", Integer)
        weaker = func.coalesce(getattr(row, f"next_weaker_{floor.label}"), zero)
        return cls(row.next, row.next_next, func.coalesce(row.next_claims, zero), found, weaker)

    @classmethod
    def carried(cls, chain: Any) -> Moment:
        """The moment a row of ``cell_moments``' recursive query carries unfolded."""
        c = chain.c
        return cls(c.day, c.next, c.own_claims, c.own_class, c.own_weaker)


def folding(moment: Moment, before: Fold) -> Fold:
    """The fold after ``moment``: a moment with a class at the floor becomes the one held
    (the one shown, if no later one has a class) and its class the next moment's prior;
    every moment's claims below the floor count as weaker."""
    held = moment.found.is_not(None)

    def kept(new: Any, old: Any) -> ColumnElement[Any]:
        return case((held, new), else_=old)

    return Fold(
        first=before.first,
        claims=before.claims + moment.claims,
        gone=before.gone,
        held_day=kept(moment.day, before.held_day),
        held_next=kept(moment.next, before.held_next),
        held_class=func.coalesce(moment.found, before.held_class),
        prior=kept(before.held_class, before.prior),
        changed_all=case(
            (held & (before.held_class != moment.found), literal_column("1", Integer)),
            else_=before.changed_all,
        ),
        changed=kept(before.changed_all, before.changed),
        weaker=before.weaker + moment.weaker,
        held_weaker=kept(moment.weaker, before.held_weaker),
    )


ROW = ["kind", "issue", "col", "day", "next"]


def _step(row: Any, before: Fold, floor: Support) -> list[ColumnElement[Any]]:
    """The fold after the moment beginning at ``row`` and the one beginning on its
    ``next``, which the row holds too (``folding`` each), with the row's cell, the day the
    last of the two begins, the day the moment after it begins and its own weaker claims.
    Without a ``next`` the second holds nothing and leaves the fold as it is."""
    moment, then = Moment.at(row, floor), Moment.after(row, floor)
    last = func.coalesce(row.next, row.day)
    own = case((row.next.is_(None), moment.weaker), else_=then.weaker)
    values = [row.kind, row.issue, row.col, last, row.next_next]
    values += [*folding(then, folding(moment, before)), own]
    return labelled(values, [*ROW, *Fold._fields, "own_weaker"])


def labelled(values: Sequence[Any], names: Sequence[str]) -> list[ColumnElement[Any]]:
    return [v.label(n) for v, n in zip(values, names, strict=True)]


def materialised(connection: Connection, query: Any) -> Any:
    """``query`` (a CTE) computed once, before the query that reads it, where the database
    takes ``AS MATERIALIZED`` (PostgreSQL 12, SQLite 3.35 on): an older SQLite may plan
    it otherwise, slower but the same."""
    if connection.dialect.name == "sqlite" and sqlite3.sqlite_version_info < (3, 35):
        return query
    return query.prefix_with("MATERIALIZED")


def same_cell(row: Any, other: Any) -> ColumnElement[bool]:
    """Columns (a table's or a query's ``.c``) of the same cell."""
    return and_(row.kind == other.kind, row.issue == other.issue, row.col == other.col)


def _entries_of(
    connection: Connection, kind: Kind, wanted: Mapping[Key, set[int]]
) -> dict[Key, list[Entry]]:
    """The entries of these claims of each cell, read by id, the ids written into the
    statements (``queries.written_ids``: on SQLite 5,000 a statement, a quarter less CPU
    than 500 bound ones)."""
    ids = sorted({i for found in wanted.values() for i in found})
    found: dict[Key, list[Entry]] = {key: [] for key in wanted}
    for listed in written_ids(connection, ids):
        for key, entry in read_entries(connection, kind, [CLAIMS.c.id.in_(listed)], few=True):
            if entry.id in wanted.get(key, ()):
                found[key].append(entry)
    return found
