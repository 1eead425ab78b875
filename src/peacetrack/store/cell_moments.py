"""Each comparison cell's moments over its whole record, each with what the moments before
it left at every support floor, kept with the cell's days, so a comparison to an end date
reads one row per cell instead of following every moment up to the date.

A cell's moments from its first day are the same whatever is published later: the first
begins on its first day, each next one on the ``next`` day ``cell_days`` keeps for the one
before. A comparison to an end date folds them up to the moment the date falls in
(``cell_day_reads.until``), which at a million claims meant following about 100 moments a
cell, 98,000 in all, for every such comparison. ``cell_moments`` keeps, for each of these
moments and each support level, the fold of the moments before it (the columns of
``cell_day_reads``' recursive fold), so the comparison reads each cell's row at the last
moment beginning on or before the date.

The rows follow the days, in the database: whenever the cells' refresh writes a cell's days
(``store.cell_days``), the cell's rows from the first day written on are dropped and
followed again along ``next`` with the same fold, from the last row kept before them (its
stored fold and its day's moment) or, with none, from the cell's first day. A moment
beginning before the first day written ends before the first new claim, so what its row
holds stands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Insert,
    Integer,
    case,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    tuple_,
)

from peacetrack.source import Key
from peacetrack.store.cell_day_reads import (
    ROW,
    Fold,
    Moment,
    folding,
    labelled,
    materialised,
    same_cell,
)
from peacetrack.store.cell_entries import Kind
from peacetrack.store.queries import chunked
from peacetrack.store.tables import CELL_DAYS, CELL_MOMENTS, CELL_SUMMARIES
from peacetrack.support import Support


def kept(connection: Connection, kind: Kind, lows: Mapping[Key, date | None]) -> None:
    """Bring the kept moments of the cells in ``lows`` in step with their days, which were
    written again from each cell's day there on (None: all of them)."""
    row = CELL_MOMENTS.c
    whole = sorted(key for key, low in lows.items() if low is None)
    for chunk in chunked(whole):
        in_chunk = tuple_(row.issue, row.col).in_(chunk)
        connection.execute(delete(CELL_MOMENTS).where(row.kind == kind, in_chunk))
    for (issue, col), low in lows.items():
        if low is not None:
            where = (row.kind == kind, row.issue == issue, row.col == col, row.day >= low)
            connection.execute(delete(CELL_MOMENTS).where(*where))
    for chunk in chunked(sorted(lows)):
        for floor in Support:
            connection.execute(_followed(connection, kind, chunk, floor))


def _followed(connection: Connection, kind: Kind, keys: Sequence[Key], floor: Support) -> Insert:
    """The rows at ``floor`` of the cells ``keys`` after each one's last row kept, or from
    its first day: a recursive query along ``next`` (an index seek per moment) whose rows
    carry the fold before their own moment, as ``cell_day_reads`` folds it."""
    starts = _starts(connection, kind, keys, floor)
    anchor_days, kept_moments = CELL_DAYS.alias(), CELL_MOMENTS.alias()
    anchor, stored = anchor_days.c, kept_moments.c
    was_kept = case((stored.day.is_(None), 0), else_=1)
    chain = (
        select(*_pending(anchor, _stored_fold(stored, anchor), None, floor), was_kept.label("kept"))
        .join(starts, same_cell(anchor, starts.c) & (anchor.day == starts.c.day))
        .outerjoin(
            kept_moments,
            same_cell(stored, anchor) & (stored.level == floor.label) & (stored.day == anchor.day),
        )
        .cte("chain", recursive=True)
    )
    step = CELL_DAYS.alias().c
    after = select(
        *_pending(step, Fold.of(chain), Moment.carried(chain), floor),
        literal_column("0", Integer).label("kept"),
    ).join(chain, same_cell(step, chain.c) & (step.day == chain.c.next))
    # On SQLite one cell's moments after the other's, as ``cell_day_reads`` follows them.
    chain = chain.union_all(after.suffix_with("ORDER BY issue, col", dialect="sqlite"))
    names = ["kind", "issue", "col", "level", "day", *Fold._fields]
    level = literal(floor.label).label("level")
    values = [chain.c.kind, chain.c.issue, chain.c.col, level, chain.c.day]
    rows = select(*values, *(chain.c[name] for name in Fold._fields)).where(chain.c.kept == 0)
    return insert(CELL_MOMENTS).from_select(names, rows)


def _starts(connection: Connection, kind: Kind, keys: Sequence[Key], floor: Support) -> Any:
    """Each of the cells' day to follow its moments from: its last row kept at ``floor``,
    else its first day (an index seek per cell summary, materialised first)."""
    summary, day, stored = CELL_SUMMARIES.c, CELL_DAYS.alias().c, CELL_MOMENTS.alias().c
    last = select(func.max(stored.day)).where(
        same_cell(stored, summary), stored.level == floor.label
    )
    first = select(func.min(day.day)).where(same_cell(day, summary))
    begin = func.coalesce(last.scalar_subquery(), first.scalar_subquery()).label("day")
    starts = select(summary.kind, summary.issue, summary.col, begin).where(
        summary.kind == kind, tuple_(summary.issue, summary.col).in_(keys)
    )
    return materialised(connection, starts.cte("starts"))


def _stored_fold(stored: Any, first: Any) -> Fold:
    """The fold a kept row holds (``stored``, outer-joined), or, with none, the empty fold
    before the cell's first moment (``first``, the day row it begins on). Its columns have
    the fold's types already: a cast to a date on SQLite would turn a day into a number."""
    zero = literal_column("0", Integer)
    return Fold(
        first=func.coalesce(stored.first, first.day),
        claims=func.coalesce(stored.claims, zero),
        gone=func.coalesce(stored.gone, first.gone),
        held_day=stored.held_day,
        held_next=stored.held_next,
        held_class=stored.held_class,
        prior=stored.prior,
        changed_all=func.coalesce(stored.changed_all, zero),
        changed=func.coalesce(stored.changed, zero),
        weaker=func.coalesce(stored.weaker, zero),
        held_weaker=stored.held_weaker,
    )


def _pending(
    row: Any, before: Fold, carried: Moment | None, floor: Support
) -> list[ColumnElement[Any]]:
    """The fold after the moment ``carried`` (None: none yet), with the cell, day and next
    day of ``row`` and the moment beginning there, unfolded."""
    fold = before if carried is None else folding(carried, before)
    moment = Moment.at(row, floor)
    own = [moment.claims, moment.found, moment.weaker]
    values = [*(getattr(row, n) for n in ROW), *fold, *own]
    return labelled(values, [*ROW, *Fold._fields, "own_claims", "own_class", "own_weaker"])
