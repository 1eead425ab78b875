"""A self-contained HTML report: matrix, main diff, timelines and every quote behind them,
for one conflict or in one section per conflict.

One file, no network: plotly's JavaScript is embedded inline, so the report opens offline,
can be mailed or archived, and prints cleanly. Every piece of document text goes through
Jinja2's autoescaping (or ``html.escape`` for plotly labels), because reports quote
arbitrary web pages.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from peacetrack.codebook import default_codebook
from peacetrack.compare.diff import diff
from peacetrack.compare.extras import require
from peacetrack.compare.labels import actor_name, conflict_name, issue_label, issue_order
from peacetrack.compare.matrix import By, Matrix, compare, parties_first
from peacetrack.compare.render import (
    STANCE_COLOURS,
    cell_anchor,
    cell_text,
    render_diff,
    render_matrix,
)
from peacetrack.compare.timeline import TimelineEntry, timeline
from peacetrack.files import write_text_atomic
from peacetrack.source import (
    UNASSIGNED,
    ClaimSource,
    Filters,
    GroupFn,
    MemorySource,
    SourceIndex,
    StoredClaim,
    as_source,
    by_cell,
)

_CLASSES = list(STANCE_COLOURS)
_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
#: Clicking a filled heatmap cell opens its evidence, like the table's links.
_JUMP_TO_EVIDENCE = (
    "document.getElementById('{plot_id}').on('plotly_click', function (event) {"
    " var point = event.points[0];"
    " if (point.z !== null) { location.hash = point.customdata; } });"
)


def write_report(
    claims: ClaimSource | Sequence[StoredClaim],
    path: Path,
    *,
    title: str = "PeaceTrack report",
    independent_groups: GroupFn | None = None,
    by: By = "actor",
    conflict: str | None = None,
) -> Path:
    """Write the report to ``path`` (atomically) and return it.

    The report covers ``conflict`` (an id, name or alias, or ``unassigned``) or, when none
    is given, has one section per conflict with claims (the unassigned claims last): a
    matrix, diff or timeline never mixes two wars.
    """
    jinja2, go = _libraries()
    source = as_source(claims, independent_groups)
    pool = source.select_claims(Filters(conflict=conflict))
    groups = source.independent_groups
    figures = _Figures(go)
    parts = _by_conflict(pool)
    scoped = len(parts) > 1
    context = {
        "title": title,
        "generated": date.today().isoformat(),
        "claims_count": len(pool),
        "documents_count": len({s.document_id for s in pool}),
        "sources_count": SourceIndex(pool, groups).count(pool),
        "span": _span(pool),
        "legend": [(c.replace("_", " "), colour) for c, colour in STANCE_COLOURS.items()],
        "sections": [
            _section(key, members, Section(by, groups, figures, key if scoped else ""))
            for key, members in parts.items()
        ],
    }
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("peacetrack.compare", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    html = env.get_template("report.html.j2").render(**context)
    write_text_atomic(path, html)
    return path


def _by_conflict(pool: Sequence[StoredClaim]) -> dict[str, list[StoredClaim]]:
    """The claims per conflict (``unassigned`` for none) in codebook order, unassigned last."""
    parts: dict[str, list[StoredClaim]] = defaultdict(list)
    for stored in pool:
        parts[stored.conflict or UNASSIGNED].append(stored)
    order = {key: i for i, key in enumerate(default_codebook().conflicts)}
    return {
        key: parts[key]
        for key in sorted(parts, key=lambda k: (k == UNASSIGNED, order.get(k, len(order)), k))
    }


@dataclass(frozen=True)
class Section:
    """How each conflict's section is drawn: its columns, the source's duplicate groups,
    the figures (plotly.js embedded once) and the prefix keeping its ids apart."""

    by: By
    groups: GroupFn
    figures: _Figures
    scope: str


def _section(key: str, claims: list[StoredClaim], how: Section) -> dict[str, Any]:
    """One conflict's matrix, main diff, timelines and evidence, from its claims alone."""
    memory = MemorySource(claims, how.groups)
    # The claims are the conflict's already (its id may be one this codebook lacks).
    matrix = compare(memory, by=how.by)
    columns = parties_first(matrix.columns, key) if how.by == "actor" else matrix.columns
    matrix = replace(matrix, columns=columns, conflict=key)
    prefix = f"{how.scope}-" if how.scope else ""
    return {
        "name": conflict_name(key),
        "prefix": prefix,
        "claims_count": len(claims),
        "documents_count": len({s.document_id for s in claims}),
        "sources_count": SourceIndex(claims, how.groups).count(claims),
        "span": _span(claims),
        "heatmap": how.figures.heatmap(matrix, how.scope) if matrix.cells else "",
        "matrix_html": render_matrix(matrix, "html", anchor_scope=how.scope),
        "timelines": [
            (issue, issue_label(issue), how.figures.timeline(entries))
            for issue, entries in _timelines(memory).items()
        ],
        "cells": _evidence(matrix, claims, how.scope),
    } | _main_diff(memory)


def _libraries() -> tuple[Any, Any]:
    return (
        require("jinja2", "report", "the HTML report"),
        require("plotly.graph_objects", "report", "the HTML report"),
    )


def _span(claims: Sequence[StoredClaim]) -> str:
    dates = sorted(s.published for s in claims if s.published is not None)
    return f"{dates[0].isoformat()} to {dates[-1].isoformat()}" if dates else ""


