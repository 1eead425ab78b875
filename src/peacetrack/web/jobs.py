"""Adding reports off the request path: jobs run one at a time by a worker thread.

Extracting a long report takes seconds to minutes. Run inside the request, it kept the
person who sent it waiting with no sign of progress, and (on the event loop) every other
request waited too. So adding reports is a job: the request stores what was sent, queues
the job and answers at once with the job's address; a worker thread ingests and hands
the extraction to the extraction worker process (``worker.py``: in a thread it would share
the GIL with the requests), updating the job's stage and counts as it goes, and the job
page shows them, then the result. One job at a time, because extraction is CPU-bound and
the store takes one writer at a time anyway: a second would only slow the first. The
thread talks to the store through the same ``Store`` as the requests; every store call
opens its own session, so no session is ever shared between a request and the thread.

Jobs live in memory, the most recent ``KEEP`` of them: enough to follow what one added,
not an archive (the store's ``runs`` table records every ingest and extraction).
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import HTTPException

from peacetrack.errors import PeaceTrackError
from peacetrack.web.errors import UNEXPECTED
from peacetrack.web.wording import for_web

log = logging.getLogger("peacetrack.web.jobs")
State = Literal["queued", "running", "done", "failed"]
#: Finished jobs kept for their pages.
KEEP = 200
#: Jobs waiting at most; each may hold an upload on disk until it runs.
MAX_WAITING = 20


@dataclass
class Job:
    """One request to add reports: what it is, how far it got, and what came of it."""

    id: int
    kind: str
    label: str
    state: State = "queued"
    stage: str = "waiting for the jobs before it"
    done: int = 0
    total: int = 0
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished: datetime | None = None
    error: str | None = None
    result: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def over(self) -> bool:
        return self.state in ("done", "failed")

    def progress(self, stage: str, done: int = 0, total: int = 0) -> None:
        """Called by the work as it goes: what it is doing, and how far through."""
        with self._lock:
            self.stage, self.done, self.total = stage, done, total

    def start(self) -> None:
        with self._lock:
            self.state, self.stage = "running", "starting"

    def finish(self, state: State, *, result: Any = None, error: str | None = None) -> None:
        with self._lock:
            self.state, self.result, self.error = state, result, error
            self.stage = "finished" if state == "done" else "stopped"
            self.finished = datetime.now(UTC)

    def snapshot(self) -> dict[str, Any]:
        """The job's fields, read together (the worker may be updating them)."""
        with self._lock:
            return {
                "id": self.id,
                "kind": self.kind,
                "label": self.label,
                "state": self.state,
                "stage": self.stage,
                "done": self.done,
                "total": self.total,
                "created": self.created.isoformat(timespec="seconds"),
                "finished": self.finished.isoformat(timespec="seconds") if self.finished else None,
                "error": self.error,
            }


#: The work of a job: given the job to report progress on, returns its result.
Work = Callable[[Job], Any]


class JobRunner:
    """The queue of jobs and the worker thread that runs them, in the order they came."""

    def __init__(self) -> None:
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._queue: queue.Queue[tuple[Job, Work, Callable[[], None]] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(
        self, kind: str, label: str, work: Work, cleanup: Callable[[], None] = lambda: None
    ) -> Job:
        """Queue ``work``; ``cleanup`` runs after it whatever happens (e.g. removes files).

        Refuses (503) when ``MAX_WAITING`` jobs are already waiting.
        """
        with self._lock:
            if self._queue.qsize() >= MAX_WAITING:
                cleanup()
                raise HTTPException(
                    503, f"{MAX_WAITING} reports are already waiting: try again in a minute"
                )
            job = Job(next(self._ids), kind, label)
            self._jobs[job.id] = job
            self._forget_old()
            self._start()
        self._queue.put((job, work, cleanup))
        return job

    def get(self, job_id: int) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise HTTPException(
                404, f"no job {job_id}: jobs are kept only until the server restarts"
            )
        return job

    def recent(self, limit: int = 20) -> list[Job]:
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: -j.id)[:limit]

    def waiting_before(self, job: Job) -> int:
        with self._lock:
            return sum(1 for j in self._jobs.values() if j.id < job.id and not j.over)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker after the job it is running; jobs still queued are dropped (and
        their files removed), since nobody is left to see their result."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                job, _, cleanup = item
                job.finish("failed", error="the server stopped before this job ran")
                cleanup()
        thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._work, name="peacetrack-jobs", daemon=True)
            self._thread.start()

    def _forget_old(self) -> None:
        finished = sorted(j.id for j in self._jobs.values() if j.over)
        for job_id in finished[: max(0, len(self._jobs) - KEEP)]:
            del self._jobs[job_id]

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            job, work, cleanup = item
            try:
                job.start()
                job.finish("done", result=work(job))
            except PeaceTrackError as exc:
                job.finish("failed", error=for_web(str(exc)))
            except HTTPException as exc:
                job.finish("failed", error=str(exc.detail))
            except Exception:
                log.exception("job %s (%s) failed", job.id, job.label)
                job.finish("failed", error=UNEXPECTED)
            finally:
                cleanup()
        self._thread = None
