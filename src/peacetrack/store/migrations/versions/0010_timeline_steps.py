"""Timeline steps kept in the store, so the newest steps are a page read, not the archive.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

``timeline_steps`` holds one row per conflict, actor, issue and moment, as the timeline
computes it at the default support floor (``peacetrack.moments.steps``), kept with the
per-conflict actor cells (``c-actor``) whose tracks they are
(``peacetrack.store.step_summaries``). Every such cell is marked for a rebuild, so the next
refresh (a comparison, a timeline page, the end of a write) fills the table for a store
that has claims already.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Each index and the columns it orders steps by, newest first when read backwards.
INDEXES = {
    "ix_timeline_steps_newest": ["day", "actor", "issue", "conflict"],
    "ix_timeline_steps_actor": ["actor", "day", "issue", "conflict"],
    "ix_timeline_steps_issue": ["issue", "day", "actor", "conflict"],
    "ix_timeline_steps_conflict": ["conflict", "day", "actor", "issue"],
}


def upgrade() -> None:
    op.create_table(
        "timeline_steps",
        sa.Column("conflict", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("issue", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("first", sa.Date(), nullable=True),
        sa.Column("last", sa.Date(), nullable=True),
        sa.Column("stance", sa.String(length=32), nullable=False),
        sa.Column("sources", sa.Integer(), nullable=False),
        sa.Column("conflicted", sa.Boolean(), nullable=False),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("support", sa.String(length=16), nullable=False),
        sa.Column("weaker", sa.Integer(), nullable=False),
        sa.Column("prior", sa.String(length=32), nullable=True),
        sa.Column("claim_ids", sa.JSON(), nullable=False),
        sa.Column("evidence_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint(
            "conflict", "actor", "issue", "day", name=op.f("pk_timeline_steps")
        ),
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "timeline_steps", columns)
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute(
        ("INSERT INTO" if postgres else "INSERT OR IGNORE INTO")
        + " stale_cells (kind, issue, col, claim_id) "
        "SELECT DISTINCT kind, issue, col, 0 FROM claim_cells WHERE kind = 'c-actor'"
        + (" ON CONFLICT DO NOTHING" if postgres else "")
    )


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="timeline_steps")
    op.drop_table("timeline_steps")
