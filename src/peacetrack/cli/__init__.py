"""The `peacetrack` command line: one thin module per domain, all on one Typer app."""

from __future__ import annotations

from peacetrack.cli import (  # noqa: F401  (each module registers its commands)
    batch,
    claims,
    codebook,
    compare,
    conflicts,
    demo,
    documents,
    extract,
    ingest,
    proposals,
    runs,
    serve,
    train,
)
from peacetrack.cli.app import app
from peacetrack.cli.help import readable_help

readable_help(app)


def main() -> None:
    app()


__all__ = ["app", "main"]
