"""`peacetrack compare`, `diff`, `timeline` and `report`: positions side by side."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from peacetrack.cli.app import app
from peacetrack.cli.claims import ActorsOption, IssuesOption, split_list
from peacetrack.cli.common import (
    ConflictOption,
    DbOption,
    OutputOption,
    SinceOption,
    UntilOption,
    console,
    err_console,
    handled,
    open_store,
    write_output,
)
from peacetrack.cli.documents import parse_date
from peacetrack.files import atomic_path
from peacetrack.support import DEFAULT_SUPPORT, parse_support
from peacetrack.terminal import PlainConsole

if TYPE_CHECKING:
    from rich.table import Table

    from peacetrack.store import Store


class ViewFormat(StrEnum):
    table = "table"
    md = "md"
    csv = "csv"
    json = "json"
    html = "html"


class By(StrEnum):
    actor = "actor"
    proposal = "proposal"


#: Timeline steps in one page: a screen's worth, and all a page reads of a big archive.
STEPS = 20
FormatOption = Annotated[ViewFormat, typer.Option("--format", help="Output format.")]


MinSupportOption = Annotated[
    str,
    typer.Option(
        "--min-support",
        metavar="LEVEL",
        help=(
            "Support a position needs to decide a cell and mark it changed or conflicting "
            "(weaker claims are counted beside it). Weakest first: low (low extractor "
            "confidence), anonymous (one unnamed source), named (one named source or on "
            "record), corroborated (independent sources), reviewed (checked by a person)."
        ),
    ),
]
ReviewedOnlyOption = Annotated[
    bool,
    typer.Option(
        "--reviewed-only", help="Only claims a person accepted, edited or added in review."
    ),
]


def show(rendered: str | Table, output: Path | None) -> None:
    """Tables go to the terminal; text formats to stdout or a file."""
    if isinstance(rendered, str):
        write_output(rendered, output)
    elif output is not None:
        with atomic_path(output) as tmp, tmp.open("w", encoding="utf-8") as handle:
            PlainConsole(file=handle, width=200).print(rendered)
    else:
        console.print(rendered)


@app.command()
def compare(
    db: DbOption = None,
    by: Annotated[By, typer.Option(help="Columns: one per actor or one per proposal.")] = By.actor,
    actors: ActorsOption = None,
    issues: IssuesOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    conflict: ConflictOption = None,
    min_support: MinSupportOption = DEFAULT_SUPPORT.label,
    reviewed_only: ReviewedOnlyOption = False,
    fmt: FormatOption = ViewFormat.table,
    output: OutputOption = None,
) -> None:
    """Issue-by-actor (or issue-by-proposal) matrix of current stances, with their support.

    Each cell says what the party holds in a sentence, how well supported it is (reviewed,
    corroborated, one named or anonymous source, low confidence) with the independent
    sources behind it (syndicated copies count once), the date range, and markers when
    sources conflict or the stance changed over time. With --conflict, only that
    conflict's claims, its parties' columns first.
    """
    from peacetrack.compare import compare as build_matrix
    from peacetrack.compare import render_matrix
    from peacetrack.compare.vocabulary import check_actors, check_issues

    with open_store(db, create=False) as store, handled():
        matrix = build_matrix(
            store,
            by=by.value,
            actors=check_actors(split_list(actors), store),
            issues=check_issues(split_list(issues)),
            since=parse_date(since),
            until=parse_date(until),
            conflict=conflict,
            min_support=parse_support(min_support),
            reviewed_only=reviewed_only,
        )
        show(render_matrix(matrix, fmt.value), output)
        if not matrix.cells:
            # An empty grid alone reads like a fault; say which way to widen the view.
            err_console.print(
                "note: no positions match these filters; widen them (--since, --until, "
                "--actors, --issues, --conflict, --reviewed-only) or check "
                "`peacetrack claims`",
                style="dim",
            )
        elif conflict is None:
            _mixed_note(store)


def _mixed_note(store: Store) -> None:
    """On standard error, when the matrix mixed conflicts: how to see one at a time."""
    mixed = store.cells.conflicts()
    if len(mixed) > 1:
        err_console.print(
            f"note: these cells mix the claims of {len(mixed)} conflicts (counting the "
            "unassigned); --conflict ID shows one (`peacetrack conflicts` lists them)",
            style="dim",
        )


@app.command()
def diff(
    a: Annotated[
        str,
        typer.Argument(metavar="A", help="A proposal name (or a unique part of it) or actor id."),
    ],
    b: Annotated[
        str, typer.Argument(metavar="B", help="Another proposal or actor to compare with A.")
    ],
    db: DbOption = None,
    conflict: ConflictOption = None,
    min_support: MinSupportOption = DEFAULT_SUPPORT.label,
    reviewed_only: ReviewedOnlyOption = False,
    fmt: FormatOption = ViewFormat.table,
    output: OutputOption = None,
) -> None:
    """Terms only in A, only in B, in both but different, and in both alike.

    A claim that a proposal does not contain a term ("absent") counts as an explicit
    "not in".
    """
    from peacetrack.compare import diff as build_diff
    from peacetrack.compare import render_diff

    with open_store(db, create=False) as store, handled():
        found = build_diff(
            store,
            a,
            b,
            min_support=parse_support(min_support),
            reviewed_only=reviewed_only,
            conflict=conflict,
        )
        show(render_diff(found, fmt.value), output)


@app.command()
def timeline(
    db: DbOption = None,
    actor: Annotated[str | None, typer.Option(metavar="ID", help="Only this actor id.")] = None,
    issue: Annotated[
        str | None, typer.Option(metavar="ISSUE", help="Only this issue (a code or a pattern).")
    ] = None,
    conflict: ConflictOption = None,
    min_support: MinSupportOption = DEFAULT_SUPPORT.label,
    reviewed_only: ReviewedOnlyOption = False,
    limit: Annotated[
        int, typer.Option(metavar="N", min=1, help="Steps per page, newest first.")
    ] = STEPS,
    offset: Annotated[
        int, typer.Option(metavar="N", min=0, help="Skip this many newer steps (older pages).")
    ] = 0,
    every: Annotated[
        bool,
        typer.Option(
            "--all", help="Every step, oldest first (reads every claim: slow on a big archive)."
        ),
    ] = False,
    since: SinceOption = None,
    fmt: FormatOption = ViewFormat.table,
    output: OutputOption = None,
) -> None:
    """Stance changes over time, newest first, each with its support, evidence and source.

    Each conflict is its own track: a stance in one war is never a change from another.
    With --since, only the steps that began on or after that day.
    """
    from peacetrack.compare import render_timeline
    from peacetrack.compare import timeline as build_timeline
    from peacetrack.compare.timeline import count_steps, recent_steps
    from peacetrack.compare.vocabulary import check_actors, check_issues

    with open_store(db, create=False) as store, handled():
        check_actors([actor] if actor else None, store)
        check_issues([issue] if issue else None)
        chosen: dict[str, Any] = {
            "actor": actor,
            "issue": issue,
            "min_support": parse_support(min_support),
            "reviewed_only": reviewed_only,
            "conflict": conflict,
        }
        day = parse_date(since)
        if every:
            steps = build_timeline(store, **chosen)
            steps = [s for s in steps if day is None or (s.first is not None and s.first >= day)]
        else:
            steps = recent_steps(store, **chosen, limit=limit, offset=offset, since=day)
        show(render_timeline(steps, fmt.value), output)
        if not every and fmt is ViewFormat.table:
            total = count_steps(store, **chosen, since=day)
            console.print(_steps_line(len(steps), limit, offset, total), style="dim")


def _steps_line(shown: int, limit: int, offset: int, total: int | None) -> str:
    """Where the page lies (``of N`` when the store keeps the steps and can count them)."""
    if shown == 0:
        return f"no steps after the newest {offset}" if offset else "no steps"
    of = "" if total is None else f" of {total}"
    line = f"steps {offset + 1}-{offset + shown}{of}, newest first"
    if shown == limit and (total is None or offset + shown < total):
        line += f"; older: --offset {offset + shown}"
    return line + "; every step, oldest first: --all"


@app.command()
def report(
    output: Annotated[
        Path, typer.Option("-o", "--output", metavar="FILE", help="The HTML file to write.")
    ] = Path("report.html"),
    db: DbOption = None,
    title: Annotated[str, typer.Option(metavar="TEXT", help="The report's title.")] = (
        "PeaceTrack report"
    ),
    by: Annotated[By, typer.Option(help="Matrix columns: actors or proposals.")] = By.actor,
    conflict: ConflictOption = None,
    min_support: MinSupportOption = DEFAULT_SUPPORT.label,
    reviewed_only: ReviewedOnlyOption = False,
) -> None:
    """Write one self-contained HTML report (charts embedded; works offline, printable).

    The report covers --conflict, or has one section per conflict (unassigned claims last).
    """
    from peacetrack.compare import write_report

    with open_store(db, create=False) as store, handled():
        path = write_report(
            store,
            output,
            title=title,
            by=by.value,
            min_support=parse_support(min_support),
            reviewed_only=reviewed_only,
            conflict=conflict,
        )
    console.print(f"wrote {path}")
