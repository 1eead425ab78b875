"""The store's tables, declared once as SQLAlchemy Core ``Table`` metadata.

Reads (``compare``, ``timeline``, ``claims``, ``documents list``, the web's pages) query
these tables on a plain ``Connection``, so a command that only reads never imports or
configures SQLAlchemy's ORM, about a fifth of its start. The write side's ORM classes
(``store/schema.py``) are mapped onto these same ``Table`` objects, and Alembic compares
its migrations with this ``METADATA``: one declaration of each table serves both.

Only portable types are used (``sqlalchemy.JSON``, ``LargeBinary``, ``BigInteger``...), so
one schema serves SQLite and PostgreSQL. The Alembic migrations in ``migrations/versions``
must produce exactly this schema; ``tests/test_migrations.py`` checks that they do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
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
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

from peacetrack.support import SUPPORT_LEVELS

#: Constraint names are fixed so that migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
METADATA = MetaData(naming_convention=NAMING_CONVENTION)

CLAIM_STATUSES = ("extracted", "accepted", "edited", "rejected", "added")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _cell_key() -> tuple[Column[Any], ...]:
    """The key of a comparison cell (its kind, issue and column), shared by the tables
    kept per cell: new columns each time, since a column belongs to one table."""
    return (
        Column("kind", String(16), primary_key=True),
        Column("issue", String(64), primary_key=True),
        Column("col", Text, primary_key=True),
    )


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


DOCUMENTS = Table(
    "documents",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("name", String(512), index=True, nullable=False),
    Column("content_hash", String(64), unique=True, nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("outlet", String(255), index=True),
    Column("author", Text),
    Column("published", Date, index=True),
    Column("language", String(16)),
    Column("text", Text, nullable=False),
    Column("source", Text),
    Column("ingested_at", UTCDateTime(), default=utcnow, nullable=False),
    #: MinHash signature (uint64 array as bytes) that verifies near-duplicate candidates.
    Column("minhash", LargeBinary, nullable=False),
    #: The source this document counts as: the smallest id among its near duplicates, near
    #: duplicates of those, and so on; NULL when that is the document itself. Kept up to
    #: date as links are made (``neardup.join_sources``), so counting sources is a lookup.
    Column("source_id", Integer, index=True),
    #: The conflict a reviewer put the whole document in (migration 0008), NULL for none;
    #: it counts only when ``conflict_reviewer`` is set, so "a reviewer said unassigned"
    #: differs from "decided from the claims". Re-extraction gives new claims this conflict.
    Column("conflict", String(64)),
    Column("conflict_reviewer", String(128)),
)

#: Documents in the order claims are listed (``queries.in_reading_order``: newest first,
#: undated last), so PostgreSQL streams a whole export from the first document instead of
#: sorting every claim before the first line (migration 0014). PostgreSQL only: SQLite
#: refuses NULLS LAST in an index, and already streams the export.
Index(
    "ix_documents_reading_order",
    DOCUMENTS.c.published.desc().nulls_last(),
    DOCUMENTS.c.id.desc(),
).ddl_if(dialect="postgresql")


#: Two near-duplicate documents, stored once with the smaller id first.
DOCUMENT_LINKS = Table(
    "document_links",
    METADATA,
    Column("doc_a", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("doc_b", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("similarity", Float, nullable=False),
    CheckConstraint("doc_a < doc_b", name="ordered"),
    Index("ix_document_links_doc_b", "doc_b"),
)


#: One LSH band bucket of a document: equal (band, bucket) makes two documents candidates.
MINHASH_BANDS = Table(
    "minhash_bands",
    METADATA,
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("band", Integer, primary_key=True),
    Column("bucket", BigInteger, nullable=False),
    Index("ix_minhash_bands_band_bucket_doc", "band", "bucket", "document_id"),
)


PROPOSALS = Table(
    "proposals",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("name", String(512), unique=True, nullable=False),
    Column("kind", String(32), default="other", nullable=False),
    Column("date", Date),
    Column("authors", JSON(), default=list, nullable=False),
    Column("aliases", JSON(), default=list, nullable=False),
    #: The conflict of the claims it groups (migration 0008; NULL: unassigned claims):
    #: proposals are grouped within one conflict only.
    Column("conflict", String(64), index=True),
    #: Saving a claim reads the proposals within the grouping window of its date.
    Index("ix_proposals_date", "date"),
)


#: Each word of a proposal's names and aliases (migration 0013): a report naming a
#: specific plan made long before finds it by these, not by reading every proposal.
PROPOSAL_WORDS = Table(
    "proposal_words",
    METADATA,
    Column("word", Text, primary_key=True),
    Column(
        "proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


CLAIMS = Table(
    "claims",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column(
        "document_id", ForeignKey("documents.id", ondelete="CASCADE"), index=True, nullable=False
    ),
    Column("extractor", String(64), index=True),
    Column("status", String(16), default="extracted", nullable=False),
    Column("stance", String(32), index=True, nullable=False),
    Column("issue", String(64), index=True, nullable=False),
    Column("territories", JSON()),
    Column("conditions", JSON()),
    Column("recognition", JSON()),
    Column("proposal_id", ForeignKey("proposals.id", ondelete="SET NULL"), index=True),
    Column("proposal", Text),
    Column("attribution_source", Text),
    #: NULL when the claim has no attribution at all (distinct from "named, not anonymous").
    Column("attribution_anonymous", Boolean),
    Column("evidence", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("created_at", UTCDateTime(), default=utcnow, nullable=False),
    Column("updated_at", UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False),
    #: Provenance beyond the extractor's name (migration 0005): the model that answered and
    #: a hash of the prompt version, for extractors that use a language model, and the
    #: extractor's confidence in the claim (0-1) where it gives one.
    Column("model", String(128)),
    Column("prompt_hash", String(16)),
    Column("confidence", Float),
    #: The conflict the claim belongs to (migration 0008): decided at extraction from its
    #: actors and places and its document's other claims, or set by a reviewer; NULL is
    #: "unassigned", a claim that fits no conflict, shown as such rather than merged.
    Column("conflict", String(64), index=True),
    CheckConstraint(
        "status IN ({})".format(", ".join(f"'{s}'" for s in CLAIM_STATUSES)), name="status"
    ),
    #: A document's claims in text order, as comparisons and ``Store.claims`` read them.
    Index("ix_claims_document_start", "document_id", "start", "id"),
)


#: An actor or obligor of a claim; ``position`` keeps the order the claim lists them in.
CLAIM_ACTORS = Table(
    "claim_actors",
    METADATA,
    Column("claim_id", ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(16), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("actor_id", String(64), nullable=False),
    CheckConstraint("role IN ('actor', 'obligor')", name="role"),
    Index("ix_claim_actors_actor_id", "actor_id"),
    #: Covers "claims of these actors" without touching the table (compare by actor).
    Index("ix_claim_actors_actor_claim", "actor_id", "claim_id"),
)


RUNS = Table(
    "runs",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), index=True, nullable=False),
    Column("started_at", UTCDateTime(), default=utcnow, nullable=False),
    Column("finished_at", UTCDateTime()),
    Column("status", String(32), default="running", nullable=False),
    Column("params", JSON(), default=dict, nullable=False),
    Column("stats", JSON()),
)


#: A document was processed by an extractor version, even if it yielded no claim.
EXTRACTIONS = Table(
    "extractions",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("extractor", String(64), index=True, nullable=False),
    Column("run_id", ForeignKey("runs.id", ondelete="SET NULL")),
    Column("n_claims", Integer, default=0, nullable=False),
    Column("finished_at", UTCDateTime(), default=utcnow, nullable=False),
    #: What else decides the output besides the extractor's version (``model@prompt`` for a
    #: language model; empty for rules): a document done by another variant is pending again.
    Column("variant", String(200), default="", server_default="", nullable=False),
    UniqueConstraint("document_id", "extractor"),
)


#: How far the pending documents of an extractor variant were last listed (migration
#: 0017): every document up to ``done_through`` has an extraction by it or a row in
#: ``extraction_gaps``, so finding what is left reads the gaps and the documents after
#: the mark, never the documents already done (``store.pending``).
EXTRACTION_MARKS = Table(
    "extraction_marks",
    METADATA,
    Column("extractor", String(64), primary_key=True),
    Column("variant", String(200), primary_key=True),
    Column("done_through", Integer, default=0, nullable=False),
)


#: A document at or below its variant's mark without an extraction by it: left pending
#: by a run (it failed, or came after the run listed), or made pending again by triggers
#: when its extraction is deleted or changes variant. Rows whose document has since been
#: extracted are dropped when the pending documents are next listed.
EXTRACTION_GAPS = Table(
    "extraction_gaps",
    METADATA,
    Column("extractor", String(64), primary_key=True),
    Column("variant", String(200), primary_key=True),
    Column(
        "document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


#: A language model's answer to one request, kept so that re-running costs nothing.
#:
#: ``key`` hashes the model, the prompt version and the request's messages (which hold the
#: chunk of text), so the same chunk of the same document asked the same way is answered
#: from here; an interrupted run resumes from the answers it already paid for.
LLM_RESPONSES = Table(
    "llm_responses",
    METADATA,
    Column("key", String(64), primary_key=True),
    Column("model", String(128), nullable=False),
    Column("prompt_hash", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("finish_reason", String(32)),
    Column("tokens_in", Integer, default=0, nullable=False),
    Column("tokens_out", Integer, default=0, nullable=False),
    Column("created_at", UTCDateTime(), default=utcnow, nullable=False),
)


#: One reviewer action on a claim (accept, edit, reject, add): who, when, before, after.
#:
#: Never updated or deleted by the application: it is the claim's audit trail.
CLAIM_REVIEWS = Table(
    "claim_reviews",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("claim_id", ForeignKey("claims.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("action", String(16), nullable=False),
    Column("reviewer", String(128), nullable=False),
    Column("at", UTCDateTime(), default=utcnow, nullable=False),
    Column("before", JSON()),
    Column("after", JSON()),
)


#: One comparison cell (an actor or a proposal on an issue) summarised, without words.
#:
#: ``kind`` is ``actor`` or ``proposal``; ``col`` the actor id or the proposal's
#: canonical name. The same cells within one conflict (migration 0008) are of kind
#: ``c-actor`` or ``c-proposal``, their ``col`` the conflict id (or ``unassigned``), ``|``
#: and the actor id or proposal name. Triggers (migration 0004) mark a cell in
#: ``stale_cells`` whenever a claim, actor, document or proposal behind it changes, and
#: the next comparison rebuilds it (``peacetrack.store.cell_summaries``): a million claims
#: compare in a few queries.
CELL_SUMMARIES = Table(
    "cell_summaries",
    METADATA,
    *_cell_key(),
    Column("stance", String(32), nullable=False),
    Column("claims", Integer, nullable=False),
    Column("sources", Integer, nullable=False),
    Column("first", Date),
    Column("last", Date),
    Column("conflict", Boolean, nullable=False),
    #: Ids of the claims stating ``stance`` in the latest moment, oldest first.
    Column("current", JSON(), nullable=False),
    #: The current position's support level (``peacetrack.support``, at the default floor),
    #: the independent sources behind it, and the claims below the floor (migration 0007).
    Column("support", String(16), nullable=False),
    Column("backing", Integer, nullable=False),
    Column("weaker", Integer, nullable=False),
    #: The latest moment's claims as [id, date, stance, source, grade, outlet], to extend
    #: it with new ones.
    Column("latest", JSON(), nullable=False),
    #: The prevailing stance class of the moment before the latest, if any.
    Column("prior", String(32)),
    #: Whether the stance changed among the moments before the latest (``changed`` is
    #: that, or ``prior`` differing from ``stance``).
    Column("changed_before", Boolean, nullable=False),
    #: The cell at every other support floor (migration 0015): by level, what differs from
    #: the default floor's columns, [stance, conflict, current, support, backing, weaker,
    #: prior, changed_before], so a comparison at another floor reads one row per cell.
    Column("floors", JSON(), nullable=False),
)


def _next_levels() -> list[Column[Any]]:
    """The levels' columns of the moment beginning on a day's ``next``."""
    columns: list[Column[Any]] = []
    for level in SUPPORT_LEVELS:
        columns.append(Column(f"next_class_{level}", String(16)))
        columns.append(Column(f"next_weaker_{level}", Integer))
    return columns


#: One day of a comparison cell (``cell_summaries``' kinds and columns) that has dated
#: claims, kept with the cell (``peacetrack.store.cell_days``, migration 0011).
#:
#: ``claims`` and the levels' columns describe the moment that would begin on ``day`` (the
#: cell's claims of ``day`` to ``day`` + 7), ``next`` the day the moment after it would
#: begin; ``ids`` are the day's own claim ids, ``gone`` counts the cell's sources seen
#: only before ``day`` and ``seen`` those seen on or before it. So a comparison from a
#: date follows each cell's moments from its first day on or after it, one row per moment,
#: and loads the claims of the moment shown; one to an end date starts from the cell's
#: kept fold of the moments before the date (``cell_moments``).
CELL_DAYS = Table(
    "cell_days",
    METADATA,
    *_cell_key(),
    Column("day", Date, primary_key=True),
    Column("next", Date),
    Column("claims", Integer, nullable=False),
    Column("ids", JSON(), nullable=False),
    Column("gone", Integer, nullable=False),
    #: What the moment decides at each support level (``peacetrack.moments.decisions``),
    #: two plain columns a level (migration 0012), so the database folds a cell's moments
    #: at the floor asked: the prevailing stance class (null: no position reaches the
    #: level) and the claims below the level.
    Column("class_low", String(16)),
    Column("weaker_low", Integer, nullable=False),
    Column("class_anonymous", String(16)),
    Column("weaker_anonymous", Integer, nullable=False),
    Column("class_named", String(16)),
    Column("weaker_named", Integer, nullable=False),
    Column("class_corroborated", String(16)),
    Column("weaker_corroborated", Integer, nullable=False),
    Column("class_reviewed", String(16)),
    Column("weaker_reviewed", Integer, nullable=False),
    #: How many of the cell's sources its claims dated on or before ``day`` have
    #: (migration 0015), so a comparison to an end date counts its sources from the days.
    Column("seen", Integer, nullable=False),
    #: The moment beginning on ``next`` (migration 0019), copied from its row: its claims,
    #: its levels' columns and the day the moment after it would begin (all null without
    #: a ``next``). A comparison from a date then reads two moments a row, half the seeks.
    Column("next_claims", Integer),
    *_next_levels(),
    Column("next_next", Date),
    #: SQLite keeps the rows in key order, a cell's days side by side: a moment is one
    #: seek, not an index seek and a row read.
    sqlite_with_rowid=False,
)


#: One moment of a comparison cell's whole record at one support floor (``level``): the
#: moment beginning on ``day`` along the cell's kept days from its first (``cell_days``
#: ``next``), with what the moments before it left there (the columns of
#: ``peacetrack.store.cell_day_reads``' fold), kept by ``peacetrack.store.cell_moments``
#: (migration 0018). A comparison to an end date reads each cell's row at the last such
#: day on or before it instead of following every moment up to the date.
CELL_MOMENTS = Table(
    "cell_moments",
    METADATA,
    *_cell_key(),
    Column("level", String(16), primary_key=True),
    Column("day", Date, primary_key=True),
    #: The cell's first day, the claims of the moments before and the first day's ``gone``.
    Column("first", Date, nullable=False),
    Column("claims", Integer, nullable=False),
    Column("gone", Integer, nullable=False),
    #: The last moment before with a class at the level: its day, the day after it, its
    #: class and its weaker claims; the class held before it; whether two consecutive
    #: classes differ among all moments before and among those before that one; and every
    #: claim below the level before.
    Column("held_day", Date),
    Column("held_next", Date),
    Column("held_class", Text),
    Column("prior", Text),
    Column("changed_all", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("weaker", Integer, nullable=False),
    Column("held_weaker", Integer),
    #: As ``cell_days``: a cell's rows side by side, the row sought one seek.
    sqlite_with_rowid=False,
)


#: A cell whose summary no longer matches its claims; written by triggers only.
#:
#: A positive ``claim_id`` names a claim added to the cell; 0 or a negative one (minus
#: the changed claim's id) means the cell must be rebuilt.
STALE_CELLS = Table(
    "stale_cells",
    METADATA,
    *_cell_key(),
    Column("claim_id", Integer, primary_key=True, autoincrement=False),
)


#: One timeline step: an actor's stance on an issue in a conflict at one moment
#: (``peacetrack.moments.Step``), at the default support floor and moment window.
#:
#: Kept with the per-conflict actor cells (``c-actor``) whose track it is, by the same
#: refresh (``peacetrack.store.step_summaries``, migration 0010), so that the newest steps,
#: of an actor, an issue or a conflict, or since a day, are one index range read.
#: ``conflict`` is the conflict id or ``unassigned``; ``day`` the day the step began,
#: 0001-01-01 when undated, so undated steps sort oldest on every database.
TIMELINE_STEPS = Table(
    "timeline_steps",
    METADATA,
    Column("conflict", String(64), primary_key=True),
    Column("actor", String(64), primary_key=True),
    Column("issue", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("first", Date),
    Column("last", Date),
    Column("stance", String(32), nullable=False),
    Column("sources", Integer, nullable=False),
    #: Independent reports of the moment contradict each other.
    Column("conflicted", Boolean, nullable=False),
    Column("changed", Boolean, nullable=False),
    Column("support", String(16), nullable=False),
    Column("weaker", Integer, nullable=False),
    #: The stance class held before this step, which ``changed`` compares against.
    Column("prior", String(32)),
    #: The moment's claim ids, oldest first, and those stating the shown stance.
    Column("claim_ids", JSON(), nullable=False),
    Column("evidence_ids", JSON(), nullable=False),
    Index("ix_timeline_steps_newest", "day", "actor", "issue", "conflict"),
    Index("ix_timeline_steps_actor", "actor", "day", "issue", "conflict"),
    Index("ix_timeline_steps_issue", "issue", "day", "actor", "conflict"),
    Index("ix_timeline_steps_conflict", "conflict", "day", "actor", "issue"),
)
