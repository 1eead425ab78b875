"""The web app's extraction, in a process of its own.

Extracting is Python at work on the CPU. Run by a thread of the server it shared the GIL
with the requests, which then waited for their turns: reads took about 280 ms at p95
while a report was extracted (``benchmarks/bench_web_jobs.py``). So the job thread
(``jobs.py``) hands each extraction to one long-lived worker process and waits for it,
passing on its progress; the server's threads are left for the requests.

The worker is started on first use with ``spawn`` (a new interpreter, sharing none of the
server's threads, locks or connections) and kept: its extractor (spaCy's pipeline, the
codebook's matchers) is built once, not per report. It opens the store itself, from the
same URL, and writes as ``peacetrack extract`` beside a running server does: each
document's claims in one transaction. A worker stopped half-way (the server shutting down,
the system out of memory) leaves every document it finished whole and its run marked
interrupted; the job fails saying so, and the next job starts a new worker. The codebook
files and any extractor registered at run time (``register_extractor``) go with each
task, so the worker extracts with what the server was started with.

Ingesting stays in the job thread: it mostly waits on the network or the disk.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import pickle
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from peacetrack.errors import PeaceTrackError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import SpawnProcess

    from peacetrack.extract.base import Factory
    from peacetrack.extract.runner import ExtractSummary
    from peacetrack.store import Store

log = logging.getLogger("peacetrack.web.worker")
#: How often a job waiting on the worker checks that it is still alive, in seconds.
POLL_S = 0.5
#: What a job waiting on the worker has heard when nothing came.
WAITING = ("waiting", None)
#: How long a worker asked to stop may take to finish before it is terminated.
STOP_S = 2.0
STOPPED = (
    "the extraction stopped before the end: its worker process ended (the server is "
    "stopping, or the system ran out of memory). The documents already extracted are kept; "
    "add the report again to extract the rest"
)


@dataclass(frozen=True)
class Task:
    """One extraction, all the worker needs to do it as the server would."""

    store_url: str
    extractor: str
    factory: Factory | None
    codebook_files: tuple[str, ...]
    among: tuple[int, ...]


class ExtractionWorker:
    """Extracts stored documents with ``extractor`` in a worker process, one job at a time."""

    def __init__(self, extractor: str) -> None:
        from peacetrack.extract.base import registered_factory

        self.name = extractor
        self._factory = registered_factory(extractor)
        if self._factory is not None:
            _check_picklable(extractor, self._factory)
        self._context = multiprocessing.get_context("spawn")
        self._process: SpawnProcess | None = None
        self._channel: Connection | None = None  # this end of the pipe to the worker
        self._lock = threading.Lock()
        self._closed = False

    def extract(
        self, store: Store, among: Sequence[int], progress: Callable[[int], None]
    ) -> ExtractSummary:
        """Extract the documents ``among`` not yet extracted; ``progress(done)`` after each.

        Blocks the calling thread (the job's) until the worker answers. Raises
        PeaceTrackError with a message for the user when the worker fails or stops.
        """
        from peacetrack.codebook.loader import user_files

        task = Task(
            store.url_for_another_process(), self.name, self._factory, user_files(), tuple(among)
        )
        with self._lock:
            process, channel = self._started()
            channel.send(task)
            while True:
                reply: tuple[str, Any] = WAITING
                with contextlib.suppress(EOFError, OSError):  # else the worker is gone
                    reply = channel.recv() if channel.poll(POLL_S) else WAITING
                kind, value = reply
                if kind == "waiting":
                    if not process.is_alive():
                        self._process = None
                        raise PeaceTrackError(STOPPED)
                elif kind == "progress":
                    progress(value)
                elif kind == "done":
                    summary: ExtractSummary = value
                    return summary
                elif kind == "failed":
                    raise PeaceTrackError(value)
                else:
                    log.error("extraction in the worker process failed:\n%s", value)
                    raise RuntimeError("extraction in the worker process failed (logged)")

    @property
    def pid(self) -> int | None:
        """The worker's process id while one runs (it is started by the first job)."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    def close(self) -> None:
        """Stop the worker: at once if it is extracting (what it finished stays stored)."""
        self._closed = True
        process, self._process = self._process, None
        if process is None or self._channel is None:
            return
        idle = self._lock.acquire(blocking=False)
        try:
            if idle:
                with contextlib.suppress(OSError):
                    self._channel.send(None)
            process.join(STOP_S if idle else 0)
        finally:
            if idle:
                self._lock.release()
        if process.is_alive():
            process.terminate()
            process.join(STOP_S)
        self._channel.close()

    def _started(self) -> tuple[SpawnProcess, Connection]:
        if self._closed:
            raise PeaceTrackError("the server is stopping: add the report again once it is back")
        if self._process is None or not self._process.is_alive() or self._channel is None:
            if self._channel is not None:
                self._channel.close()
            # A pipe, not queues: no named semaphores for the system to clean up after a
            # server stopped by a signal, and a new one per worker, so nothing a dead worker
            # sent is read by the next job.
            self._channel, theirs = self._context.Pipe()
            self._process = self._context.Process(
                target=serve, args=(theirs,), name="peacetrack-extraction", daemon=True
            )
            self._process.start()
            theirs.close()
            log.info("extraction worker started (pid %s)", self._process.pid)
        return self._process, self._channel


def _check_picklable(name: str, factory: Factory) -> None:
    try:
        pickle.dumps(factory)
    except Exception as exc:
        raise PeaceTrackError(
            f"the extractor {name!r} was registered with a factory another process cannot "
            f"use ({exc}): register a module-level function or a functools.partial of one"
        ) from None


# --- in the worker process ---------------------------------------------------------------


def serve(channel: Connection) -> None:
    """The worker's loop: one task at a time until told to stop (``None``) or orphaned."""
    stores: dict[str, Store] = {}
    registered: set[str] = set()
    try:
        while (task := channel.recv()) is not None:
            try:
                channel.send(("done", _extract(task, stores, registered, channel)))
            except PeaceTrackError as exc:
                channel.send(("failed", str(exc)))
            except Exception:
                channel.send(("crashed", traceback.format_exc()))
    except EOFError:  # the server's end closed
        pass
    finally:
        for store in stores.values():
            store.close()


def _extract(
    task: Task, stores: dict[str, Store], registered: set[str], channel: Connection
) -> ExtractSummary:
    from peacetrack.codebook.loader import use_codebook, user_files
    from peacetrack.extract.base import get_extractor, register_extractor
    from peacetrack.extract.runner import extract_store
    from peacetrack.store import Store

    if task.codebook_files != user_files():
        use_codebook(*task.codebook_files)
    if task.factory is not None and task.extractor not in registered:
        register_extractor(task.extractor, task.factory)
        registered.add(task.extractor)
    store = stores.get(task.store_url)
    if store is None:
        store = stores[task.store_url] = Store.open(task.store_url)
    done = 0

    def one_more(_document: object) -> None:
        nonlocal done
        done += 1
        channel.send(("progress", done))

    extractor = get_extractor(task.extractor)
    return extract_store(store, extractor, progress=one_more, among=list(task.among))
