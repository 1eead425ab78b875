"""Overview, documents and search."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from peacetrack.errors import InputError
from peacetrack.store import Store
from peacetrack.web.claim_form import ClaimForm, form_context
from peacetrack.web.inputs import Id, PageNumber, StrictJsonRoute
from peacetrack.web.pages import render
from peacetrack.web.security import is_editor
from peacetrack.web.views import document_json, document_view, overview, store_of

router = APIRouter(route_class=StrictJsonRoute)
StoreDep = Annotated[Store, Depends(store_of)]
PAGE_SIZE = 50


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview_page(request: Request, store: StoreDep, since: date | None = None) -> HTMLResponse:
    return render(request, "overview.html", overview(store, since))


@router.get("/api/overview", tags=["browse"])
def overview_api(store: StoreDep, since: date | None = None) -> dict[str, Any]:
    """Counts, proposals, actors, latest documents; with ``since``, what is new since then."""
    return overview(store, since)


def _documents(store: Store, page: int) -> dict[str, Any]:
    docs = store.documents(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    total = store.count_documents()
    return {
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "total": total,
        "documents": [document_json(d) for d in docs],
    }


@router.get("/documents", response_class=HTMLResponse, include_in_schema=False)
def documents_page(request: Request, store: StoreDep, page: PageNumber = 1) -> HTMLResponse:
    return render(request, "documents.html", _documents(store, page))


@router.get("/api/documents", tags=["browse"])
def documents_api(store: StoreDep, page: PageNumber = 1) -> dict[str, Any]:
    """Documents newest first, 50 per page."""
    return _documents(store, page)


def show_document(
    request: Request,
    store: Store,
    document_id: int,
    form: ClaimForm | None = None,
    error: InputError | None = None,
) -> HTMLResponse:
    """The document with its claims, and the form adding one (as sent, with ``error``'s
    problems beside their fields: a 400)."""
    context: dict[str, Any] = {"view": document_view(store, document_id)}
    if is_editor(request):  # only a reviewer sees the form, and pays for its pickers
        context |= form_context(store, form or ClaimForm(), error)
    return render(request, "document.html", context, status=400 if error else 200)


@router.get("/documents/{document_id}", response_class=HTMLResponse, include_in_schema=False)
def document_page(request: Request, store: StoreDep, document_id: Id) -> HTMLResponse:
    return show_document(request, store, document_id)


@router.get("/api/documents/{document_id}", tags=["browse"])
def document_api(store: StoreDep, document_id: Id) -> dict[str, Any]:
    """A document's text and metadata, its claims (with offsets) and its near duplicates."""
    return document_view(store, document_id).to_json()


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(request: Request, store: StoreDep, q: str = "") -> HTMLResponse:
    return render(request, "search.html", {"q": q, "results": store.search(q) if q else None})


@router.get("/api/search", tags=["browse"])
def search_api(store: StoreDep, q: str, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> Any:
    """Documents and claims matching every word of ``q``; snippets mark matches with
    \\u0002 and \\u0003."""
    return store.search(q, limit)
