"""Running shards on this machine with Dask's own local schedulers: no cluster to start.

The driver has built the extractor pipeline before any shard runs (checking the settings
needs it). One worker runs the shards in the driver's own thread (``dask.local.get_sync``),
with nothing beside it: no scheduler, event loop or second process, so a shard costs what
``peacetrack extract`` costs for its documents. More workers are processes forked from the
driver at that point (Dask's multiprocessing scheduler on a forked pool): they start with
PeaceTrack imported and the pipeline built, paying neither again (the memory is shared
copy-on-write), and Dask hands each the next shard as it finishes one.

A task never raises: it retries its shard itself and returns the error it ended with, so one
bad shard never stops the others; the driver records each shard as its task returns. A
worker process that dies (killed, out of memory) breaks the pool: the shards not yet
recorded run again on a new pool, up to ``retries`` times, as a cluster would reschedule
them, and are then reported as failed.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial
from typing import Any

import dask.local
import dask.multiprocessing

from peacetrack.batch.shards import Shard
from peacetrack.batch.worker import (
    JobArgs,
    Options,
    Record,
    ShardResult,
    prepare,
    run_shard,
    warm,
)


def run_here(
    todo: list[Shard], out: str, args: JobArgs, workers: int, retries: int, record: Record
) -> None:
    """Every shard of ``todo`` on ``workers`` local workers, each recorded as it ends."""
    shards = {shard.id: shard for shard in todo}
    task = partial(attempt, out=out, args=args, retries=retries)
    recorded: set[str] = set()

    def ended(key: str, outcome: ShardResult | str, *_: Any) -> None:
        record(shards[key], outcome)
        recorded.add(key)

    # Dask's callback tuple: start, start_state, pretask, posttask, finish.
    callbacks = [(None, None, None, ended, None)]
    if workers == 1:
        dask.local.get_sync(_graph(task, todo), list(shards), callbacks=callbacks)
        return
    for _ in range(retries + 1):
        left = [shard for shard in todo if shard.id not in recorded]
        try:
            with _forked_pool(min(workers, len(left)), args) as pool:
                dask.multiprocessing.get(
                    _graph(task, left), [s.id for s in left], pool=pool, chunksize=1,
                    optimize_graph=False, callbacks=callbacks,
                )  # fmt: skip
            return
        except BrokenProcessPool:
            continue
    for shard in todo:
        if shard.id not in recorded:
            record(shard, "a worker process died (killed, or out of memory) on every try")


def attempt(shard: Shard, *, out: str, args: JobArgs, retries: int) -> ShardResult | str:
    """The shard's result, or after ``retries`` more tries the error it still ends with."""
    error = ""
    for _ in range(retries + 1):
        try:
            return run_shard(shard, out, *args)
        except Exception as exc:  # the shard's failure, reported by name; never the run's
            error = f"{type(exc).__name__}: {exc}"
    return error


def _graph(task: Callable[[Shard], ShardResult | str], shards: list[Shard]) -> dict[str, Any]:
    """One task per shard, keyed by its id; none depends on another."""
    return {shard.id: (task, shard) for shard in shards}


@contextmanager
def _forked_pool(workers: int, args: JobArgs) -> Iterator[ProcessPoolExecutor]:
    """Worker processes forked from the driver, which has built the pipeline.

    The pool forks its processes on the first task, after the driver has loaded what a
    first shard would load (``worker.warm``). Where there is no fork (Windows), workers are
    spawned and each builds its pipeline as it starts.
    """
    forks = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forks else "spawn")
    if forks:
        warm()
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_worker_ready, initargs=args
    ) as pool:
        yield pool


def _worker_ready(extractor: str, codebook_files: tuple[str, ...], options: Options) -> None:
    """A worker's start: fresh standard streams, and the pipeline (forked: already there).

    A fork copies only the thread that forks: a lock another thread of the driver (a
    progress bar's refresh) held on stdout or stderr at that moment would stay held in the
    worker for good, and the worker would hang flushing them as it exits.
    """
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - the process's own, kept open
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
    prepare(extractor, codebook_files, options)
