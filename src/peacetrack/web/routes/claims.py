"""The claims browser: ``/claims``, its JSON twin ``/api/claims``, and CSV and JSON exports.

The exports are ``peacetrack claims --format csv/json`` for the same filters, rendered by
the same function (``compare.render_claims``), so a file from the web and one from the
command line are the same bytes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from peacetrack.compare import render_claims
from peacetrack.store import ClaimFacets, Store
from peacetrack.web.claims import Checked, ClaimsQuery, browse, errors_text, export
from peacetrack.web.inputs import StrictJsonRoute
from peacetrack.web.pages import render
from peacetrack.web.twins import json_reply
from peacetrack.web.views import claim_json, conflict_choices, store_of

router = APIRouter(route_class=StrictJsonRoute)
StoreDep = Annotated[Store, Depends(store_of)]
QueryDep = Annotated[ClaimsQuery, Depends()]
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@router.get("/claims", response_class=HTMLResponse, include_in_schema=False)
def claims_page(request: Request, store: StoreDep, query: QueryDep) -> HTMLResponse:
    """The form as typed, with any error beside its field (400), else the page of claims."""
    page = browse(query, store) | {"conflicts": conflict_choices(store)}
    return render(request, "claims.html", page, status=400 if page["errors"] else 200)


def _json(page: dict[str, Any]) -> dict[str, Any]:
    query: ClaimsQuery = page["query"]
    facets: ClaimFacets = page["facets"]
    return {
        "total": page["total"],
        # False: more than ``total`` claims match (or, with ``total_counted`` false, an
        # unknown number): they were not all counted in time.
        "total_exact": facets.exact,
        "total_counted": facets.counted,
        "page": page["page"],
        "pages": page["pages"],  # None when the total was not counted in time
        "more": page["more"],  # whether a next page is offered
        "per_page": page["per_page"],
        "filters": query.params(),
        "facets": {
            name: [{"value": v, "count": n} for v, n in values]
            for name, values in facets.counts.items()
        },
        # Facets not counted in time (narrower filters count them).
        "facets_late": list(facets.late),
        "claims": [
            claim_json(s)
            | {"links": {"claim": f"/claims/{s.id}", "document": f"/documents/{s.document_id}"}}
            for s in page["claims"]
        ],
        "exports": {fmt: query.url(f"/api/claims.{fmt}", page="") for fmt in ("csv", "json")},
    }


@router.get("/api/claims", tags=["browse"], response_class=Response)
def claims_api(store: StoreDep, query: QueryDep) -> Response:
    """Claims filtered (actor, issue, stance, outlet, extractor, status, document, proposal,
    conflict, min_support, since, until), sorted (``sort`` date, issue or stance; ``order``
    asc or desc) and paged (``page``, ``per_page`` up to 200; pages reach 10,000 claims
    down), with facet counts over every claim chosen; the support facet counts the claims
    at or above each level. A count that takes too long is left out (``facets_late``; a
    total only bounded: ``total_exact`` false)."""
    page = browse(query, store)
    if page["errors"]:
        return JSONResponse({"detail": errors_text(page["errors"])}, status_code=400)
    return json_reply(_json(page))


def _export(store: Store, query: ClaimsQuery, fmt: Literal["csv", "json"]) -> Response:
    found = export(query, store)
    if isinstance(found, Checked):
        return JSONResponse({"detail": errors_text(found.errors)}, status_code=400)
    text = render_claims(found, fmt)
    body = text if text.endswith("\n") or not text else text + "\n"
    disposition = f'inline; filename="claims.{fmt}"'
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": disposition})


@router.get("/api/claims.csv", tags=["browse"], response_class=Response)
def claims_csv(store: StoreDep, query: QueryDep) -> Response:
    """Every claim the filters choose, as ``peacetrack claims --format csv`` writes them."""
    return _export(store, query, "csv")


@router.get("/api/claims.json", tags=["browse"], response_class=Response)
def claims_json(store: StoreDep, query: QueryDep) -> Response:
    """Every claim the filters choose, as ``peacetrack claims --format json`` writes them."""
    return _export(store, query, "json")
