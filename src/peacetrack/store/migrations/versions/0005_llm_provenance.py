"""Provenance for language-model extraction, and the cache of model answers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Claims record the model and prompt version that produced them and a confidence;
extractions record the variant (``model@prompt``) that processed a document, so switching
models makes documents pending again; ``llm_responses`` keeps every answer a model gave,
so re-running or resuming an interrupted run sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CLAIM_COLUMNS = (
    sa.Column("model", sa.String(length=128), nullable=True),
    sa.Column("prompt_hash", sa.String(length=16), nullable=True),
    sa.Column("confidence", sa.Float(), nullable=True),
)


def upgrade() -> None:
    for column in _CLAIM_COLUMNS:
        op.add_column("claims", column)
    op.add_column(
        "extractions",
        sa.Column("variant", sa.String(length=200), nullable=False, server_default=""),
    )
    op.create_table(
        "llm_responses",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("prompt_hash", sa.String(length=16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("finish_reason", sa.String(length=32), nullable=True),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy of ``claims`` would lose its triggers.
    op.drop_table("llm_responses")
    op.drop_column("extractions", "variant")
    for column in reversed(_CLAIM_COLUMNS):
        op.drop_column("claims", column.name)
