"""Matrices, diffs and timelines as text: a rich table, Markdown, CSV, JSON or HTML.

One function per view, one format argument: the CLI, the web pages and the report all
call these, so a cell reads the same everywhere.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from html import escape
from typing import Any, Literal

from rich.table import Table

from peacetrack.compare.cells import Cell
from peacetrack.compare.diff import Diff, IssueDiff
from peacetrack.compare.labels import conflict_name, issue_label
from peacetrack.compare.matrix import Matrix
from peacetrack.compare.sentences import words
from peacetrack.compare.timeline import TimelineEntry
from peacetrack.support import Support
from peacetrack.terminal import plain
from peacetrack.vocabulary import UNASSIGNED

Format = Literal["table", "md", "csv", "json", "html"]
FORMATS: tuple[str, ...] = ("table", "md", "csv", "json", "html")

#: Colour per coarse stance class, shared by the HTML table, the report and the web pages.
STANCE_COLOURS = {
    "put_forward": "#4c78a8",
    "accept": "#54a24b",
    "agree": "#2e7d32",
    "concede": "#b279a2",
    "no_agreement": "#f58518",
    "reject": "#e45756",
    "absent": "#bab0ac",
}
EMPTY = "—"


def cell_text(cell: Cell) -> str:
    """The sentence, its support at a glance (level, independent sources behind the shown
    position, dates), the markers a reader must not miss, and the weaker claims counted.

    e.g. "demands that Ukraine withdraw from Donetsk [●● corroborated · 3 of 4 sources,
    16 May–4 Jun 2025] ↻ changed (+1 weaker claim not counted)": three sources state the
    shown position, four report on the cell over those dates.
    """
    book = words().cell
    markers = (f" {book['conflict']}" if cell.conflict else "") + (
        f" {book['changed']}" if cell.changed else ""
    )
    # A cell of weaker claims only says so by its level: nothing beside it was left out.
    weaker = f" ({counted(book['weaker'], cell.weaker)})" if cell.weaker < cell.count else ""
    behind = counted(book["sources"], cell.backing)
    if cell.backing != cell.sources:
        behind = book["some_sources"].format(n=cell.backing, total=cell.sources)
    badge = f"{support_badge(cell.support)} · {behind}"
    return f"{cell.summary} [{badge}{_when(cell)}]{markers}{weaker if cell.weaker else ''}"


def support_badge(level: Support) -> str:
    """ "●● corroborated": a level's mark and name."""
    found = words().support[level.label]
    return f"{found['mark']} {found['label']}"


def counted(forms: Sequence[str], n: int) -> str:
    """ "1 source" or "3 sources", from the singular and plural forms in the data."""
    return forms[0 if n == 1 else 1].format(n=n)


def support_legend(floor: Support) -> list[str]:
    """The legend beside every matrix: each level's mark and meaning, strongest first, then
    which positions move the markers."""
    book = words()
    lines = [
        f"{book.support[level.label]['mark']} {book.support[level.label]['legend']}"
        for level in reversed(Support)
    ]
    return [*lines, book.cell["markers"].format(floor=floor.label)]


def _when(cell: Cell) -> str:
    """ ", 16 May–4 Jun 2025": the span of reports behind the cell, so staleness shows."""
    first, last = cell.first, cell.last
    if first is None or last is None:
        return ""
    if first == last:
        return f", {first.day} {first:%b %Y}"
    start = f"{first.day} {first:%b}" + ("" if first.year == last.year else f" {first.year}")
    return f", {start}–{last.day} {last:%b %Y}"


def cell_anchor(row: str, column: str, scope: str = "") -> str:
    """A stable HTML id for a cell: proposal names hold characters ids cannot. ``scope``
    (a conflict id) keeps apart the same cell in two sections of one page."""
    key = f"{scope}\0{row}\0{column}" if scope else f"{row}\0{column}"
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()
    return f"cell-{digest[:12]}"


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def records_csv(records: Sequence[dict[str, Any]], columns: Sequence[str] = ()) -> str:
    """CSV: lists and objects as JSON text, dates in ISO form, None as an empty cell.

    The header is ``columns`` (else the first record's keys), so even an empty export
    says what it would hold.
    """
    names = list(columns) or (list(records[0]) if records else [])
    return "".join(csv_lines(records, names)) if names else ""


