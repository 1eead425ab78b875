"""The `peacetrack` command line: one thin module per domain, all on one Typer app."""

from __future__ import annotations

import gc
import sys
import threading

#: The imports below make only modules and classes that live to the end: the cycle
#: collector would find nothing among them (see ``main``), so it waits until they are done.
_collecting = gc.isenabled()
gc.disable()
try:
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
    from peacetrack.cli.lean import invoked
finally:
    if _collecting:
        gc.enable()

readable_help(app)

#: Seconds a command runs before the cycle collector is turned back on (see ``main``).
START_UP_S = 1.0


def main() -> None:
    """Run the command line, paying as little as possible to start and to exit.

    Starting a command makes modules, classes and the codebook, all alive until exit: the
    cycle collector, run every 700 new objects, finds nothing among them, yet costs about
    0.08 s of a small read (benchmarks/bench_startup.py). So it is off while this package
    is imported and for the first ``START_UP_S`` seconds of the run, and a timer turns it
    back on for commands that run longer. What is alive at exit is frozen, so that the
    interpreter's teardown does not take all those cycles apart one by one first (about
    0.15 s more). Only the commands the arguments name are built (``cli/lean.py``).
    """
    gc.disable()
    timer = threading.Timer(START_UP_S, gc.enable)
    timer.daemon = True
    timer.start()
    try:
        invoked(app, sys.argv[1:])()
    finally:
        gc.freeze()


__all__ = ["app", "main"]
