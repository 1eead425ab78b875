"""The web app: ``create_app(store_url, token)`` gives a FastAPI app over one store.

Pages are rendered on the server (Jinja2, autoescaped); each has a JSON twin under
``/api``. Every asset is served from the package (Swagger UI vendored under
``static/vendor``, plotly.js's basic bundle under ``compare/vendor``), so the app works
with no network and leaks no visits to a CDN; every reply is compressed when the browser
accepts gzip.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from peacetrack import __version__
from peacetrack.compare.report import PLOTLY_BASIC
from peacetrack.extract.base import DEFAULT_EXTRACTOR
from peacetrack.store import Store
from peacetrack.web.errors import install as install_error_handlers
from peacetrack.web.gate import (
    LOOPBACK_NAMES,
    MAX_REQUEST_BYTES,
    MAX_UPLOAD_BYTES,
    BodyLimits,
    RequestGate,
)
from peacetrack.web.jobs import JobRunner
from peacetrack.web.routes import ROUTERS
from peacetrack.web.security import CSRF_COOKIE, Guard
from peacetrack.web.worker import ExtractionWorker

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
#: Swagger UI from ``static/vendor`` (npm's swagger-ui-dist), started by ``static/docs.js``:
#: no inline script, so the app's own Content-Security-Policy lets it run.
API_DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PeaceTrack API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/vendor/swagger-ui.css">
<script src="/static/vendor/swagger-ui-bundle.js" defer></script>
<script src="/static/docs.js" defer></script>
</head>
<body>
<main id="swagger-ui"><p>Loading the API description&hellip;</p></main>
</body>
</html>
"""


def create_app(
    store_url: str | Path | None = None,
    token: str | None = None,
    *,
    store: Store | None = None,
    secret: bytes | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    max_request_bytes: int = MAX_REQUEST_BYTES,
    allowed_hosts: Sequence[str] = LOOPBACK_NAMES,
    extractor: str = DEFAULT_EXTRACTOR,
) -> FastAPI:
    """An app over the store at ``store_url`` (or an open ``store``, left open at shutdown).

    ``token`` allows writes; without one the app is read-only. ``secret`` signs cookies
    (random by default, so sessions end with the process). ``allowed_hosts`` are the Host
    names it answers to (``gate.allowed_hosts`` makes the list for an address it is bound
    to); ``max_request_bytes`` caps a request adding reports, ``max_upload_bytes`` each
    file or pasted text in it; ``extractor`` extracts the reports added, in a worker
    process (``worker.py``).
    """
    owned = store is None
    opened = store if store is not None else Store.open(store_url)
    jobs = JobRunner()
    worker = ExtractionWorker(extractor)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        worker.close()  # first: the job it is extracting for ends at once
        jobs.close()
        if owned:
            opened.close()

    app = FastAPI(
        title="PeaceTrack",
        version=__version__,
        summary="Who demands what in peace negotiations, with the evidence behind every claim.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = opened
    app.state.guard = Guard.make(token, secret)
    app.state.max_upload_bytes = max_upload_bytes
    app.state.extractor = worker
    app.state.jobs = jobs
    # Added innermost first: a request meets compression, the host check, the headers, the gate.
    app.add_middleware(RequestGate, limits=BodyLimits(reports=max_request_bytes))
    app.middleware("http")(_cookies_and_headers)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(GZipMiddleware, minimum_size=500)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/assets/plotly-basic.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        """The charts' library, kept with the chart code (the report inlines it too)."""
        return FileResponse(PLOTLY_BASIC, headers={"Cache-Control": "max-age=86400"})

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(API_DOCS_PAGE)

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> RedirectResponse:
        return RedirectResponse("/docs", status_code=308)

    return app


async def _cookies_and_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Give every browser a CSRF cookie on its first visit, and every reply safe headers."""
    fresh = None
    if CSRF_COOKIE not in request.cookies:
        fresh = secrets.token_urlsafe(24)
        request.state.csrf_cookie = fresh
    response = await call_next(request)
    if fresh is not None:
        response.set_cookie(CSRF_COOKIE, fresh, httponly=True, samesite="strict")
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
