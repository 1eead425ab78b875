"""A self-contained HTML report: matrix, main diff, timelines and every quote behind them.

One file, no network: plotly's JavaScript is embedded inline, so the report opens offline,
can be mailed or archived, and prints cleanly. Every piece of document text goes through
Jinja2's autoescaping (or ``html.escape`` for plotly labels), because reports quote
arbitrary web pages.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from peacetrack.compare.cells import Cell
from peacetrack.compare.diff import diff
from peacetrack.compare.extras import require
from peacetrack.compare.labels import actor_name, issue_label, issue_order
from peacetrack.compare.matrix import By, Matrix, compare
from peacetrack.compare.render import (
    STANCE_COLOURS,
    cell_anchor,
    cell_text,
    render_diff,
    render_matrix,
    support_badge,
    support_mark,
)
from peacetrack.compare.timeline import TimelineEntry, timeline
from peacetrack.files import write_text_atomic
from peacetrack.source import (
    ClaimSource,
    Filters,
    GroupFn,
    MemorySource,
    SourceIndex,
    StoredClaim,
    as_source,
    by_cell,
)
from peacetrack.support import DEFAULT_SUPPORT, Support

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
    min_support: Support = DEFAULT_SUPPORT,
    reviewed_only: bool = False,
) -> Path:
    """Write the report to ``path`` (atomically) and return it.

    ``min_support`` and ``reviewed_only`` are those of ``compare``, for every section."""
    jinja2, go = _libraries()
    source = as_source(claims, independent_groups)
    pool = source.select_claims(Filters(reviewed_only=reviewed_only))
    # Every section reads the same claims, loaded once, with the source's grouping.
    memory = MemorySource(pool, source.independent_groups)
    matrix = compare(memory, by=by, min_support=min_support)
    figures = _Figures(go)
    context = {
        "title": title,
        "generated": date.today().isoformat(),
        "claims_count": len(pool),
        "documents_count": len({s.document_id for s in pool}),
        "sources_count": SourceIndex(pool, source.independent_groups).count(pool),
        "span": _span(pool),
        "legend": [(c.replace("_", " "), colour) for c, colour in STANCE_COLOURS.items()],
        "heatmap": figures.heatmap(matrix) if matrix.cells else "",
        "matrix_html": render_matrix(matrix, "html"),
        "timelines": [
            (issue, issue_label(issue), figures.timeline(entries))
            for issue, entries in _timelines(memory, min_support).items()
        ],
        "cells": _evidence(matrix, pool),
    } | _main_diff(memory, min_support)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("peacetrack.compare", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    html = env.get_template("report.html.j2").render(**context)
    write_text_atomic(path, html)
    return path


def _libraries() -> tuple[Any, Any]:
    return (
        require("jinja2", "report", "the HTML report"),
        require("plotly.graph_objects", "report", "the HTML report"),
    )


def _span(claims: Sequence[StoredClaim]) -> str:
    dates = sorted(s.published for s in claims if s.published is not None)
    return f"{dates[0].isoformat()} to {dates[-1].isoformat()}" if dates else ""


def _main_diff(memory: MemorySource, min_support: Support) -> dict[str, str]:
    """The diff between the two proposals with the most claims, when there are two."""
    counts = Counter(s.canonical_proposal for s in memory.claims if s.canonical_proposal)
    main = [name for name, _ in counts.most_common(2)]
    if len(main) < 2:
        return {"diff_html": "", "diff_title": ""}
    result = diff(memory, main[0], main[1], min_support=min_support)
    html = render_diff(result, "html")
    assert isinstance(html, str)
    return {"diff_html": html, "diff_title": f"{main[0]} vs {main[1]}"}


def _timelines(memory: MemorySource, min_support: Support) -> dict[str, list[TimelineEntry]]:
    """Per issue (codebook order), the dated steps of every actor, for issues where some
    actor took more than one step: a single dot per actor shows no movement."""
    per_issue: dict[str, list[TimelineEntry]] = defaultdict(list)
    for entry in timeline(memory, min_support=min_support):
        if entry.first is not None:
            per_issue[entry.issue].append(entry)
    order = issue_order()
    return {
        issue: per_issue[issue]
        for issue in sorted(per_issue, key=lambda i: order.get(i, len(order)))
        if max(Counter(e.actor for e in per_issue[issue]).values()) > 1
    }


def _evidence(matrix: Matrix, pool: Sequence[StoredClaim]) -> list[dict[str, Any]]:
    """Every cell with all the claims behind it, newest first: the report is the record."""
    behind = by_cell(pool, matrix.by)
    return [
        {
            "anchor": cell_anchor(row, column),
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
        "grade": support_badge(stored.grade),
    }


def _mark(cell: Cell | None) -> str:
    """A cell's support mark on the heatmap (the legend under it says what each means)."""
    return "" if cell is None else support_mark(cell.support)


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

    def heatmap(self, matrix: Matrix) -> str:
        """Cells coloured by stance class; hovering shows the summary."""
        rows = list(reversed(matrix.rows))  # plotly draws the first row at the bottom
        z: list[list[float | None]] = []
        text: list[list[str]] = []
        anchors: list[list[str]] = []
        for row in rows:
            cells = [matrix.cell(row, c) for c in matrix.columns]
            z.append([None if c is None else float(_CLASSES.index(c.stance.coarse)) for c in cells])
            text.append(["" if c is None else escape(cell_text(c)) for c in cells])
            anchors.append([cell_anchor(row, c) for c in matrix.columns])
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
        marks = self._go.Scatter(
            x=[escape(matrix.column_label(c)) for _ in rows for c in matrix.columns],
            y=[row for row in rows for _ in matrix.columns],
            text=[_mark(matrix.cell(row, c)) for row in rows for c in matrix.columns],
            mode="text",
            textfont={"color": "#ffffff", "size": 13},
            hoverinfo="skip",
            showlegend=False,
        )
        layout = {
            "height": max(300, 28 * len(rows) + 160),
            "xaxis": {"side": "top", "tickangle": -30},
            "margin": {"t": 140, "b": 20},
        }
        figure = self._go.Figure([trace, marks], layout=layout)
        return self._html(figure, _JUMP_TO_EVIDENCE)

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
