"""Each cell summarised at every support floor, and each cell day's sources seen so far.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

A comparison at another floor over the whole record reads one summary row per cell
(``cell_summaries.floors``) instead of folding every moment of every cell, and one to an
end date folds the cells' kept days up to it, counting the cell's sources from the last
day's ``seen`` (``peacetrack.store.cell_days``). Both are what a cell's claims give, and
neither can be worked out from the rows kept before: a floor's fold needs the claims of
the moment it shows, ``seen`` the sources of each day. So every cell is marked, as
migration 0011 did, and the next comparison rebuilds every summary, step and day (a few
minutes at a million claims). The new columns take a placeholder until then.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    floors = sa.Column("floors", sa.JSON(), nullable=False, server_default="{}")
    op.add_column("cell_summaries", floors)
    op.add_column("cell_days", sa.Column("seen", sa.Integer(), nullable=False, server_default="0"))
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute(
        ("INSERT INTO" if postgres else "INSERT OR IGNORE INTO")
        + " stale_cells (kind, issue, col, claim_id) "
        "SELECT kind, issue, col, 0 FROM cell_summaries"
        + (" ON CONFLICT DO NOTHING" if postgres else "")
    )


def downgrade() -> None:
    # SQLite drops a column in place from 3.35 on (as migration 0012 needs already).
    op.drop_column("cell_days", "seen")
    op.drop_column("cell_summaries", "floors")
