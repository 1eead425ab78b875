"""The comparison matrix: issues down, actors or proposals across, one cell per pair.

This is the view users come for: each party's terms side by side, issue by issue, each
cell traceable to the claims (and so the sentences and sources) behind it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from peacetrack.compare.cells import Cell, worded
from peacetrack.compare.extras import require
from peacetrack.compare.labels import actor_name, conflict_parties, issue_label, issue_order
from peacetrack.source import By, ClaimSource, Filters, GroupFn, StoredClaim, as_source
from peacetrack.support import DEFAULT_SUPPORT, Support

__all__ = ["By", "Matrix", "compare"]


@dataclass(frozen=True)
class Matrix:
    """Issue codes (codebook order) × actor ids or proposal names, with the cells that exist.

    ``min_support`` is the floor the cells were built with: their legend says so."""

    by: By
    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], Cell]
    #: The conflict the matrix is of (an id, or ``unassigned``); None: every claim.
    conflict: str | None = None
    min_support: Support = DEFAULT_SUPPORT

    def cell(self, row: str, column: str) -> Cell | None:
        return self.cells.get((row, column))

    def column_label(self, column: str) -> str:
        return actor_name(column) if self.by == "actor" else column

    def __iter__(self) -> Iterator[tuple[str, str, Cell]]:
        for row in self.rows:
            for column in self.columns:
                found = self.cells.get((row, column))
                if found is not None:
                    yield row, column, found

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per filled cell, ready for CSV, JSON or a data frame."""
        return [
            {
                "issue": row,
                "issue_label": issue_label(row),
                self.by: column,
                "stance": cell.stance.value,
                "summary": cell.summary,
                "sources": cell.sources,
                "first": cell.first,
                "last": cell.last,
                "conflict": cell.conflict,
                "changed": cell.changed,
                "support": cell.support.label,
                "support_sources": cell.backing,
                "weaker_claims": cell.weaker,
                "claims": cell.count,
                "current_claim_ids": [s.id for s in cell.current],
            }
            for row, column, cell in self
        ]

    def to_pandas(self) -> Any:
        """The records as a pandas DataFrame (needs the ``parquet`` extra)."""
        pandas = require("pandas", "parquet", "Matrix.to_pandas")
        return pandas.DataFrame.from_records(self.to_records())


def compare(
    claims: ClaimSource | Sequence[StoredClaim],
    *,
    by: By = "actor",
    actors: Sequence[str] | None = None,
    issues: Sequence[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    independent_groups: GroupFn | None = None,
    conflict: str | None = None,
    min_support: Support = DEFAULT_SUPPORT,
    reviewed_only: bool = False,
) -> Matrix:
    """Build the matrix from claims or a store (whose duplicate groups are then used).

    ``issues`` takes codes, groups or patterns (``TER``, ``TER.*``), checked by the
    codebook; ``conflict`` (an id, name or alias, or ``unassigned``) keeps that conflict's
    claims only, and puts its parties' columns first. By proposal, claims that name no
    proposal are left out: they belong to no column. The source decides how to answer: a
    store reads its cell summaries when they cover the filters, a list of claims computes
    the cells. Only positions at
    ``min_support`` or above decide a cell's stance and mark it changed or conflicting
    (weaker claims are counted in ``Cell.weaker``); ``reviewed_only`` keeps the claims a
    person checked.
    """
    if by not in ("actor", "proposal"):
        raise ValueError(f"by={by!r}: compare by 'actor' or 'proposal'")
    filters = Filters(
        actors,
        issues,
        since,
        until,
        reviewed_only=reviewed_only,
        min_support=min_support,
        conflict=conflict,
    )
    found = as_source(claims, independent_groups).cell_facts(by, filters)
    cells = {key: worded(facts) for key, facts in found.items()}
    columns = _ordered_columns(cells, by, filters.actors)
    if by == "actor" and not filters.actors:
        columns = parties_first(columns, filters.conflict)
    return Matrix(
        by=by,
        rows=_ordered_rows({row for row, _ in cells}),
        columns=columns,
        cells=cells,
        conflict=filters.conflict,
        min_support=filters.min_support,
    )


def parties_first(columns: Sequence[str], conflict: str | None) -> list[str]:
    """``columns`` with the conflict's parties first, in the codebook's order, then the
    others who took positions in their order: the sides of a war before those around it."""
    parties = [p for p in conflict_parties(conflict) if p in columns]
    return [*parties, *(c for c in columns if c not in parties)]


def _ordered_rows(rows: set[str]) -> list[str]:
    order = issue_order()
    return sorted(rows, key=lambda code: (order.get(code, len(order)), code))


def _ordered_columns(
    cells: dict[tuple[str, str], Cell], by: By, actors: Sequence[str] | None
) -> list[str]:
    """Requested actors in the order given; otherwise proposals by date, actors by weight.

    Proposals read best in the order they were made; actors with the most filled cells
    first puts the main parties on the left.
    """
    present = {column for _, column in cells}
    if actors:
        return [a for a in actors if a in present]
    if by == "proposal":
        first = {
            c: min((cell.first or date.max) for (_, col), cell in cells.items() if col == c)
            for c in present
        }
        return sorted(present, key=lambda c: (first[c], c))
    weight = {c: sum(1 for (_, col) in cells if col == c) for c in present}
    return sorted(present, key=lambda c: (-weight[c], c))
