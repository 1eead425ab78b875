"""CSV twins of pages that are not claim lists: rows of plain values, one header line.

Claim lists have their own CSV (``compare.render_claims``, the command line's); the audit
log, an actor's steps and a proposal's positions are tables of their own, written here so
that every such twin quotes, joins lists and writes dates the same way.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from fastapi.responses import Response


def cell_value(value: Any) -> str:
    """One value as a CSV cell: lists joined by ``; ``, objects as compact JSON, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "; ".join(cell_value(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return str(value)


def csv_reply(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], name: str) -> Response:
    """``rows`` (only ``columns``, in that order) as a CSV file called ``name``.csv."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell_value(row.get(c)) for c in columns])
    disposition = f'inline; filename="{name}.csv"'
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )
