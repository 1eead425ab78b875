"""`peacetrack extract` and `peacetrack eval`: run an extractor, measure it."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from peacetrack.cli.app import app
from peacetrack.cli.common import (
    DbOption,
    console,
    err_console,
    fail,
    handled,
    open_store,
    progress_bar,
)
from peacetrack.extract.base import DEFAULT_EXTRACTOR, Extractor

if TYPE_CHECKING:
    from peacetrack.ingest import Failure

ExtractorOption = Annotated[
    str,
    typer.Option(
        "--extractor",
        "-e",
        envvar="PEACETRACK_EXTRACTOR",
        help="Extractor name with its version, e.g. rules.v1.",
    ),
]


class ExtractFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"


@app.command()
def extract(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Files, folders or URLs to extract from directly, without a store."),
    ] = None,
    extractor: ExtractorOption = DEFAULT_EXTRACTOR,
    fmt: Annotated[
        ExtractFormat,
        typer.Option("--format", help="Output for PATHS: guideline JSONL or a table."),
    ] = ExtractFormat.jsonl,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to a file.")] = None,
    db: DbOption = None,
) -> None:
    """Extract claims.

    With PATHS, read them and print one guideline JSONL line per document (no store).
    Without, extract every stored document this extractor version has not processed yet
    and store the claims (re-running is safe; reviewed claims are never touched).
    """
    from peacetrack.extract import get_extractor

    with handled():
        chosen = get_extractor(extractor)
    if paths:
        _extract_paths(paths, chosen, fmt, output)
    else:
        _extract_store(chosen, db)


def _extract_paths(
    paths: list[str], chosen: Extractor, fmt: ExtractFormat, output: Path | None
) -> None:
    from peacetrack.cli.common import write_output
    from peacetrack.extract.runner import extract_files

    def report(failure: Failure) -> None:
        err_console.print(f"failed: {failure.input} — {failure.reason}", highlight=False)

    with handled():
        records = list(extract_files(paths, chosen, on_failure=report))
    if fmt is ExtractFormat.jsonl:
        write_output("".join(r.to_json() + "\n" for r in records), output)
        return
    table = Table("doc", "actors", "stance", "issue", "evidence", box=None)
    for record in records:
        for c in record.claims:
            table.add_row(record.doc, ",".join(c.actors), c.stance.value, c.issue, c.evidence)
    console.print(table)


def _extract_store(chosen: Extractor, db: str | None) -> None:
    from peacetrack.extract.runner import extract_store

    with open_store(db) as store, progress_bar("Extracting") as bar, handled():
        task = bar.add_task(f"Extracting ({chosen.name})", total=None)
        summary = extract_store(
            store,
            chosen,
            on_total=lambda total: bar.update(task, total=total),
            progress=lambda _doc: bar.advance(task),
        )
    console.print(summary.describe(), highlight=False)


@app.command("eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold claims, guideline JSONL.", exists=True)],
    docs: Annotated[
        Path, typer.Argument(help="Folder of the documents named in GOLD.", exists=True)
    ],
    extractor: ExtractorOption = DEFAULT_EXTRACTOR,
    errors: Annotated[bool, typer.Option(help="List missed and spurious claims.")] = True,
    min_f1: Annotated[
        float | None, typer.Option(help="Exit 1 when primary F1 is below this.")
    ] = None,
) -> None:
    """Score an extractor against gold claims, then list its errors to work from."""
    from peacetrack.extract import get_extractor
    from peacetrack.extract.evaluate import evaluate as run_evaluation

    if not docs.is_dir():
        fail(f"{docs} is not a folder: give the folder holding the gold documents")
    with handled():
        result = run_evaluation(gold, docs, get_extractor(extractor))
    console.print(result.report(errors=errors), markup=False, highlight=False)
    if min_f1 is not None and result.score.primary.f < min_f1:
        raise typer.Exit(1)
