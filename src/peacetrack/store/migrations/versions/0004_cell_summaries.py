"""Per-cell comparison summaries, kept honest by triggers; documents' source groups.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

``compare`` on a million claims cannot rebuild every cell from its claims in under a
second, so each cell's summary is stored (``cell_summaries``). The database itself marks
a cell stale (``stale_cells``) whenever anything behind it changes: a claim edited,
rejected or deleted, an actor removed, a document's date or source group changed or the
document deleted, a proposal renamed or deleted (a claim id of 0 or below: rebuild the
cell); a new claim or actor records the claim's id instead, so the cell can be extended
rather than rebuilt. Triggers, not the application, do the marking, so no write path (bulk loads,
reviews, other programs) can leave a summary wrong; the next comparison brings the marked
cells up to date.

The view ``claim_cells`` lists the cells a claim belongs to, the one definition the
triggers share. ``documents.source_id`` stores each document's near-duplicate group, so a
cell's sources are counted without walking links.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLAIM_CELLS = """
CREATE VIEW claim_cells AS
SELECT c.id AS claim_id, 'actor' AS kind, c.issue AS issue, a.actor_id AS col
  FROM claims AS c JOIN claim_actors AS a ON a.claim_id = c.id AND a.role = 'actor'
UNION ALL
SELECT c.id, 'proposal', c.issue, coalesce(p.name, c.proposal)
  FROM claims AS c LEFT JOIN proposals AS p ON p.id = c.proposal_id
 WHERE coalesce(p.name, c.proposal) IS NOT NULL
