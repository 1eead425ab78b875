"""Full-text search over documents (title and text) and claims (evidence, proposal, source).

The indexes come from migration 0002: FTS5 tables kept in step by triggers on SQLite, GIN
expression indexes on PostgreSQL. The database only ranks and returns ids; the snippets
are cut here in Python, so both backends show results the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select, text

from peacetrack.store.tables import CLAIM_ACTORS

if TYPE_CHECKING:
    from peacetrack.store.store import Store

#: Marks around matched words inside a snippet; callers escape the text, then replace these.
MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_CHARS = 240
_SEARCH_OBJECTS = ("documents_fts", "claims_fts", "ix_documents_fts", "ix_claims_fts")
_WORD = re.compile(r"\w+", re.UNICODE)

_SQLITE_DOCUMENTS = """
SELECT d.id, d.name, d.title, d.outlet, d.published, d.text
FROM documents_fts JOIN documents AS d ON d.id = documents_fts.rowid
WHERE documents_fts MATCH :q ORDER BY bm25(documents_fts), d.id LIMIT :limit
"""
_SQLITE_CLAIMS = """
SELECT c.id, c.document_id, d.name, c.issue, c.stance, c.status, c.evidence
FROM claims_fts JOIN claims AS c ON c.id = claims_fts.rowid
JOIN documents AS d ON d.id = c.document_id
WHERE claims_fts MATCH :q ORDER BY bm25(claims_fts), c.id LIMIT :limit
"""
# The tsvector expressions repeat the index definitions of migration 0002 word for word,
# which is what lets PostgreSQL use the GIN indexes.
_POSTGRES_DOCUMENTS = """
SELECT d.id, d.name, d.title, d.outlet, d.published, d.text
FROM documents AS d, websearch_to_tsquery('english', :q) AS query
WHERE to_tsvector('english', coalesce(d.title, '') || ' ' || d.text) @@ query
ORDER BY ts_rank(to_tsvector('english', coalesce(d.title, '') || ' ' || d.text), query) DESC,
         d.id
LIMIT :limit
"""
_POSTGRES_CLAIMS = """
SELECT c.id, c.document_id, d.name, c.issue, c.stance, c.status, c.evidence
FROM claims AS c JOIN documents AS d ON d.id = c.document_id,
     websearch_to_tsquery('english', :q) AS query
WHERE to_tsvector('english', c.evidence) @@ query
ORDER BY ts_rank(to_tsvector('english', c.evidence), query) DESC, c.id
LIMIT :limit
"""


@dataclass(frozen=True)
class DocumentHit:
    id: int
    name: str
    title: str | None
    outlet: str | None
    published: date | None
    snippet: str


@dataclass(frozen=True)
class ClaimHit:
    id: int
    document_id: int
    document_name: str
    issue: str
    stance: str
    status: str
    snippet: str
    #: Who holds the stance, in the claim's order: a hit reads "Russia demands ...".
    actors: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchResults:
    query: str
    documents: list[DocumentHit]
    claims: list[ClaimHit]


def is_search_object(name: str | None) -> bool:
    """True for the search tables, their FTS5 shadow tables and indexes: autogenerate skips
    them, since they are not ORM models but backend-specific parts of migration 0002."""
    return name is not None and name.startswith(_SEARCH_OBJECTS)


def search(store: Store, query: str, limit: int = 20) -> SearchResults:
    """Documents and claims matching every word of ``query``, best matches first.

    Any text is a valid query: on SQLite the words are quoted for FTS5 (so ``-``, ``"`` or
    ``NEAR`` are words, not operators); PostgreSQL reads it as a web search would.
    """
    words = _WORD.findall(query)
    if not words:
        return SearchResults(query, [], [])
    with store.reading() as connection:
        if connection.dialect.name == "postgresql":
            params: dict[str, object] = {"q": query, "limit": limit}
            doc_rows = connection.execute(text(_POSTGRES_DOCUMENTS), params).all()
            claim_rows = connection.execute(text(_POSTGRES_CLAIMS), params).all()
        else:
            params = {"q": " ".join(f'"{w}"' for w in words), "limit": limit}
            doc_rows = connection.execute(text(_SQLITE_DOCUMENTS), params).all()
            claim_rows = connection.execute(text(_SQLITE_CLAIMS), params).all()
        holders = _holders(connection, [int(row[0]) for row in claim_rows])
    return SearchResults(
        query,
        [_document_hit(row, words) for row in doc_rows],
        [_claim_hit(row, words, holders.get(int(row[0]), ())) for row in claim_rows],
    )


def _holders(connection: Connection, claim_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The actors of each claim hit, in one query for all of them."""
    if not claim_ids:
        return {}
    query = (
        select(CLAIM_ACTORS.c.claim_id, CLAIM_ACTORS.c.actor_id)
        .where(CLAIM_ACTORS.c.claim_id.in_(claim_ids), CLAIM_ACTORS.c.role == "actor")
        .order_by(CLAIM_ACTORS.c.claim_id, CLAIM_ACTORS.c.position)
    )
    found: dict[int, list[str]] = {}
    for claim_id, actor in connection.execute(query):
        found.setdefault(int(claim_id), []).append(str(actor))
    return {k: tuple(v) for k, v in found.items()}


def _document_hit(row: Sequence[Any], words: Sequence[str]) -> DocumentHit:
    id_, name, title, outlet, published, body = row
    if isinstance(published, str):  # raw SQL on SQLite returns dates as ISO text
        published = date.fromisoformat(published)
    return DocumentHit(
        id=int(id_),
        name=str(name),
        title=None if title is None else str(title),
        outlet=None if outlet is None else str(outlet),
        published=published if isinstance(published, date) else None,
        snippet=snippet(str(body), words),
    )


def _claim_hit(row: Sequence[Any], words: Sequence[str], actors: tuple[str, ...]) -> ClaimHit:
    id_, document_id, name, issue, stance, status, evidence = row
    return ClaimHit(
        id=int(id_),
        document_id=int(document_id),
        document_name=str(name),
        issue=str(issue),
        stance=str(stance),
        status=str(status),
        snippet=snippet(str(evidence), words),
        actors=actors,
    )


def snippet(body: str, words: Sequence[str], width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters around the first match, every word (or word start, as the
    indexes stem: "withdraw" finds "withdrawal") wrapped in MARK_START/MARK_END."""
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\w*",
        re.IGNORECASE,
    )
    first = pattern.search(body)
    start = max(0, (first.start() if first else 0) - width // 3)
    piece = body[start : start + width].replace(MARK_START, "").replace(MARK_END, "")
    marked = pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", piece)
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(body) else ""
    return f"{prefix}{marked}{suffix}".replace("\n", " ")
