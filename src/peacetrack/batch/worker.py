"""The per-shard task, and the extractor each worker process keeps between shards.

Building the extractor pipeline (spaCy, the codebook matchers) takes about a second, longer
than many shards; ``prepare`` builds it once per process and keeps it, so every shard a
worker runs reuses the same pipeline. Who builds it first depends on where shards run: the
driver, before local worker processes are forked from it (``local``), or each cluster
worker as it starts (``cluster.PipelinePlugin``).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peacetrack.batch.output import write_part
from peacetrack.batch.reading import read_shard
from peacetrack.batch.records import ShardRows
from peacetrack.batch.shards import Shard
from peacetrack.extract.base import Extractor, get_extractor
from peacetrack.extract.runner import outcomes
from peacetrack.extract.runner import prepare as check
from peacetrack.ingest import Failure
from peacetrack.model import Document

#: Extractor options as hashable pairs (``--model``, ``--base-url`` ...), sent to workers.
Options = tuple[tuple[str, Any], ...]
#: What every task of a run needs to build the same extractor: its name, the driver's extra
#: codebook files and its options (``run_shard``'s last three arguments).
JobArgs = tuple[str, tuple[str, ...], Options]

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


#: Called in the driver with each shard as it ends: its result, or the error it ended with.
Record = Callable[[Shard, ShardResult | str], None]


def prepare(extractor: str, codebook_files: tuple[str, ...], options: Options = ()) -> Extractor:
    """The extractor for this process, with the driver's extra codebook files in force.

    Called before any shard (in the driver for local runs, by the plugin on a cluster), so
    the codebook is in force before the pipeline is built; a long-lived cluster should serve
    runs with one codebook.
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

    It runs where the pipeline is built anyway (the driver of a local run, a worker of a
    cluster), so no process builds a pipeline only to read its ``variant``.
    """
    built = prepare(extractor, codebook_files, options)
    check(built)
    settings: dict[str, Any] = {"extractor": extractor}
    if getattr(built, "variant", ""):
        settings["variant"] = built.variant  # type: ignore[attr-defined]
    return settings


def warm() -> None:
    """Load now what a process's first shard would load on first use: the language
    identifier (reading detects each report's language; about 0.4 s) and pandas (pyarrow
    imports it as it builds its first table; about 0.25 s). Workers forked afterwards start
    with both."""
    from peacetrack.language import load_identifier

    load_identifier()
    ShardRows("").tables()


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
    rows = ShardRows(chosen.name)

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
        rows.add(outcome.document, outcome.claims)
        result.dropped += outcome.dropped
    documents, claims = rows.tables()
    write_part(Path(out), "claims", shard.id, claims)
    write_part(Path(out), "documents", shard.id, documents)
    result.documents, result.claims = documents.num_rows, claims.num_rows
    result.seconds = time.perf_counter() - began
    result.peak_rss, result.pid = _peak_rss(), os.getpid()
    return result


def _peak_rss() -> int:
    """Peak resident memory of this process in bytes (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024
