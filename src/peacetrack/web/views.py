"""What each page shows, as plain data: the HTML page and its JSON twin both come from here.

Everything is computed by the library (compare, store, review, search); this module only
gathers the pieces a page needs and turns them into JSON-ready values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from fastapi import Request

from peacetrack.compare import Cell, Matrix, TimelineEntry, compare
from peacetrack.compare.labels import actor_name, conflict_name, issue_label
from peacetrack.compare.render import cell_text, support_legend
from peacetrack.compare.timeline import count_steps, recent_steps
from peacetrack.errors import InputError
from peacetrack.model import Document
from peacetrack.source import Filters, check_conflict
from peacetrack.store import OutOfTime, ReviewEvent, Store, StoredClaim
from peacetrack.support import DEFAULT_SUPPORT, Support, parse_support
from peacetrack.vocabulary import UNASSIGNED
from peacetrack.web.audit import event_json
from peacetrack.web.highlight import InContext, Segment, in_context, segments

By = Literal["actor", "proposal"]
LATEST = 10
CHANGES = 50


def split(value: str | None) -> list[str] | None:
    """``RUS, UKR`` -> ["RUS", "UKR"]; blank -> None (no restriction)."""
    parts = [p.strip() for p in (value or "").split(",") if p.strip()]
    return parts or None


def safe_url(url: str | None) -> str | None:
    """Only web links are shown as links: a stored ``javascript:`` URL must never be one."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def claim_json(stored: StoredClaim) -> dict[str, Any]:
    claim = stored.claim
    return {
        "id": stored.id,
        "document_id": stored.document_id,
        "document_name": stored.document_name,
        "status": stored.status,
        "outlet": stored.outlet,
        "published": stored.published,
        "url": safe_url(stored.url),
        "conflict": stored.conflict,
        "claim": claim.to_guideline(),
        "start": claim.start,
        "end": claim.end,
        "extractor": claim.extractor,
        "model": claim.model,
        "prompt_hash": claim.prompt_hash,
        "confidence": claim.confidence,
        "grade": stored.grade.label,
    }


def document_json(doc: Document, text: bool = False) -> dict[str, Any]:
    data = doc.model_dump(exclude={"text"} if not text else set())
    data["url"] = safe_url(doc.url)
    return data


# --- overview -----------------------------------------------------------------------------


def overview(store: Store, since: date | None) -> dict[str, Any]:
    """Counts, proposals, actors, latest documents, and what is new since ``since``.

    Actor counts come from the cell summaries, so the page does not read every claim.
    """
    proposals = sorted(
        (p for p in store.proposals.list() if p.claims), key=lambda p: (-p.claims, p.id)
    )
    actors = store.cells.column_totals("actor")
    data: dict[str, Any] = {
        "counts": {
            "documents": store.count_documents(),
            "claims": store.count_claims(include_rejected=False),
            "proposals": len(proposals),
            "actors": len(actors),
        },
        "proposals": [
            {"id": p.id, "name": p.name, "claims": p.claims, "first": p.date} for p in proposals
        ],
        "actors": [{"id": a, "name": actor_name(a), "claims": n} for a, n in actors.items()],
        "latest": [document_json(d) for d in store.documents(limit=LATEST)],
        "since": since,
    }
    if since is not None:
        data |= changes_since(store, since)
    return data


def changes_since(store: Store, since: date) -> dict[str, Any]:
    """What is new since ``since``: the newest documents published since then and the
    newest timeline steps begun since then, each with how many there are in all.

    Both are index reads of a page (the steps kept in the store, ``store.cells.steps``),
    so the page costs the same on a year of archive as on a week of it.
    """
    return {
        "new_documents": [document_json(d) for d in store.documents(since=since, limit=LATEST)],
        "new_documents_total": store.count_documents(since=since),
        "changes": [entry_json(e) for e in recent_steps(store, since=since, limit=CHANGES)],
        "changes_total": count_steps(store, since=since),
    }


def entry_json(entry: TimelineEntry) -> dict[str, Any]:
    return entry.to_record() | {
        "actor_name": actor_name(entry.actor),
        "issue_label": issue_label(entry.issue),
        "evidence": [claim_json(s) for s in entry.evidence],
    }


# --- suggestions for filters -------------------------------------------------------------


def suggestions(store: Store) -> dict[str, list[tuple[str, str]]]:
    """The actors and issues in the store, for a filter field's suggestions, each with a
    count: an actor's claims, an issue's actors (how many hold a stance on it). Both come
    from the cell summaries, so a page pays a few hundred rows, not a count of every claim.
    """
    actors = store.cells.column_totals("actor")
    return {
        "actors": [(a, f"{actor_name(a)} · {n:,} claims") for a, n in actors.items()],
        "issues": [
            (code, f"{issue_label(code)} · {n} actor{'s' if n != 1 else ''}")
            for code, n in store.issue_spread()
        ],
    }


