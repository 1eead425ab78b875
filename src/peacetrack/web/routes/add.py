"""Adding reports: pasted text, a URL, or uploaded files, each queued as a job.

A request checks what it was sent (size, URL, login), saves it, queues the job and answers
at once: the API with 202 and the job's address, the form with a redirect to the job's
page, which shows its progress and then what became of each input and the claims found.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from peacetrack.ingest import check_url
from peacetrack.store import Store
from peacetrack.web.gate import MAX_REQUEST_BYTES, size_words
from peacetrack.web.inputs import Id, StrictJsonRoute
from peacetrack.web.jobs import Job, JobRunner
from peacetrack.web.pages import render
from peacetrack.web.reports import (
    Added,
    add_files,
    add_text,
    add_url,
    sidecar_meta,
    upload_path,
)
from peacetrack.web.security import require_bearer, require_editor_form
from peacetrack.web.views import claim_json, store_of

router = APIRouter(route_class=StrictJsonRoute)
StoreDep = Annotated[Store, Depends(store_of)]
MAX_FILES = 20
CHUNK = 64 * 1024


class TextReport(BaseModel):
    """Pasted report text with what is known about it."""

    text: str = Field(min_length=1)
    title: str | None = Field(None, max_length=500)
    outlet: str | None = Field(None, max_length=200)
    published: date | None = None
    url: str | None = Field(
        None, max_length=2000, description="Where the text was read (shown as its source)."
    )


class UrlReport(BaseModel):
    url: str = Field(
        max_length=2000, description="A public http(s) page or feed; private addresses are refused."
    )


# --- queueing -----------------------------------------------------------------------------


def _runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.jobs
    return runner


def _limit(request: Request) -> int:
    limit: int = request.app.state.max_upload_bytes
    return limit


def _over(limit: int) -> str:
    return f"over the {size_words(limit)} limit per report"


def _queue_text(request: Request, store: Store, text: str, meta: dict[str, str]) -> Job:
    limit = _limit(request)
    if len(text.encode("utf-8")) > limit:
        raise HTTPException(413, f"the text is {_over(limit)}: split it into several reports")
    extractor = request.app.state.extractor
    label = meta.get("title") or "pasted text"
    return _runner(request).submit(
        "text", label, lambda job: add_text(store, text, meta, extractor, job.progress)
    )


def _queue_url(request: Request, store: Store, url: str) -> Job:
    check_url(url)  # refused at once: no job for a private address
    limit, extractor = _limit(request), request.app.state.extractor
    return _runner(request).submit(
        "url", url, lambda job: add_url(store, url, limit, extractor, job.progress)
    )


def _queue_files(request: Request, store: Store, files: list[UploadFile]) -> Job:
    uploads = [f for f in files if f.filename]
    if not uploads:  # the form parser refuses more than MAX_FILES
        raise HTTPException(400, "choose at least one file")
    folder = Path(tempfile.mkdtemp(prefix="peacetrack-upload-"))
    try:
        saved = _save_uploads(uploads, folder, _limit(request))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    limit, extractor = _limit(request), request.app.state.extractor
    label = saved[0][0] if len(saved) == 1 else f"{len(saved)} files"
    return _runner(request).submit(
        "files",
        label,
        lambda job: add_files(store, saved, limit, extractor, job.progress),
        cleanup=lambda: shutil.rmtree(folder, ignore_errors=True),
    )


def _save_uploads(uploads: list[UploadFile], folder: Path, limit: int) -> list[tuple[str, Path]]:
    """Each upload copied to ``folder`` as it streams, refusing (413) one over ``limit``."""
    saved = []
    for index, upload in enumerate(uploads):
        name = upload.filename or f"upload-{index}.txt"
        path = upload_path(folder, index, name)
        size = 0
        with path.open("wb") as out:
            while chunk := upload.file.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise HTTPException(413, f"{name}: {_over(limit)}")
                out.write(chunk)
        saved.append((name, path))
    return saved


# --- what a job shows ---------------------------------------------------------------------


def job_json(job: Job, store: Store, with_claims: bool = True) -> dict[str, Any]:
    """The job's state; once done, each input's fate (and the claims of its documents)."""
    data = job.snapshot() | {"page": f"/jobs/{job.id}", "api": f"/api/jobs/{job.id}"}
    if data["state"] == "done" and isinstance(job.result, Added):
        added: Added = job.result
        data |= added.stats() | {
            "summary": added.describe(),
            "files": [fate.to_json() for fate in added.fates],
            "document_ids": added.document_ids,
        }
        if with_claims:
            ids = added.document_ids
            data["claims"] = [claim_json(s) for d in ids for s in store.claims(document=d)]
    return data


def _accepted(job: Job, store: Store, response: Response) -> dict[str, Any]:
    response.headers["Location"] = f"/api/jobs/{job.id}"
    return job_json(job, store)


# --- pages and forms ----------------------------------------------------------------------


@router.get("/reports/new", response_class=HTMLResponse, include_in_schema=False)
def new_report_page(request: Request) -> HTMLResponse:
    jobs = [j.snapshot() for j in _runner(request).recent()]
    return render(request, "add.html", {"jobs": jobs})


# The gate caps the whole request: a pasted text may use all of it (then checked per report).
@router.post(
    "/reports",
    include_in_schema=False,
    form_limits={"max_part_size": MAX_REQUEST_BYTES, "max_files": MAX_FILES},
)
def add_report_form(
    request: Request,
    store: StoreDep,
    csrf_token: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    title: Annotated[str, Form(max_length=500)] = "",
    outlet: Annotated[str, Form(max_length=200)] = "",
    published: Annotated[date | None, Form()] = None,
    url: Annotated[str, Form(max_length=2000)] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> RedirectResponse:
    require_editor_form(request, csrf_token)
    if any(f.filename for f in files or []):
        job = _queue_files(request, store, files or [])
    elif url.strip():
        job = _queue_url(request, store, url.strip())
    elif text.strip():
        meta = sidecar_meta(title, outlet, published, None)
        job = _queue_text(request, store, text, meta)
    else:
        raise HTTPException(400, "paste a report's text, give its URL, or choose files")
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def job_page(request: Request, store: StoreDep, job_id: Id) -> HTMLResponse:
    job = _runner(request).get(job_id)
    data = job_json(job, store)
    added = job.result if data["state"] == "done" else None
    claims = {d: store.claims(document=d) for d in added.document_ids} if added else {}
    context = {
        "job": data,
        "added": added,
        "claims": claims,
        "ahead": _runner(request).waiting_before(job),
    }
    return render(request, "job.html", context)


# --- API ----------------------------------------------------------------------------------

Bearer = [Depends(require_bearer)]


@router.post("/api/reports/text", tags=["reports"], dependencies=Bearer, status_code=202)
def add_text_api(
    request: Request, store: StoreDep, body: TextReport, response: Response
) -> dict[str, Any]:
    """Queue pasted text to be stored and its claims extracted; follow the job it returns."""
    meta = sidecar_meta(body.title, body.outlet, body.published, body.url)
    return _accepted(_queue_text(request, store, body.text, meta), store, response)


@router.post("/api/reports/url", tags=["reports"], dependencies=Bearer, status_code=202)
def add_url_api(
    request: Request, store: StoreDep, body: UrlReport, response: Response
) -> dict[str, Any]:
    """Queue a public page or feed to be fetched, stored and extracted."""
    return _accepted(_queue_url(request, store, body.url.strip()), store, response)


@router.post(
    "/api/reports/files",
    tags=["reports"],
    dependencies=Bearer,
    status_code=202,
    form_limits={"max_files": MAX_FILES},
)
def add_files_api(
    request: Request,
    store: StoreDep,
    files: Annotated[list[UploadFile], File()],
    response: Response,
) -> dict[str, Any]:
    """Queue report files (text, HTML, feeds, JSONL/CSV corpora; 5 MB each, 20 at a time);
    the job reports each file's fate."""
    return _accepted(_queue_files(request, store, files), store, response)


@router.get("/api/jobs", tags=["reports"])
def jobs_api(request: Request, store: StoreDep) -> list[dict[str, Any]]:
    """The most recent jobs adding reports, newest first (kept until the server restarts)."""
    return [job_json(j, store, with_claims=False) for j in _runner(request).recent()]


@router.get("/api/jobs/{job_id}", tags=["reports"])
def job_api(request: Request, store: StoreDep, job_id: Id) -> dict[str, Any]:
    """A job adding reports: state, stage and counts; once done, each input's fate
    (stored, duplicate, or failed with the reason) and the claims found."""
    return job_json(_runner(request).get(job_id), store)
