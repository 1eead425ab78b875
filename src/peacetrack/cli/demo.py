"""`peacetrack demo`: the whole pipeline on the bundled example reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peacetrack.cli.app import app
from peacetrack.cli.common import DbOption, console, handled, label, open_store


@app.command()
def demo(
    db: DbOption = None,
    examples: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR", help="Folder of reports to use instead of the bundled examples."
        ),
    ] = None,
) -> None:
    """Ingest the example reports, extract their claims, and print each party's positions."""
    from peacetrack.compare import render_matrix
    from peacetrack.demo import run_demo

    with open_store(db) as store, handled():
        result = run_demo(store, examples)
    console.print(label("ingest", result.ingested.describe()))
    console.print(label("extract", result.extracted.describe()))
    console.print(render_matrix(result.matrix, "table"))
    console.print(
        f"Store: {store.url} — explore it with `peacetrack claims`, `peacetrack compare`.",
        style="dim",
    )
