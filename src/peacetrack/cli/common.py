"""What every command shares: consoles, the store and codebook options, error handling.

Commands stay thin: parse arguments, make one library call, print. Library errors that are
the user's to fix (PeaceTrackError) become one red line and exit code 1, never a traceback.
Both consoles print strings as plain text (``peacetrack.terminal``): stored titles, names
and evidence are never read as markup or reach the terminal as control codes, so styling
is done with ``label`` and ``style=``, never with markup in strings.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.text import Text

from peacetrack.errors import PeaceTrackError
from peacetrack.files import write_text_atomic
from peacetrack.terminal import PlainConsole, plain, visible

if TYPE_CHECKING:
    from rich.progress import Progress

    from peacetrack.store import Store

console = PlainConsole()
err_console = PlainConsole(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="PEACETRACK_DB",
        metavar="FILE|URL",
        help="Store: a SQLite file path or any SQLAlchemy URL (postgresql+psycopg://...). "
        "Default: peacetrack.db in the current folder.",
        show_default=False,
    ),
]
SinceOption = Annotated[
    str | None, typer.Option(metavar="DATE", help="Published on or after (YYYY-MM-DD).")
]
UntilOption = Annotated[
    str | None, typer.Option(metavar="DATE", help="Published on or before (YYYY-MM-DD).")
]
ConflictOption = Annotated[
    str | None,
    typer.Option(
        "--conflict",
        metavar="ID",
        help="Only this conflict: an id (ru-ua), name or alias, or 'unassigned' for claims "
        "that fit none; `peacetrack conflicts` lists them.",
        show_default=False,
    ),
]
OutputOption = Annotated[
    Path | None, typer.Option("-o", "--output", metavar="FILE", help="Write to a file.")
]


def label(name: str, value: object) -> Text:
    """``name: value`` with the name in bold and the value as plain text."""
    return Text.assemble((f"{name}:", "bold"), " ", plain(value))


def fail(message: str) -> NoReturn:
    err_console.print(Text.assemble(("error:", "bold red"), " ", plain(message)), soft_wrap=True)
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
def open_store(db: str | None, *, create: bool = True) -> Iterator[Store]:
    """The store named by ``--db``; with ``create=False`` (commands that only read, or
    change what is there) a store that does not exist is an error, not a new empty one."""
    from peacetrack.store import Store

    with handled():
        store = Store.open(db, create=create)
    try:
        yield store
    finally:
        store.close()


def progress_bar(description: str) -> Progress:
    """A rich progress bar on a terminal; silent when output is piped (CI, scripts)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
        disable=not sys.stderr.isatty(),
    )


def write_stream(pieces: Iterable[str]) -> None:
    """Text to stdout as it is made (an export of any size), as ``write_output`` writes it."""
    shown = sys.stdout.isatty()
    last = ""
    for piece in pieces:
        sys.stdout.write(visible(piece) if shown else piece)
        last = piece or last
    if last and not last.endswith("\n"):
        sys.stdout.write("\n")


def write_output(text: str, output: Path | None) -> None:
    """Write to a file atomically, or to stdout without rich markup.

    Files and pipes get the text exactly; a terminal gets control characters as visible
    escapes, since CSV and Markdown carry stored text through unescaped.
    """
    if output is None:
        shown = visible(text) if sys.stdout.isatty() else text
        sys.stdout.write(shown if shown.endswith("\n") or not shown else shown + "\n")
        return
    write_text_atomic(output, text)
