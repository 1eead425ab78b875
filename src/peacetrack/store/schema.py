"""The store's tables as SQLAlchemy 2 typed declarative models.

Only portable types are used (``sqlalchemy.JSON``, ``LargeBinary``, ``BigInteger``...), so
one schema serves SQLite and PostgreSQL. The Alembic migrations in ``migrations/versions``
must produce exactly this schema; ``tests/test_migrations.py`` checks that they do.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

#: Constraint names are fixed so that migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CLAIM_STATUSES = ("extracted", "accepted", "edited", "rejected", "added")
#: Statuses a person has set: re-running an extractor never deletes these claims.
REVIEWED_STATUSES = ("accepted", "edited", "rejected", "added")
ACTOR_ROLES = ("actor", "obligor")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes in UTC on every backend.

    SQLite keeps no offset, so values are stored as UTC and read back with UTC attached.
    A naive value given to the store is taken to be UTC already, and is sent as such:
    PostgreSQL would otherwise read it in the session's time zone, whatever that is.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(512), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(String(255), index=True)
    author: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date, index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: MinHash signature (uint64 array as bytes) that verifies near-duplicate candidates.
    minhash: Mapped[bytes] = mapped_column(LargeBinary)
    #: The source this document counts as: the smallest id among its near duplicates, near
    #: duplicates of those, and so on; NULL when that is the document itself. Kept up to
    #: date as links are made (``neardup.join_sources``), so counting sources is a lookup.
    source_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: The conflict a reviewer put the whole document in (migration 0008), NULL for none;
    #: it counts only when ``conflict_reviewer`` is set, so "a reviewer said unassigned"
    #: differs from "decided from the claims". Re-extraction gives new claims this conflict.
    conflict: Mapped[str | None] = mapped_column(String(64))
    conflict_reviewer: Mapped[str | None] = mapped_column(String(128))


#: Documents in the order claims are listed (``queries.in_reading_order``: newest first,
#: undated last), so PostgreSQL streams a whole export from the first document instead of
#: sorting every claim before the first line (migration 0014). PostgreSQL only: SQLite
#: refuses NULLS LAST in an index, and already streams the export.
Index(
    "ix_documents_reading_order",
    DocumentRow.published.desc().nulls_last(),
    DocumentRow.id.desc(),
).ddl_if(dialect="postgresql")


class DocumentLink(Base):
    """Two near-duplicate documents, stored once with the smaller id first."""

    __tablename__ = "document_links"
    __table_args__ = (
        CheckConstraint("doc_a < doc_b", name="ordered"),
        Index("ix_document_links_doc_b", "doc_b"),
    )

    doc_a: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    doc_b: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    similarity: Mapped[float] = mapped_column(Float)


class MinhashBand(Base):
    """One LSH band bucket of a document: equal (band, bucket) makes two documents candidates."""

    __tablename__ = "minhash_bands"
    __table_args__ = (Index("ix_minhash_bands_band_bucket_doc", "band", "bucket", "document_id"),)

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger)


class ProposalRow(Base):
    __tablename__ = "proposals"
    #: Saving a claim reads the proposals within the grouping window of its date.
    __table_args__ = (Index("ix_proposals_date", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(512), unique=True)
    kind: Mapped[str] = mapped_column(String(32), default="other")
    date: Mapped[date | None] = mapped_column(Date)
    authors: Mapped[list[Any]] = mapped_column(default=list)
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    #: The conflict of the claims it groups (migration 0008; NULL: unassigned claims):
    #: proposals are grouped within one conflict only.
    conflict: Mapped[str | None] = mapped_column(String(64), index=True)


class ProposalWordRow(Base):
    """Each word of a proposal's names and aliases (migration 0013): a report naming a
    specific plan made long before finds it by these, not by reading every proposal."""

    __tablename__ = "proposal_words"

    word: Mapped[str] = mapped_column(Text, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ClaimRow(Base):
    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in CLAIM_STATUSES)),
            name="status",
        ),
        # A document's claims in text order, as comparisons and ``Store.claims`` read them.
        Index("ix_claims_document_start", "document_id", "start", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    extractor: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="extracted")
    stance: Mapped[str] = mapped_column(String(32), index=True)
    issue: Mapped[str] = mapped_column(String(64), index=True)
    territories: Mapped[list[Any] | None] = mapped_column()
    conditions: Mapped[list[Any] | None] = mapped_column()
    recognition: Mapped[dict[str, Any] | None] = mapped_column()
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL"), index=True
    )
    proposal: Mapped[str | None] = mapped_column(Text)
    attribution_source: Mapped[str | None] = mapped_column(Text)
    #: NULL when the claim has no attribution at all (distinct from "named, not anonymous").
    attribution_anonymous: Mapped[bool | None] = mapped_column(Boolean)
    evidence: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: Provenance beyond the extractor's name (migration 0005): the model that answered and
    #: a hash of the prompt version, for extractors that use a language model, and the
    #: extractor's confidence in the claim (0-1) where it gives one.
    model: Mapped[str | None] = mapped_column(String(128))
    prompt_hash: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(Float)
    #: The conflict the claim belongs to (migration 0008): decided at extraction from its
    #: actors and places and its document's other claims, or set by a reviewer; NULL is
    #: "unassigned", a claim that fits no conflict, shown as such rather than merged.
    conflict: Mapped[str | None] = mapped_column(String(64), index=True)


class ClaimActor(Base):
    """An actor or obligor of a claim; ``position`` keeps the order the claim lists them in."""

    __tablename__ = "claim_actors"
    __table_args__ = (
        CheckConstraint("role IN ('actor', 'obligor')", name="role"),
        Index("ix_claim_actors_actor_id", "actor_id"),
        # Covers "claims of these actors" without touching the table (compare by actor).
        Index("ix_claim_actors_actor_claim", "actor_id", "claim_id"),
    )

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[str] = mapped_column(String(64))


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(32), default="running")
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    stats: Mapped[dict[str, Any] | None] = mapped_column()


class ExtractionRow(Base):
    """A document was processed by an extractor version, even if it yielded no claim."""

    __tablename__ = "extractions"
    __table_args__ = (UniqueConstraint("document_id", "extractor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    extractor: Mapped[str] = mapped_column(String(64), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    n_claims: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: What else decides the output besides the extractor's version (``model@prompt`` for a
    #: language model; empty for rules): a document done by another variant is pending again.
    variant: Mapped[str] = mapped_column(String(200), default="", server_default="")


class ExtractionMarkRow(Base):
    """How far the pending documents of an extractor variant were last listed (migration
    0017): every document up to ``done_through`` has an extraction by it or a row in
    ``extraction_gaps``, so finding what is left reads the gaps and the documents after
    the mark, never the documents already done (``store.pending``)."""

    __tablename__ = "extraction_marks"

    extractor: Mapped[str] = mapped_column(String(64), primary_key=True)
    variant: Mapped[str] = mapped_column(String(200), primary_key=True)
    done_through: Mapped[int] = mapped_column(Integer, default=0)


class ExtractionGapRow(Base):
    """A document at or below its variant's mark without an extraction by it: left pending
    by a run (it failed, or came after the run listed), or made pending again by triggers
    when its extraction is deleted or changes variant. Rows whose document has since been
    extracted are dropped when the pending documents are next listed."""

    __tablename__ = "extraction_gaps"

    extractor: Mapped[str] = mapped_column(String(64), primary_key=True)
    variant: Mapped[str] = mapped_column(String(200), primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class LLMResponseRow(Base):
    """A language model's answer to one request, kept so that re-running costs nothing.

    ``key`` hashes the model, the prompt version and the request's messages (which hold the
    chunk of text), so the same chunk of the same document asked the same way is answered
    from here; an interrupted run resumes from the answers it already paid for.
    """

    __tablename__ = "llm_responses"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(128))
    prompt_hash: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    finish_reason: Mapped[str | None] = mapped_column(String(32))
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClaimReviewRow(Base):
    """One reviewer action on a claim (accept, edit, reject, add): who, when, before, after.

    Never updated or deleted by the application: it is the claim's audit trail.
    """

    __tablename__ = "claim_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    reviewer: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    before: Mapped[dict[str, Any] | None] = mapped_column()
    after: Mapped[dict[str, Any] | None] = mapped_column()


class CellSummaryRow(Base):
    """One comparison cell (an actor or a proposal on an issue) summarised, without words.

    ``kind`` is ``actor`` or ``proposal``; ``col`` the actor id or the proposal's
    canonical name. The same cells within one conflict (migration 0008) are of kind
    ``c-actor`` or ``c-proposal``, their ``col`` the conflict id (or ``unassigned``), ``|``
    and the actor id or proposal name. Triggers (migration 0004) mark a cell in
    ``stale_cells`` whenever a claim, actor, document or proposal behind it changes, and
    the next comparison rebuilds it (``peacetrack.store.cell_summaries``): a million claims
    compare in a few queries.
    """

    __tablename__ = "cell_summaries"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    issue: Mapped[str] = mapped_column(String(64), primary_key=True)
    col: Mapped[str] = mapped_column(Text, primary_key=True)
    stance: Mapped[str] = mapped_column(String(32))
    claims: Mapped[int] = mapped_column(Integer)
    sources: Mapped[int] = mapped_column(Integer)
    first: Mapped[date | None] = mapped_column(Date)
    last: Mapped[date | None] = mapped_column(Date)
    conflict: Mapped[bool] = mapped_column(Boolean)
    #: Ids of the claims stating ``stance`` in the latest moment, oldest first.
    current: Mapped[list[Any]] = mapped_column()
    #: The current position's support level (``peacetrack.support``, at the default floor),
    #: the independent sources behind it, and the claims below the floor (migration 0007).
    support: Mapped[str] = mapped_column(String(16))
    backing: Mapped[int] = mapped_column(Integer)
    weaker: Mapped[int] = mapped_column(Integer)
    #: The latest moment's claims as [id, date, stance, source, grade, outlet], to extend
    #: it with new ones.
    latest: Mapped[list[Any]] = mapped_column()
    #: The prevailing stance class of the moment before the latest, if any.
    prior: Mapped[str | None] = mapped_column(String(32))
    #: Whether the stance changed among the moments before the latest (``changed`` is
    #: that, or ``prior`` differing from ``stance``).
    changed_before: Mapped[bool] = mapped_column(Boolean)
    #: The cell at every other support floor (migration 0015): by level, what differs from
    #: the default floor's columns, [stance, conflict, current, support, backing, weaker,
    #: prior, changed_before], so a comparison at another floor reads one row per cell.
    floors: Mapped[dict[str, Any]] = mapped_column()


class CellDayRow(Base):
    """One day of a comparison cell (``cell_summaries``' kinds and columns) that has dated
    claims, kept with the cell (``peacetrack.store.cell_days``, migration 0011).

    ``claims`` and the levels' columns describe the moment that would begin on ``day`` (the
    cell's claims of ``day`` to ``day`` + 7), ``next`` the day the moment after it would
    begin; ``ids`` are the day's own claim ids, ``gone`` counts the cell's sources seen
    only before ``day`` and ``seen`` those seen on or before it. So a comparison from a
    date follows each cell's moments from its first day on or after it, one row per moment,
    and loads the claims of the moment shown; one to an end date follows them from the
    cell's first day up to that date.
    """

    __tablename__ = "cell_days"
    #: SQLite keeps the rows in key order, a cell's days side by side: a moment is one
    #: seek, not an index seek and a row read.
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 - SQLAlchemy reads it

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    issue: Mapped[str] = mapped_column(String(64), primary_key=True)
    col: Mapped[str] = mapped_column(Text, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    next: Mapped[date | None] = mapped_column(Date)
    claims: Mapped[int] = mapped_column(Integer)
    ids: Mapped[list[Any]] = mapped_column()
    gone: Mapped[int] = mapped_column(Integer)
    #: What the moment decides at each support level (``peacetrack.moments.decisions``),
    #: two plain columns a level (migration 0012), so the database folds a cell's moments
    #: at the floor asked: the prevailing stance class (null: no position reaches the
    #: level) and the claims below the level.
    class_low: Mapped[str | None] = mapped_column(String(16))
    weaker_low: Mapped[int] = mapped_column(Integer)
    class_anonymous: Mapped[str | None] = mapped_column(String(16))
    weaker_anonymous: Mapped[int] = mapped_column(Integer)
    class_named: Mapped[str | None] = mapped_column(String(16))
    weaker_named: Mapped[int] = mapped_column(Integer)
    class_corroborated: Mapped[str | None] = mapped_column(String(16))
    weaker_corroborated: Mapped[int] = mapped_column(Integer)
    class_reviewed: Mapped[str | None] = mapped_column(String(16))
    weaker_reviewed: Mapped[int] = mapped_column(Integer)
    #: How many of the cell's sources its claims dated on or before ``day`` have
    #: (migration 0015), so a comparison to an end date counts its sources from the days.
    seen: Mapped[int] = mapped_column(Integer)


class CellMomentRow(Base):
    """One moment of a comparison cell's whole record at one support floor (``level``): the
    moment beginning on ``day`` along the cell's kept days from its first (``cell_days``
    ``next``), with what the moments before it left there (the columns of
    ``peacetrack.store.cell_day_reads``' fold), kept by ``peacetrack.store.cell_moments``
    (migration 0018). A comparison to an end date reads each cell's row at the last such
    day on or before it instead of following every moment up to the date.
    """

    __tablename__ = "cell_moments"
    #: As ``cell_days``: a cell's rows side by side, the row sought one seek.
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 - SQLAlchemy reads it

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    issue: Mapped[str] = mapped_column(String(64), primary_key=True)
    col: Mapped[str] = mapped_column(Text, primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    #: The cell's first day, the claims of the moments before and the first day's ``gone``.
    first: Mapped[date] = mapped_column(Date)
    claims: Mapped[int] = mapped_column(Integer)
    gone: Mapped[int] = mapped_column(Integer)
    #: The last moment before with a class at the level: its day, the day after it, its
    #: class and its weaker claims; the class held before it; whether two consecutive
    #: classes differ among all moments before and among those before that one; and every
    #: claim below the level before.
    held_day: Mapped[date | None] = mapped_column(Date)
    held_next: Mapped[date | None] = mapped_column(Date)
    held_class: Mapped[str | None] = mapped_column(Text)
    prior: Mapped[str | None] = mapped_column(Text)
    changed_all: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    weaker: Mapped[int] = mapped_column(Integer)
    held_weaker: Mapped[int | None] = mapped_column(Integer)


class StaleCellRow(Base):
    """A cell whose summary no longer matches its claims; written by triggers only.

    A positive ``claim_id`` names a claim added to the cell; 0 or a negative one (minus
    the changed claim's id) means the cell must be rebuilt.
    """

    __tablename__ = "stale_cells"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    issue: Mapped[str] = mapped_column(String(64), primary_key=True)
    col: Mapped[str] = mapped_column(Text, primary_key=True)
    claim_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class TimelineStepRow(Base):
    """One timeline step: an actor's stance on an issue in a conflict at one moment
    (``peacetrack.moments.Step``), at the default support floor and moment window.

    Kept with the per-conflict actor cells (``c-actor``) whose track it is, by the same
    refresh (``peacetrack.store.step_summaries``, migration 0010), so that the newest steps,
    of an actor, an issue or a conflict, or since a day, are one index range read.
    ``conflict`` is the conflict id or ``unassigned``; ``day`` the day the step began,
    0001-01-01 when undated, so undated steps sort oldest on every database.
    """

    __tablename__ = "timeline_steps"
    __table_args__ = (
        Index("ix_timeline_steps_newest", "day", "actor", "issue", "conflict"),
        Index("ix_timeline_steps_actor", "actor", "day", "issue", "conflict"),
        Index("ix_timeline_steps_issue", "issue", "day", "actor", "conflict"),
        Index("ix_timeline_steps_conflict", "conflict", "day", "actor", "issue"),
    )

    conflict: Mapped[str] = mapped_column(String(64), primary_key=True)
    actor: Mapped[str] = mapped_column(String(64), primary_key=True)
    issue: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    first: Mapped[date | None] = mapped_column(Date)
    last: Mapped[date | None] = mapped_column(Date)
    stance: Mapped[str] = mapped_column(String(32))
    sources: Mapped[int] = mapped_column(Integer)
    #: Independent reports of the moment contradict each other.
    conflicted: Mapped[bool] = mapped_column(Boolean)
    changed: Mapped[bool] = mapped_column(Boolean)
    support: Mapped[str] = mapped_column(String(16))
    weaker: Mapped[int] = mapped_column(Integer)
    #: The stance class held before this step, which ``changed`` compares against.
    prior: Mapped[str | None] = mapped_column(String(32))
    #: The moment's claim ids, oldest first, and those stating the shown stance.
    claim_ids: Mapped[list[Any]] = mapped_column()
    evidence_ids: Mapped[list[Any]] = mapped_column()
