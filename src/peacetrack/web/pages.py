"""Rendering a page: the Jinja2 environment (autoescaped) and what every page is given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from peacetrack.compare.labels import actor_name, conflict_ids, conflict_name, issue_label
from peacetrack.compare.render import STANCE_COLOURS, cell_text
from peacetrack.store import MARK_END, MARK_START
from peacetrack.web.security import CSRF_COOKIE, REVIEWER_COOKIE, guard_of, is_editor
from peacetrack.web.views import safe_url

_env = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals.update(
    actor_name=actor_name,
    issue_label=issue_label,
    conflict_name=conflict_name,
    conflict_ids=conflict_ids,
    cell_text=cell_text,
    safe_url=safe_url,
    stance_colours=STANCE_COLOURS,
    mark_start=MARK_START,
    mark_end=MARK_END,
)
templates = Jinja2Templates(env=_env)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A page with the CSRF token, the login state and the reviewer name filled in."""
    cookie = str(request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_cookie", ""))
    guard = guard_of(request)
    common = {
        "csrf_token": guard.csrf_for(cookie),
        "editor": is_editor(request),
        "read_only": guard.token is None,
        "reviewer": request.cookies.get(REVIEWER_COOKIE, ""),
    }
    return templates.TemplateResponse(request, name, common | context, status_code=status)
