"""Every claim belongs to a conflict: claims.conflict, a reviewer's choice per document, and
proposals grouped within one conflict.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Existing claims are assigned here as new ones are at extraction, one document at a time
with the codebook in force (``peacetrack.codebook.assign_document``); a claim that fits no
conflict stays NULL (unassigned). A proposal takes the conflict most of its claims belong
to; its claims of another conflict move to a copy of it named after that conflict, so no
proposal is left mixing two wars.

Comparison cells are also summarised per conflict: the view ``claim_cells`` (migration
0004) gains the kinds ``c-actor`` and ``c-proposal``, whose column is the conflict id
(``unassigned`` for none), a ``|`` and the actor or proposal, so the triggers that mark
cells through the view mark these too, and the two triggers that mark cells without it (a
new claim actor, a deleted proposal's phrases) mark both kinds. Every per-conflict cell
starts marked, to be built by the next comparison.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("claims", sa.Column("conflict", sa.String(length=64), nullable=True))
    op.create_index("ix_claims_conflict", "claims", ["conflict"])
    op.add_column("documents", sa.Column("conflict", sa.String(length=64), nullable=True))
    op.add_column("documents", sa.Column("conflict_reviewer", sa.String(length=128), nullable=True))
    op.add_column("proposals", sa.Column("conflict", sa.String(length=64), nullable=True))
    op.create_index("ix_proposals_conflict", "proposals", ["conflict"])
    bind = op.get_bind()
    _assign_claims(bind)
    _split_proposals(bind)
    _cells_by_conflict(bind.dialect.name == "postgresql", CLAIM_CELLS, scoped=True)
    op.execute(
        "INSERT INTO stale_cells (kind, issue, col, claim_id) "
        "SELECT DISTINCT kind, issue, col, 0 FROM claim_cells WHERE kind LIKE 'c-%'"
    )


#: A claim's cells (migration 0004's view), and its cells within its conflict.
CLAIM_CELLS = """
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
#: Migration 0004's view, for the downgrade.
OLD_CLAIM_CELLS = CLAIM_CELLS.split("UNION ALL\nSELECT c.id, 'c-actor'")[0]
_MARK = "{head} stale_cells (kind, issue, col, claim_id) "
_SCOPED = "coalesce(conflict, 'unassigned') || '|' || "
#: The triggers of migration 0004 that mark cells without the view: a new claim actor
#: marks its actor's cell, a deleted proposal the cells of its claims' own phrases. Each
#: as it was, then with the same cell within the claim's conflict; (table, event, when).
_ACTOR = "SELECT 'actor', issue, NEW.actor_id, NEW.claim_id FROM claims"
_PHRASE = "SELECT 'proposal', issue, proposal, -id FROM claims"
_OF_NEW_ACTOR = " WHERE id = NEW.claim_id AND NEW.role = 'actor'{tail};"
_OF_OLD_PROPOSAL = " WHERE proposal_id = OLD.id AND proposal IS NOT NULL{tail};"
_OLD_WHOLE = (
    _MARK + "SELECT DISTINCT kind, issue, col, -claim_id FROM claim_cells WHERE claim_id IN "
    "(SELECT id FROM claims WHERE proposal_id = OLD.id){tail}; "
)
TRIGGERS = {
    "actors_ai": (
        ("claim_actors", "AFTER INSERT", "NULL"),
        _MARK + _ACTOR + _OF_NEW_ACTOR,
        _MARK
        + _ACTOR.replace("NEW.actor_id", _SCOPED + "NEW.actor_id").replace(
            "'actor'", "'c-actor'", 1
        )
        + _OF_NEW_ACTOR,
    ),
    "proposals_bd": (
        ("proposals", "BEFORE DELETE", "OLD"),
        _OLD_WHOLE + _MARK + _PHRASE + _OF_OLD_PROPOSAL,
        _MARK
        + _PHRASE.replace(
            "'proposal', issue, proposal", "'c-proposal', issue, " + _SCOPED + "proposal"
        )
        + _OF_OLD_PROPOSAL,
    ),
}


def _cells_by_conflict(postgres: bool, view: str, scoped: bool) -> None:
    """Replace the view ``claim_cells`` and the two triggers above: with the marks of the
    cells within a conflict (``scoped``) or as migration 0004 made them."""
    op.execute("DROP VIEW claim_cells")
    op.execute(view)
    head = "INSERT INTO" if postgres else "INSERT OR IGNORE INTO"
    tail = " ON CONFLICT DO NOTHING" if postgres else ""
    for name, ((table, event, result), old, added) in TRIGGERS.items():
        body = (old + (" " + added if scoped else "")).format(head=head, tail=tail)
        if postgres:
            op.execute(
                f"CREATE OR REPLACE FUNCTION cells_{name}() RETURNS trigger LANGUAGE plpgsql "
                f"AS $$ BEGIN {body} RETURN {result}; END $$"
            )
            continue
        op.execute(f"DROP TRIGGER cells_{name}")
        op.execute(f"CREATE TRIGGER cells_{name} {event} ON {table} FOR EACH ROW BEGIN {body} END")


