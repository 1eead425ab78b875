"""The per-shard task, and the worker plugin that readies each worker process once.

Building the extractor pipeline (spaCy, the codebook matchers) takes seconds, far longer
than most shards; ``PipelinePlugin`` builds it when a worker starts (and again when Dask
restarts a dead worker), and ``prepare`` keeps it in the process afterwards, so every
shard a worker runs reuses the same pipeline. The local cluster's worker in the driver's own
process has no plugin: its first task, which checks the settings, builds the pipeline.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from peacetrack.batch.output import write_part
from peacetrack.batch.reading import read_shard
from peacetrack.batch.records import (
    CLAIM_SCHEMA,
    DOCUMENT_SCHEMA,
    claim_rows,
    document_row,
    table,
)
from peacetrack.batch.shards import Shard
from peacetrack.extract.base import Extractor, get_extractor
from peacetrack.extract.runner import outcomes
from peacetrack.extract.runner import prepare as check
from peacetrack.ingest import Failure
from peacetrack.model import Document

#: Extractor options as hashable pairs (``--model``, ``--base-url`` ...), sent to workers.
Options = tuple[tuple[str, Any], ...]

_codebook_in_force: tuple[str, ...] | None = None


@dataclass
class ShardResult:
    """What a shard's task did; ``peak_rss``: peak so far of worker ``pid``, in bytes."""

    shard: str
    documents: int = 0
    claims: int = 0
    dropped: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss: int = 0
    pid: int = 0


def prepare(extractor: str, codebook_files: tuple[str, ...], options: Options = ()) -> Extractor:
    """The extractor for this process, with the driver's extra codebook files in force.

    The plugin calls this before any task, so the codebook is in force before the pipeline
    is built; a long-lived cluster should serve runs with one codebook.
    """
    global _codebook_in_force
    if codebook_files != _codebook_in_force:
        from peacetrack.codebook import use_codebook

        use_codebook(*codebook_files)
        _codebook_in_force = codebook_files
    return get_extractor(extractor, **dict(options))


def describe(
    extractor: str, codebook_files: tuple[str, ...] = (), options: Options = ()
) -> dict[str, Any]:
    """The settings a run's shards depend on, after checking the extractor can work.

    It runs where the pipeline is built anyway (a worker, or the driver when every shard
    is done), so the driver never builds a pipeline only to read its ``variant``.
    """
    built = prepare(extractor, codebook_files, options)
    check(built)
    settings: dict[str, Any] = {"extractor": extractor}
    if getattr(built, "variant", ""):
        settings["variant"] = built.variant  # type: ignore[attr-defined]
    return settings


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


def run_shard(
    shard: Shard,
    out: str,
    extractor: str,
    codebook_files: tuple[str, ...] = (),
    options: Options = (),
) -> ShardResult:
    """Extract one shard and write its two Parquet files; raises when the shard is unreadable.

    The shard goes through the same ``outcomes`` as ``peacetrack extract``, so a streaming
    extractor (``llm.v1``) sends the shard's requests concurrently; a document it fails on
    is reported, and the rest of the shard is written.
    """
    began = time.perf_counter()
    chosen = prepare(extractor, codebook_files, options)
    result = ShardResult(shard.id)
    documents: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []

    def readable() -> Iterator[Document]:
        for item in read_shard(shard):
            if isinstance(item, Failure):
                result.failures.append((item.input, item.reason))
            else:
                yield item

    for outcome in outcomes(readable(), chosen):
        if outcome.error is not None:
            result.failures.append((outcome.document.name, f"extractor failed: {outcome.error}"))
            continue
        position = len(documents)
        documents.append(document_row(position, outcome.document, chosen.name))
        claims.extend(claim_rows(position, outcome.document, outcome.claims, chosen.name))
        result.dropped += outcome.dropped
    write_part(Path(out), "claims", shard.id, table(claims, CLAIM_SCHEMA))
    write_part(Path(out), "documents", shard.id, table(documents, DOCUMENT_SCHEMA))
    result.documents, result.claims = len(documents), len(claims)
    result.seconds = time.perf_counter() - began
    result.peak_rss, result.pid = _peak_rss(), os.getpid()
    return result


def _peak_rss() -> int:
    """Peak resident memory of this process in bytes (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024
