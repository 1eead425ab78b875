"""Running shards on a Dask cluster: ``--scheduler tcp://HOST:PORT``.

Only a run given a scheduler's address imports ``distributed`` (about half a second); local
runs go through ``local``. Every worker of the cluster, present and future, gets
``PipelinePlugin``, which builds the extractor pipeline as the worker starts (and again when
Dask restarts a dead worker), so no shard pays for it. A worker that dies mid-task gets its
task rescheduled; a task that raises is retried ``retries`` times, then reported.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from distributed.diagnostics.plugin import WorkerPlugin

from peacetrack.batch.shards import Shard
from peacetrack.batch.worker import JobArgs, Options, Record, describe, prepare, run_shard
from peacetrack.errors import InputError

if TYPE_CHECKING:
    from distributed import Client


class PipelinePlugin(WorkerPlugin):
    """Builds the pipeline as each worker starts, so no shard pays for it."""

    def __init__(
        self,
        extractor: str,
        codebook_files: tuple[str, ...],
        options: Options = (),
        name: str = "peacetrack-pipeline",
    ) -> None:
        self.name = name
        self.extractor = extractor
        self.codebook_files = codebook_files
        self.options = options

    def setup(self, worker: Any) -> None:
        prepare(self.extractor, self.codebook_files, self.options)


def plugin(args: JobArgs) -> PipelinePlugin:
    """Named by the settings, so a long-lived cluster serving runs with other settings
    keeps both."""
    setup = hashlib.sha1(json.dumps(args).encode()).hexdigest()[:12]
    return PipelinePlugin(*args, name=f"peacetrack-pipeline-{setup}")


@contextmanager
def connect(scheduler: str, args: JobArgs) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, its workers given the pipeline plugin."""
    from distributed import Client

    try:
        connected = Client(scheduler, timeout="20s")  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise InputError(
            f"cannot reach the Dask scheduler at {scheduler} ({exc}); "
            "check the address (tcp://HOST:PORT) or leave --scheduler out for a local run"
        ) from None
    with connected as client:
        client.register_plugin(plugin(args))
        yield client


def settings_on(client: Client, args: JobArgs) -> dict[str, Any]:
    """The run's settings (``worker.describe``), worked out on a worker, which builds the
    pipeline anyway, so the driver never builds one only to read its ``variant``."""
    settings: dict[str, Any] = client.submit(describe, *args, pure=False).result()
    return settings


def run_on(
    client: Client, todo: list[Shard], out: str, args: JobArgs, retries: int, record: Record
) -> None:
    """Every shard of ``todo`` as a task, each recorded as it ends."""
    from distributed import as_completed

    run = uuid.uuid4().hex[:8]
    futures = {
        client.submit(
            run_shard, shard, out, *args,
            key=f"peacetrack-{shard.id}-{run}", retries=retries, pure=False,
        ): shard
        for shard in todo
    }  # fmt: skip
    for future in as_completed(futures):  # type: ignore[no-untyped-call]
        if future.status == "finished":
            record(futures[future], future.result())
        else:
            error = future.exception()
            record(futures[future], f"{type(error).__name__}: {error}")
        future.release()
