"""A page per actor and per proposal, each with its JSON and CSV twins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response

from peacetrack.store import Store
from peacetrack.web.inputs import StrictJsonRoute
from peacetrack.web.pages import render
from peacetrack.web.profiles import (
    POSITION_COLUMNS,
    STEP_COLUMNS,
    actor_profile,
    position_rows,
    proposal_profile,
    step_rows,
)
from peacetrack.web.twins import csv_reply
from peacetrack.web.views import store_of

#: The CSV twins are declared before the JSON ones: ``{actor}`` would also match ``RUS.csv``.
router = APIRouter(route_class=StrictJsonRoute)
StoreDep = Annotated[Store, Depends(store_of)]
ActorId = Annotated[str, Path(max_length=64, description="An actor id, such as RUS.")]
ProposalRef = Annotated[
    str, Path(max_length=300, description="A proposal's id, name, alias or a unique part of it.")
]


@router.get("/actors/{actor}", response_class=HTMLResponse, include_in_schema=False)
def actor_page(request: Request, store: StoreDep, actor: ActorId) -> HTMLResponse:
    return render(request, "actor.html", actor_profile(store, actor, every_evidence=False))


@router.get("/api/actors/{actor}.csv", tags=["browse"], response_class=Response)
def actor_csv(store: StoreDep, actor: ActorId) -> Response:
    """The steps the actor's page shows (each issue's newest), one row each."""
    profile = actor_profile(store, actor, every_evidence=False)
    return csv_reply(step_rows(profile), STEP_COLUMNS, f"actor-{profile['actor']}")


@router.get("/api/actors/{actor}", tags=["browse"])
def actor_api(store: StoreDep, actor: ActorId) -> dict[str, Any]:
    """What the actor held on each issue: its newest steps, how many there are in all, and
    the claims behind each step shown."""
    return actor_profile(store, actor)


@router.get("/proposals/{ref}", response_class=HTMLResponse, include_in_schema=False)
def proposal_page(request: Request, store: StoreDep, ref: ProposalRef) -> HTMLResponse:
    return render(request, "proposal.html", proposal_profile(store, ref))


@router.get("/api/proposals/{ref}.csv", tags=["browse"], response_class=Response)
def proposal_csv(store: StoreDep, ref: ProposalRef) -> Response:
    """The proposal's positions: one row per issue, stance and actor."""
    profile = proposal_profile(store, ref)
    return csv_reply(
        position_rows(profile), POSITION_COLUMNS, f"proposal-{profile['proposal']['id']}"
    )


@router.get("/api/proposals/{ref}", tags=["browse"])
def proposal_api(store: StoreDep, ref: ProposalRef) -> dict[str, Any]:
    """The proposal, and per issue who put it forward, accepted or rejected it, with sources."""
    return proposal_profile(store, ref)
