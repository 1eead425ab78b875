"""What every command shares: consoles, the store and codebook options, error handling.

Commands stay thin: parse arguments, make one library call, print. Library errors that are
the user's to fix (PeaceTrackError) become one red line and exit code 1, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from peacetrack.errors import PeaceTrackError
from peacetrack.files import write_text_atomic

if TYPE_CHECKING:
    from peacetrack.store import Store

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="PEACETRACK_DB",
        help="Store: a SQLite file path or any SQLAlchemy URL (postgresql+psycopg://...). "
        "Default: peacetrack.db in the current folder.",
        show_default=False,
    ),
]


def fail(message: str) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@contextmanager
def handled() -> Iterator[None]:
    """Turn the library's user-facing errors into a clear message and exit code 1."""
    try:
        yield
    except PeaceTrackError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        err_console.print("interrupted: everything stored so far is complete; re-run to go on")
        raise typer.Exit(130) from None


@contextmanager
def open_store(db: str | None) -> Iterator[Store]:
    from peacetrack.store import Store

    with handled():
        store = Store.open(db)
    try:
        yield store
    finally:
        store.close()


def progress_bar(description: str) -> Progress:
    """A rich progress bar on a terminal; silent when output is piped (CI, scripts)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
        disable=not sys.stderr.isatty(),
    )


def write_output(text: str, output: Path | None) -> None:
    """Write to a file atomically, or to stdout without rich markup."""
    if output is None:
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        return
    write_text_atomic(output, text)
