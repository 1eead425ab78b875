"""Every claim belongs to a conflict: claims.conflict, a reviewer's choice per document, and
proposals grouped within one conflict.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

Existing claims are assigned here as new ones are at extraction, one document at a time
with the codebook in force (``peacetrack.codebook.assign_document``); a claim that fits no
conflict stays NULL (unassigned). A proposal takes the conflict most of its claims belong
to; its claims of another conflict move to a copy of it named after that conflict, so no
proposal is left mixing two wars.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
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
    op.drop_index("ix_proposals_conflict", table_name="proposals")
    op.drop_column("proposals", "conflict")
    op.drop_column("documents", "conflict_reviewer")
    op.drop_column("documents", "conflict")
    op.drop_index("ix_claims_conflict", table_name="claims")
    op.drop_column("claims", "conflict")
