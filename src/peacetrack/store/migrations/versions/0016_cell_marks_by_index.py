"""Cells marked through an index when a document or a proposal changes, not by a scan.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

The triggers that mark the cells of a changed document's or proposal's claims (migration
0004) chose them as ``claim_cells WHERE claim_id IN (SELECT id FROM claims WHERE
document_id = ...)``. SQLite pushes no condition holding a subquery into a compound view,
so each such trigger built the view for every claim in the store: linking a near
duplicate at ingest (which sets the new document's ``source_id``) cost 0.1 s at 90,000
claims and grew with every claim stored (issue #16). The view now also names each row's
document and proposal, and the triggers select ``WHERE document_id = ...`` or
``proposal_id = ...``: a plain equality, which SQLite pushes into each arm of the view,
where ``ix_claims_document_id`` and ``ix_claims_proposal_id`` find the claims. The cells
marked are the same; PostgreSQL gets the same view and bodies.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Migration 0008's view, each row also naming its claim's document and proposal.
CLAIM_CELLS = """
CREATE VIEW claim_cells AS
SELECT c.id AS claim_id, 'actor' AS kind, c.issue AS issue, a.actor_id AS col,
       c.document_id AS document_id, c.proposal_id AS proposal_id
  FROM claims AS c JOIN claim_actors AS a ON a.claim_id = c.id AND a.role = 'actor'
UNION ALL
SELECT c.id, 'proposal', c.issue, coalesce(p.name, c.proposal), c.document_id, c.proposal_id
  FROM claims AS c LEFT JOIN proposals AS p ON p.id = c.proposal_id
 WHERE coalesce(p.name, c.proposal) IS NOT NULL
UNION ALL
SELECT c.id, 'c-actor', c.issue, coalesce(c.conflict, 'unassigned') || '|' || a.actor_id,
       c.document_id, c.proposal_id
  FROM claims AS c JOIN claim_actors AS a ON a.claim_id = c.id AND a.role = 'actor'
UNION ALL
SELECT c.id, 'c-proposal', c.issue,
       coalesce(c.conflict, 'unassigned') || '|' || coalesce(p.name, c.proposal),
       c.document_id, c.proposal_id
  FROM claims AS c LEFT JOIN proposals AS p ON p.id = c.proposal_id
 WHERE coalesce(p.name, c.proposal) IS NOT NULL
"""
#: Migration 0008's view, for the downgrade.
OLD_CLAIM_CELLS = """
CREATE VIEW claim_cells AS
SELECT c.id AS claim_id, 'actor' AS kind, c.issue AS issue, a.actor_id AS col
  FROM claims AS c JOIN claim_actors AS a ON a.claim_id = c.id AND a.role = 'actor'
UNION ALL
SELECT c.id, 'proposal', c.issue, coalesce(p.name, c.proposal)
  FROM claims AS c LEFT JOIN proposals AS p ON p.id = c.proposal_id
 WHERE coalesce(p.name, c.proposal) IS NOT NULL
UNION ALL
SELECT c.id, 'c-actor', c.issue, coalesce(c.conflict, 'unassigned') || '|' || a.actor_id
  FROM claims AS c JOIN claim_actors AS a ON a.claim_id = c.id AND a.role = 'actor'
UNION ALL
SELECT c.id, 'c-proposal', c.issue,
       coalesce(c.conflict, 'unassigned') || '|' || coalesce(p.name, c.proposal)
  FROM claims AS c LEFT JOIN proposals AS p ON p.id = c.proposal_id
 WHERE coalesce(p.name, c.proposal) IS NOT NULL
"""
_MARK = "{head} stale_cells (kind, issue, col, claim_id) "
_NEW = "SELECT DISTINCT kind, issue, col, -claim_id FROM claim_cells WHERE {column} = {row}.id"
_OLD = (
    "SELECT DISTINCT kind, issue, col, -claim_id FROM claim_cells WHERE claim_id IN "
    "(SELECT id FROM claims WHERE {column} = {row}.id)"
)
#: A deleted proposal's claims fall back to their own phrase (migrations 0004 and 0008).
_PHRASES = (
    _MARK + "SELECT 'proposal', issue, proposal, -id FROM claims WHERE proposal_id = OLD.id "
    "AND proposal IS NOT NULL{tail}; "
    + _MARK
    + "SELECT 'c-proposal', issue, coalesce(conflict, 'unassigned') || '|' || "
    "proposal, -id FROM claims WHERE proposal_id = OLD.id AND proposal IS NOT NULL{tail};"
)
#: The triggers that mark a document's or a proposal's claims' cells:
#: name -> (table, event, the row, its key column in the view, what a function returns).
TRIGGERS = {
    "documents_au": ("documents", "AFTER UPDATE OF published, source_id", "NEW", "document_id",
                     "NULL"),
    "documents_bd": ("documents", "BEFORE DELETE", "OLD", "document_id", "OLD"),
    "proposals_bu": ("proposals", "BEFORE UPDATE OF name", "OLD", "proposal_id", "NEW"),
    "proposals_au": ("proposals", "AFTER UPDATE OF name", "NEW", "proposal_id", "NULL"),
    "proposals_bd": ("proposals", "BEFORE DELETE", "OLD", "proposal_id", "OLD"),
}  # fmt: skip


def _body(name: str, select: str, postgres: bool) -> str:
    _, _, row, column, _ = TRIGGERS[name]
    head = "INSERT INTO" if postgres else "INSERT OR IGNORE INTO"
    tail = " ON CONFLICT DO NOTHING" if postgres else ""
    body = _MARK + select.format(column=column, row=row) + "{tail};"
    if name == "proposals_bd":
        body += " " + _PHRASES
    return body.format(head=head, tail=tail)


def _replace(view: str, select: str) -> None:
    """The view and the five triggers, their marks chosen by ``select``."""
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute("DROP VIEW claim_cells")
    op.execute(view)
    for name, (table, event, _, _, result) in TRIGGERS.items():
        body = _body(name, select, postgres)
        if postgres:
            op.execute(
                f"CREATE OR REPLACE FUNCTION cells_{name}() RETURNS trigger LANGUAGE plpgsql "
                f"AS $$ BEGIN {body} RETURN {result}; END $$"
            )
            continue
        op.execute(f"DROP TRIGGER cells_{name}")
        op.execute(f"CREATE TRIGGER cells_{name} {event} ON {table} FOR EACH ROW BEGIN {body} END")


def upgrade() -> None:
    _replace(CLAIM_CELLS, _NEW)


def downgrade() -> None:
    _replace(OLD_CLAIM_CELLS, _OLD)
