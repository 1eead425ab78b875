"""Indexes behind fast comparisons on large stores.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

``compare`` on a store reads the claims of some actors (an IN list over claim_actors by
actor) and each document's claims in text order; issues and dates already have their own
indexes (0001).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Index name -> (table, columns); the same declarations stand in ``schema.py``.
_INDEXES = {
    "ix_claims_document_start": ("claims", ["document_id", "start", "id"]),
    "ix_claim_actors_actor_claim": ("claim_actors", ["actor_id", "claim_id"]),
}


def upgrade() -> None:
    for name, (table, columns) in _INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in reversed(_INDEXES.items()):
        op.drop_index(name, table_name=table)
