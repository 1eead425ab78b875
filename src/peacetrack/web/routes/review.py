"""Reviewing claims: the claim page, and accept / edit / reject / add, as forms and API."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from peacetrack.errors import InputError
from peacetrack.model import Stance
from peacetrack.store import Store, StoredClaim
from peacetrack.web.claim_form import ClaimForm, Offset, form_context
from peacetrack.web.inputs import MAX_INT, Id, StrictJsonRoute
from peacetrack.web.pages import render
from peacetrack.web.routes.browse import show_document
from peacetrack.web.security import (
    is_editor,
    require_bearer,
    require_editor_form,
    reviewer_of,
)
from peacetrack.web.views import claim_json, claim_view, store_of

router = APIRouter(route_class=StrictJsonRoute)
StoreDep = Annotated[Store, Depends(store_of)]
Bearer = [Depends(require_bearer)]
#: A reviewer's verdict on a claim as it stands.
Verdict = Literal["accept", "reject"]


class Action(BaseModel):
    csrf_token: str = ""
    reviewer: str = ""
    next: str = ""


def local_path(url: str) -> str:
    """``url`` if it is a path on this site, else "": a form's ``next`` never leads to
    another site."""
    return url if url.startswith("/") and not url.startswith(("//", "/\\")) else ""


def back_to(
    next_url: str, fallback: str, store: Store | None = None, claim_id: int | None = None
) -> RedirectResponse:
    """Back to the page the form was on (local paths only, never another site), at the
    claim acted on, with ``done`` naming the action just recorded: the page confirms it
    beside the claim and offers to undo it."""
    target = urlsplit(local_path(next_url) or fallback)
    if store is None or claim_id is None:
        return RedirectResponse(urlunsplit(target), status_code=303)
    query = [(k, v) for k, v in parse_qsl(target.query) if k != "done"]
    query.append(("done", str(store.review.history(claim_id)[-1].id)))
    url = urlunsplit(target._replace(query=urlencode(query), fragment=f"claim-{claim_id}"))
    return RedirectResponse(url, status_code=303)


# --- pages and forms ----------------------------------------------------------------------


def _claim_page(
    request: Request,
    store: Store,
    claim_id: int,
    form: ClaimForm | None = None,
    error: InputError | None = None,
) -> HTMLResponse:
    """The claim, its edit form (as sent, with ``error``'s problems beside their fields:
    ``_form_status``), and its history."""
    view = claim_view(store, claim_id)
    context: dict[str, Any] = {"view": view}
    if is_editor(request):  # only a reviewer sees the form, and pays for its pickers
        context |= form_context(store, form or ClaimForm.of(view.stored.claim), error)
    return render(request, "claim.html", context, status=_form_status(request, error))


@router.get("/claims/{claim_id}", response_class=HTMLResponse, include_in_schema=False)
def claim_page(request: Request, store: StoreDep, claim_id: Id) -> HTMLResponse:
    return _claim_page(request, store, claim_id)


def _verdict_form(
    request: Request, store: Store, claim_id: int, form: Action, verdict: Verdict
) -> RedirectResponse:
    require_editor_form(request, form.csrf_token)
    _decide(store, verdict, claim_id, reviewer_of(request, form.reviewer))
    return back_to(form.next, f"/claims/{claim_id}", store, claim_id)


@router.post("/claims/{claim_id}/accept", include_in_schema=False)
def accept_form(
    request: Request, store: StoreDep, claim_id: Id, form: Annotated[Action, Form()]
) -> RedirectResponse:
    return _verdict_form(request, store, claim_id, form, "accept")


@router.post("/claims/{claim_id}/reject", include_in_schema=False)
def reject_form(
    request: Request, store: StoreDep, claim_id: Id, form: Annotated[Action, Form()]
) -> RedirectResponse:
    return _verdict_form(request, store, claim_id, form, "reject")


def _edit_page(
    request: Request,
    store: Store,
    claim_id: int,
    next_url: str,
    form: ClaimForm | None = None,
    error: InputError | None = None,
) -> HTMLResponse:
    """The claim's edit form alone, to save and go back to ``next_url`` (the page it was
    opened from: a cell, a document, the claims browser), where the edit is confirmed
    beside the claim with an Undo. Scripts open it in place under the claim; without
    them it is this page. With ``error``, the form as sent, each problem beside its field
    (``_form_status``)."""
    view = claim_view(store, claim_id)
    back = local_path(next_url) or f"/claims/{claim_id}"
    context: dict[str, Any] = {"view": view, "next": back, "cancel": f"{back}#claim-{claim_id}"}
    if is_editor(request):
        context |= form_context(store, form or ClaimForm.of(view.stored.claim), error)
    return render(request, "claim_edit.html", context, status=_form_status(request, error))


def _form_status(request: Request, error: InputError | None) -> int:
    """A form shown again with its errors is a 400, except to ``app.js``, which sends it
    in place (``X-In-Place``) and swaps the errors in beside the fields: there it is the
    form's ordinary answer, not a failed request for the browser's console to report."""
    if error is None or request.headers.get("x-in-place"):
        return 200
    return 400


@router.get("/claims/{claim_id}/edit", response_class=HTMLResponse, include_in_schema=False)
def edit_page(request: Request, store: StoreDep, claim_id: Id, next: str = "") -> HTMLResponse:
    return _edit_page(request, store, claim_id, next)


@router.post("/claims/{claim_id}/edit", include_in_schema=False, response_model=None)
def edit_form(
    request: Request, store: StoreDep, claim_id: Id, form: Annotated[ClaimForm, Form()]
) -> Response:
    """Save, and go back to the page the form came from; a mistake shows the form again
    as it was sent: on the claim page when it came from there, else alone."""
    require_editor_form(request, form.csrf_token)
    try:
        store.review.edit(claim_id, form.fields(), reviewer_of(request, form.reviewer))
    except InputError as exc:
        if local_path(form.next) in ("", f"/claims/{claim_id}"):
            return _claim_page(request, store, claim_id, form, exc)
        return _edit_page(request, store, claim_id, form.next, form, exc)
    return back_to(form.next, f"/claims/{claim_id}", store, claim_id)


class UndoForm(Action):
    event: Annotated[int, Field(ge=1, le=MAX_INT)]


@router.post("/claims/{claim_id}/undo", include_in_schema=False)
def undo_form(
    request: Request, store: StoreDep, claim_id: Id, form: Annotated[UndoForm, Form()]
) -> RedirectResponse:
    """Undo the action a page has just confirmed (it must still be the claim's latest)."""
    require_editor_form(request, form.csrf_token)
    store.review.undo(claim_id, form.event, reviewer_of(request, form.reviewer))
    return back_to(form.next, f"/claims/{claim_id}", store, claim_id)


@router.post("/claims/{claim_id}/restore", include_in_schema=False)
def restore_form(
    request: Request, store: StoreDep, claim_id: Id, form: Annotated[Action, Form()]
) -> RedirectResponse:
    """Bring back a rejected claim as it was before it was rejected."""
    require_editor_form(request, form.csrf_token)
    _restore(store, claim_id, reviewer_of(request, form.reviewer))
    return back_to(form.next, f"/claims/{claim_id}", store, claim_id)


def _restore(store: Store, claim_id: int, reviewer: str) -> StoredClaim:
    history = store.review.history(claim_id)
    if not history or history[-1].action != "reject":
        raise InputError(f"claim {claim_id} is not rejected: there is nothing to restore")
    return store.review.undo(claim_id, history[-1].id, reviewer)


@router.post("/documents/{document_id}/claims", include_in_schema=False, response_model=None)
def add_form(
    request: Request, store: StoreDep, document_id: Id, form: Annotated[ClaimForm, Form()]
) -> Response:
    """Add, and go back to the document at the new claim; a mistake shows the document
    with the form as it was sent."""
    require_editor_form(request, form.csrf_token)
    try:
        added = store.review.add(document_id, form.fields(), reviewer_of(request, form.reviewer))
    except InputError as exc:
        return show_document(request, store, document_id, form, exc)
    return back_to(form.next, f"/documents/{document_id}", store, added.id)


# --- API ----------------------------------------------------------------------------------


class ReviewerBody(BaseModel):
    reviewer: str = Field("", description="Name for the audit trail (default: anonymous).")


class ClaimChanges(ReviewerBody):
    """Only the fields given change; the result must still be a valid claim."""

    actors: list[str] | None = None
    stance: Stance | None = None
    issue: str | None = None
    obligor: list[str] | None = None
    territories: list[str] | None = None
    conditions: list[dict[str, Any]] | None = None
    recognition: dict[str, Any] | None = None
    proposal: str | None = None
    attribution: dict[str, Any] | None = None
    evidence: str | None = None
    start: Offset = None
    end: Offset = None


class NewClaim(ReviewerBody):
    """A claim found by hand; ``start``/``end`` locate the evidence (found when omitted)."""

    actors: list[str]
    stance: Stance
    issue: str
    obligor: list[str] | None = None
    territories: list[str] | None = None
    conditions: list[dict[str, Any]] | None = None
    recognition: dict[str, Any] | None = None
    proposal: str | None = None
    attribution: dict[str, Any] | None = None
    evidence: str
    start: Offset = None
    end: Offset = None


@router.get("/api/claims/{claim_id}", tags=["review"])
def claim_api(store: StoreDep, claim_id: Id) -> dict[str, Any]:
    """A claim (rejected ones too) with its audit trail."""
    return claim_view(store, claim_id).to_json()


def _verdict_api(
    request: Request, store: Store, claim_id: int, body: ReviewerBody | None, verdict: Verdict
) -> dict[str, Any]:
    reviewer = reviewer_of(request, body.reviewer if body else None)
    return claim_json(_decide(store, verdict, claim_id, reviewer))


def _decide(store: Store, verdict: Verdict, claim_id: int, reviewer: str) -> StoredClaim:
    review = store.review
    return (review.accept if verdict == "accept" else review.reject)(claim_id, reviewer)


@router.post("/api/claims/{claim_id}/accept", tags=["review"], dependencies=Bearer)
def accept_api(
    request: Request, store: StoreDep, claim_id: Id, body: ReviewerBody | None = None
) -> dict[str, Any]:
    return _verdict_api(request, store, claim_id, body, "accept")


@router.post("/api/claims/{claim_id}/reject", tags=["review"], dependencies=Bearer)
def reject_api(
    request: Request, store: StoreDep, claim_id: Id, body: ReviewerBody | None = None
) -> dict[str, Any]:
    return _verdict_api(request, store, claim_id, body, "reject")


class UndoBody(ReviewerBody):
    event: int = Field(ge=1, le=MAX_INT, description="The action to undo: the claim's latest.")


@router.post("/api/claims/{claim_id}/undo", tags=["review"], dependencies=Bearer)
def undo_api(request: Request, store: StoreDep, claim_id: Id, body: UndoBody) -> dict[str, Any]:
    """Put the claim back as it was before its latest action (audited as ``restore``)."""
    return claim_json(store.review.undo(claim_id, body.event, reviewer_of(request, body.reviewer)))


@router.post("/api/claims/{claim_id}/restore", tags=["review"], dependencies=Bearer)
def restore_api(
    request: Request, store: StoreDep, claim_id: Id, body: ReviewerBody | None = None
) -> dict[str, Any]:
    """Bring back a rejected claim as it was before it was rejected."""
    return claim_json(
        _restore(store, claim_id, reviewer_of(request, body.reviewer if body else None))
    )


@router.patch("/api/claims/{claim_id}", tags=["review"], dependencies=Bearer)
def edit_api(request: Request, store: StoreDep, claim_id: Id, body: ClaimChanges) -> dict[str, Any]:
    changes = body.model_dump(mode="json", exclude_unset=True, exclude={"reviewer"})
    return claim_json(store.review.edit(claim_id, changes, reviewer_of(request, body.reviewer)))


@router.post(
    "/api/documents/{document_id}/claims", tags=["review"], dependencies=Bearer, status_code=201
)
def add_api(request: Request, store: StoreDep, document_id: Id, body: NewClaim) -> dict[str, Any]:
    data = body.model_dump(mode="json", exclude={"reviewer"})
    return claim_json(store.review.add(document_id, data, reviewer_of(request, body.reviewer)))
