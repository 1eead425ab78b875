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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peacetrack.batch import DEFAULT_SHARD_SIZE
from peacetrack.batch.output import (
    ShardRecord,
    append_manifest,
    check_settings,
    clear_temporaries,
    finished_shards,
)
from peacetrack.batch.shards import Shard, plan_shards
from peacetrack.batch.worker import Options, PipelinePlugin, ShardResult, run_shard
from peacetrack.codebook.loader import user_files
from peacetrack.errors import ExtractorNotFound, InputError
from peacetrack.extract.base import DEFAULT_EXTRACTOR, available_extractors, get_extractor
from peacetrack.extract.runner import prepare

#: Called with (shards finished, shards in all) as the run goes, skipped ones included.
Progress = Callable[[int, int], None]

if TYPE_CHECKING:
    from distributed import Client, Future


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
    shard_size: int = DEFAULT_SHARD_SIZE,
    retries: int = 2,
    progress: Progress | None = None,
    extractor_options: Mapping[str, Any] | None = None,
) -> BatchSummary:
    """Extract every shard of ``inputs`` not yet finished in ``out``; see the module docstring.

    ``scheduler``: None or ``"local"`` starts a LocalCluster of ``workers`` processes (one
    thread each: extraction is CPU-bound); otherwise the address of a running scheduler.
    ``extractor_options`` (``model``, ``base_url`` ...) go to every worker's extractor;
    the extractor is built and checked here first, so a bad setting fails before any shard.
    """
    began = time.perf_counter()
    if extractor not in available_extractors():
        known = ", ".join(available_extractors()) or "none"
        raise ExtractorNotFound(f"no extractor named {extractor!r}; available: {known}")
    if workers < 1:
        raise InputError(f"workers must be at least 1, not {workers}")
    options = tuple(sorted((k, v) for k, v in (extractor_options or {}).items() if v is not None))
    built = get_extractor(extractor, **dict(options))
    prepare(built)
    folder = Path(out)
    shards = list({s.id: s for s in plan_shards(inputs, shard_size)}.values())
    settings: dict[str, Any] = {"extractor": extractor, "shard_size": shard_size}
    if getattr(built, "variant", ""):
        settings["variant"] = built.variant  # type: ignore[attr-defined]
    check_settings(folder, settings)
    done = finished_shards(folder)
    todo = [s for s in shards if s.id not in done]
    for shard in todo:
        clear_temporaries(folder, shard.id)
    summary = BatchSummary(folder, shards=len(shards), skipped=len(shards) - len(todo))
    report = progress or (lambda _done, _total: None)
    report(summary.skipped, summary.shards)
    if todo:
        with _client(scheduler, workers) as client:
            job = (extractor, options)
            _run(client, todo, folder, job, max(retries, 0), summary, report)
    summary.seconds = time.perf_counter() - began
    return summary


def _run(
    client: Client,
    todo: list[Shard],
    out: Path,
    job: tuple[str, Options],
    retries: int,
    summary: BatchSummary,
    report: Progress,
) -> None:
    from distributed import as_completed

    extractor, options = job
    files = user_files()
    setup = hashlib.sha1(json.dumps([extractor, files, options]).encode()).hexdigest()[:12]
    plugin = PipelinePlugin(extractor, files, options)
    client.register_plugin(plugin, name=f"peacetrack-pipeline-{setup}")
    run = uuid.uuid4().hex[:8]
    futures = {
        client.submit(
            run_shard, shard, str(out), extractor, files, options,
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
    append_manifest(out, record)
    summary.finished.append(result)


@contextmanager
def _client(scheduler: str | None, workers: int) -> Iterator[Client]:
    from distributed import Client, LocalCluster

    if scheduler in (None, "local"):
        with (
            LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                # This machine only (the dashboard shows file names and cluster internals to
                # anyone who reaches it); any free port, never clashing with a running cluster.
                dashboard_address="127.0.0.1:0",
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,  # type: ignore[no-untyped-call]
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
        yield client
