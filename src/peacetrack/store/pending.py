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
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, String, exists, func, insert, literal, select
from sqlalchemy.orm import InstrumentedAttribute, Session, defer

from peacetrack.store.engine import serialise
from peacetrack.store.schema import (
    DocumentRow,
    ExtractionGapRow,
    ExtractionMarkRow,
    ExtractionRow,
)

#: Documents fetched per query by ``Store.pending_documents``: bounded memory on any store.
PAGE = 200


def not_extracted(
    extractor: str, variant: str, document: InstrumentedAttribute[int] = DocumentRow.id
) -> ColumnElement[bool]:
    """``document`` has no extraction by this variant of ``extractor`` (an index probe)."""
    done = exists().where(
        ExtractionRow.document_id == document,
        ExtractionRow.extractor == extractor,
        ExtractionRow.variant == variant,
    )
    return ~done


def list_pending(session: Session, extractor: str, variant: str) -> int:
    """Bring the variant's gaps up to the last stored document; the documents newly listed.

    Takes the documents' writing turn (``serialise``), so no document is being stored
    under an id below the new mark meanwhile, and the mark's row, which the triggers of
    migration 0017 wait for on PostgreSQL.
    """
    serialise(session.connection(), "documents")
    mark = session.scalar(
        select(ExtractionMarkRow)
        .where(ExtractionMarkRow.extractor == extractor, ExtractionMarkRow.variant == variant)
        .with_for_update()
    )
    if mark is None:
        mark = ExtractionMarkRow(extractor=extractor, variant=variant, done_through=0)
        session.add(mark)
    top = session.scalar(select(func.max(DocumentRow.id))) or 0
    listed = 0
    if top > mark.done_through:
        new = select(literal(extractor, String), literal(variant, String), DocumentRow.id).where(
            DocumentRow.id > mark.done_through,
            DocumentRow.id <= top,
            not_extracted(extractor, variant),
        )
        columns = ["extractor", "variant", "document_id"]
        result = session.connection().execute(insert(ExtractionGapRow).from_select(columns, new))
        listed = result.rowcount
        mark.done_through = top
    return listed


def _of(extractor: str, variant: str) -> list[ColumnElement[bool]]:
    return [ExtractionGapRow.extractor == extractor, ExtractionGapRow.variant == variant]


def page_query(
    extractor: str, variant: str, after: int, among: Sequence[int] | None
) -> Select[DocumentRow]:
    """The next ``PAGE`` pending documents after id ``after``, oldest first: of ``among``
    by their ids, else of the variant's gaps by the gaps' key (``list_pending`` first)."""
    query = select(DocumentRow).options(defer(DocumentRow.minhash))
    if among is not None:
        key: InstrumentedAttribute[int] = DocumentRow.id
        query = query.where(DocumentRow.id.in_(list(among)))
    else:
        key = ExtractionGapRow.document_id
        query = query.join(ExtractionGapRow, key == DocumentRow.id).where(*_of(extractor, variant))
    where = [key > after, not_extracted(extractor, variant, key)]
    return query.where(*where).order_by(key).limit(PAGE)


def count_query(extractor: str, variant: str, among: Sequence[int] | None) -> Select[int]:
    """How many documents ``page_query`` pages through (after ``list_pending``)."""
    if among is not None:
        ids = DocumentRow.id
        return select(func.count(ids)).where(
            ids.in_(list(among)), not_extracted(extractor, variant, ids)
        )
    gap = ExtractionGapRow.document_id
    return select(func.count(gap)).where(
        *_of(extractor, variant), not_extracted(extractor, variant, gap)
    )
