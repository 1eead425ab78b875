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

import gc
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

#: Whether worker processes can be forked from the driver (not on Windows).
_FORKS = "fork" in multiprocessing.get_all_start_methods()


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
    if workers == 1 or _FORKS:
        warm()  # what a first shard loads, loaded now: frozen with the rest, shared by forks
    with _long_lived_frozen():
        if workers == 1:
            dask.local.get_sync(_graph(task, todo), list(shards), callbacks=callbacks)
        else:
            _run_forked(todo, task, args, workers, retries, callbacks, recorded)
    for shard in todo:
        if shard.id not in recorded:
            record(shard, "a worker process died (killed, or out of memory) on every try")


def _run_forked(
    todo: list[Shard],
    task: Callable[[Shard], ShardResult | str],
    args: JobArgs,
    workers: int,
    retries: int,
    callbacks: list[Any],
    recorded: set[str],
) -> None:
    """The shards not yet recorded on a pool of forked workers, on a new pool each time
    one breaks (a worker process died), ``retries`` more times at most."""
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


def attempt(shard: Shard, *, out: str, args: JobArgs, retries: int) -> ShardResult | str:
    """The shard's result, or after ``retries`` more tries the error it still ends with."""
    error = ""
    for _ in range(retries + 1):
        try:
            return run_shard(shard, out, *args)
        except Exception as exc:  # the shard's failure, reported by name; never the run's
            error = f"{type(exc).__name__}: {exc}"
    return error


@contextmanager
def _long_lived_frozen() -> Iterator[None]:
    """Leave out of the cycle collector, while shards run, every object alive before they
    start: the modules, the extractor's pipeline, the codebook, which live to the end.

    Each full collection would otherwise go through all of them again, finding nothing,
    while a shard's documents and claims, kept until it writes them, make full
    collections come more often than in ``peacetrack extract`` (which streams). Forked
    workers inherit the frozen objects, so their collections do not touch (and copy) the
    pages they share with the driver either. They go back to the collector afterwards,
    unless something had frozen objects before.
    """
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    try:
        yield
    finally:
        if not frozen_before:
            gc.unfreeze()


def _graph(task: Callable[[Shard], ShardResult | str], shards: list[Shard]) -> dict[str, Any]:
    """One task per shard, keyed by its id; none depends on another."""
    return {shard.id: (task, shard) for shard in shards}


@contextmanager
def _forked_pool(workers: int, args: JobArgs) -> Iterator[ProcessPoolExecutor]:
    """Worker processes forked from the driver, which has built the pipeline.

    The pool forks its processes on the first task, after the driver has loaded what a
    first shard would load (``worker.warm``, in ``run_here``). Where there is no fork
    (Windows), workers are spawned and each builds its pipeline as it starts.
    """
    context = multiprocessing.get_context("fork" if _FORKS else "spawn")
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
