"""Every benchmark in one run, printed as one table (plain text or Markdown).

Extraction throughput per core beside the bare tokenizer, batch scaling from 1 to 2
workers, ingest rate into SQLite and PostgreSQL, ``compare`` latency on a million claims,
web page render times, and how long commands take to start on a small store. Each row's
last column compares it with a baseline measured in the same run (or with the benchmark's
target), so figures from different machines can be read side by side. ``--quick`` shrinks
every size for a smoke run of a few minutes.

    .venv/bin/python benchmarks/run_all.py [--quick] [--markdown] [--only compare,web]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_batch
import bench_compare
import bench_extract
import bench_extract_cost
import bench_llm
import bench_reads
import bench_startup
import bench_store
import bench_web
import bench_web_jobs

Rows = list[dict[str, Any]]

#: Benchmark -> (full run, quick run).
SUITE: dict[str, tuple[Callable[[], Rows], Callable[[], Rows]]] = {
    "extract": (lambda: bench_extract.run(docs=300), lambda: bench_extract.run(docs=60)),
    "batch": (
        lambda: bench_batch.run(docs=2000, shard_size=100),
        lambda: bench_batch.run(docs=300, shard_size=30),
    ),
    "store": (lambda: bench_store.run(docs=3000), lambda: bench_store.run(docs=300)),
    # The baseline (the matrix computed from every claim) takes about a minute per backend
    # and runs once; the summarised comparisons take the median of 5.
    "compare": (
        lambda: bench_compare.run(claims=1_000_000, docs=100_000, repeats=5),
        lambda: bench_compare.run(claims=50_000, docs=5_000, repeats=3),
    ),
    "web": (lambda: bench_web.run(n=30), lambda: bench_web.run(n=5)),
    "startup": (lambda: bench_startup.run(repeats=7), lambda: bench_startup.run(repeats=3)),
    "llm": (bench_llm.run, bench_llm.run),
    "web-jobs": (lambda: bench_web_jobs.run(reads=50), lambda: bench_web_jobs.run(reads=10)),
    "reads": (
        lambda: bench_reads.run(claims=100_000, repeats=3),
        lambda: bench_reads.run(claims=10_000, repeats=1),
    ),
    "extract-cost": (
        lambda: bench_extract_cost.run(mb=1.0, normal_mb=5.0),
        lambda: bench_extract_cost.run(mb=0.2, normal_mb=1.0),
    ),
}
HEADERS = ("benchmark", "measure", "value", "unit", "versus")


def machine() -> str:
    """nproc, memory, CPU model and Python version: what the figures depend on."""
    cpu = "unknown CPU"
    memory = "unknown memory"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory} RAM, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def table(rows: Rows, markdown: bool) -> str:
    cells = [[str(row.get(h, "")) for h in HEADERS] for row in rows]
    if markdown:
        lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in cells]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [list(HEADERS), *cells]) for i in range(len(HEADERS))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [list(HEADERS), *cells]
    )


def measured(name: str, bench: Callable[[], Rows]) -> Rows:
    """The benchmark's rows, or one row saying why it failed: the others still report."""
    try:
        return bench()
    except (Exception, SystemExit) as exc:
        reason = " ".join(str(exc).split())[:160]
        return [{"benchmark": name, "measure": "FAILED", "versus": reason}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(SUITE)}")
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else list(SUITE)
    unknown = sorted(set(chosen) - SUITE.keys())
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(SUITE)}")
    rows: Rows = []
    for name in chosen:
        began = time.perf_counter()
        rows += measured(name, SUITE[name][1 if args.quick else 0])
        print(f"{name}: done in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    print(f"Machine: {machine()}")
    print(table(rows, args.markdown))


if __name__ == "__main__":  # Dask starts worker processes by spawning: guard the entry point
    main()
