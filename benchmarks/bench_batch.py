"""Scaling of `peacetrack batch` on Dask: 1 worker against 2, and batch against `extract`.

The corpus is news-style reports assembled from the sentences written for
``bench_extract.py`` (no corpus text), as JSONL. Wall time includes starting the cluster
and building each worker's pipeline, as a user sees it; "task s" sums the shards' own
times. Efficiency is speed-up / workers. Peak RSS is each worker process's peak, measured
inside its tasks.

    .venv/bin/python benchmarks/bench_batch.py [--docs 2000] [--shard-size 100]
    .venv/bin/python benchmarks/bench_batch.py --check 20000

``--check N`` runs batch (2 workers) and the sequential extract over the same N documents
and says whether their guideline JSONL is identical after sorting, with both times.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench_extract import make_texts

from peacetrack.batch import BatchSummary, read_batch_claims, run_batch
from peacetrack.extract import get_extractor
from peacetrack.extract.runner import extract_documents
from peacetrack.ingest import read_documents
from peacetrack.model import Document


def write_corpus(folder: Path, docs: int, seed: int) -> Path:
    path = folder / "bench.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for text in make_texts(docs, seed):
            handle.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    return path


def timed_batch(
    corpus: Path, out: Path, workers: int, shard_size: int
) -> tuple[float, BatchSummary]:
    began = time.perf_counter()
    summary = run_batch([corpus], out, workers=workers, shard_size=shard_size)
    wall = time.perf_counter() - began
    if not summary.ok:
        sys.exit(f"batch failed:\n{summary.describe()}")
    return wall, summary


def peaks_mib(summary: BatchSummary) -> list[float]:
    peak: dict[int, int] = defaultdict(int)
    for result in summary.finished:
        peak[result.pid] = max(peak[result.pid], result.peak_rss)
    return sorted(round(v / 2**20, 1) for v in peak.values())


def run(docs: int = 2000, shard_size: int = 100, seed: int = 7) -> list[dict[str, Any]]:
    """Wall time with 1 and 2 workers, speed-up, efficiency and peak RSS per worker."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_corpus(Path(tmp), docs, seed)
        runs = [
            (workers, *timed_batch(corpus, Path(tmp) / f"out{workers}", workers, shard_size))
            for workers in (1, 2)
        ]
    base = runs[0][1]
    rows = []
    for workers, wall, summary in runs:
        speedup = base / wall
        peaks = ", ".join(map(str, peaks_mib(summary)))
        rows.append(
            {"benchmark": "batch",
             "measure": f"{workers} worker(s), {docs} docs in {summary.shards} shards",
             "value": round(wall, 1), "unit": "s wall",
             "versus": ("baseline" if workers == 1
                        else f"speed-up {speedup:.2f}, efficiency {speedup / workers:.2f}")
             + f"; peak RSS per worker {peaks} MiB",
             "task_s": round(sum(r.seconds for r in summary.finished), 1)}
        )  # fmt: skip
    return rows


def scaling(docs: int, shard_size: int, seed: int) -> None:
    print(f"{'measure':<40} {'wall s':>8} {'task s':>8}  versus")
    for row in run(docs, shard_size, seed):
        print(f"{row['measure']:<40} {row['value']:>8} {row['task_s']:>8}  {row['versus']}")


def check(docs: int, shard_size: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_corpus(Path(tmp), docs, seed)
        wall, summary = timed_batch(corpus, Path(tmp) / "out", 2, shard_size)
        batch_lines = sorted(r.to_json() for r in read_batch_claims(Path(tmp) / "out"))
        began = time.perf_counter()
        documents = (d for d in read_documents([corpus]) if isinstance(d, Document))
        extract_lines = sorted(
            r.to_json() for r in extract_documents(documents, get_extractor("rules.v1"))
        )
        sequential = time.perf_counter() - began
    same = batch_lines == extract_lines
    print(f"{docs} documents, {summary.claims} claims, {summary.shards} shards")
    print(f"batch (2 workers) {wall:8.1f} s   extract (1 process) {sequential:8.1f} s")
    print(f"guideline JSONL identical after sorting: {'yes' if same else 'NO'}")
    if not same:
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="documents for the scaling run")
    parser.add_argument("--shard-size", type=int, default=100, help="documents per shard")
    parser.add_argument("--seed", type=int, default=7, help="random seed for the texts")
    parser.add_argument("--check", type=int, metavar="N", help="batch vs extract on N documents")
    args = parser.parse_args()
    if args.check:
        check(args.check, max(args.shard_size, args.check // 40), args.seed)
    else:
        scaling(args.docs, args.shard_size, args.seed)


if __name__ == "__main__":  # Dask starts worker processes by spawning: guard the entry point
    main()
