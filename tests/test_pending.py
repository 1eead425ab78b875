"""The documents an extractor has left: correct after re-ingests, deleted or redone
extractions, failures and other extractors, and found by index, never by reading the
documents already extracted (issue #16; ``peacetrack.store.pending``, migration 0017)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, create_engine, event, text

from peacetrack.model import Document
from peacetrack.store import Store

Factory = Callable[..., Document]


def _pending(store: Store, extractor: str = "rules.v1", variant: str = "") -> list[int]:
    return [d.id for d in store.pending_documents(extractor, variant=variant) if d.id]


def _extract_all(store: Store, extractor: str = "rules.v1", variant: str = "") -> list[int]:
    """What a run does: list the pending documents and save an extraction for each."""
    done = []
    for doc in store.pending_documents(extractor, variant=variant):
        assert doc.id is not None
        store.save_extraction(doc.id, extractor, [], variant=variant)
        done.append(doc.id)
    return done


def _add(store: Store, factory: Factory, n: int) -> list[int]:
    return [store.add_document(factory()).document_id for _ in range(n)]


def _sql(store: Store, statement: str, **values: Any) -> None:
    with store.transaction() as session:
        session.execute(text(statement), values)


def test_reingested_documents_stay_done(fresh_db: Store, sample_document: Factory) -> None:
    docs = [sample_document() for _ in range(3)]
    ids = [fresh_db.add_document(doc).document_id for doc in docs]
    assert _extract_all(fresh_db) == ids
    assert [fresh_db.add_document(doc).status for doc in docs] == ["duplicate"] * 3
    assert fresh_db.count_pending("rules.v1") == 0 and _pending(fresh_db) == []
    new = _add(fresh_db, sample_document, 2)
    assert fresh_db.count_pending("rules.v1") == 2 and _pending(fresh_db) == new


def test_deleted_or_redone_extractions_are_pending_again(
    fresh_db: Store, sample_document: Factory
) -> None:
    ids = _add(fresh_db, sample_document, 4)
    _extract_all(fresh_db)
    _sql(fresh_db, "DELETE FROM extractions WHERE document_id = :d", d=ids[1])
    assert _pending(fresh_db) == [ids[1]] and fresh_db.count_pending("rules.v1") == 1
    # Redone by another variant (another model): pending for the first one again.
    fresh_db.save_extraction(ids[2], "rules.v1", [], variant="other")
    assert _pending(fresh_db) == [ids[1], ids[2]]
    assert _pending(fresh_db, variant="other") == [ids[0], ids[1], ids[3]]
    assert _extract_all(fresh_db) == [ids[1], ids[2]]
    assert fresh_db.count_pending("rules.v1") == 0
    # One extraction per document and extractor: redoing it undid "other"'s.
    assert _pending(fresh_db, variant="other") == ids


def test_a_second_extractor_and_failures(fresh_db: Store, sample_document: Factory) -> None:
    ids = _add(fresh_db, sample_document, 5)
    _extract_all(fresh_db)
    assert _pending(fresh_db, "other.v2") == ids
    failed = ids[2]
    for doc in fresh_db.pending_documents("other.v2"):
        if doc.id != failed and doc.id is not None:
            fresh_db.save_extraction(doc.id, "other.v2", [])
    later = _add(fresh_db, sample_document, 1)
    assert _pending(fresh_db, "other.v2") == [failed, *later]
    assert _pending(fresh_db) == later
    assert fresh_db.count_pending("other.v2") == 2 and fresh_db.count_pending("rules.v1") == 1


def test_documents_stored_while_listing_are_listed(
    fresh_db: Store, sample_document: Factory
) -> None:
    first = _add(fresh_db, sample_document, 2)
    seen = []
    for doc in fresh_db.pending_documents("rules.v1"):
        seen.append(doc.id)
        if len(seen) == 1:
            arrived = _add(fresh_db, sample_document, 1)
    assert seen == [*first, *arrived]


def test_deleted_documents_and_reused_ids(fresh_db: Store, sample_document: Factory) -> None:
    """A deleted document leaves no gap behind; a document stored under an id at or
    below the mark (SQLite reuses the last id after a deletion) is pending."""
    ids = _add(fresh_db, sample_document, 3)
    _extract_all(fresh_db)
    _sql(fresh_db, "DELETE FROM documents WHERE id = :d", d=ids[2])
    assert _pending(fresh_db) == []
    again = _add(fresh_db, sample_document, 1)
    assert _pending(fresh_db) == again
    _sql(fresh_db, "DELETE FROM documents WHERE id = :d", d=again[0])
    assert _pending(fresh_db) == [] and fresh_db.count_pending("rules.v1") == 0


@contextmanager
def _statements(store: Store) -> Iterator[list[tuple[str, Any]]]:
    """The statements the store runs meanwhile, with their parameters."""
    found: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        if not many and re.match(r"\s*(SELECT|INSERT|DELETE)", sql):
            found.append((sql, params))

    engine = store._engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def _rows_read(plan: dict[str, Any]) -> int:
    """Rows a PostgreSQL plan node and those under it read from documents and extractions."""
    rows = 0
    if plan.get("Relation Name") in ("documents", "extractions"):
        kept = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
        rows += kept * plan.get("Actual Loops", 1)
    return rows + sum(_rows_read(child) for child in plan.get("Plans", []))


def _read_on_postgres(connection: Connection, sql: str, params: Any) -> int:
    """Run ``sql`` explained and analysed, then roll it back: the rows it read. The gaps
    are emptied before an INSERT, as they were when the listing ran it."""
    transaction = connection.begin()
    try:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("ANALYZE documents, extractions, extraction_gaps")
        if sql.startswith("INSERT"):
            connection.exec_driver_sql("DELETE FROM extraction_gaps")
        explained = connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params
        ).scalar_one()
    finally:
        transaction.rollback()
    plan = explained if isinstance(explained, list) else json.loads(explained)
    return _rows_read(plan[0]["Plan"])


def test_pending_documents_read_by_index(fresh_db: Store, sample_document: Factory) -> None:
    """Listing and counting what is left reads the documents stored since the last listing
    and those left, never the ones already extracted: on SQLite no statement scans the
    documents or the extractions or walks the documents from the first; on PostgreSQL
    (its planner told to use indexes, as it does on a big store) each reads at most a few
    rows of them, 40 documents being done and 2 new."""
    _add(fresh_db, sample_document, 40)
    _extract_all(fresh_db)
    new = _add(fresh_db, sample_document, 2)
    with _statements(fresh_db) as found:
        assert fresh_db.count_pending("rules.v1") == 2
        assert _pending(fresh_db) == new
    assert any("extraction_gaps" in sql for sql, _ in found)
    engine = create_engine(fresh_db.url)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            steps = [
                (sql, row[-1])
                for sql, params in found
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            ]
            walks = r"SCAN (documents|extractions)\b|\(rowid>\?\)"
            assert [(sql, step) for sql, step in steps if re.search(walks, step)] == []
        else:
            read = {sql: _read_on_postgres(connection, sql, params) for sql, params in found}
            assert {sql: n for sql, n in read.items() if n > 4} == {}
    engine.dispose()


def test_pending_ids_match_the_documents_listed(fresh_db: Store, sample_document: Factory) -> None:
    """``pending_ids`` lists what ``pending_documents`` lists, of ``among`` only when given,
    so a batch load asks about its own documents, not every pending one in the store."""
    ids = _add(fresh_db, sample_document, 5)
    fresh_db.save_extraction(ids[1], "rules.v1", [])
    assert list(fresh_db.pending_ids("rules.v1")) == _pending(fresh_db)
    assert list(fresh_db.pending_ids("rules.v1", among=ids[:3])) == [ids[0], ids[2]]
    assert list(fresh_db.pending_ids("rules.v1", among=ids[:3], variant="m@p")) == ids[:3]
