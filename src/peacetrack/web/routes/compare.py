"""The comparison views: matrix and its cells, timeline, proposal diff."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from peacetrack.compare import Diff, diff, render_diff
from peacetrack.compare.render import STANCE_COLOURS, records_csv, support_badge
from peacetrack.errors import InputError
from peacetrack.store import Store
from peacetrack.support import parse_support
from peacetrack.vocabulary import UNASSIGNED
from peacetrack.web.inputs import StrictJsonRoute
from peacetrack.web.pages import coarse, done_event, render
from peacetrack.web.timeline import TimelineQuery, steps_page
from peacetrack.web.twins import json_reply
from peacetrack.web.views import (
    CompareQuery,
    SupportQuery,
    cell_json,
    cell_quotes,
    conflict_choices,
    matrix_json,
    store_of,
    suggestions,
    with_reviewed,
)

router = APIRouter(route_class=StrictJsonRoute)
StoreDep = Annotated[Store, Depends(store_of)]
QueryDep = Annotated[CompareQuery, Depends()]
SupportDep = Annotated[SupportQuery, Depends()]
TimelineDep = Annotated[TimelineQuery, Depends()]


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(request: Request, store: StoreDep, query: QueryDep) -> HTMLResponse:
    matrix = query.matrix(store)
    context = {"matrix": matrix, "query": query, "suggest": suggestions(store)}
    context["conflicts"] = conflict_choices(store)
    return render(request, "compare.html", context)


@router.get("/api/compare", tags=["compare"], response_class=Response)
def compare_api(store: StoreDep, query: QueryDep) -> Response:
    """The issue × actor (or × proposal) matrix; actors and issues are comma-separated;
    ``conflict`` (an id, name or alias, or ``unassigned``) keeps one conflict's claims and
    puts its parties first."""
    return json_reply(matrix_json(query.matrix(store)))


@router.get("/compare/cell", response_class=HTMLResponse, include_in_schema=False)
def cell_page(
    request: Request, store: StoreDep, query: QueryDep, issue: str, column: str, part: bool = False
) -> HTMLResponse:
    """A cell's claims; after a review (``?done=``), the claim reviewed stays shown even if
    it left the cell, so that its confirmation and Undo are where the reviewer is."""
    done = done_event(request)
    try:
        cell, quotes = cell_quotes(store, query, issue, column)
    except InputError:
        if done is None:
            raise
        cell, quotes = None, []
    if done is not None:
        quotes = with_reviewed(store, query, issue, column, quotes, done.claim_id)
    context = {"cell": cell, "quotes": quotes, "issue": issue, "column": column, "query": query}
    # Where a review form sends the reviewer back: this cell's own page (the panel's
    # source), which shows the claim acted on whether or not scripts run.
    cell_params = query.params() | {"issue": issue, "column": column}
    context["here"] = "/compare/cell?" + urlencode(cell_params)
    return render(request, "cell_part.html" if part else "cell.html", context)


@router.get("/api/compare/cell", tags=["compare"])
def cell_api(store: StoreDep, query: QueryDep, issue: str, column: str) -> dict[str, Any]:
    """The claims behind one cell, each with its evidence inside its paragraph."""
    return cell_json(*cell_quotes(store, query, issue, column))


def _chart(entries: list[dict[str, Any]]) -> str:
    """A plotly figure as JSON of the steps the page shows: one line per actor and issue, a
    dot per step coloured by stance, hollow for a step of weaker claims only (below the
    support floor), its support in the hover text. Drawn by static/app.js with the locally
    served plotly.js."""
    traces: dict[str, dict[str, Any]] = {}
    for e in entries:
        if e["first"] is None:
            continue
        name = f"{e['actor_name']} · {e['issue']} · {e['conflict_id'] or UNASSIGNED}"
        marker: dict[str, Any] = {"size": 12, "color": [], "symbol": []}
        trace = traces.setdefault(name, {"x": [], "y": [], "text": [], "marker": marker})
        trace["name"] = name
        trace["x"].append(e["first"].isoformat())
        trace["y"].append(name)
        trace["text"].append(f"{e['summary']} [{support_badge(parse_support(e['support']))}]")
        trace["marker"]["color"].append(STANCE_COLOURS[coarse(e["stance"])])
        weak = e["weaker_claims"] == len(e["claim_ids"])
        trace["marker"]["symbol"].append("circle-open" if weak else "circle")
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


@router.get("/timeline", response_class=HTMLResponse, include_in_schema=False)
def timeline_page(request: Request, store: StoreDep, query: TimelineDep) -> HTMLResponse:
    """A page of steps, newest first, with links to older and newer pages."""
    found = steps_page(store, query).to_json()
    context: dict[str, Any] = {"found": found, "entries": found["steps"], "query": query}
    context |= {"chart": _chart(found["steps"]), "suggest": suggestions(store)}
    context |= {"support": query, "conflicts": conflict_choices(store)}
    return render(request, "timeline.html", context)


@router.get("/api/timeline.csv", tags=["compare"], response_class=Response)
def timeline_csv(store: StoreDep, query: TimelineDep) -> Response:
    """The same page of steps, as ``peacetrack timeline --format csv`` writes them."""
    body = records_csv([e.to_record() for e in steps_page(store, query).entries])
    disposition = 'inline; filename="timeline.csv"'
    return Response(
        body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition}
    )


@router.get("/api/timeline", tags=["compare"])
def timeline_api(store: StoreDep, query: TimelineDep) -> dict[str, Any]:
    """Each actor's stance on each issue, step by step (a step per moment of reports), each
    conflict apart (``conflict``: one of them, or ``unassigned``), newest first, a page
    (``page``) of 50 at a time, of the steps begun since ``since`` if given; only
    positions at ``min_support`` or above mark a change or a conflict. ``total`` is null
    when counting would read every claim (another floor, reviewed claims only)."""
    return steps_page(store, query).to_json()


@router.get("/diff", response_class=HTMLResponse, include_in_schema=False)
def diff_page(
    request: Request,
    store: StoreDep,
    support: SupportDep,
    a: str = "",
    b: str = "",
    conflict: str = "",
) -> HTMLResponse:
    # A side is a proposal or an actor: both are suggested, with their claims.
    listed = store.proposals.list(conflict or None)
    sides = [(p.name, f"proposal · {p.claims:,} claims") for p in listed if p.claims]
    sides += suggestions(store)["actors"]
    context: dict[str, Any] = {"a": a, "b": b, "sides": sides, "table": None}
    context |= {"conflict": conflict, "conflicts": conflict_choices(store)}
    if a and b:
        result = _diff(store, a, b, support, conflict)
        context |= {"result": result, "table": render_diff(result, "html")}
    return render(request, "diff.html", context | {"support": support})


@router.get("/api/diff", tags=["compare"])
def diff_api(
    store: StoreDep, support: SupportDep, a: str, b: str, conflict: str = ""
) -> list[dict[str, Any]]:
    """Issues only in A, only in B, in both but different, and alike (proposals or actors),
    within one conflict when ``conflict`` is given."""
    return _diff(store, a, b, support, conflict).to_records()


def _diff(store: Store, a: str, b: str, support: SupportQuery, conflict: str = "") -> Diff:
    return diff(
        store,
        a,
        b,
        min_support=support.floor,
        reviewed_only=support.reviewed_only,
        conflict=conflict or None,
    )
