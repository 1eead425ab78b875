"""`peacetrack batch`: extract a whole archive on Dask, into resumable Parquet shards."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peacetrack.cli.app import app
from peacetrack.cli.common import DbOption, console, fail, handled, open_store, progress_bar
from peacetrack.cli.extract import (
    BaseUrlOption,
    ConcurrencyOption,
    ExtractorOption,
    ModelFileOption,
    ModelOption,
    TimeoutOption,
    extractor_options,
)
from peacetrack.extract.base import DEFAULT_EXTRACTOR

# The options of `batch`, declared once here so that the command reads as what it does.
InputsArgument = Annotated[
    list[str],
    typer.Argument(
        metavar="INPUT...",
        help="JSONL, CSV or Parquet corpora, folders of report files; local paths or "
        "fsspec URLs (s3://bucket/news.jsonl).",
    ),
]

OutOption = Annotated[
    Path,
    typer.Option("--out", metavar="DIR", help="Output folder (Parquet and manifest)."),
]

SchedulerOption = Annotated[
    str,
    typer.Option(
        metavar="local|tcp://HOST:PORT",
        help="'local' to run on this machine, or the address of a Dask scheduler.",
    ),
]

WorkersOption = Annotated[
    int,
    typer.Option(
        metavar="N",
        help="Workers of a local run: one runs in this process, more are processes "
        "forked from it once the extractor is loaded.",
    ),
]

ShardSizeOption = Annotated[
    int | None,
    typer.Option(
        metavar="N",
        help="Rows (corpora) or files (folders) per shard. Default: sized from the work "
        "(about 32 shards, 50 to 1000 documents and at most 32 MB of a corpus each); a "
        "resumed run keeps its size.",
        show_default=False,
    ),
]

RetriesOption = Annotated[int, typer.Option(metavar="N", help="Retries of a failed shard.")]

LoadOption = Annotated[
    bool, typer.Option("--load", help="Then load the output into the store (--db).")
]

LoadConflictOption = Annotated[
    str | None,
    typer.Option(
        "--conflict",
        metavar="ID",
        help="With --load, load only the documents with claims of this conflict (an id, "
        "name or alias, or 'unassigned').",
        show_default=False,
    ),
]


@app.command()
def batch(
    inputs: InputsArgument,
    out: OutOption,
    scheduler: SchedulerOption = "local",
    workers: WorkersOption = 2,
    extractor: ExtractorOption = DEFAULT_EXTRACTOR,
    shard_size: ShardSizeOption = None,
    retries: RetriesOption = 2,
    load: LoadOption = False,
    db: DbOption = None,
    conflict: LoadConflictOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    timeout: TimeoutOption = None,
    concurrency: ConcurrencyOption = None,
    model_file: ModelFileOption = None,
) -> None:
    """Extract claims from large archives in parallel, written as Parquet under --out.

    Re-running with the same --out skips finished shards; failed shards are listed and the
    exit code is 1. With --load, the output then goes into the store (safe to repeat).
    """
    if conflict is not None:
        # Imported only here: it brings in the store, about 0.5 s before any shard starts.
        from peacetrack.compare.vocabulary import check_conflict

        if not load:
            fail("--conflict chooses what --load puts in the store: add --load")
        with handled():
            check_conflict(conflict)  # before the run, not after hours of it
    with progress_bar("Batch") as bar, handled():
        from peacetrack.batch import run_batch

        task = bar.add_task(f"Shards ({extractor})", total=None)
        summary = run_batch(
            inputs,
            out,
            scheduler=scheduler,
            workers=workers,
            extractor=extractor,
            shard_size=shard_size,
            retries=retries,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            extractor_options=extractor_options(
                model, base_url, timeout, concurrency, False, True, model_file
            ),
        )
    console.print(summary.describe())
    if load:
        # Imported only here: loading brings in the store (about 0.5 s), which a run
        # without --load never uses.
        from peacetrack.batch import load_batch

        with open_store(db) as store, handled():
            console.print(load_batch(out, store, conflict).describe())
    if not summary.ok:
        fail(f"{len(summary.failed)} shard(s) failed (listed above); re-run to retry them")
