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
from starlette.exceptions import HTTPException as StarletteHTTPException

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


#: The error page's heading, in words, by status.
HEADINGS = {
    400: "This cannot be done as asked",
    401: "You need to log in for this",
    403: "This is not allowed",
    404: "Not found",
    405: "This page cannot be used that way",
    413: "Too much was sent",
    422: "Something in the address or the form is not valid",
    500: "Something went wrong on the server",
    503: "The server is busy",
}


def error_response(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """``{"detail": message}`` for API clients, the error page for people."""
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status, headers=dict(headers or {}))
    heading = HEADINGS.get(status, "This page cannot be shown")
    page = request.url.path if request.method == "GET" and request.url.query else ""
    context = {"status": status, "heading": heading, "message": message, "retry": page}
    return render(request, "error.html", context, status=status)


async def _library_error(request: Request, exc: Exception) -> Response:
    """The user's errors (bad input, unknown id) as 400/404 with the library's message."""
    status = 404 if isinstance(exc, StoreError) and "no " in str(exc) else 400
    return error_response(request, status, for_web(str(exc)))


async def _http_error(request: Request, exc: Exception) -> Response:
    """FastAPI's and Starlette's own (an unknown address, a method a route lacks)."""
    assert isinstance(exc, StarletteHTTPException)
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


def explain_errors(errors: Sequence[Any]) -> str:
    """Pydantic's errors in words for someone who typed an address or filled a form:
    which field, and what it should hold (never the value sent)."""
    parts = []
    for error in errors:
        where = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
        field = f"“{where[-1]}”" if where else "a value"
        kind = str(error.get("type", ""))
        ctx = error.get("ctx") or {}
        if kind.startswith(("date", "datetime")):
            parts.append(f"{field} must be a date written as year-month-day, such as 2025-02-18")
        elif kind.startswith(("int_", "float_", "decimal_")):
            parts.append(f"{field} must be a whole number, such as 2")
        elif kind == "greater_than_equal":
            parts.append(f"{field} must be {ctx.get('ge')} or more")
        elif kind == "less_than_equal":
            parts.append(f"{field} must be {ctx.get('le')} or less")
        elif kind in ("literal_error", "enum"):
            parts.append(f"{field} must be one of: {ctx.get('expected', 'the listed choices')}")
        elif kind == "missing":
            parts.append(f"{field} is required")
        else:
            parts.append(describe_errors([error]))
    return "; ".join(parts) or "the request is not valid"


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    message = describe_errors(errors) if wants_json(request) else explain_errors(errors)
    return error_response(request, 422, message)


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
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(Exception, _bug)
