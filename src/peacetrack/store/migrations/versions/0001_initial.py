"""Initial schema: documents, near-duplicate index, proposals, claims, extractions, runs.

Revision ID: 0001
Revises:
Create Date: 2025-06-01

Written out in full rather than importing the models, so that this revision keeps
creating the same schema however the models change later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def _timestamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _documents() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("outlet", sa.String(length=255), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        _timestamp("ingested_at"),
        sa.Column("minhash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint("content_hash", name="uq_documents_content_hash"),
    )
    for column in ("name", "outlet", "published"):
        op.create_index(f"ix_documents_{column}", "documents", [column])
    op.create_table(
        "document_links",
        sa.Column("doc_a", sa.Integer(), nullable=False),
        sa.Column("doc_b", sa.Integer(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.CheckConstraint("doc_a < doc_b", name=op.f("ck_document_links_ordered")),
        _fk("document_links", "doc_a", "documents", "CASCADE"),
        _fk("document_links", "doc_b", "documents", "CASCADE"),
        sa.PrimaryKeyConstraint("doc_a", "doc_b", name="pk_document_links"),
    )
    op.create_index("ix_document_links_doc_b", "document_links", ["doc_b"])
    op.create_table(
        "minhash_bands",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        _fk("minhash_bands", "document_id", "documents", "CASCADE"),
        sa.PrimaryKeyConstraint("document_id", "band", name="pk_minhash_bands"),
    )
    op.create_index("ix_minhash_bands_band_bucket", "minhash_bands", ["band", "bucket"])


def _proposals_and_runs() -> None:
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_proposals"),
        sa.UniqueConstraint("name", name="uq_proposals_name"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        _timestamp("started_at"),
        _timestamp("finished_at", nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index("ix_runs_kind", "runs", ["kind"])


def _claims() -> None:
    statuses = "'extracted', 'accepted', 'edited', 'rejected', 'added'"
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("extractor", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stance", sa.String(length=32), nullable=False),
        sa.Column("issue", sa.String(length=64), nullable=False),
        sa.Column("territories", sa.JSON(), nullable=True),
        sa.Column("conditions", sa.JSON(), nullable=True),
        sa.Column("recognition", sa.JSON(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("proposal", sa.Text(), nullable=True),
        sa.Column("attribution_source", sa.Text(), nullable=True),
        sa.Column("attribution_anonymous", sa.Boolean(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint(f"status IN ({statuses})", name=op.f("ck_claims_status")),
        _fk("claims", "document_id", "documents", "CASCADE"),
        _fk("claims", "proposal_id", "proposals", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_claims"),
    )
    for column in ("document_id", "extractor", "issue", "proposal_id", "stance"):
        op.create_index(f"ix_claims_{column}", "claims", [column])
    op.create_table(
        "claim_actors",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.CheckConstraint("role IN ('actor', 'obligor')", name=op.f("ck_claim_actors_role")),
        _fk("claim_actors", "claim_id", "claims", "CASCADE"),
        sa.PrimaryKeyConstraint("claim_id", "role", "position", name="pk_claim_actors"),
    )
    op.create_index("ix_claim_actors_actor_id", "claim_actors", ["actor_id"])


def _extractions() -> None:
    op.create_table(
        "extractions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("extractor", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("n_claims", sa.Integer(), nullable=False),
        _timestamp("finished_at"),
        _fk("extractions", "document_id", "documents", "CASCADE"),
        _fk("extractions", "run_id", "runs", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_extractions"),
        sa.UniqueConstraint("document_id", "extractor", name="uq_extractions_document_id"),
    )
    op.create_index("ix_extractions_extractor", "extractions", ["extractor"])


def upgrade() -> None:
    _documents()
    _proposals_and_runs()
    _claims()
    _extractions()


def downgrade() -> None:
    for table in (
        "claim_actors",
        "extractions",
        "claims",
        "runs",
        "proposals",
        "minhash_bands",
        "document_links",
        "documents",
    ):
        op.drop_table(table)