"""


class Rule(NamedTuple):
    """When ``event`` happens on ``table``, write the rows ``marks`` select to stale_cells."""

    name: str
    table: str
    when: str
    event: str
    marks: tuple[str, ...]


def _whole(ids: str) -> str:
    """Rebuild every cell of the claims ``ids`` selects.

    A negative claim id asks for a rebuild. It names the changed claim rather than being
    one shared value, so that concurrent writers never insert the same mark: on PostgreSQL
    they would wait on each other's uncommitted rows, and could deadlock.
    """
    return f"SELECT DISTINCT kind, issue, col, -claim_id FROM claim_cells WHERE claim_id IN ({ids})"


_OF_DOCUMENT = _whole("SELECT id FROM claims WHERE document_id = {row}.id")
_OF_PROPOSAL = _whole("SELECT id FROM claims WHERE proposal_id = {row}.id")
#: A new claim only adds to its cells: they record its id, and are extended, not rebuilt.
_NEW_CLAIM = "SELECT kind, issue, col, claim_id FROM claim_cells WHERE claim_id = {row}.id"
_NEW_ACTOR = (
    "SELECT 'actor', issue, {row}.actor_id, {row}.claim_id FROM claims "
    "WHERE id = {row}.claim_id AND {row}.role = 'actor'"
)
#: A deleted proposal's claims fall back to their own phrase: those cells change too.
_PHRASE_CELLS = (
    "SELECT 'proposal', issue, proposal, -id FROM claims "
    "WHERE proposal_id = {row}.id AND proposal IS NOT NULL"
)
RULES = [
    Rule("claims_ai", "claims", "AFTER", "INSERT", (_NEW_CLAIM,)),
    Rule("claims_bu", "claims", "BEFORE", "UPDATE", (_whole("{row}.id"),)),
    Rule("claims_au", "claims", "AFTER", "UPDATE", (_whole("{row}.id"),)),
    Rule("claims_bd", "claims", "BEFORE", "DELETE", (_whole("{row}.id"),)),
    Rule("actors_ai", "claim_actors", "AFTER", "INSERT", (_NEW_ACTOR,)),
    Rule("actors_bu", "claim_actors", "BEFORE", "UPDATE", (_whole("{row}.claim_id"),)),
    Rule("actors_au", "claim_actors", "AFTER", "UPDATE", (_whole("{row}.claim_id"),)),
    Rule("actors_bd", "claim_actors", "BEFORE", "DELETE", (_whole("{row}.claim_id"),)),
    Rule("documents_au", "documents", "AFTER", "UPDATE OF published, source_id", (_OF_DOCUMENT,)),
    Rule("documents_bd", "documents", "BEFORE", "DELETE", (_OF_DOCUMENT,)),
    Rule("proposals_bu", "proposals", "BEFORE", "UPDATE OF name", (_OF_PROPOSAL,)),
    Rule("proposals_au", "proposals", "AFTER", "UPDATE OF name", (_OF_PROPOSAL,)),
    Rule("proposals_bd", "proposals", "BEFORE", "DELETE", (_OF_PROPOSAL, _PHRASE_CELLS)),
]


def _marks(rule: Rule, postgres: bool) -> Iterator[str]:
    row = "NEW" if rule.when == "AFTER" and rule.event != "DELETE" else "OLD"
    head = "INSERT INTO" if postgres else "INSERT OR IGNORE INTO"
    tail = " ON CONFLICT DO NOTHING" if postgres else ""
    for marks in rule.marks:
        yield f"{head} stale_cells (kind, issue, col, claim_id) {marks.format(row=row)}{tail};"


def _sqlite_trigger(rule: Rule) -> str:
    body = " ".join(_marks(rule, postgres=False))
    return (
        f"CREATE TRIGGER cells_{rule.name} {rule.when} {rule.event} ON {rule.table} "
        f"FOR EACH ROW BEGIN {body} END"
    )


def _postgres_trigger(rule: Rule) -> list[str]:
    body = " ".join(_marks(rule, postgres=True))
    result = "NULL" if rule.when == "AFTER" else ("OLD" if rule.event == "DELETE" else "NEW")
    return [
        f"CREATE FUNCTION cells_{rule.name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body} RETURN {result}; END $$",
        f"CREATE TRIGGER cells_{rule.name} {rule.when} {rule.event} ON {rule.table} "
        f"FOR EACH ROW EXECUTE FUNCTION cells_{rule.name}()",
    ]


def _key() -> list[sa.Column[object]]:
    return [
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("issue", sa.String(length=64), nullable=False),
        sa.Column("col", sa.Text(), nullable=False),
    ]


def _tables() -> None:
    op.create_table(
        "cell_summaries",
        *_key(),
        sa.Column("stance", sa.String(length=32), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("sources", sa.Integer(), nullable=False),
        sa.Column("first", sa.Date(), nullable=True),
        sa.Column("last", sa.Date(), nullable=True),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.Column("current", sa.JSON(), nullable=False),
        sa.Column("latest", sa.JSON(), nullable=False),
        sa.Column("prior", sa.String(length=32), nullable=True),
        sa.Column("changed_before", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "issue", "col", name=op.f("pk_cell_summaries")),
    )
    op.create_table(
        "stale_cells",
        *_key(),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "issue", "col", "claim_id", name=op.f("pk_stale_cells")),
    )


def _backfill_sources() -> None:
    """Each linked document's group head (smallest id), following links transitively."""
    bind = op.get_bind()
    parent: dict[int, int] = {}

    def root(doc: int) -> int:
        parent.setdefault(doc, doc)
        while parent[doc] != doc:
            parent[doc] = parent[parent[doc]]
            doc = parent[doc]
        return doc

    for a, b in bind.execute(sa.text("SELECT doc_a, doc_b FROM document_links")):
        ra, rb = root(a), root(b)
        parent[max(ra, rb)] = min(ra, rb)
    heads = [{"id": doc, "head": root(doc)} for doc in parent if root(doc) != doc]
    if heads:
        bind.execute(sa.text("UPDATE documents SET source_id = :head WHERE id = :id"), heads)


def upgrade() -> None:
    op.add_column("documents", sa.Column("source_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_documents_source_id"), "documents", ["source_id"])
    _backfill_sources()
    _tables()
    op.execute(CLAIM_CELLS)
    postgres = op.get_bind().dialect.name == "postgresql"
    for rule in RULES:
        for statement in _postgres_trigger(rule) if postgres else [_sqlite_trigger(rule)]:
            op.execute(statement)
    op.execute(
        "INSERT INTO stale_cells (kind, issue, col, claim_id) "
        "SELECT DISTINCT kind, issue, col, 0 FROM claim_cells"
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for rule in reversed(RULES):
        op.execute(f"DROP TRIGGER cells_{rule.name}" + (f" ON {rule.table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION cells_{rule.name}()")
    op.execute("DROP VIEW claim_cells")
    op.drop_table("stale_cells")
    op.drop_table("cell_summaries")
    op.drop_index(op.f("ix_documents_source_id"), table_name="documents")
    # Not a batch (copy and move) on SQLite: that would drop the search triggers of 0002.
    op.execute("ALTER TABLE documents DROP COLUMN source_id")
