"""The `peacetrack` command line: one thin module per domain, all on one Typer app."""

from __future__ import annotations

from peacetrack.cli import claims, codebook, demo, documents, extract, ingest  # noqa: F401  (registers commands)
from peacetrack.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