# --- compare ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportQuery:
    """How far claims must be supported to count (``peacetrack.support``), as every
    comparison page and its JSON twin take it: ``min_support`` a level's name."""

    min_support: str = DEFAULT_SUPPORT.label
    reviewed_only: bool = False

    @property
    def floor(self) -> Support:
        return parse_support(self.min_support)

    def support_params(self) -> dict[str, str]:
        """The non-default choices as URL parameters."""
        values = {"min_support": self.min_support if self.floor != DEFAULT_SUPPORT else None}
        values["reviewed_only"] = "true" if self.reviewed_only else None
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class CompareQuery(SupportQuery):
    by: By = "actor"
    actors: str | None = None
    issues: str | None = None
    since: date | None = None
    until: date | None = None
    #: A conflict id, name or alias, or ``unassigned``; None or "": every claim.
    conflict: str | None = None

    def matrix(self, store: Store) -> Matrix:
        return compare(
            store,
            by=self.by,
            actors=split(self.actors),
            issues=split(self.issues),
            since=self.since,
            until=self.until,
            conflict=self.conflict or None,
            min_support=self.floor,
            reviewed_only=self.reviewed_only,
        )

    def params(self) -> dict[str, str]:
        """The query as URL parameters, to link a cell with the filters it was shown under."""
        values = {"by": self.by, "actors": self.actors, "issues": self.issues}
        # By id, whatever name or alias was typed: one link per view.
        values["conflict"] = check_conflict(self.conflict) if self.conflict else None
        values |= {"since": _iso(self.since), "until": _iso(self.until)}
        return {k: v for k, v in values.items() if v} | self.support_params()


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def matrix_json(matrix: Matrix) -> dict[str, Any]:
    return {
        "by": matrix.by,
        "conflict": matrix.conflict,
        "min_support": matrix.min_support.label,
        "legend": support_legend(matrix.min_support),
        "rows": [{"issue": r, "label": issue_label(r)} for r in matrix.rows],
        "columns": [{"id": c, "label": matrix.column_label(c)} for c in matrix.columns],
        "cells": matrix.to_records(),
    }


@dataclass(frozen=True)
class Quote:
    """A claim behind a cell, with its evidence inside its paragraph."""

    stored: StoredClaim
    context: InContext


#: Claims listed on a cell's page, newest first; the page says how many more there are.
CELL_CLAIMS_SHOWN = 100


def one_cell(store: Store, query: CompareQuery, issue: str, column: str) -> Cell | None:
    """The cell of ``query``'s matrix at ``issue`` × ``column``, computed alone when the
    matrix is by actor: a cell holds the claims naming its actor on its issue, so the
    matrix of that actor and issue has the same cell, and a review in a panel refreshes
    it without computing a million claims' matrix. By proposal, an actors filter changes
    what a proposal's cell holds, so the whole matrix is computed."""
    if query.by != "actor":
        return query.matrix(store).cell(issue, column)
    chosen = Filters(split(query.actors), split(query.issues))
    if (chosen.actors is not None and column.upper() not in chosen.actors) or (
        chosen.issues is not None and issue not in chosen.issues
    ):
        return None
    alone = replace(query, actors=column, issues=issue)
    return alone.matrix(store).cell(issue, column)


def cell_quotes(
    store: Store, query: CompareQuery, issue: str, column: str
) -> tuple[Cell, list[Quote]]:
    cell = one_cell(store, query, issue, column)
    if cell is None:
        raise InputError(
            f"no claims for {issue} × {column} under these filters: pick a filled cell"
        )
    return cell, quotes_of(store, cell_claims(store, query, issue, column))


def cell_claims(store: Store, query: CompareQuery, issue: str, column: str) -> list[StoredClaim]:
    """The newest claims behind a cell. By actor they are the claims naming the actor on
    the issue, so ``Store.claims`` lists them, reading a big actor's claims in order
    rather than by a list of all their ids (a million-claim store's biggest cell: 0.4 s
    to 10 ms); by proposal the cell summaries' own query does."""
    if query.by != "actor":
        return store.cells.claims(
            query.by,
            issue,
            column,
            actors=split(query.actors),
            since=query.since,
            until=query.until,
            conflict=query.conflict or None,
            limit=CELL_CLAIMS_SHOWN,
            reviewed_only=query.reviewed_only,
        )
    return store.claims(
        actors=[column],
        issues=[issue],
        since=query.since,
        until=query.until,
        conflict=query.conflict or None,
        min_support=Support.REVIEWED if query.reviewed_only else None,
        limit=CELL_CLAIMS_SHOWN,
    )


