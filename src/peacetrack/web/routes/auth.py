"""Logging in with the server's token (a signed session cookie) and naming the reviewer."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from peacetrack.web.inputs import StrictJsonRoute
from peacetrack.web.pages import render
from peacetrack.web.security import (
    READ_ONLY,
    REVIEWER_COOKIE,
    SESSION_COOKIE,
    SESSION_SECONDS,
    check_csrf,
    guard_of,
)

router = APIRouter(include_in_schema=False, route_class=StrictJsonRoute)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", {})


@router.post("/login")
def login(
    request: Request,
    csrf_token: Annotated[str, Form()] = "",
    token: Annotated[str, Form()] = "",
    reviewer: Annotated[str, Form()] = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    guard = guard_of(request)
    if guard.token is None:
        raise HTTPException(403, READ_ONLY)
    if not guard.token_matches(token.strip()):
        raise HTTPException(401, "wrong token: use the token this server was started with")
    response = RedirectResponse("/", status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE,
        guard.new_session(),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=secure,
    )
    if reviewer.strip():
        response.set_cookie(
            REVIEWER_COOKIE, reviewer.strip()[:128], samesite="strict", secure=secure
        )
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> RedirectResponse:
    check_csrf(request, csrf_token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/reviewer")
def set_reviewer(
    request: Request, csrf_token: Annotated[str, Form()] = "", reviewer: Annotated[str, Form()] = ""
) -> RedirectResponse:
    """The name the audit trail records for this browser's reviews."""
    check_csrf(request, csrf_token)
    back = urlsplit(request.headers.get("referer") or "/").path or "/"  # our own pages only
    response = RedirectResponse(back if back[:2] not in ("//", "/\\") else "/", status_code=303)
    response.set_cookie(REVIEWER_COOKIE, reviewer.strip()[:128] or "anonymous", samesite="strict")
    return response