def csv_lines(records: Iterable[dict[str, Any]], columns: Sequence[str]) -> Iterator[str]:
    """``records_csv`` a line at a time (the header first), for exports of any size."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _flat(v) for k, v in record.items()})
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _flat(value: Any) -> Any:
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def records_json(records: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(records), ensure_ascii=False, indent=2, default=_json_default)


def json_array(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """``records_json`` a record at a time, the same text to the byte."""
    opened = False
    for record in records:
        body = json.dumps(record, ensure_ascii=False, indent=2, default=_json_default)
        yield ("[\n" if not opened else ",\n") + textwrap.indent(body, "  ")
        opened = True
    yield "\n]" if opened else "[]"


def json_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, default=_json_default)


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    return "".join(md_lines(header, rows))


def md_lines(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """A Markdown table a line at a time, for exports of any size."""
    yield "| " + " | ".join(_md(h) for h in header) + " |\n"
    yield "|" + "---|" * len(header) + "\n"
    for row in rows:
        yield "| " + " | ".join(_md(c) for c in row) + " |\n"


def _rich(
    header: Sequence[str], rows: Sequence[Sequence[str]], title: str, caption: str | None = None
) -> Table:
    """A rich table of plain text: brackets in documents are never read as markup, nor
    control characters sent to the terminal (``peacetrack.terminal``)."""
    table = Table(
        show_lines=True,
        title=plain(title),
        caption=plain(caption) if caption else None,
        caption_justify="left",
    )
    for i, name in enumerate(header):
        # The first column holds the row's key (an issue code): never wrap or cut it.
        table.add_column(plain(name), no_wrap=i == 0, min_width=None)
    for row in rows:
        table.add_row(*(plain(c) for c in row))
    return table


# --- matrix -------------------------------------------------------------------------------


def render_matrix(m: Matrix, fmt: Format = "table", *, anchor_scope: str = "") -> str | Table:
    """The matrix as a rich table or text; in HTML cells link to ``cell_anchor`` ids of
    ``anchor_scope``."""
    _check(fmt)
    if fmt == "csv":
        return records_csv(m.to_records())
    if fmt == "json":
        return records_json(m.to_records())
    if fmt == "html":
        return _matrix_html(m, anchor_scope)
    header = ["issue", *(m.column_label(c) for c in m.columns)]
    rows = [[row, *(_cell_or_empty(m.cell(row, c)) for c in m.columns)] for row in m.rows]
    legend = support_legend(m.min_support)
    if fmt == "md":
        return md_table(header, rows) + "\n" + "".join(f"- {line}\n" for line in legend)
    title = f"by {m.by}" if m.conflict is None else f"{conflict_name(m.conflict)}, by {m.by}"
    return _rich(header, rows, title, "\n".join(legend))


def _cell_or_empty(cell: Cell | None) -> str:
    return EMPTY if cell is None else cell_text(cell)


def _matrix_html(m: Matrix, scope: str) -> str:
    """An escaped table whose cells link to their evidence (``#cell-…`` anchors)."""
    head = "".join(f"<th>{escape(m.column_label(c))}</th>" for c in m.columns)
    legend = "".join(f"<li>{escape(line)}</li>" for line in support_legend(m.min_support))
    body = []
    for row in m.rows:
        tds = "".join(_cell_html(cell_anchor(row, c, scope), m.cell(row, c)) for c in m.columns)
        label = f'<th title="{escape(issue_label(row))}">{escape(row)}</th>'
        body.append(f"<tr>{label}{tds}</tr>")
    return (
        f'<table class="matrix"><thead><tr><th>issue</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
        f'<ul class="support-legend">{legend}</ul>'
    )


def cell_flags(cell: Cell) -> str:
    """A cell's markers and support as class names ("conflict changed support-named"),
    which the legend and the stylesheets read."""
    flags = ("conflict " if cell.conflict else "") + ("changed " if cell.changed else "")
    return flags + f"support-{cell.support.label}"


def _cell_html(anchor: str, cell: Cell | None) -> str:
    if cell is None:
        return f'<td class="empty">{EMPTY}</td>'
    colour = STANCE_COLOURS[cell.stance.coarse]
    return (
        f'<td class="stance {escape(cell_flags(cell))}" style="border-left:6px solid {colour}">'
        f'<a href="#{anchor}">{escape(cell_text(cell))}</a></td>'
    )


# --- diff ---------------------------------------------------------------------------------


def render_diff(d: Diff, fmt: Format = "table") -> str | Table:
    _check(fmt)
    if fmt == "csv":
        return records_csv(d.to_records())
    if fmt == "json":
        return records_json(d.to_records())
    rows = [
        [_category_label(d, key), item.issue, _side(item.a), _side(item.b), _what(item)]
        for key, items in d.categories().items()
        for item in items
    ]
    header = ["", "issue", d.a, d.b, "what differs"]
    if fmt == "html":
        return _html_table(header, rows, css_class="diff")
    if fmt == "md":
        return _diff_overview(d) + "\n" + md_table(header, rows)
    return _rich(header, rows, _diff_overview(d))


def _category_label(d: Diff, key: str) -> str:
    return {
        "only_a": f"only in {d.a}",
        "only_b": f"only in {d.b}",
        "different": "in both, different",
        "same": "in both, same",
    }[key]


def _side(cell: Cell | None) -> str:
    return "not reported" if cell is None else f"{cell.summary} [{support_badge(cell.support)}]"


def _what(item: IssueDiff) -> str:
    if item.differences:
        return ", ".join(item.differences)
    return "stated absent" if item.stated_absent else ""


def _diff_overview(d: Diff) -> str:
    """The three lines a reader wants first: only in A, different, only in B."""
    lines = []
    for key, items in d.categories().items():
        if key != "same":
            codes = ", ".join(i.issue for i in items) or EMPTY
            lines.append(f"{_category_label(d, key)}: {codes}")
    return "\n".join(lines)


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]], css_class: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


# --- timeline -----------------------------------------------------------------------------


def render_timeline(entries: Sequence[TimelineEntry], fmt: Format = "table") -> str | Table:
    _check(fmt)
    records = [e.to_record() for e in entries]
    if fmt == "csv":
        return records_csv(records)
    if fmt == "json":
        return records_json(records)
    header = ["date", "conflict", "actor", "issue", "stance", "support", "sources", "evidence"]
    weaker = words().cell["weaker"]
    rows = [
        [
            _span(e.first, e.last),
            e.conflict_id or UNASSIGNED,
            e.actor,
            e.issue,
            ("↻ " if e.changed else "") + e.summary + (" ⚠" if e.conflict else ""),
            support_badge(e.support)
            + (f" ({counted(weaker, e.weaker)})" if 0 < e.weaker < len(e.claim_ids) else ""),
            str(e.sources),
            e.evidence[-1].claim.evidence,
        ]
        for e in entries
    ]
    if fmt == "html":
        return _html_table(header, rows, css_class="timeline")
    if fmt == "md":
        return md_table(header, rows)
    return _rich(header, rows, "timeline")


def _span(first: date | None, last: date | None) -> str:
    if first is None or last is None:
        return "undated"
    return first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"
