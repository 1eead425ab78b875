"""The per-shard task, and the worker plugin that readies each worker process once.

Building the extractor pipeline (spaCy, the codebook matchers) takes seconds, far longer
than most shards; ``PipelinePlugin`` builds it when a worker starts (and again when Dask
restarts a dead worker), and ``prepare`` keeps it in the process afterwards, so every
shard a worker runs reuses the same pipeline.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from peacetrack.batch.output import write_part
from peacetrack.batch.reading import read_shard
from peacetrack.batch.records import (
    CLAIM_SCHEMA,
    DOCUMENT_SCHEMA,
    claim_row,
    document_row,
    table,
)
from peacetrack.batch.shards import Shard
from peacetrack.extract.base import Extractor, get_extractor
from peacetrack.extract.runner import grounded_claims
from peacetrack.ingest import Failure

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


def prepare(extractor: str, codebook_files: tuple[str, ...]) -> Extractor:
    """The extractor for this process, with the driver's extra codebook files in force.

    The plugin calls this before any task, so the codebook is in force before the pipeline
    is built; a long-lived cluster should serve runs with one codebook.
    """
    global _codebook_in_force
    if codebook_files != _codebook_in_force:
        from peacetrack.codebook import use_codebook

        use_codebook(*codebook_files)
        _codebook_in_force = codebook_files
    return get_extractor(extractor)


class PipelinePlugin(WorkerPlugin):
    """Builds the pipeline as each worker starts, so no shard pays for it."""

    def __init__(self, extractor: str, codebook_files: tuple[str, ...]) -> None:
        self.extractor = extractor
        self.codebook_files = codebook_files

    def setup(self, worker: Any) -> None:
        prepare(self.extractor, self.codebook_files)


def run_shard(
    shard: Shard, out: str, extractor: str, codebook_files: tuple[str, ...] = ()
) -> ShardResult:
    """Extract one shard and write its two Parquet files; raises when the shard is unreadable."""
    began = time.perf_counter()
    chosen = prepare(extractor, codebook_files)
    result = ShardResult(shard.id)
    documents: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for item in read_shard(shard):
        if isinstance(item, Failure):
            result.failures.append((item.input, item.reason))
            continue
        try:
            found, dropped = grounded_claims(item, chosen)
        except Exception as exc:  # an extractor bug on one document must not sink the shard
            result.failures.append((item.name, f"extractor failed: {type(exc).__name__}: {exc}"))
            continue
        position = len(documents)
        documents.append(document_row(position, item, chosen.name))
        claims.extend(claim_row(position, item, c, chosen.name) for c in found)
        result.dropped += dropped
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
