"""The web app: ``create_app(store_url, token)`` gives a FastAPI app over one store.

Pages are rendered on the server (Jinja2, autoescaped); each has a JSON twin under
``/api``. Every asset, plotly.js included, is served from the installed packages, so the
app works with no network and leaks no visits to a CDN.
"""

from __future__ import annotations

import importlib.util
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import HTTPException
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from peacetrack import __version__
from peacetrack.errors import MissingExtra, PeaceTrackError, StoreError
from peacetrack.store import Store
from peacetrack.web.pages import render
from peacetrack.web.routes import ROUTERS
from peacetrack.web.security import CSRF_COOKIE, Guard

HERE = Path(__file__).parent
#: Upload cap per file; the fetch of a URL report is capped alike.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
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


def plotly_js_path() -> Path:
    """plotly.js as the installed plotly package ships it (the ``report`` extra)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise MissingExtra("web", "charts in the web app")
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


def create_app(
    store_url: str | Path | None = None,
    token: str | None = None,
    *,
    store: Store | None = None,
    secret: bytes | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
) -> FastAPI:
    """An app over the store at ``store_url`` (or an open ``store``, left open at shutdown).

    ``token`` allows writes; without one the app is read-only. ``secret`` signs cookies
    (random by default, so sessions end with the process).
    """
    owned = store is None
    opened = store if store is not None else Store.open(store_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            opened.close()

    app = FastAPI(
        title="PeaceTrack",
        version=__version__,
        summary="Who demands what in peace negotiations, with the evidence behind every claim.",
        lifespan=lifespan,
    )
    app.state.store = opened
    app.state.guard = Guard.make(token, secret)
    app.state.max_upload_bytes = max_upload_bytes
    app.middleware("http")(_cookies_and_headers)
    app.add_exception_handler(PeaceTrackError, _library_error)
    app.add_exception_handler(HTTPException, _http_error)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/assets/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(plotly_js_path(), headers={"Cache-Control": "max-age=86400"})

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


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


async def _library_error(request: Request, exc: Exception) -> Response:
    """The user's errors (bad input, unknown id) as 400/404 with the library's message."""
    status = 404 if isinstance(exc, StoreError) and "no " in str(exc) else 400
    return _error(request, status, str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error(request, exc.status_code, str(exc.detail), exc.headers)


def _error(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status, headers=dict(headers or {}))
    return render(request, "error.html", {"status": status, "message": message}, status=status)
