"""`peacetrack runs`: the latest ingest, extract and batch-load runs, and how each ended."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from peacetrack.cli.app import app
from peacetrack.cli.common import DbOption, console, handled, open_store

if TYPE_CHECKING:
    from peacetrack.store import RunInfo


@app.command()
def runs(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(metavar="N", help="How many, newest first.")] = 20,
) -> None:
    """List the latest runs with their status; a run whose process was killed before it
    finished shows as interrupted."""
    with open_store(db, create=False) as store, handled():
        found = store.runs(limit)
    table = Table("id", "kind", "status", "started (UTC)", "took", "process", box=None)
    table.add_column("details", overflow="fold")
    for run in found:
        took = run.finished_at - run.started_at if run.finished_at else None
        table.add_row(
            str(run.id),
            run.kind,
            run.status,
            f"{run.started_at:%Y-%m-%d %H:%M}",
            f"{took.total_seconds():.1f} s" if took is not None else "",
            _process(run),
            _compact({**run.params, **(run.stats or {})}),
        )
    console.print(table)
    console.print(f"{len(found)} runs", style="dim")


def _process(run: RunInfo) -> str:
    if run.pid is None:
        return ""
    return f"{run.pid} on {run.host}" if run.host else str(run.pid)


def _compact(values: Mapping[str, Any], width: int = 80) -> str:
    """``key=value`` pairs, non-empty ones only, cut to ``width`` characters."""
    text = " ".join(f"{k}={v}" for k, v in values.items() if v not in (None, "", [], {}, 0))
    return text if len(text) <= width else text[: width - 1] + "…"
