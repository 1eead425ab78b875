"""Who may write, and proof that a form was sent by our own page.

Reading needs nothing. Writing needs the server's token: API clients send it as
``Authorization: Bearer TOKEN``; people type it once into the login form, which sets a
signed, HttpOnly session cookie. Forms also carry a CSRF token, the HMAC of a random
per-browser cookie (signed double submit), so another site cannot make a logged-in
browser post to us. Without a token configured the server is read-only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request

SESSION_COOKIE = "pt_session"
CSRF_COOKIE = "pt_csrf"
REVIEWER_COOKIE = "pt_reviewer"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = 12 * 3600
READ_ONLY = (
    "this server is read-only: changes are allowed only once whoever runs it restarts it "
    "with a token"
)


@dataclass(frozen=True)
class Guard:
    """The write token (None: read-only) and the key that signs cookies and CSRF tokens."""

    token: str | None
    key: bytes

    @classmethod
    def make(cls, token: str | None, secret: bytes | None = None) -> Guard:
        """A fresh random key unless one is given: sessions end when the server restarts."""
        return cls(token or None, secret or secrets.token_bytes(32))

    def _mac(self, value: str) -> str:
        digest = hmac.new(self.key, value.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def token_matches(self, given: str) -> bool:
        return self.token is not None and hmac.compare_digest(given.encode(), self.token.encode())

    # --- sessions ---------------------------------------------------------------------

    def new_session(self, now: float | None = None) -> str:
        issued = str(int(now if now is not None else time.time()))
        value = f"editor.{issued}.{secrets.token_urlsafe(8)}"
        return f"{value}.{self._mac(value)}"

    def session_valid(self, cookie: str | None, now: float | None = None) -> bool:
        if self.token is None or not cookie or cookie.count(".") != 3:
            return False
        value, _, mac = cookie.rpartition(".")
        if not hmac.compare_digest(mac, self._mac(value)):
            return False
        issued = int(value.split(".")[1]) if value.split(".")[1].isdigit() else 0
        return (now if now is not None else time.time()) - issued < SESSION_SECONDS

    # --- CSRF -------------------------------------------------------------------------

    def csrf_for(self, cookie: str) -> str:
        return self._mac(f"csrf.{cookie}")

    def csrf_valid(self, cookie: str | None, field: str | None) -> bool:
        return bool(cookie and field) and hmac.compare_digest(
            str(field), self.csrf_for(str(cookie))
        )


def guard_of(request: Request) -> Guard:
    guard: Guard = request.app.state.guard
    return guard


def is_editor(request: Request) -> bool:
    return guard_of(request).session_valid(request.cookies.get(SESSION_COOKIE))


def require_bearer(request: Request) -> None:
    """API writes: the token in the Authorization header (no cookies, so no CSRF risk)."""
    guard = guard_of(request)
    if guard.token is None:
        raise HTTPException(403, READ_ONLY)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not guard.token_matches(given.strip()):
        raise HTTPException(
            401,
            "send the server's token as `Authorization: Bearer TOKEN` to make changes",
            headers={"WWW-Authenticate": "Bearer"},
        )


def check_csrf(request: Request, field: str | None) -> None:
    if not guard_of(request).csrf_valid(request.cookies.get(CSRF_COOKIE), field):
        raise HTTPException(
            403, "the form expired or came from another site: reload the page and try again"
        )


def require_editor(request: Request) -> None:
    """A logged-in session (the cookie alone: the request gate checks it before any body)."""
    if guard_of(request).token is None:
        raise HTTPException(403, READ_ONLY)
    if not is_editor(request):
        raise HTTPException(401, "log in with the server's token (the Log in link) to make changes")


def require_editor_form(request: Request, csrf: str | None) -> None:
    """Form writes: a valid CSRF token, then a logged-in session."""
    check_csrf(request, csrf)
    require_editor(request)


def reviewer_of(request: Request, given: str | None = None) -> str:
    """The name recorded in the audit trail: given, else the reviewer cookie, else anonymous."""
    name = (given or request.cookies.get(REVIEWER_COOKIE) or "").strip()
    return name[:128] or "anonymous"
