"""The words of every proposal's names, so a specific name is found by index.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

``proposal_words`` holds each word of each proposal's name and aliases
(``peacetrack.store.proposal_words``). Saving a report that names a specific plan made
outside the grouping window looked at every proposal; it now reads only those whose
names hold the phrase's telling words. The rows of the proposals already stored are
written here.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from peacetrack.proposals.phrases import name_words

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    words = op.create_table(
        "proposal_words",
        sa.Column("word", sa.Text(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_words_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("word", "proposal_id", name=op.f("pk_proposal_words")),
    )
    op.create_index(
        op.f("ix_proposal_words_proposal_id"), "proposal_words", ["proposal_id"], unique=False
    )
    proposals = sa.table(
        "proposals",
        sa.column("id", sa.Integer()),
        sa.column("name"),
        sa.column("aliases", sa.JSON()),
    )
    rows = op.get_bind().execute(sa.select(proposals.c.id, proposals.c.name, proposals.c.aliases))
    values = [
        {"word": word, "proposal_id": id_}
        for id_, name, aliases in rows
        for word in sorted(name_words(name, *(aliases or ())))
    ]
    if values:
        op.bulk_insert(words, values)


def downgrade() -> None:
    op.drop_index(op.f("ix_proposal_words_proposal_id"), table_name="proposal_words")
    op.drop_table("proposal_words")
