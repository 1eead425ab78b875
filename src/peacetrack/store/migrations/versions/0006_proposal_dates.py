"""An index on proposals' dates, so saving a claim reads only the proposals near its date.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

The proposal resolver used to read every proposal for every document that names one; it
now reads the candidates within the grouping window (``peacetrack.proposals.WINDOW``) by
this index, and the others only when a specific name is not found among them.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_proposals_date", "proposals", ["date"])


def downgrade() -> None:
    op.drop_index("ix_proposals_date", table_name="proposals")
