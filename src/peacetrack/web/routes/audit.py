"""The audit log across claims: /audit, its JSON twin /api/audit and /api/audit.csv."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from peacetrack.store import Store
from peacetrack.web.audit import CSV_COLUMNS, AuditQuery, audit_page, csv_rows, event_json
from peacetrack.web.claims import errors_text
from peacetrack.web.inputs import StrictJsonRoute
from peacetrack.web.pages import render
from peacetrack.web.twins import csv_reply
from peacetrack.web.views import store_of

router = APIRouter(route_class=StrictJsonRoute)
StoreDep = Annotated[Store, Depends(store_of)]
QueryDep = Annotated[AuditQuery, Depends()]


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_html(request: Request, store: StoreDep, query: QueryDep) -> HTMLResponse:
    page = audit_page(query, store)
    return render(request, "audit.html", page, status=400 if page["errors"] else 200)


@router.get("/api/audit", tags=["review"], response_model=None)
def audit_api(store: StoreDep, query: QueryDep) -> dict[str, Any] | JSONResponse:
    """Every review action (``reviewer``, ``action``, ``claim`` to narrow), newest first,
    50 a ``page``, each with the fields it changed as before and after."""
    page = audit_page(query, store)
    if page["errors"]:
        return JSONResponse({"detail": errors_text(page["errors"])}, status_code=400)
    log = page["log"]
    return {
        "total": log.total,
        "page": page["page"],
        "pages": page["pages"],
        "filters": query.params(page=""),
        "facets": {
            name: [{"value": v, "count": n} for v, n in counts]
            for name, counts in (("reviewer", log.reviewers), ("action", log.actions))
        },
        "events": [event_json(e) for e in log.events],
    }


@router.get("/api/audit.csv", tags=["review"], response_class=Response)
def audit_csv(store: StoreDep, query: QueryDep) -> Response:
    """The whole log under the filters, one row per field changed."""
    page = audit_page(query, store, everything=True)
    if page["errors"]:
        return JSONResponse({"detail": errors_text(page["errors"])}, status_code=400)
    return csv_reply(csv_rows(page["log"].events), CSV_COLUMNS, "audit")
