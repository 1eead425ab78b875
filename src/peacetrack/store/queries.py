"""Claims to rows and back, and the SQL conditions behind ``Store.claims`` filters.

A stored claim was validated when it was saved, so reading it back rebuilds the models
without validating again: a claim saved under a user codebook must still load when that
codebook is not the one in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any, TypeVar, TypeVarTuple

from sqlalchemy import ColumnElement, Select, exists, or_, select

from peacetrack.model import Attribution, Claim, Condition, Recognition, Stance
from peacetrack.store.schema import ClaimActor, ClaimRow, DocumentRow, ProposalRow

T = TypeVar("T")
#: Ids per IN (...) list: well below SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 500


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def claim_row(claim: Claim, document_id: int, extractor: str, proposal_id: int | None) -> ClaimRow:
    """A row for a located claim (``start``/``end`` set); actors go to ``actor_rows``."""
    data = claim.model_dump(mode="json")
    attribution = claim.attribution
    return ClaimRow(
        document_id=document_id,
        extractor=extractor,
        status="extracted",
        stance=claim.stance.value,
        issue=claim.issue,
        territories=claim.territories,
        conditions=data["conditions"],
        recognition=data["recognition"],
        proposal_id=proposal_id,
        proposal=claim.proposal,
        attribution_source=attribution.source if attribution else None,
        attribution_anonymous=attribution.anonymous if attribution else None,
        evidence=claim.evidence,
        start=claim.start,
        end=claim.end,
        model=claim.model,
        prompt_hash=claim.prompt_hash,
        confidence=claim.confidence,
    )


def actor_rows(claim_id: int, claim: Claim) -> list[dict[str, Any]]:
    roles = (("actor", claim.actors), ("obligor", claim.obligor or []))
    return [
        {"claim_id": claim_id, "role": role, "position": position, "actor_id": actor}
        for role, actors in roles
        for position, actor in enumerate(actors)
    ]


def claim_from_row(row: ClaimRow, actors: Sequence[ClaimActor]) -> Claim:
    """``actors`` are the row's claim_actors, ordered by role and position."""
    obligor = [a.actor_id for a in actors if a.role == "obligor"]
    attribution = None
    if row.attribution_anonymous is not None:
        attribution = Attribution.model_construct(
            source=row.attribution_source, anonymous=row.attribution_anonymous
        )
    fields: dict[str, Any] = {
        "actors": [a.actor_id for a in actors if a.role == "actor"],
        "stance": Stance(row.stance),
        "issue": row.issue,
        "obligor": obligor or None,
        "territories": row.territories,
        "conditions": (
            None
            if row.conditions is None
            else [Condition.model_construct(**c) for c in row.conditions]
        ),
        "recognition": (
            None if row.recognition is None else Recognition.model_construct(**row.recognition)
        ),
        "proposal": row.proposal,
        "attribution": attribution,
        "evidence": row.evidence,
        "start": row.start,
        "end": row.end,
        "extractor": row.extractor,
        "model": row.model,
        "prompt_hash": row.prompt_hash,
        "confidence": row.confidence,
    }
    return Claim.model_construct(**fields)


def issue_condition(pattern: str) -> ColumnElement[bool]:
    """``TER.WITHDRAW`` matches exactly; ``TER.*`` (any ``*``) matches as a wildcard.

    Issue codes contain ``_``, a LIKE wildcard, so it is escaped before ``*`` becomes ``%``.
    """
    pattern = pattern.strip().upper()
    if "*" not in pattern:
        return ClaimRow.issue == pattern
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return ClaimRow.issue.like(escaped.replace("*", "%"), escape="\\")


def claim_conditions(
    *,
    actors: Sequence[str] | None,
    issues: Sequence[str] | None,
    stances: Sequence[str] | None,
    document_id: int | None,
    extractor: str | None,
    proposal: str | None,
    proposal_ids: Sequence[int] = (),
    since: date | None,
    until: date | None,
    include_rejected: bool,
) -> list[ColumnElement[bool]]:
    """WHERE conditions for ``Store.claims``; a claim must meet all of them.

    ``proposal`` matches a claim's own phrase; ``proposal_ids`` the proposals that phrase
    names (found by name or alias, see ``proposal_resolver.proposal_ids_named``).
    """
    where: list[ColumnElement[bool]] = []
    if actors:
        wanted = [a.strip().upper() for a in actors]
        where.append(
            exists().where(
                ClaimActor.claim_id == ClaimRow.id,
                ClaimActor.role == "actor",
                ClaimActor.actor_id.in_(wanted),
            )
        )
    if issues:
        where.append(or_(*(issue_condition(p) for p in issues)))
    if stances:
        where.append(ClaimRow.stance.in_([s.strip().lower() for s in stances]))
    if document_id is not None:
        where.append(ClaimRow.document_id == document_id)
    if extractor is not None:
        where.append(ClaimRow.extractor == extractor)
    if proposal is not None:
        where.append(or_(ClaimRow.proposal == proposal, ClaimRow.proposal_id.in_(proposal_ids)))
    if since is not None:
        where.append(DocumentRow.published >= since)
    if until is not None:
        where.append(DocumentRow.published <= until)
    if not include_rejected:
        where.append(ClaimRow.status != "rejected")
    return where


def claims_select(
    where: Sequence[ColumnElement[bool]],
) -> Select[ClaimRow, str, str | None, date | None, str | None, str | None]:
    """Claims with the document facts and proposal name shown beside them, newest first."""
    return in_reading_order(
        select(
            ClaimRow,
            DocumentRow.name,
            DocumentRow.outlet,
            DocumentRow.published,
            DocumentRow.url,
            ProposalRow.name,
        ),
        where,
    )


def group_by_claim(actors: Iterable[ClaimActor]) -> dict[int, list[ClaimActor]]:
    grouped: dict[int, list[ClaimActor]] = {}
    for actor in actors:
        grouped.setdefault(actor.claim_id, []).append(actor)
    return grouped


Row = TypeVarTuple("Row")


def in_reading_order(stmt: Select[*Row], where: Sequence[ColumnElement[bool]]) -> Select[*Row]:
    """Claims joined to their documents and proposals, filtered, newest document first.

    Within a document claims come in text order, the order a reader checks them in. Every
    claims query goes through here so that all of them list claims the same way.
    """
    return (
        stmt.join(DocumentRow, DocumentRow.id == ClaimRow.document_id)
        .outerjoin(ProposalRow, ProposalRow.id == ClaimRow.proposal_id)
        .where(*where)
        .order_by(
            DocumentRow.published.desc().nulls_last(),
            ClaimRow.document_id.desc(),
            ClaimRow.start,
            ClaimRow.id,
        )
    )
