"""`peacetrack extract` and `peacetrack eval`: run an extractor, measure it."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
from peacetrack.errors import InputError
from peacetrack.extract.base import DEFAULT_EXTRACTOR, Extractor

if TYPE_CHECKING:
    from peacetrack.ingest import Failure
    from peacetrack.model import DocumentClaims
    from peacetrack.store import Store

ExtractorOption = Annotated[
    str,
    typer.Option(
        "--extractor",
        "-e",
        envvar="PEACETRACK_EXTRACTOR",
        metavar="NAME",
        help="Extractor name with its version: learned.v1 (offline trained models, the "
        "default), rules.v1 (offline rules, faster) or llm.v1 (a language model).",
    ),
]
_MODEL = "Language model (llm.v1)"
ModelOption = Annotated[
    str | None,
    typer.Option(
        metavar="NAME",
        rich_help_panel=_MODEL,
        help="Model name at the endpoint (or PEACETRACK_LLM_MODEL).",
    ),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        metavar="URL",
        rich_help_panel=_MODEL,
        help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 for Ollama "
        "(or PEACETRACK_LLM_BASE_URL, OPENAI_BASE_URL; default: the OpenAI API).",
    ),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option(metavar="SECONDS", rich_help_panel=_MODEL, help="Time allowed per request."),
]
ConcurrencyOption = Annotated[
    int | None,
    typer.Option(metavar="N", rich_help_panel=_MODEL, help="Requests sent at once."),
]
RefreshOption = Annotated[
    bool,
    typer.Option(
        "--refresh",
        rich_help_panel=_MODEL,
        help="Ask the model again instead of answering from cached replies.",
    ),
]
PrefilterOption = Annotated[
    bool,
    typer.Option(
        "--prefilter/--no-prefilter",
        rich_help_panel=_MODEL,
        help="Leave out English paragraphs with no codebook actor and no negotiation wording.",
    ),
]
CacheOption = Annotated[
    str | None,
    typer.Option(
        metavar="DB",
        rich_help_panel=_MODEL,
        help="A store (file or URL) to keep model replies in when extracting files; "
        "re-running then sends nothing twice.",
    ),
]


ModelFileOption = Annotated[
    Path | None,
    typer.Option(
        "--model-file",
        metavar="FILE",
        exists=True,
        dir_okay=False,
        help="A model written by `peacetrack train` (learned.v1; default: the shipped one).",
    ),
]


def extractor_options(
    model: str | None,
    base_url: str | None,
    timeout: float | None,
    concurrency: int | None,
    refresh: bool,
    prefilter: bool,
    model_file: Path | None = None,
) -> dict[str, Any]:
    """The options given on the command line, for ``get_extractor`` (None: not given)."""
    return {
        "model_file": str(model_file) if model_file is not None else None,
        "model": model,
        "base_url": base_url,
        "timeout": timeout,
        "concurrency": concurrency,
        "refresh": refresh or None,
        "prefilter": None if prefilter else False,
    }


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
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    timeout: TimeoutOption = None,
    concurrency: ConcurrencyOption = None,
    refresh: RefreshOption = False,
    prefilter: PrefilterOption = True,
    cache: CacheOption = None,
    model_file: ModelFileOption = None,
) -> None:
    """Extract claims.

    With PATHS, read them and print one guideline JSONL line per document (no store).
    Without, extract every stored document this extractor version has not processed yet
    and store the claims (re-running is safe; reviewed claims are never touched).
    """
    options = extractor_options(
        model, base_url, timeout, concurrency, refresh, prefilter, model_file
    )
    chosen = _prepared(extractor, options)
    if paths:
        _extract_paths(paths, chosen, fmt, output, cache)
    else:
        _extract_store(chosen, db)


def _reply_cache(cache: str | None) -> AbstractContextManager[Store | None]:
    """The store named by --cache, where model replies are kept; none without it."""
    return open_store(cache) if cache else nullcontext()


def _prepared(name: str, options: dict[str, Any]) -> Extractor:
    """The extractor, checked before any document is read (an unreachable endpoint, say)."""
    from peacetrack.extract import get_extractor
    from peacetrack.extract.runner import prepare

    with handled():
        chosen = get_extractor(name, **options)
        for note in prepare(chosen):
            err_console.print(f"note: {note}", highlight=False)
    return chosen


def _extract_paths(
    paths: list[str], chosen: Extractor, fmt: ExtractFormat, output: Path | None, cache: str | None
) -> None:
    """Records are written as they come (memory stays flat on any number of documents);
    a file appears, whole, only when the run ends well."""
    from peacetrack.extract.runner import extract_files

    failed: list[Failure] = []

    def report(failure: Failure) -> None:
        failed.append(failure)
        err_console.print(f"failed: {failure.input} — {failure.reason}", highlight=False)

    with handled(), _reply_cache(cache) as replies:
        records = _some(extract_files(paths, chosen, on_failure=report, cache=replies), failed)
        if fmt is ExtractFormat.jsonl:
            _write_jsonl(records, output)
        else:
            _print_table(records)
    usage = getattr(chosen, "usage", None)
    if callable(usage):
        err_console.print(usage(), highlight=False)


def _some(records: Iterator[DocumentClaims], failed: list[Failure]) -> Iterator[DocumentClaims]:
    """The records; none at all is an error (exit 1, no output file), as it is for ingest:
    a run that read nothing must not look like one that found no claims."""
    read = 0
    for record in records:
        read += 1
        yield record
    if not read:
        why = "every input failed (above)" if failed else "no report file found there"
        raise InputError(f"no document read: {why}")


def _write_jsonl(records: Iterable[DocumentClaims], output: Path | None) -> None:
    from peacetrack.model import write_claims_jsonl
    from peacetrack.terminal import visible

    if output is not None:
        write_claims_jsonl(records, output)
        return
    tty = sys.stdout.isatty()
    for record in records:
        line = record.to_json()
        sys.stdout.write((visible(line) if tty else line) + "\n")
        sys.stdout.flush()


def _print_table(records: Iterable[DocumentClaims]) -> None:
    table = Table("doc", "actors", "stance", "issue", "evidence", box=None)
    for record in records:
        for c in record.claims:
            table.add_row(record.doc, ",".join(c.actors), c.stance.value, c.issue, c.evidence)
    console.print(table)


def _extract_store(chosen: Extractor, db: str | None) -> None:
    from peacetrack.extract.base import StreamingExtractor
    from peacetrack.extract.runner import extract_store

    label = f"Extracting ({chosen.name})"
    with open_store(db) as store, progress_bar("Extracting") as bar, handled():
        task = bar.add_task(label, total=None)

        def one_more(_document: object) -> None:
            if isinstance(chosen, StreamingExtractor):  # documents and tokens so far
                bar.update(task, description=f"{label} · {chosen.usage(brief=True)}")
            bar.advance(task)

        summary = extract_store(
            store,
            chosen,
            on_total=lambda total: bar.update(task, total=total),
            progress=one_more,
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
        float | None, typer.Option(metavar="F1", help="Exit 1 when primary F1 is below this.")
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Also write the predicted claims (guideline JSONL)."),
    ] = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    timeout: TimeoutOption = None,
    concurrency: ConcurrencyOption = None,
    refresh: RefreshOption = False,
    prefilter: PrefilterOption = True,
    cache: CacheOption = None,
    model_file: ModelFileOption = None,
) -> None:
    """Score an extractor against gold claims, then list its errors to work from."""
    from peacetrack.cli.common import write_output
    from peacetrack.extract.evaluate import evaluate as run_evaluation
    from peacetrack.files import check_writable

    if not docs.is_dir():
        fail(f"{docs} is not a folder: give the folder holding the gold documents")
    if predictions is not None:
        with handled():
            check_writable(predictions)
    options = extractor_options(
        model, base_url, timeout, concurrency, refresh, prefilter, model_file
    )
    chosen = _prepared(extractor, options)
    with handled(), _reply_cache(cache) as replies:
        result = run_evaluation(gold, docs, chosen, cache=replies)
    if predictions is not None:
        with handled():
            write_output(result.to_jsonl(), predictions)
    console.print(result.report(errors=errors), markup=False, highlight=False)
    if min_f1 is not None and result.score.primary.f < min_f1:
        raise typer.Exit(1)
