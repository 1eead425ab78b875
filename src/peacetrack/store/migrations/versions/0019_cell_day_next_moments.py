"""Each cell day holds the moment beginning on its ``next`` too.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

A comparison from a date follows each cell's moments along ``next`` with an index seek a
moment (about 24,000 for seven months at a million claims, most of PostgreSQL's time for
the command); with the next moment's claims, levels' columns and ``next`` copied into
each row, a seek reads two moments (``peacetrack.store.cell_day_reads``). The new columns
are filled here in SQL from the rows the days point at (the refresh keeps them from then
on, ``peacetrack.store.cell_days.followed``), without rebuilding any cell.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The support levels, weakest first, as ``peacetrack.support.Support`` names them now.
LEVELS = ("low", "anonymous", "named", "corroborated", "reviewed")


def _columns() -> list[sa.Column[object]]:
    columns: list[sa.Column[object]] = [sa.Column("next_claims", sa.Integer(), nullable=True)]
    for level in LEVELS:
        columns.append(sa.Column(f"next_class_{level}", sa.String(length=16), nullable=True))
        columns.append(sa.Column(f"next_weaker_{level}", sa.Integer(), nullable=True))
    columns.append(sa.Column("next_next", sa.Date(), nullable=True))
    return columns


def upgrade() -> None:
    for column in _columns():
        op.add_column("cell_days", column)
    # The code that keeps the columns fills them: what they hold is that code's copy.
    from peacetrack.store.cell_days import followed

    followed(op.get_bind(), [])


def downgrade() -> None:
    for column in reversed(_columns()):
        op.drop_column("cell_days", column.name)
