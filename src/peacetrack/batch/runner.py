"""Running a batch: plan shards, skip finished ones, run the rest on Dask, record each.

The driver alone writes the manifest, after a shard's task has returned, so a shard is
recorded once however many times Dask ran it (a worker that dies mid-task gets its task
rescheduled; the retry overwrites the same files by rename). Shards that still fail after
``retries`` are listed by name with their error; the run reports them rather than stopping,
so one bad input never costs the others.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peacetrack.batch.output import (
    SETTINGS,
    ShardRecord,
    append_manifest,
    check_settings,
    clear_temporaries,
    finished_cuts,
    finished_shards,
    read_settings,
)
from peacetrack.batch.shards import Shard, ShardSize, plan_shards, size_for
from peacetrack.batch.worker import Options, PipelinePlugin, ShardResult, describe, run_shard
from peacetrack.codebook.loader import user_files
from peacetrack.errors import ExtractorNotFound, InputError
from peacetrack.extract.base import DEFAULT_EXTRACTOR, available_extractors

#: Called with (shards finished, shards in all) as the run goes, skipped ones included.
Progress = Callable[[int, int], None]

if TYPE_CHECKING:
    from distributed import Client, Future, LocalCluster


#: Settings of the local cluster that take CPU from extraction for what a batch never uses;
#: nannies hand them on to the workers they start (and restart). An idle one-worker cluster
#: used about 1.1 CPU-seconds per 20 s with Dask's defaults, 0.2 with these.
QUIET_CLUSTER: dict[str, object] = {
    # The statistical profiler samples each worker's task thread every 10 ms, for a
    # dashboard page few look at: about 2% of every worker's time.
    "distributed.worker.profile.enabled": False,
    # Every server's event loop wakes each 20 ms only to warn when it was blocked.
    "distributed.admin.tick.interval": "1s",
    # CPU, memory and network figures for the dashboard, gathered twice a second.
    "distributed.admin.system-monitor.interval": "5s",
    # The nanny's check of its worker's memory (against a limit a batch worker stays far
    # below) ten times a second.
    "distributed.worker.memory.monitor-interval": "1s",
    # One shard at a time per one-thread worker, the next sent when it finishes (Dask's 1.1
    # sends two, so at the end one worker could sit idle while another still holds two);
    # the rest wait on the scheduler, so stealing's balancing pass every 100 ms has nothing
    # to move.
    "distributed.scheduler.worker-saturation": 1.0,
    "distributed.scheduler.work-stealing": False,
}


@dataclass
class BatchSummary:
    """What a run did: shards planned, skipped as done, finished now, and failed."""

    out: Path
    shards: int = 0
    skipped: int = 0
    finished: list[ShardResult] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def documents(self) -> int:
        return sum(r.documents for r in self.finished)

    @property
    def claims(self) -> int:
        return sum(r.claims for r in self.finished)

    @property
    def row_failures(self) -> list[tuple[str, str]]:
        return [f for r in self.finished for f in r.failures]

    def describe(self) -> str:
        lines = [
            f"{len(self.finished)} shards done ({self.documents} documents, {self.claims} claims)"
            f" · {self.skipped} already done · {len(self.failed)} failed"
            f" · {self.seconds:.1f} s → {self.out}"
        ]
        dropped = sum(r.dropped for r in self.finished)
        if dropped:
            lines.append(f"  {dropped} claims dropped (evidence not verbatim: please report)")
        lines += [f"  unreadable: {where} — {reason}" for where, reason in self.row_failures]
        lines += [f"  failed shard: {label} — {error}" for label, error in self.failed]
        return "\n".join(lines)


def run_batch(
    inputs: Sequence[str | Path],
    out: str | Path,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    extractor: str = DEFAULT_EXTRACTOR,
    shard_size: int | None = None,
    retries: int = 2,
    progress: Progress | None = None,
    extractor_options: Mapping[str, Any] | None = None,
) -> BatchSummary:
    """Extract every shard of ``inputs`` not yet finished in ``out``; see the module docstring.

    ``scheduler``: None or ``"local"`` starts a LocalCluster of ``workers`` one-thread
    workers (extraction is CPU-bound; no more than there are shards to run), the first in
    this process and the others in processes of their own (``_local_cluster``); otherwise
    the address of a running scheduler.
    ``shard_size``: documents per shard; None sizes shards from the work (``size_for``), or
    keeps the size of the run being resumed in ``out``.
    ``extractor_options`` (``model``, ``base_url`` ...) go to every worker's extractor.
    A worker builds and checks the extractor before any shard is sent, so a bad setting
    fails first; when every shard is done, the driver builds one to check the settings
    against the earlier run's.
    """
    began = time.perf_counter()
    if extractor not in available_extractors():
        known = ", ".join(available_extractors()) or "none"
        raise ExtractorNotFound(f"no extractor named {extractor!r}; available: {known}")
    if workers < 1:
        raise InputError(f"workers must be at least 1, not {workers}")
    options = tuple(sorted((k, v) for k, v in (extractor_options or {}).items() if v is not None))
    job = _Job(extractor, user_files(), options)
    folder = Path(out)
    done = finished_shards(folder)
    size = replace(_size(folder, inputs, shard_size), cuts=finished_cuts(done))
    shards = list({s.id: s for s in plan_shards(inputs, size)}.values())
    todo = [s for s in shards if s.id not in done]
    summary = BatchSummary(folder, shards=len(shards), skipped=len(shards) - len(todo))
    report = progress or (lambda _done, _total: None)
    if not todo:
        check_settings(folder, describe(*job.args) | size.settings())
        report(summary.skipped, summary.shards)
    else:
        # No more local workers than shards: a process that would find no shard costs
        # seconds to start and to stop.
        with _client(scheduler, min(workers, len(todo)), job.plugin()) as client:
            settings = client.submit(describe, *job.args, pure=False).result()
            check_settings(folder, settings | size.settings())
            for shard in todo:
                clear_temporaries(folder, shard.id)
            report(summary.skipped, summary.shards)
            _run(client, todo, folder, job, max(retries, 0), summary, report)
    summary.seconds = time.perf_counter() - began
    return summary


def _size(folder: Path, inputs: Sequence[str | Path], given: int | None) -> ShardSize:
    """The size given, else the one of the run in ``folder`` (so that a re-run finds the
    same shards even if sizing from the work would now choose another), else from the work."""
    if given is not None:
        return ShardSize(given)
    if (folder / SETTINGS).exists():
        before = read_settings(folder)
        if "shard_size" in before:
            return ShardSize(int(before["shard_size"]), before.get("shard_bytes"))
    return size_for(inputs)


@dataclass(frozen=True)
class _Job:
    """What every task of a run needs to build the same extractor: its name, the driver's
    extra codebook files, and its options."""

    extractor: str
    codebook_files: tuple[str, ...]
    options: Options

    @property
    def args(self) -> tuple[str, tuple[str, ...], Options]:
        return self.extractor, self.codebook_files, self.options

    def plugin(self) -> PipelinePlugin:
        """What has each worker build the pipeline once, before any task; named by the
        settings, so a long-lived cluster serving runs with other settings keeps both."""
        setup = hashlib.sha1(json.dumps(self.args).encode()).hexdigest()[:12]
        return PipelinePlugin(*self.args, name=f"peacetrack-pipeline-{setup}")


def _run(
    client: Client,
    todo: list[Shard],
    out: Path,
    job: _Job,
    retries: int,
    summary: BatchSummary,
    report: Progress,
) -> None:
    from distributed import as_completed

    run = uuid.uuid4().hex[:8]
    futures = {
        client.submit(
            run_shard, shard, str(out), *job.args,
            key=f"peacetrack-{shard.id}-{run}", retries=retries, pure=False,
        ): shard
        for shard in todo
    }  # fmt: skip
    for future in as_completed(futures):  # type: ignore[no-untyped-call]
        _collect(future, futures[future], out, summary)
        future.release()
        report(summary.skipped + len(summary.finished) + len(summary.failed), summary.shards)


def _collect(future: Future[ShardResult], shard: Shard, out: Path, summary: BatchSummary) -> None:
    """Record a finished shard in the manifest, or its error in the summary."""
    if future.status != "finished":
        error = future.exception()  # type: ignore[no-untyped-call]
        summary.failed.append((shard.label, f"{type(error).__name__}: {error}"))
        return
    result: ShardResult = future.result()
    record = ShardRecord(
        shard=shard.id,
        label=shard.label,
        documents=result.documents,
        claims=result.claims,
        failures=len(result.failures),
        seconds=round(result.seconds, 3),
    )
    if shard.kind == "rows" and shard.format != "parquet":
        record = replace(record, location=shard.location, start=shard.start, stop=shard.stop)
    append_manifest(out, record)
    summary.finished.append(result)


@contextmanager
def _client(scheduler: str | None, workers: int, plugin: PipelinePlugin) -> Iterator[Client]:
    """A client of a local cluster whose workers build the pipeline as they start, or of
    the scheduler at ``scheduler``, whose workers, present and future, get ``plugin``."""
    import dask
    from distributed import Client

    if scheduler in (None, "local"):
        with (
            dask.config.set(QUIET_CLUSTER),
            # Not `with cluster`, nor a client given the cluster: both wait for every worker.
            closing(_local_cluster(workers, plugin)) as cluster,
            Client(cluster.scheduler_address) as client,  # type: ignore[no-untyped-call]
        ):
            yield client
        return
    try:
        connected = Client(scheduler, timeout="20s")  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise InputError(
            f"cannot reach the Dask scheduler at {scheduler} ({exc}); "
            "check the address (tcp://HOST:PORT) or leave --scheduler out for a local cluster"
        ) from None
    with connected as client:
        client.register_plugin(plugin)
        yield client


def _local_cluster(workers: int, plugin: PipelinePlugin) -> LocalCluster:
    """A cluster whose first worker runs in this process and the others in processes of
    their own, started in the background, each building the pipeline before it joins: the
    first begins on shards while the others start, which takes a process seconds (Python,
    ``distributed``, PeaceTrack imported and the pipeline built again). One worker needs
    no process at all: the driver only waits while it works. The first worker builds its
    pipeline in its first task (which checks the settings), not on the cluster's event loop.
    """
    from distributed import LocalCluster, Worker

    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=0,
        threads_per_worker=1,
        processes=True,
        # This machine only (the dashboard shows file names and cluster internals to
        # anyone who reaches it); any free port, never clashing with a running cluster.
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
        plugins={plugin},
    )
    # No memory limit in the driver's process: it is the user's, not the worker's to pause.
    options = cluster.new_spec["options"] | {"memory_limit": 0, "plugins": ()}
    cluster.worker_spec["in-driver"] = {"cls": Worker, "options": options}
    # Returns at once: the workers start on the cluster's event loop while shards go out.
    cluster.scale(workers)  # type: ignore[no-untyped-call]
    return cluster
