"""What an extractor variant has left to do, found without reading what it has done.

A store of a million extracted documents and a thousand new ones: an anti-join of the
documents against the extractions reads the million before it finds the thousand (two
seconds per run, issue #16). Each variant keeps a mark instead (migration 0017): every
document up to ``extraction_marks.done_through`` has an extraction by the variant or a
row in ``extraction_gaps``. ``list_pending`` moves the mark to the last document, adding
the documents after it that are not extracted to the gaps, so it reads only the documents
stored since it last ran; the pending documents are then the gaps not since extracted,
read by the gaps' primary key. Triggers take a document out of the gaps when it is
extracted and put it back when its extraction is deleted or changes variant, so re-runs
stay correct whatever wrote; the reads still check each gap against the extractions, an
index probe, in case a bulk load wrote with the triggers off.

Everything here is SQLAlchemy Core on a connection (the listing a short write of whole
rows, ``Store.writing``): counting what is left, as ``extract`` does before it starts,
loads none of the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Select,
    String,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)

from peacetrack.store.engine import serialise
from peacetrack.store.tables import DOCUMENTS, EXTRACTION_GAPS, EXTRACTION_MARKS, EXTRACTIONS

#: Documents fetched per query by ``Store.pending_documents``: bounded memory on any store.
PAGE = 200


def not_extracted(
    extractor: str, variant: str, document: ColumnElement[int] = DOCUMENTS.c.id
) -> ColumnElement[bool]:
    """``document`` has no extraction by this variant of ``extractor`` (an index probe)."""
    done = exists().where(
        EXTRACTIONS.c.document_id == document,
        EXTRACTIONS.c.extractor == extractor,
        EXTRACTIONS.c.variant == variant,
    )
    return ~done


def list_pending(connection: Connection, extractor: str, variant: str) -> int:
    """Bring the variant's gaps up to the last stored document; the documents newly listed.

    Takes the documents' writing turn (``serialise``), so no document is being stored
    under an id below the new mark meanwhile, and the mark's row, which the triggers of
    migration 0017 wait for on PostgreSQL.
    """
    serialise(connection, "documents")
    mark = EXTRACTION_MARKS.c
    of_variant = (mark.extractor == extractor, mark.variant == variant)
    done = connection.scalar(select(mark.done_through).where(*of_variant).with_for_update())
    if done is None:
        values = {"extractor": extractor, "variant": variant, "done_through": 0}
        connection.execute(insert(EXTRACTION_MARKS), values)
        done = 0
    top = connection.scalar(select(func.max(DOCUMENTS.c.id))) or 0
    if top <= done:
        return 0
    new = select(literal(extractor, String), literal(variant, String), DOCUMENTS.c.id).where(
        DOCUMENTS.c.id > done, DOCUMENTS.c.id <= top, not_extracted(extractor, variant)
    )
    columns = ["extractor", "variant", "document_id"]
    listed = connection.execute(insert(EXTRACTION_GAPS).from_select(columns, new)).rowcount
    connection.execute(update(EXTRACTION_MARKS).where(*of_variant).values(done_through=top))
    return listed


def _of(extractor: str, variant: str) -> list[ColumnElement[bool]]:
    return [EXTRACTION_GAPS.c.extractor == extractor, EXTRACTION_GAPS.c.variant == variant]


def page_query(
    columns: Sequence[Column[Any]],
    extractor: str,
    variant: str,
    after: int,
    among: Sequence[int] | None,
) -> Select[Any]:
    """The ``columns`` of the next ``PAGE`` pending documents after id ``after``, oldest
    first: of ``among`` by their ids, else of the variant's gaps by the gaps' key
    (``list_pending`` first)."""
    query = select(*columns)
    key: ColumnElement[int]
    if among is not None:
        key = DOCUMENTS.c.id
        query = query.where(key.in_(list(among)))
    else:
        key = EXTRACTION_GAPS.c.document_id
        query = query.join(EXTRACTION_GAPS, key == DOCUMENTS.c.id).where(*_of(extractor, variant))
    where = [key > after, not_extracted(extractor, variant, key)]
    return query.where(*where).order_by(key).limit(PAGE)


def count_query(extractor: str, variant: str, among: Sequence[int] | None) -> Select[Any]:
    """How many documents ``page_query`` pages through (after ``list_pending``)."""
    if among is not None:
        ids = DOCUMENTS.c.id
        return select(func.count(ids)).where(
            ids.in_(list(among)), not_extracted(extractor, variant, ids)
        )
    gap = EXTRACTION_GAPS.c.document_id
    return select(func.count(gap)).where(
        *_of(extractor, variant), not_extracted(extractor, variant, gap)
    )