def _main_diff(memory: MemorySource) -> dict[str, str]:
    """The diff between the two proposals with the most claims, when there are two."""
    counts = Counter(s.canonical_proposal for s in memory.claims if s.canonical_proposal)
    main = [name for name, _ in counts.most_common(2)]
    if len(main) < 2:
        return {"diff_html": "", "diff_title": ""}
    result = diff(memory, main[0], main[1])
    html = render_diff(result, "html")
    assert isinstance(html, str)
    return {"diff_html": html, "diff_title": f"{main[0]} vs {main[1]}"}


def _timelines(memory: MemorySource) -> dict[str, list[TimelineEntry]]:
    """Per issue (codebook order), the dated steps of every actor, for issues where some
    actor took more than one step: a single dot per actor shows no movement."""
    per_issue: dict[str, list[TimelineEntry]] = defaultdict(list)
    for entry in timeline(memory):
        if entry.first is not None:
            per_issue[entry.issue].append(entry)
    order = issue_order()
    return {
        issue: per_issue[issue]
        for issue in sorted(per_issue, key=lambda i: order.get(i, len(order)))
        if max(Counter(e.actor for e in per_issue[issue]).values()) > 1
    }


def _evidence(matrix: Matrix, pool: Sequence[StoredClaim], scope: str) -> list[dict[str, Any]]:
    """Every cell with all the claims behind it, newest first: the report is the record."""
    behind = by_cell(pool, matrix.by)
    return [
        {
            "anchor": cell_anchor(row, column, scope),
            "issue": row,
            "column": matrix.column_label(column),
            "text": cell_text(cell),
            "evidence": [_quote(s) for s in _newest_first(behind[(row, column)])],
        }
        for row, column, cell in matrix
    ]


def _newest_first(claims: Sequence[StoredClaim]) -> list[StoredClaim]:
    return sorted(claims, key=lambda s: (s.published or date.min, s.id), reverse=True)


def _quote(stored: StoredClaim) -> dict[str, Any]:
    attribution = stored.claim.attribution
    if attribution is None or attribution.source is None:
        credited = "stated by the outlet or the party itself"
    else:
        credited = f"credited to {attribution.source}" + (
            " (anonymous)" if attribution.anonymous else ""
        )
    url = stored.url if stored.url and stored.url.startswith(("http://", "https://")) else None
    return {
        "evidence": stored.claim.evidence,
        "stance": stored.claim.stance.value.replace("_", " "),
        "document": stored.document_name,
        "url": url,
        "outlet": stored.outlet,
        "published": stored.published.isoformat() if stored.published else None,
        "credited": credited,
    }


class _Figures:
    """Plotly figures as HTML fragments; only the first carries plotly.js (inline)."""

    def __init__(self, go: Any) -> None:
        self._go = go
        self._js_done = False

    def _html(self, figure: Any, post_script: str | None = None) -> str:
        html: str = figure.to_html(
            full_html=False,
            include_plotlyjs=not self._js_done,
            config=_PLOTLY_CONFIG,
            post_script=post_script,
        )
        self._js_done = True
        return html

    def heatmap(self, matrix: Matrix, scope: str = "") -> str:
        """Cells coloured by stance class; hovering shows the summary; a click opens the
        evidence (anchors in ``scope``)."""
        rows = list(reversed(matrix.rows))  # plotly draws the first row at the bottom
        z: list[list[float | None]] = []
        text: list[list[str]] = []
        anchors: list[list[str]] = []
        for row in rows:
            cells = [matrix.cell(row, c) for c in matrix.columns]
            z.append([None if c is None else float(_CLASSES.index(c.stance.coarse)) for c in cells])
            text.append(["" if c is None else escape(cell_text(c)) for c in cells])
            anchors.append([cell_anchor(row, c, scope) for c in matrix.columns])
        steps = len(_CLASSES)
        scale = []
        for i, name in enumerate(_CLASSES):
            scale += [[i / steps, STANCE_COLOURS[name]], [(i + 1) / steps, STANCE_COLOURS[name]]]
        trace = self._go.Heatmap(
            z=z,
            x=[escape(matrix.column_label(c)) for c in matrix.columns],
            y=rows,
            text=text,
            customdata=anchors,
            hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>",
            colorscale=scale,
            zmin=-0.5,
            zmax=steps - 0.5,
            showscale=False,
            xgap=2,
            ygap=2,
        )
        layout = {
            "height": max(300, 28 * len(rows) + 160),
            "xaxis": {"side": "top", "tickangle": -30},
            "margin": {"t": 140, "b": 20},
        }
        return self._html(self._go.Figure(trace, layout=layout), _JUMP_TO_EVIDENCE)

    def timeline(self, entries: Sequence[TimelineEntry]) -> str:
        """Each actor a line across time, each step a dot coloured by stance class."""
        figure = self._go.Figure()
        by_actor: dict[str, list[TimelineEntry]] = defaultdict(list)
        for entry in entries:
            by_actor[escape(actor_name(entry.actor))].append(entry)
        for name, steps in by_actor.items():
            figure.add_scatter(
                x=[e.first for e in steps],
                y=[name] * len(steps),
                mode="lines+markers",
                line={"color": "#cccccc"},
                marker={"size": 12, "color": [STANCE_COLOURS[e.stance.coarse] for e in steps]},
                text=[escape(e.summary) for e in steps],
                hovertemplate="%{x}<br>%{text}<extra></extra>",
                showlegend=False,
            )
        height = max(220, 50 * len(by_actor) + 120)
        figure.update_layout(height=height, margin={"t": 20, "b": 40})
        return self._html(figure)
