"""Rendering a page: the Jinja2 environment (autoescaped) and what every page is given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from peacetrack.compare.cells import Cell
from peacetrack.compare.labels import actor_name, conflict_ids, conflict_name, issue_label
from peacetrack.compare.render import (
    STANCE_COLOURS,
    cell_flags,
    cell_text,
    support_badge,
    support_legend,
)
from peacetrack.compare.sentences import claim_sentence
from peacetrack.errors import StoreError
from peacetrack.extract.base import DEFAULT_EXTRACTOR
from peacetrack.model import Stance
from peacetrack.store import MARK_END, MARK_START, ReviewEvent, Store
from peacetrack.support import Support, parse_support
from peacetrack.web.audit import changes
from peacetrack.web.security import CSRF_COOKIE, REVIEWER_COOKIE, guard_of, is_editor
from peacetrack.web.twins import shown
from peacetrack.web.views import safe_url


def coarse(stance: str) -> str:
    """A stance's colour class: ``offer`` -> ``put_forward``; a class name stays itself."""
    return stance if stance in STANCE_COLOURS else Stance(stance).coarse


def cell_classes(cell: Cell) -> str:
    """A matrix cell's classes: its stance, markers and support, as the legend reads them.
    A function, not a macro: a million-claim matrix has a thousand cells, and a Jinja
    macro call costs a third of rendering it."""
    return f"cell stance-{cell.stance.coarse} {cell_flags(cell)}"


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
    cell_classes=cell_classes,
    claim_sentence=claim_sentence,
    support_badge=support_badge,
    support_legend=support_legend,
    support_levels=list(Support),
    support_level=parse_support,
    safe_url=safe_url,
    stance_colours=STANCE_COLOURS,
    mark_start=MARK_START,
    mark_end=MARK_END,
    changes=changes,
    coarse=coarse,
    # The claims filter's hint: the name claims get when nothing else is asked for.
    default_extractor=DEFAULT_EXTRACTOR,
)
_env.filters["shown"] = shown
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
    common["done"] = done_event(request)
    return templates.TemplateResponse(request, name, common | context, status_code=status)


def done_event(request: Request) -> ReviewEvent | None:
    """The review action named by ``?done=ID`` (where a form sends the reviewer back), so
    the page can confirm it beside its claim and offer to undo it; None if there is none."""
    done = request.query_params.get("done", "")
    if not done.isdigit() or len(done) > 18:
        return None
    store: Store = request.app.state.store
    try:
        return store.review.event(int(done))
    except StoreError:
        return None
