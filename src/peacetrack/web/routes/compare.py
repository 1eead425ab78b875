"""The comparison views: matrix and its cells, timeline, proposal diff."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from peacetrack.compare import diff, render_diff, timeline
from peacetrack.compare.render import STANCE_COLOURS
from peacetrack.source import UNASSIGNED
from peacetrack.store import Store
from peacetrack.web.inputs import StrictJsonRoute
from peacetrack.web.pages import render
from peacetrack.web.views import (
    CompareQuery,
    cell_json,
    cell_quotes,
    conflict_choices,
    entry_json,
    matrix_json,
    store_of,
)

router = APIRouter(route_class=StrictJsonRoute)
StoreDep = Annotated[Store, Depends(store_of)]
QueryDep = Annotated[CompareQuery, Depends()]


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(request: Request, store: StoreDep, query: QueryDep) -> HTMLResponse:
    matrix = query.matrix(store)
    context = {"matrix": matrix, "query": query, "conflicts": conflict_choices(store)}
    return render(request, "compare.html", context)


@router.get("/api/compare", tags=["compare"])
def compare_api(store: StoreDep, query: QueryDep) -> dict[str, Any]:
    """The issue × actor (or × proposal) matrix; actors and issues are comma-separated;
    ``conflict`` (an id, name or alias, or ``unassigned``) keeps one conflict's claims and
    puts its parties first."""
    return matrix_json(query.matrix(store))


@router.get("/compare/cell", response_class=HTMLResponse, include_in_schema=False)
def cell_page(
    request: Request, store: StoreDep, query: QueryDep, issue: str, column: str, part: bool = False
) -> HTMLResponse:
    cell, quotes = cell_quotes(store, query, issue, column)
    context = {"cell": cell, "quotes": quotes, "issue": issue, "column": column, "query": query}
    return render(request, "cell_part.html" if part else "cell.html", context)


@router.get("/api/compare/cell", tags=["compare"])
def cell_api(store: StoreDep, query: QueryDep, issue: str, column: str) -> dict[str, Any]:
    """The claims behind one cell, each with its evidence inside its paragraph."""
    return cell_json(*cell_quotes(store, query, issue, column))


def _timeline(store: Store, actor: str, issue: str, conflict: str) -> list[dict[str, Any]]:
    entries = timeline(store, actor=actor or None, issue=issue or None, conflict=conflict or None)
    return [entry_json(e) for e in entries]


def _chart(entries: list[dict[str, Any]]) -> str:
    """A plotly figure as JSON: one line per actor and issue, a dot per step coloured by
    stance. Drawn by static/app.js with the locally served plotly.js."""
    traces: dict[str, dict[str, Any]] = {}
    for e in entries:
        if e["first"] is None:
            continue
        name = f"{e['actor_name']} · {e['issue']} · {e['conflict_id'] or UNASSIGNED}"
        trace = traces.setdefault(
            name,
            {"x": [], "y": [], "text": [], "marker": {"size": 12, "color": []}, "name": name},
        )
        trace["x"].append(e["first"].isoformat())
        trace["y"].append(name)
        trace["text"].append(e["summary"])
        trace["marker"]["color"].append(STANCE_COLOURS[_coarse(e["stance"])])
    data = [
        t | {"mode": "lines+markers", "line": {"color": "#ccc"}, "hovertemplate": "%{x}<br>%{text}"}
        for t in traces.values()
    ]
    layout = {
        "height": max(240, 40 * len(traces) + 120),
        "showlegend": False,
        "margin": {"l": 220, "t": 20},
    }
    return json.dumps({"data": data, "layout": layout})


def _coarse(stance: str) -> str:
    from peacetrack.model import Stance

    return Stance(stance).coarse


@router.get("/timeline", response_class=HTMLResponse, include_in_schema=False)
def timeline_page(
    request: Request, store: StoreDep, actor: str = "", issue: str = "", conflict: str = ""
) -> HTMLResponse:
    entries = _timeline(store, actor, issue, conflict)
    context: dict[str, Any] = {"entries": entries, "actor": actor, "issue": issue}
    context |= {
        "chart": _chart(entries),
        "conflict": conflict,
        "conflicts": conflict_choices(store),
    }
    return render(request, "timeline.html", context)


@router.get("/api/timeline", tags=["compare"])
def timeline_api(
    store: StoreDep, actor: str = "", issue: str = "", conflict: str = ""
) -> list[dict[str, Any]]:
    """Each actor's stance on each issue, step by step (a step per moment of reports),
    each conflict apart (``conflict``: one of them, or ``unassigned``)."""
    return _timeline(store, actor, issue, conflict)


@router.get("/diff", response_class=HTMLResponse, include_in_schema=False)
def diff_page(
    request: Request, store: StoreDep, a: str = "", b: str = "", conflict: str = ""
) -> HTMLResponse:
    proposals = sorted(p.name for p in store.proposals.list(conflict or None) if p.claims)
    context: dict[str, Any] = {"a": a, "b": b, "proposals": proposals, "table": None}
    context |= {"conflict": conflict, "conflicts": conflict_choices(store)}
    if a and b:
        result = diff(store, a, b, conflict=conflict or None)
        context |= {"result": result, "table": render_diff(result, "html")}
    return render(request, "diff.html", context)


@router.get("/api/diff", tags=["compare"])
def diff_api(store: StoreDep, a: str, b: str, conflict: str = "") -> list[dict[str, Any]]:
    """Issues only in A, only in B, in both but different, and alike (proposals or actors),
    within one conflict when ``conflict`` is given."""
    return diff(store, a, b, conflict=conflict or None).to_records()
