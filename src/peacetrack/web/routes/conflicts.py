"""Conflicts: the list of conflicts with their counts (page, JSON, CSV), and a reviewer's
reassignment of a claim or a whole document to another conflict (forms and API).

The list's JSON and CSV are ``peacetrack conflicts --format json/csv``, made by the same
functions (``peacetrack.conflicts``). Reassigning goes through ``store.review``, so each
changed claim gets its audit row and the choice survives re-extraction.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from peacetrack.codebook import default_codebook
from peacetrack.conflicts import ConflictLine, conflict_lines, lines_csv, lines_json
from peacetrack.store import Store
from peacetrack.web.inputs import Id, StrictJsonRoute
from peacetrack.web.pages import render
from peacetrack.web.routes.review import Action, back_to
from peacetrack.web.security import require_bearer, require_editor_form, reviewer_of
from peacetrack.web.views import claim_json, store_of

router = APIRouter(route_class=StrictJsonRoute)
StoreDep = Annotated[Store, Depends(store_of)]
Bearer = [Depends(require_bearer)]
#: What a reviewer picks for a document to let its claims decide again.
AUTO = "auto"


def _lines(store: Store, search: str) -> list[ConflictLine]:
    return conflict_lines(store, default_codebook(), search.strip() or None)


@router.get("/conflicts", response_class=HTMLResponse, include_in_schema=False)
def conflicts_page(request: Request, store: StoreDep, search: str = "") -> HTMLResponse:
    lines = _lines(store, search)
    return render(request, "conflicts.html", {"lines": lines, "search": search})


@router.get("/api/conflicts", tags=["conflicts"])
def conflicts_api(store: StoreDep, search: str = "") -> list[dict[str, object]]:
    """Each conflict with its documents, claims and date range in the store, then the
    claims that fit none (``id`` null); ``search`` keeps conflicts whose id, name, alias
    or party contains it."""
    return [line.record() for line in _lines(store, search)]


@router.get("/api/conflicts.csv", tags=["conflicts"], response_class=Response)
def conflicts_csv(store: StoreDep, search: str = "") -> Response:
    """The list as ``peacetrack conflicts --format csv`` writes it."""
    disposition = 'inline; filename="conflicts.csv"'
    return Response(
        lines_csv(_lines(store, search)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


@router.get("/api/conflicts.json", tags=["conflicts"], response_class=Response)
def conflicts_json(store: StoreDep, search: str = "") -> Response:
    """The list as ``peacetrack conflicts --format json`` writes it."""
    body = lines_json(_lines(store, search)) + "\n"
    disposition = 'inline; filename="conflicts.json"'
    return Response(
        body, media_type="application/json", headers={"Content-Disposition": disposition}
    )


# --- reassigning --------------------------------------------------------------------------


class ConflictForm(Action):
    conflict: str = ""


class ConflictBody(BaseModel):
    conflict: str = Field(
        description="A conflict id, name or alias, or 'unassigned'; for a document also "
        "'auto' (its claims decide again)."
    )
    reviewer: str = Field("", description="Name for the audit trail (default: anonymous).")


def _document_conflict(value: str) -> str | None:
    return None if value.strip().lower() == AUTO else value


@router.post("/claims/{claim_id}/conflict", include_in_schema=False)
def claim_conflict_form(
    request: Request, store: StoreDep, claim_id: Id, form: Annotated[ConflictForm, Form()]
) -> RedirectResponse:
    require_editor_form(request, form.csrf_token)
    store.review.reassign(claim_id, form.conflict, reviewer_of(request, form.reviewer))
    return back_to(form.next, f"/claims/{claim_id}")


@router.post("/documents/{document_id}/conflict", include_in_schema=False)
def document_conflict_form(
    request: Request, store: StoreDep, document_id: Id, form: Annotated[ConflictForm, Form()]
) -> RedirectResponse:
    require_editor_form(request, form.csrf_token)
    reviewer = reviewer_of(request, form.reviewer)
    store.review.reassign_document(document_id, _document_conflict(form.conflict), reviewer)
    return back_to(form.next, f"/documents/{document_id}")


@router.post("/api/claims/{claim_id}/conflict", tags=["review"], dependencies=Bearer)
def claim_conflict_api(
    request: Request, store: StoreDep, claim_id: Id, body: ConflictBody
) -> dict[str, Any]:
    """Put a claim in another conflict; an extracted claim becomes ``edited``."""
    reviewer = reviewer_of(request, body.reviewer)
    return claim_json(store.review.reassign(claim_id, body.conflict, reviewer))


@router.post("/api/documents/{document_id}/conflict", tags=["review"], dependencies=Bearer)
def document_conflict_api(
    request: Request, store: StoreDep, document_id: Id, body: ConflictBody
) -> list[dict[str, Any]]:
    """Put every claim of a document in another conflict (kept for claims extracted from
    it later), or with ``auto`` let its claims decide again; returns its claims."""
    reviewer = reviewer_of(request, body.reviewer)
    found = store.review.reassign_document(document_id, _document_conflict(body.conflict), reviewer)
    return [claim_json(s) for s in found]
