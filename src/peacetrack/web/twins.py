"""CSV twins of pages that are not claim lists (the audit log, an actor's steps, a
proposal's positions), written as the command line writes records (``records_csv``), how
such values are shown on a page, and big JSON twins written straight (``json_reply``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from fastapi.responses import Response

from peacetrack.compare.render import records_csv


def shown(value: Any) -> str:
    """A stored value as a page shows it: lists joined by commas, objects as compact JSON."""
    if value is None:
        return "—"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    return str(value)


def csv_reply(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], name: str) -> Response:
    """``rows`` (only ``columns``, in that order) as a CSV file called ``name``.csv."""
    text = records_csv([{c: row.get(c) for c in columns} for row in rows], columns)
    disposition = f'inline; filename="{name}.csv"'
    return Response(
        text, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition}
    )


def _plain(value: Any) -> Any:
    """What ``json.dumps`` cannot write itself, as FastAPI's encoder writes it."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def json_reply(data: Any) -> Response:
    """``data`` (plain dicts, lists, strings, numbers, dates) as JSON, written by
    ``json.dumps``: FastAPI's own encoder walks every value of a million-claim matrix's
    1,170 cells in Python first, a quarter of the answer's time."""
    return Response(json.dumps(data, default=_plain), media_type="application/json")
