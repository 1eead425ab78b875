"""Claims to rows and back, the SQL form of ``Filters``, and the one query reading claims.

A stored claim was validated when it was saved, so reading it back rebuilds the models
without validating again: a claim saved under a user codebook must still load when that
codebook is not the one in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any, Literal, TypeVar, TypeVarTuple, get_args

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Select,
    bindparam,
    func,
    select,
)

from peacetrack.errors import StoreError
from peacetrack.model import STANCE_BY_VALUE, Attribution, Claim, Condition, Recognition
from peacetrack.source import PROVENANCE, Filters, Statement, StoredClaim
from peacetrack.store.tables import CLAIM_ACTORS, CLAIMS, DOCUMENTS, PROPOSALS
from peacetrack.support import CHECKED_STATUSES
from peacetrack.vocabulary import UNASSIGNED

T = TypeVar("T")
#: What a list of claims can be sorted by besides its reading order.
Sort = Literal["date", "issue", "stance"]
SORTS: tuple[str, ...] = get_args(Sort)
#: Ids per IN (...) list: well below SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 500
#: Ids per IN (...) list written into the statement (``written_ids``), by database. SQLite
#: seeks each id however many there are, so fewer, longer statements cost less: 5,000 a
#: statement read the 6,264 entries of ``compare --until 2024-06-01`` at a million claims in
#: 0.050 s of CPU against 0.064 s for 500 bound ones (best of 8). PostgreSQL, given 5,000,
#: chose a parallel hash join over every claim actor and document (0.43 s against
#: 0.05-0.07 s for 12 statements of 500), so it and any other keep ``CHUNK``.
WRITTEN_IDS = {"sqlite": 5_000}
#: Rows carried between Python and the database at a time, fetched (``yield_per``) or
#: inserted: few round trips, and memory bounded whatever the store's size.
ROW_BATCH = 5_000


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def written_ids(connection: Connection, ids: Sequence[int]) -> Iterator[BindParameter[int]]:
    """``ids`` in lists to write into statements when they run (integers, so nothing to
    escape), as many a list as ``connection``'s database reads best (``WRITTEN_IDS``)."""
    for chunk in chunked(ids, WRITTEN_IDS.get(connection.dialect.name, CHUNK)):
        yield bindparam("ids", list(chunk), expanding=True, literal_execute=True)


def claim_values(
    claim: Claim,
    document_id: int,
    extractor: str,
    proposal_id: int | None,
    conflict: str | None = None,
) -> dict[str, Any]:
    """The column values of a located claim's row (``start``/``end`` set), for inserting
    many claims in one statement; its actors go to ``actor_rows``."""
    data = claim.model_dump(mode="json")
    attribution = claim.attribution
    return {
        "document_id": document_id,
        "status": "extracted",
        "stance": claim.stance.value,
        "issue": claim.issue,
        "territories": claim.territories,
        "conditions": data["conditions"],
        "recognition": data["recognition"],
        "proposal_id": proposal_id,
        "proposal": claim.proposal,
        "attribution_source": attribution.source if attribution else None,
        "attribution_anonymous": attribution.anonymous if attribution else None,
        "evidence": claim.evidence,
        "conflict": conflict,
        **{name: getattr(claim, name) for name in PROVENANCE} | {"extractor": extractor},
    }


def actor_rows(claim_id: int, claim: Claim) -> list[dict[str, Any]]:
    roles = (("actor", claim.actors), ("obligor", claim.obligor or []))
    return [
        {"claim_id": claim_id, "role": role, "position": position, "actor_id": actor}
        for role, actors in roles
        for position, actor in enumerate(actors)
    ]


def claim_from_row(row: Any, actors: Sequence[Any]) -> Claim:
    """The claim a row of ``claims`` holds (a plain row with its columns' names); ``actors``
    are rows of its claim_actors (``role``, ``actor_id``), ordered by role and position."""
    obligor = [a.actor_id for a in actors if a.role == "obligor"]
    attribution = None
    if row.attribution_anonymous is not None:
        attribution = Attribution.model_construct(
            source=row.attribution_source, anonymous=row.attribution_anonymous
        )
    fields: dict[str, Any] = {
        "actors": [a.actor_id for a in actors if a.role == "actor"],
        "stance": STANCE_BY_VALUE[row.stance],
        "issue": row.issue,
        "obligor": obligor or None,
        "territories": row.territories,
        "conditions": _conditions(row.conditions),
        "recognition": _recognition(row.recognition),
        "proposal": row.proposal,
        "attribution": attribution,
        "evidence": row.evidence,
    } | {name: getattr(row, name) for name in PROVENANCE}
    return _every_field(fields)


def _conditions(stored: list[dict[str, Any]] | None) -> list[Condition] | None:
    """A claim's conditions from their JSON column, as validated when saved."""
    return None if stored is None else [Condition.model_construct(**c) for c in stored]


def _recognition(stored: dict[str, Any] | None) -> Recognition | None:
    return None if stored is None else Recognition.model_construct(**stored)


def _every_field(fields: dict[str, Any]) -> Claim:
    """``Claim.model_construct(**fields)`` for ``fields`` naming every field, without its
    per-field default handling: 3 µs a claim instead of 16, which is a fifth of streaming
    a million claims and most of reading the claims behind a matrix's cells. The test of
    every field's round trip holds the two equal."""
    claim = Claim.__new__(Claim)
    object.__setattr__(claim, "__dict__", fields)
    object.__setattr__(claim, "__pydantic_fields_set__", set(fields))
    object.__setattr__(claim, "__pydantic_extra__", None)
    object.__setattr__(claim, "__pydantic_private__", None)
    return claim


def canonical_proposal() -> ColumnElement[Any]:
    """A claim's proposal column: the resolved proposal's name, else its own phrase."""
    return func.coalesce(PROPOSALS.c.name, CLAIMS.c.proposal)


def filter_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """The SQL form of ``filters``; ``Filters.admits`` is the Python one, and the tests hold
    the two to the same claims.

    Issue patterns arrive expanded to codes by the codebook, so ``TER`` and ``TER.*`` mean
    the same here as in memory. Undated claims fail any date bound: NULL compares false.
    """
    where: list[ColumnElement[bool]] = []
    if filters.issues is not None:
        where.append(CLAIMS.c.issue.in_(sorted(filters.issues)))
    if filters.actors is not None:
        # An uncorrelated IN list walks ix_claim_actors_actor_claim; the alias keeps it apart
        # from the claim_actors the actors query reads.
        named = CLAIM_ACTORS.alias()
        of_actors = select(named.c.claim_id).where(
            named.c.actor_id.in_(sorted(filters.actors)), named.c.role == "actor"
        )
        where.append(CLAIMS.c.id.in_(of_actors))
    if filters.stances is not None:
        where.append(CLAIMS.c.stance.in_(sorted(filters.stances)))
    if filters.conflict == UNASSIGNED:
        where.append(CLAIMS.c.conflict.is_(None))
    elif filters.conflict is not None:
        where.append(CLAIMS.c.conflict == filters.conflict)
    if filters.reviewed_only:
        where.append(CLAIMS.c.status.in_(CHECKED_STATUSES))
    if filters.since is not None:
        where.append(DOCUMENTS.c.published >= filters.since)
    if filters.until is not None:
        where.append(DOCUMENTS.c.published <= filters.until)
    return where


def visible(filters: Filters) -> list[ColumnElement[bool]]:
    """``filters`` on the claims a comparison sees: every claim but rejected ones."""
    return [CLAIMS.c.status != "rejected", *filter_conditions(filters)]


def sort_keys(sort: Sort | None, descending: bool) -> list[ColumnElement[Any]]:
    """The keys put before the reading order.

    Newest first is the reading order itself, so ``date`` descending adds nothing and a
    sorted page lists claims exactly as an unsorted export does; ``date`` ascending keeps
    the reading order for claims of one day. ``issue`` and ``stance`` break ties by claim
    id in the same direction (the order claims were stored): the column's index holds
    claims in that order, so a page of a million claims is read from it, not sorted.
    """
    if sort is None or (sort == "date" and descending):
        return []
    if sort == "date":
        return [DOCUMENTS.c.published.asc().nulls_last()]
    column = CLAIMS.c.issue if sort == "issue" else CLAIMS.c.stance
    if descending:
        return [column.desc(), CLAIMS.c.id.desc()]
    return [column.asc(), CLAIMS.c.id.asc()]


def _claims_query(
    where: Sequence[ColumnElement[bool]], first: Sequence[ColumnElement[Any]] = ()
) -> Select[Any]:
    """Claims with the document facts and proposal name shown beside them, as plain rows."""
    columns = [c for c in CLAIMS.c if c.name not in ("created_at", "updated_at")]
    return in_reading_order(
        select(
            *columns,
            DOCUMENTS.c.name,
            DOCUMENTS.c.outlet,
            DOCUMENTS.c.published,
            DOCUMENTS.c.url,
            PROPOSALS.c.name.label("proposal_name"),
        ),
        where,
        first,
    )


