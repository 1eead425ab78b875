"""Adding reports: pasted text, a URL, or uploaded files; extraction runs on them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from peacetrack.store import Store
from peacetrack.web.pages import render
from peacetrack.web.reports import Added, add_files, add_text, add_url
from peacetrack.web.security import require_bearer, require_editor_form
from peacetrack.web.views import claim_json, store_of

router = APIRouter()
StoreDep = Annotated[Store, Depends(store_of)]
MAX_FILES = 20
CHUNK = 64 * 1024


class TextReport(BaseModel):
    """Pasted report text with what is known about it."""

    text: str = Field(min_length=1)
    title: str | None = None
    outlet: str | None = None
    published: date | None = None
    url: str | None = Field(None, description="Where the text was read (shown as its source).")


class UrlReport(BaseModel):
    url: str = Field(description="A public http(s) page or feed; private addresses are refused.")


def added_json(added: Added) -> dict[str, Any]:
    summary = added.summary
    return summary.stats() | {
        "document_ids": summary.document_ids,
        "failures": [{"input": f.input, "reason": f.reason} for f in summary.failed],
        "claims": [claim_json(s) for claims in added.claims.values() for s in claims],
    }


def _limit(request: Request) -> int:
    limit: int = request.app.state.max_upload_bytes
    return limit


async def _read_uploads(files: list[UploadFile], limit: int) -> list[tuple[str, bytes]]:
    """File contents, refusing (413) any file over ``limit`` bytes as it streams in."""
    uploads = [f for f in files if f.filename]
    if len(uploads) > MAX_FILES:
        raise HTTPException(413, f"{len(uploads)} files: send at most {MAX_FILES} at a time")
    read = []
    for upload in uploads:
        data = bytearray()
        while chunk := await upload.read(CHUNK):
            data += chunk
            if len(data) > limit:
                raise HTTPException(
                    413, f"{upload.filename}: over the {limit // 1_048_576} MB limit per file"
                )
        read.append((upload.filename or "upload.txt", bytes(data)))
    return read


# --- page and form ------------------------------------------------------------------------


@router.get("/reports/new", response_class=HTMLResponse, include_in_schema=False)
def new_report_page(request: Request) -> HTMLResponse:
    return render(request, "add.html", {"added": None})


@router.post("/reports", response_class=HTMLResponse, include_in_schema=False)
async def add_report_form(
    request: Request,
    store: StoreDep,
    csrf_token: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    outlet: Annotated[str, Form()] = "",
    published: Annotated[date | None, Form()] = None,
    url: Annotated[str, Form()] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> HTMLResponse:
    require_editor_form(request, csrf_token)
    uploads = await _read_uploads(files or [], _limit(request))
    if uploads:
        added = add_files(store, uploads, _limit(request))
    elif url.strip():
        added = add_url(store, url.strip(), _limit(request))
    elif text.strip():
        added = add_text(store, text, title=title, outlet=outlet, published=published)
    else:
        raise HTTPException(400, "paste a report's text, give its URL, or choose files")
    return render(request, "add.html", {"added": added})


# --- API ----------------------------------------------------------------------------------


@router.post("/api/reports/text", tags=["reports"], dependencies=[Depends(require_bearer)])
def add_text_api(store: StoreDep, body: TextReport) -> dict[str, Any]:
    """Store pasted text as a document and extract its claims (rules.v1)."""
    added = add_text(
        store,
        body.text,
        title=body.title,
        outlet=body.outlet,
        published=body.published,
        url=body.url,
    )
    return added_json(added)


@router.post("/api/reports/url", tags=["reports"], dependencies=[Depends(require_bearer)])
def add_url_api(request: Request, store: StoreDep, body: UrlReport) -> dict[str, Any]:
    """Fetch a public page or feed, store it and extract its claims."""
    return added_json(add_url(store, body.url, _limit(request)))


@router.post("/api/reports/files", tags=["reports"], dependencies=[Depends(require_bearer)])
async def add_files_api(
    request: Request, store: StoreDep, files: Annotated[list[UploadFile], File()]
) -> dict[str, Any]:
    """Upload report files (text, HTML, feeds, JSONL/CSV corpora); 5 MB per file."""
    uploads = await _read_uploads(files, _limit(request))
    return added_json(add_files(store, uploads, _limit(request)))
