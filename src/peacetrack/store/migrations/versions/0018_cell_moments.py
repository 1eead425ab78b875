"""Each cell's moments over its whole record, with the fold of those before each at every
support floor.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

A comparison to an end date read each cell's kept days from its first up to the date, one
row per moment (98,000 at a million claims); ``cell_moments`` keeps each moment's fold of
the moments before it (``peacetrack.store.cell_moments``), so it reads one row per cell.
The rows follow from the kept days alone, so they are written here in SQL from the days
(the cells' refresh keeps them from then on), without rebuilding any cell.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cell_moments",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("issue", sa.String(length=64), nullable=False),
        sa.Column("col", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("first", sa.Date(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("gone", sa.Integer(), nullable=False),
        sa.Column("held_day", sa.Date(), nullable=True),
        sa.Column("held_next", sa.Date(), nullable=True),
        sa.Column("held_class", sa.Text(), nullable=True),
        sa.Column("prior", sa.Text(), nullable=True),
        sa.Column("changed_all", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("weaker", sa.Integer(), nullable=False),
        sa.Column("held_weaker", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint(
            "kind", "issue", "col", "level", "day", name=op.f("pk_cell_moments")
        ),
        sqlite_with_rowid=False,
    )
    # The code that keeps the rows writes them: what they hold is that code's fold.
    from peacetrack.store import cell_moments
    from peacetrack.store.cell_entries import KINDS
    from peacetrack.store.tables import CELL_SUMMARIES

    connection, summary = op.get_bind(), CELL_SUMMARIES.c
    for kind in KINDS:
        cells = sa.select(summary.issue, summary.col).where(summary.kind == kind)
        keys = [(issue, col) for issue, col in connection.execute(cells)]
        cell_moments.kept(connection, kind, dict.fromkeys(keys))


def downgrade() -> None:
    op.drop_table("cell_moments")
