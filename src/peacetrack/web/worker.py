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

import logging
import multiprocessing
import pickle
import queue
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from peacetrack.errors import PeaceTrackError

if TYPE_CHECKING:
    from multiprocessing.context import SpawnProcess
    from multiprocessing.queues import Queue

    from peacetrack.extract.base import Factory
    from peacetrack.extract.runner import ExtractSummary
    from peacetrack.store import Store

log = logging.getLogger("peacetrack.web.worker")
#: How often a job waiting on the worker checks that it is still alive, in seconds.
POLL_S = 0.5
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
        self._tasks: Queue[Task | None] = self._context.Queue()
        self._replies: Queue[tuple[str, Any]] = self._context.Queue()
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
            process = self._started()
            self._tasks.put(task)
            while True:
                try:
                    kind, value = self._replies.get(timeout=POLL_S)
                except queue.Empty:
                    if not process.is_alive():
                        self._process = None
                        raise PeaceTrackError(STOPPED) from None
                    continue
                if kind == "progress":
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
        if process is None:
            return
        self._tasks.put(None)
        self._tasks.cancel_join_thread()  # exiting never waits to hand it over
        idle = self._lock.acquire(blocking=False)
        try:
            process.join(STOP_S if idle else 0)
        finally:
            if idle:
                self._lock.release()
        if process.is_alive():
            process.terminate()
            process.join(STOP_S)

    def _started(self) -> SpawnProcess:
        if self._closed:
            raise PeaceTrackError("the server is stopping: add the report again once it is back")
        if self._process is None or not self._process.is_alive():
            self._process = self._context.Process(
                target=serve,
                args=(self._tasks, self._replies),
                name="peacetrack-extraction",
                daemon=True,
            )
            self._process.start()
            log.info("extraction worker started (pid %s)", self._process.pid)
        return self._process


def _check_picklable(name: str, factory: Factory) -> None:
    try:
        pickle.dumps(factory)
    except Exception as exc:
        raise PeaceTrackError(
            f"the extractor {name!r} was registered with a factory another process cannot "
            f"use ({exc}): register a module-level function or a functools.partial of one"
        ) from None


# --- in the worker process ---------------------------------------------------------------


def serve(tasks: Queue[Task | None], replies: Queue[tuple[str, Any]]) -> None:
    """The worker's loop: one task at a time until told to stop (``None``)."""
    stores: dict[str, Store] = {}
    registered: set[str] = set()
    try:
        while (task := tasks.get()) is not None:
            try:
                replies.put(("done", _extract(task, stores, registered, replies)))
            except PeaceTrackError as exc:
                replies.put(("failed", str(exc)))
            except Exception:
                replies.put(("crashed", traceback.format_exc()))
    finally:
        for store in stores.values():
            store.close()


def _extract(
    task: Task, stores: dict[str, Store], registered: set[str], replies: Queue[tuple[str, Any]]
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
        replies.put(("progress", done))

    extractor = get_extractor(task.extractor)
    return extract_store(store, extractor, progress=one_more, among=list(task.among))
