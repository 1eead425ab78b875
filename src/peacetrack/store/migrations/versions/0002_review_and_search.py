"""Claim review audit trail, and full-text search indexes over documents and claims.

Revision ID: 0002
Revises: 0001
Create Date: 2025-06-15

The search indexes are backend-specific: FTS5 external-content tables kept in step by
triggers on SQLite, GIN expression indexes on PostgreSQL. They are not ORM models, so
autogenerate is told to skip them (``peacetrack.store.search.is_search_object``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: FTS5 table -> (content table, indexed columns).
_SQLITE_FTS = {
    "documents_fts": ("documents", ("title", "text")),
    "claims_fts": ("claims", ("evidence", "proposal", "attribution_source")),
}
#: GIN index -> (table, the tsvector expression queries must repeat to use it).
_POSTGRES_FTS = {
    "ix_documents_fts": ("documents", "to_tsvector('english', coalesce(title, '') || ' ' || text)"),
    "ix_claims_fts": ("claims", "to_tsvector('english', evidence)"),
}


def _sqlite_fts(name: str, table: str, columns: Sequence[str]) -> list[str]:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    remove = f"INSERT INTO {name}({name}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    add = f"INSERT INTO {name}(rowid, {cols}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE {name} USING fts5({cols}, content='{table}', "
        "content_rowid='id', tokenize='porter unicode61')",
        f"CREATE TRIGGER {name}_ai AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {name}_ad AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {name}_au AFTER UPDATE ON {table} BEGIN {remove} {add} END",
        f"INSERT INTO {name}({name}) VALUES ('rebuild')",
    ]


def _reviews() -> None:
    op.create_table(
        "claim_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reviewer", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name="fk_claim_reviews_claim_id_claims",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_claim_reviews"),
    )
    op.create_index("ix_claim_reviews_claim_id", "claim_reviews", ["claim_id"])


def upgrade() -> None:
    _reviews()
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name, (table, columns) in _SQLITE_FTS.items():
            for statement in _sqlite_fts(name, table, columns):
                op.execute(statement)
    elif dialect == "postgresql":
        for name, (table, expression) in _POSTGRES_FTS.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin ({expression})")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in _SQLITE_FTS:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {name}")
    elif dialect == "postgresql":
        for name in _POSTGRES_FTS:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index("ix_claim_reviews_claim_id", table_name="claim_reviews")
    op.drop_table("claim_reviews")
