"""Each comparison cell's days kept in the store, so a comparison from a date reads them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

``cell_days`` holds one row per cell (every kind of ``cell_summaries``) and day with dated
claims: what the moment that would begin that day decides at each support level, the day
the next moment would begin, the day's claim ids and the cell's sources seen only before
it (``peacetrack.store.cell_days``). The rows are kept by the cells' own refresh. Every cell is
marked for a rebuild, so the next refresh (a comparison, a timeline page, the end of a
write) fills the table for a store that has claims already.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cell_days",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("issue", sa.String(length=64), nullable=False),
        sa.Column("col", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("next", sa.Date(), nullable=True),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column("ids", sa.JSON(), nullable=False),
        sa.Column("gone", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "issue", "col", "day", name=op.f("pk_cell_days")),
        sqlite_with_rowid=False,
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute(
        ("INSERT INTO" if postgres else "INSERT OR IGNORE INTO")
        + " stale_cells (kind, issue, col, claim_id) "
        "SELECT DISTINCT kind, issue, col, 0 FROM claim_cells"
        + (" ON CONFLICT DO NOTHING" if postgres else "")
    )


def downgrade() -> None:
    op.drop_table("cell_days")