def quotes_of(store: Store, claims: Sequence[StoredClaim]) -> list[Quote]:
    """Each claim with its evidence in its paragraph (each document read once)."""
    texts: dict[int, str] = {}
    quotes = []
    for stored in claims:
        if stored.document_id not in texts:
            texts[stored.document_id] = store.get_document(stored.document_id).text
        start, end = stored.claim.start or 0, stored.claim.end or 0
        quotes.append(Quote(stored, in_context(texts[stored.document_id], start, end)))
    return quotes


def with_reviewed(
    store: Store, query: CompareQuery, issue: str, column: str, quotes: list[Quote], claim_id: int
) -> list[Quote]:
    """``quotes`` and the claim just reviewed in this cell, if it left the cell (rejected):
    a reviewer sees it marked where it was, with the Undo beside it."""
    if any(q.stored.id == claim_id for q in quotes):
        return quotes
    stored = store.review.get(claim_id)
    in_column = (
        column in stored.claim.actors
        if query.by == "actor"
        else stored.canonical_proposal == column
    )
    if stored.claim.issue != issue or not in_column:
        return quotes
    return [*quotes, *quotes_of(store, [stored])]


def cell_json(cell: Cell, quotes: Sequence[Quote]) -> dict[str, Any]:
    return {
        "stance": cell.stance.value,
        "text": cell_text(cell),
        "sources": cell.sources,
        "conflict": cell.conflict,
        "changed": cell.changed,
        "support": cell.support.label,
        "support_sources": cell.backing,
        "weaker_claims": cell.weaker,
        "count": cell.count,
        "current": [s.id for s in cell.current],
        "claims": [
            claim_json(q.stored)
            | {"context": {"before": q.context.before, "after": q.context.after}}
            for q in quotes
        ],
    }


# --- documents and claims -----------------------------------------------------------------


@dataclass(frozen=True)
class DocumentView:
    document: Document
    claims: list[StoredClaim]
    segments: list[Segment]
    near_duplicates: list[tuple[Document, float]]

    def to_json(self) -> dict[str, Any]:
        return document_json(self.document, text=True) | {
            "claims": [claim_json(s) for s in self.claims],
            "near_duplicates": [
                {"id": d.id, "name": d.name, "title": d.title, "similarity": round(sim, 3)}
                for d, sim in self.near_duplicates
            ],
        }


def document_view(store: Store, document_id: int) -> DocumentView:
    """The document with every claim in it: rejected ones too (marked, so a reviewer can
    restore them where they were rejected), though only the others are highlighted."""
    document = store.get_document(document_id)
    claims = store.claims(document=document_id, include_rejected=True)
    shown = [s for s in claims if s.status != "rejected"]
    twins = [(store.get_document(other), sim) for other, sim in store.near_duplicates(document_id)]
    return DocumentView(document, claims, segments(document.text, shown), twins)


@dataclass(frozen=True)
class ClaimView:
    stored: StoredClaim
    context: InContext
    history: list[ReviewEvent]

    def to_json(self) -> dict[str, Any]:
        return claim_json(self.stored) | {"history": [event_json(e) for e in self.history]}


def claim_view(store: Store, claim_id: int) -> ClaimView:
    stored = store.review.get(claim_id)
    text = store.get_document(stored.document_id).text
    context = in_context(text, stored.claim.start or 0, stored.claim.end or 0)
    return ClaimView(stored, context, store.review.history(claim_id))


#: Milliseconds the conflict picker may spend counting each conflict's claims.
CONFLICT_COUNT_MS = 15
#: Past this many claims (by the cell summaries' actor totals) counting cannot finish
#: within ``CONFLICT_COUNT_MS``, so the picker does not start it.
CONFLICT_COUNT_UP_TO = 50_000


def conflict_choices(store: Store) -> list[tuple[str, str, int | None]]:
    """(value, name, claims) for a conflict picker: the conflicts with claims in the store,
    in codebook order, then the unassigned claims, so they are one choice away too.

    Counting the claims reads every one; in a big store (or past ``CONFLICT_COUNT_MS``)
    the conflicts come from the per-conflict cell summaries instead, without counts (None).
    """
    from peacetrack.codebook import default_codebook

    counted: dict[str | None, int | None] = {}
    if sum(store.cells.column_totals("actor").values()) <= CONFLICT_COUNT_UP_TO:
        try:
            found = {n.conflict: n.claims for n in store.conflict_counts(CONFLICT_COUNT_MS)}
            counted = {k: n for k, n in found.items() if n}
        except OutOfTime:
            pass
    if not counted:
        counted = {(None if k == UNASSIGNED else k): None for k in store.cells.conflicts()}
    book = list(default_codebook().conflicts)
    order = [*book, *sorted(k for k in counted if k is not None and k not in book), None]
    return [(k or UNASSIGNED, conflict_name(k), counted[k]) for k in order if k in counted]


def store_of(request: Request) -> Store:
    """The app's store (a FastAPI dependency: ``Depends(store_of)``)."""
    store: Store = request.app.state.store
    return store
