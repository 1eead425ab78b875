"""`peacetrack serve`: the web app for browsing, comparing and reviewing claims."""

from __future__ import annotations

from typing import Annotated

import typer

from peacetrack.cli.app import app
from peacetrack.cli.common import DbOption, console, err_console, handled, open_store


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[
        str,
        typer.Option(
            metavar="ADDRESS", help="Address to listen on; the default keeps it to this machine."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="N", help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="PEACETRACK_TOKEN",
            metavar="TOKEN",
            help="Secret that allows changes (reviews, new reports). Without it: read-only.",
            show_default=False,
        ),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            metavar="NAME",
            help="Another host name the app answers to (a proxy's, a name on your network); "
            "repeat for more. The address it listens on is always allowed, and localhost "
            "with it when that is this machine; requests naming any other host are refused.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Browse, compare and review claims in the browser (JSON API under /api, docs at /docs)."""
    from peacetrack.compare.extras import require

    with handled():
        require("fastapi", "web", "peacetrack serve")
        uvicorn = require("uvicorn", "web", "peacetrack serve")
        from peacetrack.web import create_app
        from peacetrack.web.gate import allowed_hosts
    hosts = allowed_hosts(host, allowed_host or [])
    # Read-only, the app could only show an empty store: a missing one is a typo in --db.
    with open_store(db, create=bool(token)) as store:
        with handled():
            web = create_app(None, token, store=store, allowed_hosts=hosts)
        _warn(token, host, bool(allowed_host))
        console.print(f"PeaceTrack on http://{host}:{port}/ (Ctrl-C to stop)")
        uvicorn.run(web, host=host, port=port, log_level="warning")


def _warn(token: str | None, host: str, named: bool) -> None:
    """What a person starting the app must know: read-only, reachable from elsewhere, or
    answering to no name people can use (listening on every interface)."""
    if not token:
        err_console.print(
            "read-only: to allow reviews and new reports, set a token with --token TOKEN "
            "or the PEACETRACK_TOKEN environment variable"
        )
    if host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(
            f"warning: listening on {host}, reachable from other machines; "
            "put it behind HTTPS before sending a token over a network"
        )
    if not named and host in ("0.0.0.0", "::", "[::]"):
        err_console.print(
            f"warning: listening on every interface, but answering only to requests naming "
            f"{host}; add --allowed-host NAME for each name or address people use to reach it"
        )
