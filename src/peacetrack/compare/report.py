"""A self-contained HTML report: matrix, main diff, timelines and every quote behind them,
for one conflict or in one section per conflict.

One file, no network: plotly.js's basic bundle (``vendor/``, 1.2 MB rather than the full
4.8 MB) is embedded inline, so the report opens offline, can be mailed or archived, and
prints cleanly. The matrix is a table whose cells are coloured by stance and say it in
words, each linking to its quotes; a heatmap beside it would only repeat it without the
words. The timelines label every dot with its stance and give each stance its own marker,
so that they read on paper, where nothing can be hovered. Every piece of document text
goes through Jinja2's autoescaping (or ``html.escape`` for plotly labels), because reports
quote arbitrary web pages.
"""

from __future__ import annotations

import re
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
    support_badge,
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
from peacetrack.vocabulary import UNASSIGNED

_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
#: plotly.js's partial bundle with scatter plots, the only kind the report draws.
PLOTLY_BASIC = Path(__file__).with_name("vendor") / "plotly-basic.min.js"
#: A marker per stance class (plotly's name, and the character the legend shows for it),
#: so that a printout in grey still tells them apart.
_SYMBOLS = {
    "put_forward": ("circle", "●"),
    "accept": ("square", "■"),
    "agree": ("diamond", "◆"),
    "concede": ("triangle-down", "▼"),
    "no_agreement": ("triangle-up", "▲"),
    "reject": ("x", "✖"),
    "absent": ("circle-open", "○"),
}


def write_report(
    claims: ClaimSource | Sequence[StoredClaim],
    path: Path,
    *,
    title: str = "PeaceTrack report",
    independent_groups: GroupFn | None = None,
    by: By = "actor",
    min_support: Support = DEFAULT_SUPPORT,
    reviewed_only: bool = False,
    conflict: str | None = None,
) -> Path:
    """Write the report to ``path`` (atomically) and return it.

    ``min_support`` and ``reviewed_only`` are those of ``compare``, for every section. The
    report covers ``conflict`` (an id, name or alias, or ``unassigned``) or, when none is
    given, has one section per conflict with claims (the unassigned claims last): a matrix,
    diff or timeline never mixes two wars."""
    jinja2, go = _libraries()
    source = as_source(claims, independent_groups)
    pool = source.select_claims(Filters(reviewed_only=reviewed_only, conflict=conflict))
    parts = _by_conflict(pool)
    how = Section(by, source.independent_groups, _Figures(go), min_support, len(parts) > 1)
    sections = [_section(key, members, how) for key, members in parts.items()]
    context = {
        "title": title,
        "generated": date.today().isoformat(),
        "claims_count": len(pool),
        "documents_count": len({s.document_id for s in pool}),
        "sources_count": SourceIndex(pool, source.independent_groups).count(pool),
        "span": _span(pool),
        "legend": [
            (c.replace("_", " "), colour, _SYMBOLS[c][1]) for c, colour in STANCE_COLOURS.items()
        ],
        "sections": sections,
        "plotly_js": _plotly_js() if any(s["timelines"] for s in sections) else "",
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
    the figures, the support floor, and whether ids are kept apart per conflict."""

    by: By
    groups: GroupFn
    figures: _Figures
    min_support: Support
    scoped: bool


def _section(key: str, claims: list[StoredClaim], how: Section) -> dict[str, Any]:
    """One conflict's matrix, main diff, timelines and evidence, from its claims alone."""
    memory = MemorySource(claims, how.groups)
    # The claims are the conflict's already (its id may be one this codebook lacks).
    matrix = compare(memory, by=how.by, min_support=how.min_support)
    columns = parties_first(matrix.columns, key) if how.by == "actor" else matrix.columns
    matrix = replace(matrix, columns=columns, conflict=key)
    scope = key if how.scoped else ""
    return {
        "name": conflict_name(key),
        "prefix": f"{scope}-" if scope else "",
        "claims_count": len(claims),
        "documents_count": len({s.document_id for s in claims}),
        "sources_count": SourceIndex(claims, how.groups).count(claims),
        "span": _span(claims),
        "matrix_html": render_matrix(matrix, "html", anchor_scope=scope),
        "timelines": [
            (issue, issue_label(issue), how.figures.timeline(entries))
            for issue, entries in _timelines(memory, how.min_support).items()
        ],
        "cells": _evidence(matrix, claims, scope),
    } | _main_diff(memory, how.min_support)


def _plotly_js() -> str:
    """The bundle, safe inside a <script> element: ``</script`` can only be in a string,
    a regular expression or a comment there, where ``<\\/script`` means the same."""
    text = PLOTLY_BASIC.read_text(encoding="utf-8")
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


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
        "grade": support_badge(stored.grade),
    }


class _Figures:
    """Plotly figures as HTML fragments (plotly.js itself is inlined once, by the template)."""

    def __init__(self, go: Any) -> None:
        self._go = go

    def _html(self, figure: Any) -> str:
        html: str = figure.to_html(full_html=False, include_plotlyjs=False, config=_PLOTLY_CONFIG)
        return html

    def timeline(self, entries: Sequence[TimelineEntry]) -> str:
        """Each actor a line across time, each step a dot coloured by stance class, with
        its own marker and its stance written beside it (readable in print)."""
        figure = self._go.Figure()
        by_actor: dict[str, list[TimelineEntry]] = defaultdict(list)
        for entry in entries:
            by_actor[escape(actor_name(entry.actor))].append(entry)
        for name, steps in by_actor.items():
            figure.add_scatter(
                x=[e.first for e in steps],
                y=[name] * len(steps),
                mode="lines+markers+text",
                line={"color": "#cccccc"},
                marker={
                    "size": 12,
                    "color": [STANCE_COLOURS[e.stance.coarse] for e in steps],
                    "symbol": [_SYMBOLS[e.stance.coarse][0] for e in steps],
                    "line": {"width": 1, "color": "#333333"},
                },
                text=[e.stance.value.replace("_", " ") for e in steps],
                textposition="top center",
                textfont={"size": 11},
                hovertext=[escape(e.summary) for e in steps],
                hovertemplate="%{x}<br>%{hovertext}<extra></extra>",
                showlegend=False,
                cliponaxis=False,
            )
        height = max(220, 60 * len(by_actor) + 120)
        # White, not plotly's grey: a printed page spends no ink on the background.
        figure.update_layout(
            height=height,
            margin={"t": 30, "b": 40},
            yaxis={"automargin": True},
            template="plotly_white",
        )
        return self._html(figure)
