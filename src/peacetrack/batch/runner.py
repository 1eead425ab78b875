"""Running a batch: plan shards, skip finished ones, run the rest, record each.

Shards run on this machine (``local``: the driver's own thread, or worker processes forked
from it) unless a Dask scheduler's address is given (``cluster``). The driver alone writes
the manifest, after a shard's task has returned, so a shard is recorded once however many
times it ran (a worker that dies mid-task has its shard run again; the retry overwrites the
same files by rename). Shards that still fail after ``retries`` are listed by name with their
error; the run reports them rather than stopping, so one bad input never costs the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

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
from peacetrack.batch.worker import JobArgs, ShardResult, describe
from peacetrack.codebook.loader import user_files
from peacetrack.errors import ExtractorNotFound, InputError
from peacetrack.extract.base import DEFAULT_EXTRACTOR, available_extractors

#: Called with (shards finished, shards in all) as the run goes, skipped ones included.
Progress = Callable[[int, int], None]


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

    ``scheduler``: None or ``"local"`` runs the shards on this machine on ``workers``
    workers, no more than there are shards to run (``local.run_here``); otherwise the
    address of a running Dask scheduler (``cluster``).
    ``shard_size``: documents per shard; None sizes shards from the work (``size_for``), or
    keeps the size of the run being resumed in ``out``.
    ``extractor_options`` (``model``, ``base_url`` ...) go to every worker's extractor.
    The extractor is built and checked before any shard runs (in the driver of a local run,
    on a worker of a cluster), so a bad setting fails first, and its settings are checked
    against the earlier run's in ``out``.
    """
    began = time.perf_counter()
    job = _job(extractor, workers, extractor_options)
    folder = Path(out)
    size, shards, todo = _plan(folder, inputs, shard_size)
    summary = BatchSummary(folder, shards=len(shards), skipped=len(shards) - len(todo))
    report = progress or (lambda _done, _total: None)

    def record(shard: Shard, outcome: ShardResult | str) -> None:
        _record(folder, shard, outcome, summary)
        report(summary.skipped + len(summary.finished) + len(summary.failed), summary.shards)

    def begin(settings: dict[str, Any]) -> None:
        check_settings(folder, settings | size.settings())
        for shard in todo:
            clear_temporaries(folder, shard.id)
        report(summary.skipped, summary.shards)

    if not todo or scheduler in (None, "local"):
        begin(describe(*job))  # builds the pipeline, before any worker is forked
        if todo:
            from peacetrack.batch.local import run_here

            run_here(todo, str(folder), job, min(workers, len(todo)), max(retries, 0), record)
    else:
        from peacetrack.batch.cluster import connect, run_on, settings_on

        with connect(scheduler, job) as client:
            begin(settings_on(client, job))
            run_on(client, todo, str(folder), job, max(retries, 0), record)
    summary.seconds = time.perf_counter() - began
    return summary


def _job(extractor: str, workers: int, extractor_options: Mapping[str, Any] | None) -> JobArgs:
    """What every worker needs to build the extractor, checked before anything runs: an
    unknown extractor or no workers fails here, not on a worker."""
    if extractor not in available_extractors():
        known = ", ".join(available_extractors()) or "none"
        raise ExtractorNotFound(f"no extractor named {extractor!r}; available: {known}")
    if workers < 1:
        raise InputError(f"workers must be at least 1, not {workers}")
    options = tuple(sorted((k, v) for k, v in (extractor_options or {}).items() if v is not None))
    return (extractor, user_files(), options)


def _plan(
    folder: Path, inputs: Sequence[str | Path], shard_size: int | None
) -> tuple[ShardSize, list[Shard], list[Shard]]:
    """The shard size, every shard of ``inputs`` (once each), and those not yet finished in
    ``folder``: a resumed run cuts its shards where the finished ones were cut."""
    done = finished_shards(folder)
    size = replace(_size(folder, inputs, shard_size), cuts=finished_cuts(done))
    shards = list({s.id: s for s in plan_shards(inputs, size)}.values())
    return size, shards, [s for s in shards if s.id not in done]


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


def _record(out: Path, shard: Shard, outcome: ShardResult | str, summary: BatchSummary) -> None:
    """Record a finished shard in the manifest, or its error in the summary."""
    if isinstance(outcome, str):
        summary.failed.append((shard.label, outcome))
        return
    record = ShardRecord(
        shard=shard.id,
        label=shard.label,
        documents=outcome.documents,
        claims=outcome.claims,
        failures=len(outcome.failures),
        seconds=round(outcome.seconds, 3),
    )
    if shard.kind == "rows" and shard.format != "parquet":
        record = replace(record, location=shard.location, start=shard.start, stop=shard.stop)
    append_manifest(out, record)
    summary.finished.append(outcome)