def _actors_query(where: Sequence[ColumnElement[bool]]) -> Select[int, str, str]:
    """Actors of the chosen claims in one join, instead of one IN list per 500 claims."""
    return (
        select(CLAIM_ACTORS.c.claim_id, CLAIM_ACTORS.c.role, CLAIM_ACTORS.c.actor_id)
        .join(CLAIMS, CLAIMS.c.id == CLAIM_ACTORS.c.claim_id)
        .join(DOCUMENTS, DOCUMENTS.c.id == CLAIMS.c.document_id)
        .outerjoin(PROPOSALS, PROPOSALS.c.id == CLAIMS.c.proposal_id)
        .where(*where)
        .order_by(CLAIM_ACTORS.c.claim_id, CLAIM_ACTORS.c.role, CLAIM_ACTORS.c.position)
    )


def claims_with_ids(connection: Connection, ids: Iterable[int]) -> dict[int, StoredClaim]:
    """The claims with these ids, by id, read a chunk of ids at a time (a missing id is
    left out: a claim deleted meanwhile drops out rather than failing the read)."""
    found: dict[int, StoredClaim] = {}
    for chunk in chunked(sorted(set(ids))):
        found.update((s.id, s) for s in load_claims(connection, [CLAIMS.c.id.in_(chunk)]))
    return found


def statements_with_ids(connection: Connection, ids: Iterable[int]) -> dict[int, Statement]:
    """What the claims with these ids state (``Statement``), by id: the few columns a
    cell's sentence reads, with the obligors joined in, not whole claims with their
    documents, proposals and actors (a third of the cost of a million-claim matrix). A
    missing id is left out, as in ``claims_with_ids``."""
    found: dict[int, Statement] = {}
    for chunk in chunked(sorted(set(ids))):
        obligors: dict[int, list[str]] = {}
        rows: list[Any] = []
        for *row, obligor in connection.execute(_statements_query(), {"ids": list(chunk)}):
            if obligor is not None:
                obligors.setdefault(row[0], []).append(obligor)
            if not rows or rows[-1][0] != row[0]:
                rows.append(row)
        found.update((row[0], _statement(row, obligors.get(row[0]))) for row in rows)
    return found


def _statement(row: Sequence[Any], obligor: list[str] | None) -> Statement:
    """A row of ``_statements_query`` (its obligor column aside) as a ``Statement``,
    built as ``claim_from_row`` builds the same columns of a whole claim."""
    claim_id, published, stance, issue, territories, conditions, recognition = row
    listed = _conditions(conditions)
    return Statement(
        id=claim_id,
        published=published,
        stance=STANCE_BY_VALUE[stance],
        issue=issue,
        obligor=None if obligor is None else tuple(obligor),
        territories=None if territories is None else tuple(territories),
        conditions=None if listed is None else tuple(listed),
        recognition=_recognition(recognition),
    )


@cache
def _statements_query() -> Select[Any]:
    """A row per claim and obligor (one with none when it names none), a claim's rows
    together, its obligors in their order; of the claims whose ids are bound as ``ids``.
    Built once: building it with 500 ids in place cost as much as reading their rows.

    The publication date is a subquery on the document's key, not a join: PostgreSQL
    joined 500 claims to a million-claim store's 100,000 documents by hashing them all, in
    parallel workers (63 ms a chunk, hot; 11 ms looked up by key)."""
    obligor = CLAIM_ACTORS.alias()
    published = select(DOCUMENTS.c.published).where(DOCUMENTS.c.id == CLAIMS.c.document_id)
    return (
        select(
            CLAIMS.c.id,
            published.scalar_subquery(),
            CLAIMS.c.stance,
            CLAIMS.c.issue,
            CLAIMS.c.territories,
            CLAIMS.c.conditions,
            CLAIMS.c.recognition,
            obligor.c.actor_id,
        )
        .outerjoin(obligor, (obligor.c.claim_id == CLAIMS.c.id) & (obligor.c.role == "obligor"))
        .where(CLAIMS.c.id.in_(bindparam("ids", expanding=True)))
        .order_by(CLAIMS.c.id, obligor.c.position)
    )


