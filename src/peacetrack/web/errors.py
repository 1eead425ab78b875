"""Every error the web app answers, as JSON under /api and as a page elsewhere.

A request that is wrong (malformed JSON, a value out of range, an unknown id, a bad file)
gets a 4xx whose message says what to change, in words for a web user (``wording``); only a
bug is a 500, and its reply names no server internals. Handlers are installed by
``install``; ``error_response`` is also what the request gate answers with.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

from peacetrack.errors import PeaceTrackError, StoreError
from peacetrack.web.pages import render
from peacetrack.web.wording import for_web

log = logging.getLogger("peacetrack.web")
UNEXPECTED = (
    "something went wrong on the server; nothing was changed by this request. "
    "Try again, and if it keeps happening, tell whoever runs this server"
)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def error_response(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """``{"detail": message}`` for API clients, the error page for people."""
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status, headers=dict(headers or {}))
    return render(request, "error.html", {"status": status, "message": message}, status=status)


async def _library_error(request: Request, exc: Exception) -> Response:
    """The user's errors (bad input, unknown id) as 400/404 with the library's message."""
    status = 404 if isinstance(exc, StoreError) and "no " in str(exc) else 400
    return error_response(request, status, for_web(str(exc)))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(request, exc.status_code, str(exc.detail), exc.headers)


def describe_errors(errors: Sequence[Any]) -> str:
    """Pydantic's errors as one line: ``where: what`` for each, never echoing the input
    (which may be the very value a reply cannot hold, such as NaN)."""
    parts = []
    for error in errors:
        where = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
        message = str(error.get("msg", "invalid"))
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "")
            message = f"the body is not valid JSON ({reason})" if reason else "not valid JSON"
            where = []
        elif error.get("type") == "missing":
            message = "required"
        parts.append(f"{'.'.join(where)}: {message}" if where else message)
    return "; ".join(parts) or "the request is not valid"


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_response(request, 422, describe_errors(exc.errors()))


async def _data_error(request: Request, exc: Exception) -> Response:
    """Values the database refuses (a NUL byte on PostgreSQL, a number out of range) are
    the request's fault; the edge checks catch most, this catches the rest."""
    log.warning("database refused a value in %s %s: %s", request.method, request.url.path, exc)
    return error_response(
        request,
        400,
        "a value in this request cannot be stored (a control character, or a number out of "
        "range): correct it and try again",
    )


async def _bug(request: Request, exc: Exception) -> Response:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, UNEXPECTED)


def install(app: FastAPI) -> None:
    """Route every error above to its handler on ``app``."""
    app.add_exception_handler(PeaceTrackError, _library_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(Exception, _bug)
