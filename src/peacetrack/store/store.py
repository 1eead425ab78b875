"""The store: documents, near-duplicate links, claims, extractions and runs in one database.

Every write is one transaction, so a crash or an error leaves the store as it was before
the call: re-running an ingest or an extraction always picks up cleanly where it stopped.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Unpack

from sqlalchemy import Column, Connection, Engine, delete, func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from peacetrack.errors import InputError, StoreError
from peacetrack.model import Claim, Document, ModelReply, content_hash, normalise_text
from peacetrack.source import By, CellFacts, Filters, Key, StoredClaim
from peacetrack.store.aggregate import comparison_claims, proposal_phrases
from peacetrack.store.cell_summaries import Cells
from peacetrack.store.claim_query import ClaimQuery, read_claims, stream
from peacetrack.store.conflicts import ConflictCount, conflict_counts, decide
from peacetrack.store.engine import (
    WRITE_OPTION,
    make_engine,
    reclaim,
    require_store,
    resolve_url,
    serialise,
    upgrade_to_head,
)
from peacetrack.store.queries import Sort, actor_rows, chunked, claim_values, document_id
from peacetrack.store.runs import PROCESS, RunInfo, list_runs, mark_interrupted, this_process
from peacetrack.store.tables import (
    CLAIMS,
    DOCUMENT_LINKS,
    DOCUMENTS,
    LLM_RESPONSES,
    utcnow,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    # What only writes, review, search and the web's facets use: imported where they are
    # used, so a read of the store loads none of them (tests/test_imports.py).
    from peacetrack.store.facets import ClaimFacets
    from peacetrack.store.proposals import Proposals
    from peacetrack.store.review import Review
    from peacetrack.store.search import SearchResults

_METADATA = ("name", "title", "url", "outlet", "author", "published", "language", "source")
#: A document's columns but its MinHash signature, which only near-duplicate indexing reads.
_DOCUMENT_COLUMNS: tuple[Column[Any], ...] = tuple(c for c in DOCUMENTS.c if c.name != "minhash")


@dataclass(frozen=True)
class AddResult:
    """``near_duplicate``: the document was added AND linked to the similar ones listed."""

    status: Literal["added", "duplicate", "near_duplicate"]
    document_id: int
    near_duplicate_of: tuple[int, ...] = ()


def _document(row: Any) -> Document:
    """The stored document, taken as valid (it was checked when added), as claims are."""
    fields = {name: getattr(row, name) for name in _METADATA}
    return Document.model_construct(id=row.id, text=row.text, ingested_at=row.ingested_at, **fields)


def _storable_metadata(doc: Document) -> dict[str, Any]:
    """Metadata every backend accepts alike: PostgreSQL refuses NUL characters and values
    longer than a VARCHAR, which SQLite keeps, so both are trimmed here."""
    values: dict[str, Any] = {}
    for name in _METADATA:
        value = getattr(doc, name)
        if isinstance(value, str):
            limit = getattr(DOCUMENTS.c[name].type, "length", None)
            value = value.replace("\x00", "")[:limit]
        values[name] = value
    return values


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    """Dates, paths and the like become strings, so any run parameters can be recorded."""
    result: dict[str, Any] = json.loads(json.dumps(dict(values), default=str))
    return result


class Store:
    """A PeaceTrack database; open it with ``Store.open`` (or ``peacetrack.store.open_store``)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._write_engine = engine.execution_options(**{WRITE_OPTION: True})
        self._units = threading.local()
        self._writer: sessionmaker[Session] | None = None
        self.url: str = engine.url.render_as_string(hide_password=True)

    @classmethod
    def open(cls, url: str | Path | None = None, *, create: bool = True) -> Store:
        """Open (creating if needed) and migrate to the current schema.

        ``url``: a SQLite file path or any SQLAlchemy URL; None means env ``PEACETRACK_DB``,
        else ``peacetrack.db`` in the current folder. ``create`` False: a store that does
        not exist yet is a ``StoreError`` (``require_store``), not a new empty one; a
        server's database is asked on the engine the store then uses, so a command does
        not connect (and set up a connection) twice.
        """
        resolved = resolve_url(url)
        if not create and resolved.get_backend_name() == "sqlite":
            require_store(resolved)  # before connecting, which would create the file
        engine = make_engine(resolved)
        try:
            upgrade_to_head(engine, create=create)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    def reclaim(self, table: str) -> None:
        """Free ``table``'s deleted rows now (``engine.reclaim``): after a queue of many
        rows is emptied, so reads that scan it stop reading them."""
        reclaim(self._engine, table)

    def url_for_another_process(self) -> str:
        """The URL with its password (``url`` hides it, being shown and logged), for a
        process of this program to open the same store (the web app's extraction worker)."""
        return self._engine.url.render_as_string(hide_password=False)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads only, closed on exit: every read queries the tables
        (``store.tables``) with SQLAlchemy Core, so reading loads none of the ORM."""
        with self._engine.connect() as connection:
            yield connection

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction on a plain connection, for writes of whole rows in SQL
        (the cell summaries' refresh, marking runs): commits on success, rolls back on any
        error, and needs no ORM, so a comparison that refreshes stale cells loads none."""
        with self._write_engine.begin() as connection:
            yield connection

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction of the ORM (``store.schema``'s rows as objects) that
        commits on success and rolls back on any error; the repositories that save
        documents, claims, reviews and proposals write through here."""
        if self._writer is None:  # the ORM, and the tables' mapping, load with the first write
            from sqlalchemy.orm import sessionmaker

            self._writer = sessionmaker(self._write_engine, expire_on_commit=False)
        with self._writer.begin() as session:
            yield session

    @contextmanager
    def batch(self) -> Iterator[Store]:
        """A unit of work: writes inside it commit as they go (each call its own transaction),
        and leaving it without an error brings the comparison cell summaries up to date, so
        the job that wrote pays for them, not the next person comparing. Nested units
        refresh once, when the outermost ends."""
        depth = getattr(self._units, "depth", 0)
        self._units.depth = depth + 1
        try:
            yield self
        finally:
            self._units.depth = depth
        if depth == 0:
            self.cells.refresh()

    # --- repositories ------------------------------------------------------------------

    @cached_property
    def cells(self) -> Cells:
        """Cell summaries: refresh, read, list the claims behind one cell."""
        return Cells(self)

    @cached_property
    def proposals(self) -> Proposals:
        """Proposals: list, show, rename, merge, split."""
        from peacetrack.store.proposals import Proposals

        return Proposals(self)

    @cached_property
    def review(self) -> Review:
        """Reviewing claims: accept, reject, edit, add, and each claim's history."""
        from peacetrack.store.review import Review

        return Review(self)

    def search(self, query: str, limit: int = 20) -> SearchResults:
        """Full-text search over documents and claims, best first."""
        from peacetrack.store.search import search

        return search(self, query, limit)

    def conflict_counts(self, budget_ms: int | None = None) -> list[ConflictCount]:
        """Documents, claims and dates per stored conflict id (None: unassigned claims);
        ``OutOfTime`` if counting takes longer than ``budget_ms``."""
        return conflict_counts(self, budget_ms)

    def runs(self, limit: int | None = 20) -> list[RunInfo]:
        """Recorded runs, newest first; runs whose process is gone are marked interrupted."""
        return list_runs(self, limit)

    # --- comparison: the store as a ``ClaimSource`` ------------------------------------

    def select_claims(self, filters: Filters) -> list[StoredClaim]:
        """Non-rejected claims passing ``filters``, filtered in SQL and loaded in bulk."""
        return comparison_claims(self, filters)

    def cell_facts(
        self, by: By, filters: Filters, columns: Sequence[str] | None = None
    ) -> dict[Key, CellFacts]:
        """Cells from the summaries when they can answer, else from the claims in range."""
        return self.cells.facts(by, filters, columns)

    def proposal_phrases(self) -> dict[str, set[str]]:
        """Each canonical proposal name of the visible claims -> the names its claims use."""
        return proposal_phrases(self)

    # --- documents -------------------------------------------------------------------

    def add_document(self, doc: Document) -> AddResult:
        """Store a document with its near-duplicate index and links, in one transaction.

        The same text (by content hash) is stored once: a second add writes nothing and
        reports ``duplicate``, also when a concurrent writer stored it first. Concurrent adds
        take turns, so each one sees every document stored before it as a near duplicate.
        """
        from peacetrack.store.neardup import Signature, index_document, syndicated_body
        from peacetrack.store.schema import DocumentRow

        text = normalise_text(doc.text)
        if not text:
            raise InputError(f"document {doc.name!r} has no text: nothing to store")
        if "\x00" in text:
            raise InputError(
                f"document {doc.name!r} contains NUL characters, which PostgreSQL cannot "
                "store: it is probably binary; remove them or leave the file out"
            )
        digest = content_hash(text)
        signature = Signature.of_text(syndicated_body(text, doc.title))
        try:
            with self.transaction() as session:
                serialise(session.connection(), "documents")
                existing = self._id_by_hash(session.connection(), digest)
                if existing is not None:
                    return AddResult("duplicate", existing)
                row = DocumentRow(
                    **_storable_metadata(doc),
                    text=text,
                    content_hash=digest,
                    minhash=signature.to_bytes(),
                    ingested_at=doc.ingested_at or utcnow(),
                )
                session.add(row)
                session.flush()
                twins = index_document(session, row.id, signature)
        except IntegrityError:
            with self.reading() as connection:
                existing = self._id_by_hash(connection, digest)
            if existing is None:
                raise
            return AddResult("duplicate", existing)
        if twins:
            return AddResult("near_duplicate", row.id, tuple(other for other, _ in twins))
        return AddResult("added", row.id)

    @staticmethod
    def _id_by_hash(connection: Connection, digest: str) -> int | None:
        return connection.scalar(select(DOCUMENTS.c.id).where(DOCUMENTS.c.content_hash == digest))

    def get_document(self, ref: int | str) -> Document:
        """A document by id or by name."""
        with self.reading() as connection:
            query = select(*_DOCUMENT_COLUMNS).where(DOCUMENTS.c.id == document_id(connection, ref))
            return _document(connection.execute(query).one())

    def documents(
        self,
        *,
        limit: int | None = None,
        offset: int = 0,
        outlet: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> list[Document]:
        """Documents newest first (by publication date, undated last, then latest added)."""
        query = select(*_DOCUMENT_COLUMNS)
        if outlet is not None:
            query = query.where(DOCUMENTS.c.outlet == outlet)
        if since is not None:
            query = query.where(DOCUMENTS.c.published >= since)
        if until is not None:
            query = query.where(DOCUMENTS.c.published <= until)
        query = query.order_by(DOCUMENTS.c.published.desc().nulls_last(), DOCUMENTS.c.id.desc())
        with self.reading() as connection:
            rows = connection.execute(query.offset(offset).limit(limit))
            return [_document(row) for row in rows]

    def count_documents(self, since: date | None = None) -> int:
        where = [DOCUMENTS.c.published >= since] if since else []
        with self.reading() as connection:
            return connection.scalar(select(func.count(DOCUMENTS.c.id)).where(*where)) or 0

    # --- near duplicates -------------------------------------------------------------

    def near_duplicates(self, document_id: int) -> list[tuple[int, float]]:
        """Documents linked to this one as near duplicates, most similar first."""
        query = select(DOCUMENT_LINKS).where(
            or_(DOCUMENT_LINKS.c.doc_a == document_id, DOCUMENT_LINKS.c.doc_b == document_id)
        )
        with self.reading() as connection:
            links = connection.execute(query).all()
        pairs = [
            (link.doc_b if link.doc_a == document_id else link.doc_a, link.similarity)
            for link in links
        ]
        return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))

    def independent_groups(self, document_ids: Iterable[int]) -> list[set[int]]:
        """Partition documents into groups of near duplicates; each group is one source.

        Links count transitively, also through documents not given: two outlets' copies of
        one wire story are one source even when the wire itself is filtered out.
        """
        groups: dict[int, set[int]] = {}
        source = func.coalesce(DOCUMENTS.c.source_id, DOCUMENTS.c.id)
        with self.reading() as connection:
            for chunk in chunked(sorted(set(document_ids))):
                query = select(DOCUMENTS.c.id, source).where(DOCUMENTS.c.id.in_(chunk))
                for doc, head in connection.execute(query):
                    groups.setdefault(head, set()).add(doc)
        return sorted(groups.values(), key=min)

    # --- extraction ------------------------------------------------------------------

    def pending_documents(
        self, extractor: str, among: Sequence[int] | None = None, variant: str = ""
    ) -> Iterator[Document]:
        """Documents ``extractor`` has not processed yet (of ``among``, if given), oldest
        first, fetched page by page. A document processed by another ``variant`` of the
        extractor (another model, another prompt) is pending again.

        Without ``among`` they come from the variant's kept list (``store.pending``), read
        by index whatever the number of documents already extracted; documents stored
        while the pages are read are listed when the pages run out. Each page is read in
        its own short transaction, so the caller may save extractions while iterating.
        """
        for row in self._pending_rows(_DOCUMENT_COLUMNS, extractor, among, variant):
            yield _document(row)

    def pending_ids(
        self, extractor: str, among: Sequence[int] | None = None, variant: str = ""
    ) -> Iterator[int]:
        """The ids ``pending_documents`` would list, without reading the documents' text:
        a batch load only asks which of its documents still need their claims saved."""
        for row in self._pending_rows((DOCUMENTS.c.id,), extractor, among, variant):
            yield int(row.id)

    def _pending_rows(
        self,
        columns: Sequence[Column[Any]],
        extractor: str,
        among: Sequence[int] | None,
        variant: str,
    ) -> Iterator[Any]:
        from peacetrack.store import pending

        last = 0
        if among is None:
            self._list_pending(extractor, variant)
        while True:
            query = pending.page_query(columns, extractor, variant, last, among)
            with self.reading() as connection:
                page = list(connection.execute(query))
            yield from page
            if page:
                last = page[-1].id or last
            if len(page) == pending.PAGE:
                continue
            if among is not None or not self._list_pending(extractor, variant):
                return

    def count_pending(
        self, extractor: str, among: Sequence[int] | None = None, variant: str = ""
    ) -> int:
        """How many documents ``pending_documents`` would list now: a count of the kept
        list (or of ``among``), not of the documents already extracted."""
        from peacetrack.store import pending

        if among is None:
            self._list_pending(extractor, variant)
        with self.reading() as connection:
            return connection.scalar(pending.count_query(extractor, variant, among)) or 0

    def _list_pending(self, extractor: str, variant: str) -> int:
        from peacetrack.store.pending import list_pending

        with self.writing() as connection:
            return list_pending(connection, extractor, variant)

    def save_extraction(
        self,
        document_id: int,
        extractor: str,
        claims: Sequence[Claim],
        run_id: int | None = None,
        variant: str = "",
    ) -> int:
        """Replace a document's unreviewed claims from ``extractor`` with ``claims``, and
        record that ``variant`` of the extractor processed the document.

        Each claim gets its conflict (``store.conflicts.decide``: the reviewer's choice for
        the document, else from its actors, places and the document's other claims).
        One transaction: claims a person has reviewed (any status but ``extracted``) stay;
        a claim whose evidence is not verbatim in the text raises ValueError and nothing
        changes. Returns the number of claims stored.
        """
        from peacetrack.store.proposal_resolver import ProposalResolver
        from peacetrack.store.schema import ClaimActor, ClaimRow

        with self.transaction() as session:
            # A row lock (PostgreSQL; SQLite writers take turns anyway): two extractions of one
            # document queue, so the second replaces the first's claims instead of adding some.
            text = session.scalar(
                select(DOCUMENTS.c.text)
                .where(DOCUMENTS.c.id == document_id)
                .with_for_update(key_share=True)
            )
            if text is None:
                raise StoreError(
                    f"no document with id {document_id}: list them with `peacetrack documents list`"
                )
            located = [claim.located_in(text) for claim in claims]
            replaced = session.scalars(
                delete(ClaimRow)
                .where(
                    ClaimRow.document_id == document_id,
                    ClaimRow.extractor == extractor,
                    ClaimRow.status == "extracted",
                )
                .returning(ClaimRow.proposal_id)
            )
            gone = frozenset(i for i in replaced if i is not None)
            proposals = ProposalResolver(session, document_id, gone)
            conflicts = decide(session.connection(), document_id, located, proposals.codebook)
            rows = [
                claim_values(c, document_id, extractor, proposals.resolve(c, k), k)
                for c, k in zip(located, conflicts, strict=True)
            ]
            ids = self._insert_claims(session, rows)
            actors = [a for i, c in zip(ids, located, strict=True) for a in actor_rows(i, c)]
            if actors:
                session.execute(insert(ClaimActor), actors)
            self._record_extraction(session, document_id, extractor, variant, run_id, len(rows))
        return len(rows)

    @staticmethod
    def _insert_claims(session: Session, rows: list[dict[str, Any]]) -> list[int]:
        """Insert claim rows in as few statements as the driver allows; their ids in order.

        One ``INSERT ... VALUES (...), (...) RETURNING id`` per batch instead of one unit of
        work object per claim, which cost most of the time of saving an extraction.
        """
        if not rows:
            return []
        from peacetrack.store.schema import ClaimRow

        statement = insert(ClaimRow).returning(ClaimRow.id, sort_by_parameter_order=True)
        return list(session.scalars(statement, rows))

    @staticmethod
    def _record_extraction(
        session: Session,
        document_id: int,
        extractor: str,
        variant: str,
        run_id: int | None,
        n_claims: int,
    ) -> None:
        from peacetrack.store.schema import ExtractionRow

        row = session.scalar(
            select(ExtractionRow).where(
                ExtractionRow.document_id == document_id, ExtractionRow.extractor == extractor
            )
        )
        if row is None:
            row = ExtractionRow(document_id=document_id, extractor=extractor)
            session.add(row)
        row.variant = variant
        row.run_id = run_id
        row.n_claims = n_claims
        row.finished_at = utcnow()

    # --- language-model replies --------------------------------------------------------

    def model_reply(self, key: str) -> ModelReply | None:
        """The cached reply to the request ``key`` names, if one was saved."""
        columns = ("content", "finish_reason", "tokens_in", "tokens_out")
        query = select(*(LLM_RESPONSES.c[name] for name in columns))
        with self.reading() as connection:
            row = connection.execute(query.where(LLM_RESPONSES.c.key == key)).one_or_none()
        return None if row is None else ModelReply(*row)

    def save_model_reply(self, key: str, model: str, prompt_hash: str, reply: ModelReply) -> None:
        """Keep a reply (its own transaction: a run killed later still has it). Idempotent."""
        from peacetrack.store.schema import LLMResponseRow

        with self.transaction() as session:
            row = session.get(LLMResponseRow, key) or LLMResponseRow(key=key)
            row.model, row.prompt_hash = model, prompt_hash
            row.content, row.finish_reason = reply.content, reply.finish_reason
            row.tokens_in, row.tokens_out = reply.tokens_in, reply.tokens_out
            session.add(row)

    # --- claims ----------------------------------------------------------------------

    def claims(
        self,
        *,
        limit: int | None = None,
        offset: int = 0,
        sort: Sort | None = None,
        descending: bool = True,
        **query: Unpack[ClaimQuery],
    ) -> list[StoredClaim]:
        """Claims chosen by ``query`` (``store.claim_query.ClaimQuery``), newest documents
        first, in text order (or by ``sort``, ties in that order), ``limit`` of them after
        ``offset``. A filter that can match nothing (an issue pattern naming no issue, an
        unknown conflict) is an error, not an empty answer."""
        return read_claims(
            self, query, limit=limit, offset=offset, sort=sort, descending=descending
        )

    def iter_claims(
        self,
        *,
        limit: int | None = None,
        offset: int = 0,
        sort: Sort | None = None,
        descending: bool = True,
        **query: Unpack[ClaimQuery],
    ) -> Iterator[StoredClaim]:
        """``claims`` as they are read, for exports of any size: the same filters and
        order, a chunk at a time (``queries.stream_claims``), never all in memory."""
        return stream(self, query, limit=limit, offset=offset, sort=sort, descending=descending)

    def claim_facets(
        self, *, top: int = 20, budget_ms: int | None = None, **query: Unpack[ClaimQuery]
    ) -> ClaimFacets:
        """How many claims ``claims`` would list for ``query``, and per facet (``FACETS``)
        the ``top`` values with their counts, counted in SQL; ``budget_ms`` bounds the time
        each count may take (``store.facets``), so a page never waits on one."""
        from peacetrack.store.facets import claim_facets

        return claim_facets(self, query, top, budget_ms)

    def issue_spread(self) -> list[tuple[str, int]]:
        """Issues with how many actors hold a stance on each, from the cell summaries."""
        from peacetrack.store.facets import issue_spread

        return issue_spread(self)

    def count_claims(self, *, include_rejected: bool = True) -> int:
        query = select(func.count(CLAIMS.c.id))
        if not include_rejected:
            query = query.where(CLAIMS.c.status != "rejected")
        with self.reading() as connection:
            return connection.scalar(query) or 0

    # --- runs ------------------------------------------------------------------------

    def start_run(self, kind: str, params: Mapping[str, Any]) -> int:
        """Record the start of an ingest or extract run; returns its id for ``finish_run``.

        The params also record this process, so that a run it never finishes (the process
        was killed) can be told from one still going; such runs are marked interrupted
        now (``store.runs``).
        """
        from peacetrack.store.schema import RunRow

        with self.transaction() as session:
            mark_interrupted(session.connection())
            recorded = _jsonable(params) | {PROCESS: this_process()}
            row = RunRow(kind=kind, params=recorded, status="running")
            session.add(row)
            session.flush()
            return row.id

    def finish_run(self, run_id: int, status: str, stats: Mapping[str, Any]) -> None:
        from peacetrack.store.schema import RunRow

        with self.transaction() as session:
            row = session.get(RunRow, run_id)
            if row is None:
                raise StoreError(f"no run with id {run_id}: start one with start_run first")
            row.status = status
            row.stats = _jsonable(stats)
            row.finished_at = utcnow()
