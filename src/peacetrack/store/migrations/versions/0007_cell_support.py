"""Cell summaries record how far each cell's current position is supported.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

A cell now stands only on positions with enough support (reviewed, corroborated, a named
source...; ``peacetrack.support``): it records the current position's level, the
independent outlets behind it and the claims below the floor, and its latest moment
records each claim's grade and outlet. ``cell_summaries`` is a cache the triggers of 0004 keep
honest, so it is made anew and every cell marked for a rebuild, which the next
comparison does; downgrading does the same with the older columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _summaries(*extra: sa.Column[object]) -> None:
    """(Re)create ``cell_summaries`` and mark every cell for a rebuild."""
    op.drop_table("cell_summaries")
    op.create_table(
        "cell_summaries",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("issue", sa.String(length=64), nullable=False),
        sa.Column("col", sa.Text(), nullable=False),
        sa.Column("stance", sa.String(length=32), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("sources", sa.Integer(), nullable=False),
        sa.Column("first", sa.Date(), nullable=True),
        sa.Column("last", sa.Date(), nullable=True),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.Column("current", sa.JSON(), nullable=False),
        *extra,
        sa.Column("latest", sa.JSON(), nullable=False),
        sa.Column("prior", sa.String(length=32), nullable=True),
        sa.Column("changed_before", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "issue", "col", name=op.f("pk_cell_summaries")),
    )
    op.execute("DELETE FROM stale_cells")
    op.execute(
        "INSERT INTO stale_cells (kind, issue, col, claim_id) "
        "SELECT DISTINCT kind, issue, col, 0 FROM claim_cells"
    )


def upgrade() -> None:
    _summaries(
        sa.Column("support", sa.String(length=16), nullable=False),
        sa.Column("backing", sa.Integer(), nullable=False),
        sa.Column("weaker", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    _summaries()
