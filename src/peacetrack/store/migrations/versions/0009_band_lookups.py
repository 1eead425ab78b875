"""Near-duplicate candidates read newest first, a bounded number per bucket.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

A bucket shared by thousands of documents (one press release in every feed) made each new
copy read all of them. With the document id in the (band, bucket) index, the newest few
hundred of a bucket are read straight from the index, on SQLite and PostgreSQL alike, so
indexing a document costs the same in the millionth document as in the first.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_minhash_bands_band_bucket_doc", "minhash_bands", ["band", "bucket", "document_id"]
    )
    op.drop_index("ix_minhash_bands_band_bucket", table_name="minhash_bands")


def downgrade() -> None:
    op.create_index("ix_minhash_bands_band_bucket", "minhash_bands", ["band", "bucket"])
    op.drop_index("ix_minhash_bands_band_bucket_doc", table_name="minhash_bands")