def _json(value: Any) -> Any:
    """A JSON column as read by a plain query: text on SQLite, decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def _assign_claims(bind: sa.Connection) -> None:
    from peacetrack.codebook import assign_document, default_codebook

    book = default_codebook()
    actors: dict[int, list[str]] = defaultdict(list)
    rows = bind.execute(
        sa.text(
            "SELECT claim_id, actor_id FROM claim_actors WHERE role = 'actor' "
            "ORDER BY claim_id, position"
        )
    )
    for claim_id, actor in rows:
        actors[claim_id].append(actor)
    documents: dict[int, list[tuple[int, list[str]]]] = defaultdict(list)
    for claim_id, document_id, territories in bind.execute(
        sa.text("SELECT id, document_id, territories FROM claims ORDER BY document_id, id")
    ):
        documents[document_id].append((claim_id, _json(territories) or []))
    found = []
    for members in documents.values():
        pairs = [(actors[i], places) for i, places in members]
        for (claim_id, _), conflict in zip(members, assign_document(pairs, book), strict=True):
            if conflict is not None:
                found.append({"id": claim_id, "conflict": conflict})
    if found:
        bind.execute(sa.text("UPDATE claims SET conflict = :conflict WHERE id = :id"), found)


def _split_proposals(bind: sa.Connection) -> None:
    """Each proposal takes its claims' main conflict; claims of another get their own copy."""
    by_proposal: dict[int, Counter[str | None]] = defaultdict(Counter)
    for proposal_id, conflict, n in bind.execute(
        sa.text(
            "SELECT proposal_id, conflict, COUNT(*) FROM claims WHERE proposal_id IS NOT NULL "
            "GROUP BY proposal_id, conflict"
        )
    ):
        by_proposal[proposal_id][conflict] = n
    names = {n.casefold() for (n,) in bind.execute(sa.text("SELECT name FROM proposals"))}
    for proposal_id, counts in by_proposal.items():
        ranked = sorted(counts, key=lambda c: (-counts[c], c or ""))
        bind.execute(
            sa.text("UPDATE proposals SET conflict = :conflict WHERE id = :id"),
            {"conflict": ranked[0], "id": proposal_id},
        )
        for other in ranked[1:]:
            _copy_for(bind, proposal_id, other, names)


def _copy_for(bind: sa.Connection, proposal_id: int, conflict: str | None, taken: set[str]) -> None:
    row = bind.execute(
        sa.text("SELECT name, kind, date, authors, aliases FROM proposals WHERE id = :id"),
        {"id": proposal_id},
    ).one()
    base = f"{row.name} ({conflict or 'unassigned'})"
    name = next(
        n for n in (base, *(f"{base} {i}" for i in range(2, 1000))) if n.casefold() not in taken
    )
    taken.add(name.casefold())
    values = {
        "name": name,
        "kind": row.kind,
        "date": row.date,
        "authors": _json(row.authors),
        "aliases": _json(row.aliases),
        "conflict": conflict,
    }
    copy = bind.execute(
        sa.text(
            "INSERT INTO proposals (name, kind, date, authors, aliases, conflict) "
            "VALUES (:name, :kind, :date, :authors, :aliases, :conflict) RETURNING id"
        ).bindparams(
            sa.bindparam("authors", type_=sa.JSON), sa.bindparam("aliases", type_=sa.JSON)
        ),
        values,
    ).scalar_one()
    same = "conflict IS NULL" if conflict is None else "conflict = :conflict"
    bind.execute(
        sa.text(f"UPDATE claims SET proposal_id = :copy WHERE proposal_id = :id AND {same}"),
        {"copy": copy, "id": proposal_id, "conflict": conflict},
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy of ``claims`` would lose its triggers.
    # Copies of split proposals stay: their claims keep pointing at them.
    postgres = op.get_bind().dialect.name == "postgresql"
    _cells_by_conflict(postgres, OLD_CLAIM_CELLS, scoped=False)
    op.execute("DELETE FROM cell_summaries WHERE kind LIKE 'c-%'")
    op.execute("DELETE FROM stale_cells WHERE kind LIKE 'c-%'")
    op.drop_index("ix_proposals_conflict", table_name="proposals")
    op.drop_column("proposals", "conflict")
    op.drop_column("documents", "conflict_reviewer")
    op.drop_column("documents", "conflict")
    op.drop_index("ix_claims_conflict", table_name="claims")
    op.drop_column("claims", "conflict")
