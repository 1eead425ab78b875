"""The documents an extractor has left, kept: found without reading those it has done.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

Listing what an extractor variant has not processed was an anti-join of every document
against the extractions, walked from the first document: at a million documents already
extracted, two seconds per run before the first new report (issue #16). Each variant now
keeps a mark (``extraction_marks``): every document up to it has an extraction by the
variant or a row in ``extraction_gaps``. Listing (``peacetrack.store.pending``) adds the
documents after the mark to the gaps and moves the mark to the last document, so it reads
only documents stored since and the gaps (the documents still pending).

Triggers keep the gaps exact whatever writes: a new extraction takes its document out of
its variant's gaps; a deleted extraction, or one whose variant or extractor changes, at
or below the mark leaves its document in the gaps (unless the document itself is being
deleted); a document inserted at or below a mark (an explicit id, or SQLite reusing the
last id after a deletion) is a gap of every such mark. Nothing needs
filling: a variant without a mark lists from the first document once, as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GAP = "{head} extraction_gaps (extractor, variant, document_id) "
#: The old row's document becomes a gap of its variant, if within the variant's mark.
_LEFT = (
    _GAP + "SELECT m.extractor, m.variant, OLD.document_id FROM extraction_marks AS m "
    "WHERE m.extractor = OLD.extractor AND m.variant = OLD.variant "
    "AND m.done_through >= OLD.document_id "
    "AND EXISTS (SELECT 1 FROM documents AS d WHERE d.id = OLD.document_id){where}{tail};"
)
_CHANGED = (
    " AND NOT (NEW.extractor = OLD.extractor AND NEW.variant = OLD.variant "
    "AND NEW.document_id = OLD.document_id)"
)
#: PostgreSQL: wait for a listing of the same variant under way (it holds the mark's row),
#: so the mark this reads is the one that listing leaves.
_LOCK = (
    "PERFORM 1 FROM extraction_marks WHERE extractor = OLD.extractor "
    "AND variant = OLD.variant FOR UPDATE; "
)
#: The new row's document is no longer a gap of its variant.
_DONE = (
    "DELETE FROM extraction_gaps WHERE extractor = NEW.extractor AND variant = NEW.variant "
    "AND document_id = NEW.document_id;"
)
_BELOW = (
    _GAP + "SELECT extractor, variant, NEW.id FROM extraction_marks "
    "WHERE done_through >= NEW.id{tail};"
)
#: name -> (table, event, body, whether PostgreSQL first locks the mark).
TRIGGERS = {
    "extractions_ai": ("extractions", "AFTER INSERT", _DONE, False),
    "extractions_ad": ("extractions", "AFTER DELETE", _LEFT.replace("{where}", ""), True),
    "extractions_au": (
        "extractions",
        "AFTER UPDATE OF extractor, variant, document_id",
        _DONE + " " + _LEFT.replace("{where}", _CHANGED),
        True,
    ),
    "documents_ai": ("documents", "AFTER INSERT", _BELOW, False),
}


def _tables() -> None:
    op.create_table(
        "extraction_marks",
        sa.Column("extractor", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=200), nullable=False),
        sa.Column("done_through", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("extractor", "variant", name=op.f("pk_extraction_marks")),
    )
    op.create_table(
        "extraction_gaps",
        sa.Column("extractor", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=200), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_extraction_gaps_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "extractor", "variant", "document_id", name=op.f("pk_extraction_gaps")
        ),
    )
    op.create_index(
        op.f("ix_extraction_gaps_document_id"), "extraction_gaps", ["document_id"], unique=False
    )


def upgrade() -> None:
    _tables()
    postgres = op.get_bind().dialect.name == "postgresql"
    head = "INSERT INTO" if postgres else "INSERT OR IGNORE INTO"
    tail = " ON CONFLICT DO NOTHING" if postgres else ""
    for name, (table, event, template, lock) in TRIGGERS.items():
        body = template.format(head=head, tail=tail)
        if not postgres:
            op.execute(
                f"CREATE TRIGGER pending_{name} {event} ON {table} FOR EACH ROW BEGIN {body} END"
            )
            continue
        op.execute(
            f"CREATE FUNCTION pending_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{_LOCK if lock else ''}{body} RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER pending_{name} {event} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION pending_{name}()"
        )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, (table, _, _, _) in TRIGGERS.items():
        op.execute(f"DROP TRIGGER pending_{name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION pending_{name}()")
    op.drop_index(op.f("ix_extraction_gaps_document_id"), table_name="extraction_gaps")
    op.drop_table("extraction_gaps")
    op.drop_table("extraction_marks")