def load_claims(
    connection: Connection,
    where: Sequence[ColumnElement[bool]],
    limit: int | None = None,
    *,
    offset: int = 0,
    first: Sequence[ColumnElement[Any]] = (),
) -> list[StoredClaim]:
    """Claims meeting ``where`` (at most ``limit`` after skipping ``offset``), newest first
    unless ``first`` (``sort_keys``) orders them otherwise, from plain rows: every read of
    claims goes through here or ``stream_claims``, a page of the CLI as a million-claim
    comparison.

    Without a limit the actors come in one join on the same conditions; with one, only
    the actors of the claims kept are read.
    """
    query = _claims_query(where, first).limit(limit)
    # Plain rows on a Core connection: the ORM's result machinery added a third to the
    # cost of reading a few thousand claims, and gives nothing for columns.
    rows = connection.execute(query.offset(offset) if offset else query).all()
    if limit is None and not offset:
        return _stored(rows, connection.execute(_actors_query(where)))
    return _stored(rows, _actors_of(connection, rows))


def stream_claims(
    connection: Connection,
    where: Sequence[ColumnElement[bool]],
    limit: int | None = None,
    *,
    offset: int = 0,
    first: Sequence[ColumnElement[Any]] = (),
) -> Iterator[StoredClaim]:
    """``load_claims`` as it reads: ``CHUNK`` rows at a time from one query (a server-side
    cursor on PostgreSQL), each chunk with its actors, so memory stays the same for ten
    claims or ten million."""
    query = _claims_query(where, first).limit(limit)
    query = query.offset(offset) if offset else query
    result = connection.execute(query, execution_options={"yield_per": CHUNK})
    for rows in result.partitions():
        yield from _stored(rows, _actors_of(connection, rows))


def _actors_of(connection: Connection, rows: Sequence[Any]) -> list[Any]:
    ids = [row.id for row in rows]
    return [
        actor
        for chunk in chunked(ids)
        for actor in connection.execute(_actors_query([CLAIMS.c.id.in_(chunk)]))
    ]


def _stored(rows: Sequence[Any], actors: Iterable[Any]) -> list[StoredClaim]:
    actors_of: dict[int, list[Any]] = {}
    for actor in actors:
        actors_of.setdefault(actor.claim_id, []).append(actor)
    return [
        StoredClaim(
            id=row.id,
            document_id=row.document_id,
            document_name=row.name,
            claim=claim_from_row(row, actors_of.get(row.id, [])),
            status=row.status,
            outlet=row.outlet,
            published=row.published,
            url=row.url,
            proposal_name=row.proposal_name,
            conflict=row.conflict,
        )
        for row in rows
    ]


Row = TypeVarTuple("Row")


def in_reading_order(
    stmt: Select[*Row],
    where: Sequence[ColumnElement[bool]],
    first: Sequence[ColumnElement[Any]] = (),
) -> Select[*Row]:
    """Claims joined to their documents and proposals, filtered, newest document first
    (after any ``first`` keys of a chosen sort).

    Within a document claims come in text order, the order a reader checks them in. Every
    claims query goes through here so that all of them list claims the same way.
    """
    return (
        stmt.join(DOCUMENTS, DOCUMENTS.c.id == CLAIMS.c.document_id)
        .outerjoin(PROPOSALS, PROPOSALS.c.id == CLAIMS.c.proposal_id)
        .where(*where)
        .order_by(
            *first,
            DOCUMENTS.c.published.desc().nulls_last(),
            CLAIMS.c.document_id.desc(),
            CLAIMS.c.start,
            CLAIMS.c.id,
        )
    )


def _names_from(connection: Connection, start: str, most: int = 3) -> list[str]:
    """Up to ``most`` document names beginning with ``start`` (a name given without its
    extension), by a range on the name's index rather than a LIKE that would scan every
    document of a large store on SQLite."""
    if not start:
        return []
    query = (
        select(DOCUMENTS.c.name)
        .where(DOCUMENTS.c.name > start, DOCUMENTS.c.name < start + "\U0010ffff")
        .order_by(DOCUMENTS.c.name)
        .limit(most)
    )
    return list(connection.scalars(query))


def document_id(connection: Connection, ref: int | str) -> int:
    """The id of a document given by id or name; names must be unambiguous."""
    if isinstance(ref, int):
        ids: list[int] = list(
            connection.scalars(select(DOCUMENTS.c.id).where(DOCUMENTS.c.id == ref))
        )
    else:
        query = select(DOCUMENTS.c.id).where(DOCUMENTS.c.name == ref).limit(2)
        ids = list(connection.scalars(query))
    if not ids:
        near = _names_from(connection, ref) if isinstance(ref, str) else []
        hint = f"did you mean {' or '.join(map(repr, near))}? Or list" if near else "list"
        raise StoreError(
            f"no document {ref!r} in the store: {hint} them with `peacetrack documents list`"
        )
    if len(ids) > 1:
        raise StoreError(
            f"several documents are named {ref!r}: give the id instead "
            "(see `peacetrack documents list`)"
        )
    return ids[0]
