"""The store's tables as ORM classes, for the write side: mapped onto ``store/tables.py``.

Saving documents, extractions, reviews and proposals works with rows as objects (a
session's unit of work); reading never does, so this module, and with it SQLAlchemy's ORM,
is imported only by the modules that write (``Store``'s write methods import it when
called). Each class maps its ``Table`` as declared in ``tables.py``: the annotations here
only give the mapped attributes their Python types (``tests/test_store_tables.py`` holds
them to the table's columns), and the metadata is the same one Alembic compares with.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped

from peacetrack.store.tables import (
    CELL_DAYS,
    CELL_MOMENTS,
    CELL_SUMMARIES,
    CLAIM_ACTORS,
    CLAIM_REVIEWS,
    CLAIMS,
    DOCUMENT_LINKS,
    DOCUMENTS,
    EXTRACTION_GAPS,
    EXTRACTION_MARKS,
    EXTRACTIONS,
    LLM_RESPONSES,
    METADATA,
    MINHASH_BANDS,
    PROPOSAL_WORDS,
    PROPOSALS,
    RUNS,
    STALE_CELLS,
    TIMELINE_STEPS,
)


class Base(DeclarativeBase):
    metadata = METADATA


class DocumentRow(Base):
    __table__ = DOCUMENTS

    id: Mapped[int]
    name: Mapped[str]
    content_hash: Mapped[str]
    url: Mapped[str | None]
    title: Mapped[str | None]
    outlet: Mapped[str | None]
    author: Mapped[str | None]
    published: Mapped[date | None]
    language: Mapped[str | None]
    text: Mapped[str]
    source: Mapped[str | None]
    ingested_at: Mapped[datetime]
    minhash: Mapped[bytes]
    source_id: Mapped[int | None]
    conflict: Mapped[str | None]
    conflict_reviewer: Mapped[str | None]


class DocumentLink(Base):
    __table__ = DOCUMENT_LINKS

    doc_a: Mapped[int]
    doc_b: Mapped[int]
    similarity: Mapped[float]


class MinhashBand(Base):
    __table__ = MINHASH_BANDS

    document_id: Mapped[int]
    band: Mapped[int]
    bucket: Mapped[int]


class ProposalRow(Base):
    __table__ = PROPOSALS

    id: Mapped[int]
    name: Mapped[str]
    kind: Mapped[str]
    date: Mapped[date | None]
    authors: Mapped[list[Any]]
    aliases: Mapped[list[Any]]
    conflict: Mapped[str | None]


class ProposalWordRow(Base):
    __table__ = PROPOSAL_WORDS

    word: Mapped[str]
    proposal_id: Mapped[int]


class ClaimRow(Base):
    __table__ = CLAIMS

    id: Mapped[int]
    document_id: Mapped[int]
    extractor: Mapped[str | None]
    status: Mapped[str]
    stance: Mapped[str]
    issue: Mapped[str]
    territories: Mapped[list[Any] | None]
    conditions: Mapped[list[Any] | None]
    recognition: Mapped[dict[str, Any] | None]
    proposal_id: Mapped[int | None]
    proposal: Mapped[str | None]
    attribution_source: Mapped[str | None]
    attribution_anonymous: Mapped[bool | None]
    evidence: Mapped[str]
    start: Mapped[int]
    end: Mapped[int]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    model: Mapped[str | None]
    prompt_hash: Mapped[str | None]
    confidence: Mapped[float | None]
    conflict: Mapped[str | None]


class ClaimActor(Base):
    __table__ = CLAIM_ACTORS

    claim_id: Mapped[int]
    role: Mapped[str]
    position: Mapped[int]
    actor_id: Mapped[str]


class RunRow(Base):
    __table__ = RUNS

    id: Mapped[int]
    kind: Mapped[str]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str]
    params: Mapped[dict[str, Any]]
    stats: Mapped[dict[str, Any] | None]


class ExtractionRow(Base):
    __table__ = EXTRACTIONS

    id: Mapped[int]
    document_id: Mapped[int]
    extractor: Mapped[str]
    run_id: Mapped[int | None]
    n_claims: Mapped[int]
    finished_at: Mapped[datetime]
    variant: Mapped[str]


class ExtractionMarkRow(Base):
    __table__ = EXTRACTION_MARKS

    extractor: Mapped[str]
    variant: Mapped[str]
    done_through: Mapped[int]


class ExtractionGapRow(Base):
    __table__ = EXTRACTION_GAPS

    extractor: Mapped[str]
    variant: Mapped[str]
    document_id: Mapped[int]


class LLMResponseRow(Base):
    __table__ = LLM_RESPONSES

    key: Mapped[str]
    model: Mapped[str]
    prompt_hash: Mapped[str]
    content: Mapped[str]
    finish_reason: Mapped[str | None]
    tokens_in: Mapped[int]
    tokens_out: Mapped[int]
    created_at: Mapped[datetime]


class ClaimReviewRow(Base):
    __table__ = CLAIM_REVIEWS

    id: Mapped[int]
    claim_id: Mapped[int]
    action: Mapped[str]
    reviewer: Mapped[str]
    at: Mapped[datetime]
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]


class CellSummaryRow(Base):
    __table__ = CELL_SUMMARIES

    kind: Mapped[str]
    issue: Mapped[str]
    col: Mapped[str]
    stance: Mapped[str]
    claims: Mapped[int]
    sources: Mapped[int]
    first: Mapped[date | None]
    last: Mapped[date | None]
    conflict: Mapped[bool]
    current: Mapped[list[Any]]
    support: Mapped[str]
    backing: Mapped[int]
    weaker: Mapped[int]
    latest: Mapped[list[Any]]
    prior: Mapped[str | None]
    changed_before: Mapped[bool]
    floors: Mapped[dict[str, Any]]


class CellDayRow(Base):
    __table__ = CELL_DAYS

    kind: Mapped[str]
    issue: Mapped[str]
    col: Mapped[str]
    day: Mapped[date]
    next: Mapped[date | None]
    claims: Mapped[int]
    ids: Mapped[list[Any]]
    gone: Mapped[int]
    class_low: Mapped[str | None]
    weaker_low: Mapped[int]
    class_anonymous: Mapped[str | None]
    weaker_anonymous: Mapped[int]
    class_named: Mapped[str | None]
    weaker_named: Mapped[int]
    class_corroborated: Mapped[str | None]
    weaker_corroborated: Mapped[int]
    class_reviewed: Mapped[str | None]
    weaker_reviewed: Mapped[int]
    seen: Mapped[int]
    next_claims: Mapped[int | None]
    next_class_low: Mapped[str | None]
    next_weaker_low: Mapped[int | None]
    next_class_anonymous: Mapped[str | None]
    next_weaker_anonymous: Mapped[int | None]
    next_class_named: Mapped[str | None]
    next_weaker_named: Mapped[int | None]
    next_class_corroborated: Mapped[str | None]
    next_weaker_corroborated: Mapped[int | None]
    next_class_reviewed: Mapped[str | None]
    next_weaker_reviewed: Mapped[int | None]
    next_next: Mapped[date | None]


class CellMomentRow(Base):
    __table__ = CELL_MOMENTS

    kind: Mapped[str]
    issue: Mapped[str]
    col: Mapped[str]
    level: Mapped[str]
    day: Mapped[date]
    first: Mapped[date]
    claims: Mapped[int]
    gone: Mapped[int]
    held_day: Mapped[date | None]
    held_next: Mapped[date | None]
    held_class: Mapped[str | None]
    prior: Mapped[str | None]
    changed_all: Mapped[int]
    changed: Mapped[int]
    weaker: Mapped[int]
    held_weaker: Mapped[int | None]


class StaleCellRow(Base):
    __table__ = STALE_CELLS

    kind: Mapped[str]
    issue: Mapped[str]
    col: Mapped[str]
    claim_id: Mapped[int]


class TimelineStepRow(Base):
    __table__ = TIMELINE_STEPS

    conflict: Mapped[str]
    actor: Mapped[str]
    issue: Mapped[str]
    day: Mapped[date]
    first: Mapped[date | None]
    last: Mapped[date | None]
    stance: Mapped[str]
    sources: Mapped[int]
    conflicted: Mapped[bool]
    changed: Mapped[bool]
    support: Mapped[str]
    weaker: Mapped[int]
    prior: Mapped[str | None]
    claim_ids: Mapped[list[Any]]
    evidence_ids: Mapped[list[Any]]
