"""`peacetrack ingest`: add reports to the store."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from peacetrack.cli.app import app
from peacetrack.cli.common import DbOption, console, fail, handled, open_store, progress_bar


def parse_column_map(pairs: list[str] | None) -> dict[str, str]:
    """`--column text=article_body` pairs as a mapping from our field to the corpus column."""
    mapping: dict[str, str] = {}
    for pair in pairs or []:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            fail(f"--column {pair!r}: write FIELD=COLUMN, e.g. --column text=article_body")
        mapping[field.strip()] = column.strip()
    return mapping


def _ingest_stdin(sources: list[str], db: str | None) -> None:
    """``peacetrack ingest -``: one report from standard input, as the web app's pasted text."""
    from peacetrack.ingest import ingest_text

    if sources != ["-"]:
        fail("- (standard input) is read alone: give it without other sources")
    text = sys.stdin.read()
    with open_store(db) as store, handled():
        summary = ingest_text(text, store)
    console.print(summary.describe())
    if summary.failed:
        raise typer.Exit(1)


@app.command()
def ingest(
    sources: Annotated[
        list[str],
        typer.Argument(
            metavar="SOURCE...",
            help="Files, folders (walked recursively), feeds or http(s) URLs; "
            "- alone reads one report from standard input.",
            show_default=False,
        ),
    ],
    db: DbOption = None,
    follow_links: Annotated[
        bool, typer.Option("--follow-links", help="For feeds: fetch each entry's linked article.")
    ] = False,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Allow URLs on private or loopback addresses (refused by default).",
        ),
    ] = False,
    max_mb: Annotated[
        float,
        typer.Option(
            metavar="MB", help="Refuse files, pages and corpus rows larger than this (MB)."
        ),
    ] = 20.0,
    timeout: Annotated[
        float, typer.Option(metavar="SECONDS", help="Seconds to wait for each URL.")
    ] = 30.0,
    column: Annotated[
        list[str] | None,
        typer.Option(
            metavar="FIELD=COLUMN",
            help="Map a corpus column to a field for JSONL/CSV input "
            "(fields: text, title, url, outlet, author, date, name). Repeatable.",
        ),
    ] = None,
) -> None:
    """Store reports: text, Markdown, HTML, RSS/Atom feeds, JSONL/CSV corpora and URLs.

    Re-running is safe: content already stored is skipped, and syndicated copies of one
    story are linked so that they count as one source.
    """
    from peacetrack.ingest import IngestOptions
    from peacetrack.ingest import ingest as run_ingest

    if "-" in sources:
        _ingest_stdin(sources, db)
        return

    with handled():
        options = IngestOptions(
            follow_links=follow_links,
            allow_private=allow_private,
            column_map=parse_column_map(column),
            max_bytes=int(max_mb * 1_000_000),
            timeout=timeout,
        )
    with open_store(db) as store, progress_bar("Ingesting") as bar, handled():
        task = bar.add_task("Ingesting", total=None)
        summary = run_ingest(
            sources,
            store,
            options,
            progress=lambda _source: bar.advance(task),
            on_total=lambda total: bar.update(task, total=total),
        )
    console.print(summary.describe())
    if summary.empty or (summary.failed and not (summary.added or summary.duplicates)):
        raise typer.Exit(1)
