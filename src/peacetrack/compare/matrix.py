"""The comparison matrix: issues down, actors or proposals across, one cell per pair.

This is the view users come for: each party's terms side by side, issue by issue, each
cell traceable to the claims (and so the sentences and sources) behind it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from peacetrack.compare.cells import Cell, summarise, worded
from peacetrack.compare.extras import require
from peacetrack.compare.labels import actor_name, issue_label, issue_order
from peacetrack.compare.select import (
    ClaimSource,
    Filters,
    GroupFn,
    SourceIndex,
    choose,
    expand_issue_patterns,
)
from peacetrack.store import Store, StoredClaim
from peacetrack.store.cell_summaries import claims_by_id, summaries

By = Literal["actor", "proposal"]


@dataclass(frozen=True)
class Matrix:
    """Issue codes (codebook order) × actor ids or proposal names, with the cells that exist."""

    by: By
    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], Cell]

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
) -> Matrix:
    """Build the matrix from claims or a store (whose duplicate groups are then used).

    ``issues`` takes codes or patterns (``TER.*``). By proposal, claims that name no
    proposal are left out: they belong to no column. A store answers from its cell
    summaries when the filters only pick rows and columns (no dates; no actors by
    proposal, where they would change what is in a cell).
    """
    if by not in ("actor", "proposal"):
        raise ValueError(f"by={by!r}: compare by 'actor' or 'proposal'")
    filters = Filters(actors, issues, since, until)
    if isinstance(claims, Store) and independent_groups is None and _summarised(by, filters):
        cells = _stored_cells(claims, by, filters)
    else:
        cells = _computed_cells(claims, by, filters, independent_groups)
    return Matrix(
        by=by,
        rows=_ordered_rows({row for row, _ in cells}),
        columns=_ordered_columns(cells, by, actors),
        cells=cells,
    )


def _summarised(by: By, filters: Filters) -> bool:
    dated = filters.since is not None or filters.until is not None
    return not dated and not (by == "proposal" and filters.actors)


def _stored_cells(store: Store, by: By, filters: Filters) -> dict[tuple[str, str], Cell]:
    issue_codes = expand_issue_patterns(filters.issues) if filters.issues else None
    columns = [a.upper() for a in filters.actors] if filters.actors else None
    return stored_cells(store, by, columns, issue_codes)


def stored_cells(
    store: Store,
    by: By,
    columns: Sequence[str] | None = None,
    issue_codes: Iterable[str] | None = None,
) -> dict[tuple[str, str], Cell]:
    """The store's cells by actor or proposal (of these columns, on these issues), read from
    its cell summaries: the same cells as computed from the claims, without reading them."""
    found = summaries(store, by, issue_codes=issue_codes, columns=columns)
    current = claims_by_id(store, (i for t in found.values() for i in t.current))
    # A claim deleted between the two reads drops out rather than failing the comparison.
    return {
        key: worded(t, [current[i] for i in t.current if i in current]) for key, t in found.items()
    }


def _computed_cells(
    claims: ClaimSource | Sequence[StoredClaim],
    by: By,
    filters: Filters,
    groups: GroupFn | None,
) -> dict[tuple[str, str], Cell]:
    chosen, found = choose(claims, filters, groups)
    sources = SourceIndex(chosen, found)
    return {
        key: summarise(group, sources) for key, group in by_cell(chosen, by, filters.actors).items()
    }


def by_cell(
    claims: Sequence[StoredClaim], by: By, actors: Sequence[str] | None = None
) -> dict[tuple[str, str], list[StoredClaim]]:
    """The claims behind each (issue, column) cell, in the order given."""
    cells: dict[tuple[str, str], list[StoredClaim]] = defaultdict(list)
    for stored in claims:
        for column in _columns_of(stored, by, actors):
            cells[(stored.claim.issue, column)].append(stored)
    return cells


def _columns_of(stored: StoredClaim, by: By, actors: Sequence[str] | None) -> list[str]:
    """The columns a claim appears in: its actors (those asked for) or its proposal."""
    if by == "proposal":
        proposal = stored.canonical_proposal
        return [proposal] if proposal else []
    wanted = {a.upper() for a in actors} if actors else None
    return [a for a in stored.claim.actors if wanted is None or a in wanted]


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
        return [a.upper() for a in actors if a.upper() in present]
    if by == "proposal":
        first = {
            c: min((cell.first or date.max) for (_, col), cell in cells.items() if col == c)
            for c in present
        }
        return sorted(present, key=lambda c: (first[c], c))
    weight = {c: sum(1 for (_, col) in cells if col == c) for c in present}
    return sorted(present, key=lambda c: (-weight[c], c))
