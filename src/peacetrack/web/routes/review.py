"""Reviewing claims: the claim page, and accept / edit / reject / add, as forms and API."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from peacetrack.errors import InputError
from peacetrack.model import Stance
from peacetrack.store import Store, StoredClaim
from peacetrack.web.inputs import MAX_INT, Id, StrictJsonRoute
from peacetrack.web.pages import render
from peacetrack.web.security import require_bearer, require_editor_form, reviewer_of
from peacetrack.web.views import claim_json, claim_view, split, store_of

router = APIRouter(route_class=StrictJsonRoute)
StoreDep = Annotated[Store, Depends(store_of)]
Bearer = [Depends(require_bearer)]
#: A character offset into a document's text (as the add and edit forms send it).
Offset = Annotated[int | None, Field(ge=0, le=MAX_INT)]
#: A reviewer's verdict on a claim as it stands.
Verdict = Literal["accept", "reject"]


class ClaimForm(BaseModel):
    """A claim as the edit and add forms send it: lists comma-separated, objects as JSON."""

    csrf_token: str = ""
    reviewer: str = ""
    next: str = ""
    actors: str = ""
    stance: str = ""
    issue: str = ""
    obligor: str = ""
    territories: str = ""
    proposal: str = ""
    attribution_source: str = ""
    attribution_anonymous: bool = False
    conditions: str = ""
    recognition: str = ""
    evidence: str = ""
    start: Offset = None
    end: Offset = None

    def fields(self) -> dict[str, Any]:
        """The guideline fields (and offsets), as ``store.review.edit`` and ``add`` take them."""
        source = self.attribution_source.strip()
        attributed = bool(source) or self.attribution_anonymous
        return {
            "actors": split(self.actors) or [],
            "stance": self.stance,
            "issue": self.issue.strip(),
            "obligor": split(self.obligor),
            "territories": split(self.territories),
            "proposal": self.proposal.strip() or None,
            "attribution": (
                {"source": source or None, "anonymous": self.attribution_anonymous}
                if attributed
                else None
            ),
            "conditions": _json_field("conditions", self.conditions),
            "recognition": _json_field("recognition", self.recognition),
            "evidence": self.evidence,
            "start": self.start,
            "end": self.end,
        }


def _json_field(name: str, value: str) -> Any:
    if not value.strip():
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}: not valid JSON ({exc.msg}); e.g. "
            + (
                '[{"relation": "before", "issue": "CF.GENERAL"}]'
                if name == "conditions"
                else '{"by": ["USA"], "type": "de_jure"}'
            )
        ) from None


class Action(BaseModel):
    csrf_token: str = ""
    reviewer: str = ""
    next: str = ""


def back_to(next_url: str, fallback: str) -> RedirectResponse:
    """Back to the page the form was on: local paths only, never another site."""
    local = next_url.startswith("/") and not next_url.startswith(("//", "/\\"))
    return RedirectResponse(next_url if local else fallback, status_code=303)


# --- pages and forms ----------------------------------------------------------------------


@router.get("/claims/{claim_id}", response_class=HTMLResponse, include_in_schema=False)
def claim_page(request: Request, store: StoreDep, claim_id: Id) -> HTMLResponse:
    context = {"view": claim_view(store, claim_id), "stances": [s.value for s in Stance]}
    return render(request, "claim.html", context)


def _verdict_form(
    request: Request, store: Store, claim_id: int, form: Action, verdict: Verdict
) -> RedirectResponse:
    require_editor_form(request, form.csrf_token)
    _decide(store, verdict, claim_id, reviewer_of(request, form.reviewer))
    return back_to(form.next, f"/claims/{claim_id}")


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


@router.post("/claims/{claim_id}/edit", include_in_schema=False)
def edit_form(
    request: Request, store: StoreDep, claim_id: Id, form: Annotated[ClaimForm, Form()]
) -> RedirectResponse:
    require_editor_form(request, form.csrf_token)
    store.review.edit(claim_id, form.fields(), reviewer_of(request, form.reviewer))
    return back_to(form.next, f"/claims/{claim_id}")


@router.post("/documents/{document_id}/claims", include_in_schema=False)
def add_form(
    request: Request, store: StoreDep, document_id: Id, form: Annotated[ClaimForm, Form()]
) -> RedirectResponse:
    require_editor_form(request, form.csrf_token)
    added = store.review.add(document_id, form.fields(), reviewer_of(request, form.reviewer))
    return back_to(form.next, f"/claims/{added.id}")


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
