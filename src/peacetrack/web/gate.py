"""What every request meets before any route: the host it names, its size, its right to write.

A route reads its whole body into memory before it can check anything (FastAPI parses the
body before dependencies run), so a token check or a size check there comes too late: a
300 MB POST without a token once took the server from 235 MB to 1.1 GB. ``RequestGate`` is
an ASGI middleware that refuses, before a byte of the body is read:

- a body whose ``Content-Length`` is over the route's limit (413);
- a write without the right to write (401/403): the bearer token under ``/api``, a
  logged-in session cookie for forms (the login forms themselves excepted);

and counts the bytes of a body sent without a length (chunked), refusing it with 413 as
soon as it passes the limit. Adding reports may send a larger body than anything else.

``allowed_hosts`` is the Host-header allow list for Starlette's ``TrustedHostMiddleware``:
a page on another site whose name has been rebound to 127.0.0.1 (DNS rebinding) sends its
own name as the Host, and is refused.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from peacetrack.web.errors import error_response
from peacetrack.web.security import require_bearer, require_editor

#: Cap per uploaded file and per pasted text; the fetch of a URL report is capped alike.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: Cap on a whole request adding reports (several files at once).
MAX_REQUEST_BYTES = 25 * 1024 * 1024
#: Body limit of every other request (reviews, logins: a few KB).
SMALL_BODY_BYTES = 1024 * 1024
#: Routes that add reports: pasted text and uploads may be larger.
REPORT_PATHS = frozenset({"/reports", "/api/reports/text", "/api/reports/files"})
#: Form writes anyone may send: logging in is how one gets the right to write.
OPEN_FORMS = frozenset({"/login", "/logout", "/reviewer"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


class BodyTooLarge(HTTPException):
    """Raised into the app when a body without a length passes the limit as it streams."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large(limit))


def size_words(size: int) -> str:
    """``5 MB``, ``1.5 MB``, ``64 KB``: a byte count as people read it."""
    if size >= 1_048_576:
        return f"{size / 1_048_576:.3g} MB"
    return f"{size / 1024:.3g} KB"


def too_large(limit: int) -> str:
    return (
        f"the request is larger than this server accepts ({size_words(limit)}): send less at a time"
    )


@dataclass(frozen=True)
class BodyLimits:
    """Body limits in bytes: for adding reports, and for every other request."""

    reports: int
    other: int = SMALL_BODY_BYTES

    def for_path(self, path: str) -> int:
        return self.reports if path in REPORT_PATHS else self.other


class RequestGate:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)  # headers only: the body is never touched here
        limit = self.limits.for_path(scope["path"])
        refusal = _refusal(request, limit)
        if refusal is not None:
            response = error_response(request, refusal.status_code, refusal.detail, refusal.headers)
            await response(scope, receive, send)
            return
        counted = 0

        async def counting() -> Message:
            nonlocal counted
            message = await receive()
            counted += len(message.get("body", b""))
            if counted > limit:
                raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting, send)


def _refusal(request: Request, limit: int) -> HTTPException | None:
    """Why the request is refused before its body is read, or None."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            return HTTPException(400, "the Content-Length header is not a number")
        if int(declared) > limit:
            return HTTPException(413, too_large(limit))
    if "\x00" in request.url.path or b"%00" in request.scope["query_string"].lower():
        return HTTPException(400, "the address holds a NUL character (%00): remove it")
    if request.method in SAFE_METHODS or request.url.path in OPEN_FORMS:
        return None
    try:
        if request.url.path.startswith("/api/"):
            require_bearer(request)
        else:
            require_editor(request)
    except HTTPException as refused:
        return refused
    return None


def allowed_hosts(bound: str, extra: Iterable[str] = ()) -> list[str]:
    """Host names the server answers to: the address it is bound to, the loopback names when
    that is a loopback address, and ``extra`` (names given with ``--allowed-host``)."""
    names = [_host_name(bound)]
    if _is_loopback(bound):
        names += LOOPBACK_NAMES
    names += [_host_name(name) for name in extra]
    return list(dict.fromkeys(n.lower() for n in names if n))


def _host_name(host: str) -> str:
    """As a Host header gives it: IPv6 literals in brackets."""
    host = host.strip()
    bare = host.strip("[]")
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return host
    return f"[{address}]" if address.version == 6 else str(address)


def _is_loopback(host: str) -> bool:
    bare = host.strip().strip("[]").lower()
    if bare == "localhost" or bare.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False
